"""Solver: CS231n's arguments, errors, printing, histories, per-parameter optimizer configs,
best-parameter restore; the additions: callable rules, time limits, progress bars and
pickle-free checkpoints that resume training and refuse truncated or tampered files."""
import json
import re
import time

import numpy as np
import pytest

from cvnn import optim
from cvnn.classifiers.fc_net import FullyConnectedNet
from cvnn.solver import Solver


def _toy_data(n_train=200, n_val=50, D=8, C=3, seed=0):
    """Separable Gaussian blobs: a small net learns them in a few epochs."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((C, D)) * 3
    def make(n):
        y = rng.integers(0, C, n)
        return (centers[y] + rng.standard_normal((n, D))).astype(np.float64), y
    X_train, y_train = make(n_train)
    X_val, y_val = make(n_val)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}


def _model(seed=1, **kw):
    np.random.seed(seed)
    return FullyConnectedNet([16], input_dim=8, num_classes=3, dtype=np.float64, **kw)


def test_unknown_arguments_and_rules():
    data = _toy_data()
    with pytest.raises(ValueError, match='Unrecognized arguments "foo", "bar"'):
        Solver(_model(), data, foo=1, bar=2)
    with pytest.raises(ValueError, match='Invalid update_rule "nesterov"'):
        Solver(_model(), data, update_rule="nesterov")
    with pytest.raises(ValueError, match="Invalid update_rule"):
        Solver(_model(), data, update_rule="__init__")


def test_defaults_are_cs231n():
    s = Solver(_model(), _toy_data())
    assert (s.update_rule, s.lr_decay, s.batch_size, s.num_epochs, s.num_train_samples,
            s.num_val_samples, s.checkpoint_name, s.print_every, s.verbose) == \
        (optim.sgd, 1.0, 100, 10, 1000, None, None, 10, True)
    assert s.optim_config == {}


def test_train_learns_prints_and_records(capsys):
    data = _toy_data()
    model = _model()
    s = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-2},
               lr_decay=0.5, batch_size=20, num_epochs=3, print_every=5, progress=False)
    s.train()
    out = capsys.readouterr().out
    its = re.findall(r"^\(Iteration (\d+) / (\d+)\) loss: (\d+\.\d{6})$", out, re.M)
    eps = re.findall(r"^\(Epoch (\d+) / 3\) train acc: (\d\.\d{6}); val_acc: (\d\.\d{6})$",
                     out, re.M)
    assert [int(i[0]) for i in its] == [1, 6, 11, 16, 21, 26] and its[0][1] == "30"
    assert [e[0] for e in eps] == ["0", "1", "2", "3"]
    # 10 iterations per epoch; accuracy checked at the first iteration and each epoch end
    assert len(s.loss_history) == 30
    assert len(s.train_acc_history) == len(s.val_acc_history) == 4
    assert s.val_acc_history[-1] > 0.9 and s.epoch == 3
    # per-parameter configs: separate dicts and state, learning rate decayed 3 times
    assert set(s.optim_configs) == set(model.params)
    assert s.optim_configs["W1"] is not s.optim_configs["b1"]
    assert s.optim_configs["W1"]["m"].shape == model.params["W1"].shape
    assert s.optim_configs["W1"]["learning_rate"] == pytest.approx(1e-2 * 0.5 ** 3)
    assert s.optim_configs["W1"]["t"] == 30
    assert s.optim_config == {"learning_rate": 1e-2}  # the caller's dict is not modified


def test_best_params_are_restored():
    data = _toy_data()
    model = _model()
    s = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 5e-2},
               batch_size=20, num_epochs=4, verbose=False)
    s.train()
    best = int(np.argmax(s.val_acc_history))
    assert s.best_val_acc == s.val_acc_history[best]
    for k, v in model.params.items():
        np.testing.assert_array_equal(v, s.best_params[k])
    assert s.check_accuracy(data["X_val"], data["y_val"]) == s.best_val_acc


def test_check_accuracy_batches_and_subsamples():
    data = _toy_data()
    model = _model()
    s = Solver(model, data, verbose=False)
    X, y = data["X_val"], data["y_val"]
    want = float(np.mean(np.argmax(model.loss(X), axis=1) == y))
    for bs in (1, 7, 100):
        assert s.check_accuracy(X, y, batch_size=bs) == want
    np.random.seed(0)
    acc = s.check_accuracy(X, y, num_samples=10)
    assert acc * 10 == round(acc * 10)
    assert np.isnan(s.check_accuracy(X[:0], y[:0]))


def test_callable_update_rule():
    calls = []

    def halve(w, dw, config=None):
        calls.append(1)
        config = config or {}
        return w - config.get("learning_rate", 0.1) * dw, config

    s = Solver(_model(), _toy_data(), update_rule=halve, num_epochs=1, batch_size=50,
               verbose=False)
    s.train()
    assert len(calls) == 4 * len(s.model.params)
    assert s.update_rule_name == "halve"


def test_time_limit_stops_cleanly():
    data = _toy_data(n_train=2000)
    s = Solver(_model(), data, num_epochs=10000, batch_size=10, verbose=False)
    t0 = time.perf_counter()
    s.train(time_limit=0.5)
    assert time.perf_counter() - t0 < 5
    assert 0 < len(s.loss_history) < 10000 * 200
    # the accuracy at the stopping point was recorded and best params restored
    assert len(s.val_acc_history) >= 2 and s.best_params


def test_progress_bar_when_verbose(capsys):
    s = Solver(_model(), _toy_data(), num_epochs=1, batch_size=50, verbose=True)
    s.train()
    err = capsys.readouterr().err
    assert "4/4" in err  # tqdm's bar reached the end


def _trained_solver(tmp_path, epochs=2, normalization=None):
    data = _toy_data()
    model = _model(normalization=normalization)
    s = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-2},
               lr_decay=0.9, batch_size=20, num_epochs=epochs, verbose=False,
               checkpoint_name=str(tmp_path / "ck"))
    return s, data


def test_checkpoints_are_pickle_free_and_complete(tmp_path):
    s, _ = _trained_solver(tmp_path)
    s.train()
    for e in (0, 1, 2):
        assert (tmp_path / ("ck_epoch_%d.npz" % e)).is_file()
        assert (tmp_path / ("ck_epoch_%d.json" % e)).is_file()
    meta = json.loads((tmp_path / "ck_epoch_2.json").read_text())
    assert meta["epoch"] == 2 and meta["update_rule"] == "adam" and meta["lr_decay"] == 0.9
    assert len(meta["loss_history"]) == 20 and meta["optim_scalars"]["W1"]["t"] == 20
    with np.load(tmp_path / "ck_epoch_2.npz", allow_pickle=False) as z:
        assert "optim/W1/m" in z.files and "model/W1" in z.files and "best/W1" in z.files


@pytest.mark.parametrize("normalization", [None, "batchnorm"])
def test_resume_matches_uninterrupted_run(tmp_path, normalization):
    # 4 epochs straight vs 2 epochs, checkpoint, a new solver resumed for the other 2
    full, data = _trained_solver(tmp_path / "a", epochs=4, normalization=normalization)
    (tmp_path / "a").mkdir()
    np.random.seed(5)
    full.train(return_best_params=False)

    (tmp_path / "b").mkdir()
    half, _ = _trained_solver(tmp_path / "b", epochs=4, normalization=normalization)
    half.num_epochs = 2
    np.random.seed(5)
    half.train(return_best_params=False)
    rng_state = np.random.get_state()

    fresh = _model(seed=99, normalization=normalization)
    resumed = Solver.from_checkpoint(fresh, data, tmp_path / "b" / "ck_epoch_2.json",
                                     num_epochs=4, verbose=False)
    assert resumed.epoch == 2 and len(resumed.loss_history) == 20
    np.random.set_state(rng_state)
    resumed.train(return_best_params=False)
    assert resumed.loss_history == pytest.approx(full.loss_history, rel=1e-12)
    for k in full.model.params:
        np.testing.assert_allclose(fresh.params[k], full.model.params[k], rtol=1e-12)
    assert resumed.optim_configs["W1"]["learning_rate"] == pytest.approx(1e-2 * 0.9 ** 4)


def test_tampered_or_truncated_checkpoint_loads_nothing(tmp_path):
    s, data = _trained_solver(tmp_path)
    s.train()
    npz = tmp_path / "ck_epoch_2.npz"
    good = npz.read_bytes()
    target = Solver(_model(seed=7), data, update_rule="adam", verbose=False)
    before = {k: v.copy() for k, v in target.model.params.items()}

    def untouched():
        assert target.epoch == 0 and target.loss_history == []
        for k in before:
            np.testing.assert_array_equal(target.model.params[k], before[k])

    npz.write_bytes(good[: len(good) // 2])  # truncated
    with pytest.raises(ValueError, match="truncated or was modified"):
        target.load_checkpoint(tmp_path / "ck_epoch_2.json")
    untouched()
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # one byte changed
    npz.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="SHA-256"):
        target.load_checkpoint(tmp_path / "ck_epoch_2")
    untouched()
    npz.write_bytes(good)
    js = tmp_path / "ck_epoch_2.json"
    js.write_text(js.read_text()[:100])  # truncated JSON
    with pytest.raises(ValueError, match="truncated or corrupt"):
        target.load_checkpoint(js)
    untouched()


def test_checkpoint_for_another_model_or_rule_is_refused(tmp_path):
    s, data = _trained_solver(tmp_path, epochs=1)
    s.train()
    np.random.seed(0)
    other = FullyConnectedNet([17], input_dim=8, num_classes=3, dtype=np.float64)
    with pytest.raises(ValueError, match="shape"):
        Solver(other, data, update_rule="adam").load_checkpoint(tmp_path / "ck_epoch_1.npz")
    with pytest.raises(ValueError, match="update_rule 'adam'"):
        Solver(_model(), data, update_rule="sgd").load_checkpoint(tmp_path / "ck_epoch_1.json")
    with pytest.raises(FileNotFoundError):
        Solver(_model(), data).load_checkpoint(tmp_path / "nothing.json")


def test_plots_of_histories(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from cvnn.plots import plot_solvers, plot_training_curves
    s = Solver(_model(), _toy_data(), num_epochs=1, batch_size=50, verbose=False)
    s.train()
    fig = plot_training_curves(s, title="toy")
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) >= 1
    hist = {"loss_history": list(np.linspace(2, 1, 120)), "train_acc_history": [0.1, 0.5],
            "val_acc_history": [0.1, 0.4]}
    assert plot_training_curves(hist, tmp_path / "c.png") is None
    assert plot_solvers({"a": s, "b": hist}, tmp_path / "s.png") is None
    for name in ("c.png", "s.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_best_state_keeps_batchnorm_statistics_of_any_model(rng):
    """The Solver's best-parameter snapshot must carry the running statistics of every model
    with bn_params (here a conv net), or restoring the best epoch pairs its weights with the
    last epoch's statistics."""
    from cvnn._checkpoint import model_state, set_model_state
    from cvnn.classifiers.cnn import DeepConvNet
    from cvnn.solver import _copy_state, _set_model_state
    model = DeepConvNet(input_dims=(3, 8, 8), num_filters=[4], max_pools=[0], batchnorm=True,
                        num_classes=3, weight_scale="kaiming", dtype=np.float64)
    fresh = model_state(model)
    assert np.array_equal(fresh["bn1_running_mean"], np.zeros(4))
    X = rng.standard_normal((6, 3, 8, 8))
    model.loss(X, np.array([0, 1, 2, 0, 1, 2]))
    best = _copy_state(model)
    assert not np.array_equal(best["bn1_running_mean"], np.zeros(4))
    model.loss(X + 5.0, np.array([0, 1, 2, 0, 1, 2]))  # moves the statistics on
    assert not np.array_equal(model.bn_params[0]["running_mean"], best["bn1_running_mean"])
    _set_model_state(model, {k: v.copy() for k, v in best.items()})
    assert np.array_equal(model.bn_params[0]["running_mean"], best["bn1_running_mean"])
    assert np.array_equal(model.bn_params[0]["running_var"], best["bn1_running_var"])
    # layer norm's empty dicts carry no statistics
    from cvnn.classifiers.fc_net import FullyConnectedNet
    ln = FullyConnectedNet([5], input_dim=4, num_classes=3, normalization="layernorm")
    assert not any("running" in k for k in model_state(ln))
    set_model_state(ln, model_state(ln))


def test_eecs598_print_acc_every_and_device(capsys):
    # EECS 598: accuracies printed every print_acc_every epochs (still recorded every epoch);
    # device must be the CPU
    s = Solver(_model(), _toy_data(), update_rule="adam", optim_config={"learning_rate": 1e-2},
               batch_size=20, num_epochs=4, print_every=1000, print_acc_every=2, device="cpu",
               progress=False)
    s.train()
    eps = re.findall(r"^\(Epoch (\d+) / 4\)", capsys.readouterr().out, re.M)
    assert eps == ["0", "2", "4"] and len(s.val_acc_history) == 5
    with pytest.raises(ValueError, match="Solver: cvnn computes on the CPU; device='cuda'"):
        Solver(_model(), _toy_data(), device="cuda")
    with pytest.raises(ValueError, match=r"print_acc_every \(0\) must be >= 1"):
        Solver(_model(), _toy_data(), print_acc_every=0)
