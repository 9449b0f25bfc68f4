import numpy as np
import torch

from course_lib import style
from course_lib.exercises import style as ex


def test_gram_by_hand():
    assert ex.check_gram_by_hand(np.array([[1.5, 0.5], [0.5, 2.5]])).status == "correct"
    sums = ex.check_gram_by_hand(np.array([[6.0, 2.0], [2.0, 10.0]]))
    assert sums.status == "wrong" and "divide by the h w = 4" in sums.message
    flat = ex.GRAM_EXERCISE.reshape(2, 4)
    cov = ex.check_gram_by_hand(np.cov(flat, bias=True))
    assert cov.status == "wrong" and "does not subtract the means" in cov.message
    transposed = ex.check_gram_by_hand(np.array([[1.5, 0.5], [0.5, 2.0]]))
    assert transposed.status == "wrong" and "gram_by_hand[1, 1] is 2" in transposed.message
    assert ex.check_gram_by_hand(...).status == "unsolved"


def test_balanced_weight():
    assert ex.check_balanced_weight(20.0).status == "correct"
    too_much = ex.check_balanced_weight(100.0)  # the cat barely shows: more content loss than noise
    assert too_much.status == "wrong" and "lower the style weight" in too_much.message
    too_little = ex.check_balanced_weight(5.0)
    assert too_little.status == "wrong" and "raise the style weight" in too_little.message
    negative = ex.check_balanced_weight(-1.0)
    assert negative.status == "wrong" and "positive number" in negative.message
    assert ex.check_balanced_weight(...).status == "unsolved"


def test_tv_loss():
    assert ex.check_tv_loss(style.total_variation_torch).status == "correct"

    def vertical_only(image):
        return ((image[:, :, 1:] - image[:, :, :-1]) ** 2).mean()

    vertical = ex.check_tv_loss(vertical_only)
    assert vertical.status == "wrong" and "horizontal" in vertical.message

    def summed(image):
        down = ((image[:, :, 1:] - image[:, :, :-1]) ** 2).sum()
        return down + ((image[:, :, :, 1:] - image[:, :, :, :-1]) ** 2).sum()

    assert ex.check_tv_loss(summed).status == "wrong"

    def in_numpy(image):
        return torch.tensor(style.total_variation(image[0].detach().permute(1, 2, 0).numpy()))

    no_grad = ex.check_tv_loss(in_numpy)
    assert no_grad.status == "wrong" and "no gradient" in no_grad.message

    def stub(image):
        raise NotImplementedError

    assert ex.check_tv_loss(stub).status == "unsolved"
    assert ex.check_tv_loss(...).status == "unsolved"


def test_balance_run():
    result = ex.balance_run(20.0)
    size = ex.BALANCE["size"]
    assert result.image.shape == (size, size, 3)
    assert result.image.min() >= 0 and result.image.max() <= 1
    assert result.evaluations == ex.BALANCE["steps"] == len(result.losses["content"])
    # it is the checker's run: the solution weight lands inside both limits
    content, style_loss = result.losses["content"], result.losses["style"]
    assert content[-1] <= ex.BALANCE_MAX_CONTENT * content[0]
    assert style_loss[-1] <= ex.BALANCE_MAX_STYLE * style_loss[0]
    heavier = ex.balance_run(1000.0)
    assert heavier.losses["content"][-1] > result.losses["content"][-1]
