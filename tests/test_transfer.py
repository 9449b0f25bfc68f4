"""Lesson 10's library: what the lesson writes (course_lib.transfer) and its experiment drivers."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import cnn, data, training, transfer
from course_lib import transfer_experiments as experiments


@pytest.fixture(scope="module")
def digits():
    split = data.mnist_split()
    return cnn.mnist_tensors(split.train), cnn.mnist_tensors(split.val)


def test_autoencoder_shapes_and_range():
    torch.manual_seed(0)
    ae = transfer.AutoEncoder(code=3, hidden=16)
    x = torch.rand(4, 1, 28, 28)
    assert ae.encoder(x).shape == (4, 3) and ae(x).shape == x.shape
    assert ae(x).min() > 0 and ae(x).max() < 1  # a sigmoid at the end
    assert ae.decoder(torch.zeros(2, 3)).shape == (2, 784)


def test_an_autoencoder_trains_with_fit(digits):
    (x, _), (x_val, _) = digits
    torch.manual_seed(0)
    ae = transfer.AutoEncoder(code=4, hidden=32)
    history = training.fit(ae, x[:300], x[:300], epochs=4, batch_size=32, lr=3e-3,
                           loss_fn=F.mse_loss, x_val=x_val[:100], y_val=x_val[:100])  # fmt: skip
    assert history["val_loss"][-1] < 0.7 * history["val_loss"][0]


def test_corrupt_noises_the_input_and_keeps_the_target():
    x = torch.full((3, 1, 4, 4), 0.5)
    noisy, target = transfer.corrupt(x, x, torch.Generator().manual_seed(0), noise=2.0)
    assert target is x and noisy.shape == x.shape and not torch.equal(noisy, x)
    assert noisy.min() == 0 and noisy.max() == 1  # clipped
    again, _ = transfer.corrupt(x, x, torch.Generator().manual_seed(0), noise=2.0)
    assert torch.equal(noisy, again)
    assert torch.equal(transfer.corrupt(x, x, torch.Generator(), noise=0.0)[0], x)


def blobs(n: int, seed: int = 0):
    """Two Gaussian blobs in 2-D: x (n, 2), labels (n,)."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    return torch.randn(n, 2, generator=generator) + 3 * y[:, None].float(), y


def test_early_stopping_keeps_the_best_epoch_and_stops_after_patience():
    x, y = blobs(40)
    x_val, y_val = blobs(200, seed=1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 2))
    history = transfer.fit_early_stopping(model, x, y, x_val, y_val, patience=3, epoch_size=40)
    best = int(np.argmin(history["val_loss"]))
    assert len(history["val_loss"]) == best + 1 + 3 or len(history["val_loss"]) == 200
    kept = training.evaluate(model, x_val, y_val, F.cross_entropy)["loss"]
    assert kept == pytest.approx(min(history["val_loss"]), rel=1e-6)
    assert set(history) == {"loss", "val_loss", "val_acc"}


def test_early_stopping_repeats_few_examples_to_fill_an_epoch():
    x, y = blobs(4)
    x_val, y_val = blobs(20, seed=1)
    model = nn.Linear(2, 2)
    history = transfer.fit_early_stopping(model, x, y, x_val, y_val, max_epochs=2, patience=5,
                                          epoch_size=64, batch_size=8)  # fmt: skip
    assert len(history["loss"]) == 2  # each epoch: 4 examples x 16 = 64, 8 steps of 8


def test_early_stopping_gives_back_the_start_when_nothing_improves():
    x, y = blobs(40)
    model = nn.Linear(2, 2)
    with torch.no_grad():
        model.weight.zero_(), model.bias.zero_()  # p = 1/2 everywhere: loss ln 2
    start = {k: v.clone() for k, v in model.state_dict().items()}
    before = training.evaluate(model, x, 1 - y, F.cross_entropy)["loss"]
    # validation labels the other way round: every epoch of training makes them worse
    history = transfer.fit_early_stopping(model, x, y, x, 1 - y, patience=2, epoch_size=40)
    assert len(history["val_loss"]) == 2 and min(history["val_loss"]) > before
    assert all(torch.equal(start[k], v) for k, v in model.state_dict().items())


def test_early_stopping_is_seeded():
    x, y = blobs(30)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 2))
        runs.append(transfer.fit_early_stopping(model, x, y, x, y, max_epochs=5, seed=3))
    assert runs[0] == runs[1]


def test_greedy_pretrain_trains_each_layer_on_the_codes_below(digits):
    (x, _), _ = digits
    rows = x[:300].flatten(1)
    layers = transfer.greedy_pretrain(rows, (784, 16, 8), epochs=2)
    assert [tuple(layer.weight.shape) for layer in layers] == [(16, 784), (8, 16)]
    torch.manual_seed(0)
    untrained = nn.Linear(784, 16)
    decoder = nn.Linear(16, 784)

    def error(encoder):
        with torch.no_grad():
            return F.mse_loss(decoder(torch.relu(encoder(rows))), rows).item()

    assert error(layers[0]) != error(untrained)  # the first layer has moved


def test_stacked_classifier_copies_the_layers(digits):
    (x, _), _ = digits
    layers = [nn.Linear(784, 16), nn.Linear(16, 8)]
    model = transfer.stacked_classifier(layers, 10)
    assert model(x[:3]).shape == (3, 10)
    assert [type(m).__name__ for m in model] == ["Flatten", "Linear", "ReLU", "Linear", "ReLU",
                                                  "Linear"]  # fmt: skip
    torch.testing.assert_close(model[3].bias, layers[1].bias)
    with torch.no_grad():
        model[1].weight.zero_()
    assert layers[0].weight.abs().sum() > 0  # a copy, not the same tensor


def test_transfer_model_freezes_a_copy_of_the_base():
    source = cnn.mnist_cnn(5)
    model = transfer.transfer_model(source, 7, cnn.mnist_cnn(3)[7:])
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 3)
    assert not any(p.requires_grad for p in model[0].parameters())
    assert all(p.requires_grad for p in model[1].parameters())
    assert all(p.requires_grad for p in source.parameters())  # the source is untouched
    before = [p.clone() for p in model[0].parameters()]
    training.fit(model, torch.rand(8, 1, 28, 28), torch.arange(8) % 3, epochs=1, batch_size=4)
    assert all(torch.equal(a, b) for a, b in zip(before, model[0].parameters(), strict=True))


def test_fine_tuning_groups_unfreeze_the_base_with_its_own_rate():
    model = transfer.transfer_model(cnn.mnist_cnn(5), 7, cnn.mnist_cnn(5)[7:])
    optimiser = torch.optim.Adam(transfer.fine_tuning_groups(model, 1e-4, 1e-3))
    assert [g["lr"] for g in optimiser.param_groups] == [1e-4, 1e-3]
    assert all(p.requires_grad for p in model.parameters())
    assert sum(len(g["params"]) for g in optimiser.param_groups) == len(list(model.parameters()))
    before = model[0][0].weight.clone()
    training.fit(model, torch.rand(8, 1, 28, 28), torch.arange(8) % 5, epochs=1,
                 optimiser=optimiser)  # fmt: skip
    assert not torch.equal(before, model[0][0].weight)


# --- transfer_experiments ---------------------------------------------------------------------


def test_digit_task_renumbers_and_keeps_the_split():
    task = experiments.digit_task((5, 7))
    split = data.mnist_split()
    assert len(task.y) == np.isin(split.train.labels, (5, 7)).sum()
    assert set(task.y.tolist()) == {0, 1} and set(task.y_test.tolist()) == {0, 1}
    assert task.x.shape[1:] == (1, 28, 28) and len(task.x_val) == len(task.y_val)
    with pytest.raises(ValueError, match=r"digits \[11\] do not occur"):
        experiments.digit_task((11,))


def test_labelled_subset_is_stratified_and_seeded():
    labels = np.repeat(np.arange(3), 10)
    idx = experiments.labelled_subset(labels, 4, seed=1)
    assert np.array_equal(np.bincount(labels[idx]), [4, 4, 4])
    assert np.array_equal(idx, experiments.labelled_subset(labels, 4, seed=1))
    assert not np.array_equal(idx, experiments.labelled_subset(labels, 4, seed=2))
    with pytest.raises(ValueError, match=r"per_class must be in \[1, 10\], got 11"):
        experiments.labelled_subset(labels, 11, seed=0)


def test_nearest_neighbour_accuracy():
    codes = np.array([[0.0, 0.0], [10.0, 10.0]])
    query = np.array([[1.0, 0.0], [9.0, 9.0], [0.0, 1.0]])
    accuracy = experiments.nearest_neighbour_accuracy(codes, [0, 1], query, [0, 1, 1])
    assert accuracy == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"must be \(n, k\) and \(m, k\), got \(2, 2\) and \(3,\)"):
        experiments.nearest_neighbour_accuracy(codes, [0, 1], np.zeros(3), [0, 1, 1])


def test_feature_extraction_trains_the_head_on_features_only():
    task = experiments.digit_task((5, 6))
    source = cnn.mnist_cnn(5)
    idx = experiments.labelled_subset(task.y.numpy(), 2, seed=0)
    model = experiments.train_feature_extraction(source, 7, task, idx, seed=0)
    torch.testing.assert_close(model[0][0].weight, source[0].weight)
    assert model[1][-1].out_features == 2
    assert 0 <= experiments.task_accuracy(model, task) <= 1


def test_fine_tuning_moves_the_base(monkeypatch):
    short = experiments.fit_early_stopping
    monkeypatch.setattr(
        experiments, "fit_early_stopping", lambda *a, **k: short(*a, **k, max_epochs=2)
    )
    task = experiments.digit_task((5, 6))
    source = cnn.mnist_cnn(5)
    idx = experiments.labelled_subset(task.y.numpy(), 2, seed=0)
    model = experiments.train_feature_extraction(source, 7, task, idx, seed=0)
    with torch.no_grad():
        model[1][-1].weight.mul_(-1)  # a bad head: fine-tuning has something to improve
    tuned = experiments.train_fine_tuning(model, task, idx, seed=0)
    assert not torch.equal(tuned[0][0].weight, source[0].weight)


def small_split(per_class: int = 3) -> data.Split:
    """A few digits of every class from each part of the split: sweeps that run in seconds."""
    parts = []
    for part in data.mnist_split():
        idx = experiments.labelled_subset(part.labels, per_class, seed=0)
        parts.append(data.Digits(part.images[idx], part.labels[idx]))
    return data.Split(*parts)


@pytest.fixture
def quick(monkeypatch):
    """Early stopping cut to two epochs."""
    short = experiments.fit_early_stopping
    monkeypatch.setattr(
        experiments, "fit_early_stopping", lambda *a, **k: short(*a, **{**k, "max_epochs": 2})
    )


def test_new_head_and_random_base_are_seeded_parts_of_mnist_cnn():
    head = experiments.new_head(experiments.CUT, classes=3, seed=0)
    assert [type(m) for m in head] == [type(m) for m in cnn.mnist_cnn(3)[experiments.CUT :]]
    assert head[-1].out_features == 3
    torch.testing.assert_close(
        head[-1].weight, experiments.new_head(experiments.CUT, classes=3, seed=0)[-1].weight
    )
    base, again, other = (experiments.random_base(s) for s in (0, 0, 1))
    assert not base.training and torch.equal(base[0].weight, again[0].weight)
    assert not torch.equal(base[0].weight, other[0].weight)


def test_train_from_scratch_with_and_without_shifts(quick):
    task = experiments.digit_task((5, 6), small_split())
    idx = experiments.labelled_subset(task.y.numpy(), 2, seed=0)
    plain = experiments.train_from_scratch(task, idx, seed=0)
    shifted = experiments.train_from_scratch(task, idx, seed=0, shifts=True)
    assert plain[-1].out_features == 2
    assert not torch.equal(plain[0].weight, shifted[0].weight)  # other batches, other weights


def test_transfer_sweep_runs_every_method_and_repeats(quick):
    task = experiments.digit_task((5, 6), small_split())
    source = experiments.random_base(0)
    curves = experiments.transfer_sweep(source, task, (1, 2), (0,))
    assert set(curves) == set(experiments.METHODS)
    assert all(acc.shape == (2, 1) and ((acc >= 0) & (acc <= 1)).all() for acc in curves.values())
    again = experiments.sweep_runs(source, task, 2, seed=0)
    assert all(again[k] == curves[k][1, 0] for k in curves)


def test_cut_sweep_cuts_pretrained_and_random_bases(quick):
    task = experiments.digit_task((5, 6), small_split())
    cuts = experiments.cut_sweep(experiments.random_base(0), task, per_class=1, seeds=(0, 1))
    assert set(cuts) == {(w, k) for w in experiments.CUTS for k in ("pretrained", "random")}
    assert all(acc.shape == (2,) for acc in cuts.values())


def test_greedy_comparison_starts_from_the_layers_and_from_random(quick):
    split = small_split()
    layers = [nn.Linear(784, 8), nn.Linear(8, 4)]
    results = experiments.greedy_comparison(layers, split, per_class=(1,), seeds=(0, 1))
    assert set(results) == {1} and set(results[1]) == {"random start", "pretrained"}
    assert all(acc.shape == (2,) and ((acc >= 0) & (acc <= 1)).all() for acc in results[1].values())


def test_shipped_source_network_and_tables_load():
    source = experiments.source_cnn()
    assert not source.training and source[-1].out_features == len(experiments.SOURCE_DIGITS)
    old_task = experiments.digit_task(experiments.SOURCE_DIGITS)
    assert experiments.task_accuracy(source, old_task) > 0.95
    shape = (len(experiments.PER_CLASS), len(experiments.SEEDS))
    curves = experiments.shipped_transfer_sweep()
    assert list(curves) == list(experiments.METHODS)
    assert all(acc.shape == shape and ((acc > 0.2) & (acc <= 1)).all() for acc in curves.values())
    cuts = experiments.shipped_cut_sweep()
    assert set(cuts) == {(w, k) for w in experiments.CUTS for k in ("pretrained", "random")}
    assert all(acc.shape == (len(experiments.SEEDS),) for acc in cuts.values())


def test_one_cell_of_the_shipped_table_is_reproduced():
    """Seed 0 at one label per class, recomputed on the shipped source: within 4 points."""
    task = experiments.digit_task(experiments.TARGET_DIGITS)
    runs = experiments.sweep_runs(experiments.source_cnn(), task, per_class=1, seed=0)
    shipped = experiments.shipped_transfer_sweep()
    for name, accuracy in runs.items():
        assert abs(accuracy - shipped[name][0, 0]) <= 0.04, name


@pytest.mark.slow
def test_the_recipe_rebuilds_the_shipped_results(tmp_path, monkeypatch):
    """`make transfer-results` on two seeds (train_source_cnn, then both sweeps): the source
    network within a point of the shipped one on the digits 0-4, every sweep's accuracy within
    3 points of the shipped table."""
    monkeypatch.setattr(experiments, "SEEDS", experiments.SEEDS[:2])
    digests = experiments.rebuild_transfer_results(tmp_path)
    assert set(digests) == set(experiments.SHIPPED)
    source = experiments.cnn.mnist_cnn(len(experiments.SOURCE_DIGITS))
    weights = tmp_path / experiments.SHIPPED[0]
    source.load_state_dict(torch.load(weights, weights_only=True))
    old_task = experiments.digit_task(experiments.SOURCE_DIGITS)
    shipped_accuracy = experiments.task_accuracy(experiments.source_cnn(), old_task)
    assert abs(experiments.task_accuracy(source, old_task) - shipped_accuracy) <= 0.01
    curves = json.loads((tmp_path / experiments.SHIPPED[1]).read_text())
    for name, acc in experiments.shipped_transfer_sweep().items():
        np.testing.assert_allclose(curves[name], acc[:, :2], atol=0.03, err_msg=name)
    cuts = json.loads((tmp_path / experiments.SHIPPED[2]).read_text())
    for (where, kind), acc in experiments.shipped_cut_sweep().items():
        np.testing.assert_allclose(cuts[f"{where}|{kind}"], acc[:2], atol=0.03)


def test_first_of_the_rest():
    assert experiments.first_of_the_rest([False, True, True]) == 1
    assert experiments.first_of_the_rest([True, False, True]) == 2
    assert experiments.first_of_the_rest([True, True]) == 0
    assert experiments.first_of_the_rest([True, False]) == 2
