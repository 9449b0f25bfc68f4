"""Reproducibility: the first call of every lesson.

A lesson prints numbers that CI compares with the committed ones, so every source of randomness
is seeded and torch runs on one thread (with more threads, the order of a parallel sum changes
and training losses drift in the 7th digit).
"""

import random

import numpy as np

DEFAULT_SEED = 0


def setup(seed: int = DEFAULT_SEED, *, threads: int = 1) -> np.random.Generator:
    """Seed python, numpy and torch, pin torch's thread count, fix printing and plot style.

    Returns a numpy ``Generator`` seeded with ``seed``, for the lesson's own random draws.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive int, got {threads!r}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (also seed the legacy global generator students may use)
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    seed_torch(seed, threads=threads)

    from course_lib import plots

    plots.use_style()
    return np.random.default_rng(seed)


def seed_torch(seed: int = DEFAULT_SEED, *, threads: int = 1) -> None:
    """Seed torch's generator and pin its intra-op thread count (no-op cost if already set)."""
    import torch

    torch.manual_seed(seed)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    torch.set_printoptions(precision=4, sci_mode=False)
