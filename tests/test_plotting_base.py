"""dlcourse.plotting.base: an image grid with a fixed value range keeps the images' brightness."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import torch  # noqa: E402

from dlcourse import plotting  # noqa: E402


def test_image_grid_with_a_fixed_value_range_keeps_brightness():
    dark, bright = torch.full((1, 3, 2, 2), 0.2), torch.full((1, 3, 2, 2), 0.8)
    fig = plotting.image_grid(torch.cat([dark, bright]), value_range=(0, 1))
    arrays = [a.images[0].get_array() for a in fig.axes if a.images]
    assert np.allclose(arrays[0], 0.2) and np.allclose(arrays[1], 0.8)
