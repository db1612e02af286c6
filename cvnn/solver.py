"""The CS231n Solver: trains a classification model with minibatch gradient descent.

The model must provide ``params`` (a dict str -> ndarray) and ``loss(X, y=None)``: scores in
test mode (``y is None``), ``(loss, grads)`` otherwise, with ``grads`` keyed like ``params``.

Example::

    data = {"X_train": ..., "y_train": ..., "X_val": ..., "y_val": ...}
    model = FullyConnectedNet([100, 100], normalization="batchnorm")
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100, print_every=100)
    solver.train()            # or solver.train(time_limit=60) to stop after a minute

After training, ``model.params`` holds the parameters that did best on the validation set, and
``solver.loss_history``, ``solver.train_acc_history`` and ``solver.val_acc_history`` record
the run. With ``checkpoint_name`` set, every epoch writes ``<name>_epoch_<e>.npz`` (arrays)
and ``<name>_epoch_<e>.json`` (hyperparameters, histories, the .npz's SHA-256); no pickle is
involved, and ``Solver.from_checkpoint`` or ``solver.load_checkpoint`` resume from them.
"""
import json
import os
import time

import numpy as np

from . import optim
from ._checkpoint import check_arrays, load_npz, model_state, save_npz, set_model_state
from ._device import check_device

__all__ = ["Solver"]

_FORMAT = "cvnn-solver-checkpoint-1"


def _jsonable(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _model_state(model):
    """The model's arrays a checkpoint must keep: params plus the batch-norm running
    statistics of any model with ``bn_params`` (see cvnn._checkpoint.model_state)."""
    if hasattr(model, "_state_arrays"):
        return model._state_arrays()
    return model_state(model)


def _set_model_state(model, arrays):
    if hasattr(model, "_set_state_arrays"):
        model._set_state_arrays(arrays)
    else:
        set_model_state(model, arrays)


def _copy_state(model):
    return {k: np.array(v, copy=True) for k, v in _model_state(model).items()}


class Solver:
    """Trains a classification model; see the module docstring for an example.

    Parameters
    ----------
    model : object with ``params`` and ``loss(X, y=None)`` as described above
    data : dict with X_train (N_train, d_1, ..., d_k), y_train (N_train,), X_val (N_val, ...),
        y_val (N_val,)
    update_rule : str naming a rule of cvnn.optim ('sgd', 'sgd_momentum', 'rmsprop', 'adam'),
        or a callable with the same interface ``(w, dw, config) -> (next_w, config)``
    optim_config : dict of hyperparameters for the update rule (every rule needs
        'learning_rate'); each parameter gets its own copy
    lr_decay : float, the learning rate is multiplied by it after each epoch
    batch_size : int, minibatch size for the loss and gradient
    num_epochs : int, epochs to train for
    num_train_samples : int or None, training images used to check the training accuracy
        (None: all); default 1000
    num_val_samples : int or None, validation images used to check the validation accuracy
        (None: all)
    checkpoint_name : str or None, prefix of the checkpoint files written after every epoch
    print_every : int, print the training loss every `print_every` iterations
    print_acc_every : int, print the accuracies every `print_acc_every` epochs (EECS 598;
        default 1; they are checked and recorded every epoch regardless)
    device : EECS 598's argument; must be the CPU ('cpu', the default)
    verbose : bool, print progress (and show a tqdm progress bar, see `progress`)
    progress : bool or None, show a tqdm progress bar; None means the same as verbose

    Raises
    ------
    ValueError('Unrecognized arguments ...') for unknown keyword arguments and
    ValueError('Invalid update_rule ...') for an unknown rule name.
    """

    def __init__(self, model, data, **kwargs):
        self.model = model
        self.X_train = data["X_train"]
        self.y_train = data["y_train"]
        self.X_val = data["X_val"]
        self.y_val = data["y_val"]

        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.print_acc_every = kwargs.pop("print_acc_every", 1)
        self.device = check_device(kwargs.pop("device", "cpu"), "Solver")
        self.verbose = kwargs.pop("verbose", True)
        self.progress = kwargs.pop("progress", None)

        if len(kwargs) > 0:
            extra = ", ".join('"%s"' % k for k in list(kwargs.keys()))
            raise ValueError("Unrecognized arguments %s" % extra)

        if callable(self.update_rule):
            self.update_rule_name = getattr(self.update_rule, "__name__", "custom")
        else:
            if not isinstance(self.update_rule, str) or self.update_rule not in optim.__all__:
                raise ValueError('Invalid update_rule "%s"' % (self.update_rule,))
            self.update_rule_name = self.update_rule
            self.update_rule = getattr(optim, self.update_rule)
        if int(self.print_acc_every) < 1:
            raise ValueError("Solver: print_acc_every (%r) must be >= 1" % (self.print_acc_every,))
        if int(self.batch_size) < 1 or int(self.num_epochs) < 0:
            raise ValueError("Solver: batch_size (%r) must be >= 1 and num_epochs (%r) >= 0"
                             % (self.batch_size, self.num_epochs))
        if len(self.X_train) != len(self.y_train) or len(self.X_val) != len(self.y_val):
            raise ValueError("Solver: X_train/y_train (%d/%d) or X_val/y_val (%d/%d) differ in "
                             "length" % (len(self.X_train), len(self.y_train),
                                         len(self.X_val), len(self.y_val)))
        self._reset()

    def _reset(self):
        """Set up book-keeping variables for a fresh optimization. Don't call it by hand."""
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self._best_state = None
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        # every parameter gets its own copy of the optimizer's configuration
        self.optim_configs = {}
        for p in self.model.params:
            self.optim_configs[p] = {k: v for k, v in self.optim_config.items()}

    def _step(self):
        """One gradient update on a random minibatch. Called by train()."""
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]

        loss, grads = self.model.loss(X_batch, y_batch)
        self.loss_history.append(float(loss))

        for p, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Accuracy of the model on the data.

        Parameters
        ----------
        X : ndarray, shape (N, d_1, ..., d_k)
        y : ndarray, shape (N,), labels in [0, C)
        num_samples : if not None and smaller than N, check a random subsample of that size
        batch_size : the data are scored in batches of this size (bounded memory)

        Returns
        -------
        acc : float, the fraction of correctly classified images (nan when N is 0)
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X = X[mask]
            y = y[mask]
        if N == 0:
            return float("nan")
        y_pred = []
        for start in range(0, N, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        y_pred = np.hstack(y_pred)
        return float(np.mean(y_pred == np.asarray(y)))

    def _check_and_record(self):
        train_acc = self.check_accuracy(self.X_train, self.y_train,
                                        num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        # keep track of the best model (params and batchnorm running statistics)
        if val_acc > self.best_val_acc or self._best_state is None:
            self.best_val_acc = val_acc
            self._best_state = _copy_state(self.model)
            self.best_params = {k: self._best_state[k] for k in self.model.params}
        self._save_checkpoint()
        return train_acc, val_acc

    def train(self, time_limit=None, return_best_params=True):
        """Run the optimization.

        Parameters
        ----------
        time_limit : seconds or None. Training stops before an iteration that would end past
            the limit (judged from the slowest iteration so far); the accuracy check that
            follows is not counted. The run then ends as at its last iteration.
        return_best_params : bool, put the parameters that did best on the validation set back
            into the model at the end (CS231n's behaviour); False keeps the last ones.

        Training continues from ``self.epoch`` (non-zero after load_checkpoint).
        """
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        start_it = min(self.epoch * iterations_per_epoch, num_iterations)
        show_bar = self.verbose if self.progress is None else self.progress
        bar = None
        if show_bar and num_iterations > start_it:
            from tqdm import tqdm
            bar = tqdm(total=num_iterations, initial=start_it, unit="it", leave=False,
                       dynamic_ncols=True)
        say = bar.write if bar is not None else print
        t0 = time.perf_counter()
        slowest = 0.0
        last_checked = None
        try:
            for t in range(start_it, num_iterations):
                if time_limit is not None:
                    elapsed = time.perf_counter() - t0
                    if elapsed + slowest > time_limit:
                        if self.verbose:
                            say("(Time limit) stopping after %.1f s at iteration %d / %d"
                                % (elapsed, t, num_iterations))
                        break
                ts = time.perf_counter()
                self._step()
                slowest = max(slowest, time.perf_counter() - ts)
                if bar is not None:
                    bar.update(1)
                    if t % 10 == 0:
                        bar.set_postfix(loss="%.4f" % self.loss_history[-1], refresh=False)

                if self.verbose and t % self.print_every == 0:
                    say("(Iteration %d / %d) loss: %f" % (t + 1, num_iterations,
                                                          self.loss_history[-1]))

                # at the end of every epoch, increment the epoch counter and decay the
                # learning rate
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for k in self.optim_configs:
                        if "learning_rate" in self.optim_configs[k]:
                            self.optim_configs[k]["learning_rate"] *= self.lr_decay

                # check train and val accuracy on the first iteration, the last iteration,
                # and at the end of each epoch
                if t == 0 or t == num_iterations - 1 or epoch_end:
                    train_acc, val_acc = self._check_and_record()
                    last_checked = t
                    if self.verbose and self.epoch % self.print_acc_every == 0:
                        say("(Epoch %d / %d) train acc: %f; val_acc: %f"
                            % (self.epoch, self.num_epochs, train_acc, val_acc))
            else:
                t = None
            if t is not None and last_checked != t - 1 and t > start_it:
                # stopped early by the time limit: record where the run ended
                train_acc, val_acc = self._check_and_record()
                if self.verbose:
                    say("(Epoch %d / %d) train acc: %f; val_acc: %f"
                        % (self.epoch, self.num_epochs, train_acc, val_acc))
        finally:
            if bar is not None:
                bar.close()

        # at the end of training swap the best params into the model
        if return_best_params and self._best_state is not None:
            _set_model_state(self.model, {k: v.copy() for k, v in self._best_state.items()})

    # ---- checkpoints: .npz (arrays) + .json (everything else), never pickle ----

    def _checkpoint_arrays(self):
        arrays = {}
        for k, v in _model_state(self.model).items():
            arrays["model/" + k] = v
        if self._best_state is not None:
            for k, v in self._best_state.items():
                arrays["best/" + k] = v
        for p, config in self.optim_configs.items():
            for k, v in config.items():
                if isinstance(v, np.ndarray):
                    arrays["optim/%s/%s" % (p, k)] = v
        return arrays

    def _checkpoint_json(self):
        scalars = {p: {k: _jsonable(v) for k, v in c.items() if not isinstance(v, np.ndarray)}
                   for p, c in self.optim_configs.items()}
        return {
            "format": _FORMAT,
            "update_rule": self.update_rule_name,
            "lr_decay": self.lr_decay,
            "optim_config": {k: _jsonable(v) for k, v in self.optim_config.items()
                             if not isinstance(v, np.ndarray)},
            "optim_scalars": scalars,
            "batch_size": self.batch_size,
            "num_epochs": self.num_epochs,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "print_every": self.print_every,
            "epoch": self.epoch,
            "best_val_acc": self.best_val_acc,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
            "model_class": type(self.model).__name__,
        }

    def save_checkpoint(self, path):
        """Write the solver's state to ``<path>.npz`` and ``<path>.json`` (a trailing .json or
        .npz on `path` is dropped). Returns the JSON file's path."""
        base = _base(path)
        npz, sha = save_npz(base + ".npz", self._checkpoint_arrays())
        meta = self._checkpoint_json()
        meta["npz_file"] = os.path.basename(npz)
        meta["npz_sha256"] = sha
        tmp = base + ".json.tmp"
        with open(tmp, "w") as f:
            json.dump(meta, f, indent=1, allow_nan=True)
        os.replace(tmp, base + ".json")
        return base + ".json"

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        path = self.save_checkpoint("%s_epoch_%d" % (self.checkpoint_name, self.epoch))
        if self.verbose:
            print('Saving checkpoint to "%s"' % path)

    def load_checkpoint(self, path):
        """Restore the model's parameters, the optimizer state, the epoch and the histories
        from a checkpoint written by this class (`path`: the .json, the .npz or their common
        prefix). Everything is verified (format, the .npz's SHA-256, names and shapes) before
        anything is changed: a truncated or tampered checkpoint raises ValueError and leaves
        the solver and model as they were."""
        meta = _read_meta(path)
        base = _base(path)
        npz = os.path.join(os.path.dirname(base), meta["npz_file"])
        arrays, _ = load_npz(npz, sha256=meta["npz_sha256"], what="checkpoint")
        where = "load_checkpoint(%s)" % path
        if meta["update_rule"] != self.update_rule_name:
            raise ValueError("%s: the checkpoint was trained with update_rule '%s', this solver "
                             "uses '%s'" % (where, meta["update_rule"], self.update_rule_name))
        groups = {"model": {}, "best": {}, "optim": {}}
        for k, v in arrays.items():
            head, _, rest = k.partition("/")
            if head not in groups:
                raise ValueError("%s: unexpected array '%s'" % (where, k))
            groups[head][rest] = v
        want = _model_state(self.model)
        check_arrays(groups["model"], want, where)
        if groups["best"]:
            check_arrays(groups["best"], want, where)
        scalars = meta["optim_scalars"]
        if set(scalars) != set(self.model.params):
            raise ValueError("%s: optimizer state for %s, the model has %s"
                             % (where, sorted(scalars), sorted(self.model.params)))
        configs = {p: dict(c) for p, c in scalars.items()}
        for k, v in groups["optim"].items():
            p, _, key = k.rpartition("/")
            if p not in configs or v.shape != np.shape(self.model.params[p]):
                raise ValueError("%s: optimizer array '%s' does not match the model" % (where, k))
            configs[p][key] = v.astype(self.model.params[p].dtype)
        # verified: now change the solver and the model
        _set_model_state(self.model, groups["model"])
        self.optim_configs = configs
        self.epoch = int(meta["epoch"])
        self.best_val_acc = meta["best_val_acc"]
        self.loss_history = list(meta["loss_history"])
        self.train_acc_history = list(meta["train_acc_history"])
        self.val_acc_history = list(meta["val_acc_history"])
        if groups["best"]:
            self._best_state = {k: v.astype(want[k].dtype) for k, v in groups["best"].items()}
            self.best_params = {k: self._best_state[k] for k in self.model.params}
        return self

    @classmethod
    def from_checkpoint(cls, model, data, path, **kwargs):
        """A Solver rebuilt from a checkpoint: the hyperparameters stored in its JSON (update
        rule, lr_decay, batch_size, num_epochs, sample counts, print_every) overridden by
        `kwargs`, then load_checkpoint(path). A checkpoint trained with a custom callable
        update rule needs that callable passed again as update_rule=."""
        meta = _read_meta(path)
        opts = {k: meta[k] for k in ("lr_decay", "batch_size", "num_epochs", "num_train_samples",
                                     "num_val_samples", "print_every", "optim_config")}
        opts["update_rule"] = meta["update_rule"]
        opts.update(kwargs)
        solver = cls(model, data, **opts)
        return solver.load_checkpoint(path)


def _base(path):
    path = os.fspath(path)
    for ext in (".json", ".npz"):
        if path.endswith(ext):
            return path[: -len(ext)]
    return path


def _read_meta(path):
    jpath = _base(path) + ".json"
    if not os.path.isfile(jpath):
        raise FileNotFoundError("checkpoint file %s does not exist" % jpath)
    try:
        with open(jpath) as f:
            meta = json.load(f)
    except ValueError as exc:
        raise ValueError("checkpoint file %s is truncated or corrupt: %s" % (jpath, exc)) from exc
    need = ("format", "npz_file", "npz_sha256", "update_rule", "epoch", "optim_scalars",
            "loss_history", "train_acc_history", "val_acc_history", "best_val_acc")
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or \
            any(k not in meta for k in need):
        raise ValueError("checkpoint file %s is not a cvnn solver checkpoint (format %s) or "
                         "misses fields" % (jpath, _FORMAT))
    if os.path.basename(meta["npz_file"]) != meta["npz_file"]:
        raise ValueError("checkpoint file %s names an .npz outside its folder" % jpath)
    return meta
