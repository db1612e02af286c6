"""Every notebook in notebooks/ runs end to end. The test sets CVNN_NOTEBOOK_QUICK=1, which the
notebooks read to shrink their training runs; a user who runs them gets the full version."""
import os
import pathlib

import pytest

import cvnn

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, cifar10_dir, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # the kernel imports the same cvnn as this process, and finds the same data
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(pathlib.Path(cvnn.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("CVNN_DATA", str(cifar10_dir))
    monkeypatch.setenv("CVNN_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(str(path), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
