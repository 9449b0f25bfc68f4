import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from course_lib import build, style
from course_lib import style_experiments as experiments


def test_pair_is_the_cat_and_the_starry_swirls():
    content, picture = experiments.pair(32)
    assert content.shape == picture.shape == (1, 3, 32, 32)
    assert float(content.mean()) != pytest.approx(float(picture.mean()), abs=0.01)


def test_lesson_recipe_paints_with_lbfgs():
    result = experiments.lesson_recipe(32, 12)
    assert len(result.losses["total"]) >= 12
    assert result.final["total"] < 0.1 * result.losses["total"][0]


def test_tutorial_features_are_vgg19_before_its_relus():
    net = experiments.TutorialFeatures()
    outputs = net(torch.rand(1, 3, 32, 32))
    assert [tuple(o.shape[1:]) for o in outputs] == [
        (64, 32, 32),  # conv1_1
        (64, 32, 32),  # conv1_2
        (128, 16, 16),  # conv2_1
        (128, 16, 16),  # conv2_2
        (256, 8, 8),  # conv3_1
    ]
    assert all((o < 0).any() for o in outputs)  # taken before the ReLU, as the tutorial does
    again = experiments.TutorialFeatures()
    torch.testing.assert_close(net.convs[0].weight, again.convs[0].weight)


def test_tutorial_recipe_runs_its_budget_in_the_box():
    content, picture = experiments.pair(32)
    image = experiments.tutorial_recipe(content, picture, 6)
    assert image.shape == (32, 32, 3) and 0 <= image.min() <= image.max() <= 1
    assert not np.allclose(image, style.to_image(content))


def test_recipe_seconds_measures_both_in_one_run():
    seconds = experiments.recipe_seconds(32, 3)
    assert set(seconds) == {"lesson", "tutorial"} and all(s > 0 for s in seconds.values())
    assert experiments.recipe_seconds(32, 3) is seconds  # cached: one measurement, two figures


def test_bench_records_both_recipes():
    names = [name for name in build.MEASUREMENTS if "recipe" in name]
    assert len(names) == 2 and any("tutorial" in name for name in names)


def test_seconds_per_evaluation_is_positive():
    assert experiments.seconds_per_evaluation(32, 2) > 0


def test_layer_style_losses_vanish_for_the_style_itself():
    net = style.RandomFeatures()
    picture = np.random.default_rng(0).random((32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(experiments.layer_style_losses(net, picture, picture), 0)
    other = experiments.layer_style_losses(net, picture[::-1].copy() * 0.5, picture)
    assert other.shape == (5,) and np.all(other > 0)


def test_adam_final_losses_match_the_lessons_sweep():
    # lesson 08, section 4, shows experiments.adam_sweep() (cached): 0.2 is the best step
    steps = (0.1, 0.2, 0.3, 0.5)
    finals = experiments.adam_final_losses(steps)
    assert steps[int(np.argmin(finals))] == 0.2
    np.testing.assert_allclose(finals, [0.2213, 0.1491, 0.1553, 0.1693], rtol=1e-3)


def test_cpu_seconds_counts_process_time():
    assert experiments.cpu_seconds(sum, range(10)) >= 0
    assert experiments.cpu_seconds(lambda: sum(i * i for i in range(300_000))) > 0


def test_build_reads_each_recipe_from_one_measurement(monkeypatch):
    calls = []

    def fake(size, budget):
        calls.append((size, budget))
        return {"lesson": 1.5, "tutorial": 7.0}

    monkeypatch.setattr(experiments, "recipe_seconds", fake)
    assert build.style_recipe_seconds("lesson") == 1.5
    assert build.style_recipe_seconds("tutorial") == 7.0
    assert calls == [(256, 300), (256, 300)]


def test_adam_sweep_is_computed_once_then_read_from_the_cache(monkeypatch, tmp_path):
    calls = []

    def fake(steps):
        calls.append(steps)
        return np.array([0.5 + step for step in steps])

    monkeypatch.setattr(experiments.cnn, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(experiments, "adam_final_losses", fake)
    first = experiments.adam_sweep((0.1, 0.2))
    assert first == {0.1: 0.6, 0.2: 0.7} and experiments.adam_sweep((0.1, 0.2)) == first
    assert calls == [(0.1, 0.2)]  # the second call read the cache


def test_the_figures_draw_every_painting():
    painting = style.Painting(
        np.zeros((4, 4, 3)), {"total": np.array([3.0, 2.0, 1.0])}, {"total": 1.0}
    )
    curves = experiments.plot_curves({"a": painting, "b": painting})
    assert len(curves.axes[0].lines) == 2
    pictures = experiments.plot_pictures({"x": painting.image, "y": painting.image})
    assert [ax.get_title() for ax in pictures.axes] == ["x", "y"]
    grid = {(name, w): painting for name in ("0", "0-1") for w in (1.0, 10.0)}
    figure = experiments.plot_grid(grid, ["0", "0-1"], [1.0, 10.0])
    assert len(figure.axes) == 4 and figure.axes[2].get_ylabel() == "style maps 0-1"
    for fig in (curves, pictures, figure):
        plt.close(fig)
