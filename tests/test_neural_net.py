"""neural_net.TwoLayerNet (CS231n A1 2017-2020): the notebook's toy constants, numerical
gradients, a PyTorch cross-check, and the training loop's bookkeeping."""
import numpy as np
import pytest

from cvnn.classifiers.neural_net import TwoLayerNet
from cvnn.gradient_check import eval_numerical_gradient, rel_error

# two_layer_net.ipynb (CS231n 2017-2019)
CORRECT_SCORES = np.asarray([
    [-0.81233741, -1.27654624, -0.70335995],
    [-0.17129677, -1.18803311, -0.47310444],
    [-0.51590475, -1.01354314, -0.8504215],
    [-0.15419291, -0.48629638, -0.52901952],
    [-0.00618733, -0.12435261, -0.15226949]])
CORRECT_LOSS = 1.30378789133


def init_toy_model():
    np.random.seed(0)
    return TwoLayerNet(4, 10, 3, std=1e-1)


def init_toy_data():
    np.random.seed(1)
    X = 10 * np.random.randn(5, 4)
    y = np.array([0, 1, 2, 2, 1])
    return X, y


def reference_forward(net, X, y, reg):
    p = net.params
    h = np.maximum(0, X @ p["W1"] + p["b1"])
    s = h @ p["W2"] + p["b2"]
    e = np.exp(s - s.max(1, keepdims=True))
    prob = e / e.sum(1, keepdims=True)
    loss = -np.mean(np.log(prob[np.arange(len(y)), y]))
    return s, loss + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))


def test_toy_scores_and_loss():
    net = init_toy_model()
    X, y = init_toy_data()
    scores = net.loss(X)
    assert np.sum(np.abs(scores - CORRECT_SCORES)) < 1e-7
    loss, _ = net.loss(X, y, reg=0.05)
    assert abs(loss - CORRECT_LOSS) < 1e-10
    s_ref, l_ref = reference_forward(net, X, y, 0.05)
    np.testing.assert_allclose(scores, s_ref, rtol=1e-12)
    assert loss == pytest.approx(l_ref, rel=1e-12)


@pytest.mark.parametrize("reg", [0.0, 0.05, 1.0])
def test_toy_gradients(reg):
    net = init_toy_model()
    X, y = init_toy_data()
    loss, grads = net.loss(X, y, reg=reg)
    assert sorted(grads) == ["W1", "W2", "b1", "b2"]
    for name in grads:
        f = lambda _: net.loss(X, y, reg=reg)[0]
        num = eval_numerical_gradient(f, net.params[name], verbose=False)
        assert rel_error(num, grads[name]) < 1e-7, name
        assert grads[name].shape == net.params[name].shape


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    np.random.seed(4)
    net = TwoLayerNet(13, 9, 5, std=0.3)
    X = rng.standard_normal((11, 13))
    y = rng.integers(5, size=11)
    loss, grads = net.loss(X, y, reg=0.3)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.tensor(X) @ t["W1"] + t["b1"])
    s = h @ t["W2"] + t["b2"]
    tl = torch.nn.functional.cross_entropy(s, torch.tensor(y)) + 0.3 * (
        (t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
    tl.backward()
    assert loss == pytest.approx(tl.item(), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_float32_net(rng):
    np.random.seed(0)
    net32 = TwoLayerNet(6, 5, 3, std=0.5, dtype=np.float32)
    np.random.seed(0)
    net64 = TwoLayerNet(6, 5, 3, std=0.5)
    X = rng.standard_normal((8, 6))
    y = rng.integers(3, size=8)
    l32, g32 = net32.loss(X, y, reg=0.1)
    l64, g64 = net64.loss(X, y, reg=0.1)
    assert all(g.dtype == np.float32 for g in g32.values())
    assert l32 == pytest.approx(l64, rel=1e-5)
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-4, atol=1e-5)


def test_toy_training_reaches_low_loss():
    # two_layer_net.ipynb: "final training loss" below 0.02 after 100 iterations
    net = init_toy_model()
    X, y = init_toy_data()
    stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100, verbose=False)
    assert stats["loss_history"][-1] < 0.02
    assert len(stats["loss_history"]) == 100
    # 5 examples, batch 200: every iteration is an epoch
    assert len(stats["train_acc_history"]) == 100 == len(stats["val_acc_history"])
    assert np.array_equal(net.predict(X), y)


def test_epoch_bookkeeping_and_decay(rng, capsys):
    X = rng.standard_normal((100, 7))
    y = rng.integers(3, size=100)
    np.random.seed(0)
    net = TwoLayerNet(7, 4, 3)
    stats = net.train(X, y, X[:10], y[:10], learning_rate=0.0, num_iters=21, batch_size=10,
                      verbose=True)
    # 10 iterations per epoch: accuracies recorded at iterations 0, 10, 20
    assert len(stats["train_acc_history"]) == 3 and len(stats["val_acc_history"]) == 3
    out = capsys.readouterr().out
    assert "iteration 0 / 21" in out
    # learning_rate 0: nothing moves
    np.random.seed(0)
    assert np.array_equal(net.params["W1"], TwoLayerNet(7, 4, 3).params["W1"])


def test_empty_and_bad_input(rng):
    net = init_toy_model()
    assert net.loss(np.zeros((0, 4))).shape == (0, 3)
    with pytest.raises(ValueError, match="affine_forward"):
        net.loss(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="out of range"):
        net.loss(np.zeros((2, 4)), np.array([0, 3]))
    with pytest.raises(ValueError, match="train: X has no rows"):
        net.train(np.zeros((0, 4)), np.zeros(0, int), np.zeros((1, 4)), np.zeros(1, int))
