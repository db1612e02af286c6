"""Against PyTorch autograd, where PyTorch is installed (the `torch` extra)."""
import numpy as np
import pytest

from conftest import assert_close
from cvnn.layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss, svm_loss

torch = pytest.importorskip("torch")


def test_affine_relu_against_autograd(dtype, rng):
    x = rng.standard_normal((16, 3, 4, 5)).astype(dtype)
    w = rng.standard_normal((60, 11)).astype(dtype)
    b = rng.standard_normal(11).astype(dtype)
    dout = rng.standard_normal((16, 11)).astype(dtype)
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    ta = tx.reshape(16, -1) @ tw + tb
    tr = torch.relu(ta)
    tr.backward(torch.tensor(dout, dtype=torch.float64))
    a, c1 = affine_forward(x, w, b)
    r, c2 = relu_forward(a)
    assert_close(r, tr.detach().numpy(), dtype)
    dx, dw, db = affine_backward(relu_backward(dout, c2), c1)
    assert_close(dx, tx.grad.numpy(), dtype)
    assert_close(dw, tw.grad.numpy(), dtype)
    assert_close(db, tb.grad.numpy(), dtype)


def test_losses_against_torch(dtype, rng):
    x = (rng.standard_normal((40, 10)) * 2).astype(dtype)
    y = rng.integers(10, size=40)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(y))
    tl.backward()
    loss, dx = softmax_loss(x, y)
    assert abs(loss - tl.item()) < (1e-10 if dtype == np.float64 else 1e-5)
    assert_close(dx, tx.grad.numpy(), dtype)
    # torch's multi_margin_loss also divides by the number of classes
    tx2 = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tl2 = torch.nn.functional.multi_margin_loss(tx2, torch.tensor(y), margin=1.0) * 10
    tl2.backward()
    loss, dx = svm_loss(x, y)
    assert abs(loss - tl2.item()) < (1e-10 if dtype == np.float64 else 1e-4)
    assert_close(dx, tx2.grad.numpy(), dtype)
