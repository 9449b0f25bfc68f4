"""Seed 001's worked example under audit (appendix 03b; lesson 03 shows its short table).

Seed 001 works one training step of a 3-3-3 network by hand and prints 105 numbers. This
package keeps them and checks them against the exact computation of ``course_lib.backprop``:

- ``printed``: ``SEED_001`` (every printed number as text, with its slide), ``problem()`` (the
  example's inputs as arrays), ``agrees`` / ``matches`` (is a value what the slide prints, rounded
  or cut off to the printed digits?), ``round_half_up``;
- ``recipe``: ``DEVIATIONS`` (the fourteen places where the slides depart from their own
  formulas), ``slide_recipe()`` (the example redone the way the slides did it: it reproduces all
  105 numbers), ``exact_values()`` (the exact counterpart of every printed number);
- ``errata``: ``errata_table()`` (a verdict and the departures behind each printed number),
  ``deviation_summary``, ``corrections()`` (one row per departure, with its correct value).
"""

from course_lib.seed001.errata import (
    MARKS,
    VERDICTS,
    Correction,
    DeviationSummary,
    ErrataRow,
    corrections,
    deviation_number,
    deviation_summary,
    errata_counts,
    errata_table,
    format_corrections,
    format_errata,
    slide_number,
    verdict,
)
from course_lib.seed001.printed import (
    SEED_001,
    SEED_001_GIVEN,
    SEED_001_INTERMEDIATES,
    SEED_001_NAMES,
    Printed,
    Problem,
    agrees,
    matches,
    problem,
    round_half_up,
)
from course_lib.seed001.recipe import DEVIATIONS, Deviation, exact_values, slide_recipe

__all__ = [
    "DEVIATIONS",
    "MARKS",
    "SEED_001",
    "SEED_001_GIVEN",
    "SEED_001_INTERMEDIATES",
    "SEED_001_NAMES",
    "VERDICTS",
    "Correction",
    "Deviation",
    "DeviationSummary",
    "ErrataRow",
    "Printed",
    "Problem",
    "agrees",
    "corrections",
    "deviation_number",
    "deviation_summary",
    "errata_counts",
    "errata_table",
    "exact_values",
    "format_corrections",
    "format_errata",
    "matches",
    "problem",
    "round_half_up",
    "slide_number",
    "slide_recipe",
    "verdict",
]
