import dataclasses

import numpy as np
import pytest
import torch

from course_lib import cnn, data, dcgan, gan, gan_experiments


def test_learning_rate_factor_holds_then_decays():
    factor = gan_experiments.learning_rate_factor
    assert [factor(t, 100, 0.5) for t in (0, 50, 75, 100)] == [1, 1, 0.5, 0]
    assert factor(30, 100, 0.0) == pytest.approx(0.7)
    assert factor(99, 100, 1.0) == 1.0
    with pytest.raises(ValueError, match=r"decay_from must lie in \[0, 1\], got 1.5"):
        factor(0, 100, 1.5)


def test_ring_networks_output_shapes_and_configs():
    recipe = gan_experiments.RingGAN()
    configs = [recipe, dataclasses.replace(recipe, output="tanh", activation="relu")]
    generator, discriminator = gan_experiments.ring_networks(configs)
    points = generator(torch.randn(2, 7, 2))
    assert points.shape == (2, 7, 2) and points[1].abs().max() <= gan.RING.radius + 4 * gan.RING.std
    assert discriminator(points).shape == (2, 7, 1)
    assert generator.slopes.ravel().tolist() == pytest.approx([0.2, 0.0])
    with pytest.raises(ValueError, match="must share batch"):
        gan_experiments.check_configs([recipe, dataclasses.replace(recipe, batch=128)])
    with pytest.raises(ValueError, match="at least one RingGAN"):
        gan_experiments.check_configs([])


def test_train_ring_gan_small_run_and_stacking():
    config = gan_experiments.RingGAN(steps=30, batch=16, hidden=16)
    run = gan_experiments.train_ring_gan(config, copies=2, snapshot_steps=(0, 30), eval_samples=100)
    assert len(run.scores) == len(run.raw_scores) == 2
    assert {name: v.shape for name, v in run.curves.items()} == dict.fromkeys(
        gan_experiments.CURVES, (30, 2)
    )
    assert [s for s, _, _ in run.snapshots] == [0, 30]
    _, points, d_grid = run.snapshots[-1]
    assert points.shape == (500, 2) and d_grid.shape == (60, 60)
    assert d_grid.min() >= 0 and d_grid.max() <= 1
    assert np.isfinite(run.curves["G"]).all() and (run.curves["D(x)"] < 1).all()
    again = gan_experiments.train_ring_gan(
        config, copies=2, snapshot_steps=(0, 30), eval_samples=100
    )
    np.testing.assert_array_equal(again.curves["D"], run.curves["D"])  # seeded
    unseen = gan_experiments.train_ring_gan(config, copies=2, eval_samples=100)
    np.testing.assert_array_equal(unseen.curves["G"], run.curves["G"])  # snapshots change nothing
    assert not np.array_equal(run.curves["G"][:, 0], run.curves["G"][:, 1])  # two copies
    with pytest.raises(ValueError, match="steps and batch must be >= 1"):
        gan_experiments.train_ring_gan(gan_experiments.RingGAN(steps=0))


def test_train_dcgan_small_run():
    images = np.random.default_rng(0).uniform(0, 1, (50, 28, 28))
    run = gan_experiments.train_dcgan(images, steps=4, batch=8, snapshot_steps=(0, 4),
                                      snapshot_count=3, decay_from=0.5)  # fmt: skip
    assert [s for s, _ in run.snapshots] == [0, 4] and run.snapshots[0][1].shape == (3, 28, 28)
    assert {name: len(v) for name, v in run.curves.items()} == dict.fromkeys(
        gan_experiments.CURVES, 4
    )
    assert not run.generator.training and not run.discriminator.training
    assert run.discriminator.shift == 0
    regularised = gan_experiments.train_dcgan(images, steps=4, batch=8, shift=2, r1=1.0)
    assert regularised.discriminator.shift == 2
    assert not np.allclose(regularised.curves["D"], run.curves["D"])
    with pytest.raises(ValueError, match="steps and batch must be >= 1"):
        gan_experiments.train_dcgan(images, steps=0)


def test_build_and_load_a_short_dcgan(tmp_path):
    path = tmp_path / "short.pt"
    run = gan_experiments.build_shipped_dcgan(path, steps=3, batch=4)
    loaded = gan_experiments.load_dcgan(path)
    z = torch.randn(2, dcgan.LATENT_DIM)
    np.testing.assert_array_equal(
        dcgan.generate(loaded.generator, z), dcgan.generate(run.generator, z)
    )
    # the other snapshot steps lie beyond step 3; loading adds the final generator's images
    assert [s for s, _ in loaded.snapshots] == [0, 3]
    final = dcgan.generate(run.generator, gan_experiments.snapshot_latents())
    np.testing.assert_array_equal(loaded.snapshots[-1][1], final)
    np.testing.assert_allclose(loaded.curves["D"], run.curves["D"], rtol=1e-6)


@pytest.mark.slow
def test_retraining_the_shipped_dcgan_gives_a_generator_as_good(tmp_path):
    """Retrains datasets/dcgan_mnist.pt from scratch (about 68 CPU minutes): the new generator
    must judge like the shipped one within a tolerance (on another CPU the run diverges)."""
    judge = cnn.pretrained_mnist_cnn()
    z = torch.randn(2000, dcgan.LATENT_DIM, generator=torch.Generator().manual_seed(1))
    shipped = gan_experiments.load_dcgan()
    retrained = gan_experiments.build_shipped_dcgan(tmp_path / "dcgan.pt")
    old = dcgan.judge_digits(dcgan.generate(shipped.generator, z), judge)
    new = dcgan.judge_digits(dcgan.generate(retrained.generator, z), judge)
    assert new.confident >= 0.65 and (new.counts > 0).all()
    assert abs(new.confident - old.confident) < 0.05
    tail = {name: values[-1000:].mean() for name, values in retrained.curves.items()}
    for name, value in tail.items():
        assert value == pytest.approx(shipped.curves[name][-1000:].mean(), abs=0.1), name
    assert data.manifest()[dcgan.SHIPPED].sha256 == data.sha256(data.verified_path(dcgan.SHIPPED))
