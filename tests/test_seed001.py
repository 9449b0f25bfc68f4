"""Tests of course_lib.seed001: the transcription of seed 001's worked example, the slides'
recipe, the errata table and lesson 03's table of corrections."""

import dataclasses

import numpy as np
import pytest

from course_lib import backprop as bp
from course_lib import seed001 as s1
from course_lib.seed001 import printed

# ---------------------------------------------------------------------------------------------
# the transcription
# ---------------------------------------------------------------------------------------------


def test_seed_001_keeps_the_printed_digits():
    s = s1.SEED_001
    assert s.dO_out_dO_in.text == ("0.15911", "0.2040", "0.3685")
    assert s.dE_dh2_out.text == ("-0.8903", "-0.74218", "-1.0810")
    assert s.loss.text == "0.97" and s.loss.value == 0.97
    assert s.w_kl_new.text[1] == ("0.30055", "0.700577", "0.2005849")
    np.testing.assert_array_equal(s.dO_out_dO_in.decimals, [5, 4, 4])
    assert s.h2_in.value.shape == (3,) and s.dW_kl.value.shape == (3, 3)
    assert int(s.loss.decimals) == 2


def test_every_entry_says_where_it_is_printed():
    for name in s1.SEED_001_NAMES:
        assert s1.SEED_001.get(name).where.startswith("slide "), name
    assert set(s1.SEED_001_INTERMEDIATES) | set(s1.SEED_001_GIVEN) == set(s1.SEED_001_NAMES)
    total = sum(s1.SEED_001.get(n).value.size for n in s1.SEED_001_INTERMEDIATES)
    assert (len(s1.SEED_001_INTERMEDIATES), total) == (22, 105)


def test_get_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="name is 'nope'"):
        s1.SEED_001.get("nope")


def test_problem():
    x, y, weights, biases, lr = s1.problem()
    np.testing.assert_array_equal(x, [0.1, 0.2, 0.7])
    np.testing.assert_array_equal(y, [1.0, 0.0, 0.0])
    assert [w.shape for w in weights] == [(3, 3)] * 3
    assert all(np.all(b == 1.0) for b in biases)
    assert lr == 0.01
    assert isinstance(s1.problem(), s1.Problem)


# ---------------------------------------------------------------------------------------------
# printed digits: agrees / matches / round_half_up
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("0.938", 0.938774, True),  # cut off
        ("0.2040", 0.203988, True),  # rounded
        ("-3.70644", -3.706449, True),  # cut off, negative
        ("0.97", 0.966248, True),  # rounded
        ("0.15911", 0.159144, False),
        ("4.001", 4.004, False),
        ("1.0", 1.0, True),
    ],
)
def test_agrees(text, value, expected):
    assert s1.agrees(text, value) is expected


def test_matches_a_whole_printed_quantity():
    np.testing.assert_array_equal(s1.matches("h2_in", [2.731, 2.76, 4.004]), [True, True, False])
    assert s1.matches("dW_kl", np.zeros((3, 3))).shape == (3, 3)
    assert s1.matches("dh1_out_dh1_in", 1.0).all()  # a scalar is broadcast


def test_round_half_up():
    np.testing.assert_array_equal(
        s1.round_half_up([0.125, -0.125, 2.0004], [2, 2, 3]), [0.13, -0.13, 2.0]
    )


def test_verdict_is_computed_from_the_numbers():
    assert s1.verdict("1.35", exact=1.35, rounded=1.35) == "matches"
    assert s1.verdict("1.8658", exact=1.867068, rounded=1.8658) == "rounding carried forward"
    assert s1.verdict("0.2698", exact=0.198447, rounded=0.198577) == "inconsistent"
    # the same quantity with a different printed value gets a different verdict
    assert s1.verdict("1.8671", exact=1.867068, rounded=1.8658) == "matches"
    assert s1.verdict("1.8659", exact=1.867068, rounded=1.8658) == "inconsistent"


# ---------------------------------------------------------------------------------------------
# the slide recipe and the exact values
# ---------------------------------------------------------------------------------------------


def test_slide_recipe_reproduces_every_printed_number():
    recipe = s1.slide_recipe()
    for name in s1.SEED_001_INTERMEDIATES:
        assert s1.matches(name, recipe[name]).all(), (name, recipe[name])


def test_slide_recipe_computes_rather_than_copies():
    recipe = s1.slide_recipe()
    # sigmoid(2.73) = 0.938774..., printed cut off as 0.938
    assert recipe["h2_out"][0] == pytest.approx(0.9387738, abs=1e-7)
    # without the slides' rounding the forward pass no longer gives the printed o_in
    assert not s1.agrees("1.8658", s1.slide_recipe(rounding=False)["o_in"][0])


def test_every_deviation_is_needed():
    """Correcting any one deviation breaks at least one printed number, on its own step."""
    for name, deviation in s1.DEVIATIONS.items():
        recipe = s1.slide_recipe(fixed={name})
        broken = [n for n in s1.SEED_001_INTERMEDIATES if not s1.matches(n, recipe[n]).all()]
        assert set(broken) & set(deviation.steps), name


def test_slide_recipe_with_everything_fixed_is_exact():
    fixed = s1.slide_recipe(fixed=s1.DEVIATIONS, rounding=False)
    exact = s1.exact_values()
    assert set(exact) == set(s1.SEED_001_INTERMEDIATES)
    for name in s1.SEED_001_INTERMEDIATES:
        np.testing.assert_allclose(fixed[name], exact[name], rtol=1e-12, atol=1e-15, err_msg=name)


def test_exact_values_come_from_the_lesson_code():
    x, y, weights, biases, lr = s1.problem()
    f = bp.forward_333(x, y, weights, biases)
    g = bp.backward_333(x, y, weights, f)
    exact = s1.exact_values()
    np.testing.assert_array_equal(exact["o_out"], f["o_out"])
    np.testing.assert_array_equal(exact["dW_jk"], g["dW_jk"])
    np.testing.assert_array_equal(exact["w_ij_new"], weights[0] - lr * g["dW_ij"])
    assert float(exact["loss"]) == pytest.approx(1.61723375, abs=1e-8)


def test_slide_recipe_rejects_an_unknown_fix():
    with pytest.raises(ValueError, match="fixed has unknown names"):
        s1.slide_recipe(fixed={"no_such_thing"})


def test_deviations_have_a_label_and_a_text():
    assert len(s1.DEVIATIONS) == 14
    for name, d in s1.DEVIATIONS.items():
        assert isinstance(d, s1.Deviation)
        assert 0 < len(d.label) <= 40 and len(d.text) > len(d.label), name
        assert set(d.steps) <= set(s1.SEED_001_INTERMEDIATES), name


# ---------------------------------------------------------------------------------------------
# the errata table
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def errata():
    return {row.name: row for row in s1.errata_table()}


def test_errata_has_a_row_per_printed_number(errata):
    assert len(errata) == 105
    assert all(isinstance(row, s1.ErrataRow) for row in errata.values())
    assert all(row.verdict in s1.VERDICTS for row in errata.values())
    assert all(bool(row.causes) == (row.verdict == "inconsistent") for row in errata.values())


def test_errata_verdicts(errata):
    def verdicts(prefix):
        return {r.verdict for name, r in errata.items() if name.startswith(prefix + "[")}

    assert verdicts("h1_in") == {"matches"}
    assert verdicts("o_in") == {"rounding carried forward"}
    assert verdicts("dh2_out_dh2_in") == {"rounding carried forward"}
    assert verdicts("dh1_out_dh1_in") == {"matches"}
    assert errata["dO_out_dO_in[0]"].verdict == "rounding carried forward"
    assert errata["h2_in[2]"].own_causes == ("h2_in_slip",)
    assert errata["o_out[0]"].own_causes == ("softmax_linear",)
    assert errata["dO_out_dO_in[2]"].own_causes == ("softmax_deriv_index",)
    assert set(errata["loss"].own_causes) == {"loss_binary_ce", "loss_log10"}
    assert "dE_dO_sign" in errata["dE_dO_out[1]"].own_causes
    assert "dW_kl_col2_double" in errata["dW_kl[0,1]"].own_causes
    assert errata["dE_dh2_out[2]"].own_causes == ("dE_dh2_out_sum_slip",)
    assert errata["w_jk_new[2,2]"].own_causes == ("w_jk_update_decimal",)
    assert errata["dE_dh1_out[0]"].own_causes == ("hidden1_diagonal",)
    # an update done right on a wrong gradient: inconsistent, but not this step's fault
    row = errata["w_kl_new[0,0]"]
    assert row.verdict == "inconsistent" and row.own_causes == () and row.causes
    assert (row.quantity, row.slide) == ("w_kl_new", 13)


def test_errata_counts(errata):
    rows = list(errata.values())
    assert s1.errata_counts(rows) == {
        "matches": 14,
        "rounding carried forward": 8,
        "inconsistent": 83,
    }
    assert s1.errata_counts([]) == dict.fromkeys(s1.VERDICTS, 0)
    wrong_sign = [r for r in rows if r.quantity.startswith("dW") and r.recipe * r.exact < 0]
    assert len(wrong_sign) == 24


def test_every_deviation_explains_some_row(errata):
    own = {c for row in errata.values() for c in row.own_causes}
    assert own == set(s1.DEVIATIONS)


def test_verdict_changes_when_a_printed_value_changes(monkeypatch):
    """Perturb the transcription: the computed verdicts must follow the numbers."""
    s = s1.SEED_001
    perturbed = dataclasses.replace(
        s,
        o_in=s1.Printed(("1.8671", "2.2292", "2.8204"), s.o_in.where),  # the exact value
        h1_in=s1.Printed(("1.36", "1.27", "1.8"), s.h1_in.where),  # a wrong value
    )
    monkeypatch.setattr(printed, "SEED_001", perturbed)
    rows = {row.name: row for row in s1.errata_table()}
    assert rows["o_in[0]"].verdict == "matches"  # was: rounding carried forward
    assert rows["o_in[1]"].verdict == "rounding carried forward"
    assert rows["h1_in[0]"].verdict == "inconsistent"  # was: matches
    assert rows["h1_in[1]"].verdict == "matches"


def test_slide_number():
    assert s1.slide_number("slide 12: delta W_kl") == 12
    with pytest.raises(ValueError, match="where is 'nowhere'"):
        s1.slide_number("nowhere")


def test_format_errata(errata):
    rows = [errata[n] for n in ("h1_in[0]", "o_in[0]", "h2_in[2]", "w_kl_new[0,0]", "loss")]
    lines = s1.format_errata(rows).splitlines()
    assert lines[0].startswith("| number | printed | slide recipe | exact |")
    assert len(lines) == 2 + len(rows)
    assert lines[2] == "| `h1_in[0]` | 1.35 | 1.35 | 1.35 | ✓ matches | right |"
    assert lines[3] == "| `o_in[0]` | 1.8658 | 1.8658 | 1.86707 | ≈ rounding | rounding upstream |"
    assert lines[4].endswith("| 4.001 | 4.001 | 4.004 | ✗ inconsistent | **D1** |")
    assert "| inherits D2 D3" in lines[5]
    assert "**D3** **D4** + inherits D2 D5" in lines[6]
    for line in s1.format_errata(list(errata.values())).splitlines():
        assert line.count("|") == 7, line


def test_deviation_summary(errata):
    summary = {d.name: d for d in s1.deviation_summary(list(errata.values()))}
    assert list(summary) == list(s1.DEVIATIONS)
    assert [d.number for d in summary.values()] == list(range(1, 15))
    assert s1.deviation_number("hidden1_diagonal") == 14
    assert summary["softmax_linear"].slides == (7,) and summary["softmax_linear"].own_rows == 3
    assert summary["softmax_linear"].rows == 80
    assert summary["loss_binary_ce"].slides == (8, 11)
    assert summary["w_jk_update_decimal"].own_rows == summary["w_jk_update_decimal"].rows == 1
    assert all(d.own_rows >= 1 and d.rows >= d.own_rows for d in summary.values())
    assert isinstance(summary["h2_in_slip"], s1.DeviationSummary)


# ---------------------------------------------------------------------------------------------
# lesson 03's table: one row per departure, with its correct value
# ---------------------------------------------------------------------------------------------

# departure -> the value with that departure alone corrected, recomputed here by hand from the
# slides' printed numbers (the slide's other departures kept: base-10 logs in the loss, slide
# 11's dE/dO with its sign slip and its softmax derivatives)
Q = np.exp([1.8658, 2.2292, 2.8204]) / np.exp([1.8658, 2.2292, 2.8204]).sum()
CORRECT = {
    "h2_in_slip": 1.35 * 0.5 + 1.27 * 0.7 + 1.8 * 0.8 + 1,
    "softmax_linear": 0.198577,  # softmax([1.8658, 2.2292, 2.8204])[0]
    "loss_binary_ce": 0.568958,  # -log10 0.2698: the target's term only, still in base 10
    "loss_log10": 1.310074,
    "loss_term_slips": 0.568958,  # -log10 0.2698
    "dE_dO_sign": 1 / 0.6777,
    "softmax_deriv_index": 0.249749,
    "softmax_jacobian_diagonal": 0.938  # h2_out[0] (J^T g)[2], the off-diagonal terms added
    * (-Q[0] * Q[2] * -3.70644 - Q[1] * Q[2] * -1.4755 + 0.3685 * -1.6886),
    "dW_kl_col2_double": -1.4755 * 0.2040 * 0.938,
    "w_kl_update_decimal": 0.2 + 0.01 * 0.5849,
    "delta_out_factor_slip": 0.4 * -1.4755 * 0.2040,
    "dE_dh2_out_sum_slip": -0.2948 - 0.119 - 0.667,
    "w_jk_update_decimal": 0.8 + 0.01 * 0.03813,
    "hidden1_diagonal": 0.2 * -0.8903 * 0.058156 + 0.3 * -0.74218 * 0.0564 + 0.5 * -1.0810 * 0.0196,
}


def test_corrections_name_the_correct_value():
    rows = s1.corrections()
    assert [c.deviation for c in rows] == list(s1.DEVIATIONS)
    for c in rows:
        assert isinstance(c, s1.Correction)
        text = np.array(s1.SEED_001.get(c.quantity).text, dtype=object)[c.index]
        assert c.printed == text, c.deviation
        assert s1.agrees(c.printed, c.slide_value), c.deviation  # the slide's own arithmetic
        assert c.correct == pytest.approx(CORRECT[c.deviation], abs=2e-6), c.deviation
        assert not s1.agrees(c.printed, c.correct), c.deviation
        assert c.quantity in s1.DEVIATIONS[c.deviation].steps or c.deviation in (
            "softmax_jacobian_diagonal",
            "loss_binary_ce",
        )


def test_format_corrections():
    lines = s1.format_corrections(s1.corrections()).splitlines()
    assert len(lines) == 2 + 14
    assert lines[3] == (
        "| 7 | 'softmax' without exponentials | 0.2698 | 0.1986 | softmax of the printed o_in |"
    )
    assert "| -1.0810 | -1.0808 |" in lines[13]
    assert "| 0.803813 | 0.800381 |" in lines[14]


def test_the_step_claims_of_lesson_03():
    """Lesson 03 section 6 and the summaries: L 1.6172 -> 1.5902; the slides' step 27 times less."""
    x, y, weights, biases, lr = s1.problem()
    f = bp.forward_333(x, y, weights, biases)
    g = bp.backward_333(x, y, weights, f)
    grads = [g["dW_ij"], g["dW_jk"], g["dW_kl"]]
    exact_new = [w - lr * d for w, d in zip(weights, grads, strict=True)]
    s = s1.SEED_001
    slides_new = [s.w_ij_new.value, s.w_jk_new.value, s.w_kl_new.value]
    before = float(f["loss"])
    after_exact = float(bp.forward_333(x, y, exact_new, biases)["loss"])
    after_slides = float(bp.forward_333(x, y, slides_new, biases)["loss"])
    assert (round(before, 4), round(after_exact, 4)) == (1.6172, 1.5902)
    assert after_slides == pytest.approx(1.616221, abs=1e-6)
    assert round((before - after_exact) / (before - after_slides)) == 27
    predicted = lr * sum(np.sum(d**2) for d in grads)
    assert (before - after_exact) == pytest.approx(predicted, rel=0.05)
