"""Pictures for the notebooks: image grids (CS231n ``visualize_grid``, ``vis_grid``,
``vis_nn``) and figures of learned weights."""
from math import ceil, sqrt

import numpy as np


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Reshape a 4D tensor of image data to a grid for easy visualization.

    Parameters
    ----------
    Xs : ndarray, shape (N, H, W, C)
    ubound : float, each tile is rescaled linearly to [0, ubound]
    padding : int, blank pixels between tiles

    Returns
    -------
    grid : ndarray, shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C) with G = ceil(sqrt(N)),
        float64; unused tiles and the padding are 0. A constant tile becomes 0.
    """
    Xs = np.asarray(Xs)
    if Xs.ndim != 4:
        raise ValueError("visualize_grid: Xs must be (N, H, W, C), got shape %s" % (Xs.shape,))
    (N, H, W, C) = Xs.shape
    grid_size = int(ceil(sqrt(N)))
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))
    next_idx = 0
    y0, y1 = 0, H
    for y in range(grid_size):
        x0, x1 = 0, W
        for x in range(grid_size):
            if next_idx < N:
                img = Xs[next_idx].astype(np.float64)
                low, high = np.min(img), np.max(img)
                span = high - low
                grid[y0:y1, x0:x1] = ubound * (img - low) / span if span > 0 else 0.0
                next_idx += 1
            x0 += W + padding
            x1 += W + padding
        y0 += H + padding
        y1 += H + padding
    return grid


def vis_grid(Xs):
    """Visualize a grid of images, without rescaling.

    Parameters
    ----------
    Xs : ndarray, shape (N, H, W, C)

    Returns
    -------
    G : ndarray, shape (A*H + A + 1, A*W + A + 1, C), A = ceil(sqrt(N)); one pixel of
        border between tiles, the border set to the maximum of Xs
    """
    Xs = np.asarray(Xs)
    (N, H, W, C) = Xs.shape
    A = int(ceil(sqrt(N)))
    G = np.ones((A * H + A + 1, A * W + A + 1, C), Xs.dtype)
    G *= np.max(Xs) if Xs.size else 0
    n = 0
    for y in range(A):
        for x in range(A):
            if n < N:
                G[y * H + y + 1:(y + 1) * H + y + 1, x * W + x + 1:(x + 1) * W + x + 1, :] = Xs[n]
                n += 1
    maxg, ming = G.max(), G.min()
    if maxg > ming:
        G = (G - ming) / (maxg - ming)
    return G


def vis_nn(rows):
    """Visualize an array of arrays of images.

    Parameters
    ----------
    rows : list of lists (all of the same length) of ndarrays of shape (H, W, C)

    Returns
    -------
    G : ndarray, shape (N*H + N + 1, D*W + D + 1, C) for N rows of D images, rescaled to
        [0, 1], with a border at the maximum value
    """
    N = len(rows)
    D = len(rows[0])
    H, W, C = rows[0][0].shape
    Xs = rows[0][0]
    G = np.ones((N * H + N + 1, D * W + D + 1, C), Xs.dtype)
    for y in range(N):
        for x in range(D):
            G[y * H + y + 1:(y + 1) * H + y + 1, x * W + x + 1:(x + 1) * W + x + 1, :] = rows[y][x]
    maxg, ming = G.max(), G.min()
    if maxg > ming:
        G = (G - ming) / (maxg - ming)
    return G


def show_net_weights(net, ax=None):
    """Show the first-layer weights of a TwoLayerNet on CIFAR-10 images as a grid.

    Parameters
    ----------
    net : object with params["W1"] of shape (3072, H) (pixels in 32x32x3 order)
    ax : matplotlib Axes to draw into; a new figure when None

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    W1 = np.asarray(net.params["W1"])
    W1 = W1.reshape(32, 32, 3, -1).transpose(3, 0, 1, 2)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 6))
    else:
        fig = ax.figure
    ax.imshow(visualize_grid(W1, padding=3).astype("uint8"))
    ax.axis("off")
    return fig


def show_linear_templates(W, classes=None, ax=None):
    """Show the learned weights of a linear classifier on CIFAR-10 as one image per class.

    Parameters
    ----------
    W : ndarray, shape (3072, C) or (3073, C) (the bias row of the bias trick is dropped);
        pixels in 32x32x3 order
    classes : list of C class names for the titles (CIFAR-10's when None and C == 10)

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    W = np.asarray(W)
    if W.shape[0] == 3073:
        W = W[:-1]
    if W.shape[0] != 3072:
        raise ValueError("show_linear_templates: W.shape[0] (%d) must be 3072 or 3073" % W.shape[0])
    C = W.shape[1]
    if classes is None and C == 10:
        classes = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    w = W.reshape(32, 32, 3, C)
    w_min, w_max = np.min(w), np.max(w)
    fig, axes = plt.subplots(1, C, figsize=(1.5 * C, 2))
    axes = np.atleast_1d(axes)
    for i in range(C):
        span = w_max - w_min
        img = 255.0 * (w[:, :, :, i] - w_min) / span if span > 0 else np.zeros((32, 32, 3))
        axes[i].imshow(img.astype("uint8"))
        axes[i].axis("off")
        if classes is not None:
            axes[i].set_title(classes[i])
    return fig
