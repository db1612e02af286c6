"""Pickle-free saving and loading of arrays: ``.npz`` files read with ``allow_pickle=False``
(so loading a file can never run code), a SHA-256 checksum of the file, and clear
``ValueError``s for truncated, tampered or mismatched files. Used by the models' save/load and
by the Solver's checkpoints."""
import hashlib
import json
import os
import zipfile

import numpy as np

_META = "__meta__"


def file_digest(path, algorithm="sha256"):
    """Hex digest of a file's bytes ('sha256', 'md5', ...), read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def npz_path(path):
    """np.savez appends '.npz' to names without it; return the name it will really write."""
    path = os.fspath(path)
    return path if path.endswith(".npz") else path + ".npz"


def save_npz(path, arrays, meta=None):
    """Write `arrays` (str -> ndarray) and an optional JSON-able `meta` dict to the .npz file
    `path`, through a temporary file renamed into place (a crash never leaves half a file under
    the final name). Returns (the path written, its SHA-256)."""
    path = npz_path(path)
    for k, a in arrays.items():
        if k == _META:
            raise ValueError("save_npz: '%s' is a reserved name" % _META)
        if np.asarray(a).dtype.hasobject:
            raise TypeError("save_npz: array '%s' has dtype object, which needs pickle" % k)
    payload = {k: np.asarray(a) for k, a in arrays.items()}
    if meta is not None:
        payload[_META] = np.array(json.dumps(meta, sort_keys=True))
    tmp = path + ".tmp.npz"
    np.savez(tmp, **payload)
    os.replace(tmp, path)
    return path, file_digest(path)


def load_npz(path, sha256=None, what="checkpoint"):
    """Read every array of an .npz written by save_npz. Returns (arrays dict, meta or None).

    Raises FileNotFoundError for a missing file and ValueError for a checksum mismatch (when
    `sha256` is given) or a file that is not a complete, pickle-free .npz."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError("%s file %s does not exist" % (what, path))
    if sha256 is not None:
        got = file_digest(path)
        if got != sha256:
            raise ValueError("%s file %s is truncated or was modified: its SHA-256 is %s, the "
                             "checkpoint's JSON records %s" % (what, path, got, sha256))
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}  # reads (and CRC-checks) every member
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ValueError("%s file %s is truncated or corrupt, or holds pickled objects: %s"
                         % (what, path, exc)) from exc
    meta = None
    if _META in arrays:
        try:
            meta = json.loads(str(arrays.pop(_META)))
        except ValueError as exc:
            raise ValueError("%s file %s has unreadable metadata: %s" % (what, path, exc)) from exc
    return arrays, meta


def check_arrays(got, want, where):
    """Every name of `want` (str -> ndarray) must be in `got` with the same shape; no extra
    names. ValueError naming the first difference otherwise."""
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        raise ValueError("%s: arrays do not match the model: missing %s, unexpected %s"
                         % (where, missing, extra))
    for k in sorted(want):
        if np.shape(got[k]) != np.shape(want[k]):
            raise ValueError("%s: '%s' has shape %s but the model's has shape %s"
                             % (where, k, np.shape(got[k]), np.shape(want[k])))


def model_state(model):
    """The arrays that define a trained model: its ``params`` plus, for every dict in its
    ``bn_params`` that belongs to batch norm (vanilla or spatial), the running mean and variance, named
    ``bn<i>_running_mean`` / ``bn<i>_running_var`` for ``bn_params[i-1]``. Statistics not
    created yet (no training pass so far) are zeros shaped like ``gamma<i>``, which is what
    batch norm would start them at, so a fresh model has the same state layout as a trained
    one."""
    arrays = dict(model.params)
    for i, bp in enumerate(getattr(model, "bn_params", None) or [], start=1):
        gamma = model.params.get("gamma%d" % i)
        if gamma is None or not ("mode" in bp or "running_mean" in bp):
            continue  # layer norm keeps empty dicts here (CS231n), with no statistics
        zeros = np.zeros(np.size(gamma), dtype=np.asarray(gamma).dtype)
        for key in ("running_mean", "running_var"):
            arrays["bn%d_%s" % (i, key)] = bp.get(key, zeros)
    return arrays


def set_model_state(model, arrays, dtype=None):
    """Put arrays named as by model_state back into the model (cast to `dtype` if given)."""
    for k, v in arrays.items():
        if dtype is not None:
            v = np.asarray(v).astype(dtype)
        if k.startswith("bn") and "_running_" in k:
            i, key = k[2:].split("_", 1)
            model.bn_params[int(i) - 1][key] = v
        else:
            model.params[k] = v
