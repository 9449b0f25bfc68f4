import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib import training
from course_lib import training_experiments as tx
from course_lib.tensors import numerical_gradient

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_training.ipynb"

# --- fit, evaluate and accuracy (used by later lessons) ---


def test_accuracy_counts_argmax_matches():
    assert training.accuracy([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], [1, 0, 0]) == pytest.approx(
        2 / 3
    )
    with pytest.raises(ValueError, match="logits must be"):
        training.accuracy([0.1, 0.9], [1])


def test_fit_learns_a_separable_problem():
    torch.manual_seed(0)
    x = torch.randn(200, 2)
    y = (x[:, 0] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    history = training.fit(model, x, y, epochs=20, lr=0.05, x_val=x, y_val=y)
    assert history["loss"][-1] < history["loss"][0] and history["val_acc"][-1] > 0.95
    assert len(history["val_loss"]) == 20 and not model.training


def test_fit_hooks_change_the_loss_and_the_batches():
    x = torch.randn(64, 3)
    seen = []

    def transform(xb, yb, generator):
        seen.append(len(xb))
        return xb + torch.randn(xb.shape, generator=generator), xb  # corrupt x, target clean

    model = torch.nn.Linear(3, 3)
    history = training.fit(
        model, x, x, epochs=2, batch_size=16, loss_fn=F.mse_loss, transform=transform, x_val=x,
        y_val=x,
    )  # fmt: skip
    assert seen == [16] * 8 and set(history) == {"loss", "val_loss"}  # no accuracy for images


def test_fit_is_repeatable_and_takes_an_optimiser():
    def run(optimiser=None):
        torch.manual_seed(0)
        model = torch.nn.Linear(2, 2)
        x, y = torch.randn(50, 2), torch.randint(0, 2, (50,))
        if optimiser:
            optimiser = optimiser(model.parameters(), lr=0.1)
        return training.fit(model, x, y, epochs=3, optimiser=optimiser, seed=3)["loss"]

    assert run() == run()
    assert run(torch.optim.SGD) != run()


def test_evaluate_scores_labels_and_images():
    model = nn.Linear(3, 3)
    x = torch.randn(10, 3)
    labels = training.evaluate(model, x, torch.zeros(10, dtype=torch.long), F.cross_entropy)
    images = training.evaluate(model, x, x, F.mse_loss)
    assert set(labels) == {"loss", "acc"} and set(images) == {"loss"} and not model.training


@pytest.mark.parametrize(
    ("value", "quiet"), [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_progress_disabled_reads_tqdm_disable(monkeypatch, value, quiet):
    monkeypatch.setenv("TQDM_DISABLE", value)
    assert training.progress_disabled() is quiet


# --- optimisers ---


def random_quadratic(seed, dim=5):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(dim, dim))
    a, b = q @ q.T + np.eye(dim), rng.normal(size=dim)
    return (lambda theta: a @ theta - b), rng.normal(size=dim)


CASES = [
    (lambda: training.SGD(0.03), torch.optim.SGD, {"lr": 0.03}),
    (lambda: training.Momentum(0.02), torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    (lambda: training.Momentum(0.05, mu=0.5), torch.optim.SGD, {"lr": 0.05, "momentum": 0.5}),
    (lambda: training.RMSprop(0.01), torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}),
    (
        lambda: training.RMSprop(0.003, rho=0.99, eps=1e-6),
        torch.optim.RMSprop,
        {"lr": 0.003, "alpha": 0.99, "eps": 1e-6},
    ),
    (lambda: training.Adam(), torch.optim.Adam, {}),
    (lambda: training.Adam(0.05, 0.8, 0.99), torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99)}),
]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("make", "torch_class", "hyper"), CASES)
def test_numpy_optimisers_match_torch_for_30_steps(seed, make, torch_class, hyper):
    grad_fn, start = random_quadratic(seed)
    ours = training.trajectory(make(), grad_fn, start, 30)
    theirs = tx.torch_trajectory(torch_class, hyper, grad_fn, start, 30)
    assert ours.shape == (31, 5)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("make", "torch_class", "hyper"), CASES)
def test_step_updates_several_arrays_like_torch(make, torch_class, hyper):
    rng = np.random.default_rng(7)
    params = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    optimiser, torch_optimiser = make(), torch_class(tensors, **hyper)
    for _ in range(20):
        grads = [np.sin(3 * p) + p for p in params]  # a non-quadratic gradient field
        for t in tensors:  # the same field at torch's own point
            t.grad = torch.from_numpy(np.sin(3 * t.detach().numpy()) + t.detach().numpy())
        optimiser.step(params, grads)
        torch_optimiser.step()
    assert optimiser.t == 20 and len(optimiser.state) == 2
    for p, t in zip(params, tensors, strict=True):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-12)


def test_adam_first_step_has_length_lr_whatever_the_gradient():
    for g in (1e-3, 1.0, 1e3):
        theta = np.zeros(2)
        training.Adam(0.1).step([theta], [np.array([g, -g])])
        np.testing.assert_allclose(theta, [-0.1, 0.1], rtol=1e-4)


def test_trajectory_applies_the_schedule_at_each_step():
    path = training.trajectory(
        training.SGD(123.0), lambda t: t, np.array([1.0]), 3, lambda t: 0.5 / t
    )
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.5 * (1 - 0.25), 0.375 * (1 - 0.5 / 3)])
    scheduled = training.trajectory(
        training.Adam(1.0), lambda t: t, np.array([1.0, -2.0]), 10, lambda t: 0.1 / math.sqrt(t)
    )
    lambda_lr = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam([lambda_lr], lr=0.1)
    decay = torch.optim.lr_scheduler.LambdaLR(adam, lambda epoch: 1 / math.sqrt(epoch + 1))
    for k in range(10):
        lambda_lr.grad = lambda_lr.detach().clone()
        adam.step()
        decay.step()
        np.testing.assert_allclose(scheduled[k + 1], lambda_lr.detach().numpy(), atol=1e-12)


# --- initialisation ---


@pytest.mark.parametrize(
    ("scheme", "std"),
    [("seed004", 0.001), ("xavier", math.sqrt(2 / 600)), ("he", math.sqrt(2 / 400))],
)
def test_init_std(scheme, std):
    assert training.init_std(scheme, 400, 200) == pytest.approx(std)


def test_init_std_names_the_schemes():
    with pytest.raises(ValueError, match=r"scheme must be one of \['seed004', 'xavier', 'he'\]"):
        training.init_std("lecun", 4, 4)


def test_relu_mlp_structure_weights_and_dropout():
    model = training.relu_mlp([4, 8, 3], "seed004", seed=5, dropout=(0.8, 0.5))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Flatten", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert model[1].p == pytest.approx(0.2) and model[4].p == pytest.approx(0.5)
    w = np.random.default_rng(5).normal(0.0, 0.001, size=(8, 4))
    np.testing.assert_allclose(model[2].weight.detach().numpy(), w, rtol=1e-6)
    assert torch.all(model[2].bias == 0.01) and torch.all(model[5].bias == 0.01)
    he = training.relu_mlp([784, 400, 10], "he")
    assert [type(m).__name__ for m in he] == ["Flatten", "Linear", "ReLU", "Linear"]
    assert he[1].weight.std().item() == pytest.approx(math.sqrt(2 / 784), rel=0.02)
    assert torch.all(he[1].bias == 0) and he(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_seed004_start_leaves_identical_float32_outputs():
    x = torch.rand(64, 1, 28, 28)
    deep = [784] + [64] * 7 + [10]
    tiny = tx.layer_outputs(training.relu_mlp(deep, "seed004"), x)
    he = tx.layer_outputs(training.relu_mlp(deep, "he"), x)
    assert len(tiny) == 8 and tiny[0].shape == (64, 64) and tiny[-1].shape == (64, 10)
    assert len(torch.unique(tiny[-1], dim=0)) == 1 and len(torch.unique(he[-1], dim=0)) == 64
    grads = tx.layer_grad_norms(training.relu_mlp(deep, "seed004"), x, torch.arange(64) % 10)
    assert grads.shape == (8,) and grads[0] < 1e-12 < grads[-1]


# --- over-fitting and regularisation ---


def test_early_stopping_epoch():
    losses = [1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 0.95]
    assert training.early_stopping_epoch(losses, patience=3) == (2, 5)
    assert training.early_stopping_epoch([3.0, 2.0, 1.0], patience=2) == (2, 2)
    assert training.early_stopping_epoch([1.0, 2.0, 3.0], patience=1) == (0, 1)


@pytest.mark.parametrize("keep", [0.8, 0.5])
def test_inverted_dropout_keeps_the_expected_activation(keep):
    rng = np.random.default_rng(0)
    z = np.array([0.5, 1.0, 2.0, 3.0])
    outs = np.array([training.dropout(z, keep, rng) for _ in range(20_000)])
    kept = outs != 0
    np.testing.assert_allclose(outs[kept], np.broadcast_to(z / keep, outs.shape)[kept])
    assert abs(kept.mean() - keep) < 0.01
    np.testing.assert_allclose(outs.mean(axis=0), z, rtol=0.03)
    assert np.array_equal(training.dropout(z, 1.0, rng), z)


def test_dropout_matches_torch_convention():
    torch.manual_seed(0)
    z = torch.rand(1000, 8, dtype=torch.float64) + 0.1
    out = torch.nn.Dropout(p=1 - 0.8)(z)
    mask = (out != 0).double()
    np.testing.assert_allclose(out.numpy(), (z * mask / 0.8).numpy(), rtol=1e-12)
    assert abs(mask.mean().item() - 0.8) < 0.02


# --- choosing on validation data ---


def test_search_points_cover_the_ranges_in_log_space():
    grid = training.grid_search_points([(1e-3, 1.0), (1e-5, 1e-1)], per_axis=3)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(np.unique(grid[:, 0]), [1e-3, 10**-1.5, 1.0])
    np.testing.assert_allclose(np.unique(grid[:, 1]), [1e-5, 1e-3, 1e-1])
    assert len({tuple(p) for p in grid}) == 9
    ranges = [(1e-3, 1.0), (1e-5, 1e-1), (2.0, 8.0)]
    points = training.random_search_points(ranges, 50, np.random.default_rng(0))
    assert points.shape == (50, 3) and len(np.unique(points[:, 0])) == 50
    for k, (low, high) in enumerate(ranges):
        assert np.all((points[:, k] >= low) & (points[:, k] <= high))
    assert np.mean(points[:, 0] < 10**-1.5) == pytest.approx(0.5, abs=0.2)  # log-uniform


def test_kfold_indices_partition_the_data():
    folds = training.kfold_indices(103, 5, np.random.default_rng(0))
    assert len(folds) == 5
    validation = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(validation), np.arange(103))
    for train, val in folds:
        assert len(val) in (20, 21) and len(train) + len(val) == 103
        assert not set(train) & set(val)


# --- experiment drivers ---


@pytest.mark.parametrize("surface", [tx.bowl, tx.rosenbrock])
def test_surfaces_gradients_match_finite_differences(surface):
    theta = np.array([0.3, -0.7])
    _, grad = surface(theta)
    np.testing.assert_allclose(
        grad, numerical_gradient(lambda t: float(surface(t)[0]), theta), rtol=1e-6, atol=1e-6
    )
    values, grads = surface(np.zeros((4, 3, 2)))
    assert values.shape == (4, 3) and grads.shape == (4, 3, 2)


def test_surface_minima_and_contour_grid():
    assert tx.bowl(np.zeros(2))[0] == 0 and tx.rosenbrock(np.ones(2))[0] == 0
    xs, ys, levels = tx.contour_grid(tx.rosenbrock, (-2, 2), (-1, 3), resolution=30)
    assert xs.shape == ys.shape == levels.shape == (30, 30) and np.all(levels >= 0)


def test_noisy_gradient_has_the_asked_spread():
    grad = tx.noisy(lambda t: np.zeros_like(t), 2.0, np.random.default_rng(0))
    draws = np.array([grad(np.zeros(2)) for _ in range(5000)])
    assert abs(draws.std() - 2.0) < 0.05 and abs(draws.mean()) < 0.1


def test_gradient_noise_falls_with_the_batch_size():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = torch.randn(200, 5), torch.randint(0, 3, (200,))
    noise = tx.gradient_noise(model, x, y, [1, 16, 200], draws=20)
    assert noise[1] > 2 * noise[16] and noise[200] < 1e-6


def test_corrupt_labels_moves_the_asked_fraction_to_other_classes():
    labels = torch.arange(200) % 10
    noisy, wrong = tx.corrupt_labels(labels, 0.3, np.random.default_rng(0))
    assert wrong.sum() == 60 and torch.all(noisy[wrong] != labels[wrong])
    assert torch.equal(noisy[~wrong], labels[~wrong]) and torch.equal(
        labels, torch.arange(200) % 10
    )


def test_fit_recorded_records_every_epoch_and_the_probes():
    torch.manual_seed(0)
    x, y = torch.randn(60, 4), torch.randint(0, 3, (60,))
    model, again = nn.Linear(4, 3), nn.Linear(4, 3)
    again.load_state_dict(model.state_dict())
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    record = tx.fit_recorded(
        model, x, y, sgd, 3, x[:20], y[:20], probes={"norm": lambda m: m.weight.norm().item()},
        batch_size=16,
    )  # fmt: skip
    assert set(record) == {"loss", "val_loss", "val_acc", "train_loss", "train_acc", "norm"}
    assert all(len(values) == 3 for values in record.values())
    first = training.fit(again, x, y, epochs=1, batch_size=16, optimiser=torch.optim.SGD(
        again.parameters(), lr=0.1))  # fmt: skip
    assert record["loss"][0] == first["loss"][0]  # epoch 1 is fit's epoch with seed 0


def test_batch_regime_counts_examples_and_steps_and_scores_each_slice():
    torch.manual_seed(0)
    x, y = torch.randn(100, 4), torch.randint(0, 3, (100,))
    model = nn.Linear(4, 3)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    record = tx.batch_regime(model, x, y, sgd, 8, 2, 30, x[:20], y[:20])
    assert list(record["examples"]) == [0, 30, 60, 90, 100, 130, 160, 190, 200]
    assert list(record["steps"]) == [0, 4, 8, 12, 14, 18, 22, 26, 28]  # 4 + 4 + 4 + 2 an epoch
    assert len(record["val_loss"]) == 9 and record["val_loss"][-1] < record["val_loss"][0]


def test_epoch_seconds_times_the_lessons_network_and_bench_lists_it():
    from course_lib import build

    assert tx.epoch_seconds(1000, n=200, repeats=1) > 0
    assert build.batch_epoch_seconds(1000) > 0 and torch.get_num_threads() == 1
    assert sum(name.startswith("04_training: one epoch") for name in build.MEASUREMENTS) == 3


def test_path_plots_draw_each_path_over_the_contours_with_one_legend():
    import matplotlib.pyplot as plt

    grid = tx.contour_grid(tx.bowl, (-2.0, 2.0), (-1.0, 1.0), resolution=20)
    paths = {"a": np.array([[-1.5, 0.5], [-1.0, 0.2], [0.0, 0.0]]), "b": np.zeros((2, 2))}
    fig, (ax_alone, ax_path, ax_loss) = plt.subplots(1, 3)
    tx.plot_paths(ax_alone, grid, paths, mark_start=False)
    assert [line.get_label() for line in ax_alone.lines] == ["a", "b", "minimum"]
    assert list(ax_alone.lines[0].get_xdata()) == [-1.5, -1.0, 0.0]
    assert ax_alone.get_xlim() == (-2.0, 2.0) and ax_alone.get_xlabel() == r"$\theta_1$"
    tx.draw_walks(ax_path, ax_loss, grid, paths, {name: tx.bowl(p)[0] for name, p in paths.items()})
    assert [line.get_label() for line in ax_path.lines] == ["a", "b", "minimum", "start"]
    assert ax_path.get_legend() is None  # one legend, beside the loss panel, for both
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert legend == ["a", "b", "minimum", "start"] and ax_loss.get_yscale() == "log"
    assert ax_loss.lines[0].get_color() == ax_path.lines[0].get_color()
    plt.close(fig)


def test_per_layer_and_search_plots_label_their_axes_and_series():
    import matplotlib.pyplot as plt

    fig, (ax_layer, ax_where, ax_lr) = plt.subplots(1, 3)
    tx.draw_per_layer(ax_layer, {"he": np.ones(4), "tiny": 10.0 ** -np.arange(4)}, "std", "signal")
    assert [line.get_label() for line in ax_layer.lines] == ["he", "tiny"]
    assert list(ax_layer.lines[1].get_xdata()) == [1, 2, 3, 4] and ax_layer.get_yscale() == "log"
    assert (ax_layer.get_xlabel(), ax_layer.get_title()) == ("layer j", "signal")
    searches = {"grid": np.array([[1e-3, 1e-4], [1e-2, 1e-3]]), "random": np.array([[3e-3, 1e-2]])}
    tx.draw_search(fig, ax_where, ax_lr, searches, {"grid": np.array([0.5, 1.0]), "random": [0.4]})
    assert [len(c.get_offsets()) for c in ax_where.collections] == [2, 1]
    assert list(ax_lr.collections[0].get_offsets()[:, 1]) == [0.5, 1.0]
    assert ax_where.get_xscale() == ax_where.get_yscale() == ax_lr.get_xscale() == "log"
    assert ax_where.get_ylabel() == "weight decay λ" and ax_lr.get_ylabel() == "validation loss"
    assert len(fig.axes) == 4  # the colour bar
    plt.close(fig)


def test_drawing_helpers_label_their_series():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4)
    tx.draw_noise(axes[0], {1: 2.0, 4: 1.0, 16: 0.5}, 100)
    run = {"examples": np.array([0, 10, 20]), "steps": np.array([0, 1, 2]), "val_loss": np.ones(3)}
    tx.draw_batch_costs(axes[1], axes[2], {1: run, 10: run}, 1.0)
    tx.draw_epochs(axes[3], {"a": [1.0, 0.5]}, {"a": {"color": "k", "linestyle": "--"}}, "y", "t")
    labels = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in axes[:3]]
    assert labels[0][0] == "measured" and labels[1] == labels[2] == ["B = 1", "B = 10"]
    assert axes[3].lines[0].get_linestyle() == "--"
    plt.close(fig)


def test_train_epoch_is_one_epoch_of_fit():
    torch.manual_seed(0)
    x, y = torch.randn(50, 3), torch.randint(0, 2, (50,))
    model, again = nn.Linear(3, 2), nn.Linear(3, 2)
    again.load_state_dict(model.state_dict())
    history = training.fit(model, x, y, epochs=1, batch_size=8, lr=0.1, seed=4)
    adam = torch.optim.Adam(again.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(4)
    loss = training.train_epoch(again, x, y, 8, adam, F.cross_entropy, None, generator)
    assert loss == history["loss"][0] and again.training
    assert torch.equal(model.weight, again.weight)


# --- the lesson itself ---


def test_lesson_reads_the_test_split_only_in_its_last_section():
    cells = json.loads(LESSON.read_text(encoding="utf-8"))["cells"]
    text = ["".join(c["source"]) for c in cells]
    last = next(k for k, t in enumerate(text) if re.match(r"## \d+\. The test set, once", t))
    reads = [
        k for k, (c, t) in enumerate(zip(cells, text, strict=True))
        if c["cell_type"] == "code" and re.search(r"\.test\b", t)
    ]  # fmt: skip
    assert reads and min(reads) > last, f"cells {reads} read the test split before cell {last}"
    later = [t for t in text[last + 1 :] if re.match(r"## \d+\.", t)]
    assert not later, "the test-set section must be the lesson's last numbered section"
