"""CIFAR-10 loading: the real binary files (required in CI), a pickle layout the tests build,
and corrupt or missing files."""
import hashlib
import os
import pickle

import numpy as np
import pytest

from cvnn import data_utils


def _write_pickle_batches(d, n=10000, seed=0):
    rng = np.random.default_rng(seed)
    d.mkdir(parents=True, exist_ok=True)
    batches = {}
    for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        labels = list(rng.integers(0, 10, size=n))
        with open(d / name, "wb") as f:
            pickle.dump({"data": data, "labels": labels}, f, protocol=2)
        batches[name] = (data, labels)
    return batches


def test_real_binary_cifar10(cifar10_dir):
    # the checksums of the shared copy match the official release
    for name in ("data_batch_1.bin", "test_batch.bin"):
        h = hashlib.sha1((cifar10_dir / name).read_bytes()).hexdigest()
        assert h == data_utils.CIFAR10_BIN_SHA1[name]
    Xtr, Ytr, Xte, Yte = data_utils.load_CIFAR10(str(cifar10_dir), dtype=np.uint8)
    assert Xtr.shape == (50000, 32, 32, 3) and Xte.shape == (10000, 32, 32, 3)
    assert np.bincount(Ytr).tolist() == [5000] * 10
    assert np.bincount(Yte).tolist() == [1000] * 10
    # the first training record, read independently: label byte, then R, G, B planes
    raw = np.fromfile(cifar10_dir / "data_batch_1.bin", dtype=np.uint8, count=3073)
    assert Ytr[0] == raw[0]
    assert np.array_equal(Xtr[0, :, :, 0], raw[1:1025].reshape(32, 32))
    assert np.array_equal(Xtr[0, :, :, 2], raw[2049:3073].reshape(32, 32))


def test_get_CIFAR10_data_semantics(cifar10_dir):
    data = data_utils.get_CIFAR10_data(num_training=1000, num_validation=100, num_test=100,
                                       cifar10_dir=str(cifar10_dir))
    assert data["X_train"].shape == (1000, 3, 32, 32) and data["X_train"].dtype == np.float32
    assert data["X_val"].shape == (100, 3, 32, 32) and data["y_test"].shape == (100,)
    assert abs(float(data["X_train"].mean())) < 1e-3  # mean image subtracted
    Xtr, Ytr, _, _ = data_utils.load_CIFAR10(str(cifar10_dir), dtype=np.uint8)
    assert np.array_equal(data["y_val"], Ytr[1000:1100])
    d64 = data_utils.get_CIFAR10_data(10, 10, 10, cifar10_dir=str(cifar10_dir), dtype=np.float64)
    assert d64["X_train"].dtype == np.float64


def test_pickle_layout(tmp_path):
    batches = _write_pickle_batches(tmp_path / "cifar-10-batches-py", n=10000)
    Xtr, Ytr, Xte, Yte = data_utils.load_CIFAR10(str(tmp_path))
    assert Xtr.shape == (50000, 32, 32, 3) and Xtr.dtype == np.float64
    data, labels = batches["data_batch_2"]
    assert np.array_equal(Ytr[10000:20000], labels)
    assert np.array_equal(Xtr[10000].transpose(2, 0, 1).reshape(-1), data[0])
    assert np.array_equal(Yte, batches["test_batch"][1])


def test_truncated_and_missing_files(tmp_path):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    rec = np.zeros((10000, 3073), np.uint8)
    for i in range(1, 6):
        rec.tofile(d / ("data_batch_%d.bin" % i))
    rec[:9999].tofile(d / "test_batch.bin")
    with pytest.raises(ValueError, match="test_batch.bin is truncated"):
        data_utils.load_CIFAR10(str(tmp_path))
    os.remove(d / "data_batch_3.bin")
    with pytest.raises(FileNotFoundError, match="data_batch_3.bin is missing"):
        data_utils.load_CIFAR10(str(tmp_path))
    p = tmp_path / "py" / "cifar-10-batches-py"
    _write_pickle_batches(p, n=10)
    with pytest.raises(ValueError, match="data_batch_1 is truncated: 10 images"):
        data_utils.load_CIFAR10(str(tmp_path / "py"))
    (p / "data_batch_1").write_bytes(b"\x80\x02garbage")
    with pytest.raises(ValueError, match="data_batch_1 is truncated or corrupt"):
        data_utils.load_CIFAR10(str(tmp_path / "py"))
    with pytest.raises(FileNotFoundError, match="python -m cvnn download"):
        data_utils.load_CIFAR10(str(tmp_path / "nothing"))
