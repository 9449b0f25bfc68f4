import numpy as np
import pytest
import torch

from course_lib import rnn as R


@pytest.fixture(autouse=True)
def one_torch_thread():
    torch.set_num_threads(1)


def random_rnn(rng, n_in, n_hidden, n_out):
    base = R.init_rnn(n_in, n_hidden, n_out, rng, scale=1.5)
    return R.RNNParams(*base.arrays[:3], rng.normal(size=n_hidden), rng.normal(size=n_out))


# ------------------------------------------------------------------ vocabulary and one-hot
def test_vocabulary_round_trip_and_order():
    vocab = R.Vocabulary(("h", "e", "l", "o"))
    assert vocab.encode("hello").tolist() == [0, 1, 2, 2, 3]
    assert vocab.decode([1, 2, 2, 3]) == "ello" and vocab.size == 4
    assert R.vocabulary_of("hello").chars == ("e", "h", "l", "o")


def test_character_outside_vocabulary_is_a_clear_error():
    vocab = R.Vocabulary(("h", "e", "l", "o"))
    with pytest.raises(
        ValueError, match=r"text\[2\] = 'x' is not in the vocabulary; expected one of 'helo'"
    ):
        vocab.encode("hex")


def test_vocabulary_rejects_duplicates_and_empty():
    with pytest.raises(ValueError, match="distinct and non-empty"):
        R.Vocabulary(("a", "a"))
    with pytest.raises(ValueError, match="distinct and non-empty"):
        R.Vocabulary(())


def test_one_hot():
    out = R.one_hot([0, 2, 2], 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\), got 0..3"):
        R.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="must be 1-D"):
        R.one_hot([[0]], 3)


# ------------------------------------------------------------------------------- the RNN
def test_mismatched_hidden_sizes_are_clear_errors():
    rng = np.random.default_rng(0)
    p = R.init_rnn(4, 3, 4, rng)
    with pytest.raises(
        ValueError,
        match=r"W_hh must have shape \(3, 3\) to match W_xh's 3 hidden units.*got \(5, 5\)",
    ):
        R.RNNParams(p.W_xh, np.zeros((5, 5)), p.W_hy, p.b_h, p.b_y)
    with pytest.raises(ValueError, match=r"W_hy must have shape \(4, 3\).*got \(4, 5\)"):
        R.RNNParams(p.W_xh, p.W_hh, np.zeros((4, 5)), p.b_h, p.b_y)
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(3,\), the weights' hidden size, got \(5,\)"
    ):
        R.rnn_forward(p, np.zeros((2, 4)), h0=np.zeros(5))
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 4\).*got \(2, 5\)"):
        R.rnn_forward(p, np.zeros((2, 5)))
    lstm = R.init_lstm(3, 4, rng)
    with pytest.raises(ValueError, match=r"h0 must have shape \(4,\)"):
        R.lstm_forward(lstm, np.zeros((2, 3)), h0=np.zeros(3))
    with pytest.raises(ValueError, match=r"W must be \(4H, D \+ H\)"):
        R.LSTMParams(W=np.zeros((6, 5)), b=np.zeros(6))
    with pytest.raises(ValueError, match=r"b must have shape \(8,\)"):
        R.LSTMParams(W=np.zeros((8, 5)), b=np.zeros(4))


@pytest.mark.parametrize("seed", range(4))
def test_rnn_forward_and_backward_match_torch(seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out, length = (int(v) for v in rng.integers(1, 9, 4))
    params = random_rnn(rng, n_in, n_hidden, n_out)
    xs = rng.normal(size=(length, n_in))
    h0 = rng.normal(size=n_hidden)
    targets = rng.integers(0, n_out, length)
    hs, ys = R.rnn_forward(params, xs, h0)
    losses, dys = R.step_losses(ys, targets)
    grads, dhs = R.rnn_backward(params, xs, hs, dys, h0)

    cell = torch.nn.RNN(n_in, n_hidden).double()
    cell.load_state_dict({k: torch.from_numpy(v) for k, v in R.rnn_torch_state(params).items()})
    h0_t = torch.from_numpy(h0)[None].requires_grad_()
    out, _ = cell(torch.from_numpy(xs), h0_t)
    y_t = out @ torch.from_numpy(params.W_hy).T + torch.from_numpy(params.b_y)
    loss = torch.nn.functional.cross_entropy(y_t, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    close = {"rtol": 1e-6, "atol": 1e-6}
    np.testing.assert_allclose(out.detach().numpy(), hs, **close)
    np.testing.assert_allclose(y_t.detach().numpy(), ys, **close)
    np.testing.assert_allclose(loss.item(), losses.sum(), **close)
    np.testing.assert_allclose(cell.weight_ih_l0.grad.numpy(), grads.W_xh, **close)
    np.testing.assert_allclose(cell.weight_hh_l0.grad.numpy(), grads.W_hh, **close)
    np.testing.assert_allclose(cell.bias_ih_l0.grad.numpy(), grads.b_h, **close)
    np.testing.assert_allclose(h0_t.grad[0].numpy(), dhs[0], **close)


def test_rnn_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    params = random_rnn(rng, 3, 4, 3)
    xs, targets = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    _, grads = R.rnn_loss_and_grads(params, xs, targets)

    def loss():
        return float(R.rnn_loss_and_grads(params, xs, targets)[0].sum())

    for name in ("W_xh", "W_hh", "W_hy", "b_h", "b_y"):
        numeric = R.numeric_gradient(loss, getattr(params, name))
        np.testing.assert_allclose(getattr(grads, name), numeric, rtol=1e-6, atol=1e-8)


def test_numeric_gradient_of_a_quadratic_restores_the_array():
    a = np.array([1.0, -2.0])
    grad = R.numeric_gradient(lambda: float(np.sum(a**2)), a)
    np.testing.assert_allclose(grad, [2.0, -4.0], rtol=1e-7)
    np.testing.assert_array_equal(a, [1.0, -2.0])


def test_rnn_backward_checks_shapes():
    rng = np.random.default_rng(0)
    params = R.init_rnn(2, 3, 4, rng)
    xs = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"hs and dys must be"):
        R.rnn_backward(params, xs, np.zeros((5, 3)), np.zeros((5, 3)))


def test_step_losses_and_softmax():
    losses, dys = R.step_losses(np.zeros((2, 4)), np.array([0, 3]))
    np.testing.assert_allclose(losses, np.log(4))
    np.testing.assert_allclose(dys.sum(axis=1), 0, atol=1e-15)
    with pytest.raises(ValueError, match=r"targets must have shape \(2,\)"):
        R.step_losses(np.zeros((2, 4)), np.array([0]))
    np.testing.assert_allclose(R.softmax(np.array([0.0, np.log(3)])), [0.25, 0.75])
    sharp = R.softmax(np.array([0.0, 1.0]), temperature=0.1)
    assert sharp[1] > 0.9999
    with pytest.raises(ValueError, match="temperature must be > 0, got 0"):
        R.softmax(np.zeros(2), temperature=0)


def test_clipping_keeps_direction_and_caps_norm():
    arrays = [np.array([3.0]), np.array([[4.0]])]
    assert R.global_norm(arrays) == 5.0
    clipped, norm = R.clip_by_global_norm(arrays, 1.0)
    assert norm == 5.0 and R.global_norm(clipped) == pytest.approx(1.0)
    np.testing.assert_allclose(clipped[0], [0.6])
    unchanged, _ = R.clip_by_global_norm(arrays, 10.0)
    np.testing.assert_array_equal(unchanged[1], [[4.0]])
    with pytest.raises(ValueError, match="max_norm must be > 0"):
        R.clip_by_global_norm(arrays, 0.0)


def test_hello_model_predicts_ello():
    vocab = R.Vocabulary(("h", "e", "l", "o"))
    xs, targets = R.one_hot(vocab.encode("hell"), 4), vocab.encode("ello")
    params = R.init_rnn(4, 3, 4, np.random.default_rng(0), scale=1.0)
    trained, history, norms = R.train_rnn(params, xs, targets, steps=100, lr=0.3)
    _, ys = R.rnn_forward(trained, xs)
    assert vocab.decode(ys.argmax(axis=1)) == "ello"
    assert history.shape == (100, 4) and norms.shape == (100,)
    assert np.all(history[-1] < history[0])
    with pytest.raises(ValueError, match="need steps >= 1 and lr > 0"):
        R.train_rnn(params, xs, targets, steps=0, lr=0.3)


def test_train_rnn_with_clipping_caps_the_update():
    rng = np.random.default_rng(1)
    params = random_rnn(rng, 2, 3, 2)
    xs, targets = rng.normal(size=(4, 2)), rng.integers(0, 2, 4)
    trained, _, _ = R.train_rnn(params, xs, targets, steps=1, lr=1.0, max_norm=1e-3)
    step = [a - b for a, b in zip(trained.arrays, params.arrays, strict=True)]
    assert R.global_norm(step) == pytest.approx(1e-3)


def test_gradient_flow_vanishes_and_explodes():
    W_xh, A, xs = R.gradient_flow_inputs()
    assert np.abs(np.linalg.eigvals(A)).max() == pytest.approx(1.0)
    small = R.rnn_gradient_norms(R.rnn_with_radius(W_xh, A, 0.5), xs)
    large = R.rnn_gradient_norms(R.rnn_with_radius(W_xh, A, 3.0), xs)
    assert small.shape == (60,) and small[40] / small[0] < 1e-10 and large[40] / large[0] > 1e3
    for forget_bias, low, high in ((0.0, 0, 1e-6), (3.0, 1e-2, np.inf)):
        lstm = R.init_lstm(8, 64, np.random.default_rng(1), forget_bias=forget_bias)
        norms = R.lstm_gradient_norms(lstm, xs)
        assert low < norms[40] / norms[0] < high


# ------------------------------------------------------------------------------ the LSTM
@pytest.mark.parametrize("seed", range(4))
def test_lstm_forward_and_backward_match_torch(seed):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, length = (int(v) for v in rng.integers(1, 8, 3))
    params = R.LSTMParams(W=R.init_lstm(n_in, n_hidden, rng).W * 3, b=rng.normal(size=4 * n_hidden))
    xs = rng.normal(size=(length, n_in))
    h0, c0 = rng.normal(size=n_hidden), rng.normal(size=n_hidden)
    upstream = rng.normal(size=(length, n_hidden))
    trace = R.lstm_forward(params, xs, h0, c0)
    grads, dh_total, dc_total = R.lstm_backward(params, xs, trace, upstream, h0, c0)

    cell = torch.nn.LSTM(n_in, n_hidden).double()
    cell.load_state_dict({k: torch.from_numpy(v) for k, v in R.lstm_torch_state(params).items()})
    h0_t = torch.from_numpy(h0)[None].requires_grad_()
    c0_t = torch.from_numpy(c0)[None].requires_grad_()
    out, (_, c_last) = cell(torch.from_numpy(xs), (h0_t, c0_t))
    (out * torch.from_numpy(upstream)).sum().backward()
    close = {"rtol": 1e-6, "atol": 1e-6}
    np.testing.assert_allclose(out.detach().numpy(), trace.h, **close)
    np.testing.assert_allclose(c_last.detach()[0].numpy(), trace.c[-1], **close)
    torch_grads = R.lstm_from_torch_state({k: p.grad.numpy() for k, p in cell.named_parameters()})
    np.testing.assert_allclose(torch_grads.W, grads.W, **close)
    np.testing.assert_allclose(torch_grads.b / 2, grads.b, **close)  # both biases get db
    np.testing.assert_allclose(h0_t.grad[0].numpy(), dh_total[0], **close)
    np.testing.assert_allclose(c0_t.grad[0].numpy(), dc_total[0], **close)


def test_lstm_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    params = R.LSTMParams(W=rng.normal(size=(8, 5)), b=rng.normal(size=8))
    xs, upstream = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    grads, _, _ = R.lstm_backward(params, xs, R.lstm_forward(params, xs), upstream)

    def loss():
        return float(np.sum(R.lstm_forward(params, xs).h * upstream))

    np.testing.assert_allclose(grads.W, R.numeric_gradient(loss, params.W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grads.b, R.numeric_gradient(loss, params.b), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match=r"dhs must have shape \(4, 2\)"):
        R.lstm_backward(params, xs, R.lstm_forward(params, xs), upstream[:3])


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


def test_init_lstm_sets_the_forget_bias_only():
    params = R.init_lstm(2, 3, np.random.default_rng(0), forget_bias=2.0)
    assert params.b.tolist() == [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0]
    assert params.n_in == 2 and params.n_hidden == 3
    assert np.abs(params.W).max() <= 1 / np.sqrt(3)
    np.testing.assert_allclose(R.sigmoid(np.array([0.0, 100.0])), [0.5, 1.0])


# --------------------------------------------------------------------------- torch models
def test_first_symbol_batch():
    x, y = R.first_symbol_batch(50, 7, torch.Generator().manual_seed(0))
    assert x.shape == (50, 7, 20) and y.shape == (50,)
    assert torch.equal(x[:, 0].argmax(1), y) and bool((x[:, 1:].argmax(2) >= 4).all())
    with pytest.raises(ValueError, match="n and length must be >= 1"):
        R.first_symbol_batch(5, 0, torch.Generator())


def test_sequence_classifier_and_forget_bias():
    model = R.sequence_classifier("lstm", 6, 5, 4, forget_bias=3.0)
    assert model["cell"].bias_ih_l0[5:10].tolist() == [3.0] * 5
    assert model["cell"].bias_hh_l0[5:10].tolist() == [0.0] * 5
    assert R.last_step_logits(model, torch.zeros(2, 7, 6)).shape == (2, 4)
    assert isinstance(R.sequence_classifier("rnn", 6, 5, 4)["cell"], torch.nn.RNN)
    with pytest.raises(ValueError, match="kind must be 'rnn' or 'lstm', got 'gru'"):
        R.sequence_classifier("gru", 6, 5, 4)


def test_train_first_symbol_short_sequences():
    accuracy, losses = R.train_first_symbol("lstm", 3, steps=60)
    assert len(losses) == 60 and losses[-1] < losses[0]
    assert accuracy > 0.9


def test_char_model_pieces():
    vocab = R.vocabulary_of("abcab ")
    data = torch.from_numpy(vocab.encode("abcab abcab abcab "))
    model = R.char_model(vocab.size, n_hidden=8)
    logits, (h, _) = R.char_logits(model, data[None, :5])
    assert logits.shape == (1, 5, 4) and h.shape == (1, 1, 8)
    inputs, targets = R.char_batch(data, 3, 4, torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (3, 4)
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    with pytest.raises(ValueError, match="data must be longer than length=20"):
        R.char_batch(data, 3, 20, torch.Generator())
    assert R.char_loss(model, data) == pytest.approx(np.log(4), abs=0.3)


def test_train_char_model_and_sampling():
    torch.manual_seed(0)
    text = "abcabcabcabcabcabcabc"
    vocab = R.vocabulary_of(text)
    data = torch.from_numpy(vocab.encode(text))
    model = R.char_model(vocab.size, n_hidden=16)
    history = R.train_char_model(model, data, valid=data, steps=30, length=8, every=10)
    assert history["step"] == [0, 10, 20, 30] and len(history["valid"]) == 4
    assert history["train"][-1] < 0.5 * history["train"][0]
    first = R.sample_text(model, vocab, "ab", 12, temperature=0.5, seed=3)
    assert len(first) == 12 and first == R.sample_text(
        model, vocab, "ab", 12, temperature=0.5, seed=3
    )
    assert first.startswith("cab")
    with pytest.raises(ValueError, match="temperature must be > 0"):
        R.sample_text(model, vocab, "ab", 5, temperature=0.0)
    with pytest.raises(ValueError, match="prompt must have at least one character"):
        R.sample_text(model, vocab, "", 5, temperature=1.0)
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        R.sample_text(model, vocab, "z", 5, temperature=1.0)


def test_novel_fraction():
    assert R.novel_fraction("abcd", "xxabcdxx", n=2) == 0.0
    assert R.novel_fraction("abzz", "abcd", n=2) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="at least n=10 characters"):
        R.novel_fraction("short", "corpus")


def test_draw_unrolled_labels_every_node():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    R.draw_unrolled(ax, "hell", "ello")
    labels = [t.get_text() for t in ax.texts]
    assert "$h_0$" in labels and "$x_4$ 'l'" in labels and "$y_4$ → 'o'" in labels
    assert sum(label == "$W_{hh}$" for label in labels) == 4
    with pytest.raises(ValueError, match="same non-zero length, got 4 and 3"):
        R.draw_unrolled(ax, "hell", "ell")


def test_set_forget_bias_touches_only_the_forget_block():
    import torch

    from course_lib.rnn import TORCH_GATE_ORDER, set_forget_bias

    lstm = torch.nn.LSTM(2, 3, num_layers=2)
    before = {name: p.detach().clone() for name, p in lstm.named_parameters()}
    set_forget_bias(lstm, 3.0)
    f = TORCH_GATE_ORDER.index("f")
    for layer in range(2):
        ih, hh = getattr(lstm, f"bias_ih_l{layer}"), getattr(lstm, f"bias_hh_l{layer}")
        assert torch.all(ih[f * 3 : (f + 1) * 3] == 3.0) and torch.all(hh[f * 3 : (f + 1) * 3] == 0)
        others = [k for k in range(4) if k != f]
        for k in others:
            assert torch.equal(
                ih[k * 3 : (k + 1) * 3], before[f"bias_ih_l{layer}"][k * 3 : (k + 1) * 3]
            )
