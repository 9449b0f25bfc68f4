import numpy as np
import pytest
import torch

from course_lib import style

SMALL_VGG = (4, 4, "M", 8, 8, "M", 8, 8, 8, 8, "M", 16, 16, 16, 16, "M", 16)
"""VGG-19's layout (13 convolutions up to conv5_1, same module indices) with few channels."""


def small_state_dict(config=SMALL_VGG, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {
        key: 0.1 * torch.randn(shape, generator=generator)
        for key, shape in style.vgg19_shapes(config).items()
    }


# ----------------------------------------------------------------------- losses by hand


def test_gram_matrix_by_hand():
    features = np.array([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, 1.0]]])  # (2, 2, 2)
    # channel 0 = (1, 2, 3, 4), channel 1 = (0, 1, 0, 1); 4 positions
    expected = np.array([[(1 + 4 + 9 + 16) / 4, (2 + 4) / 4], [(2 + 4) / 4, 2 / 4]])
    np.testing.assert_allclose(style.gram_matrix(features), expected)


def test_gram_matrix_ignores_where_things_are():
    features = np.random.default_rng(0).normal(size=(3, 4, 5))
    shuffled = features.reshape(3, 20)[:, np.random.default_rng(1).permutation(20)]
    np.testing.assert_allclose(
        style.gram_matrix(features), style.gram_matrix(shuffled.reshape(3, 5, 4))
    )


def test_content_and_style_losses_by_hand():
    a = np.zeros((1, 2, 2))
    b = np.array([[[1.0, 1.0], [1.0, 3.0]]])
    assert style.content_loss(b, a) == pytest.approx((1 + 1 + 1 + 9) / 4)
    # Gram of b is the mean square 12 / 4 = 3; of a, 0
    assert style.style_loss(b, a) == pytest.approx(9.0)
    assert style.style_loss(b, np.ones((1, 3, 3))) == pytest.approx((3 - 1) ** 2)


def test_total_variation_by_hand():
    image = np.zeros((2, 3, 3))
    image[:, 2] = 1.0  # a vertical edge: right steps 0 and 1 in each row, no down steps
    assert style.total_variation(image) == pytest.approx(0 + 1 / 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: style.gram_matrix(np.zeros((3, 4))), "features must be a feature map"),
        (lambda: style.content_loss(np.zeros((1, 2, 2)), np.zeros((1, 2, 3))), "must match"),
        (lambda: style.style_loss(np.zeros((1, 2, 2)), np.zeros((2, 2, 2))), "channels"),
        (lambda: style.total_variation(np.zeros((4, 4))), "image must be"),
        (lambda: style.total_variation(np.zeros((1, 4, 3))), "sides >= 2"),
    ],
)
def test_numpy_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_torch_losses_agree_with_numpy():
    rng = np.random.default_rng(2)
    f, g = rng.normal(size=(2, 4, 6, 5))
    image = rng.random((7, 6, 3))
    f_t, g_t = torch.tensor(f), torch.tensor(g)
    np.testing.assert_allclose(style.gram_matrix_torch(f_t).numpy(), style.gram_matrix(f))
    batch = style.gram_matrix_torch(torch.stack([f_t, g_t]))
    np.testing.assert_allclose(batch[1].numpy(), style.gram_matrix(g))
    assert float(style.content_loss_torch(f_t, g_t)) == pytest.approx(style.content_loss(f, g))
    target = style.gram_matrix_torch(g_t)
    assert float(style.style_loss_torch(f_t, target)) == pytest.approx(style.style_loss(f, g))
    tv = style.total_variation_torch(torch.tensor(image).permute(2, 0, 1)[None])
    assert float(tv) == pytest.approx(style.total_variation(image))


def test_torch_errors():
    with pytest.raises(ValueError, match="features must be"):
        style.gram_matrix_torch(torch.zeros(4, 4))
    with pytest.raises(ValueError, match="must match"):
        style.content_loss_torch(torch.zeros(1, 2, 2), torch.zeros(1, 2, 3))
    with pytest.raises(ValueError, match="target_gram"):
        style.style_loss_torch(torch.zeros(2, 3, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="image must be"):
        style.total_variation_torch(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="sides >= 2"):
        style.total_variation_torch(torch.zeros(1, 3, 1, 4))


def test_tensor_round_trip_and_errors():
    image = np.random.default_rng(3).random((5, 6, 3)).astype(np.float32)
    tensor = style.to_tensor(image)
    assert tensor.shape == (1, 3, 5, 6)
    np.testing.assert_array_equal(style.to_image(tensor), image)
    with pytest.raises(ValueError, match="image must be"):
        style.to_tensor(np.zeros((5, 6)))


# ------------------------------------------------------------------------ feature extractors


def test_random_layers_shapes_and_frozen():
    layers = style.random_layers((4, 8, 16), seed=1)
    outputs = style.extract(layers, torch.rand(2, 3, 16, 16))
    assert [tuple(o.shape) for o in outputs] == [
        (2, 3, 16, 16),
        (2, 4, 16, 16),
        (2, 8, 8, 8),
        (2, 16, 4, 4),
    ]
    assert all(not p.requires_grad for layer in layers for p in layer.parameters())
    again = style.random_layers((4, 8, 16), seed=1)
    torch.testing.assert_close(layers[2][1].weight, again[2][1].weight)
    std = float(layers[2][1].weight.std())
    assert std == pytest.approx((2 / (4 * 9)) ** 0.5, rel=0.1)  # Kaiming


def test_random_layers_and_extract_errors():
    with pytest.raises(ValueError, match="channels must be positive ints"):
        style.random_layers((4, 0))
    with pytest.raises(ValueError, match="kernel must be an odd"):
        style.random_layers(kernel=4)
    with pytest.raises(ValueError, match="images must be"):
        style.extract(style.random_layers(), torch.zeros(3, 8, 8))


def test_multiply_adds_by_hand():
    # block 1: 3x3x3x2 weights at 8x8; block 2: 3x3x2x4 weights at 4x4
    assert style.multiply_adds((2, 4), 8) == 9 * 3 * 2 * 64 + 9 * 2 * 4 * 16
    with pytest.raises(ValueError, match="size must be an int >= 4"):
        style.multiply_adds((2, 4), 3)


def test_vgg19_shapes_follow_torchvision_layout():
    shapes = style.vgg19_shapes()
    assert len(shapes) == 2 * 13  # weight and bias of conv1_1 ... conv5_1
    assert shapes["features.0.weight"] == (64, 3, 3, 3)
    assert shapes["features.5.weight"] == (128, 64, 3, 3)  # conv2_1 after the first pooling
    assert shapes["features.28.weight"] == (512, 512, 3, 3)  # conv5_1
    assert shapes["features.28.bias"] == (512,)
    with pytest.raises(ValueError, match="config entries"):
        style.vgg19_shapes((64, "X"))


def test_vgg19_layers_load_a_synthetic_state_dict(tmp_path):
    state = small_state_dict()
    state["classifier.0.weight"] = torch.zeros(2, 2)  # a whole model's dict: extras ignored
    path = tmp_path / "vgg.pth"
    torch.save(state, path)
    layers = style.vgg19_layers(path, config=SMALL_VGG)
    assert len(layers) == 1 + len(style.VGG19_CUTS)
    torch.testing.assert_close(layers[1][0].weight, state["features.0.weight"])
    torch.testing.assert_close(layers[6][-2].weight, state["features.28.weight"])
    outputs = style.extract(layers, torch.rand(1, 3, 32, 32))
    assert [tuple(o.shape[1:]) for o in outputs] == [
        (3, 32, 32),  # normalised pixels
        (4, 32, 32),  # relu1_1
        (8, 16, 16),  # relu2_1
        (8, 8, 8),  # relu3_1
        (16, 4, 4),  # relu4_1
        (16, 4, 4),  # relu4_2
        (16, 2, 2),  # relu5_1
    ]
    assert all(not p.requires_grad for layer in layers for p in layer.parameters())


def test_vgg19_layers_accept_a_features_only_dict(tmp_path):
    state = {k.removeprefix("features."): v for k, v in small_state_dict().items()}
    torch.save(state, tmp_path / "features.pth")
    layers = style.vgg19_layers(tmp_path / "features.pth", config=SMALL_VGG)
    torch.testing.assert_close(layers[2][-2].bias, state["5.bias"])


def test_vgg19_layers_work_for_style_transfer(tmp_path):
    torch.save(small_state_dict(), tmp_path / "vgg.pth")
    layers = style.vgg19_layers(tmp_path / "vgg.pth", config=SMALL_VGG)
    rng = np.random.default_rng(0)
    result = style.stylise(
        rng.random((32, 32, 3)),
        rng.random((32, 32, 3)),
        layers,
        style_layers=style.VGG19_STYLE_LAYERS,
        content_layer=style.VGG19_CONTENT_LAYER,
        steps=10,
    )
    assert result.losses["total"][-1] < result.losses["total"][0]


def test_normalise_layer_maps_mean_to_zero_and_std_to_one():
    layer = style.normalise_layer((0.5, 0.4, 0.3), (0.1, 0.2, 0.3))
    x = torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1)
    torch.testing.assert_close(layer(x), torch.zeros(1, 3, 1, 1))
    torch.testing.assert_close(
        layer(x + torch.tensor([0.1, 0.2, 0.3]).view(1, 3, 1, 1)), torch.ones(1, 3, 1, 1)
    )


def test_vgg_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no VGG weights at .*never downloads"):
        style.vgg19_layers(tmp_path / "absent.pth")


def test_vgg_wrong_shape_is_a_clear_error(tmp_path):
    state = small_state_dict()
    state["features.2.weight"] = torch.zeros(4, 4, 5, 5)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(
        ValueError, match=r"features.2.weight should have shape \(4, 4, 3, 3\), got \(4, 4, 5, 5\)"
    ):
        style.vgg19_layers(tmp_path / "bad.pth", config=SMALL_VGG)


def test_vgg_missing_key_is_a_clear_error(tmp_path):
    state = small_state_dict()
    del state["features.10.bias"]
    torch.save(state, tmp_path / "partial.pth")
    with pytest.raises(ValueError, match=r"lacks 'features.10.bias'.*VGG-19 layout"):
        style.vgg19_layers(tmp_path / "partial.pth", config=SMALL_VGG)


def test_vgg_full_size_layout_rejects_a_small_dict(tmp_path):
    torch.save(small_state_dict(), tmp_path / "small.pth")
    with pytest.raises(ValueError, match=r"should have shape \(64, 3, 3, 3\), got \(4, 3, 3, 3\)"):
        style.vgg19_layers(tmp_path / "small.pth")


def test_vgg_file_that_is_not_a_state_dict(tmp_path):
    torch.save([torch.zeros(2)], tmp_path / "list.pth")
    with pytest.raises(ValueError, match="holds a list, expected a state dict"):
        style.load_vgg_state_dict(tmp_path / "list.pth")
    (tmp_path / "text.pth").write_text("not weights")
    with pytest.raises(ValueError, match="is not a torch state dict"):
        style.load_vgg_state_dict(tmp_path / "text.pth")


def test_vgg_bad_cuts(tmp_path):
    torch.save(small_state_dict(), tmp_path / "vgg.pth")
    with pytest.raises(ValueError, match="cuts must be increasing"):
        style.vgg19_layers(tmp_path / "vgg.pth", config=SMALL_VGG, cuts=(4, 2))
    with pytest.raises(ValueError, match="cuts must be increasing"):
        style.vgg19_layers(tmp_path / "vgg.pth", config=SMALL_VGG, cuts=(0, 13))


# ------------------------------------------------------------------------------ style images


@pytest.mark.parametrize("make", [style.starry_swirls, style.concentric_squares])
def test_procedural_styles(make):
    image = make(64)
    assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1 and image.std() > 0.1
    np.testing.assert_array_equal(image, make(64))
    assert not np.array_equal(image, make(64, seed=1))
    with pytest.raises(ValueError, match="size must be an int >= 16"):
        make(8)


def test_concentric_squares_cells_error():
    with pytest.raises(ValueError, match="cells must be an int"):
        style.concentric_squares(32, cells=5)


def test_style_image_by_name():
    assert style.style_image("starry_swirls", 32).shape == (32, 32, 3)
    assert style.style_image("gravel", 32).shape == (32, 32, 3)
    with pytest.raises(ValueError, match="name must be one of"):
        style.style_image("mona_lisa")


# ------------------------------------------------------------------------------ optimisation


@pytest.fixture(scope="module")
def pair():
    return style.style_image("chelsea", 32), style.starry_swirls(32)


def test_style_objective_adds_the_weighted_parts(pair):
    content, picture = pair
    layers = style.random_layers((4, 8))
    loss = style.style_objective(
        layers,
        content,
        picture,
        style_weight=10.0,
        tv_weight=2.0,
        style_layers=(0, 2),
        content_layer=1,
    )
    x = style.to_tensor(content + 0.1)
    parts = loss(x)
    with torch.no_grad():
        features = style.extract(layers, x)
        targets = style.extract(layers, style.to_tensor(picture))
    expected_style = np.mean(
        [style.style_loss(features[k][0].numpy(), targets[k][0].numpy()) for k in (0, 2)]
    )
    assert float(parts["style"]) == pytest.approx(expected_style, rel=1e-5)
    assert float(parts["content"]) > 0
    total = float(parts["content"]) + 10.0 * float(parts["style"]) + 2.0 * float(parts["tv"])
    assert float(parts["total"]) == pytest.approx(total, rel=1e-6)
    texture = style.style_objective(layers, None, picture, style_layers=(1,), content_layer=0)
    assert float(texture(x)["content"]) == 0


def test_stylise_adam_lowers_the_loss_and_keeps_snapshots(pair):
    content, picture = pair
    result = style.stylise(content, picture, steps=20, snapshots=(0, 10, 20))
    total = result.losses["total"]
    assert result.image.shape == (32, 32, 3) and 0 <= result.image.min() <= result.image.max() <= 1
    assert result.evaluations == 20 and len(result.seconds) == 20
    assert total[-1] < 0.2 * total[0]
    assert result.losses["style"][-1] < result.losses["style"][0]
    assert result.losses["content"][0] == 0  # started from the content image
    assert sorted(result.snapshots) == [0, 10, 20]
    np.testing.assert_allclose(result.snapshots[0], content, atol=1e-6)
    np.testing.assert_array_equal(result.snapshots[20], result.image)


def test_stylise_lbfgs_lowers_the_loss(pair):
    result = style.stylise(*pair, steps=10, optimizer="lbfgs", init="noise")
    assert result.losses["total"][-1] < 0.2 * result.losses["total"][0]
    assert result.evaluations >= 10


def test_texture_synthesis_uses_style_only(pair):
    result = style.synthesise_texture(pair[1], steps=10)
    assert result.image.shape == pair[1].shape
    assert np.all(result.losses["content"] == 0)
    assert result.losses["style"][-1] < result.losses["style"][0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"optimizer": "sgd"}, "optimizer must be"),
        ({"init": "zeros"}, "init must be"),
        ({"steps": 0}, "steps must be a positive int"),
        ({"style_layers": (0, 9)}, r"style_layers must be layer numbers in \[0, 4\]"),
        ({"content_layer": 5}, r"content_layer must be layer numbers in \[0, 4\]"),
    ],
)
def test_stylise_errors(pair, options, message):
    with pytest.raises(ValueError, match=message):
        style.stylise(*pair, **options)


def test_seconds_per_step():
    assert 0 < style.seconds_per_step(32, steps=2) < 5
    with pytest.raises(ValueError, match="size must be"):
        style.seconds_per_step(8)
    with pytest.raises(ValueError, match="steps must be"):
        style.seconds_per_step(32, steps=0)
