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


# ---- optimizers (CS231n optim.py formulas, float64) ----
def optim_sgd(w, dw, lr):
    return np.asarray(w, np.float64) - lr * np.asarray(dw, np.float64)


def optim_sgd_momentum(w, dw, v, lr, mu):
    v = mu * np.asarray(v, np.float64) - lr * np.asarray(dw, np.float64)
    return np.asarray(w, np.float64) + v, v


def optim_rmsprop(w, dw, cache, lr, decay, eps):
    dw = np.asarray(dw, np.float64)
    cache = decay * np.asarray(cache, np.float64) + (1 - decay) * dw * dw
    return np.asarray(w, np.float64) - lr * dw / (np.sqrt(cache) + eps), cache


def optim_adam(w, dw, m, v, t, lr, beta1, beta2, eps):
    """One Adam step from state (m, v, t); returns (next_w, m, v, t + 1)."""
    dw = np.asarray(dw, np.float64)
    t = t + 1
    m = beta1 * np.asarray(m, np.float64) + (1 - beta1) * dw
    v = beta2 * np.asarray(v, np.float64) + (1 - beta2) * dw * dw
    mt = m / (1 - beta1 ** t)
    vt = v / (1 - beta2 ** t)
    return np.asarray(w, np.float64) - lr * mt / (np.sqrt(vt) + eps), m, v, t
# ---- normalisation and dropout (fclayers) ----

def batchnorm_forward_train(x, gamma, beta, running_mean, running_var, eps=1e-5, momentum=0.9):
    """Returns out, mean, var (biased), new running mean, new running var; one feature at a
    time, the statistics by explicit sums."""
    x = np.asarray(x, np.float64)
    N, D = x.shape
    out = np.empty_like(x)
    mean = np.empty(D)
    var = np.empty(D)
    for d in range(D):
        col = x[:, d]
        mean[d] = sum(col) / N
        var[d] = sum((v - mean[d]) ** 2 for v in col) / N
        out[:, d] = gamma[d] * (col - mean[d]) / np.sqrt(var[d] + eps) + beta[d]
    rm = momentum * np.asarray(running_mean, np.float64) + (1 - momentum) * mean
    rv = momentum * np.asarray(running_var, np.float64) + (1 - momentum) * var
    return out, mean, var, rm, rv


def batchnorm_forward_test(x, gamma, beta, running_mean, running_var, eps=1e-5):
    x = np.asarray(x, np.float64)
    rm = np.asarray(running_mean, np.float64)
    rv = np.asarray(running_var, np.float64)
    return (np.asarray(gamma, np.float64) * (x - rm) / np.sqrt(rv + eps)
            + np.asarray(beta, np.float64))


def _norm_backward_1d(g, v, eps):
    """dx for out = (v - mean(v)) / sqrt(var(v) + eps) with upstream g, through the Jacobian
    d xhat_i / d v_j = istd * ([i == j] - 1/n - xhat_i * xhat_j / n): every output depends on
    every input through the mean and the variance. Returns dx and xhat."""
    n = v.shape[0]
    mu = v.mean()
    istd = 1.0 / np.sqrt(((v - mu) ** 2).mean() + eps)
    xhat = (v - mu) * istd
    jac = istd * (np.eye(n) - 1.0 / n - np.outer(xhat, xhat) / n)
    return jac.T @ g, xhat


def batchnorm_backward_train(dout, x, gamma, eps=1e-5):
    """Gradients of the train-mode forward, one feature (column) at a time."""
    dout = np.asarray(dout, np.float64)
    x = np.asarray(x, np.float64)
    N, D = x.shape
    dx = np.empty_like(x)
    dgamma = np.empty(D)
    dbeta = np.empty(D)
    for d in range(D):
        g = dout[:, d]
        dxhat, xhat = _norm_backward_1d(g, x[:, d], eps)
        dbeta[d] = g.sum()
        dgamma[d] = (g * xhat).sum()
        dx[:, d] = gamma[d] * dxhat
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    for n in range(x.shape[0]):
        row = x[n]
        mu = row.mean()
        var = ((row - mu) ** 2).mean()
        out[n] = np.asarray(gamma, np.float64) * (row - mu) / np.sqrt(var + eps) + np.asarray(beta, np.float64)
    return out


def layernorm_backward(dout, x, gamma, eps=1e-5):
    """One sample (row) at a time: batchnorm's Jacobian over the D features."""
    dout = np.asarray(dout, np.float64)
    x = np.asarray(x, np.float64)
    gamma = np.asarray(gamma, np.float64)
    N, D = x.shape
    dx = np.empty_like(x)
    dgamma = np.zeros(D)
    dbeta = np.zeros(D)
    for n in range(N):
        g = dout[n]
        dx[n], xhat = _norm_backward_1d(g * gamma, x[n], eps)
        dgamma += g * xhat
        dbeta += g
    return dx, dgamma, dbeta


def dropout_mask(shape, p, seed):
    """CS231n's mask: np.random.seed(seed); (np.random.rand(*shape) < p) / p."""
    np.random.seed(seed)
    return (np.random.rand(*shape) < p) / p


# ---- convolution, pooling, spatial norms (conv helper) ----


def conv_forward(x, w, b, stride, pad):
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    win = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(win * w[f]) + b[f]
    return out


def conv_backward(dout, x, w, stride, pad):
    dout = np.asarray(dout, np.float64)
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    dw[f] += dout[n, f, i, j] * xp[n, :, hs:hs + HH, ws:ws + WW]
                    dxp[n, :, hs:hs + HH, ws:ws + WW] += dout[n, f, i, j] * w[f]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def max_pool_forward(x, ph, pw, stride):
    """Also returns the argmax (first maximum) of every window as (row, col) in the plane."""
    x = np.asarray(x, np.float64)
    N, C, H, W = x.shape
    Ho = 1 + (H - ph) // stride
    Wo = 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo))
    arg = np.zeros((N, C, Ho, Wo, 2), np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    k = int(np.argmax(win))  # first maximum in row-major order
                    out[n, c, i, j] = win.flat[k]
                    arg[n, c, i, j] = (i * stride + k // pw, j * stride + k % pw)
    return out, arg


def max_pool_backward(dout, x, ph, pw, stride):
    """One argmax per window; overlapping windows accumulate."""
    _, arg = max_pool_forward(x, ph, pw, stride)
    dx = np.zeros(x.shape)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, s = arg[n, c, i, j]
                    dx[n, c, r, s] += dout[n, c, i, j]
    return dx


def max_pool_backward_split(dout, x, ph, pw, stride):
    """CS231n's reshape rule: every element equal to the window's maximum gets an equal share."""
    x = np.asarray(x, np.float64)
    out, _ = max_pool_forward(x, ph, pw, stride)
    dx = np.zeros(x.shape)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    sl = (n, c, slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw))
                    mask = x[sl] == out[n, c, i, j]
                    dx[sl] += mask * dout[n, c, i, j] / mask.sum()
    return dx


def spatial_batchnorm_forward(x, gamma, beta, eps, mean=None, var=None):
    """Train mode when mean/var are None (returns the batch statistics too)."""
    x = np.asarray(x, np.float64)
    if mean is None:
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
    mean = np.asarray(mean, np.float64)
    var = np.asarray(var, np.float64)
    xhat = (x - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + eps)
    g = np.asarray(gamma, np.float64).reshape(1, -1, 1, 1)
    b = np.asarray(beta, np.float64).reshape(1, -1, 1, 1)
    return g * xhat + b, mean, var


def _through_mean_and_var(dxhat, xc, std, axes, M):
    """dx for xhat = (x - mean) / std, with mean and var taken over `axes` (M values each), by
    the chain rule through var and then mean, written out step by step."""
    dvar = np.sum(dxhat * xc * -0.5 * std ** -3, axis=axes, keepdims=True)
    dmu = np.sum(-dxhat / std, axis=axes, keepdims=True) + dvar * np.mean(-2 * xc, axis=axes, keepdims=True)
    return dxhat / std + dvar * 2 * xc / M + dmu / M


def spatial_batchnorm_backward(dout, x, gamma, eps):
    """Train mode, by the chain rule through mean and var written out step by step."""
    x = np.asarray(x, np.float64)
    dout = np.asarray(dout, np.float64)
    N, C, H, W = x.shape
    M = N * H * W
    g = np.asarray(gamma, np.float64).reshape(1, -1, 1, 1)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis=(0, 2, 3), keepdims=True)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * xhat).sum(axis=(0, 2, 3))
    dx = _through_mean_and_var(dout * g, xc, std, (0, 2, 3), M)
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, eps):
    x = np.asarray(x, np.float64)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    xhat = ((xg - mean) / np.sqrt(var + eps)).reshape(x.shape)
    g = np.asarray(gamma, np.float64).reshape(1, C, 1, 1)
    b = np.asarray(beta, np.float64).reshape(1, C, 1, 1)
    return g * xhat + b


def spatial_groupnorm_backward(dout, x, gamma, G, eps):
    x = np.asarray(x, np.float64)
    dout = np.asarray(dout, np.float64)
    N, C, H, W = x.shape
    g = np.asarray(gamma, np.float64).reshape(1, C, 1, 1)
    xg = x.reshape(N, G, -1)
    M = xg.shape[2]
    mean = xg.mean(axis=2, keepdims=True)
    xc = xg - mean
    var = (xc ** 2).mean(axis=2, keepdims=True)
    std = np.sqrt(var + eps)
    xhat = (xc / std).reshape(x.shape)
    dbeta = dout.sum(axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dx = _through_mean_and_var((dout * g).reshape(N, G, -1), xc, std, 2, M)
    return dx.reshape(x.shape), dgamma, dbeta

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
