"""Lesson 06: the numpy RNN, LSTM and GRU (course_lib.rnn), the character language model
(course_lib.charlm) and the lesson's experiments (course_lib.rnn_experiments)."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_lib import charlm, training
from course_lib import rnn as R
from course_lib import rnn_experiments as E
from course_lib.tensors import numerical_gradient


@pytest.fixture(autouse=True)
def one_torch_thread():
    torch.set_num_threads(1)


def random_rnn(rng, n_in, n_hidden, n_out):
    base = R.init_rnn(n_in, n_hidden, n_out, rng, scale=1.5)
    return replace(base, b_h=rng.normal(size=n_hidden), b_y=rng.normal(size=n_out))


def as_torch(state: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


# ------------------------------------------------------------------------------- the RNN
def test_rnn_shapes_are_checked_with_clear_errors():
    rng = np.random.default_rng(0)
    p = R.init_rnn(4, 3, 4, rng)
    with pytest.raises(
        ValueError,
        match=r"W_hh must have shape \(3, 3\) to match W_xh's 3 hidden units.*got \(5, 5\)",
    ):
        R.RNNParams(p.W_xh, np.zeros((5, 5)), p.W_hy, p.b_h, p.b_y)
    with pytest.raises(ValueError, match=r"W_hy must have shape \(4, 3\).*got \(4, 5\)"):
        replace(p, W_hy=np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"W_xh must be 2-D"):
        replace(p, W_xh=np.zeros(3))
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 4\) with T >= 1.*got \(2, 5\)"):
        R.rnn_forward(p, np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"got \(0, 4\)"):
        R.check_sequence(np.zeros((0, 4)), 4)


def test_rnn_step_is_the_recurrence():
    rng = np.random.default_rng(1)
    p = random_rnn(rng, 3, 4, 2)
    x, h = rng.normal(size=3), rng.normal(size=4)
    expected = np.tanh(p.W_hh @ h + p.W_xh @ x + p.b_h)
    np.testing.assert_allclose(R.rnn_step(p, x, h), expected)
    hs, ys = R.rnn_forward(p, x[None])
    np.testing.assert_allclose(hs[0], R.rnn_step(p, x, np.zeros(4)))
    np.testing.assert_allclose(ys[0], p.W_hy @ hs[0] + p.b_y)


@pytest.mark.parametrize("seed", range(4))
def test_rnn_forward_and_backward_match_torch(seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out, length = (int(v) for v in rng.integers(1, 9, 4))
    params = random_rnn(rng, n_in, n_hidden, n_out)
    xs, targets = rng.normal(size=(length, n_in)), rng.integers(0, n_out, length)
    hs, ys = R.rnn_forward(params, xs)
    losses, dys = R.step_losses(ys, targets)
    grads, dhs = R.rnn_backward(params, xs, hs, dys)

    cell = torch.nn.RNN(n_in, n_hidden).double()
    cell.load_state_dict(as_torch(R.rnn_torch_state(params)))
    out, _ = cell(torch.from_numpy(xs))
    out.retain_grad()
    y_t = out @ torch.from_numpy(params.W_hy).T + torch.from_numpy(params.b_y)
    loss = torch.nn.functional.cross_entropy(y_t, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    close = {"rtol": 1e-6, "atol": 1e-9}
    np.testing.assert_allclose(out.detach().numpy(), hs, **close)
    np.testing.assert_allclose(loss.item(), losses.sum(), **close)
    np.testing.assert_allclose(cell.weight_ih_l0.grad.numpy(), grads.W_xh, **close)
    np.testing.assert_allclose(cell.weight_hh_l0.grad.numpy(), grads.W_hh, **close)
    np.testing.assert_allclose(cell.bias_ih_l0.grad.numpy(), grads.b_h, **close)
    # torch's out.grad is only the read-out's share; dhs adds what flows back from step t + 1
    np.testing.assert_allclose(dhs[-1], out.grad[-1].numpy(), **close)


def test_rnn_loss_and_grads_match_finite_differences():
    rng = np.random.default_rng(5)
    params = random_rnn(rng, 3, 4, 3)
    xs, targets = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    losses, grads = R.rnn_loss_and_grads(params, xs, targets)
    assert losses.shape == (6,)
    for name in ("W_xh", "W_hh", "W_hy", "b_h", "b_y"):

        def loss(value, name=name):
            return float(
                R.rnn_loss_and_grads(replace(params, **{name: value}), xs, targets)[0].sum()
            )

        numeric = numerical_gradient(loss, getattr(params, name))
        np.testing.assert_allclose(getattr(grads, name), numeric, rtol=1e-6, atol=1e-8)


def test_rnn_step_backward_is_one_step_of_the_chain_rule():
    rng = np.random.default_rng(2)
    W_hh, W_xh = rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    h_prev, x, dh = rng.normal(size=3), rng.normal(size=2), rng.normal(size=3)

    def loss(h_prev_value):
        return float(dh @ np.tanh(W_hh @ h_prev_value + W_xh @ x))

    h = np.tanh(W_hh @ h_prev + W_xh @ x)
    dh_prev, dW_hh, dW_xh, db = R.rnn_step_backward(dh, h, h_prev, x, W_hh)
    np.testing.assert_allclose(dh_prev, numerical_gradient(loss, h_prev), rtol=1e-6)
    np.testing.assert_allclose(dW_hh, np.outer(db, h_prev))
    np.testing.assert_allclose(dW_xh, np.outer(db, x))


def test_step_losses_use_the_course_softmax():
    losses, dys = R.step_losses(np.zeros((2, 4)), np.array([0, 3]))
    np.testing.assert_allclose(losses, np.log(4))
    np.testing.assert_allclose(dys.sum(axis=1), 0, atol=1e-15)
    np.testing.assert_allclose(dys[0], [-0.75, 0.25, 0.25, 0.25])


def test_hello_model_predicts_ello():
    vocab = charlm.Vocabulary(("h", "e", "l", "o"))
    xs, targets = charlm.one_hot(vocab.encode("hell"), 4), vocab.encode("ello")
    params = R.init_rnn(4, 3, 4, np.random.default_rng(0), scale=1.0)
    trained, history, norms = R.train_rnn(params, xs, targets, steps=100, lr=0.3)
    _, ys = R.rnn_forward(trained, xs)
    assert vocab.decode(ys.argmax(axis=1)) == "ello"
    assert history.shape == (100, 4) and norms.shape == (100,)
    assert np.all(history[-1] < 0.05) and np.all(history[-1] < history[0])


def test_train_rnn_clipping_caps_the_step_and_keeps_its_direction():
    rng = np.random.default_rng(1)
    params = random_rnn(rng, 2, 3, 2)
    xs, targets = rng.normal(size=(4, 2)), rng.integers(0, 2, 4)
    _, grads = R.rnn_loss_and_grads(params, xs, targets)
    trained, _, norms = R.train_rnn(params, xs, targets, steps=1, lr=1.0, max_norm=1e-3)
    steps = [a - b for a, b in zip(trained.arrays, params.arrays, strict=True)]
    assert np.sqrt(sum(np.sum(s**2) for s in steps)) == pytest.approx(1e-3)
    np.testing.assert_allclose(steps[1], -grads.W_hh * 1e-3 / norms[0])
    unclipped, _, _ = R.train_rnn(params, xs, targets, steps=1, lr=1.0)
    np.testing.assert_allclose(unclipped.W_hh, params.W_hh - grads.W_hh)


# ------------------------------------------------------------------------------ the LSTM
def test_lstm_shapes_are_checked_with_clear_errors():
    lstm = R.init_lstm(3, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 3\)"):
        R.lstm_forward(lstm, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"W must be \(4H, D \+ H\)"):
        R.LSTMParams(W=np.zeros((6, 5)), b=np.zeros(6))
    with pytest.raises(ValueError, match=r"b must have shape \(8,\)"):
        R.LSTMParams(W=np.zeros((8, 5)), b=np.zeros(4))


@pytest.mark.parametrize("seed", range(4))
def test_lstm_forward_and_backward_match_torch(seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, length = (int(v) for v in rng.integers(1, 8, 3))
    base = R.init_lstm(n_in, n_hidden, rng)
    params = R.LSTMParams(W=base.W * 3, b=rng.normal(size=4 * n_hidden))
    xs, upstream = rng.normal(size=(length, n_in)), rng.normal(size=(length, n_hidden))
    trace = R.lstm_forward(params, xs)
    grads, dh_total, dc_total = R.lstm_backward(params, xs, trace, upstream)

    cell = torch.nn.LSTM(n_in, n_hidden).double()
    cell.load_state_dict(as_torch(R.lstm_torch_state(params)))
    out, (_, c_last) = cell(torch.from_numpy(xs))
    (out * torch.from_numpy(upstream)).sum().backward()
    close = {"rtol": 1e-6, "atol": 1e-9}
    np.testing.assert_allclose(out.detach().numpy(), trace.h, **close)
    np.testing.assert_allclose(c_last.detach()[0].numpy(), trace.c[-1], **close)
    torch_grads = R.lstm_from_torch_state({k: p.grad.numpy() for k, p in cell.named_parameters()})
    np.testing.assert_allclose(torch_grads.W, grads.W, **close)
    np.testing.assert_allclose(torch_grads.b / 2, grads.b, **close)  # both biases get db
    np.testing.assert_allclose(dh_total[-1], upstream[-1])
    assert dc_total.shape == (length, n_hidden)


def test_lstm_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    params = R.LSTMParams(W=rng.normal(size=(8, 5)), b=rng.normal(size=8))
    xs, upstream = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    grads, _, _ = R.lstm_backward(params, xs, R.lstm_forward(params, xs), upstream)

    def loss(**arrays):
        return float(np.sum(R.lstm_forward(replace(params, **arrays), xs).h * upstream))

    numeric_W = numerical_gradient(lambda W: loss(W=W), params.W)
    numeric_b = numerical_gradient(lambda b: loss(b=b), params.b)
    np.testing.assert_allclose(grads.W, numeric_W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grads.b, numeric_b, rtol=1e-6, atol=1e-8)


def test_lstm_cell_gradient_through_a_closed_input_gate_is_the_forget_gate_product():
    # zero weights, i = 0, f = 0.9, o = 1 (biases): dL/dc shrinks by f = 0.9 per step back
    H = 2
    b = np.concatenate([[-50.0] * H, [np.log(9)] * H, [50.0] * H, [0.0] * H])
    params = R.LSTMParams(W=np.zeros((4 * H, 1 + H)), b=b)
    xs = np.zeros((5, 1))
    trace = R.lstm_forward(params, xs)
    np.testing.assert_allclose(trace.f, 0.9)
    upstream = np.zeros((5, H))
    upstream[-1] = 1.0
    _, _, dc_total = R.lstm_backward(params, xs, trace, upstream)
    np.testing.assert_allclose(dc_total[0] / dc_total[-1], 0.9**4)


def test_stacked_lstm_matches_torch_with_two_layers():
    rng = np.random.default_rng(4)
    layers = [R.init_lstm(3, 5, rng, forget_bias=1.0), R.init_lstm(5, 5, rng)]
    xs = rng.normal(size=(6, 3))
    traces = R.stacked_lstm_forward(layers, xs)
    assert len(traces) == 2
    np.testing.assert_allclose(traces[0].h, R.lstm_forward(layers[0], xs).h)
    cell = torch.nn.LSTM(3, 5, num_layers=2).double()
    state = {k: v for n, p in enumerate(layers) for k, v in R.lstm_torch_state(p, layer=n).items()}
    cell.load_state_dict(as_torch(state))
    out, (h_last, _) = cell(torch.from_numpy(xs))
    np.testing.assert_allclose(out.detach().numpy(), traces[1].h, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h_last[0].detach().numpy(), traces[0].h[-1], rtol=1e-9)


def test_gate_permutation_and_torch_state_round_trip():
    assert R.gate_permutation(1).tolist() == [0, 1, 3, 2]
    assert R.gate_permutation(2, "ifgo", "ifog").tolist() == [0, 1, 2, 3, 6, 7, 4, 5]
    with pytest.raises(ValueError, match="orders of 'ifgo'"):
        R.gate_permutation(2, "ifoo")
    rng = np.random.default_rng(0)
    params = R.LSTMParams(W=rng.normal(size=(12, 5)), b=rng.normal(size=12))
    state = R.lstm_torch_state(params)
    assert state["weight_ih_l0"].shape == (12, 2) and state["weight_hh_l0"].shape == (12, 3)
    back = R.lstm_from_torch_state(state)
    np.testing.assert_array_equal(back.W, params.W)
    np.testing.assert_array_equal(back.b, params.b)
    assert set(R.lstm_torch_state(params, layer=1)) == {k.replace("l0", "l1") for k in state}


def test_init_lstm_sets_the_forget_bias_only():
    params = R.init_lstm(2, 3, np.random.default_rng(0), forget_bias=2.0)
    assert params.b.tolist() == [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0]
    assert params.n_in == 2 and params.n_hidden == 3
    assert np.abs(params.W).max() <= 1 / np.sqrt(3)


# ------------------------------------------------------------------------------- the GRU
@pytest.mark.parametrize("seed", range(3))
def test_gru_matches_torch(seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, length = (int(v) for v in rng.integers(1, 7, 3))
    params = R.init_gru(n_in, n_hidden, rng)
    params = replace(params, W_h=params.W_h * 3)  # saturate the gates a little
    xs = rng.normal(size=(length, n_in))
    cell = torch.nn.GRU(n_in, n_hidden).double()
    cell.load_state_dict(as_torch(R.gru_torch_state(params)))
    out, _ = cell(torch.from_numpy(xs))
    np.testing.assert_allclose(R.gru_forward(params, xs), out.detach().numpy(), rtol=1e-9)
    x, h = rng.normal(size=n_in), rng.normal(size=n_hidden)
    step = torch.nn.GRUCell(n_in, n_hidden).double()
    step.load_state_dict(
        {k.removesuffix("_l0"): v for k, v in as_torch(R.gru_torch_state(params)).items()}
    )
    expected = step(torch.from_numpy(x)[None], torch.from_numpy(h)[None])[0].detach().numpy()
    np.testing.assert_allclose(R.gru_step(params, x, h), expected, rtol=1e-9)


def test_gru_update_gate_keeps_the_state():
    # z = 1 (huge update-gate bias): h_t = h_{t-1}, so from h_0 = 0 nothing is ever written
    rng = np.random.default_rng(0)
    params = R.init_gru(2, 3, rng)
    b_x = params.b_x.copy()
    b_x[3:6] = 50.0
    hs = R.gru_forward(replace(params, b_x=b_x), rng.normal(size=(4, 2)))
    np.testing.assert_allclose(hs, 0, atol=1e-12)


def test_gru_shapes_are_checked():
    params = R.init_gru(2, 3, np.random.default_rng(0))
    assert params.n_in == 2 and params.n_hidden == 3
    with pytest.raises(ValueError, match=r"b_h must have shape \(9,\) \(H = 3"):
        replace(params, b_h=np.zeros(6))
    with pytest.raises(ValueError, match=r"W_x must have shape \(9, 2\)"):
        replace(params, W_x=np.zeros((6, 2)))
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 2\)"):
        R.gru_forward(params, np.zeros((3, 3)))


# -------------------------------------------------------------------- the experiments
def test_gradient_flow_vanishes_and_explodes():
    W_xh, A, xs = E.gradient_flow_inputs()
    assert np.abs(np.linalg.eigvals(A)).max() == pytest.approx(1.0)
    small = E.rnn_gradient_norms(E.rnn_with_radius(W_xh, A, 0.5), xs)
    large = E.rnn_gradient_norms(E.rnn_with_radius(W_xh, A, 3.0), xs)
    assert small.shape == (60,) and small[40] / small[0] < 1e-10 and large[40] / large[0] > 1e3
    for forget_bias, low, high in ((0.0, 0, 1e-6), (3.0, 1e-2, 1.0)):
        lstm = R.init_lstm(8, 64, np.random.default_rng(1), forget_bias=forget_bias)
        norms = E.lstm_gradient_norms(lstm, xs)
        assert low < norms[40] / norms[0] < high


def test_first_symbol_batch():
    x, y = E.first_symbol_batch(50, 7, torch.Generator().manual_seed(0))
    assert x.shape == (50, 7, 20) and y.shape == (50,)
    assert torch.equal(x[:, 0].argmax(1), y) and bool((x[:, 1:].argmax(2) >= 4).all())
    with pytest.raises(ValueError, match="n and length must be >= 1"):
        E.first_symbol_batch(5, 0, torch.Generator())


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_set_memory_bias_touches_only_the_keeping_gate(kind):
    cell = E.CELLS[kind](2, 3, num_layers=2)
    before = {name: p.detach().clone() for name, p in cell.named_parameters()}
    E.set_memory_bias(cell, 3.0)
    for layer in range(2):
        ih, hh = getattr(cell, f"bias_ih_l{layer}"), getattr(cell, f"bias_hh_l{layer}")
        assert ih[3:6].tolist() == [3.0] * 3 and hh[3:6].tolist() == [0.0] * 3
        assert torch.equal(ih[:3], before[f"bias_ih_l{layer}"][:3])
        assert torch.equal(ih[6:], before[f"bias_ih_l{layer}"][6:])


def test_sequence_classifier():
    model = E.SequenceClassifier("gru", 6, 5, 4, memory_bias=3.0)
    assert model.cell.bias_ih_l0[5:10].tolist() == [3.0] * 5
    assert model(torch.zeros(2, 7, 6)).shape == (2, 4)
    assert isinstance(E.SequenceClassifier("rnn", 6, 5, 4).cell, torch.nn.RNN)
    with pytest.raises(ValueError, match=r"kind must be one of .*'gru'.*, got 'transformer'"):
        E.SequenceClassifier("transformer", 6, 5, 4)


def test_train_first_symbol_short_sequences():
    accuracy = E.train_first_symbol("lstm", 3, portions=2, portion_size=320)
    assert len(accuracy) == 2 and max(accuracy) > 0.9  # chance is 0.25


def test_draw_unrolled_labels_every_node():
    ax = Figure().add_subplot()
    E.draw_unrolled(ax, "hell", "ello")
    labels = [t.get_text() for t in ax.texts]
    assert "$h_0$" in labels and "$x_4$ 'l'" in labels and "$y_4$ → 'o'" in labels
    assert sum(label == "$W_{hh}$" for label in labels) == 4
    with pytest.raises(ValueError, match="same non-zero length, got 4 and 3"):
        E.draw_unrolled(ax, "hell", "ell")


def test_perplexity_axis_labels_the_loss_as_its_exponential():
    ax = Figure().add_subplot()
    ax.set_ylim(1.5, 4.3)
    right = E.add_perplexity_axis(ax, ticks=(5, 10, 65))
    np.testing.assert_allclose(right.get_yticks(), np.log([5, 10, 65]))
    assert [t.get_text() for t in right.get_yticklabels()] == ["5", "10", "65"]
    assert right.get_ylim() == ax.get_ylim() and right.get_ylabel() == "perplexity"


def test_show_samples_and_wrap_lines():
    assert E.wrap_lines("ab cd ef\n\ngh", 5) == "ab cd\n  ef\n\ngh"
    fig = Figure()
    E.show_samples(fig, {"τ = 0.5": "ROMEO:\nhello", "τ = 1": "x"})
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["τ = 0.5", "τ = 1"]
    assert fig.axes[0].texts[0].get_text() == "ROMEO:\nhello"
    with pytest.raises(ValueError, match="at least one text"):
        E.show_samples(Figure(), {})


# --------------------------------------------------------------- the character model
def test_vocabulary_round_trip_and_errors():
    vocab = charlm.Vocabulary(("h", "e", "l", "o"))
    assert vocab.encode("hello").tolist() == [0, 1, 2, 2, 3]
    assert vocab.decode([1, 2, 2, 3]) == "ello" and vocab.size == 4
    assert charlm.vocabulary_of("hello").chars == ("e", "h", "l", "o")
    with pytest.raises(
        ValueError, match=r"text\[2\] = 'x' is not in the vocabulary; expected one of 'helo'"
    ):
        vocab.encode("hex")
    with pytest.raises(ValueError, match="distinct and non-empty"):
        charlm.Vocabulary(("a", "a"))


def test_one_hot():
    np.testing.assert_array_equal(charlm.one_hot([0, 2, 2], 3), [[1, 0, 0], [0, 0, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\), got 0..3"):
        charlm.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="must be 1-D"):
        charlm.one_hot([[0]], 3)


def test_held_out_split_is_a_contiguous_tail():
    train, held = charlm.held_out_split(np.arange(100), fraction=0.05)
    assert train.tolist() == list(range(95)) and held.tolist() == list(range(95, 100))
    with pytest.raises(ValueError, match="fraction must lie strictly between 0 and 1, got 1"):
        charlm.held_out_split(np.arange(10), fraction=1)


def test_windows_shift_the_targets_by_one():
    text = torch.arange(10)
    inputs, targets = charlm.windows(text, 4)
    assert inputs.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert targets.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    overlapping, _ = charlm.windows(text, 4, stride=3)
    assert overlapping[:, 0].tolist() == [0, 3]
    with pytest.raises(ValueError, match="text must be longer than length=10, got 10"):
        charlm.windows(text, 10)


def test_unigram_loss_is_the_smoothed_frequency_cross_entropy():
    train, held = np.array([0, 0, 0, 1]), np.array([0, 1, 2])
    p = np.array([4, 2, 1]) / 7  # counts + 1 over N + V
    assert charlm.unigram_loss(train, held, 3) == pytest.approx(-np.mean(np.log(p)))


def test_char_lstm_and_its_loss():
    torch.manual_seed(0)
    model = charlm.CharLSTM(4, n_hidden=8)
    indices = torch.tensor([[0, 1, 2, 3, 0]])
    scores, (h, c) = model.run(indices)
    assert scores.shape == (1, 5, 4) and h.shape == c.shape == (1, 1, 8)
    torch.testing.assert_close(model(indices), scores)
    continued, _ = model.run(indices[:, 3:], model.run(indices[:, :3])[1])
    torch.testing.assert_close(continued, scores[:, 3:])  # the state carries the context
    loss = charlm.next_char_loss(scores, indices)
    expected = torch.nn.functional.cross_entropy(scores[0], indices[0])
    torch.testing.assert_close(loss, expected)


def test_training_and_sampling_a_tiny_char_model():
    torch.manual_seed(0)
    text = "abcabcabcabcabcabcabc"
    vocab = charlm.vocabulary_of(text)
    x, y = charlm.windows(torch.from_numpy(vocab.encode(text)), 8, stride=1)
    model = charlm.CharLSTM(vocab.size, n_hidden=16)
    history = training.fit(model, x, y, epochs=30, lr=0.02, loss_fn=charlm.next_char_loss)
    assert history["loss"][-1] < 0.1 * history["loss"][0]
    first = charlm.sample(model, vocab, "ab", 12, temperature=0.5, seed=3)
    assert first == charlm.sample(model, vocab, "ab", 12, temperature=0.5, seed=3)
    assert first.startswith("cabcab")
    with pytest.raises(ValueError, match="temperature > 0"):
        charlm.sample(model, vocab, "ab", 5, temperature=0.0, seed=0)
    with pytest.raises(ValueError, match="need a prompt"):
        charlm.sample(model, vocab, "", 5, temperature=1.0, seed=0)
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        charlm.sample(model, vocab, "z", 5, temperature=1.0, seed=0)


def test_novel_fraction_and_known_words():
    assert charlm.novel_fraction("abcd", "xxabcdxx", n=2) == 0.0
    assert charlm.novel_fraction("abzz", "abcd", n=2) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="at least n=10 characters"):
        charlm.novel_fraction("short", "corpus")
    known = charlm.words_of("To be, or not to be:")
    assert known == {"To", "be", "or", "not", "to"}
    assert charlm.known_word_fraction("to be or xyz", known) == 0.75
    with pytest.raises(ValueError, match="at least one word"):
        charlm.known_word_fraction("?!", known)
