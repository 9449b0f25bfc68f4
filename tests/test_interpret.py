import copy

import numpy as np
import pytest
import torch

from course_lib import cnn, interpret


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return cnn.digit_cnn().eval()


@pytest.fixture(scope="module")
def batch():
    generator = torch.Generator().manual_seed(1)
    return torch.rand(5, 1, 8, 8, generator=generator), torch.tensor([0, 1, 2, 3, 4])


def test_activations_names_and_shapes(model, batch):
    x, _ = batch
    outputs = interpret.activations(model, x)
    assert [name for name, _ in outputs][:2] == ["0: Conv2d", "1: ReLU"]
    shapes = [a.shape for _, a in outputs]
    assert shapes[0] == (5, 16, 8, 8) and shapes[2] == (5, 16, 4, 4)
    assert shapes[5] == (5, 32, 2, 2) and shapes[-1] == (5, 10)
    with torch.no_grad():
        np.testing.assert_allclose(outputs[-1][1], model(x).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match=r"x must be a batch of images \(n, channels, h, w\)"):
        interpret.activations(model, x[0])


def test_visualise_filter_first_layer_gives_the_weights_sign_pattern(model):
    image = interpret.visualise_filter(model, 0, 3)
    assert image.shape == (8, 8) and image.min() >= 0 and image.max() <= 1
    weights = model[0].weight[3, 0].detach().numpy()
    patch = image[3:6, 3:6]  # receptive field of the centre unit (4, 4)
    np.testing.assert_array_equal(patch > 0.5, weights > 0)
    assert np.all(np.abs(image[:2] - 0.5) < 0.3)  # outside the receptive field: grey start


def test_visualise_filter_mean_and_class_outputs(model):
    mean_image = interpret.visualise_filter(model, 4, 0, centre=False, steps=5)
    class_image = interpret.visualise_filter(model, 9, 7, steps=5)
    assert mean_image.shape == class_image.shape == (8, 8)
    with torch.no_grad():
        before = model(torch.full((1, 1, 8, 8), 0.5))[0, 7]
        after = model(torch.from_numpy(class_image)[None, None])[0, 7]
    assert after > before


def test_visualise_filter_rejects_bad_layer_and_channel(model):
    with pytest.raises(ValueError, match=r"layer must be an index 0..9 of the model, got 10"):
        interpret.visualise_filter(model, 10, 0)
    with pytest.raises(ValueError, match=r"channel must be in 0..15, got 16"):
        interpret.visualise_filter(model, 0, 16)


def test_cam_from_gradients_formula_and_normalisation():
    maps = np.array([[[1.0, 0.0], [0.0, 2.0]], [[0.0, 3.0], [1.0, 0.0]]])
    grads = np.array([[[1.0, 1.0], [1.0, 1.0]], [[-2.0, 0.0], [0.0, 0.0]]])  # alpha = 1, -0.5
    # sum_k alpha_k A_k = [[1, -1.5], [-0.5, 2]] -> ReLU -> [[1, 0], [0, 2]] -> / 2
    np.testing.assert_allclose(interpret.cam_from_gradients(maps, grads), [[0.5, 0], [0, 1]])
    assert np.all(interpret.cam_from_gradients(maps, -np.abs(grads) - 1) == 0)
    with pytest.raises(ValueError, match=r"maps and grads must both be \(channels, h, w\)"):
        interpret.cam_from_gradients(maps, grads[0])


@pytest.mark.parametrize(("layer", "size"), [(0, 8), (3, 4), (4, 4)])
def test_grad_cam_shape_and_normalisation(model, batch, layer, size):
    x, y = batch
    cams = interpret.grad_cam(model, x, layer, target=y)
    assert cams.shape == (5, size, size)
    assert cams.min() >= 0 and cams.max() <= 1
    for cam in cams:
        assert cam.max() == pytest.approx(1.0) or cam.max() == 0


def test_maps_and_gradients_match_finite_differences(model, batch):
    x, _ = batch
    maps, grads = interpret.maps_and_gradients(model, x[:1], 3, target=torch.tensor([2]))
    tail = copy.deepcopy(model[4:]).double()
    base = torch.from_numpy(maps).double()
    i, j, k, h = 5, 1, 2, 1e-6
    bump = torch.zeros_like(base)
    bump[0, i, j, k] = h
    with torch.no_grad():
        numeric = (tail(base + bump)[0, 2] - tail(base - bump)[0, 2]).item() / (2 * h)
    assert grads[0, i, j, k] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def test_grad_cam_default_target_is_prediction(model, batch):
    x, _ = batch
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    np.testing.assert_allclose(
        interpret.grad_cam(model, x, 3), interpret.grad_cam(model, x, 3, target=predicted)
    )
    with pytest.raises(ValueError, match=r"target must be \(n,\) = \(5,\) classes, got \(2,\)"):
        interpret.grad_cam(model, x, 3, target=[1, 2])


def test_upsample_shape_and_range():
    maps = np.random.default_rng(0).random((3, 4, 4))
    big = interpret.upsample(maps, 8)
    assert big.shape == (3, 8, 8) and big.min() >= maps.min() - 1e-6
    with pytest.raises(ValueError, match=r"heatmaps must be \(n, h, w\)"):
        interpret.upsample(maps[0], 8)


def test_spearman_ranks_and_ties():
    assert interpret.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert interpret.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert interpret.spearman([1, 2, 3, 4], [1, 1, 2, 2]) == pytest.approx(0.8944, abs=1e-4)
    assert interpret.spearman([1, 1, 1], [1, 2, 3]) == 0.0
    with pytest.raises(ValueError, match="a and b must have the same size >= 2, got 3 and 2"):
        interpret.spearman([1, 2, 3], [1, 2])


def test_randomised_copy_changes_weights_not_original(model):
    before = model[0].weight.detach().clone()
    clone = interpret.randomised_copy(model, seed=3)
    assert torch.equal(model[0].weight, before)
    assert not torch.allclose(clone[0].weight, before)
    assert not torch.allclose(clone[-1].weight, model[-1].weight)


def test_deep_dream_raises_its_objective(model):
    image = np.random.default_rng(0).random((20, 24, 3)).astype(np.float32)
    dream = interpret.deep_dream(model, image, 3, octaves=2, steps=3)
    assert dream.shape == image.shape and dream.min() >= 0 and dream.max() <= 1

    def energy(img):
        with torch.no_grad():
            return model[:4](torch.from_numpy(img).permute(2, 0, 1)[:, None]).pow(2).mean()

    assert energy(dream) > energy(image)
    with pytest.raises(ValueError, match=r"image must be \(h, w, 3\), got \(20, 24\)"):
        interpret.deep_dream(model, image[..., 0], 3)


@pytest.mark.parametrize("epsilon", [0.0, 0.05, 0.3, 1.0])
def test_fgsm_is_bounded_by_epsilon_in_max_norm(model, batch, epsilon):
    x, y = batch
    adv = interpret.fgsm(model, x, y, epsilon)
    assert adv.shape == x.shape and not adv.requires_grad
    assert (adv - x).abs().max() <= epsilon + 1e-6
    assert adv.min() >= 0 and adv.max() <= 1


def test_fgsm_moves_interior_pixels_by_exactly_epsilon_and_raises_the_loss(model, batch):
    x, y = batch
    x = 0.25 + 0.5 * x  # in [0.25, 0.75]: clipping never bites at epsilon 0.1
    adv = interpret.fgsm(model, x, y, 0.1)
    moved = (adv - x).abs()
    assert torch.allclose(moved[moved > 0], torch.tensor(0.1), atol=1e-6)
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        assert loss(model(adv), y) > loss(model(x), y)


@pytest.mark.parametrize("attack", [interpret.fgsm, interpret.pgd])
@pytest.mark.parametrize("epsilon", [-0.1, 1.5, "0.1", True, float("nan")])
def test_attacks_reject_epsilon_outside_unit_interval(model, batch, attack, epsilon):
    x, y = batch
    with pytest.raises(ValueError, match=r"epsilon must be a number in \[0, 1\], got"):
        attack(model, x, y, epsilon)


def test_pgd_stays_in_the_ball_and_beats_fgsm(model, batch):
    x, y = batch
    adv = interpret.pgd(model, x, y, 0.1, steps=5)
    assert (adv - x).abs().max() <= 0.1 + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    loss = torch.nn.functional.cross_entropy
    with torch.no_grad():
        assert loss(model(adv), y) >= loss(model(interpret.fgsm(model, x, y, 0.1)), y) - 1e-6
    with pytest.raises(ValueError, match="steps must be an int >= 1, got 0"):
        interpret.pgd(model, x, y, 0.1, steps=0)


def test_numpy_epsilon_is_accepted(model, batch):
    x, y = batch
    adv = interpret.fgsm(model, x, y, np.float32(0.05))
    assert (adv - x).abs().max() <= 0.05 + 1e-6


def test_attack_by_name_and_robust_accuracy(model, batch):
    x, y = batch
    assert torch.equal(interpret.attack(model, x, y, 0.1, "fgsm"), interpret.fgsm(model, x, y, 0.1))
    with pytest.raises(ValueError, match=r"method must be one of \['fgsm', 'pgd'\], got 'cw'"):
        interpret.attack(model, x, y, 0.1, "cw")
    acc = interpret.robust_accuracy(model, x, y, [0.0, 0.5], "pgd")
    with torch.no_grad():
        clean = (model(x).argmax(dim=1) == y).float().mean().item()
    assert acc.shape == (2,) and acc[0] == pytest.approx(clean) and acc[1] <= acc[0]


def test_adversarial_fit_trains_and_validates(batch):
    x, y = batch
    torch.manual_seed(0)
    net = cnn.digit_cnn()
    history = interpret.adversarial_fit(net, x, y, epsilon=0.1, epochs=5, lr=1e-2, batch_size=5)
    assert len(history["loss"]) == 5 and history["loss"][-1] < history["loss"][0]
    assert not net.training
    pgd_history = interpret.adversarial_fit(net, x, y, epsilon=0.1, epochs=1, method="pgd")
    assert len(pgd_history["loss"]) == 1
    with pytest.raises(ValueError, match=r"epsilon must be a number in \[0, 1\], got 2"):
        interpret.adversarial_fit(net, x, y, epsilon=2, epochs=1)
    with pytest.raises(ValueError, match="clean_fraction must be in"):
        interpret.adversarial_fit(net, x, y, epsilon=0.1, epochs=1, clean_fraction=1.5)
    with pytest.raises(ValueError, match="need epochs >= 1"):
        interpret.adversarial_fit(net, x, y, epsilon=0.1, epochs=0)
