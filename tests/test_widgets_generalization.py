"""dlcourse.widgets.generalization: the augmentation explorer's figure follows its controls."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from dlcourse import widgets  # noqa: E402


def test_augmentation_explorer_figure_changes_with_its_controls():
    images = [image.get_array() for image in widgets.augmentation_figure("rotation (× 90°)", 0.3).axes[0].images]
    assert len(images) == 3 * 6
    np.testing.assert_allclose(images[0], images[6 * 0])  # first column: the originals
    assert not np.allclose(images[1], images[0])  # an augmented view differs
    none = [image.get_array() for image in widgets.augmentation_figure("rotation (× 90°)", 0.0).axes[0].images]
    np.testing.assert_allclose(none[1], none[0], atol=1e-5)  # strength 0: views equal the original
    digits = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    fig = widgets.augmentation_figure("cutout (% of side)", 0.5, images=digits, views=3)
    assert len(fig.axes[0].images) == 2 * 4
    with pytest.raises(ValueError, match="transform must be one of"):
        widgets.augmentation_figure("blur")
