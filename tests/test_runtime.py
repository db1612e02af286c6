"""The runtime surface: show_config, threads, ISA paths, and the gradient-check helpers."""
import io

import numpy as np
import pytest

import cvnn
from conftest import run_python
from cvnn import _C
from cvnn.gradient_check import (eval_numerical_gradient, eval_numerical_gradient_array,
                                 grad_check_sparse, rel_error)


def test_show_config_reports_version_isa_threads_numpy():
    buf = io.StringIO()
    cvnn.show_config(file=buf)
    text = buf.getvalue()
    assert "cvnn %s" % cvnn.__version__ in text
    assert "ISA path:   %s" % cvnn.get_isa() in text
    assert "threads:    %d" % cvnn.get_num_threads() in text
    assert np.__version__ in text


def test_set_num_threads(threads):
    assert threads(1) == 1 and cvnn.get_num_threads() == 1
    if _C.have_openmp():
        assert threads(2) == 2 and cvnn.get_num_threads() == 2
    with pytest.raises(ValueError, match="set_num_threads: n must be >= 1, got 0"):
        cvnn.set_num_threads(0)
    with pytest.raises(TypeError):
        cvnn.set_num_threads(1.5)


def test_set_isa_rejects_unknown_and_unsupported():
    with pytest.raises(ValueError, match="unknown ISA 'sse9'"):
        cvnn.set_isa("sse9")
    if _C.best_isa() != "avx512":
        with pytest.raises(ValueError, match="not supported by this CPU"):
            cvnn.set_isa("avx512")


def _run(code, **env):
    return run_python(["-c", code], **env)


def test_cvnn_isa_environment_variable():
    r = _run("import cvnn; print(cvnn.get_isa())", CVNN_ISA="generic")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "generic"
    r = _run("import cvnn", CVNN_ISA="bogus")
    assert r.returncode != 0 and "CVNN_ISA=bogus is unknown" in r.stderr


def test_cvnn_num_threads_environment_variable():
    r = _run("import cvnn; print(cvnn.get_num_threads())", CVNN_NUM_THREADS="1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


def test_rel_error_semantics():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # max over elements of |x-y| / max(1e-8, |x|+|y|)
    assert rel_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == pytest.approx(0.5)
    assert rel_error(np.array([0.0]), np.array([1e-9])) == pytest.approx(0.1)


def test_numerical_gradients_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = eval_numerical_gradient(lambda x: np.sum(x ** 3), x.copy(), verbose=False)
    assert rel_error(g, 3 * x ** 2) < 1e-8
    df = np.array([[1.0, 2.0], [3.0, 4.0]])
    ga = eval_numerical_gradient_array(lambda x: np.sin(x), x.copy(), df)
    assert rel_error(ga, np.cos(x) * df) < 1e-8


def test_grad_check_sparse_reports_errors(capsys):
    x = np.random.default_rng(0).standard_normal((5, 4))
    errs = grad_check_sparse(lambda x: np.sum(x ** 2), x, 2 * x, num_checks=5)
    assert len(errs) == 5 and max(errs) < 1e-8
    assert "relative error" in capsys.readouterr().out
    wrong = grad_check_sparse(lambda x: np.sum(x ** 2), x, 3 * x, num_checks=3)
    assert min(wrong) > 0.1
