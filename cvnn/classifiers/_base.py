"""What every cvnn model shares: save/load as a pickle-free .npz (parameters, batch-norm
running statistics and a JSON description), and the L2 penalty."""
import numpy as np

from .._checkpoint import check_arrays, load_npz, save_npz
from .._device import check_device

__all__ = []


class _NpzModel:
    """save/load of a model's arrays (params and any running statistics) as .npz."""

    def _state_arrays(self):
        return dict(self.params)

    def _set_state_arrays(self, arrays):
        for k, v in arrays.items():
            self.params[k] = v.astype(self.dtype)

    def _meta(self):
        return {"class": type(self).__name__, "reg": self.reg, "dtype": np.dtype(self.dtype).name}

    def save(self, fname):
        """Save the parameters (and batchnorm running statistics) to the .npz file `fname`
        ('.npz' is appended when missing), without pickle. Returns the path written."""
        path, _ = save_npz(fname, self._state_arrays(), self._meta())
        print("Saved in %s" % path)
        return path

    def _read(self, fname):
        """(arrays, meta) of a file written by save."""
        return load_npz(fname, what="model")

    def load(self, fname, dtype=None, device=None):
        """Load parameters saved by `save` into this model, which must have the same
        architecture (same parameter names and shapes); the saved reg is restored too.
        `dtype` (EECS 598's argument), when given, becomes the model's dtype and the arrays
        are cast to it; `device` must be the CPU. Raises ValueError for a corrupt file or an
        architecture mismatch; on error nothing is changed."""
        where = "%s.load(%s)" % (type(self).__name__, fname)
        check_device(device, where)
        arrays, meta = self._read(fname)
        if not meta or meta.get("class") != type(self).__name__:
            raise ValueError("%s: the file holds a %s, not a %s"
                             % (where, (meta or {}).get("class"), type(self).__name__))
        check_arrays(arrays, self._state_arrays(), where)
        if dtype is not None:
            self.dtype = np.dtype(dtype).type
        self._set_state_arrays(arrays)
        self.reg = float(meta.get("reg", self.reg))
        print("load checkpoint file: %s" % fname)
        return self


def _regularize(loss, grads, params, names, reg):
    """Add 0.5 * reg * sum(W**2) to the loss and reg * W to the gradients of `names`."""
    if reg == 0:
        return loss
    for k in names:
        W = params[k]
        loss += 0.5 * reg * float(np.sum(np.square(W, dtype=np.float64)))
        grads[k] = grads[k] + reg * W
    return loss
