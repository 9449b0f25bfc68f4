"""Numpy convolution and pooling against torch, conv arithmetic, the architectures' counts, the
shipped digit CNN and its recipe, and the degradation experiment."""

import functools
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import build, cnn, cnn_experiments, data
from course_lib import cnn_architectures as arch


@pytest.fixture
def rng():
    return np.random.default_rng(0)


CONV_CASES = [  # n, c, k, h, w, kernel, stride, padding
    (2, 3, 4, 7, 9, (3, 3), 1, 0),
    (1, 1, 1, 3, 3, (2, 2), 1, 0),
    (3, 2, 5, 8, 6, (3, 2), 2, 1),
    (2, 4, 3, 11, 10, (5, 5), 3, 2),
    (1, 2, 2, 5, 5, (1, 1), 2, 0),
    (2, 1, 3, 4, 4, (4, 4), 1, 1),
]


@pytest.mark.parametrize(("n", "c", "k", "h", "w", "kernel", "stride", "padding"), CONV_CASES)
def test_conv_forward_and_backward_match_torch(rng, n, c, k, h, w, kernel, stride, padding):
    x, wt, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(k, c, *kernel)), rng.normal(size=k)
    out = cnn.conv2d_forward(x, wt, b, stride, padding)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, wt, b))
    tout = F.conv2d(tx, tw, tb, stride=stride, padding=padding)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-10)
    grad_out = rng.normal(size=out.shape)
    tout.backward(torch.tensor(grad_out))
    dx, dw, db = cnn.conv2d_backward(grad_out, x, wt, stride, padding)
    for mine, theirs in ((dx, tx), (dw, tw), (db, tb)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("n", "c", "k", "h", "w", "kernel", "stride", "padding"), CONV_CASES)
def test_naive_convolution_equals_im2col(rng, n, c, k, h, w, kernel, stride, padding):
    x, wt, b = rng.normal(size=(c, h, w)), rng.normal(size=(k, c, *kernel)), rng.normal(size=k)
    np.testing.assert_allclose(cnn.conv2d_naive(x, wt, b), cnn.conv2d_forward(x[None], wt, b)[0])


def test_conv_backward_matches_finite_differences(rng):
    x, w = rng.normal(size=(1, 2, 5, 5)), rng.normal(size=(2, 2, 3, 3))
    grad_out = rng.normal(size=cnn.conv2d_forward(x, w, stride=2, padding=1).shape)
    dx, dw, _ = cnn.conv2d_backward(grad_out, x, w, stride=2, padding=1)

    def loss(x_, w_):
        return np.sum(cnn.conv2d_forward(x_, w_, stride=2, padding=1) * grad_out)

    eps = 1e-6
    for index in [(0, 0, 0, 0), (0, 1, 2, 3), (0, 1, 4, 4)]:
        bump = np.zeros_like(x)
        bump[index] = eps
        numeric = (loss(x + bump, w) - loss(x - bump, w)) / (2 * eps)
        assert numeric == pytest.approx(dx[index], abs=1e-6)
    bump = np.zeros_like(w)
    bump[1, 0, 2, 1] = eps
    numeric = (loss(x, w + bump) - loss(x, w - bump)) / (2 * eps)
    assert numeric == pytest.approx(dw[1, 0, 2, 1], abs=1e-6)


def test_col2im_is_the_adjoint_of_conv_windows(rng):
    """<windows(x), v> == <x, col2im(v)> for every x and v: col2im is the transpose of im2col."""
    x = rng.normal(size=(2, 3, 7, 6))
    windows = cnn.conv_windows(x, (3, 2), stride=2, padding=1)
    v = rng.normal(size=windows.shape)
    back = cnn.col2im(v, x.shape, stride=2, padding=1)
    assert np.sum(windows * v) == pytest.approx(np.sum(x * back))


POOL_CASES = [(2, 3, 8, 8, 2, None), (1, 2, 7, 9, 3, 2), (2, 1, 6, 5, 2, 1), (1, 1, 5, 5, 3, 3)]


@pytest.mark.parametrize(("n", "c", "h", "w", "size", "stride"), POOL_CASES)
def test_max_pooling_forward_and_backward_match_torch(rng, n, c, h, w, size, stride):
    x = rng.normal(size=(n, c, h, w))
    tx = torch.tensor(x, requires_grad=True)
    tout = F.max_pool2d(tx, size, stride)
    out = cnn.max_pool2d_forward(x, size, stride)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    grad_out = rng.normal(size=out.shape)
    tout.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(
        cnn.max_pool2d_backward(grad_out, x, size, stride), tx.grad.numpy(), rtol=1e-12
    )


def test_max_pool_gradient_goes_only_to_the_first_maximum():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[None, None]
    np.testing.assert_array_equal(cnn.max_pool2d_forward(x)[0, 0], [[6, 8], [3, 4]])
    grad = cnn.max_pool2d_backward(np.ones((1, 1, 2, 2)), x)[0, 0]
    assert grad.sum() == 4 and grad[1, 1] == grad[1, 3] == grad[2, 0] == grad[3, 3] == 1
    tie = np.array([[7.0, 7.0], [1.0, 2.0]])[None, None]
    routed = cnn.max_pool2d_backward(np.ones((1, 1, 1, 1)), tie)[0, 0]
    np.testing.assert_array_equal(routed, [[1, 0], [0, 0]])


def test_conv_output_size_formula_and_errors():
    assert cnn.conv_output_size(32, 5) == 28
    assert cnn.conv_output_size(227, 11, 4) == 55
    assert cnn.conv_output_size(224, 7, 2, 3) == 112
    assert cnn.conv_output_size(7, 3, 3) == 2  # floor, like torch
    with pytest.raises(ValueError, match="kernel 6 is larger than the padded input 4"):
        cnn.conv_output_size(4, 6, 1, 0)
    with pytest.raises(ValueError, match="stride must be an int >= 1, got 0"):
        cnn.conv_output_size(8, 3, 0)
    with pytest.raises(ValueError, match="padding must be an int >= 0, got -1"):
        cnn.check_conv_sizes(8, 3, 1, -1)


def test_conv_shape_errors():
    x, w = np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"w expects 2 input channels but x has 3"):
        cnn.conv2d_forward(x, np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"x must be \(n, channels, height, width\), got shape"):
        cnn.conv2d_forward(np.zeros((4, 4)), w)
    with pytest.raises(ValueError, match="kernel 3 is larger than the padded input 2"):
        cnn.conv2d_forward(np.zeros((1, 3, 2, 2)), w)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\), got \(3,\)"):
        cnn.check_conv_shapes(x, w, np.zeros(3))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(1, 2, 2, 2\)"):
        cnn.conv2d_backward(np.zeros((1, 2, 3, 3)), x, w)
    with pytest.raises(ValueError, match="kernel 5 is larger than the padded input 4"):
        cnn.max_pool2d_forward(x, 5)


def test_receptive_field_matches_autograd():
    layers = [(3, 1), (2, 2), (3, 1), (3, 2), (2, 2)]
    assert cnn.receptive_field(layers) == [3, 4, 8, 12, 16]
    assert cnn.receptive_field([(3, 1)] * 3) == [3, 5, 7]
    stack = torch.nn.Sequential(
        *[
            torch.nn.Conv2d(1, 1, k, s, bias=False) if k == 3 else torch.nn.AvgPool2d(k, s)
            for k, s in layers
        ]
    )
    for module in stack:
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.ones_(module.weight)
    x = torch.rand(1, 1, 40, 40, requires_grad=True)
    stack(x)[0, 0, 0, 0].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    assert rows.max() - rows.min() + 1 == cols.max() - cols.min() + 1 == 16


def test_conv_matrix_is_sparse_and_shared(rng):
    kernel, x = rng.normal(size=(2, 2)), rng.normal(size=(4, 4))
    m = cnn.conv_matrix(kernel, (4, 4))
    assert m.shape == (9, 16) and np.count_nonzero(m) == 36
    assert set(np.unique(m[m != 0])) == set(kernel.ravel())
    np.testing.assert_allclose(
        m @ x.ravel(), cnn.conv2d_forward(x[None, None], kernel[None, None]).ravel()
    )
    with pytest.raises(ValueError, match=r"kernel must be 2-D \(kh, kw\), got shape \(2,\)"):
        cnn.conv_matrix(np.ones(2), (4, 4))
    with pytest.raises(ValueError, match=r"input_shape must be \(h, w\), got \(4,\)"):
        cnn.conv_matrix(kernel, (4,))


def test_conv_windows_is_im2col():
    x = np.arange(2 * 3 * 5 * 5, dtype=float).reshape(2, 3, 5, 5)
    windows = cnn.conv_windows(x, (3, 3), stride=2, padding=1)
    assert windows.shape == (2, 3, 3, 3, 3, 3)
    np.testing.assert_array_equal(windows[1, 2, 1, 2], np.pad(x[1, 2], 1)[2:5, 4:7])


def test_top_k_error_against_torch_topk(rng):
    logits, labels = rng.normal(size=(200, 10)), rng.integers(0, 10, size=200)
    for k in (1, 3, 5, 10):
        in_top = torch.tensor(logits).topk(k, dim=1).indices == torch.tensor(labels)[:, None]
        assert cnn.top_k_error(logits, labels, k) == pytest.approx(1 - in_top.any(1).float().mean())
    assert cnn.top_k_error(logits, labels, 10) == 0
    assert cnn.top_k_error(np.array([[0.0, 2, 1]]), np.array([2]), 1) == 1.0
    assert cnn.top_k_error(np.array([[0.0, 2, 1]]), np.array([2]), 2) == 0.0


PARAMETER_COUNTS = {  # builder, input, parameters, output shape, weight layers
    "lenet5": (arch.lenet5, (1, 32, 32), 61_706, (10,), 5),
    "alexnet": (arch.alexnet, (3, 227, 227), 62_378_344, (1000,), 8),
    "alexnet-2gpu": (lambda: arch.alexnet(groups=2), (3, 227, 227), 60_965_224, (1000,), 8),
    "vgg-A": (lambda: arch.vgg("A"), (3, 224, 224), 132_863_336, (1000,), 11),
    "vgg-A-LRN": (lambda: arch.vgg("A-LRN"), (3, 224, 224), 132_863_336, (1000,), 11),
    "vgg-B": (lambda: arch.vgg("B"), (3, 224, 224), 133_047_848, (1000,), 13),
    "vgg-C": (lambda: arch.vgg("C"), (3, 224, 224), 133_638_952, (1000,), 16),
    "vgg-D": (lambda: arch.vgg("D"), (3, 224, 224), 138_357_544, (1000,), 16),
    "vgg-E": (lambda: arch.vgg("E"), (3, 224, 224), 143_667_240, (1000,), 19),
    "googlenet": (arch.googlenet, (3, 224, 224), 6_998_552, (1000,), 22),
    "resnet18": (lambda: arch.resnet(18), (3, 224, 224), 11_689_512, (1000,), 18),
    "resnet34": (lambda: arch.resnet(34), (3, 224, 224), 21_797_672, (1000,), 34),
    "mnist_cnn": (cnn.mnist_cnn, (1, 28, 28), 421_642, (10,), 4),
    "depth_net-20": (lambda: arch.depth_net(20, True), (1, 14, 14), 24_022, (10,), 20),
}


@pytest.mark.parametrize("name", PARAMETER_COUNTS)
def test_architecture_parameter_counts_shapes_and_depths(name):
    build, input_shape, params, output_shape, depth = PARAMETER_COUNTS[name]
    with torch.device("meta"):
        model = build()
    assert arch.count_parameters(model) == params
    rows = arch.layer_table(model, input_shape)
    assert rows[-1].output_shape == output_shape
    assert sum(r.params for r in rows) == params
    assert arch.weight_depth(model) == depth


def test_layer_tables_reproduce_seed_shapes_and_multiply_adds():
    with torch.device("meta"):
        alex, google, vgg16 = arch.alexnet(), arch.googlenet(), arch.vgg("D")
    shapes = {r.name: r.output_shape for r in arch.layer_table(alex, (3, 227, 227))}
    assert shapes["conv1"] == (96, 55, 55) and shapes["pool1"] == (96, 27, 27)
    assert shapes["conv2"] == (256, 27, 27) and shapes["pool3"] == (256, 6, 6)
    rows = {r.name: r for r in arch.layer_table(google, (3, 224, 224))}
    assert rows["inception3a"].output_shape == (256, 28, 28)
    assert rows["inception5b"].output_shape == (1024, 7, 7)
    assert rows["conv1"].multiply_adds == 112 * 112 * 64 * 7 * 7 * 3
    assert rows["linear"].multiply_adds == 1024 * 1000
    assert sum(r.multiply_adds for r in rows.values()) == 1_582_671_872
    assert arch.layer_table(vgg16, (3, 224, 224))[-4].output_shape == (512 * 7 * 7,)


def test_multiply_adds_count_groups():
    with torch.device("meta"):
        grouped = torch.nn.Sequential(torch.nn.Conv2d(4, 6, 3, padding=1, groups=2))
    assert arch.layer_table(grouped, (4, 5, 5))[0].multiply_adds == 5 * 5 * 6 * 2 * 3 * 3


def test_layer_table_copies_real_models_to_meta():
    model = cnn.mnist_cnn()
    rows = arch.layer_table(model, (1, 28, 28))
    assert [r.output_shape for r in rows[:3]] == [(32, 28, 28), (32, 28, 28), (32, 14, 14)]
    assert not next(model.parameters()).is_meta
    with pytest.raises(ValueError, match=r"input_shape must be \(channels, height, width\)"):
        arch.layer_table(model, (28, 28))


def test_googlenet_aux_heads_and_inception():
    with torch.device("meta"):
        assert arch.count_parameters(arch.googlenet_aux_head(512)) == 3_188_840
        assert arch.count_parameters(arch.googlenet_aux_head(528)) == 3_190_888
        assert arch.count_parameters(arch.conv_relu(3, 8, 3), biases=False) == 3 * 8 * 9
    block = arch.Inception(192, arch.GOOGLENET_INCEPTIONS["3a"])
    assert block(torch.zeros(1, 192, 28, 28)).shape == (1, 256, 28, 28)
    assert arch.weight_depth(block) == 2


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="config must be one of"):
        arch.vgg("F")
    with pytest.raises(ValueError, match="depth must be one of"):
        arch.resnet(50)
    with pytest.raises(ValueError, match="groups must be 1 or 2, got 3"):
        arch.alexnet(groups=3)


def test_basic_block_adds_its_input_or_projects_it():
    block = arch.BasicBlock(8, 8).eval()
    x = torch.randn(2, 8, 6, 6)
    torch.testing.assert_close(block(x), torch.relu(block.body(x) + x))
    plain = arch.BasicBlock(8, 8, shortcut=False).eval()
    assert plain.shortcut is None
    torch.testing.assert_close(plain(x), torch.relu(plain.body(x)))
    down = arch.BasicBlock(8, 16, stride=2).eval()
    assert down(x).shape == (2, 16, 3, 3) and isinstance(down.shortcut, torch.nn.Sequential)
    assert arch.weight_depth(down) == 2
    stage, wide = arch.resnet(18).eval().stage1[0], torch.randn(1, 64, 8, 8)
    torch.testing.assert_close(stage(wide), torch.relu(stage.body(wide) + wide))


def test_depth_net_plain_and_residual_differ_only_in_shortcuts():
    torch.manual_seed(0)
    plain = arch.depth_net(10, shortcut=False)
    torch.manual_seed(0)
    residual = arch.depth_net(10, shortcut=True)
    for a, b in zip(plain.state_dict().values(), residual.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert plain(torch.zeros(3, 1, 14, 14)).shape == (3, 10)


def test_mnist_tensors_shapes():
    x, y = cnn.mnist_tensors(data.mnist_split().val)
    assert x.shape == (500, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.int64


def test_random_conv_and_pool_configurations_match_torch():
    rng = np.random.default_rng(42)
    for _ in range(25):
        n, c, k = rng.integers(1, 4, size=3)
        kh, kw = rng.integers(1, 5, size=2)
        stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        h, w = kh + rng.integers(0, 7), kw + rng.integers(0, 7)
        x, wt = rng.normal(size=(n, c, h, w)), rng.normal(size=(k, c, kh, kw))
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(wt, requires_grad=True)
        tout = F.conv2d(tx, tw, stride=stride, padding=padding)
        out = cnn.conv2d_forward(x, wt, stride=stride, padding=padding)
        np.testing.assert_allclose(out, tout.detach().numpy(), atol=1e-10)
        grad_out = rng.normal(size=out.shape)
        tout.backward(torch.tensor(grad_out))
        dx, dw, _ = cnn.conv2d_backward(grad_out, x, wt, stride, padding)
        np.testing.assert_allclose(dx, tx.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(dw, tw.grad.numpy(), atol=1e-10)
        size = int(rng.integers(1, min(h, w) + 1))
        pool_stride = int(rng.integers(1, size + 1))
        pooled = cnn.max_pool2d_forward(x, size, pool_stride)
        grad = rng.normal(size=pooled.shape)
        tx = torch.tensor(x, requires_grad=True)
        tpooled = F.max_pool2d(tx, size, pool_stride)
        np.testing.assert_allclose(pooled, tpooled.detach().numpy())
        tpooled.backward(torch.tensor(grad))
        np.testing.assert_allclose(
            cnn.max_pool2d_backward(grad, x, size, pool_stride), tx.grad.numpy()
        )


def test_random_shift_moves_each_image_within_its_bound():
    x = torch.zeros(50, 1, 28, 28)
    x[:, 0, 14, 14] = 1.0
    moved, labels = cnn.random_shift(x, torch.arange(50), torch.Generator().manual_seed(0))
    where = moved[:, 0].flatten(1).argmax(dim=1)
    dy, dx = where // 28 - 14, where % 28 - 14
    assert moved.shape == x.shape and labels.tolist() == list(range(50))
    assert dy.abs().max() == 2 and dx.abs().max() == 2
    assert len(set(zip(dy.tolist(), dx.tolist(), strict=True))) > 10


def right_on_test_digits(model: torch.nn.Module) -> int:
    """How many of the 500 test digits a digit CNN reads right."""
    x, y = cnn.mnist_tensors(data.mnist_split().test)
    with torch.no_grad():
        return int((model(x).argmax(dim=1) == y).sum())


def test_the_shipped_digit_cnn_reads_the_test_digits():
    """The weights in datasets/ load, and read at least 485 of the 500 test digits (488 where
    they were trained; the same weights everywhere, so the count cannot drift by retraining)."""
    model = cnn.pretrained_mnist_cnn()
    right = right_on_test_digits(model)
    assert right >= 485 and not model.training
    history = cnn.mnist_cnn_history()
    assert set(history) == {"loss", "val_loss", "val_acc"}
    assert all(len(curve) == cnn.MNIST_CNN_EPOCHS for curve in history.values())
    assert history["val_acc"][-1] > 0.95 and history["loss"][-1] < history["loss"][0] / 5


def test_the_numbers_lesson_05_quotes_about_the_test_digits():
    """488 of 500 (3 over the bar), a 0.7-point standard error, two standard errors spanning
    about 96 % to 99 %, and 8 of the 12 misread digits right at the second guess."""
    model = cnn.pretrained_mnist_cnn()
    x, y = cnn.mnist_tensors(data.mnist_split().test)
    with torch.no_grad():
        logits = model(x).numpy()
    right = right_on_test_digits(model)
    p = right / 500
    error_bar = np.sqrt(p * (1 - p) / 500)
    assert right == 488 and right - int(np.ceil(0.97 * 500)) == 3
    assert round(100 * error_bar, 1) == 0.7 and 100 * (p - 2 * error_bar) > 96
    assert 100 * (p + 2 * error_bar) < 99.1
    assert round(cnn.top_k_error(logits, y.numpy(), 2) * 500) == 4


def test_the_shipped_digit_cnn_is_checked_like_any_data_file(tmp_path, monkeypatch):
    for name in cnn.MNIST_CNN_FILES:
        (tmp_path / name).write_bytes((data.DATASETS_DIR / name).read_bytes())
    (tmp_path / "MANIFEST.toml").write_bytes((data.DATASETS_DIR / "MANIFEST.toml").read_bytes())
    in_tmp = functools.partial(data.verified_path, folder=tmp_path)
    monkeypatch.setattr(data, "verified_path", in_tmp)
    assert cnn.mnist_cnn_history() == json.loads((tmp_path / cnn.MNIST_CNN_FILES[1]).read_text())
    (tmp_path / cnn.MNIST_CNN_FILES[0]).write_bytes(b"not the weights")
    with pytest.raises(data.DatasetError, match=r"mnist_cnn\.pt is altered"):
        cnn.pretrained_mnist_cnn()
    (tmp_path / cnn.MNIST_CNN_FILES[1]).unlink()
    with pytest.raises(data.DatasetError, match=r"mnist_cnn_history\.json is missing"):
        cnn.mnist_cnn_history()
    with pytest.raises(ValueError, match=r"seed must be 0 .* got 3"):
        cnn.pretrained_mnist_cnn(seed=3)


def test_one_epoch_of_the_recipe_starts_the_shipped_curve():
    _, history = cnn.train_mnist_cnn(epochs=1)
    shipped = cnn.mnist_cnn_history()
    assert len(history["loss"]) == 1
    assert np.isclose(history["val_loss"][0], shipped["val_loss"][0], rtol=0.05)
    assert np.isclose(history["val_acc"][0], shipped["val_acc"][0], atol=0.02)


@pytest.mark.slow
def test_the_recipe_rebuilds_the_shipped_network(tmp_path):
    """`make mnist-cnn` from scratch: within 1.5 points of the shipped test accuracy, and
    learning curves of the same shape (each epoch's validation accuracy within 3 points)."""
    digests = cnn_experiments.rebuild_mnist_cnn(tmp_path)
    assert set(digests) == set(cnn.MNIST_CNN_FILES)
    model = cnn.mnist_cnn()
    model.load_state_dict(torch.load(tmp_path / cnn.MNIST_CNN_FILES[0], weights_only=True))
    right = right_on_test_digits(model.eval())
    shipped = right_on_test_digits(cnn.pretrained_mnist_cnn())
    assert abs(right - shipped) / 500 <= 0.015
    history = json.loads((tmp_path / cnn.MNIST_CNN_FILES[1]).read_text())
    reference = cnn.mnist_cnn_history()
    np.testing.assert_allclose(history["val_acc"], reference["val_acc"], atol=0.03)
    assert history["loss"][-1] < history["loss"][0] / 5


def test_degradation_runs_plain_and_residual_networks():
    x, y = cnn_experiments.degradation_digits(200)
    assert x.shape == (200, 1, 14, 14) and np.bincount(y.numpy()).tolist() == [20] * 10
    runs = cnn_experiments.degradation((4, 6), n=200, epochs=1, width=4)
    assert [(r.depth, r.shortcut) for r in runs] == [(4, False), (4, True), (6, False), (6, True)]
    assert all(0 <= r.train_error <= 1 and len(r.losses) == 1 for r in runs)
    assert all(r.first_grad > 0 and r.last_grad > 0 for r in runs)


def test_conv_gradient_norms_leave_the_model_alone():
    torch.manual_seed(0)
    model = cnn.mnist_cnn()
    before = [p.clone() for p in model.parameters()]
    x, y = torch.rand(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    norms = cnn_experiments.conv_gradient_norms(model, x, y)
    assert len(norms) == 2 and all(n > 0 for n in norms)
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_conv_seconds_times_each_method():
    for method in ("naive", "im2col", "torch"):
        assert cnn_experiments.conv_seconds(method, 1) > 0
    assert build.conv_layer_seconds("im2col", 2) > 0
    assert {name for name in build.MEASUREMENTS if name.startswith("05_cnn")} == {
        "05_cnn: conv layer, naive loops (forward, 1 of the 64 images)",
        "05_cnn: conv layer, numpy im2col (forward + backward), 1 BLAS thread",
        "05_cnn: conv layer, numpy im2col (forward + backward), 2 BLAS threads",
        "05_cnn: conv layer, torch (forward + backward), 1 thread",
    }
    assert cnn_experiments._time_conv("im2col", repeats=1) > 0
    with pytest.raises(ValueError, match="method must be 'naive', 'im2col' or 'torch', got 'fft'"):
        cnn_experiments.conv_seconds("fft")


def test_the_numbers_the_lesson_states_in_its_text():
    """Lesson 05's prose quotes these; the lesson's cells print or assert the rest."""
    rows = arch.layer_table(cnn.mnist_cnn(), (1, 28, 28))
    assert [r.params for r in rows if r.params] == [320, 18_496, 401_536, 1_290]
    convolutions = sum(r.multiply_adds for r in rows if r.kind == "Conv2d")
    assert convolutions > 5 * sum(r.multiply_adds for r in rows if r.kind == "Linear")
    with torch.device("meta"):
        alex, vgg16, google = arch.alexnet(groups=2), arch.vgg("D"), arch.googlenet()
        one_gpu = arch.alexnet()
    alex_params = {r.name: r.params for r in arch.layer_table(alex, (3, 227, 227))}
    dense = alex_params["fc6"] + alex_params["fc7"] + alex_params["fc8"]
    assert round(sum(alex_params.values()) / 1e6) == 61 and round(dense / 1e6) == 59
    assert round(arch.count_parameters(one_gpu) / 1e6) == 62
    fc6 = arch.count_parameters(vgg16.fc6)
    assert (round(fc6 / 1e6, 1), round(arch.count_parameters(vgg16) / 1e6, 1)) == (102.8, 138.4)
    seed_k = {  # seed 002's GoogLeNet params column, in K
        "conv1": 2.7, "conv2": 112, "inception3a": 159, "inception3b": 380, "inception4a": 364,
        "inception4b": 437, "inception4c": 463, "inception4d": 580, "inception4e": 840,
        "inception5a": 1072, "inception5b": 1388, "linear": 1000,
    }  # fmt: skip
    blocks = dict(google.named_children())
    k_weights = {n: arch.count_parameters(blocks[n], biases=False) / 1024 for n in seed_k}
    off = {n: round(100 * (k_weights[n] / seed_k[n] - 1), 1) for n in seed_k}
    assert [n for n in seed_k if abs(off[n]) > 2] == ["conv1", "inception4c", "inception5a"]
    assert (off["inception4c"], off["inception5a"]) == (7.5, -5.0)
    built = {r.name: r for r in arch.layer_table(google, (3, 224, 224))}
    assert round(k_weights["conv1"], 1) == 9.2 and round(built["conv1"].multiply_adds / 1e6) == 118
    n_google = arch.count_parameters(google)
    without_classifier = n_google - arch.count_parameters(blocks["linear"])
    assert round(n_google / 1e6, 1) == round(sum(seed_k.values()) * 1024 / 1e6, 1) == 7.0
    assert round(without_classifier / 1e6, 1) == 6.0
    assert round(arch.count_parameters(alex) / n_google, 1) == 8.7
    ops_google = sum(r.multiply_adds for r in built.values())
    ops_alex = sum(r.multiply_adds for r in arch.layer_table(alex, (3, 227, 227)))
    assert round(ops_google / ops_alex) == 2
    with torch.device("meta"):
        assert (
            round(arch.count_parameters(arch.resnet(34)) / arch.count_parameters(vgg16), 2) == 0.16
        )


def test_the_digit_cnn_curves_the_lesson_describes():
    history = cnn.mnist_cnn_history()
    assert all(v < t for v, t in zip(history["val_loss"], history["loss"], strict=True))
    assert (
        min(history["val_acc"][-3:]) > 0.95 and history["val_loss"][-1] < history["val_loss"][0] / 3
    )


def test_mnist_cnn_maps_28x28_digits_to_logits():
    import torch

    model = cnn.mnist_cnn(classes=5)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 5)
