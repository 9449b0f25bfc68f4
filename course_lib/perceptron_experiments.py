"""Tools for lesson 01's experiments that the lesson uses but does not write.

- ``max_margin``: the separator with the largest margin, found exactly by brute force (the
  gamma of Novikoff's bound, and "no separator at all" for XOR);
- ``find_cycle``: the first end-of-epoch weight vector that comes back (the rule cycling on XOR).
"""

import itertools

import numpy as np

from course_lib.perceptron import Run, _check_xt, augment


def max_margin(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The separating direction with the largest margin, or None if none separates the data.

    Works on augmented inputs x~ = [x, 1] and signs s = 2t - 1: returns the unit vector u (d + 1,)
    maximising gamma = min_i s_i (u . x~_i), and that gamma. Exact, by trying every set of support
    vectors (a hard-margin SVM through the origin), so only for small n (at most 12 points).
    x: (n, d), t: (n,) of 0/1.
    """
    x, t = _check_xt(x, t)
    if len(x) > 12:
        raise ValueError(f"max_margin enumerates support sets: at most 12 points, got {len(x)}")
    xa, s = augment(x), 2.0 * t - 1.0
    best = None
    for size in range(1, len(xa) + 1):
        for support in itertools.combinations(range(len(xa)), size):
            xs, ss = xa[list(support)], s[list(support)]
            gram = (ss[:, None] * xs) @ (ss[:, None] * xs).T
            alpha, *_ = np.linalg.lstsq(gram, np.ones(size), rcond=None)
            v = (alpha * ss) @ xs
            if np.any(alpha < -1e-12) or not np.allclose(gram @ alpha, 1.0):
                continue
            if np.all(s * (xa @ v) >= 1 - 1e-9) and (best is None or v @ v < best @ best):
                best = v
    if best is None:
        return None
    norm = float(np.linalg.norm(best))
    return best / norm, 1.0 / norm


def find_cycle(run: Run) -> tuple[int, int] | None:
    """(first epoch, period) of the first end-of-epoch weight vector that repeats, or None."""
    seen: dict[bytes, int] = {}
    for epoch, row in enumerate(run.weights):
        key = row.tobytes()
        if key in seen:
            return seen[key], epoch - seen[key]
        seen[key] = epoch
    return None
