"""download_CIFAR10 without internet: a local http.server on 127.0.0.1 serves a small tarball
built here; the MD5 is checked before extraction, bad or unsafe archives extract nothing, and
an unreachable server gives an error that says where to put the file."""
import functools
import hashlib
import http.server
import io
import os
import socket
import tarfile
import threading

import numpy as np
import pytest

from cvnn import data_utils


def _tarball(path, folder="cifar-10-batches-py", extra=None):
    """A tar.gz shaped like the official one: folder/data_batch_1..5, test_batch, readme."""
    with tarfile.open(path, "w:gz") as tar:
        def add(name, data, **kw):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            for k, v in kw.items():
                setattr(info, k, v)
            tar.addfile(info, io.BytesIO(data))
        for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch", "readme.html"]:
            add("%s/%s" % (folder, name), ("contents of %s" % name).encode())
        for name, data, kw in extra or []:
            add(name, data, **kw)
    return hashlib.md5(open(path, "rb").read()).hexdigest()


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www on 127.0.0.1; yields the base URL."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1], www
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_checks_md5_and_extracts(server, tmp_path):
    base, www = server
    md5 = _tarball(www / "c10.tar.gz")
    dest = tmp_path / "data"
    out = data_utils.download_CIFAR10(dest=str(dest), url=base + "/c10.tar.gz", md5=md5,
                                      progress=False)
    assert out == str(dest / "cifar-10-batches-py")
    assert (dest / "cifar-10-batches-py" / "data_batch_5").read_bytes() == b"contents of data_batch_5"
    assert (dest / "cifar-10-python.tar.gz").is_file()  # kept under its official name
    assert not any(p.name.startswith(".extract-") or p.suffix == ".part" for p in dest.iterdir())
    # a second call finds the data and does not download again
    (www / "c10.tar.gz").unlink()
    assert data_utils.download_CIFAR10(dest=str(dest), url=base + "/c10.tar.gz", md5=md5,
                                       progress=False) == out


def test_wrong_checksum_extracts_nothing(server, tmp_path):
    base, www = server
    _tarball(www / "c10.tar.gz")
    dest = tmp_path / "data"
    with pytest.raises(ValueError, match="MD5 .* expected 0123456789abcdef0123456789abcdef"):
        data_utils.download_CIFAR10(dest=str(dest), url=base + "/c10.tar.gz",
                                    md5="0123456789abcdef0123456789abcdef", progress=False)
    assert sorted(os.listdir(dest)) == []  # bad archive deleted, nothing extracted


def test_official_checksums_are_the_published_ones():
    assert data_utils.CIFAR10_ARCHIVES["python"][1] == "c58f30108f718f92721af3b95e74349a"
    assert data_utils.CIFAR10_ARCHIVES["binary"][1] == "c32a1d4ab5d03f1284b67883e8d87530"
    assert data_utils.CIFAR10_ARCHIVES["python"][0] == \
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def test_offline_error_says_where_to_put_the_file(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    dest = tmp_path / "data"
    with pytest.raises(ConnectionError) as info:
        data_utils.download_CIFAR10(dest=str(dest), url="http://127.0.0.1:%d/x.tar.gz" % port,
                                    progress=False, timeout=5)
    msg = str(info.value)
    assert str(dest / "cifar-10-python.tar.gz") in msg and "c58f30108f718f92721af3b95e74349a" in msg
    assert not any(dest.iterdir())


def test_hand_copied_archive_is_used_offline(tmp_path):
    dest = tmp_path / "data"
    dest.mkdir()
    md5 = _tarball(dest / "cifar-10-binary.tar.gz", folder="cifar-10-batches-bin")
    out = data_utils.download_CIFAR10(dest=str(dest), layout="binary", md5=md5,
                                      url="http://127.0.0.1:9/unreachable", progress=False)
    assert (dest / "cifar-10-batches-bin" / "test_batch").is_file() and out.endswith("bin")


@pytest.mark.parametrize("member,kw", [
    ("../evil.txt", {}),
    ("/tmp/evil_abs.txt", {}),
    ("cifar-10-batches-py/link", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}),
])
def test_unsafe_archive_is_refused(tmp_path, member, kw):
    dest = tmp_path / "data"
    dest.mkdir()
    md5 = _tarball(dest / "cifar-10-python.tar.gz", extra=[(member, b"x", kw)])
    with pytest.raises(ValueError, match="unsafe member"):
        data_utils.download_CIFAR10(dest=str(dest), md5=md5, url="http://127.0.0.1:9/x",
                                    progress=False)
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(os.listdir(dest)) == ["cifar-10-python.tar.gz"]


def test_truncated_archive_is_refused(tmp_path):
    dest = tmp_path / "data"
    dest.mkdir()
    full = tmp_path / "full.tar.gz"
    _tarball(full)
    data = full.read_bytes()[:200]
    (dest / "cifar-10-python.tar.gz").write_bytes(data)
    with pytest.raises(ValueError, match="truncated or corrupt|not a readable"):
        data_utils.download_CIFAR10(dest=str(dest), md5=hashlib.md5(data).hexdigest(),
                                    url="http://127.0.0.1:9/x", progress=False)


def test_bad_layout():
    with pytest.raises(ValueError, match="layout"):
        data_utils.download_CIFAR10(layout="matlab")


def test_downloaded_pickles_load(server, tmp_path):
    # the python layout that download produces is what load_CIFAR10 reads
    import pickle
    base, www = server
    data = np.tile(np.arange(3072, dtype=np.uint8), (10000, 1))  # compresses fast
    with tarfile.open(www / "c.tar.gz", "w:gz") as tar:
        for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]:
            blob = pickle.dumps({"data": data, "labels": [i % 10 for i in range(10000)]},
                                protocol=2)
            info = tarfile.TarInfo("cifar-10-batches-py/" + name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    md5 = hashlib.md5((www / "c.tar.gz").read_bytes()).hexdigest()
    out = data_utils.download_CIFAR10(dest=str(tmp_path / "d"), url=base + "/c.tar.gz", md5=md5,
                                      progress=False)
    Xtr, Ytr, Xte, Yte = data_utils.load_CIFAR10(out, dtype=np.uint8)
    assert Xtr.shape == (50000, 32, 32, 3) and Yte.shape == (10000,)
    assert Xtr[0, 0, 1, 0] == 1 and Ytr[13] == 3
