"""The practice edition's machinery: blanks, the %%practice check, its one-sentence answers."""

import sys
import textwrap

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell

from course_lib import practice

REFERENCE = '''
import numpy as np


def layer(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Affine layer. x: (n, d), w: (d, k), b: (k,) -> (n, k)."""
    return x @ w + b


def step(w: np.ndarray, grad: np.ndarray, lr: float) -> None:
    """In place: w <- w - lr * grad."""
    w -= lr * grad
'''
CHECK = """
out = layer(x, w, b)
np.testing.assert_allclose(out, x @ w + b)
print("checked", out.shape)
"""


@pytest.fixture
def shell(tmp_path, monkeypatch):
    (tmp_path / "practice_reference.py").write_text(REFERENCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("practice_reference", None)
    ipython = InteractiveShell.instance()
    ipython.run_cell("import numpy as np\nrng = np.random.default_rng(0)")
    ipython.run_cell(
        "x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)"
    )
    yield ipython
    ipython.reset()


def define(shell, body: str, name: str = "layer") -> None:
    signature = f"def {name}(x, w, b):\n" if name == "layer" else f"def {name}(w, grad, lr):\n"
    result = shell.run_cell(signature + textwrap.indent(textwrap.dedent(body), "    "))
    assert result.success


def judge(shell, names=("layer",), check=CHECK):
    return practice.judge(shell.user_ns, "practice_reference", list(names), check)[0]


def test_blank_keeps_signatures_and_docstrings():
    source = "# @save course_lib.x\n" + REFERENCE.split("\n\n\n", 1)[1]
    blanked = practice.blank(source)
    assert blanked.startswith(practice.MARK)
    assert '    """Affine layer. x: (n, d), w: (d, k), b: (k,) -> (n, k)."""\n    ...' in blanked
    assert "x @ w + b" not in blanked and "w -= lr" not in blanked
    namespace: dict = {}
    exec(compile(blanked, "<blank>", "exec"), {"np": np}, namespace)
    assert namespace["layer"](1, 2, 3) is None


def test_blank_empties_every_method_of_a_class():
    source = (
        "class Net:\n"
        '    """A net."""\n'
        "\n"
        "    scale = 2\n"
        "\n"
        "    def __init__(self, k):\n"
        "        self.k = k\n"
        "\n"
        "    def forward(self, x):\n"
        '        """x -> k x."""\n'
        "        return self.k * x\n"
    )
    blanked = practice.blank(source)
    assert "scale = 2" in blanked and "self.k = k" not in blanked and "return" not in blanked
    assert blanked.count("...") == 2


def test_an_empty_blank_is_not_yet_solved_and_the_library_takes_over(shell):
    define(shell, '"""doc"""\n...')
    assert practice.is_blank(shell.user_ns["layer"])
    feedback = judge(shell)
    assert feedback.status == "unsolved" and "write `layer` above" in repr(feedback)
    assert shell.user_ns["layer"] is sys.modules["practice_reference"].layer


def test_a_correct_function_passes_and_stays(shell):
    define(shell, "return x @ w + b")
    feedback = judge(shell)
    assert feedback.status == "correct", feedback
    assert shell.user_ns["layer"].__module__ == "__main__"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return -(x @ w + b)", "has the wrong sign"),
        ("return (x @ w + b).T", "is transposed: shape (2, 4) where (4, 2) was expected"),
        ("return x @ w", "what `layer` returns, at [0, 0], is"),
        ("return (x @ w + b)[:, :1]", "has shape (4, 1) but should have shape (4, 2)"),
        ("return x @ w.T + b", "`layer` raised ValueError"),
    ],
)
def test_a_typical_mistake_gets_its_own_sentence(shell, body, message):
    define(shell, body)
    feedback = judge(shell)
    assert feedback.status == "wrong" and message in repr(feedback), feedback
    assert "\n" not in repr(feedback) and "Traceback" not in repr(feedback)
    assert shell.user_ns["layer"] is sys.modules["practice_reference"].layer


def test_an_in_place_function_is_judged_by_what_it_changes(shell):
    check = "v = w.copy()\nstep(v, np.ones_like(v), 0.1)\nassert v.shape == w.shape"
    define(shell, "w += lr * grad", name="step")
    feedback = judge(shell, names=("step",), check=check)
    assert feedback.status == "wrong" and "argument 1 of `step` after the call" in repr(feedback)
    define(shell, "w -= lr * grad", name="step")
    assert judge(shell, names=("step",), check=check).status == "correct"


def test_the_magic_shows_one_sentence_then_runs_the_check_with_the_library(shell, capsys):
    shell.run_cell("%load_ext course_lib.practice")
    define(shell, "return -(x @ w + b)")
    result = shell.run_cell("%%practice practice_reference layer\n" + CHECK)
    out = capsys.readouterr().out
    assert result.success and "❌ Not quite:" in out and "checked (4, 2)" in out
    assert "Traceback" not in out


def test_a_written_function_is_judged_while_its_neighbour_is_still_blank(shell):
    define(shell, "return x @ w + b")
    define(shell, '"""doc"""\n...', name="step")
    check = CHECK + "v = w.copy()\nstep(v, np.ones_like(v), 0.1)\n"
    feedback = judge(shell, names=("layer", "step"), check=check)
    assert feedback.status == "unsolved", feedback
    assert "`layer` passes the check; now write `step`" in repr(feedback)


def test_difference_reads_nested_results_part_by_part():
    expected = {"loss": 0.5, "grads": (np.ones(2), np.zeros((2, 2)))}
    got = {"loss": 0.5, "grads": (np.ones(2), np.eye(2))}
    assert practice.difference(expected, expected, "it") is None
    assert practice.difference(got, expected, "it") == (
        "part 2 of it['grads'], at [0, 0], is 1 but should be 0"
    )
    assert "should have the keys" in practice.difference({"loss": 1}, expected, "it")


def test_recorded_calls_compare_with_the_reference_on_the_same_inputs():
    calls: list[practice.Call] = []
    doubled = practice.recorded(lambda x: 2 * x, calls)
    assert doubled(np.arange(3)).tolist() == [0, 2, 4] and len(calls) == 1
    assert practice.compare_calls("doubled", lambda x: 2 * x, calls) is None
    assert "wrong sign" in practice.compare_calls("doubled", lambda x: -2 * x, calls)


def test_the_extension_registers_the_cell_magic(shell):
    practice.load_ipython_extension(shell)
    assert "practice" in shell.magics_manager.magics["cell"]


def test_raising_where_the_reference_raises_is_right():
    calls: list[practice.Call] = []
    inverse = practice.recorded(lambda x: 1 // x, calls)
    with pytest.raises(ZeroDivisionError):
        inverse(0)
    assert practice.compare_calls("inverse", lambda x: 1 // x, calls) is None
    assert "should raise ZeroDivisionError" in practice.compare_calls(
        "inverse", lambda x: 1 // x, [practice.Call((0,), {}, calls[0].rng, result=7)]
    )
    assert "raised ZeroDivisionError" in practice.compare_calls("inverse", lambda x: x, calls)


def test_objects_and_generators_are_compared_by_what_they_hold():
    class Optimiser:
        def __init__(self, lr):
            self.lr, self.state = lr, [np.zeros(2)]

    assert practice.difference(Optimiser(0.1), Optimiser(0.1), "it") is None
    assert "state of it['lr']" in practice.difference(Optimiser(0.2), Optimiser(0.1), "it")
    rng, other = np.random.default_rng(0), np.random.default_rng(0)
    assert practice.difference(rng, other, "rng") is None
    other.random()
    assert "different number of random values" in practice.difference(rng, other, "rng")
    assert "should be of type Optimiser, got str" in practice.difference("x", Optimiser(0.1), "it")


def test_a_result_is_judged_as_it_was_returned_not_after_the_caller_used_it():
    def make_optimiser(u: torch.Tensor) -> torch.optim.Optimizer:
        return torch.optim.Adam([u], lr=0.1)

    calls: list[practice.Call] = []
    recorded = practice.recorded(make_optimiser, calls)
    u = torch.zeros(3, requires_grad=True)
    optimiser = recorded(u)
    u.sum().backward()
    optimiser.step()  # the caller steps it: its state and u change
    assert optimiser.state[u] and calls[0].result is not optimiser
    assert practice.compare_calls("make_optimiser", make_optimiser, calls) is None


def test_optimisers_are_compared_by_their_state_dicts():
    def stepped(lr: float) -> torch.optim.Optimizer:
        w = torch.nn.Parameter(torch.ones(3))
        optimiser = torch.optim.Adam([w], lr=lr)
        w.sum().backward()
        optimiser.step()
        return optimiser

    assert practice.difference(stepped(0.1), stepped(0.1), "opt") is None
    assert "the state of opt" in practice.difference(stepped(0.2), stepped(0.1), "opt")
