import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course_lib.exercises.transfer as ex
from course_lib import cnn, data, training
from course_lib.transfer import AutoEncoder


def test_trainable_count():
    trainable, frozen = ex.feature_extraction_counts()
    assert trainable == 3136 * 128 + 128 + 128 * 5 + 5 == 402_181
    assert frozen == 1 * 32 * 9 + 32 + 32 * 64 * 9 + 64 == 18_816
    head, base = ex.feature_extraction_counts(cut=ex.DENSE_CUT)
    assert head == 128 * 5 + 5 == 645 and base == 18_816 + 402_181 - 645
    feedback = ex.check_trainable_count(645)
    assert feedback.status == "correct" and "420,352" in feedback.message
    assert ex.check_trainable_count(...).status == "unsolved"
    everything = ex.check_trainable_count(head + base)
    assert everything.status == "wrong" and "counts the frozen base too" in everything.message
    no_bias = ex.check_trainable_count(128 * 5)
    assert no_bias.status == "wrong" and "also has one bias" in no_bias.message
    other_cut = ex.check_trainable_count(402_181)
    assert other_cut.status == "wrong" and "conv block 2" in other_cut.message
    other = ex.check_trainable_count(12)
    assert other.status == "wrong" and "count the head only" in other.message
    assert ex.check_trainable_count(645.0).status == "wrong"


@pytest.fixture(scope="module")
def images():
    split = data.mnist_split()
    return cnn.mnist_tensors(split.train)[0][:600], cnn.mnist_tensors(split.val)[0][:200]


def trained(code: int, x: torch.Tensor) -> AutoEncoder:
    torch.manual_seed(0)
    ae = AutoEncoder(code=code)
    training.fit(ae, x, x, epochs=6, batch_size=64, lr=3e-3, loss_fn=F.mse_loss)
    return ae


def test_bigger_code(images):
    x, x_val = images
    ae2 = trained(2, x)
    error_2d = training.evaluate(ae2, x_val, x_val, F.mse_loss)["loss"]
    torch.manual_seed(0)
    untrained = ex.check_bigger_code(AutoEncoder(code=8), x_val, error_2d)
    assert untrained.status == "wrong" and "did you train it" in untrained.message
    assert ex.check_bigger_code(trained(8, x), x_val, error_2d).status == "correct"
    still_2d = ex.check_bigger_code(ae2, x_val, error_2d)
    assert still_2d.status == "wrong" and "8 numbers per image, got 2" in still_2d.message
    assert ex.check_bigger_code(..., x_val, error_2d).status == "unsolved"
    not_a_model = ex.check_bigger_code(np.zeros(3), x_val, error_2d)
    assert not_a_model.status == "wrong" and "should be an `AutoEncoder`" in not_a_model.message


def test_shift():
    assert ex.check_shift(ex.shift_images).status == "correct"

    def stub(images, dy, dx):
        raise NotImplementedError

    assert ex.check_shift(stub).status == "unsolved"
    rolled = ex.check_shift(lambda im, dy, dx: np.roll(im, (dy, dx), axis=(1, 2)))
    assert rolled.status == "wrong" and "come back on the other" in rolled.message
    swapped = ex.check_shift(lambda im, dy, dx: ex.shift_images(im, dx, dy))
    assert swapped.status == "wrong" and "they are swapped" in swapped.message
    backwards = ex.check_shift(lambda im, dy, dx: ex.shift_images(im, -dy, -dx))
    assert backwards.status == "wrong" and "the wrong way" in backwards.message
    unchanged = ex.check_shift(lambda im, dy, dx: im)
    assert unchanged.status == "wrong" and "should be" in unchanged.message


@pytest.mark.parametrize(("dy", "dx"), [(1, 0), (0, -2), (-1, 1), (0, 0)])
def test_shift_images_moves_pixels_and_fills_zeros(dy, dx):
    images = np.arange(1, 2 * 4 * 5 + 1, dtype=float).reshape(2, 4, 5)
    shifted = ex.shift_images(images, dy, dx)
    for r in range(4):
        for c in range(5):
            inside = 0 <= r - dy < 4 and 0 <= c - dx < 5
            assert shifted[1, r, c] == (images[1, r - dy, c - dx] if inside else 0)
