"""Training loops and the pieces of lesson 04 (losses, optimisers, regularisation).

``fit`` is the course's one mini-batch training loop: lesson 04 writes it, and the later lessons
reuse it with their own loss, batch transform (augmentation, corruption, adversarial examples)
or optimiser. The numpy optimisers are classes because their
state (velocity, moment estimates, step count) lives between steps.
"""

import itertools
import os
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import trange

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Transform = Callable[
    [torch.Tensor, torch.Tensor, torch.Generator], tuple[torch.Tensor, torch.Tensor]
]


def progress_disabled() -> bool:
    """True when TQDM_DISABLE asks for silence (``make`` and the tests set it).

    tqdm's notebook bar sets ``disable=False`` itself and so ignores the variable: pass this.
    """
    return os.environ.get("TQDM_DISABLE", "").lower() in {"1", "true", "yes"}


def accuracy(logits, labels) -> float:
    """Fraction of rows whose arg-max matches the label. logits: (n, classes), labels: (n,)."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(
            f"logits must be (n, classes) and labels (n,), got {logits.shape} and {labels.shape}"
        )
    return float(np.mean(logits.argmax(axis=1) == labels))


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> dict:
    """Loss of ``model`` on (x, y) in eval mode, and the accuracy when y holds class labels."""
    model.eval()
    with torch.no_grad():
        out = model(x)
    scores = {"loss": loss_fn(out, y).item()}
    if y.dtype == torch.long and out.ndim == 2:
        scores["acc"] = (out.argmax(dim=1) == y).sum().item() / len(y)
    return scores


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    optimiser: torch.optim.Optimizer | None = None,
    loss_fn: LossFn = F.cross_entropy,
    transform: Transform | None = None,
    x_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Seed 003's loop: each epoch, shuffle; for every mini-batch, forward, loss, backward, step.

    x: (n, ...) inputs, y: (n, ...) targets (class labels, or the clean images of an autoencoder).
    ``optimiser`` defaults to Adam at ``lr``. ``transform(xb, yb, generator) -> (xb, yb)`` changes
    each batch first: augmentation, corruption, adversarial examples. Returns per-epoch 'loss'
    (mean over the batches) and, with (x_val, y_val), 'val_loss' and, for labels, 'val_acc'.
    """
    generator = torch.Generator().manual_seed(seed)
    optimiser = optimiser or torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": []}
    for _ in trange(epochs, desc="epochs", leave=False, disable=progress_disabled()):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(x), generator=generator).split(batch_size):
            xb, yb = x[batch], y[batch]
            if transform is not None:
                xb, yb = transform(xb, yb, generator)
            loss = loss_fn(model(xb), yb)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history["loss"].append(total / len(x))
        if x_val is not None:
            for name, value in evaluate(model, x_val, y_val, loss_fn).items():
                history.setdefault(f"val_{name}", []).append(value)
    model.eval()
    return history


# --- Losses (seed 004: l2 and l1 "norm" errors; cross-entropy with softmax) -------------------


def _check_pair(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pred, target = np.asarray(pred, dtype=float), np.asarray(target, dtype=float)
    if pred.ndim != 2 or pred.shape != target.shape:
        raise ValueError(
            f"pred and target must both be (n, m), got {pred.shape} and {target.shape}"
        )
    return pred, target


def l2_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over samples of 1/2 ||y - f||_2^2 and its gradient (f - y) / n.

    pred, target: (n, m). Returns (loss, d loss / d pred of shape (n, m)).
    """
    pred, target = _check_pair(pred, target)
    diff = pred - target
    return float(0.5 * np.sum(diff**2) / len(pred)), diff / len(pred)


def l1_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over samples of ||y - f||_1, subgradient sign(f - y) / n. pred, target: (n, m)."""
    pred, target = _check_pair(pred, target)
    diff = pred - target
    return float(np.sum(np.abs(diff)) / len(pred)), np.sign(diff) / len(pred)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits (n, classes), shifted by the row maximum for stability."""
    logits = np.asarray(logits, dtype=float)
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(z)_y over samples, and its gradient (p - onehot(y)) / n.

    logits: (n, classes), labels: (n,) ints in [0, classes).
    """
    logits, labels = np.asarray(logits, dtype=float), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise ValueError(
            f"logits must be (n, classes) and labels (n,), got {logits.shape} and {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(
            f"labels must be in [0, {logits.shape[1]}), got {labels.min()}..{labels.max()}"
        )
    probs = softmax(logits)
    rows = np.arange(len(labels))
    loss = -np.mean(np.log(probs[rows, labels]))
    grad = probs.copy()
    grad[rows, labels] -= 1.0
    return float(loss), grad / len(labels)


# --- Input standardisation (seed 004) --------------------------------------------------------


def standardisation_stats(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (with 1/(N-1), as seed 004) of x_train (N, d).

    A feature that is constant on the training set gets sigma = 1 (it is only centred), so that
    standardising never divides by zero. Returns (mu, sigma), each (d,).
    """
    x_train = np.asarray(x_train, dtype=float)
    if x_train.ndim != 2 or len(x_train) < 2:
        raise ValueError(f"x_train must be (N, d) with N >= 2, got {x_train.shape}")
    mu = x_train.mean(axis=0)
    sigma = x_train.std(axis=0, ddof=1)
    return mu, np.where(sigma > 0, sigma, 1.0)


def standardise(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """(x - mu) / sigma with the TRAINING statistics. x: (n, d), mu and sigma: (d,)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or np.shape(mu) != (x.shape[1],) or np.shape(sigma) != (x.shape[1],):
        raise ValueError(
            f"x must be (n, d) and mu, sigma (d,), got {x.shape}, {np.shape(mu)}, {np.shape(sigma)}"
        )
    return (x - mu) / sigma


# --- Mini-batches (seed 003) -----------------------------------------------------------------


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Number of mini-batches in one pass over n samples: ceil(n / batch_size)."""
    if n < 1 or batch_size < 1:
        raise ValueError(f"n and batch_size must be >= 1, got n={n}, batch_size={batch_size}")
    return -(-n // batch_size)


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A random permutation of range(n) cut into batches of batch_size (the last may be smaller)."""
    order = rng.permutation(n)
    return [
        order[k * batch_size : (k + 1) * batch_size] for k in range(steps_per_epoch(n, batch_size))
    ]


# --- Optimisers from scratch (classes: their state lives between steps) -----------------------


def _check_unit(name: str, value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")


class Optimiser:
    """Base of the numpy optimisers: ``step(params, grads)`` updates the arrays IN PLACE.

    The per-parameter state (velocity, moment estimates) is created at the first step and kept.
    """

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"lr (learning rate) must be > 0, got {lr}")
        self.lr = lr
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """One update of every array in params; grads: arrays of the same shapes."""
        if len(params) != len(grads):
            raise ValueError(f"params and grads must pair up, got {len(params)} and {len(grads)}")
        for p, g in zip(params, grads, strict=True):
            if np.shape(p) != np.shape(g):
                raise ValueError(
                    f"a gradient's shape {np.shape(g)} differs from its parameter's {np.shape(p)}"
                )
        if not self.state:
            self.state = [{} for _ in params]
        self.t += 1
        for p, g, s in zip(params, grads, self.state, strict=True):
            p -= self.update(np.asarray(g, dtype=p.dtype), s)

    def update(self, grad: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        """The amount subtracted from one parameter this step."""
        raise NotImplementedError


class SGD(Optimiser):
    """theta <- theta - lr * v with v <- momentum * v + grad (torch.optim.SGD's convention).

    momentum = 0 is plain (mini-batch) gradient descent.
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        super().__init__(lr)
        _check_unit("momentum", momentum)
        self.momentum = momentum

    def update(self, grad: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        if self.momentum == 0:
            return self.lr * grad
        state["v"] = self.momentum * state["v"] + grad if "v" in state else grad.copy()
        return self.lr * state["v"]


class Adam(Optimiser):
    """Adam as in seed 004: moving averages M, V of grad and grad**2, bias-corrected.

    theta <- theta - alpha * M_hat / (sqrt(V_hat) + eps)   (Kingma and Ba; torch.optim.Adam), or,
    with ``eps_inside_sqrt=True``, alpha * M_hat / sqrt(V_hat + eps) as seed 004's slide prints it.
    """

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        eps_inside_sqrt: bool = False,
    ) -> None:
        super().__init__(lr)
        _check_unit("beta1", beta1)
        _check_unit("beta2", beta2)
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.eps_inside_sqrt = eps_inside_sqrt

    def update(self, grad: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        m, v = state.get("m", np.zeros_like(grad)), state.get("v", np.zeros_like(grad))
        state["m"] = self.beta1 * m + (1 - self.beta1) * grad
        state["v"] = self.beta2 * v + (1 - self.beta2) * grad**2
        m_hat = state["m"] / (1 - self.beta1**self.t)
        v_hat = state["v"] / (1 - self.beta2**self.t)
        if self.eps_inside_sqrt:
            return self.lr * m_hat / np.sqrt(v_hat + self.eps)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


GradFn = Callable[[np.ndarray], np.ndarray]


def trajectory(optimiser: Optimiser, grad_fn: GradFn, start: np.ndarray, steps: int) -> np.ndarray:
    """Points visited by ``optimiser`` from ``start`` (d,) following grad_fn: (steps + 1, d)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    theta = np.array(start, dtype=float)
    points = [theta.copy()]
    for _ in range(steps):
        optimiser.step([theta], [grad_fn(theta)])
        points.append(theta.copy())
    return np.array(points)


TORCH_OPTIMISERS = {"sgd": "SGD", "adam": "Adam"}


def torch_trajectory(
    kind: str, grad_fn: GradFn, start: np.ndarray, steps: int, **hyper
) -> np.ndarray:
    """The same walk as ``trajectory`` but each update made by torch.optim (float64).

    kind: 'sgd' (hyper: lr, momentum) or 'adam' (hyper: lr, betas, eps). The gradient fed to torch
    is grad_fn at torch's current point, so only the update rules are compared. (steps + 1, d).
    """
    import torch

    if kind not in TORCH_OPTIMISERS:
        raise ValueError(f"kind must be one of {sorted(TORCH_OPTIMISERS)}, got {kind!r}")
    theta = torch.tensor(np.asarray(start, dtype=float), dtype=torch.float64, requires_grad=True)
    optimiser = getattr(torch.optim, TORCH_OPTIMISERS[kind])([theta], **hyper)
    points = [theta.detach().numpy().copy()]
    for _ in range(steps):
        theta.grad = torch.from_numpy(np.asarray(grad_fn(theta.detach().numpy()), dtype=float))
        optimiser.step()
        points.append(theta.detach().numpy().copy())
    return np.array(points)


def bowl(theta: np.ndarray, condition: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """Ill-conditioned quadratic f = (x^2 + condition * y^2) / 2 and its gradient.

    theta: (..., 2). Returns (f of shape (...), grad of shape (..., 2)).
    """
    theta = np.asarray(theta, dtype=float)
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must be (..., 2), got {theta.shape}")
    scale = np.array([1.0, condition])
    return 0.5 * np.sum(scale * theta**2, axis=-1), scale * theta


def rosenbrock(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rosenbrock's valley f = (1 - x)^2 + 100 (y - x^2)^2 (minimum 0 at (1, 1)) and its gradient.

    theta: (..., 2). Returns (f of shape (...), grad of shape (..., 2)).
    """
    theta = np.asarray(theta, dtype=float)
    if theta.shape[-1:] != (2,):
        raise ValueError(f"theta must be (..., 2), got {theta.shape}")
    x, y = theta[..., 0], theta[..., 1]
    value = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)
    return value, grad


def gradient_descent_until(
    grad_fn: GradFn, start: np.ndarray, lr: float, *, tol: float = 1e-4, max_steps: int = 10_000
) -> tuple[np.ndarray, int | None]:
    """Seed 004's stopping rule: plain gradient steps until ||grad||_2 < tol.

    Returns (final theta, number of steps taken), the steps being None if max_steps ran out.
    """
    if not lr > 0 or not tol > 0:
        raise ValueError(f"lr and tol must be > 0, got lr={lr}, tol={tol}")
    theta = np.array(start, dtype=float)
    for step in range(max_steps + 1):
        grad = grad_fn(theta)
        if np.linalg.norm(grad) < tol:
            return theta, step
        if step < max_steps:
            theta -= lr * grad
    return theta, None


def early_stopping_epoch(val_losses: list[float], patience: int = 3) -> tuple[int, int]:
    """Early stopping: (best epoch, epoch at which training stops), both 0-based.

    Training stops once the validation loss has not improved for ``patience`` epochs in a row
    (or at the last epoch); the weights to keep are the best epoch's.
    """
    if patience < 1 or not len(val_losses):
        raise ValueError(
            f"need patience >= 1 and at least one loss, got {patience}, {len(val_losses)}"
        )
    best = 0
    for epoch, loss in enumerate(val_losses):
        if loss < val_losses[best]:
            best = epoch
        if epoch - best >= patience:
            return best, epoch
    return best, len(val_losses) - 1


# --- Initialisation (seed 004, Glorot, He) ---------------------------------------------------

INIT_SCHEMES = ("seed004", "xavier", "he")


def init_layer(
    fan_in: int, fan_out: int, scheme: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Initial (W, b) of a dense layer, W: (fan_out, fan_in) as in H = W Z + b, b: (fan_out,).

    'seed004': W ~ N(0, 0.001^2), b = 0.01;  'xavier': W ~ N(0, 2 / (fan_in + fan_out)), b = 0;
    'he': W ~ N(0, 2 / fan_in), b = 0.
    """
    if fan_in < 1 or fan_out < 1:
        raise ValueError(f"fan_in and fan_out must be >= 1, got {fan_in}, {fan_out}")
    std = {
        "seed004": 0.001,
        "xavier": np.sqrt(2.0 / (fan_in + fan_out)),
        "he": np.sqrt(2.0 / fan_in),
    }
    if scheme not in std:
        raise ValueError(f"scheme must be one of {INIT_SCHEMES}, got {scheme!r}")
    bias = 0.01 if scheme == "seed004" else 0.0
    return rng.normal(0.0, std[scheme], size=(fan_out, fan_in)), np.full(fan_out, bias)


def relu_mlp(
    sizes: list[int],
    scheme: str = "he",
    seed: int = 0,
    *,
    dropout: tuple[float, float] | None = None,
):
    """A torch ReLU network: Linear(sizes[0], sizes[1]) -> ReLU -> ... -> Linear(., sizes[-1]).

    Weights from ``init_layer(scheme)`` with a numpy generator seeded by ``seed``.
    dropout: (keep probability of the inputs, of the hidden units), e.g. seed 004's (0.8, 0.5);
    turned into torch's DROP probabilities 1 - keep.
    """
    import torch
    from torch import nn

    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least input and output widths, got {sizes}")
    rng = np.random.default_rng(seed)
    layers: list[nn.Module] = []
    if dropout is not None:
        layers.append(nn.Dropout(1 - _keep(dropout[0])))
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        linear = nn.Linear(fan_in, fan_out)
        w, b = init_layer(fan_in, fan_out, scheme, rng)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if k < len(sizes) - 2:
            layers.append(nn.ReLU())
            if dropout is not None:
                layers.append(nn.Dropout(1 - _keep(dropout[1])))
    return nn.Sequential(*layers)


def layer_scales(model, x, y) -> dict[str, np.ndarray]:
    """Per Linear layer of a torch model: how much its output varies with the input, and the norm
    of its weight gradient.

    'activation_std' is the std over the n samples of each output unit, averaged over the units
    (a constant output, e.g. only the bias, has 0). x: (n, d) float tensor, y: (n,) labels; the
    gradient is of the mean cross-entropy.
    Returns {'activation_std': (layers,), 'grad_norm': (layers,)}.
    """
    import torch

    outputs = []
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    hooks = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out)) for m in linears]
    model.zero_grad()
    try:
        torch.nn.functional.cross_entropy(model(x), y).backward()
    finally:
        for hook in hooks:
            hook.remove()
    return {
        "activation_std": np.array([out.detach().std(dim=0).mean().item() for out in outputs]),
        "grad_norm": np.array([m.weight.grad.norm().item() for m in linears]),
    }


# --- Regularisation: penalties, the L1 proximal step, dropout (seed 004) ----------------------


def l2_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """lam * R(w) with R = ||w||_2^2 / 2, and its gradient lam * w (any shape)."""
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    w = np.asarray(w, dtype=float)
    return float(0.5 * lam * np.sum(w**2)), lam * w


def l1_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """lam * ||w||_1 and its subgradient lam * sign(w) (0 at w = 0), any shape."""
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    w = np.asarray(w, dtype=float)
    return float(lam * np.sum(np.abs(w))), lam * np.sign(w)


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """Proximal step of the L1 penalty: sign(w) * max(|w| - threshold, 0), element-wise.

    After a gradient step on the data loss with learning rate lr, soft_threshold(w, lr * lam)
    applies the L1 penalty; weights smaller than the threshold become EXACTLY zero.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    w = np.asarray(w, dtype=float)
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


def _keep(keep: float) -> float:
    if not 0 < keep <= 1:
        raise ValueError(f"keep probability must be in (0, 1], got {keep}")
    return keep


def dropout(
    x: np.ndarray, keep: float, rng: np.random.Generator, *, training: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Inverted dropout: keep each unit with probability ``keep`` and divide the kept ones by keep.

    x: any shape. Returns (output, mask) with mask 0/1 of x's shape. E[output] = x, so nothing
    changes at test time (training=False returns x and an all-ones mask).
    """
    keep = _keep(keep)
    x = np.asarray(x, dtype=float)
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < keep).astype(float)
    return x * mask / keep, mask


# --- Data augmentation (seed 003) --------------------------------------------------------------


def augment_digits(images, generator, *, max_shift: float = 1.0, max_degrees: float = 10.0):
    """Random small rotations and shifts of a batch of images (n, 1, h, w) float tensor.

    Each image is rotated by an angle uniform in [-max_degrees, max_degrees] and shifted by up to
    max_shift pixels in each direction (bilinear, zeros outside). generator: a torch.Generator.
    """
    import torch
    import torch.nn.functional as F

    if images.ndim != 4:
        raise ValueError(f"images must be (n, 1, h, w), got {tuple(images.shape)}")
    if max_shift < 0 or max_degrees < 0:
        raise ValueError(f"max_shift and max_degrees must be >= 0, got {max_shift}, {max_degrees}")
    n, _, h, w = images.shape
    angle = (torch.rand(n, generator=generator) * 2 - 1) * np.deg2rad(max_degrees)
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [
            torch.stack([cos, -sin, 2 * shift[:, 0] / w], dim=1),
            torch.stack([sin, cos, 2 * shift[:, 1] / h], dim=1),
        ],
        dim=1,
    )
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


# --- The training loop (seed 003) and hyper-parameter search (seed 004) ------------------------


def train(
    model,
    x,
    y,
    *,
    optimiser,
    epochs: int,
    batch_size: int,
    x_val=None,
    y_val=None,
    augment: Callable | None = None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Seed 003's loop: for each shuffled mini-batch, forward, loss, backward, optimiser step.

    model: torch classifier (logits), x: (n, ...) float tensor, y: (n,) long tensor,
    optimiser: a torch.optim optimiser over model's parameters, augment: optional function of a
    batch (and a torch.Generator) returning a transformed batch. One progress bar per epoch.
    Returns per-epoch 'loss' (mean over the epoch's batches), 'acc' (training accuracy at the
    epoch's end, eval mode), and with a validation set 'val_loss' and 'val_acc'.
    """
    import torch
    from tqdm.auto import tqdm

    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"need epochs >= 1 and batch_size >= 1, got {epochs}, {batch_size}")
    generator = torch.Generator().manual_seed(seed)
    loss_fn = torch.nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"loss": [], "acc": []}
    steps = steps_per_epoch(len(x), batch_size)
    quiet = progress_disabled()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        bar = tqdm(range(steps), desc=f"epoch {epoch + 1}/{epochs}", leave=False, disable=quiet)
        for k in bar:
            batch = order[k * batch_size : (k + 1) * batch_size]
            inputs = x[batch] if augment is None else augment(x[batch], generator)
            optimiser.zero_grad()
            loss = loss_fn(model(inputs), y[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history["loss"].append(total / len(x))
        model.eval()
        with torch.no_grad():
            history["acc"].append(accuracy(model(x).numpy(), y.numpy()))
            if x_val is not None:
                logits = model(x_val)
                history.setdefault("val_loss", []).append(loss_fn(logits, y_val).item())
                history.setdefault("val_acc", []).append(accuracy(logits.numpy(), y_val.numpy()))
    model.eval()
    return history


def _check_range(name: str, bounds: tuple[float, float]) -> None:
    if not 0 < bounds[0] < bounds[1]:
        raise ValueError(f"{name} must be (low, high) with 0 < low < high, got {bounds}")


def grid_search_points(
    lr_range: tuple[float, float], wd_range: tuple[float, float], per_axis: int
) -> np.ndarray:
    """A log10-spaced grid of (learning rate, weight decay) pairs: (per_axis**2, 2)."""
    _check_range("lr_range", lr_range)
    _check_range("wd_range", wd_range)
    if per_axis < 1:
        raise ValueError(f"per_axis must be >= 1, got {per_axis}")
    lrs = np.logspace(*np.log10(lr_range), per_axis)
    wds = np.logspace(*np.log10(wd_range), per_axis)
    return np.array([(lr, wd) for lr in lrs for wd in wds])


def random_search_points(
    n: int, lr_range: tuple[float, float], wd_range: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """n (learning rate, weight decay) pairs drawn log-uniformly from the two ranges: (n, 2)."""
    _check_range("lr_range", lr_range)
    _check_range("wd_range", wd_range)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    low, high = np.log10([lr_range[0], wd_range[0]]), np.log10([lr_range[1], wd_range[1]])
    return 10 ** rng.uniform(low, high, size=(n, 2))
