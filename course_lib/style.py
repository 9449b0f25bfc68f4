"""Neural style transfer (Gatys, Ecker and Bethge, 2015) that runs offline on a CPU.

An image's *content* is the feature map of one deep layer; its *style* is the Gram matrix (the
channel-by-channel correlations, averaged over positions) of several layers. Style transfer
optimises the pixels of an image so that its content matches one picture and its style another.

The features come from any list of layers applied one after the other (``extract``): by default
``random_layers``, a small multi-scale network with frozen random filters (no download needed);
``vgg19_layers`` loads ImageNet VGG-19 weights from a file you already have, for the classic
method. Images are float arrays (height, width, 3) in [0, 1].
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

RANDOM_CHANNELS = (32, 64, 128, 256)
"""Channels of the four blocks of ``random_layers`` (block k > 1 first halves the resolution)."""
RANDOM_STYLE_LAYERS = (0, 1, 2, 3, 4)
"""Style of the random network: the raw pixels (layer 0, their colours) and every block."""
RANDOM_CONTENT_LAYER = 3
"""Content of the random network: block 3 (a quarter of the image's resolution)."""

VGG19_CONFIG: tuple[int | str, ...] = (
    *(64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M"),
    *(512, 512, 512, 512, "M", 512),
)
"""VGG-19 up to conv5_1: output channels of each conv, "M" a 2x2 max-pool (torchvision order)."""
VGG19_CUTS = (0, 2, 4, 8, 9, 12)
"""After which convolution (counted from 0) each VGG layer ends: relu1_1, relu2_1, relu3_1,
relu4_1, relu4_2, relu5_1."""
VGG19_STYLE_LAYERS = (1, 2, 3, 4, 6)
"""Style of ``vgg19_layers`` as in the paper: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1."""
VGG19_CONTENT_LAYER = 5
"""Content of ``vgg19_layers`` as in the paper: relu4_2 (layer 0 is the input normalisation)."""
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

STYLE_WEIGHT = 1e4
"""Default weight of the style loss against a content weight of 1."""
TV_WEIGHT = 1.0
"""Default weight of the total-variation (smoothness) loss."""
LEARNING_RATE = 0.05
"""Default Adam step on the pixels (pixel values live in [0, 1])."""


# ----------------------------------------------------------------------------------- numpy


def _check_features(features: np.ndarray, name: str) -> np.ndarray:
    features = np.asarray(features, dtype=float)
    if features.ndim != 3:
        raise ValueError(
            f"{name} must be a feature map (channels, height, width), got {features.shape}"
        )
    return features


def gram_matrix(features: np.ndarray) -> np.ndarray:
    """Gram matrix G = F F^T / (h w) of a feature map.  features: (c, h, w) -> (c, c).

    F is the map reshaped to (c, h w): row i is channel i at every position, so G[i, j] is the
    average over positions of channel i times channel j. Where things are is averaged away.
    """
    features = _check_features(features, "features")
    c, h, w = features.shape
    flat = features.reshape(c, h * w)
    return flat @ flat.T / (h * w)


def content_loss(generated: np.ndarray, target: np.ndarray) -> float:
    """Mean squared difference of two feature maps of the same shape (c, h, w) -> scalar."""
    generated = _check_features(generated, "generated")
    target = _check_features(target, "target")
    if generated.shape != target.shape:
        raise ValueError(f"generated {generated.shape} and target {target.shape} must match")
    return float(np.mean((generated - target) ** 2))


def style_loss(generated: np.ndarray, target: np.ndarray) -> float:
    """Mean squared difference of the Gram matrices of two feature maps (c, h, w) -> scalar.

    The maps may differ in height and width (the Gram matrix is (c, c) either way).
    """
    g_gen, g_target = gram_matrix(generated), gram_matrix(target)
    if g_gen.shape != g_target.shape:
        raise ValueError(
            f"generated has {g_gen.shape[0]} channels but target has {g_target.shape[0]}"
        )
    return float(np.mean((g_gen - g_target) ** 2))


def total_variation(image: np.ndarray) -> float:
    """Mean squared step to the pixel below plus to the right.  image: (h, w, 3) -> scalar."""
    image = np.asarray(image, dtype=float)
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 2:
        raise ValueError(f"image must be (height, width, 3) with sides >= 2, got {image.shape}")
    down = np.mean((image[1:] - image[:-1]) ** 2)
    right = np.mean((image[:, 1:] - image[:, :-1]) ** 2)
    return float(down + right)


# ----------------------------------------------------------------------------------- torch


def gram_matrix_torch(features: torch.Tensor) -> torch.Tensor:
    """Torch ``gram_matrix``.  features: (c, h, w) -> (c, c), or (b, c, h, w) -> (b, c, c)."""
    if features.ndim not in (3, 4):
        raise ValueError(f"features must be (c, h, w) or (b, c, h, w), got {tuple(features.shape)}")
    *lead, c, h, w = features.shape
    flat = features.reshape(*lead, c, h * w)
    return flat @ flat.transpose(-1, -2) / (h * w)


def content_loss_torch(generated: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Torch ``content_loss``: mean squared difference of two feature maps of the same shape."""
    if generated.shape != target.shape:
        raise ValueError(
            f"generated {tuple(generated.shape)} and target {tuple(target.shape)} must match"
        )
    return ((generated - target) ** 2).mean()


def style_loss_torch(generated: torch.Tensor, target_gram: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the Gram matrix of ``generated`` (c, h, w) or
    (b, c, h, w) and a precomputed ``target_gram`` (c, c) or (b, c, c)."""
    gram = gram_matrix_torch(generated)
    if gram.shape != target_gram.shape:
        raise ValueError(
            f"the Gram matrix of generated is {tuple(gram.shape)} but target_gram is "
            f"{tuple(target_gram.shape)}"
        )
    return ((gram - target_gram) ** 2).mean()


def total_variation_torch(image: torch.Tensor) -> torch.Tensor:
    """Torch ``total_variation`` of a batch of images (b, 3, h, w) -> scalar."""
    if image.ndim != 4 or min(image.shape[2:]) < 2:
        raise ValueError(
            f"image must be (batch, 3, height, width) with sides >= 2, got {tuple(image.shape)}"
        )
    down = ((image[:, :, 1:] - image[:, :, :-1]) ** 2).mean()
    right = ((image[:, :, :, 1:] - image[:, :, :, :-1]) ** 2).mean()
    return down + right


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """An image (h, w, 3) in [0, 1] as a float32 batch of one, (1, 3, h, w)."""
    import torch

    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be (height, width, 3), got {image.shape}")
    return torch.from_numpy(image).permute(2, 0, 1).unsqueeze(0).contiguous()


def to_image(tensor: torch.Tensor) -> np.ndarray:
    """A batch of one (1, 3, h, w) back to an image (h, w, 3) clipped to [0, 1]."""
    return tensor.detach()[0].permute(1, 2, 0).clamp(0, 1).numpy().copy()


# ------------------------------------------------------------------------- feature extractors


def random_layers(
    channels: Sequence[int] = RANDOM_CHANNELS, *, kernel: int = 3, seed: int = 0
) -> list[torch.nn.Module]:
    """A frozen multi-scale network of random filters, as a list of layers.

    Layer 0 passes the pixels through (its Gram matrix is the image's colour statistics); layer
    k >= 1 is [2x2 average pooling if k > 1], a ``kernel`` x ``kernel`` convolution to
    ``channels[k-1]`` maps with Kaiming-normal random weights (std sqrt(2 / fan_in)), and ReLU.
    Input (b, 3, h, w); layer k outputs (b, channels[k-1], h / 2^(k-1), w / 2^(k-1)).
    """
    import torch
    from torch import nn

    if len(channels) == 0 or any(not isinstance(c, int) or c < 1 for c in channels):
        raise ValueError(f"channels must be positive ints, got {tuple(channels)}")
    if kernel < 1 or kernel % 2 == 0:
        raise ValueError(f"kernel must be an odd positive int, got {kernel}")
    generator = torch.Generator().manual_seed(seed)
    layers: list[nn.Module] = [nn.Identity()]
    c_in = 3
    for k, c_out in enumerate(channels):
        conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, padding_mode="reflect")
        with torch.no_grad():
            conv.weight.normal_(0.0, (2.0 / (c_in * kernel * kernel)) ** 0.5, generator=generator)
            conv.bias.zero_()
        parts = [nn.AvgPool2d(2)] if k > 0 else []
        layers.append(nn.Sequential(*parts, conv, nn.ReLU()))
        c_in = c_out
    for layer in layers:
        layer.requires_grad_(False)
    return layers


def multiply_adds(channels: Sequence[int], size: int, *, kernel: int = 3) -> int:
    """Multiply-adds of one forward pass of ``random_layers(channels, kernel=kernel)`` on a
    (size, size) image: sum over blocks k of kernel^2 * c_in * c_out * (size / 2^(k-1))^2.

    A backward pass costs about twice as much, so one optimisation step is about 3x this.
    """
    if not isinstance(size, int) or size < 2 ** len(channels):
        raise ValueError(f"size must be an int >= {2 ** len(channels)}, got {size!r}")
    total, c_in, side = 0, 3, size
    for k, c_out in enumerate(channels):
        side = side // 2 if k > 0 else side
        total += kernel * kernel * c_in * c_out * side * side
        c_in = c_out
    return total


def extract(layers: Sequence[torch.nn.Module], images: torch.Tensor) -> list[torch.Tensor]:
    """Apply ``layers`` one after the other to images (b, 3, h, w); the output of every layer."""
    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"images must be (batch, 3, height, width), got {tuple(images.shape)}")
    outputs = []
    x = images
    for layer in layers:
        x = layer(x)
        outputs.append(x)
    return outputs


def vgg19_shapes(config: Sequence[int | str] = VGG19_CONFIG) -> dict[str, tuple[int, ...]]:
    """The state-dict keys and shapes that ``vgg19_layers`` needs, in torchvision's layout.

    Key ``features.{i}.weight`` (c_out, c_in, 3, 3) and ``features.{i}.bias`` (c_out,), where i
    is the module's index in torchvision's ``vgg19().features`` (each conv is followed by a ReLU;
    "M" is a max-pooling).
    """
    shapes: dict[str, tuple[int, ...]] = {}
    index, c_in = 0, 3
    for item in config:
        if item == "M":
            index += 1
            continue
        if not isinstance(item, int) or item < 1:
            raise ValueError(f"config entries must be positive ints or 'M', got {item!r}")
        shapes[f"features.{index}.weight"] = (item, c_in, 3, 3)
        shapes[f"features.{index}.bias"] = (item,)
        index, c_in = index + 2, item
    return shapes


def load_vgg_state_dict(
    path: str | Path, config: Sequence[int | str] = VGG19_CONFIG
) -> dict[str, torch.Tensor]:
    """Read VGG weights saved with ``torch.save`` at ``path`` (never downloads) and check them.

    Accepts a whole torchvision VGG-19 state dict (``features.0.weight``, ..., classifier keys are
    ignored) or its ``features`` part alone (``0.weight``, ...). Raises FileNotFoundError for a
    missing file and ValueError naming the first missing key or wrong shape.
    """
    import torch

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no VGG weights at {path}: save a torchvision vgg19 state dict there yourself "
            "(this course never downloads weights)"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(f"{path} is not a torch state dict ({type(exc).__name__})") from exc
    if not isinstance(state, dict):
        raise ValueError(f"{path} holds a {type(state).__name__}, expected a state dict")
    if state and all(not str(k).startswith("features.") for k in state):
        state = {f"features.{k}": v for k, v in state.items()}
    expected = vgg19_shapes(config)
    for key, shape in expected.items():
        if key not in state:
            raise ValueError(
                f"{path} lacks {key!r}: expected torchvision's VGG-19 layout, "
                f"keys like {list(expected)[:2]}"
            )
        got = tuple(state[key].shape)
        if got != shape:
            raise ValueError(f"{path}: {key} should have shape {shape}, got {got}")
    return {key: state[key].float() for key in expected}


def normalise_layer(
    mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD
) -> torch.nn.Module:
    """A frozen 1x1 convolution computing (x - mean) / std per colour channel.  (b, 3, h, w)."""
    import torch
    from torch import nn

    layer = nn.Conv2d(3, 3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.diag(1.0 / torch.tensor(std)).view(3, 3, 1, 1))
        layer.bias.copy_(-torch.tensor(mean) / torch.tensor(std))
    return layer.requires_grad_(False)


def vgg19_layers(
    path: str | Path,
    *,
    config: Sequence[int | str] = VGG19_CONFIG,
    cuts: Sequence[int] = VGG19_CUTS,
) -> list[torch.nn.Module]:
    """The classic method's feature extractor: VGG-19 with weights from ``path``, frozen.

    Layer 0 normalises with the ImageNet mean and std; then one layer ends after the ReLU of
    each convolution numbered in ``cuts`` (relu1_1, relu2_1, relu3_1, relu4_1, relu4_2,
    relu5_1 by default). Use with ``VGG19_STYLE_LAYERS`` and ``VGG19_CONTENT_LAYER``.
    """
    from torch import nn

    state = load_vgg_state_dict(path, config)
    n_convs = sum(item != "M" for item in config)
    if not cuts or list(cuts) != sorted(set(cuts)) or cuts[-1] >= n_convs:
        raise ValueError(f"cuts must be increasing conv numbers below {n_convs}, got {tuple(cuts)}")
    layers: list[nn.Module] = [normalise_layer()]
    current: list[nn.Module] = []
    index, conv_number, c_in = 0, 0, 3
    for item in config:
        if item == "M":
            current.append(nn.MaxPool2d(2))
            index += 1
            continue
        conv = nn.Conv2d(c_in, int(item), 3, padding=1)
        conv.weight.data.copy_(state[f"features.{index}.weight"])
        conv.bias.data.copy_(state[f"features.{index}.bias"])
        current += [conv, nn.ReLU()]
        if conv_number in cuts:
            layers.append(nn.Sequential(*current))
            current = []
        if conv_number == cuts[-1]:
            break
        index, conv_number, c_in = index + 2, conv_number + 1, int(item)
    for layer in layers:
        layer.requires_grad_(False)
    return layers


# ------------------------------------------------------------------------- procedural styles


def _smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    from PIL import Image

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
    from course_lib import data

    if name in PROCEDURAL_STYLES:
        return PROCEDURAL_STYLES[name](size)
    if name in data.image_names():
        return data.load_image(name, size)
    raise ValueError(
        f"name must be one of {sorted(PROCEDURAL_STYLES)} or a shipped image "
        f"{data.image_names()}, got {name!r}"
    )


# ------------------------------------------------------------------------------ optimisation


@dataclass
class Transfer:
    """The result of ``stylise``: the image (h, w, 3) and the losses after each evaluation.

    losses: 'total', 'content', 'style', 'tv', each (evaluations,), the weighted total and the
    three unweighted parts, computed on the image *before* the optimiser's update.
    seconds: (evaluations,) process time since the start, after each evaluation.
    snapshots: optimiser step -> image (h, w, 3) after that step (step 0 is the start).
    """

    image: np.ndarray
    losses: dict[str, np.ndarray]
    seconds: np.ndarray
    snapshots: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        """How many times the loss and its gradient were computed."""
        return len(self.losses["total"])


def _check_indices(indices: Sequence[int], n_layers: int, name: str) -> list[int]:
    indices = [int(i) for i in indices]
    if not indices or any(not 0 <= i < n_layers for i in indices):
        raise ValueError(f"{name} must be layer numbers in [0, {n_layers - 1}], got {indices}")
    return indices


def style_objective(
    layers: Sequence[torch.nn.Module],
    content: np.ndarray | None,
    style: np.ndarray,
    *,
    style_weight: float = STYLE_WEIGHT,
    content_weight: float = 1.0,
    tv_weight: float = TV_WEIGHT,
    style_layers: Sequence[int] = RANDOM_STYLE_LAYERS,
    content_layer: int = RANDOM_CONTENT_LAYER,
) -> Callable[[torch.Tensor], dict[str, torch.Tensor]]:
    """The loss of style transfer as a function of the image x (1, 3, h, w) -> its four parts.

    Returns ``loss(x)`` -> {'total', 'content', 'style', 'tv'}: total = content_weight * content
    + style_weight * style + tv_weight * tv, where style is the mean over ``style_layers`` of
    ``style_loss_torch`` against ``style``'s Gram matrices and content is ``content_loss_torch``
    at ``content_layer`` against ``content`` (0 when content is None: texture synthesis).
    The targets are computed once, here.
    """
    import torch

    layers = list(layers)
    style_layers = _check_indices(style_layers, len(layers), "style_layers")
    content_layer = _check_indices([content_layer], len(layers), "content_layer")[0]
    with torch.no_grad():
        style_features = extract(layers, to_tensor(style))
        grams = {i: gram_matrix_torch(style_features[i]) for i in style_layers}
        target = None if content is None else extract(layers, to_tensor(content))[content_layer]
    last = max([*style_layers, content_layer])

    def loss(x: torch.Tensor) -> dict[str, torch.Tensor]:
        features = extract(layers[: last + 1], x)
        parts = {
            "content": torch.zeros(())
            if target is None
            else content_loss_torch(features[content_layer], target),
            "style": sum(style_loss_torch(features[i], grams[i]) for i in style_layers)
            / len(style_layers),
            "tv": total_variation_torch(x),
        }
        total = (
            content_weight * parts["content"]
            + style_weight * parts["style"]
            + tv_weight * parts["tv"]
        )
        return {"total": total, **parts}

    return loss


def _adam(
    x: torch.Tensor, evaluate: Callable[[], torch.Tensor], steps: int, lr: float, keep: Callable
) -> None:
    """``steps`` Adam steps on the pixels x, clipped to [0, 1] after each; keep(step) after it."""
    import torch

    adam = torch.optim.Adam([x], lr=lr)
    for step in range(1, steps + 1):
        adam.zero_grad()
        evaluate().backward()
        adam.step()
        with torch.no_grad():
            x.clamp_(0, 1)
        keep(step)


def _lbfgs(
    x: torch.Tensor, evaluate: Callable[[], torch.Tensor], steps: int, keep: Callable
) -> None:
    """``steps`` L-BFGS iterations (strong-Wolfe line search) on x, clipped to [0, 1] at the end."""
    import torch

    lbfgs = torch.optim.LBFGS(
        [x], lr=1.0, max_iter=steps, history_size=20, line_search_fn="strong_wolfe"
    )

    def closure() -> torch.Tensor:
        lbfgs.zero_grad()
        total = evaluate()
        total.backward()
        return total

    lbfgs.step(closure)
    with torch.no_grad():
        x.clamp_(0, 1)
    keep(steps)


def stylise(
    content: np.ndarray | None,
    style: np.ndarray,
    layers: Sequence[torch.nn.Module] | None = None,
    *,
    steps: int = 150,
    lr: float = LEARNING_RATE,
    optimizer: str = "adam",
    init: str = "content",
    snapshots: Sequence[int] = (),
    seed: int = 0,
    **weights_and_layers: Any,
) -> Transfer:
    """Optimise the pixels of an image to minimise ``style_objective``'s total loss.

    content: (h, w, 3) in [0, 1], or None for texture synthesis (then the image is the size of
    ``style`` and starts from noise). style: (hs, ws, 3). layers: a feature extractor (default
    ``random_layers()``). weights_and_layers: style_weight, content_weight, tv_weight,
    style_layers, content_layer, passed to ``style_objective``.
    optimizer: "adam" (``steps`` steps of size ``lr``, pixels clipped to [0, 1] after each) or
    "lbfgs" (``steps`` iterations with a line search, clipped at the end).
    init: "content" (start from the content image) or "noise" (grey plus uniform noise, ``seed``).
    snapshots: the steps after which to keep a copy of the image (0: the start).
    """
    import torch

    if optimizer not in ("adam", "lbfgs"):
        raise ValueError(f"optimizer must be 'adam' or 'lbfgs', got {optimizer!r}")
    if init not in ("content", "noise"):
        raise ValueError(f"init must be 'content' or 'noise', got {init!r}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    layers = random_layers() if layers is None else layers
    loss = style_objective(layers, content, style, **weights_and_layers)
    if content is not None and init == "content":
        x = to_tensor(content).requires_grad_(True)
    else:
        shape = to_tensor(style if content is None else content).shape
        generator = torch.Generator().manual_seed(seed)
        x = (0.4 + 0.2 * torch.rand(shape, generator=generator)).requires_grad_(True)
    history: dict[str, list[float]] = {"total": [], "content": [], "style": [], "tv": []}
    seconds: list[float] = []
    start = time.process_time()

    def evaluate() -> torch.Tensor:
        parts = loss(x)
        for key, value in parts.items():
            history[key].append(float(value.detach()))
        seconds.append(time.process_time() - start)
        return parts["total"]

    kept: dict[int, np.ndarray] = {}

    def keep(step: int) -> None:
        if step in snapshots:
            kept[step] = to_image(x)

    keep(0)
    if optimizer == "adam":
        _adam(x, evaluate, steps, lr, keep)
    else:
        _lbfgs(x, evaluate, steps, keep)
    return Transfer(
        image=to_image(x),
        losses={key: np.array(values) for key, values in history.items()},
        seconds=np.array(seconds),
        snapshots=kept,
    )


def synthesise_texture(style: np.ndarray, **options) -> Transfer:
    """Texture synthesis: ``stylise`` with no content, from noise, the size of ``style``."""
    return stylise(None, style, init="noise", **options)


def seconds_per_step(size: int, steps: int = 5) -> float:
    """CPU seconds per Adam step (one forward and backward pass and an update) of ``stylise``
    with the default random network, a (size, size) image and the same default losses.

    Uses process time, so machine load does not inflate it; one step is run first to warm up.
    """
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be an int >= 16, got {size!r}")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    from course_lib import data

    content, style = data.load_image("chelsea", size), starry_swirls(size)
    layers = random_layers()
    stylise(content, style, layers, steps=1)
    start = time.process_time()
    stylise(content, style, layers, steps=steps)
    return (time.process_time() - start) / steps
