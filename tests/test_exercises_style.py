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
    assert ex.check_balanced_weight(300.0).status == "correct"
    too_little = ex.check_balanced_weight(30.0)
    assert too_little.status == "wrong" and "raise the style weight" in too_little.message
    too_much = ex.check_balanced_weight(1e4)  # the grid's default: the style takes the colours
    assert too_much.status == "wrong" and "lower the style weight" in too_much.message
    negative = ex.check_balanced_weight(-1.0)
    assert negative.status == "wrong" and "positive number" in negative.message
    assert ex.check_balanced_weight(...).status == "unsolved"


def test_balance_run():
    result = ex.balance_run(300.0)
    size = ex.BALANCE["size"]
    assert result.image.shape == (size, size, 3)
    assert len(result.losses["total"]) >= ex.BALANCE["budget"]
    # the solution weight lands inside both limits, with a margin
    assert result.final["style"] < 0.5 * ex.BALANCE_MAX_STYLE * result.losses["style"][0]
    assert result.final["content"] < 0.97 * ex.BALANCE_MAX_CONTENT
    assert ex.balance_run(1e4).final["content"] > result.final["content"]


def lbfgs(loss, start, budget, *, clamp_before=True, clamp_after=False):
    x = start.clone().requires_grad_(True)
    opt = torch.optim.LBFGS([x], max_iter=budget, max_eval=budget, line_search_fn="strong_wolfe")

    def closure():
        if clamp_before:
            with torch.no_grad():
                x.clamp_(0, 1)
        opt.zero_grad()
        total = loss(x)["total"]
        total.backward()
        if clamp_after:
            with torch.no_grad():
                x.clamp_(0, 1)
        return total

    opt.step(closure)
    return style.to_image(x)


def test_paint_clamped():
    assert ex.check_paint_clamped(lbfgs).status == "correct"

    def unclamped(loss, start, budget):
        return lbfgs(loss, start, budget, clamp_before=False)

    outside = ex.check_paint_clamped(unclamped)
    assert outside.status == "wrong" and "clamp x to [0, 1] inside the closure" in outside.message

    def clamped_too_late(loss, start, budget):
        return lbfgs(loss, start, budget, clamp_before=False, clamp_after=True)

    assert ex.check_paint_clamped(clamped_too_late).status == "wrong"

    def adam(loss, start, budget, lr):  # stays in the box, but Adam is not L-BFGS
        x = start.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr=lr)
        for _ in range(budget):
            with torch.no_grad():
                x.clamp_(0, 1)
            opt.zero_grad()
            loss(x)["total"].backward()
            opt.step()
        return style.to_image(x)

    for lr in (0.001, 0.1):  # hardly moves; ends below a tenth of the photograph's, 18 x paint's
        slow = ex.check_paint_clamped(
            lambda loss, start, budget, lr=lr: adam(loss, start, budget, lr)
        )
        assert slow.status == "wrong" and "times paint's" in slow.message, slow.message

    def as_tensor(loss, start, budget):
        return start[0]

    shape = ex.check_paint_clamped(as_tensor)
    assert shape.status == "wrong" and "(h, w, 3)" in shape.message

    def stub(loss, start, budget):
        raise NotImplementedError

    assert ex.check_paint_clamped(stub).status == "unsolved"
    assert ex.check_paint_clamped(...).status == "unsolved"


def test_spy_records_every_evaluation():
    spy = ex.Spy(lambda x: {"total": x.sum()})
    spy(torch.tensor([0.2, 0.7]))
    spy(torch.tensor([-1.0, 3.0]))
    np.testing.assert_allclose(spy.ranges, [(0.2, 0.7), (-1.0, 3.0)])
