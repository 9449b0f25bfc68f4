"""Neural style transfer (Gatys, Ecker and Bethge, 2015), as lesson 08 writes it.

An image's *content* is the feature map of one deep layer; its *style* is the Gram matrix (the
channel-by-channel products, averaged over positions) of several layers. Style transfer
optimises the pixels of an image so that its content matches one picture and its style another.

Feature maps come from a frozen network that returns a list of maps: ``RandomFeatures``, a small
multi-scale network of random filters (no download needed), or ``vgg.vgg19_features`` for the
classic method with VGG-19 weights you saved yourself. ``paint`` optimises the image with Adam
or L-BFGS; both work on u with the image x = sigmoid(u), so every image they see lies in the
box [0, 1]. Images are float arrays (height, width, 3) in [0, 1] outside the optimisation and
tensors (1, 3, height, width) inside it.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

STYLE_LAYERS = (0, 1, 2, 3, 4)  # the pixels (their colours) and every block
CONTENT_LAYER = 3  # block 3, a quarter of the image's resolution
WEIGHTS = (1.0, 1e4, 0.1)  # (alpha, beta, gamma): content, style, total variation
ADAM_STEP = 0.2  # on u: moves a pixel by at most about 0.05 a step


def to_tensor(image: np.ndarray) -> torch.Tensor:
    """An image (h, w, 3) in [0, 1] as a float32 batch of one, (1, 3, h, w)."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be (height, width, 3), got {image.shape}")
    return torch.from_numpy(image).permute(2, 0, 1).unsqueeze(0).contiguous()


def to_image(tensor: torch.Tensor) -> np.ndarray:
    """A batch of one (1, 3, h, w) back to an image (h, w, 3), clipped to [0, 1]."""
    return tensor.detach()[0].permute(1, 2, 0).clamp(0, 1).numpy().copy()


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel-by-channel products averaged over positions: (b, c, h, w) -> (b, c, c).

    Each map is reshaped to F of shape (c, h w); G = F F^T / (h w), so G[i, j] is the mean over
    positions of channel i times channel j. Where things are is averaged away.
    """
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def content_loss(maps: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of two feature maps of the same shape (b, c, h, w) -> scalar."""
    return ((maps - target) ** 2).mean()


def style_loss(maps: torch.Tensor, target_gram: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the Gram matrix of maps (b, c, h, w) and target_gram
    (b, c, c) -> scalar. The target's image may have another height and width."""
    return ((gram_matrix(maps) - target_gram) ** 2).mean()


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean squared step to the pixel below plus mean squared step to the pixel on the right.

    images: (b, 3, h, w) -> scalar.
    """
    down = ((images[:, :, 1:, :] - images[:, :, :-1, :]) ** 2).mean()
    right = ((images[:, :, :, 1:] - images[:, :, :, :-1]) ** 2).mean()
    return down + right


class RandomFeatures(nn.Module):
    """A frozen network of random filters: images (b, 3, h, w) -> 1 + len(channels) maps.

    Map 0 is the pixels themselves. Block k >= 1 is [2x2 average pooling if k > 1], a 3x3
    convolution to channels[k - 1] maps with He (Kaiming-normal) weights, and ReLU: map k
    has shape (b, channels[k - 1], h / 2^(k - 1), w / 2^(k - 1)).
    """

    def __init__(self, channels: tuple[int, ...] = (32, 64, 128, 256), seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        blocks, c_in = [], 3
        for k, c_out in enumerate(channels):
            conv = nn.Conv2d(c_in, c_out, 3, padding=1, padding_mode="reflect")
            nn.init.normal_(conv.weight, 0.0, (2 / (9 * c_in)) ** 0.5, generator=generator)
            nn.init.zeros_(conv.bias)
            pool = nn.AvgPool2d(2) if k else nn.Identity()
            blocks.append(nn.Sequential(pool, conv, nn.ReLU()))
            c_in = c_out
        self.blocks = nn.ModuleList(blocks).requires_grad_(False)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        maps = [images]
        for block in self.blocks:
            maps.append(block(maps[-1]))
        return maps


class StyleTransferLoss(nn.Module):
    """alpha content + beta style + gamma tv of an image x (1, 3, h, w), and the three parts."""

    def __init__(
        self,
        features: nn.Module,
        content: torch.Tensor,
        style: torch.Tensor,
        weights: tuple[float, float, float] = WEIGHTS,
        style_layers: tuple[int, ...] = STYLE_LAYERS,
        content_layer: int = CONTENT_LAYER,
    ) -> None:
        super().__init__()
        self.features, self.weights = features, weights
        self.style_layers, self.content_layer = style_layers, content_layer
        with torch.no_grad():  # the targets, once: content's maps and style's Gram matrices
            self.target = features(content)[content_layer]
            self.grams = [gram_matrix(maps) for maps in features(style)]

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        maps = self.features(x)
        styles = [style_loss(maps[k], self.grams[k]) for k in self.style_layers]
        parts = {"content": content_loss(maps[self.content_layer], self.target)}
        parts["style"] = torch.stack(styles).mean()
        parts["tv"] = total_variation(x)
        alpha, beta, gamma = self.weights
        parts["total"] = alpha * parts["content"] + beta * parts["style"] + gamma * parts["tv"]
        return parts


@dataclass
class Painting:
    """What ``paint`` returns: the final image (h, w, 3) in [0, 1]; the loss's parts at every
    evaluation, losses['total' | 'content' | 'style' | 'tv'], each (evaluations,); and final,
    the same parts for the final image."""

    image: np.ndarray
    losses: dict[str, np.ndarray]
    final: dict[str, float]


def optimiser_for(
    u: torch.Tensor,
    method: str,
    budget: int,
    lr: float,
) -> torch.optim.Optimizer:
    """Adam with step lr, or L-BFGS with a strong-Wolfe line search and at most budget
    evaluations a call, on the tensor u."""
    if method == "adam":
        return torch.optim.Adam([u], lr=lr)
    if method == "lbfgs":
        return torch.optim.LBFGS(
            [u], max_iter=budget, max_eval=budget, line_search_fn="strong_wolfe"
        )
    raise ValueError(f"method must be 'adam' or 'lbfgs', got {method!r}")


def paint(
    loss: nn.Module,
    start: torch.Tensor,
    budget: int,
    method: str = "lbfgs",
    lr: float = ADAM_STEP,
) -> Painting:
    """Minimise loss(x) over x = sigmoid(u) (1, 3, h, w) from x = start, in ``budget``
    evaluations of the loss and its gradient (one per Adam step, one or more per L-BFGS
    step)."""
    u = torch.logit(start.clamp(0.01, 0.99)).requires_grad_(True)
    opt = optimiser_for(u, method, budget, lr)
    history = []

    def closure() -> torch.Tensor:
        opt.zero_grad()
        parts = loss(torch.sigmoid(u))
        parts["total"].backward()
        history.append({name: value.item() for name, value in parts.items()})
        return parts["total"]

    while len(history) < budget:
        opt.step(closure)
    image = to_image(torch.sigmoid(u))
    with torch.no_grad():
        final = {name: value.item() for name, value in loss(to_tensor(image)).items()}
    losses = {name: np.array([h[name] for h in history]) for name in history[0]}
    return Painting(image, losses, final)
