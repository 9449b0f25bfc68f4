"""Checksummed loaders for the small data files shipped in ``datasets/``.

Every file is listed in ``datasets/MANIFEST.toml`` with its sha256, source and licence. Before a
file is read its checksum is verified, so a missing or altered file stops the lesson with a message
that names the file and says how to restore it. Nothing is ever downloaded.
"""

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATASETS_DIR = Path(
    os.environ.get("COURSE_DATASETS", Path(__file__).resolve().parents[1] / "datasets")
)


class DatasetError(RuntimeError):
    """A data file is missing, altered, or not in the manifest."""


@dataclass(frozen=True)
class Entry:
    """One row of ``datasets/MANIFEST.toml``."""

    name: str
    sha256: str
    bytes: int
    description: str
    source: str
    licence: str


@dataclass(frozen=True)
class Digits:
    """Handwritten digits. images: (n, h, w) float32 in [0, 1], 8x8 or 28x28; labels: (n,) int64."""

    images: np.ndarray
    labels: np.ndarray


class Split(NamedTuple):
    """A fixed train / validation / test split of a data set."""

    train: Digits
    val: Digits
    test: Digits


@cache
def manifest(folder: Path = DATASETS_DIR) -> dict[str, Entry]:
    """Read ``MANIFEST.toml`` in ``folder``: file name -> its entry."""
    path = Path(folder) / "MANIFEST.toml"
    if not path.is_file():
        raise DatasetError(f"{path} is missing: restore it with `git checkout -- {path.name}`")
    rows = tomllib.loads(path.read_text())["file"]
    return {row["name"]: Entry(**row) for row in rows}


def sha256(path: Path) -> str:
    """Hex sha256 of the file at ``path``."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verified_path(name: str, folder: Path = DATASETS_DIR) -> Path:
    """Path of the data file ``name`` (as listed in the manifest) after checking its sha256."""
    entries = manifest(Path(folder))
    if name not in entries:
        raise DatasetError(
            f"name {name!r} is not in the manifest; expected one of {sorted(entries)}"
        )
    path = Path(folder) / name
    restore = (
        f"restore it with `git checkout -- datasets/{name}` (or `git lfs pull` / a fresh clone)"
    )
    if not path.is_file():
        raise DatasetError(f"data file datasets/{name} is missing: {restore}")
    got = sha256(path)
    if got != entries[name].sha256:
        raise DatasetError(
            f"data file datasets/{name} is altered: sha256 expected {entries[name].sha256}, "
            f"got {got}; {restore}"
        )
    return path


def load_digits(folder: Path = DATASETS_DIR) -> Digits:
    """All 1,797 digits: images (1797, 8, 8) float32 scaled to [0, 1], labels (1797,) int64."""
    with np.load(verified_path("digits.npz", folder)) as archive:
        images = archive["images"].astype(np.float32) / 16.0
        labels = archive["labels"].astype(np.int64)
    return Digits(images=images, labels=labels)


def stratified_split(
    labels: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with each class split in the same proportion. labels: (n,) ints.

    The split depends only on ``labels``, ``test_fraction`` and ``seed``, so every lesson that
    asks for the same split gets the same one.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D (n,), got shape {labels.shape}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.default_rng(seed)
    train, test = [], []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        n_test = round(len(idx) * test_fraction)
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def digits_split(test_fraction: float = 0.2, seed: int = 0) -> tuple[Digits, Digits]:
    """The course's fixed stratified train/test split of the digits (80/20 by default)."""
    digits = load_digits()
    train, test = stratified_split(digits.labels, test_fraction, seed)
    return (
        Digits(digits.images[train], digits.labels[train]),
        Digits(digits.images[test], digits.labels[test]),
    )


def load_mnist(folder: Path = DATASETS_DIR) -> Digits:
    """The 5,000 MNIST digits: images (5000, 28, 28) float32 in [0, 1], labels (5000,) int64."""
    with np.load(verified_path("mnist_5k.npz", folder)) as archive:
        images = archive["images"].astype(np.float32) / 255.0
        labels = archive["labels"].astype(np.int64)
    return Digits(images=images, labels=labels)


def mnist_split(seed: int = 0, folder: Path = DATASETS_DIR) -> Split:
    """The course's fixed stratified 80/10/10 split of ``mnist_5k`` (seed 004's proportions).

    train: 4,000 digits, val: 500, test: 500; 400/50/50 of each class. Tune on ``val``; read
    ``test`` once, at the end.
    """
    digits = load_mnist(folder)
    rest, test = stratified_split(digits.labels, 0.1, seed)
    train, val = stratified_split(digits.labels[rest], 1 / 9, seed)
    train, val = rest[train], rest[val]
    return Split(*(Digits(digits.images[i], digits.labels[i]) for i in (train, val, test)))


def load_text(name: str = "zen_of_python.txt", folder: Path = DATASETS_DIR) -> str:
    """A shipped text corpus as one string."""
    return verified_path(name, folder).read_text(encoding="utf-8")


def image_names(folder: Path = DATASETS_DIR) -> list[str]:
    """Names of the shipped images, for ``load_image`` (e.g. 'chelsea', 'brick')."""
    return sorted(Path(n).stem for n in manifest(Path(folder)) if n.startswith("images/"))


def load_image(name: str, size: int | None = None, folder: Path = DATASETS_DIR) -> np.ndarray:
    """A shipped image as float32 (height, width, 3) in [0, 1]; greyscale is repeated to 3 channels.

    size: if given, the image is resized (Lanczos) so that its SHORTER side is ``size`` pixels and
    then centre-cropped to (size, size).
    """
    from PIL import Image

    if size is not None and (not isinstance(size, int) or size < 8):
        raise ValueError(f"size must be an int >= 8 or None, got {size!r}")
    if name not in image_names(folder):
        raise DatasetError(f"image {name!r} is not shipped; expected one of {image_names(folder)}")
    with Image.open(verified_path(f"images/{name}.png", folder)) as img:
        img = img.convert("RGB")
        if size is not None:
            scale = size / min(img.size)
            width, height = (max(size, round(s * scale)) for s in img.size)
            img = img.resize((width, height), Image.Resampling.LANCZOS)
            left, top = (width - size) // 2, (height - size) // 2
            img = img.crop((left, top, left + size, top + size))
        return np.asarray(img, dtype=np.float32) / 255.0
