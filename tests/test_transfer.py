import numpy as np
import pytest
import torch

from course_lib import cnn, data, transfer


@pytest.fixture(scope="module")
def pixels():
    train, _ = data.digits_split()
    return torch.from_numpy(train.images[:300].reshape(-1, 64))


def test_autoencoder_shapes():
    ae = transfer.autoencoder((64, 32, 2))
    x = torch.rand(5, 64)
    assert ae[0](x).shape == (5, 2) and ae[1](ae[0](x)).shape == (5, 64) and ae(x).shape == (5, 64)
    assert ae(x).min() >= 0 and ae(x).max() <= 1  # a sigmoid at the end


def test_reconstruction_loss_falls(pixels):
    ae = transfer.autoencoder((64, 16, 4), seed=1)
    before = transfer.reconstruction_error(ae, pixels)
    history = transfer.fit_reconstruction(ae, pixels, epochs=15, lr=3e-3)
    assert len(history) == 15 and history[-1] < 0.6 * history[0]
    assert transfer.reconstruction_error(ae, pixels) < 0.5 * before


def test_denoising_training_is_seeded(pixels):
    runs = [
        transfer.fit_reconstruction(
            transfer.autoencoder((64, 8), seed=0), pixels, epochs=2, noise=0.3, seed=4
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_corrupt_clips_and_checks_noise():
    x = torch.full((3, 4), 0.5)
    noisy = transfer.corrupt(x, 2.0, torch.Generator().manual_seed(0))
    assert noisy.shape == x.shape and noisy.min() >= 0 and noisy.max() <= 1
    assert not torch.equal(noisy, x) and transfer.corrupt(x, 0.0) is x
    with pytest.raises(ValueError, match="noise must be >= 0, got -1"):
        transfer.corrupt(x, -1)


def test_errors_for_bad_arguments(pixels):
    with pytest.raises(ValueError, match=r"sizes must be at least two positive ints, got \(64,\)"):
        transfer.autoencoder((64,))
    with pytest.raises(ValueError, match=r"target must have the shape of x \(300, 64\)"):
        transfer.reconstruction_error(transfer.autoencoder(), pixels, torch.zeros(3, 64))
    with pytest.raises(ValueError, match="need epochs >= 1"):
        transfer.fit_reconstruction(transfer.autoencoder(), pixels, epochs=0)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 32\), got \(300, 64\)"):
        transfer.greedy_pretrain(pixels, (32, 16))


def test_dense_stack_layout():
    stack = transfer.dense_stack((4, 3, 2), last_activation=False)
    assert [type(m).__name__ for m in stack] == ["Linear", "ReLU", "Linear"]


def test_greedy_pretrain_trains_each_layer_on_the_codes_below(pixels):
    layers, histories = transfer.greedy_pretrain(pixels, (64, 16, 8), epochs=5)
    assert [tuple(layer.weight.shape) for layer in layers] == [(16, 64), (8, 16)]
    assert all(h[-1] < h[0] for h in histories)


def test_deep_classifier_copies_pretrained_layers(pixels):
    layers, _ = transfer.greedy_pretrain(pixels, (64, 16, 8), epochs=1)
    model = transfer.deep_classifier((64, 16, 8), 10, layers, seed=3)
    assert model(pixels).shape == (300, 10)
    torch.testing.assert_close(model[0].weight, layers[0].weight)
    torch.testing.assert_close(model[2].bias, layers[1].bias)
    fresh = transfer.deep_classifier((64, 16, 8), 10, seed=3)
    assert not torch.equal(fresh[0].weight, layers[0].weight)


def test_deep_classifier_rejects_mismatched_layers(pixels):
    layers, _ = transfer.greedy_pretrain(pixels, (64, 16, 8), epochs=1)
    with pytest.raises(ValueError, match="pretrained must hold 3 layers, got 2"):
        transfer.deep_classifier((64, 16, 8, 4), 10, layers)
    with pytest.raises(
        ValueError, match=r"pretrained layer shape \(16, 64\) does not match \(12, 64\)"
    ):
        transfer.deep_classifier((64, 12, 8), 10, layers)


def test_labelled_subset_is_stratified_and_seeded():
    labels = np.repeat(np.arange(3), 10)
    idx = transfer.labelled_subset(labels, 4, seed=1)
    assert np.array_equal(np.bincount(labels[idx]), [4, 4, 4])
    assert np.array_equal(idx, transfer.labelled_subset(labels, 4, seed=1))
    with pytest.raises(ValueError, match=r"per_class must be in \[1, 10\], got 11"):
        transfer.labelled_subset(labels, 11)


def test_feature_extraction_keeps_the_base_frozen():
    pretrained = cnn.digit_cnn(5)
    model = transfer.transfer_model(pretrained, 5, frozen=True)
    base_before = [p.clone() for p in model[0].parameters()]
    head_before = [p.clone() for p in model[1].parameters()]
    x, y = torch.rand(40, 1, 8, 8), torch.arange(40) % 5
    transfer.train_steps(model, x, y, steps=20)
    assert all(torch.equal(a, b) for a, b in zip(base_before, model[0].parameters(), strict=True))
    assert all(
        not torch.equal(a, b) for a, b in zip(head_before, model[1].parameters(), strict=True)
    )
    assert transfer.count_trainable(model) == 128 * 64 + 64 + 64 * 5 + 5
    # the pretrained network is a different object, untouched
    assert all(p.requires_grad for p in pretrained.parameters())


def test_unfrozen_transfer_trains_the_base_and_cut_moves_the_split():
    model = transfer.transfer_model(cnn.digit_cnn(5), 3, frozen=False, cut=3)
    before = [p.clone() for p in model[0].parameters()]
    transfer.train_steps(model, torch.rand(30, 1, 8, 8), torch.arange(30) % 3, steps=5)
    assert not torch.equal(before[0], next(model[0].parameters()))
    assert len(model[0]) == 3 and model(torch.rand(2, 1, 8, 8)).shape == (2, 3)
    with pytest.raises(ValueError, match=r"cut must be in \[1, 9\], got 10"):
        transfer.transfer_model(cnn.digit_cnn(5), 3, cut=10)


def test_freeze_and_count_trainable():
    layer = torch.nn.Linear(3, 2)
    assert transfer.count_trainable(layer) == 8
    assert transfer.freeze(layer) is layer and transfer.count_trainable(layer) == 0


def test_train_steps_converts_steps_to_epochs():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 2))
    history = transfer.train_steps(model, torch.rand(64, 1, 8, 8), torch.arange(64) % 2, steps=10)
    assert len(history["loss"]) == 5  # 2 batches of 32 per epoch


def test_test_accuracy():
    model = torch.nn.Identity()
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert transfer.test_accuracy(model, x, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_select_classes_renumbers_labels():
    digits = data.Digits(np.zeros((4, 8, 8), np.float32), np.array([5, 7, 2, 9]))
    images, labels = transfer.select_classes(digits, (5, 6, 7, 8, 9))
    assert images.shape == (3, 1, 8, 8) and labels.tolist() == [0, 2, 4]
    with pytest.raises(ValueError, match=r"classes \[3\] do not occur"):
        transfer.select_classes(digits, (3,))


def test_transfer_curves_shapes_and_methods():
    train, test = data.digits_split()
    new_train, new_test = (
        transfer.select_classes(train, (5, 6)),
        transfer.select_classes(test, (5, 6)),
    )
    curves = transfer.transfer_curves(cnn.digit_cnn(2), new_train, new_test, (1, 2), (0,), steps=3)
    assert list(curves) == [*transfer.METHODS, transfer.CONTROL]
    assert all(acc.shape == (2, 1) and ((acc >= 0) & (acc <= 1)).all() for acc in curves.values())


def test_nearest_neighbour_accuracy():
    codes = np.array([[0.0, 0.0], [10.0, 10.0]])
    query = np.array([[1.0, 0.0], [9.0, 9.0], [0.0, 1.0]])
    assert transfer.nearest_neighbour_accuracy(codes, [0, 1], query, [0, 1, 1]) == pytest.approx(
        2 / 3
    )
    with pytest.raises(ValueError, match=r"must be \(n, k\) and \(m, k\), got \(2, 2\) and \(3,\)"):
        transfer.nearest_neighbour_accuracy(codes, [0, 1], np.zeros(3), [0, 1, 1])


@pytest.mark.parametrize(("dy", "dx"), [(1, 0), (0, -2), (-1, 1), (0, 0)])
def test_shift_images_moves_pixels_and_fills_zeros(dy, dx):
    images = np.arange(1, 2 * 4 * 5 + 1, dtype=float).reshape(2, 4, 5)
    shifted = transfer.shift_images(images, dy, dx)
    for r in range(4):
        for c in range(5):
            inside = 0 <= r - dy < 4 and 0 <= c - dx < 5
            assert shifted[1, r, c] == (images[1, r - dy, c - dx] if inside else 0)


def test_shift_images_errors():
    with pytest.raises(ValueError, match=r"images must be rank 3"):
        transfer.shift_images(np.zeros((4, 4)), 1, 1)
    with pytest.raises(ValueError, match="shifts must be smaller than the image 4x4, got dy=4"):
        transfer.shift_images(np.zeros((1, 4, 4)), 4, 0)


def test_transfer_methods_train_the_right_parts():
    import torch

    from course_lib import cnn, transfer

    torch.manual_seed(0)
    pretrained = cnn.digit_cnn(5)
    x, y = torch.rand(20, 1, 8, 8), torch.arange(20) % 5
    methods = transfer.transfer_methods(pretrained, classes=5, seed=0)
    assert list(methods) == list(transfer.METHODS)
    frozen = methods["feature extraction"](x, y, 4)
    assert torch.equal(frozen[0][0].weight, pretrained[0].weight)
    tuned = methods["fine-tuning"](x, y, 4)
    assert not torch.equal(tuned[0][0].weight, pretrained[0].weight)
    assert methods["from scratch"](x, y, 4)(x).shape == (20, 5)
