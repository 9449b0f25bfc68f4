"""Looking inside a network, and where it breaks (lesson 09).

The lesson writes every function here in a ``# @save course_lib.interpret`` cell. They work on an
``nn.Sequential`` image classifier such as ``cnn.mnist_cnn``: inputs (n, 1, h, w) in [0, 1],
logits (n, classes), layers named by their index in the Sequential.

- ``activations``: every layer's output for one batch.
- ``preferred_inputs``: gradient ascent on the input, to find what one unit responds to most.
- ``maps_and_gradients`` and ``grad_cam``: where in the input the evidence for a class lies.
- ``randomised_copy``: the same network with fresh random weights (Grad-CAM's sanity check).
- ``dream_steps`` and ``deep_dream``: amplify what a layer sees in a photo, over several scales.
- ``fgsm``, ``pgd`` and ``smallest_fooling_epsilon``: adversarial examples in a max-norm ball.
- ``adversarial_batch`` and ``adversarially_trained``: ``training.fit`` on clean and attacked
  digits.
"""

import copy
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import training


def activations(model: nn.Sequential, x: torch.Tensor) -> list[tuple[str, np.ndarray]]:
    """Run ``model`` layer by layer on x (n, c, h, w); returns [("index: Layer", output)].

    The outputs keep their shapes, e.g. (n, 32, 28, 28) after the digit CNN's first conv.
    """
    outputs = []
    with torch.no_grad():
        for index, layer in enumerate(model):
            x = layer(x)
            outputs.append((f"{index}: {type(layer).__name__}", x.numpy().copy()))
    return outputs


def preferred_inputs(
    model: nn.Sequential,
    layer: int,
    channels: list[int],
    *,
    size: int = 28,
    steps: int = 60,
    step_size: float = 0.05,
    seed: int = 0,
) -> np.ndarray:
    """Gradient ascent on the input: for each channel c, an image that raises r_c(x), the centre
    unit of map c at the output of model[layer] (or logit c if that output is (n, classes)).

    Starts at grey 0.5 plus a little noise; x <- clip(x + step_size * g / rms(g), 0, 1) with
    g = dr_c/dx, for each image. Returns (len(channels), size, size).
    """
    prefix, rows = model[: layer + 1], torch.arange(len(channels))
    noise = torch.randn(len(channels), 1, size, size, generator=torch.Generator().manual_seed(seed))
    x = 0.5 + 0.05 * noise
    for _ in range(steps):
        x.requires_grad_(True)
        response = prefix(x)[rows, channels]  # (k,) logits or (k, h, w) maps
        if response.ndim == 3:
            response = response[:, response.shape[1] // 2, response.shape[2] // 2]
        (g,) = torch.autograd.grad(response.sum(), x)
        rms = g.pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt()
        x = (x + step_size * g / (rms + 1e-12)).clamp(0, 1).detach()
    return x[:, 0].numpy()


def maps_and_gradients(
    model: nn.Sequential, x: torch.Tensor, layer: int, target: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The maps A at the output of model[layer] and dy_target/dA, both (n, k, h, w).

    x: (n, c, H, W); target: (n,) the class whose logit y_target is explained for each image.
    """
    head, tail = model[: layer + 1], model[layer + 1 :]
    with torch.no_grad():
        maps = head(x)
    maps.requires_grad_(True)
    with torch.enable_grad():
        logits = tail(maps)
        (grads,) = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), maps)
    return maps.detach(), grads


def grad_cam(model: nn.Sequential, x: torch.Tensor, layer: int, target: torch.Tensor) -> np.ndarray:
    """Grad-CAM heatmaps (n, h, w) in [0, 1] at the output of model[layer], for x (n, c, H, W).

    alpha_k = mean over (i, j) of dy/dA_k[i, j]; L = ReLU(sum_k alpha_k A_k); heatmap = L / max L.
    """
    maps, grads = maps_and_gradients(model, x, layer, target)
    alpha = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * maps).sum(dim=1))
    return (cam / cam.amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)).numpy()


def randomised_copy(model: nn.Sequential, seed: int = 0) -> nn.Sequential:
    """A copy of ``model`` whose every layer is re-drawn by its own initialiser (in eval mode).

    Batch-norm layers are reset too (scale 1, shift 0, running mean 0 and variance 1).
    """
    clone = copy.deepcopy(model)
    with torch.random.fork_rng():  # leave the caller's random stream alone
        torch.manual_seed(seed)
        for layer in clone.modules():
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
    return clone.eval()


def dream_steps(
    prefix: nn.Module, image: torch.Tensor, steps: int, step_size: float
) -> torch.Tensor:
    """Gradient ascent on mean(prefix(image)^2), the energy of a layer's maps.

    image: (c, 1, h, w) in [0, 1]; image <- clip(image + step_size * g / mean|g|, 0, 1).
    """
    for _ in range(steps):
        image.requires_grad_(True)
        (g,) = torch.autograd.grad(prefix(image).pow(2).mean(), image)
        image = (image + step_size * g / (g.abs().mean() + 1e-12)).clamp(0, 1).detach()
    return image


def resize(x: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of images (n, c, h, w) to (n, c, *shape)."""
    return F.interpolate(x, size=shape, mode="bilinear", align_corners=False)


def deep_dream(
    model: nn.Sequential,
    image: np.ndarray,
    layer: int,
    *,
    octaves: int = 3,
    octave_scale: float = 1.5,
    steps: int = 20,
    step_size: float = 0.01,
) -> np.ndarray:
    """DeepDream on an RGB image (h, w, 3) in [0, 1] with the layers model[: layer + 1].

    ``dream_steps`` at ``octaves`` scales, smallest first; going up a scale, the detail that
    shrinking the original lost is added back. Each colour channel is one grey image.
    Returns the dreamt image (h, w, 3).
    """
    original = torch.from_numpy(image).permute(2, 0, 1)[:, None]
    full = original.shape[-2:]
    shapes = [tuple(round(s / octave_scale**k) for s in full) for k in reversed(range(octaves))]
    dream = resize(original, shapes[0])
    for before, shape in zip([shapes[0], *shapes[:-1]], shapes, strict=True):
        lost = resize(original, shape) - resize(resize(original, before), shape)
        dream = dream_steps(model[: layer + 1], resize(dream, shape) + lost, steps, step_size)
    return dream[:, 0].permute(1, 2, 0).numpy()


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilon: float) -> torch.Tensor:
    """Fast gradient sign method: x' = clip(x + epsilon * sign(dL/dx), 0, 1), L = cross-entropy.

    x: (n, c, h, w) in [0, 1], y: (n,) true labels. No pixel moves by more than epsilon.
    """
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():  # also inside a caller's torch.no_grad()
        (g,) = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x + epsilon * g.sign()).clamp(0, 1).detach()


def pgd(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilon: float, steps: int = 10
) -> torch.Tensor:
    """Projected gradient ascent on the loss: ``steps`` FGSM steps of 2.5 epsilon / steps, each
    followed by projection back into the box |x' - x| <= epsilon. Starts at x (deterministic).

    x: (n, c, h, w) in [0, 1], y: (n,) true labels. Returns x' (n, c, h, w).
    """
    adv = x.clone()
    for _ in range(steps):
        adv = fgsm(model, adv, y, 2.5 * epsilon / steps)
        adv = torch.minimum(torch.maximum(adv, x - epsilon), x + epsilon)
    return adv


def smallest_fooling_epsilon(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, high: float = 0.5, halvings: int = 8
) -> float:
    """Bisection for ONE image x (1, c, h, w), label y (1,): the smallest epsilon, to within
    high / 2**halvings, at which ``pgd`` makes the model misread it (inf if ``high`` does not)."""

    def fooled(epsilon: float) -> bool:
        with torch.no_grad():
            return model(pgd(model, x, y, epsilon)).argmax(dim=1).item() != y.item()

    if not fooled(high):
        return float("inf")
    low = 0.0
    for _ in range(halvings):
        middle = (low + high) / 2
        low, high = (low, middle) if fooled(middle) else (middle, high)
    return high


def adversarial_batch(
    xb: torch.Tensor,
    yb: torch.Tensor,
    generator: torch.Generator,
    *,
    model: nn.Module,
    epsilon: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``training.fit`` transform: the batch (n, ...) followed by its FGSM copy, labels repeated.

    The mean loss over the 2n rows is half clean, half attacked. The attack sees the network as
    it predicts (eval mode: no dropout); then training mode is restored.
    """
    model.eval()
    attacked = fgsm(model, xb, yb, epsilon)
    model.train()
    return torch.cat([xb, attacked]), torch.cat([yb, yb])


def adversarially_trained(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, epsilon: float, epochs: int = 1
) -> nn.Module:
    """A copy of ``model`` trained further by ``training.fit`` on batches followed by their FGSM
    copies (Adam 1e-3, batch 64). x: (n, c, h, w), y: (n,). Returns the copy in eval mode."""
    robust = copy.deepcopy(model)
    hook = partial(adversarial_batch, model=robust, epsilon=epsilon)
    training.fit(robust, x, y, epochs=epochs, batch_size=64, transform=hook)
    return robust
