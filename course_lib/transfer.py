"""Reusing what a network learned (lesson 10): autoencoders, early stopping, greedy layer-wise
pretraining, and transfer learning by feature extraction and fine-tuning.

Everything here is written in lesson 10's ``# @save`` cells. Images are (n, 1, 28, 28) in [0, 1]
(``data.mnist_split`` through ``cnn.mnist_tensors``); the dense networks flatten them to 784
pixels. Every network trains with lesson 04's ``training.fit``; the experiments that compare the
ways to start are in ``course_lib.transfer_experiments``.
"""

import copy
import itertools
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from course_lib import training


class AutoEncoder(nn.Module):
    """Encoder 784 -> hidden -> code (linear) and the mirror decoder code -> hidden -> 784.

    x: (n, 1, 28, 28) in [0, 1] -> its reconstruction (n, 1, 28, 28), through a sigmoid;
    self.encoder(x): the code (n, code).
    """

    def __init__(self, code: int, hidden: int = 128, pixels: int = 28 * 28) -> None:
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(pixels, hidden), nn.ReLU(), nn.Linear(hidden, code)
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, pixels), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x)).reshape(x.shape)


def corrupt(
    xb: torch.Tensor, yb: torch.Tensor, generator: torch.Generator, noise: float = 0.3
) -> tuple[torch.Tensor, torch.Tensor]:
    """A ``fit`` transform for a denoising autoencoder: the input gets Gaussian noise of
    standard deviation ``noise``, clipped to [0, 1]; the target yb stays clean. Any shape."""
    noisy = xb + noise * torch.randn(xb.shape, generator=generator)
    return noisy.clamp(0.0, 1.0), yb


def fit_early_stopping(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor,
    *, patience: int = 5, epoch_size: int = 128, max_epochs: int = 200,
    optimiser: torch.optim.Optimizer | None = None, seed: int = 0, **fit_options: Any,
) -> dict[str, list[float]]:  # fmt: skip
    """``training.fit`` one epoch at a time until the validation loss has not improved for
    ``patience`` epochs; then back to the best weights. x (n, ...), y (n, ...) as for fit, repeated
    to fill an epoch of at least ``epoch_size`` examples. optimiser: Adam at 1e-3 unless given.
    fit_options: batch_size, loss_fn, transform. Returns fit's history, one entry an epoch."""
    optimiser = optimiser or torch.optim.Adam(model.parameters(), lr=1e-3)
    repeats = -(-epoch_size // len(x))  # ceil(epoch_size / n)
    x, y = x.repeat_interleave(repeats, dim=0), y.repeat_interleave(repeats, dim=0)
    loss_fn = fit_options.get("loss_fn", F.cross_entropy)
    best = training.evaluate(model, x_val, y_val, loss_fn)["loss"]  # the start is epoch -1
    best_epoch, best_weights, history = -1, copy.deepcopy(model.state_dict()), {}
    for epoch in range(max_epochs):
        fitted = training.fit(model, x, y, epochs=1, optimiser=optimiser, x_val=x_val, y_val=y_val,
                              seed=max_epochs * seed + epoch, **fit_options)  # fmt: skip
        for name, values in fitted.items():
            history.setdefault(name, []).extend(values)
        if history["val_loss"][-1] < best:
            best, best_epoch = history["val_loss"][-1], epoch
            best_weights = copy.deepcopy(model.state_dict())
        elif epoch - best_epoch >= patience:
            break
    model.load_state_dict(best_weights)
    return history


def greedy_pretrain(
    x: torch.Tensor, sizes: Sequence[int], *, epochs: int = 8, seed: int = 0
) -> list[nn.Linear]:
    """Seed 004's greedy layer-wise pretraining, without labels.

    x: (n, sizes[0]) unlabelled rows. Layer k, Linear(sizes[k], sizes[k+1]) with a ReLU, is the
    encoder of a shallow autoencoder trained for ``epochs`` to rebuild the output of the (frozen)
    layers below it. Returns the trained layers, bottom first.
    """
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        torch.manual_seed(seed + len(layers))
        encoder = nn.Linear(n_in, n_out)
        shallow = nn.Sequential(encoder, nn.ReLU(), nn.Linear(n_out, n_in))
        training.fit(shallow, x, x, epochs=epochs, batch_size=64, lr=3e-3, loss_fn=F.mse_loss,
                     seed=seed)  # fmt: skip
        layers.append(encoder)
        with torch.no_grad():
            x = torch.relu(encoder(x))
    return layers


def stacked_classifier(layers: Sequence[nn.Linear], classes: int) -> nn.Sequential:
    """Flatten, copies of ``layers`` each followed by a ReLU, and a new Linear(.., classes) on top.

    Input (n, 1, 28, 28) (or (n, layers[0].in_features)) -> logits (n, classes).
    """
    hidden = [part for layer in layers for part in (copy.deepcopy(layer), nn.ReLU())]
    return nn.Sequential(nn.Flatten(), *hidden, nn.Linear(layers[-1].out_features, classes))


def transfer_model(source: nn.Sequential, cut: int, head: nn.Module) -> nn.Sequential:
    """A frozen copy of ``source``'s layers [0, cut) (the base) followed by a new ``head``.

    Returns nn.Sequential(base, head): model[0] is the base, model[1] the head. The base's
    parameters have requires_grad False, so no optimiser changes them; ``source`` is untouched.
    """
    base = copy.deepcopy(source[:cut]).requires_grad_(False)
    return nn.Sequential(base, head)


def fine_tuning_groups(model: nn.Sequential, base_lr: float, head_lr: float) -> list[dict]:
    """Unfreeze the base model[0] and give it its own, smaller learning rate than the head's.

    Returns the optimiser's parameter groups: torch.optim.Adam(fine_tuning_groups(...)).
    """
    model[0].requires_grad_(True)
    return [
        {"params": list(model[0].parameters()), "lr": base_lr},
        {"params": list(model[1].parameters()), "lr": head_lr},
    ]
