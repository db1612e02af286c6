"""python -m cvnn: help, info, download errors, and a tiny end-to-end train on the real
CIFAR-10 that writes the checkpoint, model, curves and results and prints parsable accuracies."""
import json
import pathlib
import re
import socket

import numpy as np
import pytest

from conftest import run_python
from cvnn.__main__ import MODELS, build_parser, main



def _run(*args, timeout=600):
    return run_python(["-m", "cvnn", *args], timeout=timeout)


def test_help_explains_every_train_option():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    train = sub.choices["train"]
    opts = [a for a in train._actions if a.option_strings and a.dest != "help"]
    need = {"--model", "--hidden-dims", "--normalization", "--dropout-keep", "--reg", "--lr",
            "--lr-decay", "--update-rule", "--batch-size", "--epochs", "--num-train",
            "--time-limit", "--seed", "--data", "--out", "--threads", "--dtype"}
    assert need <= {a.option_strings[0] for a in opts}
    assert all(a.help and len(a.help) > 10 for a in opts)
    out = _run("train", "--help")
    assert out.returncode == 0 and "--time-limit" in out.stdout and "KEEP" in out.stdout


def test_model_choices_come_from_the_registry():
    assert {"fc", "twolayer"} <= set(MODELS)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--model", "nosuchmodel"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--dropout-keep", "0"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--hidden-dims", "10,-3"])
    assert build_parser().parse_args(["train", "--hidden-dims", "64, 32"]).hidden_dims == [64, 32]


def test_info(capsys):
    assert main(["info"]) == 0
    assert "ISA path" in capsys.readouterr().out


def test_download_offline_message(tmp_path, capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc = main(["download", "--dest", str(tmp_path), "--url", "http://127.0.0.1:%d/c.tar.gz" % port])
    assert rc == 1
    assert "cifar-10-python.tar.gz" in capsys.readouterr().err


@pytest.mark.parametrize("model,extra", [
    ("fc", ["--hidden-dims", "40,30", "--normalization", "none", "--dropout-keep", "1"]),
    ("twolayer", ["--hidden-dims", "50", "--num-test", "500"]),
    ("conv", ["--num-filters", "4,6", "--max-pools", "0,1"]),
    ("threelayer", ["--num-filters", "4", "--filter-size", "3", "--hidden-dim", "20"]),
])
def test_tiny_train_end_to_end(cifar10_dir, tmp_path, model, extra):
    out_dir = tmp_path / "run"
    r = _run("train", "--model", model, *extra, "--num-train", "300", "--epochs", "1",
             "--batch-size", "50", "--lr", "1e-3", "--data", str(cifar10_dir),
             "--out", str(out_dir), "--threads", "1", "--quiet", "--seed", "3")
    assert r.returncode == 0, r.stderr
    val = re.search(r"^Validation accuracy: (\d\.\d{4})$", r.stdout, re.M)
    test = re.search(r"^Test accuracy: (\d\.\d{4})$", r.stdout, re.M)
    assert val and test, r.stdout
    assert 0.0 <= float(val.group(1)) <= 1.0 and 0.0 <= float(test.group(1)) <= 1.0
    for name in ("checkpoint.npz", "checkpoint.json", "model.npz", "curves.png", "results.json"):
        assert (out_dir / name).stat().st_size > 0, name
    assert (out_dir / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = json.loads((out_dir / "results.json").read_text())
    assert res["val_acc"] == pytest.approx(float(val.group(1)), abs=5e-5)
    assert res["epochs_done"] == 1 and res["iterations"] == 6
    with np.load(out_dir / "model.npz", allow_pickle=False) as z:
        assert "W1" in z.files  # one layout for every model


def test_twolayer_rejects_fc_options(cifar10_dir, tmp_path):
    r = _run("train", "--model", "twolayer", "--normalization", "batchnorm", "--num-train", "50",
             "--epochs", "1", "--data", str(cifar10_dir), "--out", str(tmp_path))
    assert r.returncode != 0 and "no normalization or dropout" in r.stderr


def test_conv_builders_follow_the_options():
    from cvnn.classifiers.cnn import DeepConvNet, ThreeLayerConvNet
    p = build_parser()
    m = MODELS["conv"][0](p.parse_args(["train", "--model", "conv", "--num-filters", "5,7,9",
                                        "--max-pools", "2,0"]), 3 * 32 * 32, 10, np.float64)
    assert isinstance(m, DeepConvNet) and m.params["W1"].dtype == np.float64
    assert m.params["W1"].shape == (5, 3, 3, 3) and m.params["W3"].shape == (9, 7, 3, 3)
    assert m.params["W4"].shape == (9 * 8 * 8, 10) and "gamma3" in m.params  # two pools, batchnorm
    m = MODELS["conv"][0](p.parse_args(["train", "--model", "conv", "--no-batchnorm"]),
                          3 * 32 * 32, 10, np.float32)
    assert m.params["W1"].shape == (32, 3, 3, 3) and m.params["W4"].shape == (128 * 4 * 4, 10)
    assert "gamma1" not in m.params
    m = MODELS["threelayer"][0](p.parse_args(["train", "--model", "threelayer", "--reg", "0.5"]),
                                3 * 32 * 32, 10, np.float32)
    assert isinstance(m, ThreeLayerConvNet) and m.reg == 0.5
    assert m.params["W1"].shape == (32, 3, 7, 7) and m.params["W2"].shape == (32 * 16 * 16, 500)


@pytest.mark.parametrize("argv,message", [
    (["--model", "conv", "--hidden-dims", "10"], "takes no --hidden-dims"),
    (["--model", "conv", "--num-filters", "4,4", "--max-pools", "2"], "must be below the number"),
    (["--model", "conv", "--num-filters", "4,4,4,4,4,4", "--max-pools", "0,1,2,3,4,5"],
     "below 1 pixel"),
    (["--model", "threelayer", "--num-filters", "4,4"], "one --num-filters value"),
    (["--model", "threelayer", "--dropout-keep", "0.5"], "takes no --hidden-dims"),
])
def test_conv_models_reject_bad_options(argv, message):
    args = build_parser().parse_args(["train", *argv])
    with pytest.raises(SystemExit, match=message):
        MODELS[args.model][0](args, 3 * 32 * 32, 10, np.float32)


def test_train_finds_or_downloads_its_data(tmp_path, monkeypatch):
    from cvnn.__main__ import resolve_data
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CVNN_DATA", str(tmp_path / "nowhere"))
    monkeypatch.setattr("cvnn.data_utils._PROJECT", str(tmp_path / "no-project"))
    assert resolve_data("given/folder", True) == "given/folder"
    with pytest.raises(SystemExit, match="python -m cvnn download"):
        resolve_data(None, False)
    calls = []
    got = resolve_data(None, True, download=lambda dest: calls.append(dest) or "datasets/x")
    assert got == "datasets/x" and calls == ["datasets"]

    def offline(dest):
        raise ConnectionError("no network")
    with pytest.raises(SystemExit, match="could not download CIFAR-10 .no network."):
        resolve_data(None, True, download=offline)


def test_train_uses_data_found_without_downloading(cifar10_dir, monkeypatch):
    from cvnn.__main__ import resolve_data
    monkeypatch.setenv("CVNN_DATA", str(cifar10_dir))

    def must_not_download(dest):
        raise AssertionError("downloaded although the data were there")
    assert pathlib.Path(resolve_data(None, True, download=must_not_download)).resolve() == pathlib.Path(cifar10_dir).resolve()
