"""Checkers for lesson 10 (autoencoders, pretraining, transfer)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from course_lib import cnn, training
from course_lib.exercises import Feedback, call_student, checker, correct, value_problem, wrong
from course_lib.transfer import transfer_model

CUT = 7
"""Where lesson 10 cuts ``cnn.mnist_cnn``: the base is its layers [0, 7)."""


def feature_extraction_counts(classes: int = 5, cut: int = CUT) -> tuple[int, int]:
    """(trainable, frozen) parameter counts of lesson 10's feature extractor cut at ``cut``."""
    model = transfer_model(cnn.mnist_cnn(classes), cut, cnn.mnist_cnn(classes)[cut:])
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable


DENSE_CUT = 10
"""The cut "after the dense layer": the head is the last Linear(128, 5) alone."""


@checker("`trainable_count`")
def check_trainable_count(trainable_count: Any) -> Feedback:
    """Exercise 1 (predict): how many numbers feature extraction trains when cut after the dense
    layer (the head is Linear(128, 5) alone)."""
    trainable, frozen = feature_extraction_counts(cut=DENSE_CUT)
    if not isinstance(trainable_count, int | np.integer):
        return wrong(f"`trainable_count` should be a whole number, got {trainable_count!r}.")
    if trainable_count == trainable:
        return correct(
            f"the head's {trainable:,} weights and biases; the frozen base holds {frozen:,}."
        )
    if trainable_count == trainable + frozen:
        return wrong("that counts the frozen base too: its parameters never change.")
    if trainable_count == 128 * 5:
        return wrong("each Linear layer also has one bias per output.")
    if trainable_count == feature_extraction_counts()[0]:
        return wrong(
            "that is the head of the cut after conv block 2; here the dense layer is frozen."
        )
    return wrong("count the head only: Linear(128, 5), its weights and biases.")


@checker("`ae8`")
def check_bigger_code(ae8: Any, x_val: torch.Tensor, error_2d: float) -> Feedback:
    """Exercise 2 (modify): an autoencoder with an 8-number code, trained, beating the 2-D one.

    x_val: the validation images (n, 1, 28, 28); error_2d: the 2-D code's validation error.
    """
    if not isinstance(ae8, torch.nn.Module) or not hasattr(ae8, "encoder"):
        return wrong(f"`ae8` should be an `AutoEncoder`, got {type(ae8).__name__}.")
    with torch.no_grad():
        codes = ae8.encoder(x_val[:2])
    if codes.shape[1] != 8:
        return wrong(f"the code should have 8 numbers per image, got {codes.shape[1]}.")
    error = training.evaluate(ae8, x_val, x_val, F.mse_loss)["loss"]
    if error >= error_2d:
        return wrong(
            f"its validation error {error:.3g} is not below the 2-D code's {error_2d:.3g}: "
            "did you train it with `training.fit`?"
        )
    return correct(f"8 numbers keep more of a digit: error {error:.2g} against {error_2d:.2g}.")


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Exercise 3's reference: every image moved ``dy`` pixels down and ``dx`` right, zero fill.

    images: (n, h, w) -> (n, h, w); |dy| < h and |dx| < w.
    """
    _, h, w = images.shape
    out = np.zeros_like(images)
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


@checker("`shift`")
def check_shift(shift: Callable[..., Any]) -> Feedback:
    """Exercise 3 (implement): move every image by (dy, dx) pixels, filling with zeros."""
    images = np.arange(2 * 4 * 5, dtype=float).reshape(2, 4, 5) + 1.0
    for dy, dx in ((1, 0), (0, -2), (-1, 1), (0, 0)):
        got = np.asarray(call_student(shift, images.copy(), dy, dx), dtype=float)
        expected = shift_images(images, dy, dx)
        if expected.shape == got.shape and not np.array_equal(got, expected):
            if np.array_equal(got, np.roll(images, (dy, dx), axis=(1, 2))):
                return wrong("pixels that leave one side come back on the other: fill with 0.")
            if np.array_equal(got, shift_images(images, dx, dy)):
                return wrong("dy moves the rows (down), dx the columns (right): they are swapped.")
            if np.array_equal(got, shift_images(images, -dy, -dx)):
                return wrong("the images move the wrong way: positive dy is down, dx right.")
        if problem := value_problem(got, expected, f"shift(images, {dy}, {dx})"):
            return wrong(problem + ".")
    return correct("every labelled digit can now be shifted into new training images at no cost.")
