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
def test_broadcast_shape_names_the_clashing_axis(a, b, axis):
    with pytest.raises(ValueError, match=rf"do not broadcast: on axis {axis} "):
        tensors.broadcast_shape(a, b)
    with pytest.raises(ValueError):
        np.broadcast_shapes(a, b)


def test_align_right_pads_the_shorter_shape_on_the_left():
    assert tensors.align_right((8, 1, 6), (7, 1)) == [(8, None), (1, 7), (6, 1)]
    assert tensors.align_right((), ()) == []


def test_as_shape_rejects_bad_sizes():
    assert tensors.as_shape([2, 3]) == (2, 3)
    with pytest.raises(ValueError, match="a must contain non-negative ints"):
        tensors.as_shape((2, -1), "a")
    with pytest.raises(ValueError, match="b must be a sequence of ints"):
        tensors.as_shape(("x",), "b")


@pytest.mark.parametrize(
    ("text", "shape"), [("3, 1, 5", (3, 1, 5)), ("(3,1,5)", (3, 1, 5)), ("3x1", (3, 1)), ("", ())]
)
def test_parse_shape(text, shape):
    assert tensors.parse_shape(text) == shape


def test_parse_shape_rejects_words():
    with pytest.raises(ValueError, match="text must be sizes separated by commas"):
        tensors.parse_shape("three, four")


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
    with pytest.raises(ValueError, match="b of rank 1 or 2"):
        tensors.dot_shape((3, 4), (4, 2, 2))


def test_naive_loops_match_vectorised_operations():
    x = np.random.default_rng(1).normal(size=(3, 5))
    y = np.arange(5.0)
    np.testing.assert_array_equal(tensors.naive_relu(x), np.maximum(x, 0))
    np.testing.assert_array_equal(tensors.naive_add_row(x, y), x + y)


def test_naive_loops_check_shapes():
    with pytest.raises(ValueError, match=r"x must be rank 2 \(n, m\), got shape \(3,\)"):
        tensors.naive_relu(np.zeros(3))
    with pytest.raises(
        ValueError, match=r"x must be \(n, m\) and y \(m,\), got \(2, 3\) and \(2,\)"
    ):
        tensors.naive_add_row(np.zeros((2, 3)), np.zeros(2))


def test_image_reshapes_share_memory_and_keep_pixels():
    images = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    dense, conv = tensors.images_for_dense(images), tensors.images_for_conv(images)
    assert dense.shape == (2, 12) and conv.shape == (2, 1, 3, 4)
    assert np.shares_memory(dense, images) and np.shares_memory(conv, images)
    np.testing.assert_array_equal(dense[1], images[1].ravel())
    for function in (tensors.images_for_dense, tensors.images_for_conv):
        with pytest.raises(
            ValueError, match=r"images must be rank 3 \(n, h, w\), got shape \(12,\)"
        ):
            function(np.zeros(12))


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


def test_neuron_checks_shapes():
    with pytest.raises(ValueError, match=r"need x \(n, d\), w \(d,\), y \(n,\); got x \(4, 3\)"):
        tensors.neuron_loss(np.zeros((4, 3)), np.zeros(2), 0.0, np.zeros(4))
    with pytest.raises(ValueError, match="need x"):
        tensors.neuron_loss_grad(np.zeros((4, 3)), np.zeros(3), 0.0, np.zeros(5))


def test_numerical_gradient_of_a_quadratic_and_bad_eps():
    at = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(
        tensors.numerical_gradient(lambda v: float(np.sum(v**2)), at), 2 * at
    )
    with pytest.raises(ValueError, match="eps must be positive, got 0"):
        tensors.numerical_gradient(lambda v: 0.0, at, eps=0)


def test_sigmoid_values():
    np.testing.assert_allclose(tensors.sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75])


def test_rotation_stretch_turns_then_stretches_row_vectors():
    quarter = tensors.rotation_stretch(90.0, 1.0)
    np.testing.assert_allclose(np.array([1.0, 0.0]) @ quarter, [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(np.array([0.0, 1.0]) @ quarter, [-1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(tensors.rotation_stretch(0.0, 2.5), [[2.5, 0.0], [0.0, 1.0]])
    w = tensors.rotation_stretch(30.0, 1.0)
    np.testing.assert_allclose(w @ w.T, np.eye(2), atol=1e-12)  # a pure turn keeps lengths
    with pytest.raises(ValueError, match="angle and stretch must be finite"):
        tensors.rotation_stretch(float("nan"), 1.0)
