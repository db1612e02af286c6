"""Image features for CS231n A1's features.ipynb: HOG and a hue histogram, with CS231n's exact
semantics, computed by C kernels over whole batches (60,000 CIFAR-10 images take seconds).

``extract_features`` runs a whole batch through the C kernel when a feature function is
``hog_feature``, ``color_histogram_hsv`` or a ``functools.partial`` of either; any other
callable (a lambda, your own function) is called once per image, as CS231n does.
"""
import functools

import numpy as np

from . import _C


def extract_features(imgs, feature_fns, verbose=False):
    """Given pixel data for images and several feature functions that can operate on single
    images, apply all feature functions to all images, concatenating the feature vectors for
    each image and storing the features for all images in a single matrix.

    Parameters
    ----------
    imgs : ndarray, shape (N, H, W, C), pixel data for N images
    feature_fns : list of k callables; the ith takes an (H, W, C) image and returns a 1-D
        array of length F_i
    verbose : bool, print progress

    Returns
    -------
    imgs_features : ndarray, shape (N, F_1 + ... + F_k), float64; column block i holds the
        output of feature_fns[i] for every image
    """
    imgs = np.asarray(imgs)
    num_images = imgs.shape[0]
    if num_images == 0:
        return np.array([])
    blocks = []
    for fn in feature_fns:
        batch = _batched(fn)
        if batch is not None:
            feats = np.asarray(batch(imgs), dtype=np.float64)
        else:
            first = np.asarray(fn(imgs[0].squeeze()))
            if first.ndim != 1:
                raise ValueError("extract_features: feature functions must return 1-D arrays, "
                                 "got shape %s" % (first.shape,))
            feats = np.empty((num_images, first.size))
            feats[0] = first
            for i in range(1, num_images):
                feats[i] = fn(imgs[i].squeeze())
                if verbose and i % 1000 == 999:
                    print("Done extracting features for %d / %d images" % (i + 1, num_images))
        blocks.append(feats)
    if verbose:
        print("Done extracting features for %d / %d images" % (num_images, num_images))
    return np.hstack(blocks)


def _batched(fn):
    """The whole-batch version of one of this module's per-image functions, else None."""
    if fn is hog_feature:
        return hog_features
    if fn is color_histogram_hsv:
        return color_histograms_hsv
    if isinstance(fn, functools.partial) and not fn.args:
        base = _batched(fn.func)
        if base is not None:
            return functools.partial(base, **fn.keywords)
    return None


def rgb2gray(rgb):
    """Convert an RGB image to grayscale with CS231n's weights.

    Parameters
    ----------
    rgb : ndarray, shape (..., C) with C >= 3

    Returns
    -------
    gray : ndarray, shape (...), 0.299 R + 0.587 G + 0.144 B (CS231n's 0.144, not 0.114)
    """
    return np.dot(rgb[..., :3], [0.299, 0.587, 0.144])


def hog_feature(im):
    """Compute the Histogram of Oriented Gradients feature of one image, as CS231n does.

    The image is made gray (rgb2gray) if it has channels; gradients are forward differences;
    each pixel votes its gradient magnitude into one of 9 orientation bins over [0, 180)
    degrees; each bin is averaged over 8x8-pixel cells.

    Parameters
    ----------
    im : ndarray, shape (H, W, C) with C >= 3, or (H, W) grayscale, any real dtype

    Returns
    -------
    feat : ndarray, shape ((W // 8) * (H // 8) * 9,), float64 (144 for CIFAR-10)

    Notes
    -----
    Equal to CS231n's ``hog_feature`` wherever that runs (square images whose side modulo 8 is
    at most 4); features are ordered by column cell, then row cell, then bin, as its final
    ``.T`` makes them.
    """
    im = np.asarray(im)
    if im.ndim not in (2, 3):
        raise ValueError("hog_feature: im must be (H, W) or (H, W, C), got %d-D" % im.ndim)
    return _C.hog_features(im[None])[0]


def hog_features(imgs):
    """hog_feature for a whole batch, in C.

    Parameters
    ----------
    imgs : ndarray, shape (N, H, W, C) or (N, H, W)

    Returns
    -------
    feats : ndarray, shape (N, (W // 8) * (H // 8) * 9), float64
    """
    return _C.hog_features(imgs)


def _hist_edges(fn, nbin, xmin, xmax):
    if isinstance(nbin, bool) or not isinstance(nbin, (int, np.integer)) or nbin < 1:
        raise ValueError("%s: nbin (%r) must be an int >= 1" % (fn, nbin))
    if not xmax > 0:
        raise ValueError("%s: xmax (%r) must be > 0" % (fn, xmax))
    if not xmin < xmax:
        raise ValueError("%s: xmin (%r) must be below xmax (%r)" % (fn, xmin, xmax))
    return np.linspace(xmin, xmax, nbin + 1)


def _normalize(counts, edges, normalized):
    # np.histogram(..., density=normalized) followed by CS231n's "* np.diff(bin_edges)"
    widths = np.diff(edges)
    if normalized:
        total = counts.sum(axis=-1, keepdims=True)
        return counts / widths / total * widths
    return counts * widths


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Compute a color histogram for an image using hue, as CS231n does.

    Parameters
    ----------
    im : ndarray, shape (H, W, 3), RGB pixel data in [0, xmax]
    nbin : int, number of histogram bins (default 10)
    xmin : float, minimum pixel value (default 0)
    xmax : float, maximum pixel value (default 255)
    normalized : bool, whether to normalize the histogram (default True)

    Returns
    -------
    hist : ndarray, shape (nbin,), float64: the histogram of the hue of im / xmax (scaled
        back by xmax) over nbin equal bins of [xmin, xmax]; with normalized, the fraction of
        pixels per bin; without, each count times the bin width (CS231n's quirk, kept)
    """
    im = np.asarray(im)
    if im.ndim != 3:
        raise ValueError("color_histogram_hsv: im must be (H, W, 3), got %d-D" % im.ndim)
    return color_histograms_hsv(im[None], nbin, xmin, xmax, normalized)[0]


def color_histograms_hsv(imgs, nbin=10, xmin=0, xmax=255, normalized=True):
    """color_histogram_hsv for a whole batch, in C.

    Parameters
    ----------
    imgs : ndarray, shape (N, H, W, 3)

    Returns
    -------
    hists : ndarray, shape (N, nbin), float64
    """
    edges = _hist_edges("color_histogram_hsv", nbin, xmin, xmax)
    counts = _C.hue_histograms(imgs, edges, float(xmax))
    return _normalize(counts, edges, normalized)
