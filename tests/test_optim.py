"""cvnn.optim: the CS231n FullyConnectedNets notebook checks, an independent float64 oracle
(tests/reference.py) over several steps of carried-over state, both dtypes, and bad input."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn import optim
from cvnn.gradient_check import rel_error


def _notebook_arrays():
    # the notebook's construction: N, D = 4, 5 and linspace grids
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw


def test_sgd_momentum_notebook():
    w, dw = _notebook_arrays()
    v = np.linspace(0.6, 0.9, num=20).reshape(4, 5)
    config = {"learning_rate": 1e-3, "velocity": v}
    next_w, config = optim.sgd_momentum(w, dw, config=config)
    # the notebook's printed values (8 decimals)
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.asarray([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    assert rel_error(next_w, expected_next_w) < 1e-8
    assert rel_error(config["velocity"], expected_velocity) < 1e-8


def test_rmsprop_notebook_first_row():
    w, dw = _notebook_arrays()
    cache = np.linspace(0.6, 0.9, num=20).reshape(4, 5)
    config = {"learning_rate": 1e-2, "cache": cache}
    next_w, config = optim.rmsprop(w, dw, config=config)
    np.testing.assert_allclose(next_w[0], [-0.39223849, -0.34037513, -0.28849239, -0.23659121,
                                           -0.18467247], atol=6e-9)
    np.testing.assert_allclose(config["cache"][0], [0.5976, 0.6126277, 0.6277108, 0.64284931,
                                                    0.65804321], atol=6e-9)


def test_adam_notebook_first_row():
    w, dw = _notebook_arrays()
    m = np.linspace(0.6, 0.9, num=20).reshape(4, 5)
    v = np.linspace(0.7, 0.5, num=20).reshape(4, 5)
    config = {"learning_rate": 1e-2, "m": m, "v": v, "t": 5}
    next_w, config = optim.adam(w, dw, config=config)
    assert config["t"] == 6
    np.testing.assert_allclose(next_w[0], [-0.40094747, -0.34836187, -0.29577703, -0.24319299,
                                           -0.19060977], atol=6e-9)
    np.testing.assert_allclose(config["v"][0], [0.69966, 0.68908382, 0.67851319, 0.66794809,
                                                0.65738853], atol=6e-9)
    np.testing.assert_allclose(config["m"][0], [0.48, 0.49947368, 0.51894737, 0.53842105,
                                                0.55789474], atol=6e-9)


SHAPES = [(1,), (7,), (4, 5), (3, 17, 5), (0, 3)]


def _run(rule, w, grads, config):
    """Apply `rule` over the gradient sequence, carrying config; returns the final w."""
    for dw in grads:
        w, config = rule(w, dw, config)
    return w, config


@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_matches_oracle(shape, dtype, rng):
    w = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(4)]
    got, config = _run(optim.sgd, w, grads, {"learning_rate": 0.05})
    want = w.astype(np.float64)
    for dw in grads:
        want = ref.optim_sgd(want, dw, 0.05)
    assert_close(got, want, dtype)
    assert config["learning_rate"] == 0.05


@pytest.mark.parametrize("shape", SHAPES)
def test_sgd_momentum_state_carries_over(shape, dtype, rng):
    w = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(5)]
    config = {"learning_rate": 0.03, "momentum": 0.8}
    got, config = _run(optim.sgd_momentum, w, grads, config)
    want, v = w.astype(np.float64), np.zeros(shape)
    for dw in grads:
        want, v = ref.optim_sgd_momentum(want, dw, v, 0.03, 0.8)
    assert_close(got, want, dtype)
    assert_close(config["velocity"], v, dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_rmsprop_state_carries_over(shape, dtype, rng):
    w = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(5)]
    got, config = _run(optim.rmsprop, w, grads, {"decay_rate": 0.9})
    want, cache = w.astype(np.float64), np.zeros(shape)
    for dw in grads:
        want, cache = ref.optim_rmsprop(want, dw, cache, 1e-2, 0.9, 1e-8)
    assert_close(got, want, dtype)
    assert_close(config["cache"], cache, dtype)
    assert config["learning_rate"] == 1e-2 and config["epsilon"] == 1e-8


@pytest.mark.parametrize("shape", SHAPES)
def test_adam_state_carries_over(shape, dtype, rng):
    w = rng.standard_normal(shape).astype(dtype)
    grads = [rng.standard_normal(shape).astype(dtype) for _ in range(6)]
    got, config = _run(optim.adam, w, grads, None)
    want, m, v, t = w.astype(np.float64), np.zeros(shape), np.zeros(shape), 0
    for dw in grads:
        want, m, v, t = ref.optim_adam(want, dw, m, v, t, 1e-3, 0.9, 0.999, 1e-8)
    assert config["t"] == t == 6
    assert_close(got, want, dtype)
    assert_close(config["m"], m, dtype)
    assert_close(config["v"], v, dtype)
    for k in ("m", "v"):
        assert config[k].dtype == dtype


def test_adam_first_step_is_bias_corrected():
    # at t = 1 the corrected update is lr * sign(dw) (up to eps), whatever the gradient's size
    w = np.zeros(5)
    dw = np.array([1e-3, -2.0, 5.0, -1e-4, 3e2])
    next_w, _ = optim.adam(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, -0.1 * np.sign(dw), rtol=1e-4)


def test_defaults_are_cs231n():
    w, dw = np.zeros(3), np.ones(3)
    assert optim.sgd(w, dw)[1] == {"learning_rate": 1e-2}
    c = optim.sgd_momentum(w, dw)[1]
    assert (c["learning_rate"], c["momentum"]) == (1e-2, 0.9)
    c = optim.rmsprop(w, dw)[1]
    assert (c["learning_rate"], c["decay_rate"], c["epsilon"]) == (1e-2, 0.99, 1e-8)
    c = optim.adam(w, dw)[1]
    assert (c["learning_rate"], c["beta1"], c["beta2"], c["epsilon"], c["t"]) == \
        (1e-3, 0.9, 0.999, 1e-8, 1)


@pytest.mark.parametrize("rule", [optim.sgd, optim.sgd_momentum, optim.rmsprop, optim.adam])
def test_input_not_modified_and_layouts(rule, dtype, rng):
    base = rng.standard_normal((6, 9)).astype(dtype)
    dwb = rng.standard_normal((6, 9)).astype(dtype)
    w_c, dw_c = base.copy(), dwb.copy()
    got_c, _ = rule(w_c, dw_c, {})
    assert np.array_equal(w_c, base)  # w is not touched, next_w is a new array
    # Fortran order and a transposed view give the same values
    w_f, dw_f = np.asfortranarray(base), np.asfortranarray(dwb)
    got_f, _ = rule(w_f, dw_f, {})
    np.testing.assert_array_equal(got_f, got_c)
    got_t, _ = rule(np.ascontiguousarray(base.T).T, np.ascontiguousarray(dwb.T).T, {})
    np.testing.assert_array_equal(got_t, got_c)
    assert got_c.dtype == dtype and got_c.shape == base.shape


def test_state_in_other_dtype_or_layout_is_converted(rng):
    w = rng.standard_normal((3, 4)).astype(np.float32)
    dw = rng.standard_normal((3, 4)).astype(np.float32)
    v64 = np.asfortranarray(rng.standard_normal((3, 4)))
    config = {"velocity": v64}
    next_w, config = optim.sgd_momentum(w, dw, config)
    assert config["velocity"].dtype == np.float32 and config["velocity"].flags.c_contiguous
    want, v = ref.optim_sgd_momentum(w, dw, v64.astype(np.float32), 1e-2, 0.9)
    assert_close(next_w, want, np.float32)
    assert_close(config["velocity"], v, np.float32)
    # state that aliases w is copied, so w stays untouched
    w2 = rng.standard_normal(5)
    keep = w2.copy()
    optim.rmsprop(w2, np.ones(5), {"cache": w2})
    np.testing.assert_array_equal(w2, keep)


def test_nan_propagates_without_crash():
    w = np.array([1.0, np.nan, 2.0])
    dw = np.array([np.nan, 1.0, 0.0])
    for rule in (optim.sgd, optim.sgd_momentum, optim.rmsprop, optim.adam):
        out, _ = rule(w, dw, {})
        assert np.isnan(out[0]) and np.isnan(out[1]) and np.isfinite(out[2])


def test_bad_input():
    w = np.zeros((2, 3))
    with pytest.raises(TypeError, match="sgd"):
        optim.sgd(np.zeros(3, np.int64), np.zeros(3))
    with pytest.raises(ValueError, match="adam: dw"):
        optim.adam(w, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"sgd_momentum: config\['velocity'\] has shape \(3,\)"):
        optim.sgd_momentum(w, np.zeros((2, 3)), {"velocity": np.zeros(3)})
    with pytest.raises(TypeError):
        optim.rmsprop(w.astype(np.complex128), w)


def test_bindings_leak_no_references():
    from conftest import assert_no_leaks
    from cvnn import _C
    w = np.ones((3, 4))
    dw = np.full((3, 4), 0.5)
    s1, s2 = np.zeros((3, 4)), np.zeros((3, 4))
    calls = [
        lambda: _C.optim_sgd(w, dw, 0.1),
        lambda: _C.optim_sgd(w, dw[:2], 0.1),
        lambda: _C.optim_sgd_momentum(w, dw, s1, 0.1, 0.9),
        lambda: _C.optim_sgd_momentum(w, dw, s1[:2], 0.1, 0.9),
        lambda: _C.optim_rmsprop(w, dw, s1.astype(np.float32), 0.1, 0.9, 1e-8),
        lambda: _C.optim_adam(w, dw, s1, s2, 0.1, 0.9, 0.999, 1e-8, 1),
        lambda: _C.optim_adam(w, dw, s1, s1, 0.1, 0.9, 0.999, 1e-8, 1),
        lambda: _C.optim_adam(w, dw, s1, s2, 0.1, 0.9, 0.999, 1e-8, 0),
    ]
    for call in calls:
        assert_no_leaks(call, (w, dw, s1, s2))


def test_binding_rejects_bad_state():
    from cvnn import _C
    w = np.ones(4)
    with pytest.raises(TypeError, match="velocity must have w's dtype"):
        _C.optim_sgd_momentum(w, w, np.zeros(4, np.float32), 0.1, 0.9)
    with pytest.raises(ValueError, match="cache must be C-contiguous"):
        _C.optim_rmsprop(w, w, np.zeros(8)[::2], 0.1, 0.9, 1e-8)
    with pytest.raises(TypeError, match="m must be a numpy array"):
        _C.optim_adam(w, w, [0.0] * 4, np.zeros(4), 0.1, 0.9, 0.999, 1e-8, 1)
    with pytest.raises(ValueError, match=r"adam: t \(0\)"):
        _C.optim_adam(w, w, np.zeros(4), np.zeros(4), 0.1, 0.9, 0.999, 1e-8, 0)
