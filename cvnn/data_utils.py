"""CIFAR-10 loading with CS231n semantics, from either official layout:

- the binary version (``cifar-10-batches-bin/``: ``data_batch_1..5.bin``, ``test_batch.bin``,
  3073-byte records: a label byte, then 1024 red, 1024 green, 1024 blue bytes), and
- the python version (``cifar-10-batches-py/``: pickled dicts with ``data`` and ``labels``),
  which is what most users download.

Files are checked for size (binary) or content (pickle): a missing, truncated or corrupt file
raises an error that names it, never a silently short data set.

Where the data are looked for, in order: an explicit path, the environment variable
``CVNN_DATA``, the ``datasets/`` folder of the current directory and of the project, and
``../shared/datasets/cifar10`` beside the project.
"""
import os
import pickle
import platform

import numpy as np

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]

_RECORD = 3073
_PER_FILE = 10000
_BIN_DIR = "cifar-10-batches-bin"
_PY_DIR = "cifar-10-batches-py"
_HERE = os.path.dirname(os.path.abspath(__file__))
_PROJECT = os.path.dirname(_HERE)

# SHA1 of the binary files, as published for the official archive's members
CIFAR10_BIN_SHA1 = {
    "data_batch_1.bin": "aadd24acce27caa71bf4b10992e9e7b2d74c2540",
    "data_batch_2.bin": "c0ba65cce70568cd57b4e03e9ac8d2a5367c1795",
    "data_batch_3.bin": "1dd00a74ab1d17a6e7d73e185b69dbf31242f295",
    "data_batch_4.bin": "aab85764eb3584312d3c7f65fd2fd016e36a258e",
    "data_batch_5.bin": "26e2849e66a845b7f1e4614ae70f4889ae604628",
    "test_batch.bin": "67eb016db431130d61cd03c7ad570b013799c88c",
}

MISSING_HELP = ("CIFAR-10 was not found. Download it with `python -m cvnn download` (needs "
                "internet), or put the official `cifar-10-batches-py` (or `cifar-10-batches-bin`) "
                "folder under ./datasets/, or set CVNN_DATA to the folder that holds it.")


def load_pickle(f):
    """Unpickle a CIFAR batch from an open file, Python 2 or 3 pickles alike."""
    version = platform.python_version_tuple()
    if version[0] == "2":
        return pickle.load(f)
    return pickle.load(f, encoding="latin1")


def _check_images(X, Y, filename):
    if X.shape[0] != Y.shape[0] or X.shape[0] == 0:
        raise ValueError("CIFAR-10 file %s is corrupt: %d images but %d labels"
                         % (filename, X.shape[0], Y.shape[0]))
    if Y.min() < 0 or Y.max() > 9:
        raise ValueError("CIFAR-10 file %s is corrupt: labels outside 0..9" % filename)


def _load_bin_batch(filename):
    if not os.path.isfile(filename):
        raise FileNotFoundError("CIFAR-10 file %s is missing. %s" % (filename, MISSING_HELP))
    size = os.path.getsize(filename)
    if size != _RECORD * _PER_FILE:
        raise ValueError("CIFAR-10 file %s is truncated or corrupt: %d bytes, expected %d"
                         % (filename, size, _RECORD * _PER_FILE))
    raw = np.fromfile(filename, dtype=np.uint8).reshape(_PER_FILE, _RECORD)
    Y = raw[:, 0].astype(np.int64)
    X = raw[:, 1:].reshape(_PER_FILE, 3, 32, 32).transpose(0, 2, 3, 1)
    _check_images(X, Y, filename)
    return X, Y


def _load_py_batch(filename):
    if not os.path.isfile(filename):
        raise FileNotFoundError("CIFAR-10 file %s is missing. %s" % (filename, MISSING_HELP))
    try:
        with open(filename, "rb") as f:
            datadict = load_pickle(f)
        X = np.asarray(datadict["data"])
        Y = np.asarray(datadict["labels"])
    except Exception as exc:
        raise ValueError("CIFAR-10 file %s is truncated or corrupt: %s" % (filename, exc)) from exc
    if X.ndim != 2 or X.shape[1] != 3072:
        raise ValueError("CIFAR-10 file %s is corrupt: data has shape %s, expected (N, 3072)"
                         % (filename, X.shape))
    if X.shape[0] != _PER_FILE:
        raise ValueError("CIFAR-10 file %s is truncated: %d images, expected %d"
                         % (filename, X.shape[0], _PER_FILE))
    X = X.astype(np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    Y = Y.astype(np.int64)
    _check_images(X, Y, filename)
    return X, Y


def load_CIFAR_batch(filename, dtype=np.float64):
    """Load one CIFAR-10 batch file of either layout (``.bin`` or pickled).

    Returns
    -------
    X : ndarray, shape (10000, 32, 32, 3), dtype `dtype` (float64 as CS231n; pass np.uint8 to
        keep the raw bytes)
    Y : ndarray, shape (10000,), int64 labels in 0..9
    """
    if filename.endswith(".bin"):
        X, Y = _load_bin_batch(filename)
    else:
        X, Y = _load_py_batch(filename)
    return X.astype(dtype), Y


def find_cifar10(root=None):
    """Return the folder that holds CIFAR-10 batches (binary or python layout), searching an
    explicit `root`, $CVNN_DATA, ./datasets, the project's datasets/ and
    ../shared/datasets/cifar10. Raises FileNotFoundError with instructions when none has it."""
    bases = []
    if root is not None:
        bases.append(str(root))
    else:
        if os.environ.get("CVNN_DATA"):
            bases.append(os.environ["CVNN_DATA"])
        bases += [os.path.join(os.getcwd(), "datasets"), os.path.join(_PROJECT, "datasets"),
                  os.path.join(_PROJECT, "..", "shared", "datasets", "cifar10")]
    for base in bases:
        for sub in ("", _PY_DIR, _BIN_DIR):
            d = os.path.join(base, sub)
            if os.path.isfile(os.path.join(d, "data_batch_1")) or \
                    os.path.isfile(os.path.join(d, "data_batch_1.bin")):
                return os.path.normpath(d)
    if root is not None:
        raise FileNotFoundError("No CIFAR-10 batches under %s. %s" % (root, MISSING_HELP))
    raise FileNotFoundError(MISSING_HELP)


def load_CIFAR10(ROOT=None, dtype=np.float64):
    """Load all of CIFAR-10 from the folder ROOT (either layout; None searches the usual places).

    Returns
    -------
    Xtr : ndarray, shape (50000, 32, 32, 3)
    Ytr : ndarray, shape (50000,)
    Xte : ndarray, shape (10000, 32, 32, 3)
    Yte : ndarray, shape (10000,)

    float64 as in CS231n takes about 1.4 GB; pass dtype=np.float32 to halve it.
    """
    d = find_cifar10(ROOT)
    ext = ".bin" if os.path.isfile(os.path.join(d, "data_batch_1.bin")) else ""
    xs, ys = [], []
    for b in range(1, 6):
        X, Y = load_CIFAR_batch(os.path.join(d, "data_batch_%d%s" % (b, ext)), dtype)
        xs.append(X)
        ys.append(Y)
    Xtr = np.concatenate(xs)
    Ytr = np.concatenate(ys)
    Xte, Yte = load_CIFAR_batch(os.path.join(d, "test_batch%s" % ext), dtype)
    return Xtr, Ytr, Xte, Yte


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000,
                     subtract_mean=True, cifar10_dir=None, dtype=np.float32):
    """Load CIFAR-10 and prepare it for classifiers, as CS231n's ``get_CIFAR10_data``:
    the last `num_validation` of the first 49,000+1,000 training images become the validation
    set, the mean training image is subtracted, and images are transposed to (N, 3, 32, 32).

    Returns
    -------
    dict with X_train (num_training, 3, 32, 32), y_train, X_val, y_val, X_test, y_test;
    images in `dtype` (float32 by default, half CS231n's float64 memory).
    """
    X_train, y_train, X_test, y_test = load_CIFAR10(cifar10_dir, dtype=np.float32)
    if num_training + num_validation > X_train.shape[0] or num_test > X_test.shape[0]:
        raise ValueError("get_CIFAR10_data: asked for %d+%d training/validation and %d test "
                         "images; CIFAR-10 has %d and %d"
                         % (num_training, num_validation, num_test, X_train.shape[0], X_test.shape[0]))
    mask = list(range(num_training, num_training + num_validation))
    X_val, y_val = X_train[mask], y_train[mask]
    X_train, y_train = X_train[:num_training], y_train[:num_training]
    X_test, y_test = X_test[:num_test], y_test[:num_test]
    if subtract_mean:
        mean_image = np.mean(X_train, axis=0, dtype=np.float64).astype(np.float32)
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image
    out = {
        "X_train": X_train.transpose(0, 3, 1, 2), "y_train": y_train,
        "X_val": X_val.transpose(0, 3, 1, 2), "y_val": y_val,
        "X_test": X_test.transpose(0, 3, 1, 2), "y_test": y_test,
    }
    for k in ("X_train", "X_val", "X_test"):
        out[k] = np.ascontiguousarray(out[k], dtype=dtype)
    return out


# ---- download (python -m cvnn download) ----

CIFAR10_ARCHIVES = {
    # layout: (url, md5 of the archive, folder it holds)
    "python": ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
               "c58f30108f718f92721af3b95e74349a", _PY_DIR),
    "binary": ("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
               "c32a1d4ab5d03f1284b67883e8d87530", _BIN_DIR),
}


def _fetch(url, part, progress, timeout):
    """Stream `url` into the file `part`, with a tqdm bar sized from Content-Length."""
    import urllib.request

    from tqdm import tqdm
    with urllib.request.urlopen(url, timeout=timeout) as r, open(part, "wb") as f:
        total = r.headers.get("Content-Length")
        with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                  unit_divisor=1024, desc=os.path.basename(part[:-5]),
                  disable=not progress) as bar:
            for chunk in iter(lambda: r.read(1 << 16), b""):
                f.write(chunk)
                bar.update(len(chunk))


def _safe_extract(archive, dest):
    """Extract the tar.gz `archive` into `dest`, refusing (ValueError, nothing extracted) any
    member that is not a plain file or folder or whose path would leave `dest`."""
    import shutil
    import tarfile
    import tempfile

    dest_abs = os.path.realpath(dest)
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ValueError("%s is not a readable .tar.gz archive: %s" % (archive, exc)) from exc
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ValueError("%s is truncated or corrupt: %s" % (archive, exc)) from exc
        for m in members:
            target = os.path.realpath(os.path.join(dest_abs, m.name))
            if not (m.isfile() or m.isdir()) or os.path.isabs(m.name) or \
                    os.path.commonpath([dest_abs, target]) != dest_abs:
                raise ValueError("%s holds an unsafe member %r (a link, device, absolute path or "
                                 "a path outside the destination): refusing to extract"
                                 % (archive, m.name))
        # extract into a private folder, then move the top-level entries into place
        tmp = tempfile.mkdtemp(prefix=".extract-", dir=dest_abs)
        try:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tar.extractall(tmp, members=members)
            for name in os.listdir(tmp):
                final = os.path.join(dest_abs, name)
                if os.path.exists(final):
                    shutil.rmtree(final) if os.path.isdir(final) else os.remove(final)
                os.replace(os.path.join(tmp, name), final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def download_CIFAR10(dest="datasets", layout="python", url=None, md5=None, progress=True,
                     force=False, timeout=60):
    """Download and extract the official CIFAR-10 archive into `dest`.

    Parameters
    ----------
    dest : folder to put the archive and the extracted batches in (created if needed)
    layout : 'python' (cifar-10-python.tar.gz -> cifar-10-batches-py/, what CS231n uses) or
        'binary' (cifar-10-binary.tar.gz -> cifar-10-batches-bin/)
    url, md5 : override the official address and MD5 (mirrors, tests)
    progress : show a tqdm progress bar
    force : download and extract again even if the batches are already there
    timeout : seconds to wait for the server

    Returns
    -------
    path : the extracted folder, e.g. datasets/cifar-10-batches-py

    An archive already in `dest` (e.g. copied there by hand on an offline machine) is used
    without downloading. The MD5 is checked before anything is extracted; a mismatch raises
    ValueError and deletes the bad archive. Without network access a ConnectionError says
    which file to put where.
    """
    import urllib.error

    from ._checkpoint import file_digest

    if layout not in CIFAR10_ARCHIVES:
        raise ValueError("download_CIFAR10: layout must be 'python' or 'binary', got %r" % (layout,))
    off_url, off_md5, folder = CIFAR10_ARCHIVES[layout]
    url = url or off_url
    md5 = (md5 or off_md5).lower()
    dest = os.fspath(dest)
    out = os.path.join(dest, folder)
    marker = "data_batch_1.bin" if layout == "binary" else "data_batch_1"
    if not force and os.path.isfile(os.path.join(out, marker)):
        return out
    os.makedirs(dest, exist_ok=True)
    # the archive keeps its official name whatever the url, so a hand-copied one is found
    archive = os.path.join(dest, off_url.rsplit("/", 1)[-1])
    if force or not os.path.isfile(archive):
        part = archive + ".part"
        try:
            _fetch(url, part, progress, timeout)
        except (urllib.error.URLError, OSError) as exc:
            if os.path.exists(part):
                os.remove(part)
            raise ConnectionError(
                "Could not download %s (%s). Without internet access, fetch that file on another "
                "machine (MD5 %s) and copy it to %s, then run this again; or extract it there so "
                "that %s exists." % (url, getattr(exc, "reason", exc), md5, archive, out)) from exc
        os.replace(part, archive)
    got = file_digest(archive, "md5")
    if got != md5:
        os.remove(archive)
        raise ValueError("The archive from %s has MD5 %s, expected %s: the download is corrupt "
                         "or not the official file; it was deleted, run this again."
                         % (url, got, md5))
    _safe_extract(archive, dest)
    if not os.path.isdir(out):
        raise ValueError("The archive %s did not contain %s/" % (archive, folder))
    return out
