import numpy as np
import pytest
import torch

from course_lib import cnn, data, dcgan, gan_experiments


def test_networks_shapes_and_ranges():
    torch.manual_seed(0)
    generator, discriminator = dcgan.Generator(), dcgan.Discriminator()
    images = generator(torch.randn(4, dcgan.LATENT_DIM))
    assert images.shape == (4, 1, 28, 28) and images.abs().max() <= 1
    assert discriminator(images).shape == (4, 1)
    assert generator.latent_dim == 32 == dcgan.LATENT_DIM and generator.width == 128
    small = dcgan.Generator(latent_dim=8, width=16)
    assert small(torch.randn(2, 8)).shape == (2, 1, 28, 28)


def test_to_tanh_range_and_generate():
    tensor = dcgan.to_tanh_range(np.ones((2, 28, 28)))
    assert tensor.shape == (2, 1, 28, 28) and (tensor == 1).all()
    assert (dcgan.to_tanh_range(np.zeros((1, 28, 28))) == -1).all()
    with pytest.raises(ValueError, match=r"images must have shape \(n, height, width\)"):
        dcgan.to_tanh_range(np.ones((2, 784)))
    generator = dcgan.Generator()
    digits = dcgan.generate(generator, np.zeros((3, 32)))
    assert digits.shape == (3, 28, 28) and digits.min() >= 0 and digits.max() <= 1
    assert not generator.training
    with pytest.raises(ValueError, match=r"z must have shape \(n, 32\), got \(4, 16\)"):
        dcgan.generate(generator, np.zeros((4, 16)))


def test_random_shift_moves_each_image_by_its_own_whole_pixel_offset():
    torch.manual_seed(0)
    dots = -torch.ones(200, 1, 28, 28)
    dots[:, 0, 10, 10] = 1.0
    shifted = dcgan.random_shift(dots, 2)
    assert shifted.shape == dots.shape and set(shifted.unique().tolist()) == {-1.0, 1.0}
    rows, cols = np.divmod(shifted[:, 0].flatten(1).argmax(dim=1).numpy(), 28)
    assert set(rows) == set(cols) == set(range(8, 13))  # every offset in [-2, 2] occurs
    corner = dcgan.random_shift(torch.ones(50, 1, 4, 4), 1)
    assert (corner == -1).any() and (corner[:, :, 1:3, 1:3] == 1).all()  # border: background
    images = torch.randn(3, 1, 28, 28, requires_grad=True)
    dcgan.random_shift(images, 2).sum().backward()
    assert (images.grad >= 0).all() and images.grad.sum() > 0  # gradients reach the inputs


def test_the_discriminator_shifts_only_in_training():
    torch.manual_seed(0)
    discriminator, x = dcgan.Discriminator(dropout=0.0, shift=2), torch.rand(8, 1, 28, 28)
    discriminator.eval()
    torch.testing.assert_close(discriminator(x), discriminator(x))
    discriminator.train()
    assert not torch.allclose(discriminator(x), discriminator(x))


class FixedJudge(torch.nn.Module):
    """Reads the digit k = pixel (0, 0) * 10 with a confidence set by pixel (1, 1)."""

    def forward(self, x):
        k = (x[:, 0, 0, 0] * 9.99).long()
        logits = torch.zeros(len(x), 10)
        logits[torch.arange(len(x)), k] = x[:, 0, 1, 1] * 20
        return logits


def test_judge_digits_confidence_and_counts():
    images = np.zeros((20, 28, 28), dtype=np.float32)
    images[:, 0, 0] = np.repeat(np.arange(10) / 10 + 0.01, 2)  # two of each class
    images[:, 1, 1] = 1.0  # confident
    images[:4, 1, 1] = 0.0  # 4 unsure images (uniform probabilities)
    judged = dcgan.judge_digits(images, FixedJudge())
    assert judged.confident == 0.8
    assert judged.counts.tolist() == [0, 0, 2, 2, 2, 2, 2, 2, 2, 2]
    probs = dcgan.judge_probabilities(images, FixedJudge())
    assert probs.shape == (20, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    with pytest.raises(ValueError, match=r"images must have shape \(n, height, width\)"):
        dcgan.judge_digits(np.zeros((3, 784)), FixedJudge())


def test_confident_pair_finds_the_first_confident_sample_of_each_digit():
    probs = np.full((5, 10), 0.001)
    probs[0, 3] = probs[1, 7] = probs[3, 7] = probs[4, 3] = 0.991
    probs[2, 7] = 0.5  # unsure
    assert dcgan.confident_pair(probs, digits=(7, 3)) == (1, 0)
    assert dcgan.confident_pair(probs, digits=(3, 7)) == (0, 1)
    with pytest.raises(ValueError, match=r"a 5 read above 0\.99, got none"):
        dcgan.confident_pair(probs, digits=(3, 5))


def test_montage_lays_images_out_in_rows():
    images = np.arange(5, dtype=float)[:, None, None] * np.ones((5, 2, 3))
    sheet = dcgan.montage(images, cols=2, gap=1)
    assert sheet.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert sheet[0, 0] == 0 and sheet[0, 4] == 1 and sheet[3, 0] == 2 and sheet[6, 0] == 4
    assert sheet[2, 0] == 0 and sheet[6, 4] == 0  # a gap row, and the empty sixth place


def test_interpolate_latent():
    path = dcgan.interpolate_latent(np.zeros(3), np.ones(3), steps=5)
    np.testing.assert_allclose(path[:, 0], [0, 0.25, 0.5, 0.75, 1])
    with pytest.raises(ValueError, match="equal size"):
        dcgan.interpolate_latent(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="steps must be >= 2"):
        dcgan.interpolate_latent(np.zeros(3), np.zeros(3), steps=1)


def test_transposed_conv_coverage_checkerboard():
    assert set(np.unique(dcgan.transposed_conv_coverage(3, 2))) == {1, 2, 4}
    assert (dcgan.transposed_conv_coverage(4, 2) == 4).all()
    assert (dcgan.transposed_conv_coverage(2, 2) == 1).all()
    with pytest.raises(ValueError, match="kernel and stride must be >= 1"):
        dcgan.transposed_conv_coverage(0, 2)


def test_the_shipped_dcgan_draws_every_digit_and_seven_in_ten_confidently():
    """What lesson 07 says of the shipped generator: at least 70 % of its samples read
    confidently, every digit at least 50 times in 1,000, and as many on other latent vectors;
    the discriminator's veto (keep the 700 of 1,000 that D finds most real) raises the share."""
    run = gan_experiments.load_dcgan()
    z = torch.randn(1000, dcgan.LATENT_DIM, generator=torch.Generator().manual_seed(0))
    samples = dcgan.generate(run.generator, z)
    judge = cnn.pretrained_mnist_cnn()
    judged = dcgan.judge_digits(samples, judge)
    assert judged.confident >= 0.70 and judged.counts.min() >= 50
    other = torch.randn(2000, dcgan.LATENT_DIM, generator=torch.Generator().manual_seed(1))
    assert dcgan.judge_digits(dcgan.generate(run.generator, other), judge).confident >= 0.70
    with torch.no_grad():
        realness = run.discriminator(dcgan.to_tanh_range(samples)).squeeze(1)
    kept = dcgan.judge_digits(samples[realness.argsort(descending=True)[:700]], judge)
    assert kept.confident > judged.confident + 0.02 and (kept.counts > 0).all()
    steps = gan_experiments.SHIPPED_RECIPE["steps"]
    assert all(len(values) == steps for values in run.curves.values())
    assert [step for step, _ in run.snapshots] == [*gan_experiments.SHIPPED_SNAPSHOTS, steps]
    assert data.manifest()[dcgan.SHIPPED].bytes < 10_000_000
