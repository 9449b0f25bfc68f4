import time

from course_lib.widgets import training as demos


def test_optimiser_demo_redraws_on_learning_rate_and_momentum():
    demo = demos.optimiser_demo()
    first_image, first_summary = demo.image.value, demo.summary.value
    assert first_summary.startswith("after 100 steps")
    demo.controls["momentum"].value = 0.8
    assert demo.image.value != first_image and demo.summary.value != first_summary
    second_image, second_summary = demo.image.value, demo.summary.value
    start = time.perf_counter()
    demo.controls["log10_lr"].value = -2.5
    assert time.perf_counter() - start < 0.5 * 4  # < 0.5 s alone; margin for a loaded machine
    assert demo.image.value != second_image and demo.summary.value != second_summary


def test_optimiser_demo_reports_divergence_and_switches_surface():
    demo = demos.optimiser_demo()
    demo.controls["log10_lr"].value = -1.0  # 0.1 > 2 / 25 on the bowl
    assert demo.summary.value.startswith("diverged")
    demo.controls["log10_lr"].value = -3.0
    bowl_image = demo.image.value
    demo.controls["surface"].value = "Rosenbrock"
    assert demo.image.value != bowl_image and demo.summary.value.startswith("after 100 steps")


def test_walk_stops_when_it_escapes():
    points = demos.walk("ill-conditioned bowl", lr=0.5, momentum=0.0, steps=100)
    assert len(points) < 101 and abs(points[-1]).max() >= demos.ESCAPE
    assert demos.walk("Rosenbrock", lr=1e-3, momentum=0.9, steps=10).shape == (11, 2)


def test_contour_grid_shape_and_log_scale():
    import numpy as np

    from course_lib.widgets.training import SURFACES, contour_grid

    for name in SURFACES:
        xs, ys, levels = contour_grid(name, resolution=30)
        assert xs.shape == ys.shape == levels.shape == (30, 30)
        assert np.all(levels >= 0) and np.isfinite(levels).all()
