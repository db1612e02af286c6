"""Training-curve plots for a Solver's histories (the plots the CS231n notebooks draw inline).

Works with any matplotlib backend; the command line uses Agg to write PNG files.
"""
import numpy as np

__all__ = ["plot_training_curves", "plot_solvers"]


def _histories(s):
    if isinstance(s, dict):
        return s["loss_history"], s["train_acc_history"], s["val_acc_history"]
    return s.loss_history, s.train_acc_history, s.val_acc_history


def plot_training_curves(solver, path=None, title=None):
    """Plot the training loss per iteration and the train/val accuracy per epoch.

    Parameters
    ----------
    solver : a Solver, or a dict with loss_history, train_acc_history, val_acc_history
    path : if given, save the figure there (e.g. a .png) and close it
    title : optional figure title

    Returns
    -------
    fig : the matplotlib Figure (None once saved and closed)
    """
    import matplotlib.pyplot as plt

    loss, train_acc, val_acc = _histories(solver)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 7))
    ax1.plot(loss, "o", markersize=2, alpha=0.5)
    if len(loss) >= 50:  # a running mean makes the trend readable
        k = max(len(loss) // 50, 2)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax1.plot(np.arange(k - 1, len(loss)), smooth, "-", color="C3", label="running mean")
        ax1.legend()
    ax1.set_title("Training loss")
    ax1.set_xlabel("Iteration")
    ax1.set_ylabel("Loss")
    ax2.plot(train_acc, "-o", label="train")
    ax2.plot(val_acc, "-o", label="val")
    ax2.set_title("Classification accuracy")
    ax2.set_xlabel("Epoch")
    ax2.set_ylabel("Accuracy")
    ax2.legend(loc="lower right")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def plot_solvers(solvers, path=None):
    """Compare several runs, as the notebook's optimizer comparison: training loss, training
    accuracy and validation accuracy, one line per entry of `solvers` (a dict name -> Solver
    or history dict). Saves to `path` when given; returns the Figure otherwise."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(10, 11))
    titles = ["Training loss", "Training accuracy", "Validation accuracy"]
    xlabels = ["Iteration", "Epoch", "Epoch"]
    for name, s in solvers.items():
        for ax, h, style in zip(axes, _histories(s), ["o", "-o", "-o"]):
            ax.plot(h, style, markersize=3 if style == "o" else 5, label=name)
    for ax, t, xl in zip(axes, titles, xlabels):
        ax.set_title(t)
        ax.set_xlabel(xl)
        ax.legend(loc="upper center", ncol=4)
    return _finish(fig, path)


def _finish(fig, path):
    """Lay out `fig`; save and close it when `path` is given (returns None), else return it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return None
    return fig
