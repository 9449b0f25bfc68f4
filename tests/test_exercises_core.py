import numpy as np

from course_lib import exercises as ex


@ex.checker("`x`")
def check_double(x):
    return ex.compare(x, np.array([2.0, 4.0]), "x")


def test_feedback_repr_and_truth():
    assert repr(ex.correct("fine.")) == "✅ Correct: fine."
    assert not ex.wrong("no.") and ex.correct()
    assert "⏳ Not yet solved" in repr(ex.unsolved("`x`"))


def test_checker_reports_stub_as_unsolved():
    assert check_double(...).status == "unsolved"
    assert check_double(None).status == "unsolved"


def test_checker_right_and_wrong_answers():
    assert check_double([2, 4]).status == "correct"
    wrong_value = check_double([2, 5])
    assert wrong_value.status == "wrong" and "x[1] is 5 but should be 4" in wrong_value.message
    wrong_shape = check_double([[2, 4]])
    assert "shape (2,) expected, got (1, 2)" in wrong_shape.message


def test_checker_turns_student_errors_into_one_sentence():
    result = check_double("two")
    assert result.status == "wrong" and "x should be numbers" in result.message
    assert "NaN" in check_double([np.nan, 4]).message


def test_call_student_detects_stub_functions():
    def stub(x):
        raise NotImplementedError

    @ex.checker("`f`")
    def check_f(f):
        return ex.compare(ex.call_student(f, 1.0), 2.0, "f(1)")

    assert check_f(stub).status == "unsolved"
    assert check_f(lambda x: None).status == "unsolved"
    assert check_f(lambda x: 2 * x).status == "correct"
    assert check_f(lambda x: 1 / 0).message.startswith("your code raised ZeroDivisionError")


def test_is_stub_as_array_shape_and_value_problems():
    assert ex.is_stub(...) and ex.is_stub(None) and not ex.is_stub(0)
    assert ex.as_array([1, 2], "v").dtype == float
    assert ex.shape_problem(np.zeros((3, 1)), (3,), "v") == "v: shape (3,) expected, got (3, 1)"
    assert ex.shape_problem(np.zeros(3), (3,), "v") is None
    assert (
        ex.value_problem([[1, 2], [3, 5]], [[1, 2], [3, 4]], "W") == "W[1, 1] is 5 but should be 4"
    )
    assert ex.value_problem(2.0, 2.0, "s") is None
    assert ex.value_problem(3.0, 2.0, "s") == "s is 3 but should be 2"
