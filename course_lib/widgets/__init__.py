"""Live demos: ipywidgets controls that redraw a matplotlib figure (and a line of text).

``Demo`` draws on a plain ``matplotlib.figure.Figure`` (not pyplot, so nothing is shown twice),
renders it to PNG and puts the bytes in an ``ipywidgets.Image``. That makes every demo testable
without a browser (set a control's ``.value`` and the image bytes change), and gives static
renderings (slides, the course website) a picture of the demo in its first state.
Each lesson's demos live in ``course_lib.widgets.<lesson topic>``.
"""

import base64
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

Draw = Callable[..., str | None]


class Demo(widgets.VBox):
    """Controls above a figure; every change calls ``draw(fig, **values)`` and redraws.

    draw: draws on the (cleared) figure using the controls' current values, keyword by name;
    it may return a short HTML/text summary shown under the figure.
    controls: name -> value widget (slider, dropdown, ...); buttons redraw when clicked.
    """

    def __init__(
        self,
        draw: Draw,
        controls: Mapping[str, widgets.Widget],
        *,
        title: str = "Live demo",
        figsize: tuple[float, float] = (6.4, 4.0),
    ) -> None:
        if not controls:
            raise ValueError("controls must name at least one widget, got none")
        self.draw_function = draw
        self.title = title
        self.controls = dict(controls)
        self.fig = Figure(figsize=figsize, dpi=90)
        self.image = widgets.Image(format="png")
        self.summary = widgets.HTML()
        self.redraws = 0
        for control in self.controls.values():
            if isinstance(control, widgets.Button):
                control.on_click(lambda _button: self.update())
            else:
                control.observe(lambda _change: self.update(), names="value")
        super().__init__([widgets.VBox(list(self.controls.values())), self.image, self.summary])
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """Current value of each value control, by name."""
        return {
            name: control.value
            for name, control in self.controls.items()
            if not isinstance(control, widgets.Button)
        }

    def update(self) -> None:
        """Redraw the figure and the summary from the controls' current values."""
        self.fig.clear()
        summary = self.draw_function(self.fig, **self.values)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()
        self.summary.value = summary or ""
        self.redraws += 1

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, a PNG of its current state for static renderers, and stable text."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        names = ", ".join(self.controls)
        bundle["text/plain"] = f"{self.title} (controls: {names}); interactive in JupyterLab"
        return bundle
