import pytest
import torch

from course_lib import charlm, training
from course_lib import rnn_experiments as E
from course_lib.exercises import rnn as ex
from course_lib.widgets import rnn as demos


def test_gradient_flow_demo_redraws():
    W_xh, A, xs = E.gradient_flow_inputs()
    demo = demos.gradient_flow_demo(W_xh, A, xs, radius=1.0)
    image, summary = demo.image.value, demo.summary.value
    norms = E.rnn_gradient_norms(E.rnn_with_radius(W_xh, A, 3.0), xs)
    demo.controls["radius"].value = 3.0
    assert demo.image.value != image and demo.summary.value != summary
    assert f"40 steps back the gradient is {norms[40] / norms[0]:.2g} x" in demo.summary.value
    demo.controls["radius"].value = 1.8  # the exercise's answer: the readout is the checker's
    assert f"is {ex.edge_ratio(1.8):.2g} x its value" in demo.summary.value


@pytest.fixture(scope="module")
def tiny_char_model():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    text = "better than ugly. better than nested. better than dense. "
    vocab = charlm.vocabulary_of(text)
    x, y = charlm.windows(torch.from_numpy(vocab.encode(text)), 16, stride=2)
    model = charlm.CharLSTM(vocab.size, n_hidden=16)
    training.fit(model, x, y, epochs=40, batch_size=8, lr=0.02, loss_fn=charlm.next_char_loss)
    return model, vocab, text


def test_temperature_demo_redraws(tiny_char_model):
    model, vocab, text = tiny_char_model
    demo = demos.temperature_demo(model, vocab, charlm.words_of(text), "better than ", n_chars=40)
    image, summary = demo.image.value, demo.summary.value
    assert summary.endswith("of the sample's words occur in the training text")
    demo.controls["temperature"].value = 2.0
    assert demo.image.value != image
    again = demo.image.value
    demo.controls["seed"].value = 5
    assert demo.image.value != again
    cold = demos.temperature_demo(model, vocab, charlm.words_of(text), "better than ", n_chars=40)
    cold.controls["temperature"].value = 0.1
    assert cold.summary.value.startswith("100%")  # a cold model writes only words it has seen


def test_visible_tick_labels():
    assert demos._visible(" ") == "␣" and demos._visible("\n") == "\\n"
    assert demos._visible("a") == "a"
