import numpy as np
import pytest
import torch

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
    assert (
        gan.ring_score(shifted).high_quality == 0
        and gan.ring_score(shifted, within=4).high_quality == 1
    )
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\).*\(5, 3\)"):
        gan.ring_score(np.zeros((5, 3)))


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
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gan.generator_losses([0.0])


def test_torch_losses_match_numpy():
    d = torch.tensor([0.2, 0.7], dtype=torch.float64)
    logits = torch.logit(d).reshape(1, 2, 1)
    np.testing.assert_allclose(gan.generator_loss(logits).item(), np.mean(-np.log(d.numpy())))
    np.testing.assert_allclose(
        gan.generator_loss(logits, 1.0).item(), np.mean(np.log(1 - d.numpy()))
    )
    real, fake = torch.logit(torch.tensor([[[0.9]]])), torch.logit(torch.tensor([[[0.2]]]))
    np.testing.assert_allclose(
        gan.discriminator_loss(real, fake).item(), -np.log(0.9) - np.log(0.8), rtol=1e-6
    )
    noisy = gan.discriminator_loss(real, fake, label_noise=0.1).item()
    assert noisy != pytest.approx(gan.discriminator_loss(real, fake).item())


def test_stacked_mlp_shapes_copies_and_errors():
    torch.manual_seed(0)
    net = gan.stacked_mlp([2, 8, 1], copies=3, slopes=[0.2, 0.0, 0.2], tanh_scales=[0, 2.0, 0])
    out = net(torch.randn(3, 5, 2))
    assert out.shape == (3, 5, 1)
    assert out[1].abs().max() <= 2.0
    # copy k depends only on its own input
    x = torch.randn(3, 5, 2)
    y = x.clone()
    y[0] += 1
    np.testing.assert_allclose(net(x)[1:].detach(), net(y)[1:].detach())
    with pytest.raises(
        ValueError, match=r"input must have shape \(copies=3, n, 2\), got \(3, 5, 4\)"
    ):
        net(torch.randn(3, 5, 4))
    with pytest.raises(ValueError, match="slopes must have one value per copy"):
        gan.stacked_mlp([2, 1], copies=2, slopes=[0.2])
    with pytest.raises(ValueError, match="sizes must list at least 2"):
        gan.stacked_mlp([2])


def test_ring_networks_output_shapes_and_latent():
    configs = [gan.RingGAN(), gan.RingGAN(output="tanh", latent="uniform")]
    generator, discriminator = gan.ring_networks(configs)
    z = gan.sample_latent((2, 7, 2), torch.tensor([0.0, 1.0]).reshape(2, 1, 1))
    assert z[1].abs().max() <= np.sqrt(3)
    points = generator(z)
    assert points.shape == (2, 7, 2) and points[1].abs().max() <= gan.RING.radius + 4 * gan.RING.std
    assert discriminator(points).shape == (2, 7, 1)
    with pytest.raises(ValueError, match=r"got \(2, 7, 3\)"):
        generator(torch.randn(2, 7, 3))  # latent of the wrong size
    with pytest.raises(ValueError, match="must share batch"):
        gan.check_configs([gan.RingGAN(batch=64), gan.RingGAN(batch=128)])
    with pytest.raises(ValueError, match="at least one RingGAN"):
        gan.check_configs([])


def test_train_ring_gan_small_run_and_stacking():
    config = gan.RingGAN(steps=30, batch=16, hidden=16)
    run = gan.train_ring_gan(config, copies=2, snapshot_steps=(0, 30), eval_samples=100)
    assert len(run.scores) == 2 and len(run.losses["D"]) == 30
    assert [s for s, _, _ in run.snapshots] == [0, 30]
    _, points, d_grid = run.snapshots[-1]
    assert points.shape == (500, 2) and d_grid.shape == (60, 60)
    assert d_grid.min() >= 0 and d_grid.max() <= 1
    assert np.isfinite(run.losses["G"]).all()
    assert gan.generate_points(run.generator, 10).shape == (2, 10, 2)
    assert gan.ring_grid(resolution=5).shape == (25, 2)
    again = gan.train_ring_gan(config, copies=2, snapshot_steps=(0, 30), eval_samples=100)
    assert again.losses["D"] == run.losses["D"]  # seeded: the same numbers again
    unseen = gan.train_ring_gan(config, copies=2, eval_samples=100)
    assert unseen.losses == run.losses  # taking snapshots does not change the training
    with pytest.raises(ValueError, match="steps and batch must be >= 1"):
        gan.train_ring_gan(gan.RingGAN(steps=0))


def test_digit_networks_shapes_ranges_and_latent_errors():
    generator, discriminator = gan.digit_generator(), gan.digit_discriminator()
    images = generator(torch.randn(4, gan.SEED_003_LATENT_DIM))
    assert images.shape == (4, 1, 8, 8) and images.abs().max() <= 1
    assert discriminator(images).shape == (4, 1)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 32\), got \(4, 16\)"):
        generator(torch.randn(4, 16))
    with pytest.raises(ValueError, match=r"z must have shape \(n, 32\), got \(32,\)"):
        generator(torch.randn(32))
    digits = gan.generate_digits(generator, np.zeros((3, 32)))
    assert digits.shape == (3, 8, 8) and digits.min() >= 0 and digits.max() <= 1
    tensor = gan.digits_to_tanh_range(np.ones((2, 8, 8)))
    assert tensor.shape == (2, 1, 8, 8) and (tensor == 1).all()
    with pytest.raises(ValueError, match=r"images must have shape \(n, 8, 8\)"):
        gan.digits_to_tanh_range(np.ones((2, 64)))


def test_train_digit_gan_small_run():
    images = np.random.default_rng(0).uniform(0, 1, (50, 8, 8))
    run = gan.train_digit_gan(images, steps=5, batch=8, snapshot_steps=(0, 5), snapshot_count=3)
    assert [s for s, _ in run.snapshots] == [0, 5] and run.snapshots[0][1].shape == (3, 8, 8)
    assert len(run.losses["G"]) == 5 and not run.generator.training
    with pytest.raises(ValueError, match="steps and batch must be >= 1"):
        gan.train_digit_gan(images, steps=0)


class FixedClassifier(torch.nn.Module):
    """Says 'digit k' with confidence set by the image's mean pixel: class = pixel(0, 0) * 10."""

    def forward(self, x):
        k = (x[:, 0, 0, 0] * 9.99).long()
        logits = torch.zeros(len(x), 10)
        logits[torch.arange(len(x)), k] = x[:, 0, 1, 1] * 20
        return logits


def test_judge_digits_confidence_counts_and_evenness():
    images = np.zeros((20, 8, 8), dtype=np.float32)
    images[:, 0, 0] = np.repeat(np.arange(10) / 10 + 0.01, 2)  # two of each class
    images[:, 1, 1] = 1.0  # confident
    images[:4, 1, 1] = 0.0  # 4 unsure images (uniform probabilities)
    judged = gan.judge_digits(images, FixedClassifier())
    assert judged.confident == 0.8
    assert judged.counts.tolist() == [0, 0, 2, 2, 2, 2, 2, 2, 2, 2]
    np.testing.assert_allclose(judged.evenness, np.log(8) / np.log(10))
    images[:, 0, 0] = 0.01  # every confident one is a 0
    assert gan.judge_digits(images, FixedClassifier()).evenness == 0
    with pytest.raises(ValueError, match=r"images must have shape \(n, 8, 8\)"):
        gan.judge_digits(np.zeros((3, 64)), FixedClassifier())


def test_interpolate_latent():
    path = gan.interpolate_latent(np.zeros(3), np.ones(3), steps=5)
    np.testing.assert_allclose(path[:, 0], [0, 0.25, 0.5, 0.75, 1])
    with pytest.raises(ValueError, match="equal size"):
        gan.interpolate_latent(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="steps must be >= 2"):
        gan.interpolate_latent(np.zeros(3), np.zeros(3), steps=1)


def test_transposed_conv_coverage_checkerboard():
    assert set(np.unique(gan.transposed_conv_coverage(3, 2))) == {1, 2, 4}
    assert (gan.transposed_conv_coverage(4, 2) == 4).all()
    assert (gan.transposed_conv_coverage(2, 2) == 1).all()
    with pytest.raises(ValueError, match="kernel and stride must be >= 1"):
        gan.transposed_conv_coverage(0, 2)


def test_learning_rate_factor_holds_then_decays():
    assert [gan.learning_rate_factor(t, 100, 0.5) for t in (0, 50, 75, 100)] == [1, 1, 0.5, 0]
    assert gan.learning_rate_factor(30, 100, 0.0) == pytest.approx(0.7)
    assert gan.learning_rate_factor(99, 100, 1.0) == 1.0
    with pytest.raises(ValueError, match=r"decay_from must lie in \[0, 1\], got 1.5"):
        gan.learning_rate_factor(0, 100, 1.5)


def test_r1_penalty_of_a_linear_discriminator():
    discriminator = gan.stacked_mlp([2, 1], copies=2)
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


def test_latent_map_labels_modes_bridges_and_mass():
    generator = gan.stacked_mlp([2, 2], copies=2)
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
        gan.latent_map(gan.stacked_mlp([3, 2]))


def test_stacked_mlp_activation_and_dropout_per_copy():
    net = gan.stacked_mlp([1, 1], copies=3, slopes=[0.2, 0.0, 0.5], dropouts=[0.0, 0.5, 0.0])
    x = torch.tensor([-2.0, 3.0]).reshape(1, 2, 1).expand(3, 2, 1)
    net.eval()  # no dropout: the slopes alone
    torch.testing.assert_close(net.activate(x)[:, :, 0], torch.tensor(
        [[-0.4, 3.0], [0.0, 3.0], [-1.0, 3.0]]))  # fmt: skip
    torch.manual_seed(0)
    dropped = net.train().activate(torch.ones(3, 1000, 1))
    assert (dropped[[0, 2]] == 1).all()  # copies without dropout are untouched
    assert set(dropped[1].unique().tolist()) == {0.0, 2.0}  # kept units scaled by 1 / (1 - 0.5)


def test_mode_labels_names_the_mode_or_a_bridge():
    centres = gan.ring_centres()
    points = np.vstack([centres[[2, 5]], centres[[0]] + [0.25, 0.0], (centres[0] + centres[1]) / 2])
    assert gan.mode_labels(points).tolist() == [2, 5, 0, -1]  # 2.5 std from mode 0 still counts
    assert gan.mode_labels(points, within=2.0).tolist() == [2, 5, -1, -1]
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        gan.mode_labels(np.zeros((3, 3)))
