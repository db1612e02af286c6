"""TwoLayerNet and FullyConnectedNet: the CS231n notebook constants, numerical gradients of
every parameter in float64 (plain, batchnorm, layernorm, dropout with a fixed seed), the initial
loss, save/load without pickle, and overfitting 50 CIFAR-10 images."""
import numpy as np
import pytest

from cvnn.classifiers.fc_net import (FullyConnectedNet, TwoLayerNet, get_five_layer_network_params,
                                     get_three_layer_network_params)
from cvnn.gradient_check import eval_numerical_gradient, rel_error



def _notebook_two_layer(reg):
    N, D, H, C = 3, 5, 50, 7
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-2, reg=reg)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    return model, X, np.asarray([0, 5, 1])


def test_two_layer_notebook_constants():
    model, X, y = _notebook_two_layer(0.0)
    correct_scores = np.asarray([
        [11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
        [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
        [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    scores = model.loss(X)
    assert np.abs(scores - correct_scores).sum() < 1e-6
    loss, _ = model.loss(X, y)
    assert abs(loss - 3.4702243556) < 1e-10
    model.reg = 1.0
    loss, _ = model.loss(X, y)
    assert abs(loss - 26.5948426952) < 1e-10


def test_two_layer_init_shapes_and_scale():
    np.random.seed(231)
    model = TwoLayerNet(input_dim=15, hidden_dim=50, num_classes=7, weight_scale=1e-2)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (15, 50), "b1": (50,), "W2": (50, 7), "b2": (7,)}
    assert 0.5e-2 < model.params["W1"].std() < 1.5e-2
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b2"] == 0)


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_gradients(reg):
    np.random.seed(231)
    N, D, H, C = 3, 5, 50, 7
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=N)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=5e-2, reg=reg)
    loss, grads = model.loss(X, y)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        num = eval_numerical_gradient(f, model.params[name], verbose=False)
        assert rel_error(num, grads[name]) < 1e-7, name


def _norm_rel(a, b):
    """||a - b|| / ||a + b||: unlike the element-wise rel_error, not dominated by entries that
    are zero up to rounding, so it can be held tight."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a + b), 1e-300))


def _fc_check(normalization, keep, reg, N=2):
    """N=2 is the notebook's setup; with batchnorm it makes every normalized feature +-1, so
    W1's gradient is tiny and only the loose notebook metric applies. N=10 is well conditioned
    and gets the tight check too."""
    np.random.seed(231)
    D, H1, H2, C = 15, 20, 30, 10
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2,
                              dtype=np.float64, normalization=normalization,
                              dropout_keep_ratio=keep, seed=123)
    loss, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    if reg == 0 and normalization is None and keep == 1:
        assert abs(loss - np.log(C)) < 0.2  # small weights: about log(C)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        num = eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-5)
        assert grads[name].shape == model.params[name].shape
        if normalization == "batchnorm" and name in ("b1", "b2"):
            # a bias before batchnorm cancels out: its gradient is zero up to rounding, and
            # the element-wise rel_error of two roundings is meaningless
            assert np.abs(grads[name]).max() < 1e-14 and np.abs(num).max() < 1e-8, name
            continue
        # the notebook's metric, dominated by entries that are zero up to rounding: for this
        # very setup it prints up to 2.21e-05 (W2, plain, reg=0) and 1.10e-04 (W1, batchnorm,
        # N=2); the BatchNormalization notebook calls 1e-4 to 1e-10 fine
        bound = 1e-4 if normalization is None else 5e-4
        assert rel_error(num, grads[name]) < bound, (name, rel_error(num, grads[name]))
        # and a tight whole-array check that any wrong term fails
        if N >= 10:
            assert _norm_rel(num, grads[name]) < 1e-7, (name, _norm_rel(num, grads[name]))


@pytest.mark.parametrize("N", [2, 10])
@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_fc_gradients_plain(reg, N):
    _fc_check(None, 1, reg, N)


@pytest.mark.parametrize("N", [2, 10])
@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_fc_gradients_normalized(normalization, reg, N):
    _fc_check(normalization, 1, reg, N)


@pytest.mark.parametrize("N", [2, 10])
@pytest.mark.parametrize("keep", [0.5, 0.75])
def test_fc_gradients_dropout(keep, N):
    _fc_check(None, keep, 0.0, N)


def test_fc_gradients_everything():
    _fc_check("batchnorm", 0.75, 0.5, N=10)


def test_fc_params_and_attributes():
    np.random.seed(0)
    m = FullyConnectedNet([4, 6], input_dim=3, num_classes=5, normalization="batchnorm",
                          dropout_keep_ratio=0.5, seed=7)
    assert m.num_layers == 3
    assert {k: v.shape for k, v in m.params.items()} == {
        "W1": (3, 4), "b1": (4,), "W2": (4, 6), "b2": (6,), "W3": (6, 5), "b3": (5,),
        "gamma1": (4,), "beta1": (4,), "gamma2": (6,), "beta2": (6,)}
    assert all(v.dtype == np.float32 for v in m.params.values())
    assert m.bn_params == [{"mode": "train"}, {"mode": "train"}]
    assert m.dropout_param == {"mode": "train", "p": 0.5, "seed": 7} and m.use_dropout
    ln = FullyConnectedNet([4], input_dim=3, normalization="layernorm")
    assert ln.bn_params == [{}] and not ln.use_dropout and ln.dropout_param == {}
    plain = FullyConnectedNet([4], input_dim=3)
    assert plain.bn_params == [] and "gamma1" not in plain.params
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([4], normalization="groupnorm")
    with pytest.raises(ValueError, match="dropout_keep_ratio"):
        FullyConnectedNet([4], dropout_keep_ratio=0)


def test_fc_matches_numpy_oracle():
    # forward scores and loss of the plain net against plain NumPy in float64
    rng = np.random.default_rng(5)
    m = FullyConnectedNet([7, 9], input_dim=11, num_classes=4, reg=0.3, dtype=np.float64)
    X = rng.standard_normal((6, 11))
    y = rng.integers(0, 4, 6)
    h = X
    for i in (1, 2):
        h = np.maximum(0, h @ m.params["W%d" % i] + m.params["b%d" % i])
    s = h @ m.params["W3"] + m.params["b3"]
    np.testing.assert_allclose(m.loss(X), s, rtol=1e-12, atol=1e-14)
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    want = -np.log(p[np.arange(6), y]).mean() + 0.5 * 0.3 * sum(
        np.sum(m.params["W%d" % i] ** 2) for i in (1, 2, 3))
    assert abs(m.loss(X, y)[0] - want) < 1e-12


def test_fc_casts_input_to_dtype():
    m = FullyConnectedNet([5], input_dim=6, num_classes=3, dtype=np.float32)
    scores = m.loss(np.ones((2, 2, 3), np.float64))
    assert scores.dtype == np.float32 and scores.shape == (2, 3)
    loss, grads = m.loss(np.ones((2, 6)), np.array([0, 2], np.int32))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_initial_loss_is_log10():
    np.random.seed(231)
    X = np.random.randn(50, 3 * 32 * 32).astype(np.float32)
    y = np.random.randint(10, size=50)
    for model in (TwoLayerNet(dtype=np.float32), FullyConnectedNet([100, 100], weight_scale=1e-3)):
        loss, _ = model.loss(X, y)
        assert abs(loss - np.log(10)) < 0.05


@pytest.mark.parametrize("normalization", [None, "batchnorm"])
def test_save_load_roundtrip(tmp_path, normalization):
    np.random.seed(1)
    m = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, normalization=normalization,
                          reg=0.25, dtype=np.float64)
    X = np.random.randn(8, 4)
    m.loss(X, np.arange(8) % 3)  # a training pass fills the running statistics
    path = m.save(str(tmp_path / "fc"))
    assert path.endswith(".npz")
    with np.load(path, allow_pickle=False) as z:  # loadable without pickle
        assert "W1" in z.files
    m2 = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, normalization=normalization,
                           dtype=np.float64)
    m2.load(path)
    assert m2.reg == 0.25
    np.testing.assert_array_equal(m2.loss(X), m.loss(X))
    # a different architecture or a corrupt file: ValueError, model untouched
    other = FullyConnectedNet([6, 7], input_dim=4, num_classes=3, normalization=normalization)
    before = {k: v.copy() for k, v in other.params.items()}
    with pytest.raises(ValueError, match="shape"):
        other.load(path)
    assert all(np.array_equal(before[k], other.params[k]) for k in before)
    data = open(path, "rb").read()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        m2.load(str(bad))
    with pytest.raises(ValueError, match="TwoLayerNet"):
        TwoLayerNet(input_dim=4, hidden_dim=6, num_classes=3).load(path)


def test_two_layer_save_load(tmp_path):
    m = TwoLayerNet(input_dim=4, hidden_dim=6, num_classes=3)
    path = m.save(tmp_path / "two.npz")
    m2 = TwoLayerNet(input_dim=4, hidden_dim=6, num_classes=3)
    m2.load(path)
    for k in m.params:
        np.testing.assert_array_equal(m.params[k], m2.params[k])


@pytest.mark.parametrize("hidden_dims,params", [([100, 100], get_three_layer_network_params),
                                                ([100, 100, 100, 100], get_five_layer_network_params)])
def test_overfit_50_images(cifar10_dir, hidden_dims, params):
    # the notebook's task: 3- and 5-layer nets reach 100% training accuracy on 50 images
    # within 20 epochs of SGD, with EECS 598's get_*_layer_network_params()
    weight_scale, lr = params()
    from cvnn.data_utils import get_CIFAR10_data
    from cvnn.solver import Solver
    data = get_CIFAR10_data(num_training=50, num_validation=50, num_test=0,
                            cifar10_dir=str(cifar10_dir))
    small = {"X_train": data["X_train"], "y_train": data["y_train"],
             "X_val": data["X_val"], "y_val": data["y_val"]}
    np.random.seed(231)
    model = FullyConnectedNet(hidden_dims, weight_scale=weight_scale, dtype=np.float64)
    solver = Solver(model, small, print_every=10, num_epochs=20, batch_size=25,
                    update_rule="sgd", optim_config={"learning_rate": lr}, verbose=False)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0
