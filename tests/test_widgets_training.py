import numpy as np

from course_lib.widgets import training as demos


def test_optimiser_demo_redraws_on_every_control():
    demo = demos.optimiser_demo()
    assert demo.summary.value.startswith("after 100 steps")
    changes = [
        ("mu", 0.8),
        ("log10_lr", -2.5),
        ("optimiser", "Adam (β₁ = μ)"),
        ("noise", 2.0),
        ("decay", True),
        ("surface", "Rosenbrock valley"),
    ]
    for name, value in changes:
        image, summary = demo.image.value, demo.summary.value
        demo.controls[name].value = value
        assert demo.image.value != image, name
        assert demo.summary.value != summary, name


def test_optimiser_demo_reports_divergence():
    demo = demos.optimiser_demo()
    demo.controls["log10_lr"].value = -1.0  # 0.1 > 2 / 25 on the bowl
    assert demo.summary.value.startswith("diverged")
    demo.controls["log10_lr"].value = -1.2
    assert demo.summary.value.startswith("after 100 steps")


def test_walk_stops_when_it_escapes_and_follows_its_options():
    points = demos.walk("long narrow bowl", "SGD / momentum μ", lr=0.5, mu=0.0, steps=100)
    assert len(points) < 101 and abs(points[-1]).max() >= demos.ESCAPE
    rosenbrock = demos.walk("Rosenbrock valley", "Adam (β₁ = μ)", lr=1e-2, mu=0.9, steps=10)
    assert rosenbrock.shape == (11, 2)
    calm = demos.walk("long narrow bowl", "RMSprop", lr=0.1, mu=0.0, steps=50)
    shaken = demos.walk("long narrow bowl", "RMSprop", lr=0.1, mu=0.0, steps=50, noise=3.0)
    decayed = demos.walk("long narrow bowl", "RMSprop", lr=0.1, mu=0.0, steps=50, decay=True)
    assert not np.allclose(calm, shaken) and not np.allclose(calm, decayed)


def test_the_legend_names_the_optimiser_and_its_settings():
    assert demos.describe("SGD / momentum μ", 0.0631, 0.0) == "SGD, α 0.063"
    assert demos.describe("SGD / momentum μ", 0.05, 0.9) == "momentum, α 0.05, μ 0.90"
    assert demos.describe("RMSprop", 0.1, 0.5) == "RMSprop, α 0.1"
    assert demos.describe("Adam (β₁ = μ)", 0.3, 0.9) == "Adam, α 0.3, β₁ 0.90"
