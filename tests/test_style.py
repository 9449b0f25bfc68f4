import numpy as np
import pytest
import torch
from torch import nn

from course_lib import style


def maps(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


# ----------------------------------------------------------------------------- the losses


def test_gram_matrix_by_hand():
    features = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, 1.0]]]])  # (1, 2, 2, 2)
    # channel 0 = (1, 2, 3, 4), channel 1 = (0, 1, 0, 1); 4 positions
    expected = torch.tensor([[(1 + 4 + 9 + 16) / 4, (2 + 4) / 4], [(2 + 4) / 4, 2 / 4]])
    torch.testing.assert_close(style.gram_matrix(features)[0], expected)


def test_gram_matrix_is_per_image_and_forgets_where():
    features = maps(3, 4, 5, 6)
    gram = style.gram_matrix(features)
    assert gram.shape == (3, 4, 4)
    flat = features[1].reshape(4, 30).double()
    np.testing.assert_allclose(gram[1].numpy(), (flat @ flat.T / 30).numpy(), rtol=1e-5)
    order = torch.randperm(30, generator=torch.Generator().manual_seed(1))
    shuffled = features.reshape(3, 4, 30)[:, :, order].reshape(3, 4, 6, 5)  # other h and w too
    torch.testing.assert_close(style.gram_matrix(shuffled), gram)


def test_content_and_style_losses_by_hand():
    a = torch.zeros(1, 1, 2, 2)
    b = torch.tensor([[[[1.0, 1.0], [1.0, 3.0]]]])
    assert float(style.content_loss(b, a)) == pytest.approx((1 + 1 + 1 + 9) / 4)
    # the Gram matrix of b is its mean square 12 / 4 = 3; of a, 0
    assert float(style.style_loss(b, style.gram_matrix(a))) == pytest.approx(9.0)
    assert float(style.style_loss(b, torch.ones(1, 1, 1))) == pytest.approx((3 - 1) ** 2)


def test_losses_are_torch_mean_squared_errors():
    a, b = maps(2, 3, 4, 5), maps(2, 3, 4, 5, seed=1)
    mse = nn.functional.mse_loss
    torch.testing.assert_close(style.content_loss(a, b), mse(a, b))
    target = style.gram_matrix(maps(2, 3, 7, 2, seed=2))  # another size: style only needs c
    torch.testing.assert_close(style.style_loss(a, target), mse(style.gram_matrix(a), target))


def test_total_variation_by_hand():
    image = torch.zeros(1, 3, 2, 3)
    image[:, :, :, 2] = 1.0  # a vertical edge: right steps 0 and 1 in each row, no down steps
    assert float(style.total_variation(image)) == pytest.approx(0 + 1 / 2)


def test_total_variation_is_a_mean_of_squares():
    checkerboard = (torch.arange(4)[:, None] + torch.arange(4)[None, :]) % 2
    image = checkerboard.float().expand(1, 3, 4, 4)  # every step is +1 or -1: mean step 0
    assert float(style.total_variation(image)) == pytest.approx(2.0)
    picture = np.random.default_rng(0).random((5, 7, 3)).astype(np.float32)
    reference = np.mean(np.diff(picture, axis=0) ** 2) + np.mean(np.diff(picture, axis=1) ** 2)
    assert float(style.total_variation(style.to_tensor(picture))) == pytest.approx(reference)


def test_tensor_round_trip_and_errors():
    image = np.random.default_rng(3).random((5, 6, 3)).astype(np.float32)
    tensor = style.to_tensor(image)
    assert tensor.shape == (1, 3, 5, 6) and tensor.is_contiguous()
    np.testing.assert_array_equal(style.to_image(tensor), image)
    np.testing.assert_array_equal(style.to_image(tensor * 3 - 1), np.clip(image * 3 - 1, 0, 1))
    with pytest.raises(ValueError, match=r"image must be \(height, width, 3\), got \(5, 6\)"):
        style.to_tensor(np.zeros((5, 6)))


# ---------------------------------------------------------------------------- the network


def test_random_features_shapes_frozen_and_seeded():
    net = style.RandomFeatures((4, 8, 16), seed=1)
    outputs = net(torch.rand(2, 3, 16, 16))
    assert [tuple(o.shape) for o in outputs] == [
        (2, 3, 16, 16),
        (2, 4, 16, 16),
        (2, 8, 8, 8),
        (2, 16, 4, 4),
    ]
    assert all(not p.requires_grad for p in net.parameters())
    again = style.RandomFeatures((4, 8, 16), seed=1)
    torch.testing.assert_close(net.blocks[1][1].weight, again.blocks[1][1].weight)
    other = style.RandomFeatures((4, 8, 16), seed=2)
    assert not torch.equal(net.blocks[1][1].weight, other.blocks[1][1].weight)
    std = float(style.RandomFeatures().blocks[3][1].weight.std())
    assert std == pytest.approx((2 / (9 * 128)) ** 0.5, rel=0.02)  # Kaiming normal


def test_random_features_pass_gradients_to_the_image():
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    style.RandomFeatures((4, 8))(x)[-1].sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


# ----------------------------------------------------------------------------- the objective


@pytest.fixture(scope="module")
def pair():
    generator = torch.Generator().manual_seed(5)
    return torch.rand(1, 3, 16, 16, generator=generator), torch.rand(
        1, 3, 16, 16, generator=generator
    )


def test_style_transfer_loss_adds_the_weighted_parts(pair):
    content, picture = pair
    net = style.RandomFeatures((4, 8))
    loss = style.StyleTransferLoss(net, content, picture, (2.0, 10.0, 3.0), (0, 2), 1)
    x = (content + 0.1).clamp(0, 1)
    parts = loss(x)
    features, targets = net(x), net(picture)
    expected_style = np.mean(
        [float(style.style_loss(features[k], style.gram_matrix(targets[k]))) for k in (0, 2)]
    )
    assert float(parts["style"]) == pytest.approx(expected_style, rel=1e-5)
    expected_content = float(style.content_loss(features[1], net(content)[1]))
    assert float(parts["content"]) == pytest.approx(expected_content, rel=1e-6)
    assert float(parts["tv"]) == pytest.approx(float(style.total_variation(x)))
    total = 2 * parts["content"] + 10 * parts["style"] + 3 * parts["tv"]
    assert float(parts["total"]) == pytest.approx(float(total), rel=1e-6)


def test_style_transfer_loss_is_zero_where_it_should_be(pair):
    content, picture = pair
    net = style.RandomFeatures()
    loss = style.StyleTransferLoss(net, content, picture)
    assert float(loss(content)["content"]) == 0
    assert float(style.StyleTransferLoss(net, picture, picture)(picture)["style"]) == 0


# ------------------------------------------------------------------------------ the loop


class Spy(nn.Module):
    """A loss that records the range of every image it is asked about."""

    def __init__(self, loss):
        super().__init__()
        self.loss, self.ranges = loss, []

    def forward(self, x):
        self.ranges.append((float(x.detach().min()), float(x.detach().max())))
        return self.loss(x)


class Brighter(nn.Module):
    """A loss that wants every pixel above 1: it would leave the box if it could."""

    def forward(self, x):
        total = ((x - 2.0) ** 2).mean()
        return {"total": total, "content": total, "style": total, "tv": total}


@pytest.mark.parametrize("method", ["adam", "lbfgs"])
def test_paint_keeps_every_evaluated_image_in_the_box(method):
    spy = Spy(Brighter())
    start = torch.full((1, 3, 4, 4), 0.5)
    result = style.paint(spy, start, 30, method, lr=1.0)
    assert all(low >= 0 and high <= 1 for low, high in spy.ranges)
    assert result.image.min() > 0.9  # pushed to the edge of the box, not past it
    assert result.final["total"] == pytest.approx(((result.image - 2.0) ** 2).mean(), rel=1e-5)


@pytest.mark.parametrize("method", ["adam", "lbfgs"])
def test_paint_lowers_the_loss_within_its_budget(pair, method):
    content, picture = pair
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture)
    result = style.paint(loss, content, 25, method)
    total = result.losses["total"]
    assert 25 <= len(total) <= 25 + (0 if method == "adam" else 5)
    assert set(result.losses) == {"total", "content", "style", "tv"}
    assert result.final["total"] < 0.2 * total[0]
    assert result.image.shape == (16, 16, 3) and 0 <= result.image.min() <= result.image.max() <= 1
    with torch.no_grad():
        again = loss(style.to_tensor(result.image))
    assert result.final["total"] == pytest.approx(float(again["total"]), rel=1e-6)


def test_paint_starts_from_the_start_image(pair):
    content, picture = pair
    loss = style.StyleTransferLoss(style.RandomFeatures(), content, picture)
    result = style.paint(loss, content, 1, "adam")
    with torch.no_grad():
        expected = float(loss(content.clamp(0.01, 0.99))["total"])
    assert result.losses["total"][0] == pytest.approx(expected, rel=1e-5)


def test_lbfgs_uses_the_whole_budget_at_once():
    # a loss whose minimum is inside the box: L-BFGS converges, yet runs its budget out
    class Grey(nn.Module):
        def forward(self, x):
            total = ((x - 0.3) ** 2).mean()
            return {"total": total, "content": total, "style": total, "tv": total}

    result = style.paint(Grey(), torch.full((1, 3, 4, 4), 0.8), 15)
    assert len(result.losses["total"]) >= 15
    np.testing.assert_allclose(result.image, 0.3, atol=1e-3)


def test_paint_rejects_an_unknown_method(pair):
    with pytest.raises(ValueError, match="method must be 'adam' or 'lbfgs', got 'sgd'"):
        style.paint(nn.Identity(), pair[0], 3, "sgd")


def test_optimiser_for_builds_adam_or_lbfgs_on_u():
    u = torch.zeros(3, requires_grad=True)
    adam = style.optimiser_for(u, "adam", 10, 0.3)
    assert isinstance(adam, torch.optim.Adam) and adam.param_groups[0]["lr"] == 0.3
    lbfgs = style.optimiser_for(u, "lbfgs", 10, 0.3)
    group = lbfgs.param_groups[0]
    assert isinstance(lbfgs, torch.optim.LBFGS) and group["params"][0] is u
    assert (group["max_iter"], group["max_eval"], group["line_search_fn"]) == (
        10,
        10,
        "strong_wolfe",
    )
