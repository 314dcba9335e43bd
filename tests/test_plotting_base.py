"""dlcourse.plotting.base: the image grid — values, layout, titles and its argument checks."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import plotting  # noqa: E402


def test_image_grid_with_a_fixed_value_range_keeps_brightness():
    dark, bright = torch.full((1, 3, 2, 2), 0.2), torch.full((1, 3, 2, 2), 0.8)
    fig = plotting.image_grid(torch.cat([dark, bright]), value_range=(0, 1))
    arrays = [image.get_array() for image in fig.axes[0].images]
    assert np.allclose(arrays[0], 0.2) and np.allclose(arrays[1], 0.8)
    plt.close(fig)


def test_image_grid_without_a_range_scales_each_image_to_its_own_min_and_max():
    images = torch.stack([torch.linspace(-3, 5, 16).reshape(1, 4, 4), torch.linspace(10, 11, 16).reshape(1, 4, 4)])
    fig = plotting.image_grid(images)
    for image in fig.axes[0].images:
        values = np.asarray(image.get_array())
        assert values.min() == pytest.approx(0) and values.max() == pytest.approx(1)
        assert image.get_clim() == (0, 1)  # the colormap is not rescaled a second time
    plt.close(fig)


def test_image_grid_lays_out_rows_of_ncols_images_of_the_given_size_in_order():
    size, ncols = 0.8, 3
    images = torch.arange(7.0).reshape(7, 1, 1, 1).expand(7, 1, 4, 4)
    fig = plotting.image_grid(images, titles=list("abcdefg"), ncols=ncols, size=size, value_range=(0, 6))
    (ax,) = fig.axes
    assert fig.get_size_inches()[0] == pytest.approx(ncols * size + (ncols - 1) * 0.2 * size)
    extents = np.array([image.get_extent() for image in ax.images])  # (left, right, bottom, top), y downwards
    np.testing.assert_allclose(extents[:, 1] - extents[:, 0], size)
    np.testing.assert_allclose(extents[:, 2] - extents[:, 3], size)
    lefts, tops = extents[:, 0], extents[:, 3]
    assert np.allclose(lefts[[0, 3, 6]], 0) and np.all(np.diff(lefts[:3]) > size)  # three per row, left to right
    assert tops[0] == tops[1] == tops[2] < tops[3] == tops[4] == tops[5] < tops[6]
    assert [np.asarray(image.get_array()).mean() * 6 for image in ax.images] == pytest.approx(range(7))
    titles = ax.texts
    assert [t.get_text() for t in titles] == list("abcdefg")
    for title, (left, right, _, top) in zip(titles, extents):
        x, y = title.get_position()
        assert x == pytest.approx((left + right) / 2) and y < top  # centred above its image
    right, bottom = ax.get_xlim()[1], ax.get_ylim()[0]
    assert right >= extents[:, 1].max() - 1e-9 and bottom >= extents[:, 2].max() - 1e-9  # nothing cut off
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"images": torch.zeros(2, 8, 8)}, "images must have shape"),
        ({"images": torch.zeros(2, 2, 8, 8)}, "C = 1 or 3"),
        ({"titles": ["only one"]}, "titles must have one entry per image"),
        ({"title_colors": ["red"]}, "title_colors must have one entry per image"),
        ({"ncols": 0}, "ncols must be a positive integer"),
        ({"size": 0}, "size must be positive"),
    ],
)
def test_image_grid_names_the_bad_argument(kwargs, message):
    arguments = {"images": torch.zeros(2, 1, 8, 8), **kwargs}
    with pytest.raises(ValueError, match=message):
        plotting.image_grid(**arguments)


def test_image_grid_colours_titles_and_makes_room_for_titles_of_several_lines():
    images = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    one = plotting.image_grid(images, titles=["a", "b"], size=1.0)
    two = plotting.image_grid(images, titles=["a\nx", "b"], size=1.0, title_colors=["red", "black"])
    assert [t.get_color() for t in two.axes[0].texts] == ["red", "black"]
    assert {t.get_color() for t in one.axes[0].texts} == {"black"}
    assert two.get_size_inches()[1] > one.get_size_inches()[1] + 0.1  # a second line of 7 points: ~0.12 in
    extents = np.array([image.get_extent() for image in two.axes[0].images])
    assert extents[0, 3] > 0.25  # the image starts below the two-line title
    plt.close("all")
