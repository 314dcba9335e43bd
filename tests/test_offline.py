"""The course runs offline: no loader, model builder or training call opens a network connection."""

import socket

import pytest

from dlcourse import data, models, training

from .conftest import NetworkAccessError


def test_the_guard_really_blocks_remote_connections():
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)


@pytest.mark.parametrize(
    "loader",
    [
        data.load_digits,
        data.load_breast_cancer,
        data.load_diabetes,
        data.make_moons,
        data.make_spirals,
        lambda: data.load_digits(as_images=True),
    ],
)
def test_loaders_and_training_use_no_network(loader):
    d = loader()
    out = d.n_classes or 1
    m = models.make_mlp(d.n_features, out, depth=1, width=4)
    training.fit(
        m,
        d.train,
        epochs=1,
        progress=False,
        metric=None,
        loss_fn=training.F.cross_entropy if d.n_classes else training.F.mse_loss,
    )


def test_scikit_image_photos_ship_with_the_package():
    from skimage import data as skdata

    assert skdata.chelsea().shape == (300, 451, 3)
