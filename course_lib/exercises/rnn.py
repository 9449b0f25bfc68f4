"""Checkers for the exercises of lesson 06 (recurrent networks and the LSTM)."""

import numpy as np

from course_lib import charlm, data
from course_lib import rnn_experiments as experiments
from course_lib.exercises import Feedback, call_student, checker, compare, correct, wrong

FORGET_GATE = 0.9
FORGET_STEPS = 20
EDGE_DISTANCE = 40
EDGE_BAND = (0.1, 10.0)
EDGE_STEP = 0.05  # the step of the lesson's radius slider


@checker("`remaining`")
def check_forget_memory(remaining: float) -> Feedback:
    """Predict: with f = 0.9 and i = 0 at every step, the fraction of c_0 left in c_20."""
    expected = FORGET_GATE**FORGET_STEPS
    got = float(np.asarray(remaining, dtype=float))
    if np.isclose(got, FORGET_GATE):
        return wrong("that is what one step keeps; the forget gate multiplies at every step.")
    if np.isclose(got, FORGET_GATE * FORGET_STEPS) or np.isclose(
        got, 1 - (1 - FORGET_GATE) * FORGET_STEPS
    ):
        return wrong("the cell is scaled by f at every step: the factors multiply, they don't add.")
    if np.isclose(got, FORGET_GATE ** (FORGET_STEPS - 1)) or np.isclose(
        got, FORGET_GATE ** (FORGET_STEPS + 1)
    ):
        return wrong("count the steps again: from c_0 to c_20 the forget gate acts 20 times.")
    return compare(
        got, expected, "remaining", rtol=1e-3, praise=f"f**20 = {expected:.4f}; so is dc_20/dc_0."
    )


def edge_ratio(radius: float) -> float:
    """||dL/dh|| 40 steps back divided by its value at the loss, for W_hh = radius * A.

    Uses the lesson's fixed pieces ``rnn_experiments.gradient_flow_inputs()``.
    """
    W_xh, A, xs = experiments.gradient_flow_inputs()
    norms = experiments.rnn_gradient_norms(experiments.rnn_with_radius(W_xh, A, radius), xs)
    return float(norms[EDGE_DISTANCE] / norms[0])


@checker("`radius`")
def check_edge_of_chaos(radius: float) -> Feedback:
    """Modify: the smallest spectral radius, to one slider step (EDGE_STEP), at which the
    gradient 40 steps back no longer vanishes: within 0.1x..10x of its value at the loss."""
    radius = float(np.asarray(radius, dtype=float))
    if not 0 < radius <= 10:
        return wrong(f"choose a radius between 0 and 10, got {radius:g}.")
    ratio = edge_ratio(radius)
    low, high = EDGE_BAND
    if ratio < low:
        return wrong(f"at radius {radius:g} the gradient still vanishes ({ratio:.2g}x): go larger.")
    if ratio > high:
        return wrong(f"at radius {radius:g} the gradient explodes ({ratio:.2g}x): go smaller.")
    smaller = [r for r in np.arange(1, round(radius / EDGE_STEP)) * EDGE_STEP if r >= 1]
    works = [r for r in smaller if low <= edge_ratio(r) <= high]
    if works:
        return wrong(
            f"radius {radius:g} works ({ratio:.2g}x), and so does {works[0]:.2f} "
            f"({edge_ratio(works[0]):.2g}x): look for the smallest one."
        )
    below = edge_ratio(radius - EDGE_STEP)
    return correct(
        f"40 steps back the gradient is {ratio:.2g}x its value at the loss, and one step lower "
        f"({radius - EDGE_STEP:g}) it is {below:.2g}x: tanh's slope below 1 pushes the edge of "
        "vanishing well above radius 1."
    )


BIGRAM_TRAIN = np.array([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 1, 2, 3, 3, 0])
BIGRAM_HELD_OUT = np.array([0, 1, 2, 2, 3, 0, 1])  # the pair (2, 2) never occurs in training
BIGRAM_VOCAB = 4


def bigram_reference(train: np.ndarray, held_out: np.ndarray, vocab_size: int) -> float:
    """Held-out loss (nats per character) of p(next | current) from train's pair counts + 1."""
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    p = counts / counts.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[held_out[:-1], held_out[1:]])))


def _bigram_mistakes() -> dict[str, float]:
    """What plausible slips give on the checker's small case: message -> value."""
    train, held, size = BIGRAM_TRAIN, BIGRAM_HELD_OUT, BIGRAM_VOCAB
    counts = np.ones((size, size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    expected = bigram_reference(train, held, size)
    pairs = (held[:-1], held[1:])
    return {
        "normalise each row: p(next | current) = count(current, next) / count(current, anything),"
        " not by the number of all pairs.": -np.mean(np.log(counts[pairs] / counts.sum())),
        "the table is read the wrong way round: rows are the current character, columns the "
        "next one, p[held_out[:-1], held_out[1:]].": -np.mean(np.log(
            (counts / counts.sum(axis=1, keepdims=True))[held[1:], held[:-1]]
        )),
        "count the pairs in train; the held-out text may only be scored, never counted.":
            bigram_reference(held, held, size),
        "use the natural logarithm (nats), as every loss of the lesson does.": expected / np.log(2),
        "average over the held-out pairs instead of summing them.": expected * (len(held) - 1),
    }  # fmt: skip


@checker("`bigram_loss`")
def check_bigram_loss(student, lstm_loss: float | None = None) -> Feedback:
    """Implement: the bigram baseline, p(next | current) from pair counts, add-one smoothed.

    lstm_loss: the lesson's held-out LSTM loss (nats per character), to state its margin.
    """
    got = call_student(student, BIGRAM_TRAIN, BIGRAM_HELD_OUT, BIGRAM_VOCAB)
    try:
        got = float(got)
    except (TypeError, ValueError):
        return wrong(f"return one number, the mean held-out loss; got {type(got).__name__}.")
    if not np.isfinite(got):
        return wrong(
            "the held-out pair (2, 2) never occurs in training, so its count is 0 and its log "
            "probability -inf: add one to every count, as unigram_loss does."
        )
    for message, value in _bigram_mistakes().items():
        if np.isclose(got, value, rtol=1e-6):
            return wrong(message)
    feedback = compare(got, bigram_reference(BIGRAM_TRAIN, BIGRAM_HELD_OUT, BIGRAM_VOCAB), "loss")
    if not feedback:
        return feedback
    text = data.load_text("tiny_shakespeare.txt")
    vocab = charlm.vocabulary_of(text)
    train, held_out = charlm.held_out_split(vocab.encode(text))
    bigram = bigram_reference(train, held_out, vocab.size)
    unigram = charlm.unigram_loss(train, held_out, vocab.size)
    lstm = (
        "an LSTM must use more than the previous character to beat it."
        if lstm_loss is None
        else f"the LSTM, at {lstm_loss:.2f}, is {bigram - lstm_loss:.2f} nats per character below "
        "it: it uses more than the previous character."
    )
    return correct(
        f"on Shakespeare's held-out tail the bigram model scores {bigram:.3f} nats per character "
        f"(perplexity {np.exp(bigram):.1f}), against the unigram's {unigram:.3f}; {lstm}"
    )
