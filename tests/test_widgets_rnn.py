import time

import numpy as np
import pytest
import torch

from course_lib import rnn
from course_lib.widgets import rnn as demos


def test_gradient_flow_demo_redraws():
    W_xh, A, xs = rnn.gradient_flow_inputs()
    demo = demos.gradient_flow_demo(W_xh, A, xs, radius=1.0)
    image, summary = demo.image.value, demo.summary.value
    norms = rnn.rnn_gradient_norms(rnn.rnn_with_radius(W_xh, A, 3.0), xs)
    demo.controls["radius"].value = 3.0
    assert demo.image.value != image and demo.summary.value != summary
    assert f"59 steps back the gradient is multiplied by {norms[-1] / norms[0]:.3g}" in (
        demo.summary.value
    )


@pytest.fixture(scope="module")
def tiny_char_model():
    torch.manual_seed(0)
    text = "better than ugly. better than nested. better than dense. "
    vocab = rnn.vocabulary_of(text)
    model = rnn.char_model(vocab.size, n_hidden=16)
    rnn.train_char_model(model, torch.from_numpy(vocab.encode(text)), steps=40, length=16)
    return model, vocab, text


def test_temperature_demo_redraws_fast(tiny_char_model):
    model, vocab, text = tiny_char_model
    demo = demos.temperature_demo(model, vocab, text, "better than ", n_chars=40)
    image, summary = demo.image.value, demo.summary.value
    assert summary.startswith("<pre>better than ") and "10-character windows" in summary
    start = time.process_time()
    demo.controls["temperature"].value = 2.0
    elapsed = time.process_time() - start
    assert demo.image.value != image and demo.summary.value != summary
    assert elapsed < 0.5  # CPU seconds: wall time on a shared machine is inflated by others
    again = demo.summary.value
    demo.controls["seed"].value = 5
    assert demo.summary.value != again


def test_visible_tick_labels():
    assert (
        demos._visible(" ") == "␣" and demos._visible("\n") == "\\n" and demos._visible("a") == "a"
    )
    assert np.isfinite(rnn.softmax(np.zeros(3), 0.1)).all()
