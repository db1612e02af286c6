"""cvnn.features: the C HOG and hue histogram against oracles written from CS231n's
definitions (and against matplotlib + np.histogram, CS231n's own code path), the batched
extract_features against the per-image one."""
import functools

import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn.features import (color_histogram_hsv, color_histograms_hsv, extract_features,
                           hog_feature, hog_features, rgb2gray)


def images(rng, N, H, W, C=3, dtype=np.uint8):
    x = rng.integers(0, 256, size=(N, H, W, C))
    return x.astype(dtype)


def test_uniform_filter_oracle_matches_scipy(rng):
    ndimage = pytest.importorskip("scipy.ndimage")
    a = rng.standard_normal((13, 17))
    np.testing.assert_allclose(ref._uniform_filter_reflect(a, 8), ndimage.uniform_filter(a, 8), rtol=1e-12)


def test_uniform_filter_oracle_by_hand():
    # size 8 centred at i covers i-4 .. i+3, mirrored beyond the edge: at i = 0 the window is
    # a[3], a[2], a[1], a[0], a[0], a[1], a[2], a[3]
    a = np.arange(10.0)
    out = ref._uniform_filter_reflect(np.tile(a, (8, 1)), 8)[3]
    assert out[0] == pytest.approx((2 * (0 + 1 + 2 + 3)) / 8)
    assert out[4] == pytest.approx(np.mean(a[0:8]))


@pytest.mark.parametrize("side", [8, 16, 32, 36, 40])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_hog_matches_reference(side, dtype, rng):
    im = images(rng, 1, side, side, dtype=dtype)[0]
    got = hog_feature(im)
    assert got.dtype == np.float64 and got.shape == ((side // 8) ** 2 * 9,)
    assert_close(got, ref.hog_feature(im), np.float64)


def test_hog_grayscale_and_extra_channels(rng):
    gray = rng.random((32, 32)) * 255
    assert_close(hog_feature(gray), ref.hog_feature(gray), np.float64)
    rgba = images(rng, 1, 32, 32, C=4)[0]
    assert np.array_equal(hog_feature(rgba), hog_feature(rgba[..., :3]))
    one = gray[:, :, None]
    assert np.array_equal(hog_feature(one), hog_feature(gray))


def test_hog_non_square_from_the_definition(rng):
    im = images(rng, 1, 24, 40)[0]
    g = rgb2gray(im)
    gx = np.zeros_like(g)
    gy = np.zeros_like(g)
    gx[:, :-1] = np.diff(g, axis=1)
    gy[:-1, :] = np.diff(g, axis=0)
    mag = np.hypot(gx, gy)
    ori = np.arctan2(gy, gx + 1e-15) * (180 / np.pi) + 90
    want = np.zeros((5, 3, 9))            # (column cells, row cells, bins)
    for i in range(9):
        sel = (ori >= 20 * i) & (ori < 20 * (i + 1)) & (ori > 0)
        m = np.where(sel, mag, 0)
        for a in range(5):
            for b in range(3):
                want[a, b, i] = m[8 * b:8 * b + 8, 8 * a:8 * a + 8].mean()
    assert_close(hog_feature(im), want.ravel(), np.float64)


def test_hog_flat_image_and_orientation_edges():
    assert np.all(hog_feature(np.full((16, 16, 3), 7.0)) == 0)
    # a horizontal ramp: gx > 0, gy = 0 -> orientation 90 degrees -> bin 4 only (the last
    # column has gx = 0 and magnitude 0). A vertical ramp: gy > 0, gx = 0 -> atan2(1, 1e-15)
    # is a hair below 90 degrees, so 180 - 6e-14 -> bin 8 (CS231n's + 1e-15 decides it)
    ramp = np.tile(np.arange(16.0), (16, 1))
    f = hog_feature(ramp).reshape(2, 2, 9)
    assert np.all(f[:, :, [0, 1, 2, 3, 5, 6, 7, 8]] == 0) and np.all(f[:, :, 4] > 0)
    f = hog_feature(ramp.T).reshape(2, 2, 9)
    assert np.all(f[:, :, :8] == 0)
    assert np.array_equal(f[:, :, 8], [[1.0, 0.875], [1.0, 0.875]])   # last row: gy = 0


def test_hog_batch_threads_and_layout(threads, rng):
    imgs = images(rng, 37, 32, 32)
    threads(1)
    one = hog_features(imgs)
    threads(2)
    two = hog_features(imgs)
    assert one.shape == (37, 144) and np.array_equal(one, two)
    assert np.array_equal(hog_features(np.asfortranarray(imgs)), one)
    assert np.array_equal(hog_features(imgs[:, ::-1][:, ::-1]), one)
    assert np.array_equal(hog_features(imgs[5:6]), hog_feature(imgs[5])[None])
    assert hog_features(imgs[:0]).shape == (0, 144)


def test_hog_bad_input():
    with pytest.raises(ValueError, match="hog_feature: im must be"):
        hog_feature(np.zeros(5))
    with pytest.raises(ValueError, match=r"hog_features: imgs must have 1 or at least 3 channels, got 2"):
        hog_feature(np.zeros((8, 8, 2)))
    with pytest.raises(TypeError, match="hog_features"):
        hog_feature(np.zeros((8, 8, 3), complex))
    out = hog_feature(np.full((8, 8, 3), np.nan))
    assert out.shape == (9,)


SPECIAL = np.array([[[0, 0, 0], [255, 255, 255], [10, 10, 10], [255, 0, 0]],
                    [[0, 255, 0], [0, 0, 255], [200, 200, 10], [10, 200, 200]],
                    [[200, 10, 200], [255, 0, 1], [1, 0, 255], [128, 64, 64]]], np.uint8)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("nbin,normalized", [(10, True), (10, False), (7, True), (1, True)])
def test_hue_histogram_matches_reference(dtype, nbin, normalized, rng):
    im = images(rng, 1, 9, 11, dtype=dtype)[0]
    im[:3, :4] = SPECIAL
    got = color_histogram_hsv(im, nbin=nbin, normalized=normalized)
    want = ref.color_histogram_hsv(im, nbin=nbin, normalized=normalized)
    assert got.shape == (nbin,) and got.dtype == np.float64
    np.testing.assert_allclose(got, want, rtol=1e-12)
    if normalized:
        assert got.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_hue_histogram_matches_cs231n_code_path(dtype, rng):
    colors = pytest.importorskip("matplotlib.colors")
    for _ in range(5):
        im = images(rng, 1, 32, 32, dtype=dtype)[0]
        im[:3, :4] = SPECIAL
        bins = np.linspace(0, 255, 11)
        hsv = colors.rgb_to_hsv(im / 255) * 255
        h, edges = np.histogram(hsv[:, :, 0], bins=bins, density=True)
        np.testing.assert_allclose(color_histogram_hsv(im), h * np.diff(edges), rtol=1e-12)


def test_hue_histogram_range_and_batch(rng, threads):
    im = rng.random((6, 8, 8, 3)) * 2.0
    # xmin/xmax other than the defaults; hues outside [xmin, xmax] are not counted
    got = color_histograms_hsv(im, nbin=4, xmin=0.5, xmax=2.0, normalized=False)
    for n in range(6):
        np.testing.assert_allclose(got[n], ref.color_histogram_hsv(im[n], 4, 0.5, 2.0, False), rtol=1e-12)
    imgs = images(rng, 40, 32, 32)
    threads(1)
    a = color_histograms_hsv(imgs)
    threads(2)
    assert np.array_equal(a, color_histograms_hsv(imgs))
    assert color_histograms_hsv(imgs[:0]).shape == (0, 10)
    with pytest.raises(ValueError, match="nbin"):
        color_histogram_hsv(imgs[0], nbin=0)
    with pytest.raises(ValueError, match="xmin"):
        color_histogram_hsv(imgs[0], xmin=300)
    with pytest.raises(ValueError, match=r"im.shape\[-1\] \(4\) must equal"):
        color_histogram_hsv(images(rng, 1, 4, 4, C=4)[0])


def test_extract_features_batched_equals_per_image(rng):
    imgs = images(rng, 12, 32, 32).astype(np.float64)
    per_image = [lambda im: hog_feature(im), lambda im: color_histogram_hsv(im, nbin=6)]
    batched = [hog_feature, functools.partial(color_histogram_hsv, nbin=6)]
    a = extract_features(imgs, per_image)
    b = extract_features(imgs, batched, verbose=True)
    assert a.shape == (12, 150) and a.dtype == np.float64
    assert np.array_equal(a, b)
    # column blocks in order, each the single-image function
    for i in (0, 11):
        np.testing.assert_array_equal(a[i, :144], hog_feature(imgs[i]))
    custom = extract_features(imgs, [lambda im: np.array([im.mean(), im.max()])])
    np.testing.assert_allclose(custom[:, 0], imgs.reshape(12, -1).mean(1))
    assert extract_features(imgs[:0], batched).size == 0
    with pytest.raises(ValueError, match="1-D"):
        extract_features(imgs, [lambda im: im])


def test_features_on_cifar10(cifar10_dir):
    from cvnn.data_utils import load_CIFAR_batch
    X, _ = load_CIFAR_batch(str(cifar10_dir / "test_batch.bin"))
    f = extract_features(X[:200], [hog_feature, color_histogram_hsv])
    assert f.shape == (200, 154)
    for i in (0, 199):
        assert_close(f[i, :144], ref.hog_feature(X[i]), np.float64)
        np.testing.assert_allclose(f[i, 144:], ref.color_histogram_hsv(X[i]), rtol=1e-12)
