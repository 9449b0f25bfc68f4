"""Style images drawn in code for lesson 08: stand-ins for paintings the course cannot ship.

``starry_swirls`` is after van Gogh's *Starry Night* (brush strokes along a flow field of whirls,
yellow stars), ``concentric_squares`` after Kandinsky's squares with concentric circles.
``style_image`` gives either by name, or a photograph shipped in ``datasets/``. Every image is
float32 (size, size, 3) in [0, 1] and the same for the same seed.
"""

import numpy as np
from PIL import Image

from course_lib import data


def _smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """A (size, size) field: (cells, cells) uniform noise upsampled bicubically."""
    coarse = Image.fromarray(rng.random((cells, cells)).astype(np.float32))
    return np.asarray(coarse.resize((size, size), Image.Resampling.BICUBIC))


def starry_swirls(size: int = 128, seed: int = 0, *, vortices: int = 6) -> np.ndarray:
    """A painting-like style image after van Gogh's Starry Night: (size, size, 3) in [0, 1].

    Brush strokes are white noise smeared along a flow field (a wind plus ``vortices`` whirls):
    a line-integral convolution. Blue tones for the sky, yellow glowing stars at the whirls.
    """
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be an int >= 16, got {size!r}")
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    vx = 0.6 + 0.4 * np.sin(2 * np.pi * (2 * y + 0.3 * np.sin(2 * np.pi * x)))
    vy = 0.3 * np.cos(2 * np.pi * (1.5 * x + y))
    centres = rng.random((vortices, 2))
    radii = rng.uniform(0.06, 0.16, vortices)
    glow = np.zeros_like(x)
    for (cx, cy), r in zip(centres, radii, strict=True):
        dx, dy = x - cx, y - cy
        d2 = dx**2 + dy**2
        swirl = 3.0 * np.exp(-d2 / (2 * r**2)) / np.sqrt(d2 + 1e-4)
        vx, vy = vx - dy * swirl, vy + dx * swirl
        glow = np.maximum(glow, np.exp(-d2 / (2 * (0.45 * r) ** 2)))
    norm = np.sqrt(vx**2 + vy**2) + 1e-6
    vx, vy = vx / norm, vy / norm
    width = max(1, size // 64)
    cells = rng.random((size // width + 1, size // width + 1))
    noise = np.kron(cells, np.ones((width, width)))[:size, :size]
    strokes = np.zeros_like(x)
    steps = max(6, size // 10)
    for sign in (1, -1):
        px, py = x * size, y * size
        for _ in range(steps):
            ix, iy = px.astype(int) % size, py.astype(int) % size
            strokes += noise[iy, ix]
            px, py = px + sign * vx[iy, ix], py + sign * vy[iy, ix]
    strokes = (strokes - strokes.mean()) / strokes.std()
    navy, sky = np.array([0.08, 0.15, 0.42]), np.array([0.35, 0.55, 0.85])
    white, yellow = np.array([0.9, 0.93, 0.95]), np.array([0.98, 0.85, 0.25])
    tone = _smooth_noise(rng, size, 5)
    t = np.clip(0.5 + 0.25 * strokes + 0.4 * (tone - 0.5), 0, 1)[..., None]
    image = navy * (1 - t) + sky * t
    highlight = np.clip(0.3 * strokes, 0, 1)[..., None]
    image = image * (1 - highlight) + white * highlight
    star = np.clip(glow * (1.3 + 0.4 * strokes), 0, 1)[..., None]
    image = image * (1 - star) + yellow * star
    return np.clip(image, 0, 1).astype(np.float32)


def concentric_squares(size: int = 128, seed: int = 0, *, cells: int = 4) -> np.ndarray:
    """A painting-like style image after Kandinsky's squares with concentric circles.

    A ``cells`` x ``cells`` grid of coloured squares, each holding rings of bold colours around
    a slightly shifted centre, with a little paint-like grain. Returns (size, size, 3) in [0, 1].
    """
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be an int >= 16, got {size!r}")
    if not isinstance(cells, int) or not 1 <= cells <= size // 8:
        raise ValueError(f"cells must be an int in [1, {size // 8}], got {cells!r}")
    rng = np.random.default_rng(seed)
    palette = np.array(
        [
            [0.85, 0.15, 0.12], [0.95, 0.75, 0.10], [0.10, 0.30, 0.65], [0.15, 0.55, 0.30],
            [0.95, 0.45, 0.10], [0.55, 0.20, 0.55], [0.08, 0.08, 0.10], [0.93, 0.90, 0.80],
            [0.40, 0.70, 0.85], [0.80, 0.35, 0.55],
        ]
    )  # fmt: skip
    image = np.zeros((size, size, 3))
    y, x = np.mgrid[0:size, 0:size] / size * cells
    row, col = y.astype(int), x.astype(int)
    for r in range(cells):
        for c in range(cells):
            inside = (row == r) & (col == c)
            cy, cx = r + 0.5 + rng.uniform(-0.1, 0.1), c + 0.5 + rng.uniform(-0.1, 0.1)
            radius = np.sqrt((y - cy) ** 2 + (x - cx) ** 2)
            rings = rng.choice(len(palette), size=5, replace=False)
            bounds = np.sort(rng.uniform(0.08, 0.48, size=3))[::-1]
            ring = np.searchsorted(-bounds, -radius, side="right")  # 0 = outside every ring
            image[inside] = palette[rings[np.minimum(ring, 4)]][inside]
    grain = 0.04 * _smooth_noise(rng, size, size // 2)[..., None]
    return np.clip(image * (0.96 + grain), 0, 1).astype(np.float32)


PROCEDURAL_STYLES = {"starry_swirls": starry_swirls, "concentric_squares": concentric_squares}
"""Style images made in code: name -> generator(size) -> (size, size, 3)."""


def style_image(name: str, size: int = 128) -> np.ndarray:
    """A style image by name: a procedural one (``PROCEDURAL_STYLES``) or a shipped image
    (``course_lib.data.image_names()``), as (size, size, 3) float32 in [0, 1]."""
    if name in PROCEDURAL_STYLES:
        return PROCEDURAL_STYLES[name](size)
    if name in data.image_names():
        return data.load_image(name, size)
    raise ValueError(
        f"name must be one of {sorted(PROCEDURAL_STYLES)} or a shipped image "
        f"{data.image_names()}, got {name!r}"
    )
