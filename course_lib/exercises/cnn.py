"""Checkers for lesson 05 (convolutional networks)."""

from collections.abc import Callable

import numpy as np

from course_lib import cnn
from course_lib.exercises import Feedback, call_student, checker, correct, value_problem, wrong

PREDICT_LAYER = {"size": 64, "channels": 3, "filters": 32, "kernel": 5, "stride": 2, "padding": 1}
"""The layer of the 'predict' exercise: a 64x64x3 image, 32 filters 5x5, stride 2, padding 1."""


@checker("`out_side` and `n_params`")
def check_conv_prediction(out_side: int, n_params: int) -> Feedback:
    """Output side and parameter count (weights + biases) of the PREDICT_LAYER convolution."""
    layer = PREDICT_LAYER
    side = cnn.conv_output_size(layer["size"], layer["kernel"], layer["stride"], layer["padding"])
    exact = (layer["size"] - layer["kernel"] + 2 * layer["padding"]) / layer["stride"] + 1
    weights = layer["kernel"] ** 2 * layer["channels"] * layer["filters"]
    if out_side != side:
        padding, stride = layer["padding"], layer["stride"]
        causes = []
        if out_side == (layer["size"] - layer["kernel"]) // stride + 1:
            causes.append(f"the padding (P = {padding} adds {2 * padding} to H - kh)")
        if out_side == (layer["size"] - layer["kernel"] + 2 * padding) // stride:
            causes.append("the + 1 (the first window position counts too)")
        if causes:
            return wrong(f"{out_side} leaves out " + ", or ".join(causes) + ".")
        if out_side == int(np.ceil(exact)):
            return wrong(
                f"(H - kh + 2P)/S + 1 = {exact}: a window that does not fit is dropped: round down."
            )
        return wrong(f"out_side should follow (H - kh + 2P)/S + 1 rounded down, not {out_side}.")
    if n_params == weights:
        return wrong(f"{weights} counts the weights only: each of the 32 filters also has a bias.")
    if n_params == weights // layer["channels"] + layer["filters"]:
        return wrong("each filter spans all 3 input channels: it has 5 x 5 x 3 weights.")
    if n_params != weights + layer["filters"]:
        return wrong(f"n_params = {n_params} is not K * (kh * kh * C + 1).")
    return correct(f"{side} x {side} x 32 outputs from {weights + layer['filters']} parameters.")


RECEPTIVE_TARGET, RECEPTIVE_MAX_LAYERS = 28, 5
"""The design exercise: 3x3 convolutions whose last unit sees all of a 28x28 digit, <= 5 layers."""


@checker("`layers`")
def check_receptive_stack(layers) -> Feedback:
    """A list of (3, stride) layers, stride 1 or 2, at most 5, with a receptive field >= 28."""
    try:
        pairs = [(int(kernel), int(stride)) for kernel, stride in layers]
    except (TypeError, ValueError):
        return wrong("layers must be a list of (kernel, stride) pairs, such as [(3, 1), (3, 2)].")
    if not pairs:
        return wrong("layers is empty: give at least one (kernel, stride) pair.")
    if any(kernel != 3 for kernel, _ in pairs):
        return wrong("use 3x3 convolutions only: every kernel must be 3.")
    if any(stride not in (1, 2) for _, stride in pairs):
        return wrong("every stride must be 1 or 2.")
    side = cnn.receptive_field(pairs)[-1]
    if len(pairs) > RECEPTIVE_MAX_LAYERS:
        return wrong(
            f"{len(pairs)} layers is more than {RECEPTIVE_MAX_LAYERS}: each stride-2 layer doubles"
            " what every later layer adds, so fewer layers can see more."
        )
    if side < RECEPTIVE_TARGET:
        strided = sum(stride == 2 for _, stride in pairs)
        return wrong(
            f"the last unit sees {side}x{side} pixels, less than 28x28"
            + (": try stride 2 in some layers." if strided == 0 else ": make more layers stride 2.")
        )
    return correct(
        f"{len(pairs)} layers see {side}x{side}: each stride of 2 doubles every later layer's step."
    )


INPUT_GRAD_CASES = [((2, 2), (2, 2), 2), ((4, 5), (3, 2), 2), ((3, 3), (3, 3), 1),
                    ((2, 3), (3, 3), 3), ((3, 2), (1, 1), 2), ((2, 4), (4, 3), 2)]  # fmt: skip
"""(dE/dO shape, F shape, stride) cases of the implement exercise; X is as large as they need."""


def _scatter(grad_out: np.ndarray, f: np.ndarray, stride: int, add: bool = True) -> np.ndarray:
    """Each output's gradient times F into its window of X (or written over it, add=False)."""
    (oh, ow), (kh, kw) = grad_out.shape, f.shape
    grad_x = np.zeros(((oh - 1) * stride + kh, (ow - 1) * stride + kw))
    for i, j in np.ndindex(oh, ow):
        window = np.s_[i * stride : i * stride + kh, j * stride : j * stride + kw]
        grad_x[window] = grad_x[window] * add + grad_out[i, j] * f
    return grad_x


@checker("`input_gradient`")
def check_input_gradient(
    input_gradient: Callable[[np.ndarray, np.ndarray, int], np.ndarray],
) -> Feedback:
    """``input_gradient(grad_out (oh, ow), f (kh, kw), stride)`` -> dE/dX of the single-channel
    convolution, shape ((oh - 1) * stride + kh, (ow - 1) * stride + kw)."""
    rng = np.random.default_rng(5)
    for out_shape, f_shape, stride in INPUT_GRAD_CASES:
        grad_out, f = rng.normal(size=out_shape), rng.normal(size=f_shape)
        x_shape = tuple((o - 1) * stride + k for o, k in zip(out_shape, f_shape, strict=True))
        expected = cnn.conv2d_backward(
            grad_out[None, None], np.zeros((1, 1, *x_shape)), f[None, None], stride=stride
        )[0][0, 0]
        got = call_student(input_gradient, grad_out, f, stride)
        if problem := value_problem(got, expected, "dE/dX"):
            full = tuple(o + k - 1 for o, k in zip(out_shape, f_shape, strict=True))
            if stride > 1 and np.shape(got) == full:
                return wrong(
                    f"dE/dX has shape {np.shape(got)}, section 4's stride-1 size; with stride "
                    f"{stride}, neighbouring outputs' windows start {stride} pixels apart."
                )
            if np.shape(got) == x_shape and np.allclose(got, _scatter(grad_out, f, stride, False)):
                return wrong("where windows overlap, their contributions add up: use +=.")
            if np.shape(got) == x_shape and np.allclose(
                got, _scatter(grad_out, f[::-1, ::-1], stride)
            ):
                return wrong(
                    "no flip here: each output sends its gradient back through the weights it "
                    "used, F itself, to the pixels it read."
                )
            return wrong(f"for dE/dO {out_shape}, F {f_shape} and stride {stride}: {problem}.")
    return correct(
        "each output sends dE/dO[i, j] * F back to the window it read; overlaps add up. "
        "For stride 1 this is section 4's full correlation with the flipped filter."
    )
