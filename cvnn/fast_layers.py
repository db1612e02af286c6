"""Fast convolution and max pooling with CS231n's names (fast_layers.py), all in C.

The convolution is im2col + GEMM: the columns of a chunk of images are laid side by side in a
workspace buffer of bounded size, one GEMM per chunk computes the outputs, and the backward
pass computes dw with a GEMM against the columns and dx with a GEMM followed by col2im. 1x1
convolutions with stride 1 and no padding use the images themselves as columns. Any stride and
padding work (not only those that tile the input), with H' = 1 + (H + 2 * pad - HH) // stride.
CS231n's im2col and as_strided versions are the same function here under their names.

Max pooling has CS231n's two flavours: "reshape" (square windows that tile the input: ties
share the gradient equally) and "im2col" (any geometry: one argmax per window, the first).
max_pool_forward_fast picks the first when it applies and tags the cache with the method.
"""
from . import _C


def conv_forward_fast(x, w, b, conv_param):
    """Forward pass of a convolutional layer by im2col + GEMM.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input data
    w : ndarray, shape (F, C, HH, WW), filter weights
    b : ndarray, shape (F,), biases
    conv_param : dict with 'stride' (int >= 1) and 'pad' (int >= 0)

    Returns
    -------
    out : ndarray, shape (N, F, H', W'), H' = 1 + (H + 2 * pad - HH) // stride and
        W' = 1 + (W + 2 * pad - WW) // stride
    cache : tuple (x, w, b, conv_param)

    Raises
    ------
    ValueError for a kernel larger than the padded input, stride < 1, pad < 0 or a channel
    mismatch; MemoryError when the columns of a single image do not fit in memory.
    """
    out = _C.conv_forward(x, w, b, conv_param["stride"], conv_param["pad"], "conv_forward_fast")
    return out, (x, w, b, conv_param)


def conv_backward_fast(dout, cache, need_dx=True):
    """Backward pass of a convolutional layer by im2col + GEMM.

    Parameters
    ----------
    dout : ndarray, shape (N, F, H', W'), upstream derivatives
    cache : tuple (x, w, b, conv_param) from conv_forward_fast
    need_dx : bool, keyword (a cvnn addition). False skips the gradient of the input, about
        half the work, and returns None for it: for a network's first layer, whose input is the
        data (PyTorch's autograd skips it the same way).

    Returns
    -------
    dx : ndarray, shape (N, C, H, W) (None when need_dx is False)
    dw : ndarray, shape (F, C, HH, WW)
    db : ndarray, shape (F,)
    """
    x, w, b, conv_param = cache
    return _C.conv_backward(dout, x, w, conv_param["stride"], conv_param["pad"],
                            "conv_backward_fast", bool(need_dx))


# CS231n's two fast implementations are one here.
conv_forward_im2col = conv_forward_fast
conv_backward_im2col = conv_backward_fast
conv_forward_strides = conv_forward_fast
conv_backward_strides = conv_backward_fast


def _pool_args(pool_param):
    return pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]


def max_pool_forward_fast(x, pool_param):
    """A fast implementation of the forward pass for a max pooling layer.

    Uses the reshape method when the pooling regions are square and tile the input
    (pool_height == pool_width == stride, dividing H and W), and the im2col method otherwise.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width' and 'stride'

    Returns
    -------
    out : ndarray, shape (N, C, H', W'), H' = 1 + (H - pool_height) // stride
    cache : tuple ('reshape', reshape_cache) or ('im2col', im2col_cache)
    """
    ph, pw, stride = _pool_args(pool_param)
    shape = getattr(x, "shape", ())
    tiles = len(shape) == 4 and ph == pw == stride and ph > 0 and \
        shape[2] % ph == 0 and shape[3] % pw == 0
    if tiles:
        out = _C.max_pool_forward(x, ph, pw, stride, False, "max_pool_forward_fast")
        return out, ("reshape", (x, out, pool_param))
    out, argmax = _C.max_pool_forward(x, ph, pw, stride, True, "max_pool_forward_fast")
    return out, ("im2col", (x, argmax, pool_param))


def max_pool_backward_fast(dout, cache):
    """A fast implementation of the backward pass for a max pooling layer.

    Dispatches on the method the forward pass recorded in the cache.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W'), upstream derivatives
    cache : tuple (method, method_cache) from max_pool_forward_fast

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    method, real_cache = cache
    if method == "reshape":
        return max_pool_backward_reshape(dout, real_cache)
    if method == "im2col":
        return max_pool_backward_im2col(dout, real_cache)
    raise ValueError('max_pool_backward_fast: unrecognized method "%s"' % (method,))


def max_pool_forward_reshape(x, pool_param):
    """Max pooling for square windows that tile the input (CS231n's reshape method).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    pool_param : dict with 'pool_height' == 'pool_width' == 'stride', dividing H and W

    Returns
    -------
    out : ndarray, shape (N, C, H // stride, W // stride)
    cache : tuple (x, out, pool_param)

    Raises
    ------
    ValueError when the windows are not square, do not equal the stride or do not tile x.
    """
    ph, pw, stride = _pool_args(pool_param)
    shape = getattr(x, "shape", ())
    if len(shape) == 4 and not (ph == pw == stride and shape[2] % ph == 0 and shape[3] % pw == 0):
        raise ValueError(
            "max_pool_forward_reshape: needs pool_height == pool_width == stride dividing H and "
            "W; got pool %dx%d, stride %d, input %dx%d" % (ph, pw, stride, shape[2], shape[3]))
    out = _C.max_pool_forward(x, ph, pw, stride, False, "max_pool_forward_reshape")
    return out, (x, out, pool_param)


def max_pool_backward_reshape(dout, cache):
    """Backward pass of max_pool_forward_reshape. Where several elements of a window equal its
    maximum, they share the gradient equally (CS231n's behaviour).

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W')
    cache : tuple (x, out, pool_param)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    x, out, pool_param = cache
    ph, pw, stride = _pool_args(pool_param)
    return _C.max_pool_backward(dout, x, ph, pw, stride, None, out, "max_pool_backward_reshape")


def max_pool_forward_im2col(x, pool_param):
    """Max pooling for any window and stride (CS231n's im2col method); the argmax of every
    window (its first maximum) is kept for the backward pass.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width' and 'stride'

    Returns
    -------
    out : ndarray, shape (N, C, H', W'), H' = 1 + (H - pool_height) // stride
    cache : tuple (x, argmax, pool_param), argmax int64 of out's shape (index h * W + w)
    """
    ph, pw, stride = _pool_args(pool_param)
    out, argmax = _C.max_pool_forward(x, ph, pw, stride, True, "max_pool_forward_im2col")
    return out, (x, argmax, pool_param)


def max_pool_backward_im2col(dout, cache):
    """Backward pass of max_pool_forward_im2col: each window's gradient goes to its argmax;
    overlapping windows accumulate.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W')
    cache : tuple (x, argmax, pool_param)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    """
    x, argmax, pool_param = cache
    ph, pw, stride = _pool_args(pool_param)
    return _C.max_pool_backward(dout, x, ph, pw, stride, argmax, None, "max_pool_backward_im2col")


def im2col(x, field_height, field_width, padding=1, stride=1):
    """The column matrix of a batch, the first step of the fast convolution.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    field_height, field_width : int, the kernel size (HH, WW)
    padding : int, zero padding on every side
    stride : int

    Returns
    -------
    cols : ndarray, shape (C * HH * WW, N * H' * W'), with
        cols[(c * HH + i) * WW + j, (n * H' + oh) * W' + ow] = x_padded[n, c, oh*s + i, ow*s + j]
    """
    return _C.im2col(x, field_height, field_width, stride, padding)


def col2im(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """The inverse bookkeeping of im2col: every entry of cols is added back to the pixel it was
    copied from (entries that came from the padding are dropped).

    Parameters
    ----------
    cols : ndarray, shape (C * HH * WW, N * H' * W'), laid out as im2col returns it
    x_shape : tuple (N, C, H, W)

    Returns
    -------
    x : ndarray, shape x_shape
    """
    return _C.col2im(cols, tuple(int(v) for v in x_shape), field_height, field_width, stride,
                     padding)
