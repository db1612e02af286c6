"""Slow, obvious NumPy versions of every layer: the oracle the C kernels are tested against.
Not shipped. Everything here computes in float64 whatever the input dtype, with explicit loops
where a loop is the clearest statement of the definition."""
import numpy as np


def affine_forward(x, w, b):
    x2 = np.asarray(x, np.float64).reshape(x.shape[0], -1)
    return x2 @ np.asarray(w, np.float64) + np.asarray(b, np.float64)


def affine_backward(dout, x, w):
    dout = np.asarray(dout, np.float64)
    x2 = np.asarray(x, np.float64).reshape(x.shape[0], -1)
    dx = (dout @ np.asarray(w, np.float64).T).reshape(x.shape)
    dw = x2.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    x = np.asarray(x, np.float64)
    return np.where(x > 0, x, np.where(np.isnan(x), x, 0.0))


def relu_backward(dout, x):
    return np.where(np.asarray(x) > 0, np.asarray(dout, np.float64), 0.0)


def softmax_loss(x, y):
    x = np.asarray(x, np.float64)
    N, C = x.shape
    loss = 0.0
    dx = np.zeros_like(x)
    for i in range(N):
        s = x[i] - x[i].max()
        p = np.exp(s) / np.exp(s).sum()
        loss -= np.log(p[y[i]])
        dx[i] = p
        dx[i, y[i]] -= 1
    return loss / N, dx / N


def svm_loss(x, y):
    x = np.asarray(x, np.float64)
    N, C = x.shape
    loss = 0.0
    dx = np.zeros_like(x)
    for i in range(N):
        for j in range(C):
            if j == y[i]:
                continue
            margin = x[i, j] - x[i, y[i]] + 1.0
            if margin > 0:
                loss += margin
                dx[i, j] += 1.0
                dx[i, y[i]] -= 1.0
    return loss / N, dx / N


def matmul(a, b, transA=False, transB=False, alpha=1.0, beta=0.0, c=None):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    if transA:
        a = a.T
    if transB:
        b = b.T
    out = alpha * (a @ b)
    if c is not None and beta != 0:
        out = out + beta * np.asarray(c, np.float64)
    return out


# ---- CS231n A1 (kNN, linear classifiers, image features) ----

def knn_distances(X_test, X_train):
    """(num_test, num_train) Euclidean distances, a double loop over pairs in float64."""
    a = np.asarray(X_test, np.float64).reshape(len(X_test), -1)
    b = np.asarray(X_train, np.float64).reshape(len(X_train), -1)
    d = np.empty((a.shape[0], b.shape[0]))
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            d[i, j] = np.sqrt(np.sum((a[i] - b[j]) ** 2))
    return d


def knn_predict_labels(dists, y_train, k):
    """Majority vote of the k nearest (stable order: equal distances keep training order,
    NaN last), ties to the smaller label."""
    dists = np.asarray(dists, np.float64)
    out = np.empty(dists.shape[0], np.int64)
    for i in range(dists.shape[0]):
        row = np.where(np.isnan(dists[i]), np.inf, dists[i])
        nearest = np.asarray(y_train)[np.argsort(row, kind="stable")[:k]]
        labels, counts = np.unique(nearest, return_counts=True)
        out[i] = labels[np.argmax(counts)]  # unique sorts ascending; argmax takes the first
    return out


def linear_svm_loss(W, X, y, reg):
    W = np.asarray(W, np.float64)
    X = np.asarray(X, np.float64).reshape(len(X), -1)
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(X.shape[0]):
        s = X[i] @ W
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            margin = s[j] - s[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    N = X.shape[0]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def linear_softmax_loss(W, X, y, reg):
    W = np.asarray(W, np.float64)
    X = np.asarray(X, np.float64).reshape(len(X), -1)
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(X.shape[0]):
        s = X[i] @ W
        s = s - s.max()
        p = np.exp(s) / np.exp(s).sum()
        loss -= np.log(p[y[i]])
        p[y[i]] -= 1
        dW += np.outer(X[i], p)
    N = X.shape[0]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def _uniform_filter_reflect(a, size):
    """scipy.ndimage.uniform_filter(a, size) in mode 'reflect' (the default), written out: the
    window of output i along an axis is input[i - size//2 : i - size//2 + size], mirrored
    (d c b a | a b c d | d c b a) beyond the edges."""
    out = np.asarray(a, np.float64)
    for axis in range(out.ndim):
        n = out.shape[axis]
        before = size // 2
        idx = np.arange(-before, n - before + size - 1)
        idx = np.where(idx < 0, -idx - 1, idx)
        idx = np.where(idx >= n, 2 * n - idx - 1, idx)
        ext = np.take(out, idx, axis=axis)
        windows = [np.take(ext, np.arange(i, i + size), axis=axis).mean(axis=axis) for i in range(n)]
        out = np.stack(windows, axis=axis)
    return out


def hog_feature(im):
    """CS231n's hog_feature, from its definition (forward differences, 9 bins over (0, 180),
    8x8 cells averaged by a uniform filter sampled at the cell centres, then transposed)."""
    im = np.asarray(im)
    image = np.dot(im[..., :3], [0.299, 0.587, 0.144]) if im.ndim == 3 else np.atleast_2d(im).astype(np.float64)
    sx, sy = image.shape
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    mag = np.sqrt(gx ** 2 + gy ** 2)
    ori = np.arctan2(gy, gx + 1e-15) * (180 / np.pi) + 90
    ncx, ncy = sx // 8, sy // 8
    hist = np.zeros((ncx, ncy, 9))
    for i in range(9):
        t = np.where(ori < 180 / 9 * (i + 1), ori, 0)
        t = np.where(ori >= 180 / 9 * i, t, 0)
        m = np.where(t > 0, mag, 0)
        hist[:, :, i] = _uniform_filter_reflect(m, 8)[4::8, 4::8].T
    return hist.ravel()


def rgb_to_hue(arr):
    """Hue in [0, 1) of RGB values in [0, 1] (matplotlib's rgb_to_hsv hue, from its
    definition), computed in arr's float dtype."""
    arr = np.asarray(arr)
    r, g, b = arr[..., 0], arr[..., 1], arr[..., 2]
    mx = arr.max(-1)
    delta = mx - arr.min(-1)
    h = np.zeros_like(mx)
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = delta > 0
        red = (r == mx) & pos
        h[red] = ((g - b) / delta)[red]
        green = (g == mx) & pos
        h[green] = (2.0 + (b - r) / delta)[green]
        blue = (b == mx) & pos
        h[blue] = (4.0 + (r - g) / delta)[blue]
    return (h / 6.0) % 1.0


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    im = np.asarray(im)
    hue = rgb_to_hue(im / xmax) * xmax
    edges = np.linspace(xmin, xmax, nbin + 1)
    counts = np.zeros(nbin)
    for v in hue.ravel():
        for i in range(nbin):
            last = i == nbin - 1
            if edges[i] <= v and (v < edges[i + 1] or (last and v <= edges[i + 1])):
                counts[i] += 1
                break
    widths = np.diff(edges)
    if normalized:
        return counts / widths / counts.sum() * widths
    return counts * widths
