import numpy as np

import course_lib.exercises.tensors as ex
from course_lib import data


def test_predicted_shapes():
    assert ex.check_predicted_shapes((5, 1, 8, 8), (4, 3)).status == "correct"
    assert ex.check_predicted_shapes(..., (4, 3)).status == "unsolved"
    reversed_ = ex.check_predicted_shapes((5, 1, 8, 8), (3, 4))
    assert reversed_.status == "wrong" and "align (4, 1) and (3,) on the RIGHT" in reversed_.message
    unstretched = ex.check_predicted_shapes((5, 1, 8, 1), (4, 3))
    assert unstretched.status == "wrong" and "a 1 is stretched" in unstretched.message
    not_tuple = ex.check_predicted_shapes("5, 1, 8, 8", (4, 3))
    assert not_tuple.status == "wrong" and "tuple of ints" in not_tuple.message


def test_transposed():
    images = data.load_digits().images[:20]
    assert ex.check_transposed(images, images.transpose(0, 2, 1)).status == "correct"
    assert ex.check_transposed(images, ...).status == "unsolved"
    reshaped = ex.check_transposed(images, images.reshape(20, 8, 8))
    assert reshaped.status == "wrong" and "every image is unchanged" in reshaped.message
    all_axes = ex.check_transposed(images, images.T)
    assert all_axes.status == "wrong" and "`.T` reverses ALL axes" in all_axes.message
    mirrored = ex.check_transposed(images, images[:, ::-1])
    assert mirrored.status == "wrong" and "pixels moved to the wrong places" in mirrored.message


def test_mse_grad():
    assert ex.check_mse_grad(ex.reference_mse_grad).status == "correct"

    def stub(x, w, y):
        raise NotImplementedError

    assert ex.check_mse_grad(stub).status == "unsolved"
    cases = {
        "the 2 from the derivative": lambda x, w, y: x.T @ (x @ w - y) / len(y),
        "the 1/n of the mean": lambda x, w, y: 2 * x.T @ (x @ w - y),
        "the sign is flipped": lambda x, w, y: 2 / len(y) * x.T @ (y - x @ w),
        "must have the shape of w": lambda x, w, y: 2 / len(y) * (x @ w - y),
        "compare with finite differences": lambda x, w, y: np.zeros_like(w),
    }
    for message, answer in cases.items():
        feedback = ex.check_mse_grad(answer)
        assert feedback.status == "wrong" and message in feedback.message, (message, feedback)


def test_brightest():
    images = data.load_digits().images[:30]
    flat = images.reshape(len(images), -1)
    assert ex.check_brightest(images, flat.argmax(axis=1)).status == "correct"
    last_of_ties = flat.shape[1] - 1 - flat[:, ::-1].argmax(axis=1)  # another brightest pixel
    assert ex.check_brightest(images, last_of_ties).status == "correct"
    assert ex.check_brightest(images, ...).status == "unsolved"
    cases = {
        "axis 0 is the images": images.argmax(axis=0),
        "one of the two pixel axes": images.argmax(axis=1),
        "without an axis flattens everything": images.argmax(),
        "but its brightest pixel holds": flat.argmin(axis=1),
        "pixel positions, ints": flat.max(axis=1),
    }
    for message, answer in cases.items():
        feedback = ex.check_brightest(images, answer)
        assert feedback.status == "wrong" and message in feedback.message, (message, feedback)
