"""Rebuild the files in this folder from the packages that ship them.

The course never runs this: it reads the files committed here and checks their sha256 against
MANIFEST.toml. Run it only to recreate or extend the data, in a separate environment:

    python -m venv /tmp/extract
    /tmp/extract/bin/pip install scikit-learn==1.9.1 scikit-image==0.26.0
    /tmp/extract/bin/python datasets/make_datasets.py

then update the sha256 values in MANIFEST.toml (the script prints them).
"""

import codecs
import contextlib
import gzip
import hashlib
import io
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


def images() -> None:
    folder = resources.files("skimage.data")
    for name, file in IMAGES.items():
        image = Image.open(io.BytesIO(folder.joinpath(file).read_bytes()))
        image = image.convert("L" if image.mode in ("L", "I", "I;16") else "RGB")
        image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        image.save(HERE / "images" / f"{name}.png", optimize=True)


if __name__ == "__main__":
    (HERE / "images").mkdir(exist_ok=True)
    digits()
    zen()
    images()
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix in {".npz", ".txt", ".png"}:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            print(f"{path.relative_to(HERE)}  {digest}")
