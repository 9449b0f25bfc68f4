"""Training loops and the pieces of lesson 04 (losses, optimisers, regularisation).

``fit`` is the one mini-batch training loop the later lessons reuse for classifiers.
"""

import numpy as np


def accuracy(logits, labels) -> float:
    """Fraction of rows whose arg-max matches the label. logits: (n, classes), labels: (n,)."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(
            f"logits must be (n, classes) and labels (n,), got {logits.shape} and {labels.shape}"
        )
    return float(np.mean(logits.argmax(axis=1) == labels))


def fit(
    model,
    x,
    y,
    *,
    epochs: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    x_val=None,
    y_val=None,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train a torch classifier with Adam and cross-entropy on mini-batches.

    x: (n, ...) float tensor, y: (n,) long tensor; optional validation set (x_val, y_val).
    Returns per-epoch history: 'loss' (mean training loss) and, with a validation set,
    'val_loss' and 'val_acc'. Shuffling uses its own generator seeded with ``seed``.
    """
    import torch
    from tqdm.auto import trange

    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise ValueError(
            f"need epochs >= 1, batch_size >= 1, lr > 0; got {epochs}, {batch_size}, {lr}"
        )
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"loss": []}
    for _ in trange(epochs, desc="epochs", leave=False):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            optimiser.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        history["loss"].append(total / len(x))
        if x_val is not None:
            model.eval()
            with torch.no_grad():
                logits = model(x_val)
            history.setdefault("val_loss", []).append(loss_fn(logits, y_val).item())
            history.setdefault("val_acc", []).append(accuracy(logits.numpy(), y_val.numpy()))
    model.eval()
    return history
