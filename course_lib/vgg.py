"""VGG-19 for lesson 08: its shapes, a loader for weights you saved yourself, and its cost.

The classic style transfer (Gatys, Ecker and Bethge) reads the features of VGG-19 trained on
ImageNet. This course never downloads anything, so ``vgg19_features(path)`` only loads a
torchvision VGG-19 state dict that is already on disk, checks every shape, and returns a
feature extractor with the same interface as ``style.RandomFeatures``: images (b, 3, h, w) in
[0, 1] -> a list of feature maps. ``multiply_adds`` counts the work of a forward pass.
"""

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

VGG19_CONFIG: tuple[int | str, ...] = (
    *(64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M"),
    *(512, 512, 512, 512, "M", 512),
)
"""VGG-19 up to conv5_1: the output channels of each 3x3 conv, "M" a 2x2 max-pool."""
TUTORIAL_CONFIG = VGG19_CONFIG[:7]
"""The part of VGG-19 that the PyTorch tutorial's recipe runs: conv1_1 up to conv3_1."""
VGG19_CUTS = (0, 2, 4, 8, 9, 12)
"""After the ReLU of which convolution (counted from 0) each map of ``vgg19_features`` ends:
relu1_1, relu2_1, relu3_1, relu4_1, relu4_2, relu5_1."""
VGG19_STYLE_LAYERS = (1, 2, 3, 4, 6)
"""The paper's style maps: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1 (map 0 is the input)."""
VGG19_CONTENT_LAYER = 5
"""The paper's content map: relu4_2."""
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def multiply_adds(config: Sequence[int | str], size: int) -> int:
    """Multiply-adds of one forward pass of a chain of 3x3 convolutions on a (size, size) image.

    config: output channels of each convolution, or "M" where the resolution halves (as in
    ``VGG19_CONFIG``); the input has 3 channels. A backward pass costs about twice as much.
    """
    total, c_in, side = 0, 3, size
    for item in config:
        if item == "M":
            side //= 2
        else:
            total += 9 * c_in * int(item) * side * side
            c_in = int(item)
    return total


def vgg19_shapes(config: Sequence[int | str] = VGG19_CONFIG) -> dict[str, tuple[int, ...]]:
    """The state-dict keys and shapes of VGG's convolutions, in torchvision's layout.

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


def vgg_convs(
    config: Sequence[int | str] = VGG19_CONFIG, generator: torch.Generator | None = None
) -> nn.Sequential:
    """VGG's convolutional part with torchvision's module indices: conv, ReLU, ..., "M" a
    2x2 max-pool. Random weights drawn as torchvision draws them (Kaiming normal, fan out)
    from ``generator``, biases 0."""
    modules: list[nn.Module] = []
    c_in = 3
    for item in config:
        if item == "M":
            modules.append(nn.MaxPool2d(2))
            continue
        conv = nn.Conv2d(c_in, int(item), 3, padding=1)
        nn.init.kaiming_normal_(
            conv.weight, mode="fan_out", nonlinearity="relu", generator=generator
        )
        nn.init.zeros_(conv.bias)
        modules += [conv, nn.ReLU()]
        c_in = int(item)
    return nn.Sequential(*modules)


def load_vgg_state_dict(
    path: str | Path, config: Sequence[int | str] = VGG19_CONFIG
) -> dict[str, torch.Tensor]:
    """Read VGG weights saved with ``torch.save`` at ``path`` (never downloads) and check them.

    Accepts a whole torchvision VGG-19 state dict (``features.0.weight``, ..., classifier keys are
    ignored) or its ``features`` part alone (``0.weight``, ...). Returns the convolutions' weights
    keyed as in ``vgg_convs`` (``0.weight``, ...). Raises FileNotFoundError for a missing file and
    ValueError naming the first missing key or wrong shape.
    """
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
    return {key.removeprefix("features."): state[key].float() for key in expected}


class Normalise(nn.Module):
    """(x - mean) / std for each colour channel, ImageNet's by default: (b, 3, h, w) -> same."""

    def __init__(
        self, mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD
    ) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return (images - self.mean) / self.std


class VGGFeatures(nn.Module):
    """A frozen VGG cut into stages: images (b, 3, h, w) in [0, 1] -> a list of maps.

    Map 0 is the normalised image; map k >= 1 is the output of stage k, which ends after the
    ReLU of convolution ``cuts[k - 1]`` (convolutions counted from 0).
    """

    def __init__(self, convs: nn.Sequential, cuts: Sequence[int]) -> None:
        super().__init__()
        conv_at = [i for i, module in enumerate(convs) if isinstance(module, nn.Conv2d)]
        ends = [conv_at[c] + 2 for c in cuts]  # just after that convolution's ReLU
        self.normalise = Normalise()
        self.stages = nn.ModuleList(
            convs[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)
        )
        self.requires_grad_(False)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        maps = [self.normalise(images)]
        for stage in self.stages:
            maps.append(stage(maps[-1]))
        return maps


def vgg19_features(
    path: str | Path,
    *,
    config: Sequence[int | str] = VGG19_CONFIG,
    cuts: Sequence[int] = VGG19_CUTS,
) -> VGGFeatures:
    """The classic method's feature extractor: VGG-19 with your weights from ``path``, frozen.

    Its maps are the normalised image, then relu1_1, relu2_1, relu3_1, relu4_1, relu4_2 and
    relu5_1 by default: use it with ``VGG19_STYLE_LAYERS`` and ``VGG19_CONTENT_LAYER``.
    """
    state = load_vgg_state_dict(path, config)
    n_convs = sum(item != "M" for item in config)
    if not cuts or list(cuts) != sorted(set(cuts)) or cuts[-1] >= n_convs:
        raise ValueError(f"cuts must be increasing conv numbers below {n_convs}, got {tuple(cuts)}")
    convs = vgg_convs(config)
    convs.load_state_dict(state)
    return VGGFeatures(convs, cuts)
