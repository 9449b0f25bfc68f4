import shutil

import numpy as np
import pytest

from course_lib import data


def test_digits_shapes_range_and_classes():
    digits = data.load_digits()
    assert digits.images.shape == (1797, 8, 8) and digits.images.dtype == np.float32
    assert digits.labels.shape == (1797,)
    assert digits.images.min() == 0.0 and digits.images.max() == 1.0
    assert set(np.unique(digits.labels)) == set(range(10))


def test_stratified_split_is_disjoint_stratified_and_repeatable():
    labels = data.load_digits().labels
    train, test = data.stratified_split(labels, 0.2, seed=0)
    assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(labels)
    for cls in range(10):
        share = np.mean(labels[test] == cls) / np.mean(labels == cls)
        assert 0.95 < share < 1.05
    again = data.stratified_split(labels, 0.2, seed=0)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1])
def test_stratified_split_rejects_bad_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        data.stratified_split(np.zeros(10), bad)


def test_stratified_split_rejects_2d_labels():
    with pytest.raises(ValueError, match=r"labels must be 1-D .* \(10, 2\)"):
        data.stratified_split(np.zeros((10, 2)))


def test_digits_split_sizes():
    train, test = data.digits_split()
    assert len(train.labels) + len(test.labels) == 1797
    assert abs(len(test.labels) - 360) <= 5


def test_mnist_shapes_range_and_balance():
    digits = data.load_mnist()
    assert digits.images.shape == (5000, 28, 28) and digits.images.dtype == np.float32
    assert digits.images.min() == 0.0 and digits.images.max() == 1.0
    assert np.bincount(digits.labels).tolist() == [500] * 10


def test_mnist_split_is_80_10_10_stratified_disjoint_and_fixed():
    split = data.mnist_split()
    assert [len(part.labels) for part in split] == [4000, 500, 500]
    for part, per_class in zip(split, (400, 50, 50), strict=True):
        assert np.bincount(part.labels).tolist() == [per_class] * 10
    rows = np.concatenate([part.images.reshape(len(part.images), -1) for part in split])
    assert len(np.unique(rows, axis=0)) == 5000  # no digit in two parts
    again = data.mnist_split()
    assert all(np.array_equal(a.images, b.images) for a, b in zip(split, again, strict=True))
    other = data.mnist_split(seed=1)
    assert not np.array_equal(split.test.images, other.test.images)


def test_shakespeare_is_the_char_rnn_corpus():
    text = data.load_text("tiny_shakespeare.txt")
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert len(text) == 1_115_394 and len(set(text)) == 65


def test_text_is_the_zen():
    text = data.load_text()
    assert text.startswith("The Zen of Python, by Tim Peters")
    assert len(text.strip()) == 856


@pytest.mark.parametrize("name", data.image_names())
def test_every_image_loads_as_rgb_float(name):
    image = data.load_image(name, size=64)
    assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_load_image_full_size_and_bad_arguments():
    assert data.load_image("chelsea").shape[2] == 3
    with pytest.raises(data.DatasetError, match="'mona_lisa' is not shipped"):
        data.load_image("mona_lisa")
    with pytest.raises(ValueError, match="size must be"):
        data.load_image("chelsea", size=3)


@pytest.fixture
def copy_of_datasets(tmp_path):
    folder = tmp_path / "datasets"
    shutil.copytree(data.DATASETS_DIR, folder)
    return folder


def test_missing_file_says_how_to_restore(copy_of_datasets):
    (copy_of_datasets / "digits.npz").unlink()
    with pytest.raises(data.DatasetError, match=r"datasets/digits.npz is missing.*git checkout"):
        data.load_digits(copy_of_datasets)


def test_missing_mnist_says_how_to_restore(copy_of_datasets):
    (copy_of_datasets / "mnist_5k.npz").unlink()
    with pytest.raises(data.DatasetError, match=r"datasets/mnist_5k.npz is missing.*git checkout"):
        data.mnist_split(folder=copy_of_datasets)


def test_altered_file_is_refused(copy_of_datasets):
    path = copy_of_datasets / "zen_of_python.txt"
    path.write_text(path.read_text().replace("Beautiful", "Ugly"))
    with pytest.raises(data.DatasetError, match=r"altered: sha256 expected \w+, got \w+"):
        data.load_text(folder=copy_of_datasets)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(data.DatasetError, match="not in the manifest"):
        data.verified_path("mnist.npz")


def test_sha256_of_a_known_file():
    path = data.DATASETS_DIR / "digits.npz"
    assert data.sha256(path) == data.manifest()["digits.npz"].sha256
