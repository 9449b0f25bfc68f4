"""How seed 001's slides computed their numbers: fourteen departures and a recipe.

``DEVIATIONS`` names every place where the slides' arithmetic departs from their own formulas;
``slide_recipe()`` redoes the worked example the way the slides did (rounded numbers carried
forward, each departure applied), and so reproduces all 105 printed numbers; ``fixed=`` corrects
chosen departures. ``exact_values()`` is the exact counterpart of every printed number.
"""

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from course_lib.backprop import backward_333, forward_333, softmax
from course_lib.mlp import relu, relu_grad, sigmoid_grad
from course_lib.seed001 import printed
from course_lib.seed001.printed import SEED_001_INTERMEDIATES, matches, problem, round_half_up
from course_lib.tensors import sigmoid


@dataclass(frozen=True)
class Deviation:
    """A place where seed 001's arithmetic departs from a correct computation.

    steps: the printed quantities this deviation acts on directly (it may change others
    downstream); kind: what sort of departure; text: one line, what the slide computed instead;
    label: a few words for a table.
    """

    steps: tuple[str, ...]
    kind: str
    text: str
    label: str


DEVIATIONS: dict[str, Deviation] = {
    "h2_in_slip": Deviation(
        ("h2_in",),
        "arithmetic slip",
        "h2_in[2] is printed 4.001, but 1.35*0.5 + 1.27*0.7 + 1.8*0.8 + 1 = 4.004 "
        "(harmless: sigmoid of either is 0.98 to the printed digits)",
        "h2_in[2] mis-added",
    ),
    "softmax_linear": Deviation(
        ("o_out",),
        "formula variant",
        "the 'softmax' output is o_in / sum(o_in), with no exponentials "
        "(1.8658/6.9154 = 0.2698); the real softmax of the printed o_in is "
        "[0.1986, 0.2856, 0.5158]",
        "'softmax' without exponentials",
    ),
    "loss_binary_ce": Deviation(
        ("loss_terms", "loss", "dE_dO_out"),
        "formula variant",
        "the error is a sum of binary cross-entropies, one per output, adding "
        "-log(1 - O_a) for the two non-target outputs; softmax's cross-entropy is -log O_1 only",
        "a binary cross-entropy per output",
    ),
    "loss_log10": Deviation(
        ("loss_terms", "loss"),
        "log base",
        "the error uses base-10 logs (-log10 0.2698 = 0.5690) while the derivatives on "
        "slide 11 use d(log O)/dO = 1/O, i.e. natural logs; -ln 0.2698 = 1.3101",
        "base-10 logs in the error",
    ),
    "loss_term_slips": Deviation(
        ("loss_terms",),
        "transcription slip",
        "0.569858 and 0.16886 should read 0.568958 (digits 8 and 9 swapped) and 0.16896 "
        "(-log10 0.6777); the total 0.97 is the same either way",
        "two error terms mistyped",
    ),
    "dE_dO_sign": Deviation(
        ("dE_dO_out",),
        "sign",
        "the derivative of -(1-y) log(1-O) is written -(1-y)/(1-O); it is +(1-y)/(1-O), so "
        "outputs 2 and 3 get -1.4755 and -1.6886 instead of +1.4755 and +1.6886",
        "the sign of d(−log(1 − O))/dO",
    ),
    "softmax_deriv_index": Deviation(
        ("dO_out_dO_in",),
        "derivative written wrongly",
        "for output 3 the slide evaluates e^O3 (e^O1 + e^O3) / S^2 = 0.3685 instead of "
        "its own formula e^O3 (e^O1 + e^O2) / S^2 = 0.2497",
        "a wrong index in a derivative",
    ),
    "softmax_jacobian_diagonal": Deviation(
        ("dW_kl", "dE_dh2_out_terms"),
        "paths ignored",
        "each output's error is sent back only through its own softmax input "
        "(dE_a/dO_out_a * dO_out_a/dO_in_a); softmax couples all outputs, so dE/dO_in_b must "
        "sum over every output a, J^T g (p - y only for a softmax with its own cross-entropy)",
        "the Jacobian's diagonal only",
    ),
    "dW_kl_col2_double": Deviation(
        ("dW_kl",),
        "product miscomputed",
        "column 2 of delta W_kl is multiplied by 0.2040 twice: -1.4755*0.2040*0.2040*h2 = "
        "-0.0576 instead of the written -1.4755*0.204*0.938 = -0.2823",
        "0.2040 multiplied in twice",
    ),
    "w_kl_update_decimal": Deviation(
        ("w_kl_new",),
        "arithmetic slip",
        "four new W_kl entries (row 2 col 1 and 3, row 3 col 1 and 3) use 0.001 * dW instead "
        "of lr * dW = 0.01 * dW (decimal point shifted): 0.2 + 0.0005849 = 0.2005849, "
        "not 0.205849",
        "0.001 for lr = 0.01",
    ),
    "delta_out_factor_slip": Deviation(
        ("dE_dh2_out_terms",),
        "product miscomputed",
        "the factors for outputs 2 and 3 are 0.5957 and 0.7414 (each term / its weight) instead "
        "of the slide's own -1.4755*0.2040 = -0.3010 and -1.6886*0.3685 = -0.6222; "
        "no formula variant found that gives them",
        "two factors from nowhere",
    ),
    "dE_dh2_out_sum_slip": Deviation(
        ("dE_dh2_out",),
        "arithmetic slip",
        "the third sum is printed -1.0810, but its printed terms add to "
        "-0.2948 - 0.119 - 0.667 = -1.0808",
        "a sum mis-added",
    ),
    "w_jk_update_decimal": Deviation(
        ("w_jk_new",),
        "arithmetic slip",
        "new W_jk[3,3] uses 0.1 * dW (0.003813) instead of lr * dW = 0.01 * dW (0.0003813): "
        "0.803813, not 0.8003813",
        "0.1 for lr = 0.01",
    ),
    "hidden1_diagonal": Deviation(
        ("dE_dh1_out",),
        "paths ignored",
        "dE/dh1_out_j keeps only the path through h2 unit k = j (weight W_jk[j,j]); "
        "h1 unit j feeds all three h2 units, so it should sum W_jk[j,k] * delta_h2_k over k",
        "one path per hidden unit",
    ),
}


def slide_recipe(fixed: Collection[str] = (), rounding: bool = True) -> dict[str, np.ndarray]:
    """Redo seed 001's worked example the way its slides did it; returns name -> value.

    With the defaults it reproduces every printed number of SEED_001_INTERMEDIATES (the value
    returned for a name agrees with the printed text to the printed digits, see agrees()).

    fixed: names from DEVIATIONS to correct (the others are computed as the slides did);
    rounding: if True, each step works from the previous step's *printed* numbers, as the slides
      do ("rounding carried forward"); where a corrected value no longer agrees with the print,
      it is rounded half-up to the printed number of decimals instead. The slides also round
      the exponentials e^O_in to 3 decimals and their sum to 2 (32.54) when they evaluate the
      softmax derivative (a reconstruction: the one uniform rounding that gives all three
      printed digits; the slides do not print these). If False, nothing is rounded.
    fixed=DEVIATIONS, rounding=False gives the exact values (see exact_values).
    Returned arrays are the values each step computes, before that step's own rounding.
    """
    fixed = set(fixed)
    unknown = fixed - set(DEVIATIONS)
    if unknown:
        raise ValueError(f"fixed has unknown names {sorted(unknown)}; expected from DEVIATIONS")

    def as_printed(deviation: str) -> bool:
        """Does this step keep the slides' deviation (it was not asked to be fixed)?"""
        return deviation not in fixed

    out: dict[str, np.ndarray] = {}

    def keep(name: str, value: np.ndarray) -> np.ndarray:
        """Record what the step computed; return what the next step starts from."""
        value = np.asarray(value, dtype=float)
        out[name] = value
        if not rounding:
            return value
        shown = printed.SEED_001.get(name)
        return np.where(matches(name, value), shown.value, round_half_up(value, shown.decimals))

    x, y, (w_ij, w_jk, w_kl), (b_j, b_k, b_l), lr = problem()

    # forward pass (slides 5-7)
    h1_in = keep("h1_in", x @ w_ij + b_j)
    h1_out = keep("h1_out", relu(h1_in))
    h2_in = h1_out @ w_jk + b_k
    if as_printed("h2_in_slip"):
        h2_in[2] = 4.001
    h2_in = keep("h2_in", h2_in)
    h2_out = keep("h2_out", sigmoid(h2_in))
    o_in = keep("o_in", h2_out @ w_kl + b_l)
    o_out = keep("o_out", o_in / o_in.sum() if as_printed("softmax_linear") else softmax(o_in))

    # error (slide 8)
    keep("loss_log_args", 1 - o_out[1:])
    log = np.log10 if as_printed("loss_log10") else np.log
    if as_printed("loss_binary_ce"):
        terms = -(y * log(o_out) + (1 - y) * log(1 - o_out))
    else:
        terms = -y * log(o_out)
    if as_printed("loss_term_slips"):
        terms[0], terms[1] = 0.569858, 0.16886
    terms = keep("loss_terms", terms)
    keep("loss", terms.sum())

    # output layer, W_kl (slides 10-13)
    if as_printed("loss_binary_ce"):
        sign = -1.0 if as_printed("dE_dO_sign") else 1.0
        g = -y / o_out + sign * (1 - y) / (1 - o_out)
    else:
        g = -y / o_out
    g = keep("dE_dO_out", g)
    e = np.exp(o_in)
    if rounding:
        e = round_half_up(e, 3)
    big_s = round_half_up(e.sum(), 2) if rounding else e.sum()
    diag = e * (e.sum() - e) / big_s**2  # e^O_a (sum of the other e^O) / S^2
    if as_printed("softmax_deriv_index"):
        diag[2] = e[2] * (e[0] + e[2]) / big_s**2
    s = keep("dO_out_dO_in", diag)
    if as_printed("softmax_jacobian_diagonal"):
        delta_out = g * s
    else:
        jac = -np.outer(e, e) / big_s**2  # J[a, b] = dO_out_a / dO_in_b
        np.fill_diagonal(jac, s)
        delta_out = jac.T @ g
    dw_kl = np.outer(h2_out, delta_out)
    if as_printed("dW_kl_col2_double"):
        dw_kl[:, 1] *= s[1]
    dw_kl = keep("dW_kl", dw_kl)
    lr_kl = np.full((3, 3), lr)
    if as_printed("w_kl_update_decimal"):
        lr_kl[[1, 1, 2, 2], [0, 2, 0, 2]] = lr / 10
    keep("w_kl_new", w_kl - lr_kl * dw_kl)

    # hidden layer 2, W_jk (slides 14-19)
    sd2 = keep("dh2_out_dh2_in", h2_out * (1 - h2_out))
    factor = delta_out.copy()
    if as_printed("delta_out_factor_slip"):
        factor[1], factor[2] = -0.5957, -0.7414
    terms_h2 = keep("dE_dh2_out_terms", w_kl * factor)  # [k, l]: path from h2 unit k via output l
    de_dh2 = terms_h2.sum(axis=1)
    if as_printed("dE_dh2_out_sum_slip"):
        de_dh2[2] = -1.0810
    de_dh2 = keep("dE_dh2_out", de_dh2)
    delta_h2 = de_dh2 * sd2
    dw_jk = keep("dW_jk", np.outer(h1_out, delta_h2))
    lr_jk = np.full((3, 3), lr)
    if as_printed("w_jk_update_decimal"):
        lr_jk[2, 2] = lr * 10
    keep("w_jk_new", w_jk - lr_jk * dw_jk)

    # hidden layer 1, W_ij (slides 20-23)
    sd1 = keep("dh1_out_dh1_in", relu_grad(h1_in))
    de_dh1 = delta_h2 * np.diag(w_jk) if as_printed("hidden1_diagonal") else w_jk @ delta_h2
    de_dh1 = keep("dE_dh1_out", de_dh1)
    dw_ij = keep("dW_ij", np.outer(x, de_dh1 * sd1))
    keep("w_ij_new", w_ij - lr * dw_ij)
    return out


def exact_values() -> dict[str, np.ndarray]:
    """The exact value of every printed intermediate of seed 001 (keys: SEED_001_INTERMEDIATES).

    From backprop.forward_333 and backward_333 at float64, under the slides' names and
    groupings: the derivatives the slides print one by one (dE/dO_out = -y/p, the softmax
    derivatives p(1 - p), sigma'(h2_in), ReLU'(h1_in)), the path terms W_kl[k, l] delta_l, the
    error's terms -y ln p with the 1 - p of the non-targets, and the weights after one step.
    """
    x, y, weights, biases, lr = problem()
    f = forward_333(x, y, weights, biases)
    g = backward_333(x, y, weights, f)
    p = f["o_out"]
    out = {**f, **g}
    out["loss_log_args"] = 1 - p[1:]
    out["loss_terms"] = -y * np.log(p)
    out["dE_dO_out"] = -y / p
    out["dO_out_dO_in"] = p * (1 - p)
    out["dh2_out_dh2_in"] = sigmoid_grad(f["h2_in"])
    out["dE_dh2_out_terms"] = weights[2] * g["delta_out"]
    out["dh1_out_dh1_in"] = relu_grad(f["h1_in"])
    for name, w in zip(("w_ij_new", "w_jk_new", "w_kl_new"), weights, strict=True):
        out[name] = w - lr * g["dW" + name[1:-4]]
    return {name: np.asarray(out[name], dtype=float) for name in SEED_001_INTERMEDIATES}
