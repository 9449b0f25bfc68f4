import numpy as np
import pytest

from course_lib import procedural_art as art


@pytest.mark.parametrize("make", [art.starry_swirls, art.concentric_squares])
def test_procedural_styles(make):
    image = make(64)
    assert image.shape == (64, 64, 3) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1 and image.std() > 0.1
    np.testing.assert_array_equal(image, make(64))
    assert not np.array_equal(image, make(64, seed=1))
    with pytest.raises(ValueError, match="size must be an int >= 16"):
        make(8)


def test_starry_swirls_are_blue_with_yellow_stars():
    red, green, blue = art.starry_swirls(128).reshape(-1, 3).T
    assert np.mean(blue > red) > 0.8  # mostly sky
    assert np.mean((red > 0.8) & (green > 0.7) & (blue < 0.5)) > 0.01  # some yellow


def test_concentric_squares_cells_error():
    with pytest.raises(ValueError, match="cells must be an int"):
        art.concentric_squares(32, cells=5)


def test_style_image_by_name():
    assert art.style_image("starry_swirls", 32).shape == (32, 32, 3)
    assert art.style_image("gravel", 32).shape == (32, 32, 3)
    with pytest.raises(ValueError, match="name must be one of"):
        art.style_image("mona_lisa")
