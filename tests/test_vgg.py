import pytest
import torch

from course_lib import style, vgg

SMALL_VGG = (4, 4, "M", 8, 8, "M", 8, 8, 8, 8, "M", 16, 16, 16, 16, "M", 16)
"""VGG-19's layout (13 convolutions up to conv5_1, same module indices) with few channels."""


def small_state_dict(config=SMALL_VGG, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return {
        key: 0.1 * torch.randn(shape, generator=generator)
        for key, shape in vgg.vgg19_shapes(config).items()
    }


def test_multiply_adds_by_hand():
    # conv 3 -> 2 at 8x8, pool, conv 2 -> 4 at 4x4
    assert vgg.multiply_adds((2, "M", 4), 8) == 9 * 3 * 2 * 64 + 9 * 2 * 4 * 16
    # conv1_1 and conv1_2 of VGG-19 at 224 px: the textbook 0.09 G + 1.85 G
    assert vgg.multiply_adds((64, 64), 224) == 9 * 3 * 64 * 224**2 + 9 * 64 * 64 * 224**2


def test_the_random_network_does_far_less_work_than_vgg():
    ours = vgg.multiply_adds((32, "M", 64, "M", 128, "M", 256), 256)
    assert vgg.multiply_adds(vgg.TUTORIAL_CONFIG, 256) > 7 * ours
    assert vgg.multiply_adds(vgg.VGG19_CONFIG, 256) > 24 * ours


def test_vgg19_shapes_follow_torchvision_layout():
    shapes = vgg.vgg19_shapes()
    assert len(shapes) == 2 * 13  # weight and bias of conv1_1 ... conv5_1
    assert shapes["features.0.weight"] == (64, 3, 3, 3)
    assert shapes["features.5.weight"] == (128, 64, 3, 3)  # conv2_1 after the first pooling
    assert shapes["features.28.weight"] == (512, 512, 3, 3)  # conv5_1
    assert shapes["features.28.bias"] == (512,)
    assert sum(s[0] * s[1] * 9 + s[0] for k, s in shapes.items() if "weight" in k) == 12_944_960
    with pytest.raises(ValueError, match="config entries"):
        vgg.vgg19_shapes((64, "X"))


def test_vgg_convs_match_the_state_dict_layout():
    convs = vgg.vgg_convs(SMALL_VGG, torch.Generator().manual_seed(0))
    assert {f"features.{k}": tuple(v.shape) for k, v in convs.state_dict().items()} == (
        vgg.vgg19_shapes(SMALL_VGG)
    )
    again = vgg.vgg_convs(SMALL_VGG, torch.Generator().manual_seed(0))
    torch.testing.assert_close(convs[0].weight, again[0].weight)


def test_vgg19_features_load_a_synthetic_state_dict(tmp_path):
    state = small_state_dict()
    state["classifier.0.weight"] = torch.zeros(2, 2)  # a whole model's dict: extras ignored
    path = tmp_path / "vgg.pth"
    torch.save(state, path)
    net = vgg.vgg19_features(path, config=SMALL_VGG)
    assert len(net.stages) == len(vgg.VGG19_CUTS)
    torch.testing.assert_close(net.stages[0][0].weight, state["features.0.weight"])
    torch.testing.assert_close(net.stages[5][-2].weight, state["features.28.weight"])
    outputs = net(torch.rand(1, 3, 32, 32))
    assert [tuple(o.shape[1:]) for o in outputs] == [
        (3, 32, 32),  # normalised pixels
        (4, 32, 32),  # relu1_1
        (8, 16, 16),  # relu2_1
        (8, 8, 8),  # relu3_1
        (16, 4, 4),  # relu4_1
        (16, 4, 4),  # relu4_2
        (16, 2, 2),  # relu5_1
    ]
    assert all(not p.requires_grad for p in net.parameters())
    assert all((o >= 0).all() for o in outputs[1:])  # every map ends after a ReLU


def test_vgg19_features_accept_a_features_only_dict(tmp_path):
    state = {k.removeprefix("features."): v for k, v in small_state_dict().items()}
    torch.save(state, tmp_path / "features.pth")
    net = vgg.vgg19_features(tmp_path / "features.pth", config=SMALL_VGG)
    torch.testing.assert_close(net.stages[1][-2].bias, state["5.bias"])


def test_vgg19_features_work_for_style_transfer(tmp_path):
    torch.save(small_state_dict(), tmp_path / "vgg.pth")
    net = vgg.vgg19_features(tmp_path / "vgg.pth", config=SMALL_VGG)
    generator = torch.Generator().manual_seed(0)
    content, picture = torch.rand(2, 1, 3, 32, 32, generator=generator)
    loss = style.StyleTransferLoss(
        net, content, picture, (1.0, 1e4, 0.1), vgg.VGG19_STYLE_LAYERS, vgg.VGG19_CONTENT_LAYER
    )
    result = style.paint(loss, content, 10)
    assert result.final["total"] < result.losses["total"][0]


def test_normalise_maps_mean_to_zero_and_std_to_one():
    layer = vgg.Normalise((0.5, 0.4, 0.3), (0.1, 0.2, 0.3))
    x = torch.tensor([0.5, 0.4, 0.3]).view(1, 3, 1, 1)
    torch.testing.assert_close(layer(x), torch.zeros(1, 3, 1, 1))
    torch.testing.assert_close(
        layer(x + torch.tensor([0.1, 0.2, 0.3]).view(1, 3, 1, 1)), torch.ones(1, 3, 1, 1)
    )


def test_vgg_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no VGG weights at .*never downloads"):
        vgg.vgg19_features(tmp_path / "absent.pth")


def test_vgg_wrong_shape_is_a_clear_error(tmp_path):
    state = small_state_dict()
    state["features.2.weight"] = torch.zeros(4, 4, 5, 5)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(
        ValueError, match=r"features.2.weight should have shape \(4, 4, 3, 3\), got \(4, 4, 5, 5\)"
    ):
        vgg.vgg19_features(tmp_path / "bad.pth", config=SMALL_VGG)


def test_vgg_missing_key_is_a_clear_error(tmp_path):
    state = small_state_dict()
    del state["features.10.bias"]
    torch.save(state, tmp_path / "partial.pth")
    with pytest.raises(ValueError, match=r"lacks 'features.10.bias'.*VGG-19 layout"):
        vgg.vgg19_features(tmp_path / "partial.pth", config=SMALL_VGG)


def test_vgg_full_size_layout_rejects_a_small_dict(tmp_path):
    torch.save(small_state_dict(), tmp_path / "small.pth")
    with pytest.raises(ValueError, match=r"should have shape \(64, 3, 3, 3\), got \(4, 3, 3, 3\)"):
        vgg.vgg19_features(tmp_path / "small.pth")


def test_vgg_file_that_is_not_a_state_dict(tmp_path):
    torch.save([torch.zeros(2)], tmp_path / "list.pth")
    with pytest.raises(ValueError, match="holds a list, expected a state dict"):
        vgg.load_vgg_state_dict(tmp_path / "list.pth")
    (tmp_path / "text.pth").write_text("not weights")
    with pytest.raises(ValueError, match="is not a torch state dict"):
        vgg.load_vgg_state_dict(tmp_path / "text.pth")


def test_vgg_bad_cuts(tmp_path):
    torch.save(small_state_dict(), tmp_path / "vgg.pth")
    with pytest.raises(ValueError, match="cuts must be increasing"):
        vgg.vgg19_features(tmp_path / "vgg.pth", config=SMALL_VGG, cuts=(4, 2))
    with pytest.raises(ValueError, match="cuts must be increasing"):
        vgg.vgg19_features(tmp_path / "vgg.pth", config=SMALL_VGG, cuts=(0, 13))
