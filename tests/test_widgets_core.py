import ipywidgets as widgets
import pytest

from course_lib.widgets import Demo


def draw_line(fig, slope, label="x"):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, slope])
    return f"slope {slope}, {label}"


def test_demo_redraws_when_a_control_changes():
    slider = widgets.FloatSlider(value=1.0, min=0, max=2)
    demo = Demo(draw_line, {"slope": slider})
    first = demo.image.value
    assert bytes(first).startswith(b"\x89PNG") and demo.summary.value == "slope 1.0, x"
    slider.value = 2.0
    assert demo.image.value != first and demo.summary.value == "slope 2.0, x"
    assert demo.redraws == 2


def test_demo_buttons_redraw_and_are_not_values():
    button = widgets.Button(description="again")
    demo = Demo(draw_line, {"slope": widgets.FloatSlider(value=1.0), "again": button})
    assert demo.values == {"slope": 1.0}
    button.click()
    assert demo.redraws == 2


def test_demo_static_rendering_has_png_and_stable_text():
    demo = Demo(draw_line, {"slope": widgets.FloatSlider(value=1.0)}, title="Slope")
    bundle = demo._repr_mimebundle_()
    assert bundle["text/plain"] == "Slope (controls: slope); interactive in JupyterLab"
    assert bundle["image/png"]


def test_demo_needs_controls():
    with pytest.raises(ValueError, match="controls must name at least one widget"):
        Demo(draw_line, {})
