"""The practice edition: write each lesson's algorithms yourself, checked as you go.

``make practice`` copies every lesson with each ``# @save`` cell emptied down to its signatures
and docstrings (``...`` bodies), and puts ``%%practice <module> <names>`` on top of the check
cell that follows it. That cell magic runs the lesson's own check with your functions and
answers in one sentence, never with a traceback:

- not yet solved, while a body is still ``...``;
- wrong, with the first thing that differs from ``course_lib``'s version on the check's own
  inputs (a shape, a flipped sign, a transposed result, the first wrong value, an exception);
- correct, when the check passes and your function agrees with ``course_lib`` on every call.

Unless it is correct, the rest of the lesson runs with ``course_lib``'s version (one line says
so), so one missing function never stops a lesson. Load it with ``%load_ext course_lib.practice``.
"""

import ast
import contextlib
import copy
import dataclasses
import importlib
import inspect
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display
from IPython.utils.capture import capture_output

from course_lib.exercises import Feedback, correct, wrong

MARK = "# Your turn: write the body of each function below, then run the check after it."
MAX_COMPARED_CALLS = 3
RTOL, ATOL = 1e-4, 1e-6


def blank(source: str) -> str:
    """A ``# @save`` cell's source emptied to signatures, docstrings and ``...`` bodies.

    Functions keep their decorators, signature and docstring; a class keeps its header, its
    docstring and its class-level lines, and each of its methods is emptied the same way.
    """
    lines = source.splitlines()
    tree = ast.parse(source)
    kept: list[str] = [MARK]
    for node in tree.body:
        kept += _blank_node(node, lines)
        kept.append("")
        kept.append("")
    return "\n".join(kept[: len(kept) - 2]) + "\n"


def _blank_node(node: ast.stmt, lines: list[str]) -> list[str]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    if not isinstance(node, ast.FunctionDef | ast.ClassDef):
        return lines[first - 1 : node.end_lineno]
    body = node.body
    docstring = (
        body[0]
        if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
        else None
    )  # fmt: skip
    head_end = docstring.end_lineno if docstring else body[0].lineno - 1
    kept = lines[first - 1 : head_end]
    if isinstance(node, ast.FunctionDef):
        return [*kept, " " * body[0].col_offset + "..."]
    for statement in body[1:] if docstring else body:
        kept += _blank_node(statement, lines)
    return kept


def is_blank(obj: Any) -> bool:
    """True when a function (or any method of a class) still has the ``...`` body of the blank."""
    if inspect.isclass(obj):
        return any(is_blank(member) for member in vars(obj).values() if inspect.isfunction(member))
    try:
        tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(obj)))
    except (OSError, TypeError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:] if isinstance(body[0].value.value, str) else body
            if len(body) == 1 and isinstance(body[0], ast.Expr):
                value = body[0].value
                if isinstance(value, ast.Constant) and value.value is Ellipsis:
                    return True
    return False


# --- comparing a student's results with the library's --------------------------------------


def difference(got: Any, expected: Any, what: str) -> str | None:
    """The first way ``got`` differs from ``expected``, in words, or None when they agree.

    Arrays and tensors: shape, then a transposed or sign-flipped result, then the first wrong
    value. Tuples, lists, dicts, dataclasses and modules: part by part.
    """
    if isinstance(expected, torch.nn.Module):
        if not isinstance(got, torch.nn.Module):
            return f"{what} should be a torch module, got {type(got).__name__}"
        return difference(got.state_dict(), expected.state_dict(), f"the weights of {what}")
    if dataclasses.is_dataclass(expected) and not isinstance(expected, type):
        for name in (f.name for f in dataclasses.fields(expected)):
            part = difference(
                getattr(got, name, None), getattr(expected, name), f"`{name}` of {what}"
            )
            if part:
                return part
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            return f"{what} should have the keys {sorted(expected)}, got {keys}"
        for key, value in expected.items():
            if problem := difference(got[key], value, f"{what}[{key!r}]"):
                return problem
        return None
    if isinstance(expected, tuple | list) and not _numeric(expected):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            size = len(got) if isinstance(got, tuple | list) else type(got).__name__
            return f"{what} should be {len(expected)} values, got {size}"
        fields = getattr(expected, "_fields", None)
        parts = [f"`{f}` of {what}" for f in fields] if fields else [
            f"part {k + 1} of {what}" for k in range(len(got))
        ]  # fmt: skip
        for part, g, e in zip(parts, got, expected, strict=True):
            if problem := difference(g, e, part):
                return problem
        return None
    if _numeric(expected):
        return _array_difference(got, expected, what)
    if isinstance(expected, str | bool | type(None)):
        return None if got == expected else f"{what} is {got!r} but should be {expected!r}"
    if type(got).__name__ != type(expected).__name__:
        return f"{what} should be of type {type(expected).__name__}, got {type(got).__name__}"
    if isinstance(expected, np.random.Generator | torch.Generator):
        same = difference(_generator_state(got), _generator_state(expected), what) is None
        return None if same else f"{what} has drawn a different number of random values"
    if isinstance(expected, torch.optim.Optimizer):  # its state is keyed by tensors
        return difference(got.state_dict(), expected.state_dict(), f"the state of {what}")
    if hasattr(expected, "__dict__"):  # an object: compare what it holds
        return difference(vars(got), vars(expected), f"the state of {what}")
    return (
        None if got == expected else f"{what} differs from the expected {type(expected).__name__}"
    )


def _generator_state(generator: np.random.Generator | torch.Generator) -> Any:
    if isinstance(generator, np.random.Generator):
        return generator.bit_generator.state
    return generator.get_state()


def _numeric(value: Any) -> bool:
    """An array, a tensor, a number, or a flat list of numbers (a list of arrays is parts)."""
    if isinstance(value, torch.Tensor | np.ndarray | int | float | np.number):
        return not isinstance(value, bool)
    if isinstance(value, tuple | list):
        return all(isinstance(v, int | float | np.number) for v in value)
    return False


def _as_numbers(value: Any) -> np.ndarray | None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array


def _array_difference(got: Any, expected: Any, what: str) -> str | None:
    e, g = _as_numbers(expected), _as_numbers(got)
    if g is None:
        return f"{what} should be numbers, got {type(got).__name__}"
    close = lambda a, b: a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=ATOL)  # noqa: E731
    if close(g, e):
        return None
    if g.ndim == 2 and close(g.T, e):
        return f"{what} is transposed: shape {g.shape} where {e.shape} was expected"
    if g.shape != e.shape:
        return f"{what} has shape {g.shape} but should have shape {e.shape}"
    if np.any(e != 0) and close(-g, e):
        return f"{what} has the wrong sign: every value is the negative of the right one"
    bad = np.argwhere(~np.isclose(g, e, rtol=RTOL, atol=ATOL))[0]
    at = f", at [{', '.join(str(int(i)) for i in bad)}]," if bad.size else ""
    return f"{what}{at} is {g[tuple(bad)]:.6g} but should be {e[tuple(bad)]:.6g}"


# --- the cell magic -------------------------------------------------------------------------


@dataclasses.dataclass
class Call:
    """One call of a student's function during the check: inputs before, outputs after."""

    args: tuple
    kwargs: dict
    rng: tuple
    result: Any = None
    args_after: tuple = ()
    error: BaseException | None = None


def _rng_state() -> tuple:
    return random.getstate(), np.random.get_state(), torch.get_rng_state()  # noqa: NPY002


@contextlib.contextmanager
def _rng(state: tuple):
    saved = _rng_state()
    random.setstate(state[0])
    np.random.set_state(state[1])  # noqa: NPY002
    torch.set_rng_state(state[2])
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])  # noqa: NPY002
        torch.set_rng_state(saved[2])


def recorded(function: Callable, calls: list[Call]) -> Callable:
    """``function`` that records its first calls (inputs copied before it can change them)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(calls) >= MAX_COMPARED_CALLS:
            return function(*args, **kwargs)
        try:
            call = Call(copy.deepcopy(args), copy.deepcopy(kwargs), _rng_state())
        except (TypeError, RuntimeError, copy.Error):  # e.g. a torch.Generator: not comparable
            return function(*args, **kwargs)
        calls.append(call)
        try:
            result = function(*args, **kwargs)
        except Exception as exc:
            call.error = exc
            raise
        call.result = _snapshot(result)  # as returned, before the caller uses it
        call.args_after = copy.deepcopy(args)  # what an in-place function changed
        return result

    return wrapper


def _snapshot(value: Any) -> Any:
    """A deep copy of ``value``, or ``value`` itself where it cannot be copied (a tensor in a
    graph). An optimiser that the caller steps later is judged as it was when returned; the
    reference's result is copied the same way, so that both read alike."""
    try:
        return copy.deepcopy(value)
    except (TypeError, RuntimeError, copy.Error):
        return value


def compare_calls(name: str, reference: Callable, calls: list[Call]) -> str | None:
    """The first difference between the student's calls and ``reference`` on the same inputs.

    Raising is part of the behaviour: where the reference raises, the student's function must
    raise the same kind of error, and only there.
    """
    for call in calls:
        args, kwargs = copy.deepcopy(call.args), copy.deepcopy(call.kwargs)
        with _rng(call.rng):
            try:
                expected, raised = _snapshot(reference(*args, **kwargs)), None
            except Exception as exc:
                expected, raised = None, exc
        if raised is not None or call.error is not None:
            if type(raised) is type(call.error):
                continue
            if call.error is not None:
                return f"`{name}` raised {type(call.error).__name__}: {call.error}"
            return f"`{name}` should raise {type(raised).__name__} here ({raised})"
        if problem := difference(call.result, expected, f"what `{name}` returns"):
            return problem
        for k, (got, want) in enumerate(zip(call.args_after, args, strict=True)):
            if problem := difference(got, want, f"argument {k + 1} of `{name}` after the call"):
                return problem
    return None


def judge(namespace: dict, module_name: str, names: list[str], check: str) -> tuple[Feedback, bool]:
    """Run the check cell ``check`` with the student's ``names`` and judge them (module doc).

    What is correct stays in ``namespace``; everything else is replaced there by
    ``module_name``'s version. Returns the feedback and whether the check has run to its end
    (if not, the caller runs it again, now with the library's functions).
    """
    module = importlib.import_module(module_name)
    missing = [n for n in names if n not in namespace or is_blank(namespace[n])]
    namespace.update({n: getattr(module, n) for n in missing})
    names = [n for n in names if n not in missing]
    if not names:
        return Feedback(
            "unsolved",
            f"write {_listed(missing)} above and run this check again; until then the lesson "
            f"uses {module_name}'s version.",
        ), None
    students = {n: namespace[n] for n in names}
    calls: dict[str, list[Call]] = {n: [] for n in names if inspect.isfunction(students[n])}
    namespace.update({n: recorded(students[n], calls[n]) for n in calls})
    error = None
    with capture_output() as captured:
        try:
            exec(compile(check, "<check>", "exec"), namespace)
        except Exception as exc:
            error = exc
    namespace.update(students)
    problem = next(
        (p for n in calls if (p := compare_calls(n, getattr(module, n), calls[n]))), None
    )
    if problem is None and error is None:
        if missing:
            return Feedback(
                "unsolved",
                f"{_listed(names)} {_verb(names, 'passes', 'pass')} the check; now write "
                f"{_listed(missing)} (until then the lesson uses {module_name}'s version).",
            ), captured
        passes, agrees = _verb(names, "passes", "pass"), _verb(names, "agrees", "agree")
        return correct(f"{_listed(names)} {passes} the check and {agrees} with {module_name}."), (
            captured
        )
    if problem is None:
        problem = f"the check failed with {type(error).__name__}: {error}".rstrip(": ")
    namespace.update({n: getattr(module, n) for n in names})
    return wrong(f"{problem}; the lesson goes on with {module_name}'s version."), None


def _listed(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _verb(names: list[str], one: str, many: str) -> str:
    return one if len(names) == 1 else many


@magics_class
class PracticeMagics(Magics):
    """``%%practice course_lib.<module> name [name ...]`` on top of a lesson's check cell."""

    @cell_magic
    def practice(self, line: str, cell: str) -> None:
        module_name, *names = line.split()
        namespace = self.shell.user_ns
        feedback, captured = judge(namespace, module_name, names, cell)
        display(feedback)
        if captured is not None:
            captured.show()
        else:  # run the check again with the library's functions: the lesson goes on
            try:
                exec(compile(cell, "<check>", "exec"), namespace)
            except Exception as exc:
                display(wrong(f"the check fails even with {module_name}'s functions: {exc}"))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext course_lib.practice`` registers the ``%%practice`` cell magic."""
    ipython.register_magics(PracticeMagics)
