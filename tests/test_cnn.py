"""Convolutional models: initial loss, numerical gradients of every parameter (float64, tiny
inputs), regularization, shapes, dtype, the Solver contract, checkpoints."""
import json

import numpy as np
import pytest

from cvnn import layers
from cvnn._checkpoint import load_npz, model_state
from cvnn.classifiers.cnn import ConvNet, DeepConvNet, ThreeLayerConvNet, kaiming_initializer
from cvnn.gradient_check import eval_numerical_gradient, rel_error

# The notebooks accept up to 1e-2 for whole conv nets; with h = 1e-5 in float64 we see at most
# ~5e-7 (the last weights, whose gradient entries are small next to the loss's rounding).
MODEL_TOL = 2e-6
HAS_FC_NORM = hasattr(layers, "batchnorm_forward") and hasattr(layers, "dropout_forward")


def _grad_check(model, X, y, skip_zero=()):
    # Biases start at 0: a unit whose input is all zeros (dropped out, or dead ReLUs before
    # it) then sits exactly on the ReLU kink, where the numerical gradient is meaningless.
    # Random biases and norm parameters keep every unit off the kinks.
    r = np.random.default_rng(11)
    for name, p in model.params.items():
        if name[0] in "bg":  # b*, beta*, gamma*
            p += (0.2 * r.standard_normal(p.shape)).astype(p.dtype)
    loss, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    for name, p in model.params.items():
        assert grads[name].shape == p.shape, name
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], p, verbose=False, h=1e-5)
        if name in skip_zero:  # a bias followed by batch norm: the true gradient is 0
            assert np.max(np.abs(grads[name])) < 1e-8 and np.max(np.abs(num)) < 1e-7, name
        else:
            assert rel_error(grads[name], num) < MODEL_TOL, name
    return loss


def _data(rng, N=2, C=3, H=8, W=8, classes=10):
    return rng.standard_normal((N, C, H, W)), rng.integers(classes, size=N)


def test_three_layer_initial_loss_and_reg():
    # ConvolutionalNetworks.ipynb "Sanity check loss"
    np.random.seed(231)
    model = ThreeLayerConvNet()
    N = 50
    X = np.random.randn(N, 3, 32, 32)
    y = np.random.randint(10, size=N)
    loss, _ = model.loss(X, y)
    assert abs(loss - np.log(10)) < 1e-3
    model.reg = 0.5
    loss_reg, _ = model.loss(X, y)
    assert loss_reg > loss
    w2 = sum(np.sum(model.params[k].astype(np.float64) ** 2) for k in ("W1", "W2", "W3"))
    assert abs(loss_reg - loss - 0.5 * 0.5 * w2) < 1e-4


def test_three_layer_shapes_and_dtype():
    model = ThreeLayerConvNet(input_dim=(3, 16, 16), num_filters=5, filter_size=3, hidden_dim=7, num_classes=4)
    p = model.params
    assert p["W1"].shape == (5, 3, 3, 3) and p["b1"].shape == (5,)
    assert p["W2"].shape == (5 * 8 * 8, 7) and p["W3"].shape == (7, 4)
    assert all(v.dtype == np.float32 for v in p.values())
    scores = model.loss(np.random.randn(6, 3, 16, 16))
    assert scores.shape == (6, 4) and scores.dtype == np.float32
    loss, grads = model.loss(np.random.randn(6, 3, 16, 16), np.arange(6) % 4)
    assert all(grads[k].dtype == np.float32 for k in grads)
    # an even filter keeps the model consistent (pad (fs-1)//2 shrinks the map by one)
    m2 = ThreeLayerConvNet(input_dim=(3, 9, 9), num_filters=2, filter_size=4, hidden_dim=5)
    assert m2.loss(np.random.randn(2, 3, 9, 9)).shape == (2, 10)


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_three_layer_gradients(reg, rng):
    np.random.seed(0)
    X, y = _data(rng, N=2, H=8, W=8)
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=7,
                              weight_scale=1e-1, reg=reg, dtype=np.float64)
    _grad_check(model, X, y)


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_deep_conv_net_gradients(batchnorm, reg, rng):
    np.random.seed(1)
    X, y = _data(rng, N=2, H=8, W=8)
    model = DeepConvNet(input_dims=(3, 8, 8), num_filters=[4, 4, 4], max_pools=[0, 2],
                        batchnorm=batchnorm, weight_scale="kaiming", reg=reg, dtype=np.float64)
    skip = ("b1", "b2", "b3") if batchnorm else ()
    _grad_check(model, X, y, skip_zero=skip)


def test_deep_conv_net_structure_and_reg():
    np.random.seed(2)
    model = DeepConvNet(input_dims=(3, 16, 16), num_filters=[8, 6, 4], max_pools=[0, 2],
                        batchnorm=True, weight_scale=1e-3)
    p = model.params
    assert p["W1"].shape == (8, 3, 3, 3) and p["W2"].shape == (6, 8, 3, 3)
    assert p["W4"].shape == (4 * 4 * 4, 10) and p["gamma3"].shape == (4,)
    assert "gamma4" not in p and len(model.bn_params) == 3
    X = np.random.randn(5, 3, 16, 16)
    y = np.arange(5)
    loss, _ = model.loss(X, y)
    assert abs(loss - np.log(10)) < 0.05  # small weights: scores ~0
    assert model.bn_params[0]["running_mean"].shape == (8,)
    model.reg = 1.0
    loss_reg, _ = model.loss(X, y)
    w2 = sum(np.sum(p["W%d" % k].astype(np.float64) ** 2) for k in range(1, 5))
    assert abs(loss_reg - loss - w2) < 1e-5  # EECS 598: reg * sum(W^2), no 0.5
    assert model.loss(X).shape == (5, 10) and model.bn_params[0]["mode"] == "test"


def test_kaiming_initializer():
    np.random.seed(3)
    w = kaiming_initializer(400, 300)
    assert w.shape == (400, 300) and w.dtype == np.float32
    assert abs(w.std() - np.sqrt(2 / 400)) < 0.05 * np.sqrt(2 / 400)
    w = kaiming_initializer(64, 128, K=3, relu=False, dtype=np.float64)
    assert w.shape == (128, 64, 3, 3) and w.dtype == np.float64
    assert abs(w.std() - np.sqrt(1 / (64 * 9))) < 0.05 * np.sqrt(1 / (64 * 9))
    calls = []

    def init(Din, Dout, K=None, relu=True, dtype=np.float32):
        calls.append((Din, Dout, K, relu))
        return kaiming_initializer(Din, Dout, K, relu, dtype=dtype)
    DeepConvNet(input_dims=(3, 8, 8), num_filters=[4], max_pools=[0], weight_scale="kaiming",
                weight_initializer=init)
    assert calls == [(3, 4, 3, True), (4 * 4 * 4, 10, None, False)]
    with pytest.raises(ValueError, match="weight_scale"):
        DeepConvNet(weight_scale="xavier")


def test_conv_net_conv_part_gradients(rng):
    np.random.seed(4)
    X, y = _data(rng, N=2, H=8, W=8)
    # non-square kernels with "same" padding that differs between rows and columns, a pool
    # in the middle, strided convolution
    model = ConvNet(input_dim=(3, 8, 8), num_filters=[3, 0, 4], filter_size=[3, 5],
                    hidden_dim=[6], weight_scale=1e-1, reg=0.2, dtype=np.float64)
    assert model.params["W1"].shape == (3, 3, 3, 5) and model.params["W3"].shape == (4 * 4 * 4, 6)
    _grad_check(model, X, y)
    model = ConvNet(input_dim=(3, 9, 9), num_filters=[2, 3, 0], filter_size=3, filter_stride=2,
                    pad=1, hidden_dim=[], pool_size=2, pool_stride=1, weight_scale=1e-1,
                    dtype=np.float64)
    X9 = rng.standard_normal((2, 3, 9, 9))
    assert model.params["W3"].shape == (3 * 2 * 2, 10)  # 9 -> 5 -> 3 by the convs, 2 by the pool
    assert model.loss(X9).shape == (2, 10)
    _grad_check(model, X9, y)


@pytest.mark.skipif(not HAS_FC_NORM, reason="needs batchnorm/dropout from the fclayers branch")
def test_conv_net_with_batchnorm_and_dropout_gradients(rng):
    np.random.seed(5)
    X, y = _data(rng, N=4, H=8, W=8)
    model = ConvNet(input_dim=(3, 8, 8), num_filters=[3, 0, 4], filter_size=3, hidden_dim=[6, 5],
                    weight_scale=1e-1, reg=0.1, dtype=np.float64, seed=123, use_batchnorm=True,
                    dropout=0.3)
    assert len(model.bn_params) == 4 and model.dropout_param["p"] == pytest.approx(0.7)
    _grad_check(model, X, y, skip_zero=("b1", "b2", "b3", "b4"))
    assert model.loss(X).shape == (4, 10) and model.dropout_param["mode"] == "test"


def test_conv_net_initial_loss_and_bad_config():
    np.random.seed(6)
    model = ConvNet(input_dim=(3, 16, 16), num_filters=[8, 0, 8, 0], filter_size=3, hidden_dim=[20])
    X = np.random.randn(20, 3, 16, 16)
    loss, grads = model.loss(X, np.arange(20) % 10)
    assert abs(loss - np.log(10)) < 1e-3 and set(grads) == set(model.params)
    with pytest.raises(ValueError, match="drop probability"):
        ConvNet(dropout=1.0)
    with pytest.raises(ValueError, match="filter of layer 1 is larger"):
        ConvNet(input_dim=(3, 4, 4), num_filters=[2], filter_size=9, pad=0)


@pytest.mark.parametrize("make", [
    lambda: ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=5),
    lambda: DeepConvNet(input_dims=(3, 8, 8), num_filters=[2, 3], max_pools=[1], batchnorm=True,
                        weight_scale="kaiming"),
    lambda: ConvNet(input_dim=(3, 8, 8), num_filters=[2, 0], filter_size=3, hidden_dim=[4]),
])
def test_save_load_round_trip(make, tmp_path):
    np.random.seed(7)
    X = np.random.randn(3, 3, 8, 8)
    y = np.arange(3)
    a = make()
    a.loss(X, y)  # fills batch norm running statistics, if any
    path = tmp_path / "model.npz"
    a.save(path)
    np.random.seed(8)
    b = make()
    b.load(path)
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k]) and b.params[k].dtype == a.params[k].dtype
    for pa, pb in zip(getattr(a, "bn_params", []), getattr(b, "bn_params", [])):
        assert np.array_equal(pa["running_mean"], pb["running_mean"])
    assert np.array_equal(a.loss(X), b.loss(X))
    b.load(path, dtype=np.float64)
    assert all(v.dtype == np.float64 for v in b.params.values()) and b.dtype == np.float64
    # the fully connected models' format: plain arrays (no pickle) named as model_state names
    # them, and JSON metadata with the class and the constructor's arguments
    arrays, meta = load_npz(path)
    assert set(arrays) == set(model_state(a))
    assert meta["class"] == type(a).__name__ and meta["config"] == a._config


def test_load_rejects_other_models(tmp_path):
    a = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=5)
    a.save(tmp_path / "a.npz")
    with pytest.raises(ValueError, match="holds a ThreeLayerConvNet, not a DeepConvNet"):
        DeepConvNet(input_dims=(3, 8, 8), num_filters=[2], max_pools=[0]).load(tmp_path / "a.npz")
    b = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=3, filter_size=3, hidden_dim=5)
    w1 = b.params["W1"].copy()
    with pytest.raises(ValueError, match=r"'W1' has shape \(2, 3, 3, 3\) but the model's has "
                                         r"shape \(3, 3, 3, 3\)"):
        b.load(tmp_path / "a.npz")
    assert np.array_equal(b.params["W1"], w1)  # nothing changed


def test_load_reads_the_first_conv_layout(tmp_path):
    # files written before conv models shared the fc models' format: 'config' JSON,
    # 'param/<name>', 'bn/<i>/running_*'
    np.random.seed(3)
    a = DeepConvNet(input_dims=(3, 8, 8), num_filters=[2, 3], max_pools=[1], batchnorm=True)
    a.loss(np.random.randn(4, 3, 8, 8), np.arange(4))
    old = {"param/" + k: v for k, v in a.params.items()}
    for i, bp in enumerate(a.bn_params):
        old["bn/%d/running_mean" % i] = bp["running_mean"]
        old["bn/%d/running_var" % i] = bp["running_var"]
    old["config"] = np.array(json.dumps({"class": "DeepConvNet", "config": a._config}))
    np.savez(tmp_path / "old.npz", **old)
    np.random.seed(4)
    b = DeepConvNet(input_dims=(3, 8, 8), num_filters=[2, 3], max_pools=[1], batchnorm=True)
    b.load(tmp_path / "old.npz")
    for k, v in model_state(a).items():
        assert np.array_equal(v, model_state(b)[k]), k


def test_eecs598_layer_classes(rng):
    from cvnn.classifiers import cnn
    from cvnn.fast_layers import conv_forward_fast, max_pool_forward_fast
    from cvnn.layers import conv_forward_naive, max_pool_forward_naive
    x = rng.standard_normal((2, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    cp = {"stride": 1, "pad": 1}
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    assert np.array_equal(cnn.Conv.forward(x, w, b, cp)[0], conv_forward_naive(x, w, b, cp)[0])
    assert np.array_equal(cnn.FastConv.forward(x, w, b, cp)[0], conv_forward_fast(x, w, b, cp)[0])
    assert np.array_equal(cnn.MaxPool.forward(x, pp)[0], max_pool_forward_naive(x, pp)[0])
    assert np.array_equal(cnn.FastMaxPool.forward(x, pp)[0], max_pool_forward_fast(x, pp)[0])
    g, be = np.ones(4), np.zeros(4)
    out, cache = cnn.Conv_BatchNorm_ReLU_Pool.forward(x, w, b, g, be, cp, {"mode": "train"}, pp)
    assert out.shape == (2, 4, 4, 4) and len(cnn.Conv_BatchNorm_ReLU_Pool.backward(np.ones_like(out), cache)) == 5
    out, cache = cnn.Conv_ReLU_Pool.forward(x, w, b, cp, pp)
    assert [a.shape for a in cnn.Conv_ReLU_Pool.backward(np.ones_like(out), cache)] == [x.shape, w.shape, b.shape]
    out, cache = cnn.Conv_ReLU.forward(x, w, b, cp)
    assert cnn.Conv_ReLU.backward(out, cache)[0].shape == x.shape
    out, cache = cnn.Conv_BatchNorm_ReLU.forward(x, w, b, g, be, cp, {"mode": "train"})
    assert len(cnn.Conv_BatchNorm_ReLU.backward(out, cache)) == 5
    out, cache = cnn.SpatialBatchNorm.forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    assert cnn.SpatialBatchNorm.backward(out, cache)[1].shape == (3,)
    dx, dw, db = cnn.Conv.backward(np.ones((2, 4, 8, 8)), cnn.Conv.forward(x, w, b, cp)[1])
    assert dx.shape == x.shape and cnn.MaxPool.backward(np.ones((2, 3, 4, 4)), cnn.MaxPool.forward(x, pp)[1]).shape == x.shape


def test_eecs598_device_arguments(tmp_path):
    # EECS 598 passes device= to the models, kaiming_initializer and load; cvnn is CPU-only
    from cvnn.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
    np.random.seed(0)
    w = kaiming_initializer(6, 4, K=3, relu=True, device="cpu", dtype=np.float64)
    assert w.shape == (4, 6, 3, 3) and w.dtype == np.float64
    makers = [lambda d: DeepConvNet(input_dims=(3, 8, 8), num_filters=[2], max_pools=[0],
                                    device=d),
              lambda d: ThreeLayerConvNet(input_dims=(3, 8, 8), num_filters=2, filter_size=3,
                                          hidden_dim=5, device=d),
              lambda d: TwoLayerNet(input_dim=12, hidden_dim=5, device=d),
              lambda d: FullyConnectedNet([5], input_dim=12, device=d)]
    for make in makers:
        m = make("cpu")
        name = type(m).__name__
        with pytest.raises(ValueError, match="%s: cvnn computes on the CPU; device='cuda'" % name):
            make("cuda")
        path = m.save(tmp_path / ("%s.npz" % name))
        m.load(path, dtype=np.float64, device="cpu")
        assert all(v.dtype == np.float64 for v in m.params.values())
        with pytest.raises(ValueError, match="device='cuda:1'"):
            m.load(path, device="cuda:1")
    assert ThreeLayerConvNet(input_dims=(3, 8, 8), num_filters=2, filter_size=3,
                             hidden_dim=5).params["W2"].shape == (2 * 4 * 4, 5)
    with pytest.raises(ValueError, match="kaiming_initializer"):
        kaiming_initializer(3, 4, device="cuda")


def test_find_overfit_parameters_overfits_50_images(cifar10_dir):
    # EECS 598 A3's cell: DeepConvNet [8, 16, 32, 64], pools after every layer, reg 1e-5, no
    # batch norm, Adam, batch 10, 30 epochs on 50 CIFAR-10 images: 100% training accuracy
    from cvnn.classifiers.cnn import find_overfit_parameters
    from cvnn.data_utils import get_CIFAR10_data
    from cvnn.solver import Solver
    data = get_CIFAR10_data(num_training=50, num_validation=50, num_test=0,
                            cifar10_dir=str(cifar10_dir))
    small = {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val")}
    weight_scale, learning_rate = find_overfit_parameters()
    np.random.seed(0)
    model = DeepConvNet(input_dims=small["X_train"].shape[1:], num_classes=10,
                        num_filters=[8, 16, 32, 64], max_pools=[0, 1, 2, 3], reg=1e-5,
                        weight_scale=weight_scale, dtype=np.float32)
    solver = Solver(model, small, print_every=10, num_epochs=30, batch_size=10,
                    update_rule="adam", optim_config={"learning_rate": learning_rate},
                    verbose=False)
    solver.train()
    assert max(solver.train_acc_history) == 1.0


def test_eecs598_solver_factories(rng):
    # the Solvers EECS 598's create_*_instance return: the model and settings that were
    # measured (benchmarks/eecs598_targets.py trains them on CIFAR-10)
    from cvnn.classifiers.cnn import create_convolutional_solver_instance
    from cvnn.classifiers.fc_net import TwoLayerNet, create_solver_instance
    data = {"X_train": rng.standard_normal((20, 3, 32, 32)), "y_train": rng.integers(0, 10, 20),
            "X_val": rng.standard_normal((10, 3, 32, 32)), "y_val": rng.integers(0, 10, 10)}
    s = create_solver_instance(data, np.float32, "cpu")
    assert isinstance(s.model, TwoLayerNet) and s.model.params["W1"].shape == (3072, 256)
    assert s.update_rule_name == "adam" and s.num_epochs == 10
    c = create_convolutional_solver_instance(data, np.float32, "cpu")
    assert isinstance(c.model, DeepConvNet) and c.model.batchnorm
    assert c.model.params["W1"].shape[:2] == (14, 3) and c.model.params["W1"].dtype == np.float32
    with pytest.raises(ValueError, match="create_convolutional_solver_instance: cvnn computes"):
        create_convolutional_solver_instance(data, np.float32, "cuda")
