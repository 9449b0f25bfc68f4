import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import training
from course_lib.tensors import numerical_gradient as numeric_grad

# --- fit and accuracy (used by later lessons) ---


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


# --- losses ---


def test_losses_match_torch_and_autograd():
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    p = torch.tensor(pred, requires_grad=True)
    value, grad = training.l2_loss(pred, target)
    torch_value = 0.5 * 3 * F.mse_loss(p, torch.tensor(target))
    (torch_grad,) = torch.autograd.grad(torch_value, p)
    assert value == pytest.approx(torch_value.item())
    np.testing.assert_allclose(grad, torch_grad.numpy())
    value, grad = training.l1_loss(pred, target)
    torch_value = 3 * F.l1_loss(p, torch.tensor(target))
    (torch_grad,) = torch.autograd.grad(torch_value, p)
    assert value == pytest.approx(torch_value.item())
    np.testing.assert_allclose(grad, torch_grad.numpy())


def test_cross_entropy_gradient_is_p_minus_y_over_n():
    rng = np.random.default_rng(2)
    logits, labels = rng.normal(size=(4, 5)), np.array([0, 4, 2, 2])
    value, grad = training.cross_entropy(logits, labels)
    assert value == pytest.approx(
        F.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    )
    expected = (training.softmax(logits) - np.eye(5)[labels]) / 4
    np.testing.assert_allclose(grad, expected)
    np.testing.assert_allclose(
        grad, numeric_grad(lambda z: training.cross_entropy(z, labels)[0], logits), atol=1e-8
    )


def test_softmax_is_stable_and_normalised():
    probs = training.softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(probs, [[0.5, 0.5, 0.0]])


def test_losses_reject_bad_shapes_and_labels():
    with pytest.raises(ValueError, match=r"pred and target must both be \(n, m\)"):
        training.l2_loss(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="logits must be"):
        training.cross_entropy(np.zeros((2, 3)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\)"):
        training.cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


# --- standardisation ---


def test_standardisation_uses_training_statistics_only():
    rng = np.random.default_rng(3)
    x_train = rng.normal(5.0, 2.0, size=(50, 3))
    x_test = rng.normal(-1.0, 9.0, size=(20, 3))
    mu, sigma = training.standardisation_stats(x_train)
    np.testing.assert_allclose(mu, x_train.mean(axis=0))
    np.testing.assert_allclose(sigma, x_train.std(axis=0, ddof=1))  # seed 004: 1 / (N - 1)
    test_std = training.standardise(x_test, mu, sigma)
    np.testing.assert_allclose(test_std, (x_test - mu) / sigma)
    assert not np.allclose(test_std.mean(axis=0), 0)  # the test set is not re-centred
    mu_again, _ = training.standardisation_stats(x_train)
    np.testing.assert_array_equal(mu, mu_again)


def test_standardisation_keeps_constant_features_finite():
    x = np.column_stack([np.arange(5.0), np.full(5, 3.0)])
    mu, sigma = training.standardisation_stats(x)
    assert sigma[1] == 1.0
    np.testing.assert_allclose(training.standardise(x, mu, sigma)[:, 1], 0.0)


def test_standardisation_rejects_bad_shapes():
    with pytest.raises(ValueError, match="x_train must be"):
        training.standardisation_stats(np.zeros(5))
    with pytest.raises(ValueError, match="mu, sigma"):
        training.standardise(np.zeros((4, 3)), np.zeros(2), np.ones(2))


# --- mini-batches ---


def test_steps_per_epoch_rounds_up():
    assert training.steps_per_epoch(60_000, 128) == 469  # seed 003
    assert training.steps_per_epoch(64, 32) == 2 and training.steps_per_epoch(65, 32) == 3
    with pytest.raises(ValueError, match="batch_size"):
        training.steps_per_epoch(10, 0)


def test_minibatches_partition_the_samples():
    batches = training.minibatches(103, 10, np.random.default_rng(0))
    assert len(batches) == 11 and len(batches[-1]) == 3
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(103))


# --- optimisers ---


def random_quadratic(seed, dim=5):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(dim, dim))
    a, b = q @ q.T + np.eye(dim), rng.normal(size=dim)
    return (lambda theta: a @ theta - b), rng.normal(size=dim)


CASES = [
    (lambda: training.SGD(0.03), "sgd", {"lr": 0.03}),
    (lambda: training.SGD(0.02, momentum=0.9), "sgd", {"lr": 0.02, "momentum": 0.9}),
    (lambda: training.Adam(), "adam", {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8}),
    (lambda: training.Adam(0.05, 0.8, 0.99), "adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("make", "kind", "hyper"), CASES)
def test_numpy_optimisers_match_torch_for_25_steps(seed, make, kind, hyper):
    grad_fn, start = random_quadratic(seed)
    ours = training.trajectory(make(), grad_fn, start, 25)
    theirs = training.torch_trajectory(kind, grad_fn, start, 25, **hyper)
    assert ours.shape == (26, 5)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@pytest.mark.parametrize(("make", "kind", "hyper"), CASES)
def test_step_updates_several_arrays_like_torch(make, kind, hyper):
    rng = np.random.default_rng(7)
    params = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    optimiser = make()
    torch_optimiser = getattr(torch.optim, {"sgd": "SGD", "adam": "Adam"}[kind])(tensors, **hyper)
    for _ in range(20):
        grads = [np.sin(3 * p) + p for p in params]  # a non-quadratic gradient field
        for t in tensors:  # the same field at torch's own point
            t.grad = torch.from_numpy(np.sin(3 * t.detach().numpy()) + t.detach().numpy())
        optimiser.step(params, grads)
        torch_optimiser.step()
    for p, t in zip(params, tensors, strict=True):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-6)


def test_adam_first_step_and_the_seed_epsilon_placement():
    grad = np.array([1e-6, 2.0])
    paper, seed = np.zeros(2), np.zeros(2)
    training.Adam(0.1).step([paper], [grad])
    training.Adam(0.1, eps_inside_sqrt=True).step([seed], [grad])
    np.testing.assert_allclose(paper, -0.1 * grad / (np.abs(grad) + 1e-8))
    np.testing.assert_allclose(seed, -0.1 * grad / np.sqrt(grad**2 + 1e-8))
    assert abs(seed[0]) < 0.02 * abs(paper[0]) and seed[1] == pytest.approx(paper[1])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: training.SGD(-0.1), "lr"),
        (lambda: training.SGD(0.0), "lr"),
        (lambda: training.SGD(0.1, momentum=1.0), "momentum"),
        (lambda: training.SGD(0.1, momentum=-0.5), "momentum"),
        (lambda: training.Adam(-1e-3), "lr"),
        (lambda: training.Adam(beta1=1.0), "beta1"),
        (lambda: training.Adam(beta2=1.5), "beta2"),
        (lambda: training.Adam(beta1=-0.1), "beta1"),
        (lambda: training.Adam(eps=0.0), "eps"),
    ],
)
def test_bad_hyper_parameters_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_step_rejects_mismatched_gradients():
    optimiser = training.SGD(0.1)
    with pytest.raises(ValueError, match="pair up"):
        optimiser.step([np.zeros(2)], [])
    with pytest.raises(ValueError, match="shape"):
        optimiser.step([np.zeros(2)], [np.zeros(3)])


def test_torch_trajectory_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        training.torch_trajectory("rmsprop", lambda t: t, np.zeros(2), 3, lr=0.1)


@pytest.mark.parametrize("surface", [training.bowl, training.rosenbrock])
def test_surfaces_gradients_match_finite_differences(surface):
    theta = np.array([0.3, -0.7])
    _, grad = surface(theta)
    np.testing.assert_allclose(
        grad, numeric_grad(lambda t: float(surface(t)[0]), theta), rtol=1e-6, atol=1e-6
    )
    values, grads = surface(np.zeros((4, 3, 2)))
    assert values.shape == (4, 3) and grads.shape == (4, 3, 2)
    with pytest.raises(ValueError, match=r"theta must be \(\.\.\., 2\)"):
        surface(np.zeros(3))


def test_surface_minima():
    assert training.bowl(np.zeros(2))[0] == 0 and training.rosenbrock(np.ones(2))[0] == 0


# --- stopping ---


def test_gradient_descent_until_stops_below_tolerance():
    grad_fn = lambda theta: training.bowl(theta)[1]  # noqa: E731
    theta, steps = training.gradient_descent_until(grad_fn, np.array([1.0, 1.0]), lr=0.05)
    assert steps is not None and np.linalg.norm(grad_fn(theta)) < 1e-4
    _, none = training.gradient_descent_until(grad_fn, np.array([1.0, 1.0]), lr=0.05, max_steps=5)
    assert none is None
    with pytest.raises(ValueError, match="lr and tol"):
        training.gradient_descent_until(grad_fn, np.zeros(2), lr=-1)


def test_early_stopping_epoch():
    losses = [1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9, 0.95]
    assert training.early_stopping_epoch(losses, patience=3) == (2, 5)
    assert training.early_stopping_epoch([3.0, 2.0, 1.0], patience=2) == (2, 2)
    with pytest.raises(ValueError, match="patience"):
        training.early_stopping_epoch(losses, patience=0)


# --- initialisation ---


@pytest.mark.parametrize(
    ("scheme", "std", "bias"),
    [
        ("seed004", 0.001, 0.01),
        ("xavier", math.sqrt(2 / 600), 0.0),
        ("he", math.sqrt(2 / 400), 0.0),
    ],
)
def test_init_layer_scales(scheme, std, bias):
    w, b = training.init_layer(400, 200, scheme, np.random.default_rng(0))
    assert w.shape == (200, 400) and b.shape == (200,)
    assert w.std() == pytest.approx(std, rel=0.02) and np.all(b == bias)


def test_init_layer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="scheme must be one of"):
        training.init_layer(3, 3, "lecun", np.random.default_rng(0))
    with pytest.raises(ValueError, match="fan_in"):
        training.init_layer(0, 3, "he", np.random.default_rng(0))


def test_relu_mlp_structure_weights_and_dropout():
    model = training.relu_mlp([4, 8, 3], "seed004", seed=5, dropout=(0.8, 0.5))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert model[0].p == pytest.approx(0.2) and model[3].p == pytest.approx(0.5)
    w, b = training.init_layer(4, 8, "seed004", np.random.default_rng(5))
    np.testing.assert_allclose(model[1].weight.detach().numpy(), w, rtol=1e-6)
    np.testing.assert_allclose(model[1].bias.detach().numpy(), b, rtol=1e-6)
    with pytest.raises(ValueError, match="keep probability"):
        training.relu_mlp([4, 3], dropout=(0.0, 0.5))
    with pytest.raises(ValueError, match="sizes"):
        training.relu_mlp([4])


def test_layer_scales_show_vanishing_signal_for_tiny_init():
    x, y = torch.randn(64, 16, dtype=torch.float64), torch.randint(0, 4, (64,))
    sizes = [16] + [16] * 5 + [4]
    tiny = training.layer_scales(training.relu_mlp(sizes, "seed004").double(), x, y)
    he = training.layer_scales(training.relu_mlp(sizes, "he").double(), x, y)
    assert tiny["activation_std"].shape == (6,) and he["grad_norm"].shape == (6,)
    assert tiny["activation_std"][-1] < 1e-10 < 0.1 < he["activation_std"][-1]
    assert tiny["grad_norm"][0] < 1e-10 < he["grad_norm"][0]


# --- penalties, soft thresholding, dropout ---


def test_penalties_and_their_gradients():
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    value, grad = training.l2_penalty(w, 0.1)
    assert value == pytest.approx(0.05 * 14) and np.allclose(grad, 0.1 * w)
    value, grad = training.l1_penalty(w, 0.1)
    assert value == pytest.approx(0.6) and np.allclose(grad, [[0.1, -0.1], [0.0, 0.1]])
    for penalty in (training.l2_penalty, training.l1_penalty):
        with pytest.raises(ValueError, match="lam"):
            penalty(w, -1.0)


def test_soft_threshold_zeroes_small_weights_and_shrinks_the_rest():
    got = training.soft_threshold(np.array([-2.0, -0.1, 0.0, 0.2, 1.0]), 0.25)
    np.testing.assert_allclose(got, [-1.75, 0.0, 0.0, 0.0, 0.75])
    assert np.sum(got == 0) == 3
    with pytest.raises(ValueError, match="threshold"):
        training.soft_threshold(np.zeros(2), -0.1)


@pytest.mark.parametrize("keep", [0.8, 0.5])
def test_inverted_dropout_keeps_the_expected_activation(keep):
    rng = np.random.default_rng(0)
    z = np.array([0.5, 1.0, 2.0, 3.0])
    outs, masks = zip(*(training.dropout(z, keep, rng) for _ in range(20_000)), strict=True)
    outs, masks = np.array(outs), np.array(masks)
    assert set(np.unique(masks)) == {0.0, 1.0}
    np.testing.assert_allclose(
        outs[masks == 1], (np.broadcast_to(z, outs.shape) / keep)[masks == 1]
    )
    assert abs(masks.mean() - keep) < 0.01
    np.testing.assert_allclose(outs.mean(axis=0), z, rtol=0.03)


def test_dropout_test_mode_keep_one_and_bad_keep():
    rng = np.random.default_rng(0)
    z = np.arange(4.0)
    out, mask = training.dropout(z, 0.5, rng, training=False)
    assert np.array_equal(out, z) and mask.all()
    assert np.array_equal(training.dropout(z, 1.0, rng)[0], z)
    for bad in (0.0, -0.2, 1.5):
        with pytest.raises(ValueError, match=r"keep probability must be in \(0, 1\]"):
            training.dropout(z, bad, rng)


def test_dropout_matches_torch_convention():
    torch.manual_seed(0)
    z = torch.rand(1000, 8, dtype=torch.float64) + 0.1
    out = torch.nn.Dropout(p=1 - 0.8)(z)
    mask = (out != 0).double()
    np.testing.assert_allclose(out.numpy(), (z * mask / 0.8).numpy(), rtol=1e-12)
    assert abs(mask.mean().item() - 0.8) < 0.02


# --- augmentation, the training loop, hyper-parameter search ---


def test_augment_digits_shape_identity_and_errors():
    images = torch.rand(5, 1, 8, 8)
    generator = torch.Generator().manual_seed(0)
    same = training.augment_digits(images, generator, max_shift=0.0, max_degrees=0.0)
    torch.testing.assert_close(same, images, atol=1e-5, rtol=0)
    moved = training.augment_digits(images, generator, max_shift=1.0, max_degrees=10.0)
    assert moved.shape == images.shape and not torch.allclose(moved, images)
    with pytest.raises(ValueError, match="images must be"):
        training.augment_digits(images[:, 0], generator)
    with pytest.raises(ValueError, match="max_shift"):
        training.augment_digits(images, generator, max_shift=-1.0)


def test_train_records_history_and_uses_augment():
    torch.manual_seed(0)
    x = torch.randn(100, 2)
    y = (x[:, 1] > 0).long()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    calls = []

    def augment(batch, generator):
        calls.append(len(batch))
        return batch

    history = training.train(
        model, x, y, optimiser=torch.optim.SGD(model.parameters(), lr=0.5), epochs=4,
        batch_size=32, x_val=x, y_val=y, augment=augment,
    )  # fmt: skip
    assert set(history) == {"loss", "acc", "val_loss", "val_acc"}
    assert all(len(v) == 4 for v in history.values())
    assert calls == [32, 32, 32, 4] * 4
    assert history["loss"][-1] < history["loss"][0] and history["acc"][-1] > 0.9
    with pytest.raises(ValueError, match="same length"):
        training.train(model, x, y[:5], optimiser=None, epochs=1, batch_size=4)
    with pytest.raises(ValueError, match="epochs"):
        training.train(model, x, y, optimiser=None, epochs=0, batch_size=4)


def test_search_points_cover_the_ranges_in_log_space():
    grid = training.grid_search_points((1e-3, 1.0), (1e-5, 1e-1), per_axis=3)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(np.unique(grid[:, 0]), [1e-3, 10**-1.5, 1.0])
    points = training.random_search_points(50, (1e-3, 1.0), (1e-5, 1e-1), np.random.default_rng(0))
    assert points.shape == (50, 2) and len(np.unique(points[:, 0])) == 50
    assert np.all((points[:, 0] >= 1e-3) & (points[:, 0] <= 1.0))
    assert np.all((points[:, 1] >= 1e-5) & (points[:, 1] <= 1e-1))
    with pytest.raises(ValueError, match="lr_range"):
        training.grid_search_points((1.0, 0.1), (1e-5, 1e-1), 3)
    with pytest.raises(ValueError, match="wd_range"):
        training.random_search_points(3, (1e-3, 1.0), (0.0, 1.0), np.random.default_rng(0))
    with pytest.raises(ValueError, match="per_axis"):
        training.grid_search_points((1e-3, 1.0), (1e-5, 1e-1), 0)


@pytest.mark.parametrize(
    ("value", "quiet"), [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_progress_disabled_reads_tqdm_disable(monkeypatch, value, quiet):
    monkeypatch.setenv("TQDM_DISABLE", value)
    assert training.progress_disabled() is quiet
