import numpy as np
import pytest
import torch

from course_lib import tensors


@pytest.mark.parametrize(
    ("a", "b"),
    [((3, 4), (4,)), ((8, 1, 6, 1), (7, 1, 5)), ((), (2, 3)), ((5, 1), (1, 7)), ((0, 1), (3,))],
)
def test_broadcast_shape_agrees_with_numpy_and_torch(a, b):
    assert tensors.broadcast_shape(a, b) == np.broadcast_shapes(a, b)
    assert tensors.broadcast_shape(a, b) == tuple(torch.broadcast_shapes(a, b))


@pytest.mark.parametrize(("a", "b", "axis"), [((3, 4), (3,), -1), ((8, 1, 6, 1), (4, 5), -2)])
def test_broadcast_shape_names_the_clashing_axis_and_numpy_and_torch_refuse_too(a, b, axis):
    with pytest.raises(ValueError, match=rf"do not broadcast: on axis {axis} "):
        tensors.broadcast_shape(a, b)
    with pytest.raises(ValueError):
        np.broadcast_shapes(a, b)
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes(a, b)


def test_align_right_pads_the_shorter_shape_on_the_left():
    assert tensors.align_right((8, 1, 6), (7, 1)) == [(8, None), (1, 7), (6, 1)]
    assert tensors.align_right((), ()) == []


def test_shapes_must_be_non_negative_ints():
    with pytest.raises(ValueError, match="a must contain non-negative ints"):
        tensors.broadcast_shape((2, -1), (2,))
    with pytest.raises(ValueError, match="b must be a sequence of ints"):
        tensors.dot_shape((2,), ("x",))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [((2, 3, 4, 5), (5,), (2, 3, 4)), ((2, 3, 4, 5), (5, 6), (2, 3, 4, 6)), ((7,), (7,), ())],
)
def test_dot_shape_matches_np_dot(a, b, expected):
    rng = np.random.default_rng(0)
    assert tensors.dot_shape(a, b) == expected == np.dot(rng.random(a), rng.random(b)).shape


def test_dot_shape_errors_name_both_shapes():
    with pytest.raises(ValueError, match=r"last axis of a \(64\).*first axis of b \(10\)"):
        tensors.dot_shape((32, 64), (10, 64))


def test_naive_loops_match_vectorised_operations():
    x = np.random.default_rng(1).normal(size=(3, 5))
    y = np.arange(5.0)
    np.testing.assert_array_equal(tensors.naive_relu(x), np.maximum(x, 0))
    np.testing.assert_array_equal(tensors.naive_add_row(x, y), x + y)


def test_channels_first_and_last_are_transposes_that_match_torch():
    images = np.arange(2 * 4 * 5 * 3, dtype=np.float32).reshape(2, 4, 5, 3)  # (n, h, w, c)
    first = tensors.channels_first(images)
    assert first.shape == (2, 3, 4, 5) and np.shares_memory(first, images)
    np.testing.assert_array_equal(first[1, 2], images[1, :, :, 2])  # one whole colour plane
    np.testing.assert_array_equal(first, torch.from_numpy(images).permute(0, 3, 1, 2).numpy())
    np.testing.assert_array_equal(tensors.channels_last(first), images)
    assert not np.array_equal(first, images.reshape(2, 3, 4, 5))  # a reshape scrambles


def test_neuron_gradient_by_hand_matches_autograd_and_finite_differences():
    rng = np.random.default_rng(2)
    x, w, y, b = rng.normal(size=(5, 3)), rng.normal(size=3), rng.random(5), -0.2
    grad_w, grad_b = tensors.neuron_loss_grad(x, w, b, y)
    w_t = torch.tensor(w, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = ((torch.sigmoid(torch.from_numpy(x) @ w_t + b_t) - torch.from_numpy(y)) ** 2).mean()
    loss.backward()
    np.testing.assert_allclose(tensors.neuron_loss(x, w, b, y), loss.item(), rtol=1e-12)
    np.testing.assert_allclose(grad_w, w_t.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(grad_b, b_t.grad.item(), rtol=1e-10)
    numeric = tensors.numerical_gradient(lambda v: tensors.neuron_loss(x, v, b, y), w)
    np.testing.assert_allclose(numeric, grad_w, rtol=1e-6)


def test_numerical_gradient_of_a_quadratic_and_bad_arguments():
    at = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = at.copy()
    np.testing.assert_allclose(
        tensors.numerical_gradient(lambda v: float(np.sum(v**2)), at), 2 * at
    )
    np.testing.assert_array_equal(at, before)  # the point is not modified
    with pytest.raises(ValueError, match="eps must be positive, got 0"):
        tensors.numerical_gradient(lambda v: 0.0, at, eps=0)
    with pytest.raises(ValueError, match="at contains NaN or infinity"):
        tensors.numerical_gradient(lambda v: 0.0, np.array([np.inf]))


def test_central_differences_error_shrinks_like_eps_squared():
    at, exact = np.array([0.3]), np.cos(0.3)
    errors = [
        abs(tensors.numerical_gradient(lambda v: float(np.sin(v[0])), at, eps)[0] - exact)
        for eps in (1e-2, 1e-3)
    ]
    assert 50 < errors[0] / errors[1] < 200  # a ten times smaller eps: a hundred times smaller


def test_sigmoid_values():
    np.testing.assert_allclose(tensors.sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75])
