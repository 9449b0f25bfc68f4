import numpy as np
import pytest
import torch

import course_lib.exercises.transfer as ex
from course_lib import data, transfer


def test_trainable_count():
    trainable, everything = ex.feature_extraction_trainable()
    assert trainable == 8581 and everything > trainable
    assert ex.check_trainable_count(8581).status == "correct"
    assert ex.check_trainable_count(...).status == "unsolved"
    all_params = ex.check_trainable_count(everything)
    assert all_params.status == "wrong" and "counts the frozen base too" in all_params.message
    no_bias = ex.check_trainable_count(128 * 64 + 64 * 5)
    assert no_bias.status == "wrong" and "also has one bias" in no_bias.message
    assert ex.check_trainable_count(8581.0).status == "wrong"


@pytest.fixture(scope="module")
def pixels():
    train, test = data.digits_split()
    return torch.from_numpy(train.images.reshape(-1, 64)), torch.from_numpy(
        test.images.reshape(-1, 64)
    )


def test_bigger_code(pixels):
    x_train, x_test = pixels
    ae2 = transfer.autoencoder((64, 32, 2))
    transfer.fit_reconstruction(ae2, x_train, epochs=8)
    error_2d = transfer.reconstruction_error(ae2, x_test)
    ae8 = transfer.autoencoder((64, 32, 8))
    untrained = ex.check_bigger_code(ae8, x_test, error_2d)
    assert untrained.status == "wrong" and "did you train it" in untrained.message
    transfer.fit_reconstruction(ae8, x_train, epochs=8)
    assert ex.check_bigger_code(ae8, x_test, error_2d).status == "correct"
    still_2d = ex.check_bigger_code(ae2, x_test, error_2d)
    assert still_2d.status == "wrong" and "8 numbers per image, got 2" in still_2d.message
    assert ex.check_bigger_code(..., x_test, error_2d).status == "unsolved"


def test_shift():
    assert ex.check_shift(transfer.shift_images).status == "correct"

    def stub(images, dy, dx):
        raise NotImplementedError

    assert ex.check_shift(stub).status == "unsolved"
    rolled = ex.check_shift(lambda im, dy, dx: np.roll(im, (dy, dx), axis=(1, 2)))
    assert rolled.status == "wrong" and "come back on the other" in rolled.message
    swapped = ex.check_shift(lambda im, dy, dx: transfer.shift_images(im, dx, dy))
    assert swapped.status == "wrong" and "they are swapped" in swapped.message
    unchanged = ex.check_shift(lambda im, dy, dx: im)
    assert unchanged.status == "wrong" and "should be" in unchanged.message
