"""Lesson 02's measurement that the lesson uses but does not write: how large the gradient is,
layer by layer, in a deep network of sigmoid, tanh or ReLU units (PyTorch, float64, autograd)."""

import itertools

import numpy as np
import torch
from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
GAINS = {"sigmoid": 1.0, "tanh": 1.0, "relu": 2.0}
"""Weights start as N(0, gain / fan_in): LeCun's scale for sigmoid and tanh, He's for ReLU, so
that the forward signal neither explodes nor dies out from layer to layer."""


class DeepNet(nn.Sequential):
    """``depth`` hidden layers of ``width`` units with one activation, then a linear output layer.

    Maps (n, inputs) to (n, outputs); float64; weights from N(0, gain / fan_in), biases 0.
    """

    def __init__(
        self, activation: str, inputs: int, outputs: int, depth: int, width: int, seed: int
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation is {activation!r}; expected one of {list(ACTIVATIONS)}")
        sizes = [inputs] + [width] * depth
        layers: list[nn.Module] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            layers += [nn.Linear(fan_in, fan_out), ACTIVATIONS[activation]()]
        super().__init__(*layers, nn.Linear(width, outputs))
        generator = torch.Generator().manual_seed(seed)
        self.double()
        with torch.no_grad():
            for linear in self.linears():
                gain = GAINS[activation] if linear is not self[-1] else 1.0
                noise = torch.randn(linear.weight.shape, generator=generator, dtype=torch.float64)
                linear.weight.copy_(noise * (gain / linear.in_features) ** 0.5)
                linear.bias.zero_()

    def linears(self) -> list[nn.Linear]:
        """The linear layers, from the input to the output."""
        return [m for m in self if isinstance(m, nn.Linear)]


def layer_gradient_norms(
    activation: str, x: np.ndarray, labels: np.ndarray, depth: int = 10, width: int = 32,
    seed: int = 0,
) -> np.ndarray:  # fmt: skip
    """|dL/dW| of every linear layer of a fresh ``DeepNet``, L the cross-entropy of its outputs.

    x: (n, d) inputs, labels: (n,) ints in [0, classes). Returns (depth + 1,): layer 1 (next to
    the input) first, the output layer last. One forward and one backward pass, no training.
    """
    classes = int(labels.max()) + 1
    net = DeepNet(activation, x.shape[1], classes, depth, width, seed)
    loss = nn.functional.cross_entropy(net(torch.from_numpy(x).double()), torch.from_numpy(labels))
    loss.backward()
    return np.array([linear.weight.grad.norm().item() for linear in net.linears()])
