import numpy as np
import pytest
import torch

from course_lib import gan
from course_lib.widgets import gan as demos


def fake_snapshots():
    rng = np.random.default_rng(0)
    return [(step, rng.normal(size=(50, 2)), rng.uniform(size=(60, 60))) for step in (0, 10, 20)]


def test_training_replay_redraws_on_slider():
    demo = demos.training_replay(fake_snapshots(), gan.ring_centres())
    first, summary = demo.image.value, demo.summary.value
    assert "step 20" in summary
    demo.controls["snapshot"].value = 0
    assert demo.image.value != first and "step 0" in demo.summary.value
    with pytest.raises(ValueError, match="at least one"):
        demos.training_replay([], gan.ring_centres())


def test_d_at_looks_up_the_grid():
    grid = np.zeros((3, 3))
    grid[2, 0] = 1.0  # row = y index, column = x index: top-left corner (x=-1, y=+1)
    np.testing.assert_allclose(demos.d_at(np.array([[-1.0, 1.0], [1.0, -1.0]]), grid, 1.0), [1, 0])


def test_latent_explorer_redraws_and_checks_z():
    torch.manual_seed(0)
    generator = gan.digit_generator()

    class Uniform(torch.nn.Module):
        def forward(self, x):
            return x.flatten(1)[:, :10] * 5

    demo = demos.latent_explorer(generator, Uniform(), np.zeros(32))
    first, summary = demo.image.value, demo.summary.value
    assert "the digit CNN reads a" in summary
    demo.controls["z1"].value = 2.5
    assert demo.image.value != first and demo.redraws == 2
    with pytest.raises(ValueError, match=r"z_base must have shape \(32,\), got \(16,\)"):
        demos.latent_explorer(generator, Uniform(), np.zeros(16))
    with pytest.raises(ValueError, match="coords must index z_base"):
        demos.latent_explorer(generator, Uniform(), np.zeros(32), coords=(40,))
