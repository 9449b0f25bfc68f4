import numpy as np
import pytest
import torch

from course_lib import cnn, data, interpret, interpret_experiments, localisation


def digits_with_known_ink():
    """Two 28x28 'digits': a filled rectangle each, so the ink box is known exactly."""
    digits = torch.zeros(2, 1, 28, 28)
    digits[0, 0, 4:20, 9:15] = 1.0  # rows 4..19, cols 9..14
    digits[1, 0, 10:11, 3:25] = 0.8  # one row of ink
    digits[1, 0, 12, 3] = 0.4  # below the threshold: not ink
    return digits


def test_paste_digits_places_each_digit_with_a_max_over_dust():
    digits = digits_with_known_ink()
    canvases, corners = localisation.paste_digits(digits, torch.Generator().manual_seed(0))
    assert canvases.shape == (2, 1, 48, 48) and corners.shape == (2, 2)
    assert corners.min() >= 0 and corners.max() <= 48 - 28
    for k, (row, col) in enumerate(corners.tolist()):
        window = canvases[k, 0, row : row + 28, col : col + 28]
        assert torch.all(window >= digits[k, 0])
        inked = digits[k, 0] == 1
        assert torch.all(window[inked] == 1)
    outside = canvases[0, 0].clone()
    row, col = corners[0].tolist()
    outside[row : row + 28, col : col + 28] = -1
    dust = outside[outside >= 0]
    assert set(dust.unique().tolist()) <= {0.0, 1.0}
    assert 0.1 < dust.mean() < 0.3  # about DUST of the pixels are ink


def test_paste_digits_is_seeded_and_takes_size_and_dust():
    digits = digits_with_known_ink()
    a = localisation.paste_digits(digits, torch.Generator().manual_seed(3))
    b = localisation.paste_digits(digits, torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    clean, corners = localisation.paste_digits(
        digits, torch.Generator().manual_seed(3), size=30, dust=0.0
    )
    assert clean.shape == (2, 1, 30, 30) and corners.max() <= 2
    assert clean.sum().item() == pytest.approx(digits.sum().item())


def test_canvas_batch_is_a_fit_transform():
    digits, labels = digits_with_known_ink(), torch.tensor([4, 1])
    xb, yb = localisation.canvas_batch(digits, labels, torch.Generator().manual_seed(0))
    assert xb.shape == (2, 1, localisation.CANVAS, localisation.CANVAS) and torch.equal(yb, labels)


def test_ink_boxes_are_inclusive_and_offset_by_the_corner():
    digits = digits_with_known_ink()
    boxes = localisation.ink_boxes(digits, torch.tensor([[0, 0], [5, 7]]))
    assert boxes.tolist() == [[4, 19, 9, 14], [15, 15, 10, 31]]


def test_canvas_cnn_shapes_and_last_relu():
    model = localisation.canvas_cnn(classes=3).eval()
    x = torch.rand(2, 1, 48, 48)
    assert model(x).shape == (2, 3)
    assert isinstance(model[localisation.LAST_RELU], torch.nn.ReLU)
    maps = model[: localisation.LAST_RELU + 1](x)
    assert maps.shape == (2, 64, 12, 12) and maps.min() >= 0
    assert isinstance(model[localisation.LAST_RELU - 2], torch.nn.Conv2d)  # the last conv


def test_upsample_and_peak_in_box():
    heat = np.zeros((3, 12, 12), dtype=np.float32)
    heat[0, 2, 3] = 1.0  # cell (2, 3) covers pixels 8..11 x 12..15
    heat[1, 11, 11] = 1.0
    heat[2, 5, 5] = 1.0
    big = localisation.upsample(heat)
    assert big.shape == (3, 48, 48)
    assert np.unravel_index(big[0].argmax(), (48, 48)) in {(9, 13), (9, 14), (10, 13), (10, 14)}
    boxes = torch.tensor([[8, 11, 12, 15], [0, 20, 0, 20], [20, 23, 20, 23]])
    assert localisation.peak_in_box(heat, boxes).tolist() == [True, False, True]
    assert localisation.upsample(heat[:1], 24).shape == (1, 24, 24)


def test_train_canvas_cnn_names_digits_and_grad_cam_finds_them(monkeypatch, tmp_path):
    """The recipe in miniature: 600 training digits, 2 epochs (the lesson: 4,000 and 4)."""
    split = data.mnist_split()
    small = data.Split(
        data.Digits(split.train.images[:600], split.train.labels[:600]), split.val, split.test
    )
    monkeypatch.setattr(localisation.data, "mnist_split", lambda: small)
    monkeypatch.setattr(localisation, "CANVAS_EPOCHS", 2)
    monkeypatch.setattr(localisation.cnn, "CACHE_DIR", tmp_path)
    model = interpret_experiments.pretrained_canvas_cnn(seed=0)  # runs train_canvas_cnn, caches
    assert not model.training and len(list(tmp_path.glob("canvas_cnn_*.pt"))) == 1
    cached = interpret_experiments.pretrained_canvas_cnn(seed=0)  # loads, does not train again
    for a, b in zip(model.state_dict().values(), cached.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    x, y = cnn.mnist_tensors(split.val)
    canvases, corners = localisation.paste_digits(x[:200], torch.Generator().manual_seed(1))
    with torch.no_grad():
        accuracy = (model(canvases).argmax(dim=1) == y[:200]).float().mean()
    assert accuracy > 0.3  # well above chance (0.1) after a short run
    heat = interpret.grad_cam(model, canvases, localisation.LAST_RELU, y[:200])
    hits = localisation.peak_in_box(heat, localisation.ink_boxes(x[:200], corners)).mean()
    assert hits > 0.2  # chance is about 0.13
