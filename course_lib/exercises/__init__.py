"""Exercise checkers: each answers a student's attempt in one sentence, never with a traceback.

An exercise in a lesson is three cells:

1. a cell tagged ``exercise`` with a stub the student fills in (``w = ...``);
2. a cell tagged ``solution`` (removed from the student edition);
3. a cell tagged ``check`` that calls a checker from ``course_lib.exercises.<lesson>``.

A checker returns a ``Feedback``: correct, wrong (with the first thing that is wrong), or not yet
solved (the stub is still there: ``...``, ``None``, or a function that raises
``NotImplementedError`` or returns ``None``).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

Status = Literal["correct", "wrong", "unsolved"]
ICONS = {"correct": "✅ Correct:", "wrong": "❌ Not quite:", "unsolved": "⏳ Not yet solved:"}


@dataclass(frozen=True)
class Feedback:
    """A checker's verdict and its one-sentence message."""

    status: Status
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"{ICONS[self.status]} {self.message}"


def correct(message: str = "well done.") -> Feedback:
    return Feedback("correct", message)


def wrong(message: str) -> Feedback:
    return Feedback("wrong", message)


def unsolved(what: str) -> Feedback:
    return Feedback("unsolved", f"replace the `...` in {what} with your answer and run it again.")


class NotSolved(Exception):
    """Raised inside a checker when the student's answer is still the stub."""


def is_stub(value: Any) -> bool:
    """True for the placeholders a student edition starts with: ``...`` and ``None``."""
    return value is Ellipsis or value is None


def call_student(func: Callable[..., Any], *args: Any) -> Any:
    """Call a student's function; a stub (NotImplementedError, or returning None) -> NotSolved."""
    try:
        result = func(*args)
    except NotImplementedError as exc:
        raise NotSolved from exc
    if is_stub(result):
        raise NotSolved
    return result


def checker(what: str) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """Decorate a check function so that stubs give "not yet solved" and errors one sentence.

    what: how the message names the thing to fill in, e.g. "`w_not` and `b_not`".
    """

    def decorate(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def wrapper(*args: Any, **kwargs: Any) -> Feedback:
            if any(is_stub(a) for a in (*args, *kwargs.values())):
                return unsolved(what)
            try:
                return check(*args, **kwargs)
            except NotSolved:
                return unsolved(what)
            except Exception as exc:  # the student's code failed: report it in one sentence
                return wrong(f"your code raised {type(exc).__name__}: {exc}")

        return wrapper

    return decorate


def as_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float array, or a one-sentence complaint (ValueError) if it is not numeric."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} should be numbers, got {type(value).__name__}") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def shape_problem(got: np.ndarray, expected: tuple[int, ...], name: str) -> str | None:
    """ "name: shape (3,) expected, got (3, 1)" or None when the shape is right."""
    got_shape = np.shape(got)
    if got_shape != tuple(expected):
        return f"{name}: shape {tuple(expected)} expected, got {got_shape}"
    return None


def value_problem(
    got: Any, expected: Any, name: str, *, rtol: float = 1e-5, atol: float = 1e-8
) -> str | None:
    """The first element where ``got`` differs from ``expected`` (shape checked first), or None."""
    got, expected = as_array(got, name), np.asarray(expected, dtype=float)
    if problem := shape_problem(got, expected.shape, name):
        return problem
    bad = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    return f"{where} is {got[index]:.6g} but should be {expected[index]:.6g}"


def compare(
    got: Any,
    expected: Any,
    name: str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    praise: str = "well done.",
) -> Feedback:
    """Feedback comparing an array answer with the expected one."""
    problem = value_problem(got, expected, name, rtol=rtol, atol=atol)
    return wrong(problem + ".") if problem else correct(praise)
