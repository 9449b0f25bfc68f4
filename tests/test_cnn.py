"""Numpy convolution and pooling against torch, conv arithmetic, and the architectures' counts."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import cnn, data


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


POOL_CASES = [(2, 3, 8, 8, 2, None), (1, 2, 7, 9, 3, 2), (2, 1, 6, 5, 2, 1), (1, 1, 5, 5, 3, 3)]


@pytest.mark.parametrize(("n", "c", "h", "w", "size", "stride"), POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_forward_and_backward_match_torch(rng, kind, n, c, h, w, size, stride):
    x = rng.normal(size=(n, c, h, w))
    forward = {"max": cnn.max_pool2d_forward, "avg": cnn.avg_pool2d_forward}[kind]
    backward = {"max": cnn.max_pool2d_backward, "avg": cnn.avg_pool2d_backward}[kind]
    torch_pool = {"max": F.max_pool2d, "avg": F.avg_pool2d}[kind]
    tx = torch.tensor(x, requires_grad=True)
    tout = torch_pool(tx, size, stride)
    out = forward(x, size, stride)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-12)
    grad_out = rng.normal(size=out.shape)
    tout.backward(torch.tensor(grad_out))
    np.testing.assert_allclose(backward(grad_out, x, size, stride), tx.grad.numpy(), rtol=1e-12)


def test_max_pool_gradient_goes_only_to_the_maximum():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], float)[None, None]
    np.testing.assert_array_equal(cnn.max_pool2d_forward(x)[0, 0], [[6, 8], [3, 4]])
    grad = cnn.max_pool2d_backward(np.ones((1, 1, 2, 2)), x)[0, 0]
    assert grad.sum() == 4 and grad[1, 1] == grad[1, 3] == grad[2, 0] == grad[3, 3] == 1
    np.testing.assert_array_equal(cnn.avg_pool2d_backward(np.ones((1, 1, 2, 2)), x), 0.25)


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
        cnn.conv_output_size(8, 3, 1, -1)


def test_conv_shape_errors():
    x, w = np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"w expects 2 input channels but x has 3"):
        cnn.conv2d_forward(x, np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"x must be \(n, channels, height, width\), got shape"):
        cnn.conv2d_forward(np.zeros((4, 4)), w)
    with pytest.raises(ValueError, match="kernel 3 is larger than the padded input 2"):
        cnn.conv2d_forward(np.zeros((1, 3, 2, 2)), w)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\), got \(3,\)"):
        cnn.conv2d_forward(x, w, np.zeros(3))
    with pytest.raises(ValueError, match=r"grad_out must have shape \(1, 2, 2, 2\)"):
        cnn.conv2d_backward(np.zeros((1, 2, 3, 3)), x, w)
    with pytest.raises(ValueError, match=r"grad_out must have shape \(1, 3, 2, 2\)"):
        cnn.max_pool2d_backward(np.zeros((1, 3, 4, 4)), x)
    with pytest.raises(ValueError, match="kernel 5 is larger than the padded input 4"):
        cnn.max_pool2d_forward(x, 5)


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


def test_feature_map_filters_and_errors():
    image = np.zeros((6, 6))
    image[:, 3:] = 1.0
    edges = cnn.feature_map(image, cnn.FILTERS["vertical edge (Sobel x)"])
    assert edges.shape == (6, 6) and edges[2, 2] == 4 and edges[2, 0] == 0
    np.testing.assert_allclose(cnn.feature_map(image, cnn.FILTERS["identity"]), image)
    assert cnn.feature_map(image, cnn.FILTERS["blur (box 3x3)"])[2, 1] == 0
    with pytest.raises(ValueError, match=r"image must be greyscale \(h, w\), got shape"):
        cnn.feature_map(np.zeros((6, 6, 3)), cnn.FILTERS["identity"])
    with pytest.raises(ValueError, match="kernel must be square with an odd side"):
        cnn.feature_map(image, np.zeros((2, 2)))


PARAMETER_COUNTS = {
    "lenet5": (cnn.lenet5, (1, 32, 32), 61_706, (10,)),
    "alexnet": (cnn.alexnet, (3, 227, 227), 62_378_344, (1000,)),
    "alexnet-2gpu": (lambda: cnn.alexnet(groups=2), (3, 227, 227), 60_965_224, (1000,)),
    "vgg-A": (lambda: cnn.vgg("A"), (3, 224, 224), 132_863_336, (1000,)),
    "vgg-A-LRN": (lambda: cnn.vgg("A-LRN"), (3, 224, 224), 132_863_336, (1000,)),
    "vgg-B": (lambda: cnn.vgg("B"), (3, 224, 224), 133_047_848, (1000,)),
    "vgg-C": (lambda: cnn.vgg("C"), (3, 224, 224), 133_638_952, (1000,)),
    "vgg-D": (lambda: cnn.vgg("D"), (3, 224, 224), 138_357_544, (1000,)),
    "vgg-E": (lambda: cnn.vgg("E"), (3, 224, 224), 143_667_240, (1000,)),
    "googlenet": (cnn.googlenet, (3, 224, 224), 6_998_552, (1000,)),
    "resnet18": (lambda: cnn.resnet(18), (3, 224, 224), 11_689_512, (1000,)),
    "resnet34": (lambda: cnn.resnet(34), (3, 224, 224), 21_797_672, (1000,)),
    "digit_cnn": (cnn.digit_cnn, (1, 8, 8), 13_706, (10,)),
    "digit_mlp": (cnn.digit_mlp, (1, 8, 8), 13_735, (10,)),
}


@pytest.mark.parametrize("name", PARAMETER_COUNTS)
def test_architecture_parameter_counts_and_output_shapes(name):
    build, input_shape, params, output_shape = PARAMETER_COUNTS[name]
    with torch.device("meta"):
        model = build()
    assert cnn.count_parameters(model) == params
    rows = cnn.layer_table(model, input_shape)
    assert rows[-1].output_shape == output_shape
    if name not in ("digit_cnn", "digit_mlp"):  # named blocks: the table adds up to the model
        assert sum(r.params for r in rows) == params


def test_layer_tables_reproduce_seed_shapes():
    with torch.device("meta"):
        alex, google, vgg16 = cnn.alexnet(), cnn.googlenet(), cnn.vgg("D")
    shapes = {r.name: r.output_shape for r in cnn.layer_table(alex, (3, 227, 227))}
    assert shapes["conv1"] == (96, 55, 55) and shapes["pool1"] == (96, 27, 27)
    assert shapes["conv2"] == (256, 27, 27) and shapes["pool3"] == (256, 6, 6)
    shapes = {r.name: r.output_shape for r in cnn.layer_table(google, (3, 224, 224))}
    assert shapes["inception3a"] == (256, 28, 28) and shapes["inception5b"] == (1024, 7, 7)
    assert cnn.layer_table(vgg16, (3, 224, 224))[-4].output_shape == (512 * 7 * 7,)


def test_layer_table_copies_real_models_to_meta():
    model = cnn.digit_cnn()
    rows = cnn.layer_table(model, (1, 8, 8))
    assert [r.output_shape for r in rows[:3]] == [(16, 8, 8), (16, 8, 8), (16, 4, 4)]
    assert not next(model.parameters()).is_meta
    with pytest.raises(ValueError, match=r"input_shape must be \(channels, height, width\)"):
        cnn.layer_table(model, (8, 8))


def test_googlenet_aux_heads_and_inception():
    with torch.device("meta"):
        assert cnn.count_parameters(cnn.googlenet_aux_head(512)) == 3_188_840
        assert cnn.count_parameters(cnn.googlenet_aux_head(528)) == 3_190_888
    block = cnn.inception(192, cnn.GOOGLENET_INCEPTIONS["3a"])
    assert block(torch.zeros(1, 192, 28, 28)).shape == (1, 256, 28, 28)


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="config must be one of"):
        cnn.vgg("F")
    with pytest.raises(ValueError, match="depth must be one of"):
        cnn.resnet(50)
    with pytest.raises(ValueError, match="groups must be 1 or 2, got 3"):
        cnn.alexnet(groups=3)
    with pytest.raises(ValueError, match="hidden must be >= 1, got 0"):
        cnn.digit_mlp(0)


def test_resnet_block_adds_its_input():
    model = cnn.resnet(18).eval()
    block = model.stage1[0]
    x = torch.randn(1, 64, 8, 8)
    torch.testing.assert_close(block(x), torch.relu(block.residual(x) + x))


def test_digit_tensors_shapes():
    x, y = cnn.digit_tensors(data.digits_split()[1])
    assert x.shape == (359, 1, 8, 8) and x.dtype == torch.float32 and y.dtype == torch.int64


def test_pretrained_digit_cnn_is_cached_and_accurate():
    model = cnn.pretrained_digit_cnn()
    x, y = cnn.digit_tensors(data.digits_split()[1])
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).float().mean())
    assert acc >= 0.98
    with pytest.raises(ValueError, match=r"digit_classes must be digits 0\.\.9"):
        cnn.pretrained_digit_cnn([10])


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
    import torch

    x = torch.zeros(50, 1, 28, 28)
    x[:, 0, 14, 14] = 1.0
    moved, labels = cnn.random_shift(x, torch.arange(50), torch.Generator().manual_seed(0))
    where = moved[:, 0].flatten(1).argmax(dim=1)
    dy, dx = where // 28 - 14, where % 28 - 14
    assert moved.shape == x.shape and labels.tolist() == list(range(50))
    assert dy.abs().max() == 2 and dx.abs().max() == 2
    assert len(set(zip(dy.tolist(), dx.tolist(), strict=True))) > 10


def test_pretrained_mnist_cnn_reads_the_test_digits():
    import torch

    model = cnn.pretrained_mnist_cnn()
    x, y = cnn.mnist_tensors(data.mnist_split().test)
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    assert accuracy >= 0.97 and not model.training


def test_mnist_cnn_maps_28x28_digits_to_logits():
    import torch

    model = cnn.mnist_cnn(classes=5)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 5)
