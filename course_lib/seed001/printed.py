"""Seed 001's 3-3-3 worked example exactly as its slides print it, and how to compare digits.

Every number is kept as the text the slides print, so that no digit is lost:
``SEED_001.get(name)`` is a ``Printed`` (its ``text``, its ``value`` as float64, and ``where`` it
is printed). ``problem()`` gives the example's inputs as arrays. The slides print some numbers
rounded and some cut off, with a varying number of digits: ``agrees(text, value)`` accepts
either, and ``matches(name, value)`` applies it to a whole printed vector or matrix.
"""

from dataclasses import dataclass, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class Printed:
    """One number, vector or matrix as printed in a seed, kept as text so no digit is lost.

    text: a str, a tuple of str, or a tuple of tuples of str (the printed digits, e.g. "0.2040");
    where: the slide (page number printed under it in the seed text) and what is on it.
    """

    text: str | tuple
    where: str

    @property
    def value(self) -> np.ndarray | float:
        """The printed number(s) as float64: a 0-d array for a scalar, else the printed shape."""
        return np.array(self.text, dtype=float)[()]

    @property
    def decimals(self) -> np.ndarray:
        """How many digits follow the decimal point in each printed number (same shape)."""
        return np.vectorize(_decimals, otypes=[int])(np.array(self.text, dtype=object))


def _decimals(text: str) -> int:
    return -Decimal(text).as_tuple().exponent


def _p(text: str | tuple, where: str) -> Printed:
    return Printed(text, where)


@dataclass(frozen=True)
class Seed001:
    """Every number of seed 001's 3-3-3 worked example (slides 5-24), as printed.

    Slide numbers are the page numbers printed in the seed text (the figures are lost).
    Index names follow the slides: i = input, j = hidden 1 (ReLU), k = hidden 2 (sigmoid),
    l = output (softmax); w_ij is the matrix from i to j, with rows i and columns j.
    Numbers that are only repeated elsewhere (h2_out again as dO_in/dW_kl on slide 11, h1_out
    as dh2_in/dW_jk on slide 15, x as dh1_in/dW_ij on slide 21, the factors re-quoted to 4
    digits on slides 12 and 18, and the summary of all weights on slide 24) are not repeated.
    """

    # -- given --------------------------------------------------------------------------------
    x: Printed
    y: Printed
    w_ij: Printed
    w_jk: Printed
    w_kl: Printed
    b_j: Printed
    b_k: Printed
    b_l: Printed
    lr: Printed
    # -- forward pass -------------------------------------------------------------------------
    h1_in: Printed
    h1_out: Printed
    h2_in: Printed
    h2_out: Printed
    o_in: Printed
    o_out: Printed
    loss_log_args: Printed
    loss_terms: Printed
    loss: Printed
    # -- output layer (W_kl) ------------------------------------------------------------------
    dE_dO_out: Printed
    dO_out_dO_in: Printed
    dW_kl: Printed
    w_kl_new: Printed
    # -- hidden layer 2 (W_jk) ----------------------------------------------------------------
    dh2_out_dh2_in: Printed
    dE_dh2_out_terms: Printed
    dE_dh2_out: Printed
    dW_jk: Printed
    w_jk_new: Printed
    # -- hidden layer 1 (W_ij) ----------------------------------------------------------------
    dh1_out_dh1_in: Printed
    dE_dh1_out: Printed
    dW_ij: Printed
    w_ij_new: Printed

    def get(self, name: str) -> Printed:
        """The Printed entry called name (a field name); ValueError for an unknown name."""
        if name not in SEED_001_NAMES:
            raise ValueError(f"name is {name!r}; expected one of {SEED_001_NAMES}")
        return getattr(self, name)


SEED_001 = Seed001(
    x=_p(("0.1", "0.2", "0.7"), "slide 5 (forward pass, layer 1): input row vector"),
    y=_p(("1.0", "0.0", "0.0"), "slide 8 (error): desired output"),
    w_ij=_p(
        (("0.1", "0.2", "0.3"), ("0.3", "0.2", "0.7"), ("0.4", "0.3", "0.9")),
        "slide 5 (forward pass, layer 1); repeated on slide 24",
    ),
    w_jk=_p(
        (("0.2", "0.3", "0.5"), ("0.3", "0.5", "0.7"), ("0.6", "0.4", "0.8")),
        "slide 6 (forward pass, layer 2); repeated on slide 24",
    ),
    w_kl=_p(
        (("0.1", "0.4", "0.8"), ("0.3", "0.7", "0.2"), ("0.5", "0.2", "0.9")),
        "slide 7 (forward pass, layer 3); repeated on slide 24",
    ),
    b_j=_p(("1.0", "1.0", "1.0"), "slide 5 (forward pass, layer 1)"),
    b_k=_p(("1.0", "1.0", "1.0"), "slide 6 (forward pass, layer 2)"),
    b_l=_p(("1.0", "1.0", "1.0"), "slide 7 (forward pass, layer 3)"),
    lr=_p("0.01", "slide 13 (W_kl update): printed with a decimal comma, 'Learning rate = 0,01'"),
    h1_in=_p(("1.35", "1.27", "1.8"), "slide 5 (forward pass, layer 1): x W_ij + b_j"),
    h1_out=_p(("1.35", "1.27", "1.8"), "slide 5 (forward pass, layer 1): ReLU output"),
    h2_in=_p(("2.73", "2.76", "4.001"), "slide 6 (forward pass, layer 2): h1_out W_jk + b_k"),
    h2_out=_p(("0.938", "0.94", "0.98"), "slide 6 (forward pass, layer 2): sigmoid output"),
    o_in=_p(("1.8658", "2.2292", "2.8204"), "slide 7 (forward pass, layer 3): h2_out W_kl + b_l"),
    o_out=_p(("0.2698", "0.3223", "0.4078"), "slide 7 (forward pass, layer 3): 'softmax' output"),
    loss_log_args=_p(
        ("0.6777", "0.5922"), "slide 8 (error): 1 - O_out2 and 1 - O_out3 inside the logs"
    ),
    loss_terms=_p(
        ("0.569858", "0.16886", "0.22753"),
        "slide 8 (error): -log(0.2698), -log(0.6777), -log(0.5922)",
    ),
    loss=_p("0.97", "slide 8 (error): the total"),
    dE_dO_out=_p(("-3.70644", "-1.4755", "-1.6886"), "slide 11: dE_a/dO_out_a"),
    dO_out_dO_in=_p(("0.15911", "0.2040", "0.3685"), "slide 11: dO_out_a/dO_in_a"),
    dW_kl=_p(
        (
            ("-0.5531", "-0.0576", "-0.5836"),
            ("-0.554347", "-0.0577", "-0.5849"),
            ("-0.577937", "-0.06017", "-0.6098"),
        ),
        "slide 12: delta W_kl",
    ),
    w_kl_new=_p(
        (
            ("0.105531", "0.400576", "0.805836"),
            ("0.30055", "0.700577", "0.2005849"),
            ("0.5005779", "0.2006017", "0.9006098"),
        ),
        "slide 13: new W_kl; repeated on slide 24",
    ),
    dh2_out_dh2_in=_p(("0.058156", "0.0564", "0.0196"), "slide 15: sigmoid derivative"),
    dE_dh2_out_terms=_p(
        (
            ("-0.0589", "-0.2383", "-0.5931"),
            ("-0.1769", "-0.417", "-0.14828"),
            ("-0.2948", "-0.119", "-0.667"),
        ),
        "slide 18: the three path terms of dE_total/dh2_out (row = hidden unit, column = output)",
    ),
    dE_dh2_out=_p(("-0.8903", "-0.74218", "-1.0810"), "slide 18: dE_total/dh2_out"),
    dW_jk=_p(
        (
            ("-0.06989", "-0.0565", "-0.0286"),
            ("-0.06575", "-0.05316", "-0.0269"),
            ("-0.0932", "-0.0753", "-0.03813"),
        ),
        "slide 18: delta W_jk",
    ),
    w_jk_new=_p(
        (
            ("0.2006989", "0.300565", "0.500286"),
            ("0.3006575", "0.5005316", "0.700269"),
            ("0.600932", "0.400753", "0.803813"),
        ),
        "slide 19: new W_jk; repeated on slide 24",
    ),
    dh1_out_dh1_in=_p(("1.0", "1.0", "1.0"), "slide 21: ReLU derivative ('all inputs positive')"),
    dE_dh1_out=_p(("-0.01035", "-0.0209", "-0.0169"), "slide 22: dE_total/dh1_out"),
    dW_ij=_p(
        (
            ("-0.001035", "-0.00209", "-0.00169"),
            ("-0.00207", "-0.00418", "-0.00338"),
            ("-0.007245", "-0.01463", "-0.01183"),
        ),
        "slide 23: delta W_ij",
    ),
    w_ij_new=_p(
        (
            ("0.10001035", "0.2000209", "0.3000169"),
            ("0.3000207", "0.2000418", "0.7000338"),
            ("0.40007245", "0.3001463", "0.9001183"),
        ),
        "slide 23: new W_ij; repeated on slide 24",
    ),
)

SEED_001_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Seed001))
SEED_001_GIVEN: tuple[str, ...] = ("x", "y", "w_ij", "w_jk", "w_kl", "b_j", "b_k", "b_l", "lr")
# the printed intermediates, in the order the slides compute them
SEED_001_INTERMEDIATES: tuple[str, ...] = tuple(
    n for n in SEED_001_NAMES if n not in SEED_001_GIVEN
)


class Problem(NamedTuple):
    """The inputs of seed 001's example: x (3,), y (3,) one-hot, three (3, 3) weights,
    three (3,) biases and the learning rate."""

    x: np.ndarray
    y: np.ndarray
    weights: tuple[np.ndarray, np.ndarray, np.ndarray]
    biases: tuple[np.ndarray, np.ndarray, np.ndarray]
    lr: float


def problem() -> Problem:
    """Seed 001's input, target, weights, biases and learning rate, as float64 arrays."""
    s = SEED_001
    return Problem(
        x=s.x.value,
        y=s.y.value,
        weights=(s.w_ij.value, s.w_jk.value, s.w_kl.value),
        biases=(s.b_j.value, s.b_k.value, s.b_l.value),
        lr=float(s.lr.value),
    )


def _quantize(value: float, decimals: int, rounding: str) -> Decimal:
    v = Decimal(repr(round(float(value), 12)))  # drop float noise far below any printed digit
    return v.quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def agrees(text: str, value: float) -> bool:
    """True if the printed text is value rounded (half up) or cut off to the printed decimals.

    agrees("0.938", 0.93877) -> True (cut off); agrees("0.2040", 0.20403) -> True (rounded);
    agrees("0.15911", 0.159144) -> False. The slides do both, so both count as printing a value.
    """
    printed, d = Decimal(text), _decimals(text)
    return printed in (_quantize(value, d, ROUND_HALF_UP), _quantize(value, d, ROUND_DOWN))


def matches(name: str, value: np.ndarray) -> np.ndarray:
    """agrees() for every number of the printed quantity called name (a field of SEED_001).

    value: the printed shape (or a scalar broadcast to it) -> bools of the printed shape.
    """
    texts = np.array(SEED_001.get(name).text, dtype=object)
    value = np.broadcast_to(np.asarray(value, dtype=float), texts.shape)
    out = [agrees(t, v) for t, v in zip(texts.flat, value.flat, strict=True)]
    return np.array(out).reshape(texts.shape)


def round_half_up(value: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round each value half-up (away from zero at .5) to its number of decimals (same shape)."""
    value = np.asarray(value, dtype=float)
    decimals = np.broadcast_to(decimals, value.shape)
    out = [
        float(_quantize(v, int(d), ROUND_HALF_UP))
        for v, d in zip(value.flat, decimals.flat, strict=True)
    ]
    return np.array(out).reshape(value.shape)
