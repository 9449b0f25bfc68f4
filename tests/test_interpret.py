import copy
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import interpret, interpret_experiments, training


def tiny_cnn(classes: int = 4) -> nn.Sequential:
    """A small CNN for 12x12 images: conv, ReLU, pool, conv, ReLU, pool, dense."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 3 * 3, classes),
    )  # fmt: skip


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return tiny_cnn().eval()


@pytest.fixture(scope="module")
def batch():
    generator = torch.Generator().manual_seed(1)
    return torch.rand(5, 1, 12, 12, generator=generator), torch.tensor([0, 1, 2, 3, 0])


def test_activations_names_shapes_and_last_output(model, batch):
    x, _ = batch
    outputs = interpret.activations(model, x)
    assert [name for name, _ in outputs][:3] == ["0: Conv2d", "1: ReLU", "2: MaxPool2d"]
    shapes = [a.shape for _, a in outputs]
    assert shapes[0] == (5, 6, 12, 12) and shapes[2] == (5, 6, 6, 6) and shapes[-1] == (5, 4)
    with torch.no_grad():
        np.testing.assert_allclose(outputs[-1][1], model(x).numpy(), rtol=1e-6)


def test_preferred_inputs_first_layer_is_the_weights_sign_pattern(model):
    images = interpret.preferred_inputs(model, 0, [0, 3, 5], size=12)
    assert images.shape == (3, 12, 12) and images.min() >= 0 and images.max() <= 1
    weights = model[0].weight[[0, 3, 5], 0].detach().numpy()
    np.testing.assert_array_equal(images[:, 5:8, 5:8] > 0.5, weights > 0)  # centre unit (6, 6)
    outside = np.delete(images, np.s_[5:8], axis=1)
    assert np.abs(outside - 0.5).max() < 0.25  # pixels the unit cannot see keep the start noise


def test_preferred_inputs_raise_a_logit_and_are_seeded(model):
    start = interpret.preferred_inputs(model, 7, [2], size=12, steps=0)
    found = interpret.preferred_inputs(model, 7, [2], size=12)
    with torch.no_grad():
        logits = model(torch.from_numpy(np.concatenate([start, found]))[:, None])
    assert logits[1, 2] > logits[0, 2] + 0.1
    np.testing.assert_array_equal(found, interpret.preferred_inputs(model, 7, [2], size=12))


def test_maps_and_gradients_match_finite_differences(model, batch):
    x, y = batch
    maps, grads = interpret.maps_and_gradients(model, x, 4, y)
    assert maps.shape == grads.shape == (5, 8, 6, 6) and not maps.requires_grad
    tail, base = copy.deepcopy(model[5:]).double(), maps.double()
    bump = torch.zeros_like(base)
    bump[1, 3, 2, 4] = 1e-6
    with torch.no_grad():
        slope = (tail(base + bump) - tail(base - bump))[1, int(y[1])] / 2e-6
    assert slope.item() == pytest.approx(grads[1, 3, 2, 4].item(), rel=1e-4, abs=1e-9)


def test_grad_cam_formula_range_and_shape(model, batch):
    x, y = batch
    cams = interpret.grad_cam(model, x, 4, y)
    assert cams.shape == (5, 6, 6) and cams.min() >= 0
    maps, grads = interpret.maps_and_gradients(model, x, 4, y)
    alpha = grads.mean(dim=(2, 3)).numpy()
    expected = np.maximum(np.einsum("nk,nkij->nij", alpha, maps.numpy()), 0)
    for cam, raw in zip(cams, expected, strict=True):
        if raw.max() > 0:
            np.testing.assert_allclose(cam, raw / raw.max(), rtol=1e-5, atol=1e-7)
            assert cam.max() == pytest.approx(1.0)
        else:
            assert cam.max() == 0


def test_grad_cam_works_inside_no_grad(model, batch):
    x, y = batch
    with torch.no_grad():
        cams = interpret.grad_cam(model, x, 1, y)
    np.testing.assert_allclose(cams, interpret.grad_cam(model, x, 1, y))


def test_randomised_copy_redraws_weights_and_resets_batch_norm(model):
    torch.manual_seed(5)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 2))
    net[1].running_mean += 3.0
    before = torch.get_rng_state()
    clone = interpret.randomised_copy(net, seed=1)
    assert torch.equal(torch.get_rng_state(), before)  # the caller's random stream is untouched
    assert not torch.equal(clone[0].weight, net[0].weight)
    assert torch.equal(clone[1].running_mean, torch.zeros(2)) and not clone.training
    assert float(net[1].running_mean[0]) == 3.0  # the original is unchanged
    again = interpret.randomised_copy(net, seed=1)
    assert torch.equal(again[3].weight, clone[3].weight)
    assert not torch.equal(interpret.randomised_copy(model, 1)[0].weight, model[0].weight)


def test_resize_shape():
    x = torch.rand(2, 3, 10, 6)
    assert interpret.resize(x, (5, 3)).shape == (2, 3, 5, 3)
    torch.testing.assert_close(interpret.resize(x, (10, 6)), x)


def test_dream_steps_raise_the_energy_and_stay_in_range(model):
    prefix = model[:2]
    image = torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(2))
    dreamt = interpret.dream_steps(prefix, image.clone(), 10, 0.02)
    assert dreamt.min() >= 0 and dreamt.max() <= 1
    with torch.no_grad():
        assert prefix(dreamt).pow(2).mean() > 1.2 * prefix(image).pow(2).mean()


def test_deep_dream_changes_a_photo_at_its_size(model):
    photo = np.random.default_rng(0).random((20, 24, 3)).astype(np.float32)
    dream = interpret.deep_dream(model, photo, 1, octaves=2, steps=5, step_size=0.02)
    assert dream.shape == photo.shape and dream.min() >= 0 and dream.max() <= 1
    assert np.abs(dream - photo).mean() > 0.01
    same = interpret.deep_dream(model, photo, 1, octaves=3, steps=0)
    np.testing.assert_allclose(same, photo, atol=1e-5)  # no steps: the octaves give it back


@pytest.mark.parametrize("epsilon", [0.0, 0.03, 0.2])
def test_fgsm_moves_each_pixel_by_epsilon_or_to_the_clip(model, batch, epsilon):
    x, y = batch
    adv = interpret.fgsm(model, x, y, epsilon)
    assert adv.shape == x.shape and not adv.requires_grad
    change = (adv - x).abs()
    assert change.max() <= epsilon + 1e-6
    free = (adv > 0) & (adv < 1)
    torch.testing.assert_close(change[free], torch.full_like(change[free], epsilon))


def test_fgsm_raises_the_loss_and_works_inside_no_grad(model, batch):
    x, y = batch
    with torch.no_grad():
        adv = interpret.fgsm(model, x, y, 0.05)
        assert F.cross_entropy(model(adv), y) > F.cross_entropy(model(x), y)


def test_pgd_stays_in_the_ball_and_beats_fgsm(model, batch):
    x, y = batch
    adv = interpret.pgd(model, x, y, 0.1)
    assert (adv - x).abs().max() <= 0.1 + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    with torch.no_grad():
        pgd_loss = F.cross_entropy(model(adv), y)
        fgsm_loss = F.cross_entropy(model(interpret.fgsm(model, x, y, 0.1)), y)
    assert pgd_loss >= fgsm_loss
    torch.testing.assert_close(interpret.pgd(model, x, y, 0.0), x)
    torch.testing.assert_close(interpret.pgd(model, x, y, 0.1), adv)  # deterministic


def test_smallest_fooling_epsilon_brackets_the_boundary(model, batch):
    x, _ = batch
    with torch.no_grad():
        label = model(x[:1]).argmax(dim=1)  # the class it reads now
    one = x[:1]
    epsilon = interpret.smallest_fooling_epsilon(model, one, label, high=0.5, halvings=6)
    assert 0 < epsilon <= 0.5
    with torch.no_grad():
        assert model(interpret.pgd(model, one, label, epsilon)).argmax().item() != label.item()
    never = interpret.smallest_fooling_epsilon(model, one, label, high=1e-6)
    assert never == float("inf")


def test_adversarial_batch_doubles_the_batch_and_restores_training_mode():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(16, 3)).train()
    x, y = torch.rand(4, 1, 4, 4), torch.tensor([0, 1, 2, 0])
    xb, yb = interpret.adversarial_batch(x, y, torch.Generator(), model=net, epsilon=0.1)
    assert xb.shape == (8, 1, 4, 4) and torch.equal(yb, torch.cat([y, y]))
    assert torch.equal(xb[:4], x) and (xb[4:] - x).abs().max() <= 0.1 + 1e-6
    assert net.training
    net.eval()
    torch.testing.assert_close(xb[4:], interpret.fgsm(net, x, y, 0.1))  # attacked without dropout


def test_adversarial_training_with_fit_resists_fgsm():
    generator = torch.Generator().manual_seed(3)
    x = torch.rand(64, 1, 12, 12, generator=generator)
    y = (x[:, 0, :6].mean(dim=(1, 2)) > x[:, 0, 6:].mean(dim=(1, 2))).long()  # top brighter?
    torch.manual_seed(0)
    plain, robust = tiny_cnn(2), tiny_cnn(2)
    robust.load_state_dict(plain.state_dict())
    training.fit(plain, x, y, epochs=15, batch_size=16, lr=3e-3)
    hook = partial(interpret.adversarial_batch, model=robust, epsilon=0.05)
    history = training.fit(robust, x, y, epochs=15, batch_size=16, lr=3e-3, transform=hook)
    assert len(history["loss"]) == 15 and not robust.training
    again = interpret.adversarially_trained(plain, x, y, 0.05, epochs=2)
    assert again is not plain and not again.training
    assert not torch.equal(again[0].weight, plain[0].weight)

    def attacked_accuracy(net):
        return training.evaluate(net, interpret.fgsm(net, x, y, 0.05), y, F.cross_entropy)["acc"]

    assert attacked_accuracy(robust) > attacked_accuracy(plain)


def test_nearest_neighbour_labels():
    train_x = torch.tensor([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])[:, None]
    train_y = torch.tensor([7, 8, 9])
    x = torch.tensor([[0.2, -0.1], [4.0, 4.5], [0.9, 1.2]])[:, None]
    labels = interpret_experiments.nearest_neighbour_labels(train_x, train_y, x)
    assert labels.tolist() == [7, 9, 8]


def test_sorted_share_counts_lists_sorted_within_tolerance():
    class Sorter(nn.Module):
        def forward(self, lists):
            return lists.sort(dim=1).values

    class Clipped(nn.Module):  # sorts, but never says more than 1
        def forward(self, lists):
            return lists.sort(dim=1).values.clamp(max=1)

    generator = torch.Generator().manual_seed(0)
    assert interpret_experiments.sorted_share(Sorter(), [0, 5], generator).tolist() == [1, 1]
    shares = interpret_experiments.sorted_share(Clipped(), [-1, 0, 2], generator, n=100)
    assert shares.tolist() == [1, 1, 0]


def test_cached_model_trains_once_then_loads(monkeypatch, tmp_path):
    monkeypatch.setattr(interpret_experiments.cnn, "CACHE_DIR", tmp_path)
    calls = []

    def train():
        calls.append(1)
        torch.manual_seed(len(calls))
        return nn.Linear(3, 2)

    first = interpret_experiments.cached_model("net", nn.Linear(3, 2), train)
    second = interpret_experiments.cached_model("net", nn.Linear(3, 2), train)
    assert len(calls) == 1 and torch.equal(first.weight, second.weight)
    (tmp_path / "net.pt").write_bytes(b"damaged")
    interpret_experiments.cached_model("net", nn.Linear(3, 2), train)
    assert len(calls) == 2  # a file that fails its checksum is trained again


def test_pretrained_robust_cnn_fine_tunes_the_digit_cnn(monkeypatch, tmp_path):
    from course_lib import cnn, data

    split = data.mnist_split()
    small = data.Split(data.Digits(split.train.images[:128], split.train.labels[:128]), *split[1:])
    monkeypatch.setattr(interpret_experiments.data, "mnist_split", lambda: small)
    monkeypatch.setattr(interpret_experiments.cnn, "CACHE_DIR", tmp_path)
    torch.manual_seed(0)
    start = cnn.mnist_cnn().eval()
    monkeypatch.setattr(interpret_experiments.cnn, "pretrained_mnist_cnn", lambda seed: start)
    robust = interpret_experiments.pretrained_robust_cnn()
    assert not robust.training and len(list(tmp_path.glob("robust_mnist_cnn_*.pt"))) == 1
    assert not torch.equal(robust[0].weight, start[0].weight)
    again = interpret_experiments.pretrained_robust_cnn()
    assert torch.equal(again[0].weight, robust[0].weight)
    with torch.no_grad():
        start[0].bias += 1  # new starting weights: the cached robust network is stale
    interpret_experiments.pretrained_robust_cnn()
    assert len(list(tmp_path.glob("robust_mnist_cnn_*.pt"))) == 2


def test_figures_have_their_panels():
    import matplotlib.pyplot as plt

    figs = interpret_experiments
    rng = np.random.default_rng(0)
    canvases, boxes = torch.rand(3, 1, 48, 48), torch.tensor([[1, 5, 2, 9]] * 3)
    heat = rng.random((3, 12, 12)).astype(np.float32)
    probs = torch.softmax(torch.randn(8, 10), dim=1)
    images = torch.rand(8, 1, 28, 28)
    sorter = nn.Linear(4, 4)
    made = {
        "activations": (figs.draw_activations(rng.random((28, 28)), rng.random((7, 28, 28)),
                                              rng.random((8, 14, 14)), 3), 16),
        "preferred": (figs.draw_preferred(rng.random((8, 28, 28)), rng.random((10, 28, 28)),
                                          np.ones(10)), 16),
        "canvases": (figs.draw_canvases(canvases, boxes, torch.tensor([1, 2, 3])), 3),
        "heatmaps": (figs.draw_heatmaps(canvases, boxes, {"a": heat, "b": heat}), 6),
        "dreams": (figs.draw_dreams(rng.random((32, 32, 3)), {"x": rng.random((32, 32, 3))},
                                    np.s_[:8, :8]), 4),
        "gallery": (figs.draw_gallery(images, images, torch.arange(8), probs, probs, [0.1] * 8),
                    16),
        "robustness": (figs.draw_robustness([0, 0.1], {"n": {"FGSM": [1, 0.5], "PGD": [1, 0.2]}},
                                            0.1), 1),
        "sorting": (figs.draw_sorting([0, 1], [0.9, 0.0], sorter, torch.rand(1, 4)), 2),
        "variants": (figs.draw_variants({"a": images[:3], "b": images[:3]},
                                        {"a": torch.arange(3), "b": torch.arange(3)}), 6),
    }  # fmt: skip
    for name, (fig, panels) in made.items():
        assert len(fig.axes) == panels, name
    assert len(made["canvases"][0].axes[0].patches) == 1  # the ink box
    ax = made["robustness"][0].axes[0]
    figs.draw_box(ax, [0, 2, 1, 3])
    assert ax.patches[-1].get_width() == 3 and ax.patches[-1].get_height() == 3
    plt.close("all")
