"""The errata of seed 001's worked example: one row per printed number, one per departure.

``errata_table()`` gives every one of the 105 printed numbers a verdict computed from the
numbers (``verdict``) and, where it is wrong, the departures that move it (``ErrataRow``);
``format_errata`` writes rows as markdown, ``deviation_summary`` counts each departure's reach.
``corrections()`` is lesson 03's short table: one row per departure, with the number the slide
prints, the number its own arithmetic gives, and the correct value from the slide's own inputs.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from typing import NamedTuple

import numpy as np

from course_lib.backprop import softmax
from course_lib.seed001 import printed
from course_lib.seed001.printed import SEED_001_INTERMEDIATES, _decimals, _quantize, agrees, problem
from course_lib.seed001.recipe import DEVIATIONS, exact_values, slide_recipe

VERDICTS: tuple[str, ...] = ("matches", "rounding carried forward", "inconsistent")
MARKS: dict[str, str] = dict(
    zip(VERDICTS, ("✓ matches", "≈ rounding", "✗ inconsistent"), strict=True)
)


@dataclass(frozen=True)
class ErrataRow:
    """One printed number. recipe: what the slides' own arithmetic gives (slide_recipe());
    rounded: correct formulas fed the slides' rounded numbers; exact: float64 truth.
    causes: every departure that moves this number; own_causes: those acting on its own step."""

    name: str
    quantity: str
    slide: int
    printed: str
    recipe: float
    rounded: float
    exact: float
    verdict: str
    causes: tuple[str, ...]
    own_causes: tuple[str, ...]


def verdict(printed: str, exact: float, rounded: float) -> str:
    """Classify one printed number (see agrees() for "agrees to the printed digits").

    "matches": it agrees with the exact value;
    "rounding carried forward": it does not, but agrees with the correct formulas applied to
        the slides' rounded numbers (so the only departure is rounding upstream);
    "inconsistent": it agrees with neither (a formula variant or a slip, here or upstream).
    """
    if agrees(printed, exact):
        return VERDICTS[0]
    if agrees(printed, rounded):
        return VERDICTS[1]
    return VERDICTS[2]


def slide_number(where: str) -> int:
    """The slide number at the start of a ``where`` text ("slide 12 (...)" -> 12)."""
    match = re.match(r"slide (\d+)", where)
    if match is None:
        raise ValueError(f"where is {where!r}; expected it to start with 'slide <number>'")
    return int(match.group(1))


def _differ_at(text: str, a: float, b: float) -> bool:
    """Do a and b differ when both are rounded to the decimals printed in text?"""
    d = _decimals(text)
    return _quantize(a, d, ROUND_HALF_UP) != _quantize(b, d, ROUND_HALF_UP)


def errata_table() -> list[ErrataRow]:
    """One row per printed number of seed 001's example (every element of every matrix).

    The verdict is computed by verdict() from the printed text, the exact value and the
    correct-formulas-with-the-slides'-rounding value. For an inconsistent number, causes lists
    every deviation d that moves it, found by running slide_recipe twice per deviation: with d
    alone fixed (does the printed number still come out?) and with only d left in (does the
    correct number still come out?). own_causes are the causes that act on this very step.
    """
    recipe = slide_recipe()
    rounded = slide_recipe(fixed=DEVIATIONS)
    exact = exact_values()
    d_fixed = {d: slide_recipe(fixed={d}) for d in DEVIATIONS}
    d_only = {d: slide_recipe(fixed=set(DEVIATIONS) - {d}) for d in DEVIATIONS}
    rows = []
    for name in SEED_001_INTERMEDIATES:
        shown = printed.SEED_001.get(name)
        texts = np.array(shown.text, dtype=object)
        for idx in np.ndindex(texts.shape):
            text = texts[idx]
            v = verdict(text, exact[name][idx], rounded[name][idx])
            causes: tuple[str, ...] = ()
            if v == VERDICTS[2]:
                causes = tuple(
                    d
                    for d in DEVIATIONS
                    if not agrees(text, d_fixed[d][name][idx])
                    or _differ_at(text, d_only[d][name][idx], rounded[name][idx])
                )
            rows.append(
                ErrataRow(
                    name=name if idx == () else f"{name}[{','.join(map(str, idx))}]",
                    quantity=name,
                    slide=slide_number(shown.where),
                    printed=text,
                    recipe=float(recipe[name][idx]),
                    rounded=float(rounded[name][idx]),
                    exact=float(exact[name][idx]),
                    verdict=v,
                    causes=causes,
                    own_causes=tuple(c for c in causes if name in DEVIATIONS[c].steps),
                )
            )
    return rows


def errata_counts(rows: Sequence[ErrataRow]) -> dict[str, int]:
    """How many rows got each verdict, in the order of VERDICTS (zeros included)."""
    return {v: sum(r.verdict == v for r in rows) for v in VERDICTS}


def deviation_number(name: str) -> int:
    """A departure's number, 1 to 14, in the order of DEVIATIONS (the slides' order)."""
    return list(DEVIATIONS).index(name) + 1


def _causes_markdown(row: ErrataRow) -> str:
    """The departures behind a row: its own as bold numbers, then the inherited ones."""
    if row.verdict != VERDICTS[2]:
        return "right" if row.verdict == VERDICTS[0] else "rounding upstream"
    own = " ".join(f"**D{deviation_number(c)}**" for c in row.own_causes)
    upstream = " ".join(f"D{deviation_number(c)}" for c in row.causes if c not in row.own_causes)
    if not upstream:
        return own
    return f"{own} + inherits {upstream}" if own else f"inherits {upstream}"


def format_errata(rows: Sequence[ErrataRow], digits: int = 6) -> str:
    """The rows as one markdown table: name, printed, slide recipe, exact (to `digits`
    significant digits), verdict, and the departures behind it (bold: on this very step)."""
    lines = [
        "| number | printed | slide recipe | exact | verdict | departures |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r.name}` | {r.printed} | {r.recipe + 0.0:.{digits}g} | {r.exact + 0.0:.{digits}g}"
            f" | {MARKS[r.verdict]} | {_causes_markdown(r)} |"
        )
    return "\n".join(lines)


class DeviationSummary(NamedTuple):
    """One departure: its id, number, the slides it acts on, its kind and text, and its reach:
    own_rows = printed numbers it breaks directly, rows = printed numbers it moves at all."""

    name: str
    number: int
    slides: tuple[int, ...]
    kind: str
    text: str
    own_rows: int
    rows: int


def deviation_summary(rows: Sequence[ErrataRow]) -> list[DeviationSummary]:
    """For each entry of DEVIATIONS, in order, how many errata rows it explains (see above)."""
    out = []
    for name, d in DEVIATIONS.items():
        slides = sorted({slide_number(printed.SEED_001.get(s).where) for s in d.steps})
        out.append(
            DeviationSummary(
                name,
                deviation_number(name),
                tuple(slides),
                d.kind,
                d.text,
                own_rows=sum(name in r.own_causes for r in rows),
                rows=sum(name in r.causes for r in rows),
            )
        )
    return out


class Correction(NamedTuple):
    """One departure as lesson 03's table shows it: the printed number it breaks (quantity and
    index), what the slide prints, what the slide's own arithmetic gives (slide_recipe) and the
    value with this one departure corrected, computed from the slide's own inputs as `how` says.
    Everything else the slide did is kept, its printed inputs and its other departures, so a
    corrected value is not the exact value of the example (lesson 03, section 1)."""

    deviation: str
    slide: int
    quantity: str
    index: tuple[int, ...]
    printed: str
    slide_value: float
    correct: float
    how: str


def corrections() -> list[Correction]:
    """One Correction per entry of DEVIATIONS, in order (see Correction)."""
    s = printed.SEED_001
    _, _, (_, w_jk, w_kl), _, lr = problem()
    p = s.o_out.value  # the slides' output, as printed
    delta_h2 = s.dE_dh2_out.value * s.dh2_out_dh2_in.value  # the slides' delta of layer h2
    q = softmax(s.o_in.value)
    jacobian = -np.outer(q, q)  # the softmax Jacobian with the slide's own diagonal (slide 11)
    np.fill_diagonal(jacobian, s.dO_out_dO_in.value)
    all_paths = jacobian.T @ s.dE_dO_out.value  # J^T g, with the slide's g: D8 alone corrected
    # departure -> (quantity, index, correct value, how it is computed)
    right = {
        "h2_in_slip": ("h2_in", (2,), s.h1_out.value @ w_jk[:, 2] + 1, "h1_out · W_jk[:, 2] + 1"),
        "softmax_linear": ("o_out", (0,), q[0], "softmax of the printed o_in"),
        "loss_binary_ce": (
            "loss",
            (),
            -np.log10(p[0]),
            "−log₁₀ O_out[0]: the target's term only",
        ),
        "loss_log10": (
            "loss_terms",
            (0,),
            -np.log(p[0]),
            "−ln O_out[0], as slide 11 differentiates",
        ),
        "loss_term_slips": ("loss_terms", (0,), -np.log10(p[0]), "−log₁₀ 0.2698"),
        "dE_dO_sign": ("dE_dO_out", (1,), 1 / (1 - p[1]), "+1/(1 − O_out[1]), for their loss"),
        "softmax_deriv_index": (
            "dO_out_dO_in",
            (2,),
            q[2] * (1 - q[2]),
            "its own formula, printed o_in",
        ),
        "softmax_jacobian_diagonal": (
            "dW_kl",
            (0, 2),
            s.h2_out.value[0] * all_paths[2],
            "h2_out[0] · (Jᵀg)[2]: slide 11's g, plus the −p_a p_b it drops",
        ),
        "dW_kl_col2_double": (
            "dW_kl",
            (0, 1),
            s.dE_dO_out.value[1] * s.dO_out_dO_in.value[1] * s.h2_out.value[0],
            "−1.4755 · 0.204 · 0.938, as written",
        ),
        "w_kl_update_decimal": (
            "w_kl_new",
            (1, 2),
            w_kl[1, 2] - lr * s.dW_kl.value[1, 2],
            "0.2 − 0.01 · (−0.5849)",
        ),
        "delta_out_factor_slip": (
            "dE_dh2_out_terms",
            (0, 1),
            w_kl[0, 1] * s.dE_dO_out.value[1] * s.dO_out_dO_in.value[1],
            "0.4 · (−1.4755 · 0.2040)",
        ),
        "dE_dh2_out_sum_slip": (
            "dE_dh2_out",
            (2,),
            s.dE_dh2_out_terms.value[2].sum(),
            "its three printed terms added",
        ),
        "w_jk_update_decimal": (
            "w_jk_new",
            (2, 2),
            w_jk[2, 2] - lr * s.dW_jk.value[2, 2],
            "0.8 − 0.01 · (−0.03813)",
        ),
        "hidden1_diagonal": (
            "dE_dh1_out",
            (0,),
            w_jk[0] @ delta_h2,
            "Σₖ W_jk[0, k] · δ_h2[k]",
        ),
    }
    recipe = slide_recipe()
    out = []
    for name, (quantity, idx, correct, how) in right.items():
        shown = s.get(quantity)
        out.append(
            Correction(
                name,
                slide_number(shown.where),
                quantity,
                idx,
                np.array(shown.text, dtype=object)[idx],
                float(recipe[quantity][idx]),
                float(correct),
                how,
            )
        )
    return out


def _like(text: str, value: float) -> str:
    """value with as many decimals as the printed text, and at least 4 significant digits."""
    decimals = max(_decimals(text), 3 - int(np.floor(np.log10(abs(value)))))
    return f"{value:.{decimals}f}"


def format_corrections(rows: Sequence[Correction]) -> str:
    """Lesson 03's table as markdown: slide, what went wrong, printed, the value with that one
    departure corrected (the slide's own inputs and other departures kept), and how."""
    lines = [
        "| slide | what went wrong | printed | correct for the slide's own inputs | computed as |",
        "|---:|---|---:|---:|---|",
    ]
    for c in rows:
        lines.append(
            f"| {c.slide} | {DEVIATIONS[c.deviation].label} | {c.printed} | "
            f"{_like(c.printed, c.correct)} | {c.how} |"
        )
    return "\n".join(lines)
