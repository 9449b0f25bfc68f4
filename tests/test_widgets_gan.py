import numpy as np
import pytest
import torch

from course_lib import dcgan, gan
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


class FirstPixels(torch.nn.Module):
    """A stand-in judge: the logits are the first ten pixels, times 5."""

    def forward(self, x):
        return x.flatten(1)[:, :10] * 5


def test_latent_explorer_redraws_and_checks_z():
    torch.manual_seed(0)
    generator = dcgan.Generator()
    demo = demos.latent_explorer(generator, FirstPixels(), np.zeros(32))
    first, summary = demo.image.value, demo.summary.value
    assert "the digit CNN reads a" in summary
    demo.controls["z1"].value = 2.5
    assert demo.image.value != first and demo.redraws == 2
    with pytest.raises(ValueError, match=r"z_base must have shape \(32,\), got \(16,\)"):
        demos.latent_explorer(generator, FirstPixels(), np.zeros(16))
    with pytest.raises(ValueError, match="coords must index z_base"):
        demos.latent_explorer(generator, FirstPixels(), np.zeros(32), coords=(40,))


def quiz_images(rounds: int = 4):
    """Real digits are bright (ones), fakes dark (zeros): easy to tell apart."""
    return np.ones((rounds, 28, 28), np.float32), np.zeros((2 * rounds, 28, 28), np.float32)


class Brightness(torch.nn.Module):
    """A discriminator that says "real" in proportion to the mean pixel (images in [-1, 1])."""

    def forward(self, x):
        return x.mean(dim=(1, 2, 3))[:, None]


def test_quiz_places_one_real_image_per_round():
    real, fake = quiz_images()
    demo = demos.discriminator_quiz(real, fake, rounds=4, seed=3)
    quiz = demo.quiz
    assert quiz.images.shape == (4, 3, 28, 28)
    for k in range(4):
        assert (quiz.images[k, quiz.real[k]] == 1).all()
        assert (np.delete(quiz.images[k], quiz.real[k], axis=0) == 0).all()
    assert "Your score: <b>0</b> of 0" in demo.summary.value


def test_quiz_scores_clicks_and_reports_the_discriminator():
    real, fake = quiz_images()
    demo = demos.discriminator_quiz(real, fake, Brightness(), rounds=4, seed=3)
    quiz, buttons = demo.quiz, list(demo.controls.values())
    first = demo.image.value
    buttons[quiz.real[0]].click()  # right
    assert quiz.round == 1 and quiz.score == 1 and demo.image.value != first
    assert "round 1: right" in demo.summary.value and "of 1" in demo.summary.value
    wrong_place = (quiz.real[1] + 1) % 3
    buttons[wrong_place].click()
    assert quiz.score == 1 and f"the real one was {demos.PLACES[quiz.real[1]]}" in (
        demo.summary.value
    )
    assert "discriminator" not in demo.summary.value  # told only when the game is over
    for k in (2, 3):
        buttons[quiz.real[k]].click()
    assert "Your score: <b>3</b> of 4" in demo.summary.value
    assert "The discriminator picked the real digit in 4 of 4" in demo.summary.value
    buttons[0].click()  # the game is over: further clicks change nothing
    assert quiz.round == 4 and quiz.score == 3


def test_quiz_needs_enough_images():
    real, fake = quiz_images(rounds=2)
    with pytest.raises(ValueError, match="need 8 real and 16 fake images, got 2, 4"):
        demos.discriminator_quiz(real, fake, rounds=8)
