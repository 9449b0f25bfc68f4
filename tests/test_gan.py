import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import gan

RNG = np.random.default_rng(0)


def test_ring_centres_and_samples():
    centres = gan.ring_centres()
    assert centres.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), gan.RING.radius)
    points = gan.sample_ring(500, np.random.default_rng(1))
    assert points.shape == (500, 2)
    assert np.abs(np.linalg.norm(points, axis=1) - 2).max() < 6 * gan.RING.std
    with pytest.raises(ValueError, match="n must be a positive int"):
        gan.sample_ring(0, RNG)


def test_ring_score_all_modes_one_mode_and_noise():
    everywhere = gan.ring_score(gan.sample_ring(2000, np.random.default_rng(2)))
    assert everywhere.modes_covered == 8 and everywhere.high_quality > 0.98
    assert everywhere.counts.sum() == round(everywhere.high_quality * 2000)
    one = gan.ring_score(gan.ring_centres()[[5]] + 0.05 * RNG.standard_normal((1000, 2)))
    assert one.modes_covered == 1 and one.high_quality == 1.0
    assert one.counts[5] == 1000 and one.counts.sum() == 1000
    far = gan.ring_score(RNG.uniform(-0.5, 0.5, (1000, 2)))  # the empty middle of the ring
    assert far.modes_covered == 0 and far.high_quality == 0.0
    noise = gan.ring_score(RNG.uniform(-3, 3, (4000, 2)))
    assert noise.modes_covered == 0 and 0.03 < noise.high_quality < 0.1


def test_ring_score_thresholds_and_bad_shapes():
    # 3 modes with 300 samples each, one with 20: covered needs 10 % of n / 8 = 11.5 samples
    centres = gan.ring_centres()
    points = np.repeat(centres[[0, 1, 2, 3]], [300, 300, 300, 20], axis=0)
    assert gan.ring_score(points).modes_covered == 4
    assert gan.ring_score(points, min_share=0.5).modes_covered == 3
    shifted = centres + np.array([3.5 * gan.RING.std, 0])
    assert gan.ring_score(shifted).high_quality == 0
    assert gan.ring_score(shifted, within=4).high_quality == 1
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\).*\(5, 3\)"):
        gan.ring_score(np.zeros((5, 3)))


def test_mode_labels_names_the_mode_or_a_bridge():
    centres = gan.ring_centres()
    points = np.vstack([centres[[2, 5]], centres[[0]] + [0.25, 0.0], (centres[0] + centres[1]) / 2])
    assert gan.mode_labels(points).tolist() == [2, 5, 0, -1]  # 2.5 std from mode 0 still counts
    assert gan.mode_labels(points, within=2.0).tolist() == [2, 5, -1, -1]
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        gan.mode_labels(np.zeros((3, 3)))


def test_ring_grid_covers_the_ring():
    grid = gan.ring_grid(resolution=5)
    assert grid.shape == (25, 2)
    np.testing.assert_allclose(grid.min(axis=0), -1.5 * gan.RING.radius)
    np.testing.assert_allclose(grid.max(axis=0), 1.5 * gan.RING.radius)


def test_optimal_discriminator():
    np.testing.assert_allclose(
        gan.optimal_discriminator([0.6, 1.0, 0.0], [0.2, 1.0, 2.0]), [0.75, 0.5, 0]
    )
    with pytest.raises(ValueError, match="equal shapes"):
        gan.optimal_discriminator([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="densities must be >= 0"):
        gan.optimal_discriminator([-1.0], [1.0])


def test_generator_losses_values_and_slopes_match_finite_differences():
    d = np.array([0.01, 0.3, 0.9])
    losses = gan.generator_losses(d)
    np.testing.assert_allclose(losses["saturating"][0], np.log(1 - d))
    np.testing.assert_allclose(losses["non-saturating"][0], -np.log(d))
    eps = 1e-6
    logit = np.log(d / (1 - d))
    for name, (_, slope) in losses.items():
        up = gan.generator_losses(1 / (1 + np.exp(-(logit + eps))))[name][0]
        down = gan.generator_losses(1 / (1 + np.exp(-(logit - eps))))[name][0]
        np.testing.assert_allclose((up - down) / (2 * eps), slope, rtol=1e-5)
    with pytest.raises(ValueError, match=r"strictly in \(0, 1\), got \[0.0, 0.0\]"):
        gan.generator_losses([0.0])


def test_torch_losses_are_binary_cross_entropies():
    real, fake = torch.randn(2, 7, 1, dtype=torch.float64)
    ones, zeros = torch.ones_like(real), torch.zeros_like(real)
    bce = F.binary_cross_entropy_with_logits
    expected = bce(real, ones) + bce(fake, zeros)
    torch.testing.assert_close(gan.discriminator_loss(real, fake), expected)
    torch.testing.assert_close(gan.generator_loss(fake), bce(fake, ones))
    assert gan.generator_loss(fake).shape == ()
    stacked = torch.stack([fake, 2 * fake])  # copies: each its own batch mean
    torch.testing.assert_close(
        gan.generator_loss(stacked), torch.stack([bce(fake, ones), bce(2 * fake, ones)])
    )
    assert gan.discriminator_loss(stacked, stacked).shape == (2,)
    sure_real, sure_fake = torch.logit(torch.tensor([[0.9]])), torch.logit(torch.tensor([[0.2]]))
    loss = gan.discriminator_loss(sure_real, sure_fake).item()
    np.testing.assert_allclose(loss, -np.log(0.9) - np.log(0.8), rtol=1e-6)


def test_r1_penalty_of_a_linear_discriminator():
    discriminator = gan.StackedMLP([2, 1], copies=2)
    with torch.no_grad():  # D(x) = w . x + b with w = (1, 2) in copy 0, (3, 0) in copy 1
        discriminator.weights[0].copy_(torch.tensor([[[1.0], [2.0]], [[3.0], [0.0]]]))
    real = torch.randn(2, 5, 2)
    weight = torch.tensor([0.5, 2.0]).reshape(2, 1, 1)
    penalty, logits = gan.r1_penalty(discriminator, real, weight)
    assert penalty.item() == pytest.approx(0.5 / 2 * 5 + 2.0 / 2 * 9)  # (gamma / 2) |w|^2
    torch.testing.assert_close(logits, discriminator(real))
    penalty.backward()  # second-order: the penalty has a gradient with respect to D's weights
    assert discriminator.weights[0].grad.abs().sum() > 0
    zero, plain = gan.r1_penalty(discriminator, real, 0.0)
    assert zero.item() == 0 and torch.equal(plain, logits)


def test_r1_penalty_of_an_image_discriminator_is_a_per_sample_mean():
    linear = nn.Sequential(nn.Flatten(), nn.Linear(16, 1))
    penalty, _ = gan.r1_penalty(linear, torch.randn(10, 1, 4, 4), 2.0)
    assert penalty.item() == pytest.approx(linear[1].weight.pow(2).sum().item(), rel=1e-5)


def test_update_average_moves_towards_the_model_and_copies_buffers():
    model, average = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    with torch.no_grad():
        model.weight.fill_(2.0)
        average.weight.fill_(0.0)
    model.running_mean.fill_(5.0)
    gan.update_average(average, model, 0.75)
    torch.testing.assert_close(average.weight, torch.full((3,), 0.5))
    torch.testing.assert_close(average.running_mean, torch.full((3,), 5.0))
    gan.update_average(average, model, 0.0)  # decay 0: a plain copy
    torch.testing.assert_close(average.weight, model.weight)


def test_gan_step_moves_d_then_g_and_reports():
    torch.manual_seed(0)
    generator, discriminator = nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1))
    opt_g = torch.optim.SGD(generator.parameters(), lr=0.1)
    opt_d = torch.optim.SGD(discriminator.parameters(), lr=0.1)
    real, z = torch.randn(8, 3) + 2, torch.randn(8, 2)
    before_g = [p.detach().clone() for p in generator.parameters()]
    before_d = discriminator[0].weight.detach().clone()
    fake = generator(z).detach()
    with torch.no_grad():
        expected_d = gan.discriminator_loss(discriminator(real), discriminator(fake)).item()
    record = gan.gan_step(generator, discriminator, opt_g, opt_d, real, z)
    assert set(record) == {"D", "G", "D(x)", "D(G(z))"}
    assert all(value.shape == () for value in record.values())
    assert record["D"].item() == pytest.approx(expected_d)  # D's loss before its own step
    assert not torch.equal(discriminator[0].weight, before_d)
    assert all(not torch.equal(p, q) for p, q in zip(generator.parameters(), before_g, strict=True))
    assert 0 < record["D(x)"].item() < 1 and 0 < record["D(G(z))"].item() < 1
    # G learns from the updated D: with a frozen G (lr 0) the same step leaves G untouched
    frozen = torch.optim.SGD(generator.parameters(), lr=0.0)
    still = [p.detach().clone() for p in generator.parameters()]
    gan.gan_step(generator, discriminator, frozen, opt_d, real, z, r1=1.0)
    assert all(torch.equal(p, q) for p, q in zip(generator.parameters(), still, strict=True))


def test_stacked_mlp_shapes_copies_and_errors():
    torch.manual_seed(0)
    net = gan.StackedMLP([2, 8, 1], copies=3, slopes=[0.2, 0.0, 0.2], tanh_scales=[0, 2.0, 0])
    out = net(torch.randn(3, 5, 2))
    assert out.shape == (3, 5, 1)
    assert out[1].abs().max() <= 2.0
    x = torch.randn(3, 5, 2)  # copy k depends only on its own input
    y = x.clone()
    y[0] += 1
    np.testing.assert_allclose(net(x)[1:].detach(), net(y)[1:].detach())
    with pytest.raises(ValueError, match=r"shape \(copies=3, n, 2\), got \(3, 5, 4\)"):
        net(torch.randn(3, 5, 4))
    with pytest.raises(ValueError, match="slopes must have one value per copy"):
        gan.StackedMLP([2, 1], copies=2, slopes=[0.2])
    with pytest.raises(ValueError, match="sizes must list at least 2"):
        gan.StackedMLP([2])


def test_gan_step_on_stacked_copies_reports_each_copy():
    torch.manual_seed(0)
    generator, discriminator = gan.StackedMLP([2, 8, 2], 3), gan.StackedMLP([2, 8, 1], 3)
    opt_g = torch.optim.Adam(generator.parameters(), 1e-3)
    opt_d = torch.optim.Adam(discriminator.parameters(), 1e-3)
    gamma = torch.tensor([0.0, 0.1, 1.0]).reshape(3, 1, 1)
    record = gan.gan_step(generator, discriminator, opt_g, opt_d, torch.randn(3, 16, 2),
                          torch.randn(3, 16, 2), gamma)  # fmt: skip
    assert all(value.shape == (3,) for value in record.values())
    assert (record["D"] > 0).all() and ((record["D(x)"] > 0) & (record["D(x)"] < 1)).all()


def test_stacked_mlp_copies_start_like_nn_linear():
    torch.manual_seed(0)
    net = gan.StackedMLP([4, 100], copies=2)
    bound = 1 / np.sqrt(4)
    assert net.weights[0].abs().max() <= bound and net.weights[0].abs().max() > 0.9 * bound


def test_stacked_mlp_activation_and_dropout_per_copy():
    net = gan.StackedMLP([1, 1], copies=3, slopes=[0.2, 0.0, 0.5], dropouts=[0.0, 0.5, 0.0])
    x = torch.tensor([-2.0, 3.0]).reshape(1, 2, 1).expand(3, 2, 1)
    net.eval()  # no dropout: the slopes alone
    torch.testing.assert_close(net.activate(x)[:, :, 0], torch.tensor(
        [[-0.4, 3.0], [0.0, 3.0], [-1.0, 3.0]]))  # fmt: skip
    torch.manual_seed(0)
    dropped = net.train().activate(torch.ones(3, 1000, 1))
    assert (dropped[[0, 2]] == 1).all()  # copies without dropout are untouched
    assert set(dropped[1].unique().tolist()) == {0.0, 2.0}  # kept units scaled by 1 / (1 - 0.5)


def test_generate_points_shapes_and_noise():
    generator = gan.StackedMLP([2, 4, 2], copies=3)
    points = gan.generate_points(generator, 10, torch.Generator().manual_seed(0))
    assert points.shape == (3, 10, 2) and not generator.training
    again = gan.generate_points(generator, 10, torch.Generator().manual_seed(0))
    np.testing.assert_array_equal(points, again)


def test_latent_map_labels_modes_bridges_and_mass():
    generator = gan.StackedMLP([2, 2], copies=2)
    with torch.no_grad():  # copy 0: G(z) = z; copy 1: every z lands on mode 2, at (0, 2)
        generator.weights[0].copy_(torch.stack([torch.eye(2), torch.zeros(2, 2)]))
        generator.biases[0].copy_(torch.tensor([[[0.0, 0.0]], [[0.0, 2.0]]]))
    labels, mass = gan.latent_map(generator, index=0, resolution=61)
    axis = np.linspace(-3, 3, 61)
    assert labels[30, 50] == 0 and axis[50] == pytest.approx(2.0)  # z = (2, 0): mode 0
    assert labels[50, 30] == 2 and labels[30, 30] == -1  # z = (0, 2): mode 2; z = 0: a bridge
    assert mass.sum() == pytest.approx(0.9973**2, abs=0.01)  # N(0, I) mass of [-3, 3]^2
    everywhere_two, _ = gan.latent_map(generator, index=1, resolution=11)
    assert (everywhere_two == 2).all()
    with pytest.raises(ValueError, match=r"index must lie in \[0, 2\), got 2"):
        gan.latent_map(generator, index=2)
    with pytest.raises(ValueError, match="needs a 2-D latent, got noise_dim 3"):
        gan.latent_map(gan.StackedMLP([3, 2]))
