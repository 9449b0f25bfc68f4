"""Looking inside a network and attacking it (lesson 09).

Everything here works on a ``torch.nn.Sequential`` image classifier such as the course's digit CNN
(``course_lib.cnn.digit_cnn``): inputs (n, 1, h, w) in [0, 1], logits (n, classes). Layers are
named by their index in the Sequential (0 = first conv, 3 = second conv for the digit CNN).

- ``activations``: every layer's output for one batch (what the network "sees", layer by layer).
- ``visualise_filter``: gradient ascent on the input to maximise one channel's mean response.
- ``grad_cam`` (torch) and ``cam_from_gradients`` (numpy): class activation heatmaps.
- ``deep_dream``: amplify whatever a layer responds to in a larger image, over several scales.
- ``fgsm`` and ``pgd``: adversarial examples inside an L-infinity ball of radius epsilon.
- ``adversarial_fit``: the ``training.fit`` loop, but each batch is replaced by its attacked copy.
"""

import numbers
from collections.abc import Sequence

import numpy as np


def _check_epsilon(epsilon: float) -> float:
    is_number = isinstance(epsilon, numbers.Real) and not isinstance(epsilon, bool)
    if not is_number or not 0.0 <= float(epsilon) <= 1.0:
        raise ValueError(f"epsilon must be a number in [0, 1], got {epsilon!r}")
    return float(epsilon)


def _check_images(x, name: str = "x") -> None:
    if x.ndim != 4:
        raise ValueError(
            f"{name} must be a batch of images (n, channels, h, w), got {tuple(x.shape)}"
        )


def _check_layer(model, layer: int) -> None:
    if not isinstance(layer, int) or not 0 <= layer < len(model):
        raise ValueError(f"layer must be an index 0..{len(model) - 1} of the model, got {layer!r}")


def activations(model, x) -> list[tuple[str, np.ndarray]]:
    """Run ``model`` layer by layer on x (n, c, h, w); returns [(layer name, output array)].

    The name is "index: LayerClass", e.g. "0: Conv2d"; outputs keep their shapes, e.g. (n, 16, 8, 8)
    after the first conv of the digit CNN and (n, 10) at the end.
    """
    import torch

    _check_images(x)
    outputs = []
    with torch.no_grad():
        for index, layer in enumerate(model):
            x = layer(x)
            outputs.append((f"{index}: {type(layer).__name__}", x.numpy().copy()))
    return outputs


def visualise_filter(
    model,
    layer: int,
    channel: int,
    *,
    centre: bool = True,
    size: int = 8,
    steps: int = 60,
    step_size: float = 0.05,
    seed: int = 0,
) -> np.ndarray:
    """The input image (size, size) in [0, 1] that gradient ascent finds for one channel.

    The objective r(x) is the channel's response at the output of ``model[layer]``: its centre unit
    (``centre=True``: pixels outside that unit's receptive field get no gradient and stay near the
    grey start) or its mean over the whole map (``centre=False``, as in the Keras book). Starting
    from grey plus a little noise, x <- clip(x + step_size * g / rms(g), 0, 1) with g = dr/dx.
    A 2-D output such as the logits (1, classes) has no map: r(x) is the entry ``channel``.
    """
    import torch

    _check_layer(model, layer)
    prefix = model[: layer + 1]
    generator = torch.Generator().manual_seed(seed)
    x = 0.5 + 0.05 * torch.randn(1, 1, size, size, generator=generator)
    for _ in range(steps):
        x.requires_grad_(True)
        response = prefix(x)
        if not 0 <= channel < response.shape[1]:
            raise ValueError(f"channel must be in 0..{response.shape[1] - 1}, got {channel}")
        response = response[0, channel]
        if response.ndim == 2 and centre:
            response = response[response.shape[0] // 2, response.shape[1] // 2]
        (grad,) = torch.autograd.grad(response.mean(), x)
        with torch.no_grad():
            x = (x + step_size * grad / (grad.pow(2).mean().sqrt() + 1e-8)).clamp(0, 1)
    return x[0, 0].detach().numpy()


def cam_from_gradients(maps: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Grad-CAM from maps A and gradients dy_c/dA, both (channels, h, w) -> (h, w) in [0, 1].

    alpha_k = mean over (i, j) of dy_c/dA_k[i, j]; L = ReLU(sum_k alpha_k A_k); L / max(L)
    (all zeros when L is zero everywhere).
    """
    maps, grads = np.asarray(maps, dtype=float), np.asarray(grads, dtype=float)
    if maps.ndim != 3 or maps.shape != grads.shape:
        raise ValueError(
            f"maps and grads must both be (channels, h, w), got {maps.shape} and {grads.shape}"
        )
    alpha = grads.mean(axis=(1, 2))
    cam = np.maximum(np.tensordot(alpha, maps, axes=1), 0.0)
    peak = cam.max()
    return cam / peak if peak > 0 else cam


def maps_and_gradients(model, x, layer: int, target=None) -> tuple[np.ndarray, np.ndarray]:
    """Maps at the output of ``model[layer]`` and d logit_target / d maps, both (n, k, h, w).

    x: (n, c, h, w); target: (n,) classes, or None for each image's predicted class.
    """
    import torch

    _check_images(x)
    _check_layer(model, layer)
    head, tail = model[: layer + 1], model[layer + 1 :]
    with torch.no_grad():
        maps = head(x)
    with torch.enable_grad():
        maps.requires_grad_(True)
        logits = tail(maps)
        if target is None:
            target = logits.argmax(dim=1)
        target = torch.as_tensor(target).long().reshape(-1)
        if target.shape != (len(x),):
            raise ValueError(
                f"target must be (n,) = ({len(x)},) classes, got {tuple(target.shape)}"
            )
        (grads,) = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), maps)
    return maps.detach().numpy(), grads.numpy()


def grad_cam(model, x, layer: int, target=None) -> np.ndarray:
    """Grad-CAM heatmaps (n, h, w) in [0, 1] at the output of ``model[layer]`` for x (n, c, H, W).

    target: (n,) classes to explain, or None for the predicted class. The map has the resolution of
    that layer (4x4 after the digit CNN's second conv, 8x8 after the first); see ``upsample``.
    """
    maps, grads = maps_and_gradients(model, x, layer, target)
    return np.stack([cam_from_gradients(m, g) for m, g in zip(maps, grads, strict=True)])


def upsample(heatmaps: np.ndarray, size: int) -> np.ndarray:
    """Bilinear upsampling of maps (n, h, w) to (n, size, size), for display over the input."""
    import torch
    import torch.nn.functional as F

    heatmaps = np.asarray(heatmaps, dtype=np.float32)
    if heatmaps.ndim != 3:
        raise ValueError(f"heatmaps must be (n, h, w), got {heatmaps.shape}")
    big = F.interpolate(torch.from_numpy(heatmaps)[:, None], size=(size, size), mode="bilinear")
    return big[:, 0].numpy()


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two equally sized arrays (flattened; ties get mean ranks)."""
    a, b = np.ravel(a), np.ravel(b)
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"a and b must have the same size >= 2, got {a.size} and {b.size}")
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of ``values``, with tied values sharing their mean rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    _, inverse = np.unique(values, return_inverse=True)
    sums = np.bincount(inverse, weights=ranks)
    return (sums / np.bincount(inverse))[inverse]


def randomised_copy(model, seed: int = 0):
    """A copy of ``model`` with every layer's weights re-drawn by its default initialiser."""
    import copy

    import torch

    clone = copy.deepcopy(model)
    torch.manual_seed(seed)
    for layer in clone:
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
    return clone.eval()


def deep_dream(
    model,
    image: np.ndarray,
    layer: int,
    *,
    octaves: int = 3,
    octave_scale: float = 1.5,
    steps: int = 20,
    step_size: float = 0.02,
) -> np.ndarray:
    """Amplify what ``model[: layer + 1]`` responds to in an RGB image (h, w, 3) in [0, 1].

    Each colour channel goes through the (one-channel) network as its own image. Gradient ascent
    on the mean squared activation runs at ``octaves`` scales, from small to full size; when going
    up a scale the detail lost by shrinking the original is put back (as in DeepDream).
    Returns the dreamt image (h, w, 3) in [0, 1].
    """
    import torch
    import torch.nn.functional as F

    _check_layer(model, layer)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be (h, w, 3), got {image.shape}")
    prefix = model[: layer + 1]
    original = torch.from_numpy(image).permute(2, 0, 1)[:, None]  # (3, 1, h, w)
    full = original.shape[-2:]
    shapes = [tuple(round(s / octave_scale**k) for s in full) for k in reversed(range(octaves))]

    def resize(x, shape):
        return F.interpolate(x, size=shape, mode="bilinear", align_corners=False)

    dream = resize(original, shapes[0])
    for k, shape in enumerate(shapes):
        if k > 0:
            lost = resize(original, shape) - resize(resize(original, shapes[k - 1]), shape)
            dream = resize(dream, shape) + lost
        for _ in range(steps):
            dream.requires_grad_(True)
            (grad,) = torch.autograd.grad(prefix(dream).pow(2).mean(), dream)
            with torch.no_grad():
                dream = (dream + step_size * grad / (grad.abs().mean() + 1e-8)).clamp(0, 1)
    return dream.detach()[:, 0].permute(1, 2, 0).numpy()


def fgsm(model, x, y, epsilon: float):
    """Fast gradient sign method: x + epsilon * sign(d loss / d x), clipped to [0, 1].

    x: (n, c, h, w) in [0, 1], y: (n,) true labels; loss is cross-entropy. Every pixel moves by at
    most epsilon (max norm), so ||x_adv - x||_inf <= epsilon. Returns a detached tensor like x.
    """
    import torch

    epsilon = _check_epsilon(epsilon)
    _check_images(x)
    x = x.detach().clone().requires_grad_(True)
    with torch.enable_grad():  # also inside a caller's torch.no_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        (grad,) = torch.autograd.grad(loss, x)
    return (x + epsilon * grad.sign()).clamp(0, 1).detach()


def pgd(model, x, y, epsilon: float, *, steps: int = 10, step_size: float | None = None):
    """Projected gradient descent (on the loss, i.e. ascent): ``steps`` FGSM steps of ``step_size``
    (default 2.5 * epsilon / steps), each followed by projection back into the max-norm ball of
    radius epsilon around x and into [0, 1]. x: (n, c, h, w), y: (n,). Starts at x (no random
    start, so the result is deterministic).
    """
    import torch

    epsilon = _check_epsilon(epsilon)
    _check_images(x)
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    alpha = 2.5 * epsilon / steps if step_size is None else float(step_size)
    x = x.detach()
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        with torch.enable_grad():
            loss = torch.nn.functional.cross_entropy(model(adv), y)
            (grad,) = torch.autograd.grad(loss, adv)
        with torch.no_grad():
            adv = adv + alpha * grad.sign()
            adv = torch.minimum(torch.maximum(adv, x - epsilon), x + epsilon).clamp(0, 1)
    return adv.detach()


ATTACKS = {"fgsm": fgsm, "pgd": pgd}


def attack(model, x, y, epsilon: float, method: str = "fgsm"):
    """``fgsm`` or ``pgd`` (by name) with its defaults; returns the adversarial batch."""
    if method not in ATTACKS:
        raise ValueError(f"method must be one of {sorted(ATTACKS)}, got {method!r}")
    return ATTACKS[method](model, x, y, epsilon)


def robust_accuracy(model, x, y, epsilons: Sequence[float], method: str = "fgsm") -> np.ndarray:
    """Accuracy (len(epsilons),) of ``model`` on attacked copies of (x, y), one per epsilon."""
    import torch

    result = []
    for epsilon in epsilons:
        adv = attack(model, x, y, epsilon, method)
        with torch.no_grad():
            result.append((model(adv).argmax(dim=1) == y).float().mean().item())
    return np.array(result)


def adversarial_fit(
    model,
    x,
    y,
    *,
    epsilon: float,
    epochs: int,
    method: str = "fgsm",
    clean_fraction: float = 0.5,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Adversarial training: ``training.fit``'s Adam + cross-entropy loop, on attacked batches.

    Each mini-batch is attacked against the current weights (``method`` at ``epsilon``) and the
    loss is clean_fraction * loss(clean) + (1 - clean_fraction) * loss(attacked).
    x: (n, c, h, w), y: (n,). Returns {'loss': per-epoch mean loss}; leaves the model in eval mode.
    """
    import torch

    epsilon = _check_epsilon(epsilon)
    if not 0.0 <= clean_fraction <= 1.0:
        raise ValueError(f"clean_fraction must be in [0, 1], got {clean_fraction}")
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError(
            f"need epochs >= 1, batch_size >= 1, lr > 0; got {epochs}, {batch_size}, {lr}"
        )
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"loss": []}
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            model.eval()  # attack the weights as they are; the digit CNN has no dropout/batch norm
            adv = attack(model, x[batch], y[batch], epsilon, method)
            model.train()
            optimiser.zero_grad()
            loss = clean_fraction * loss_fn(model(x[batch]), y[batch]) + (
                1 - clean_fraction
            ) * loss_fn(model(adv), y[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history["loss"].append(total / len(x))
    model.eval()
    return history
