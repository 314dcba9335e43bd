"""dlcourse.augment: every random transform keeps the batch's shape, device and dtype and is reproducible from a seed
on every device; test-time augmentation; every name of the augmentation modules importable from dlcourse.augment.
(The tests of each module are in tests/test_augment_<module>.py, for dlcourse/augment/<module>.py.)"""

from __future__ import annotations

import importlib

import pytest
import torch
import torch.nn.functional as F

from dlcourse import augment as A
from dlcourse import models
from dlcourse.runtime import make_generator

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
Y3 = torch.tensor([0, 1, 2, 1, 0])


def gen(seed=0):
    return make_generator(seed)


RANDOM_TRANSFORMS = {
    "hflip": lambda x, g: A.random_flip(x, 0.5, generator=g),
    "vflip": lambda x, g: A.random_flip(x, 0.5, direction="vertical", generator=g),
    "crop": lambda x, g: A.random_crop(x, 2, generator=g),
    "crop_reflect": lambda x, g: A.random_crop(x, 1, padding_mode="reflect", generator=g),
    "jitter": lambda x, g: A.color_jitter(x, 0.4, 0.4, 0.4, generator=g),
    "affine": lambda x, g: A.random_affine(x, 30, (0.1, 0.2), (0.8, 1.2), 10, fill=0.5, generator=g),
    "cutout": lambda x, g: A.random_cutout(x, 3, generator=g),
    "mixup": lambda x, g: A.mixup(x, Y3[: len(x)], 0.4, num_classes=3, generator=g)[0],
    "cutmix": lambda x, g: A.cutmix(x, Y3[: len(x)], 1.0, num_classes=3, generator=g)[0],
}


@pytest.mark.parametrize("name", RANDOM_TRANSFORMS)
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shape_dtype_device_kept_and_seed_reproducible(name, device, dtype):
    x = torch.rand(5, 3, 7, 9, generator=gen(1), dtype=dtype).to(device)
    out = RANDOM_TRANSFORMS[name](x, gen(3))
    assert out.shape == x.shape and out.dtype == dtype and out.device == x.device
    torch.testing.assert_close(out, RANDOM_TRANSFORMS[name](x, gen(3)))  # same seed, same batch


@pytest.mark.parametrize("name", ["hflip", "crop", "jitter", "affine", "cutout", "mixup", "cutmix"])
def test_same_seed_same_batch_on_every_device(name):
    x = torch.rand(5, 3, 6, 6, generator=gen(2))
    cpu = RANDOM_TRANSFORMS[name](x, gen(4))
    for device in DEVICES[1:]:
        torch.testing.assert_close(RANDOM_TRANSFORMS[name](x.to(device), gen(4)).cpu(), cpu, atol=1e-5, rtol=1e-5)
    assert not torch.equal(RANDOM_TRANSFORMS[name](x, gen(5)), cpu) or name == "hflip"


def test_tta_averages_probabilities_and_restores_mode():
    torch.manual_seed(0)
    model = models.make_cnn(1, 4, image_size=8).train()
    x = torch.rand(5, 1, 8, 8, generator=gen(0))
    views = [lambda v: v, lambda v: v.flip(-1)]
    probs = A.tta_predict(model, x, views)
    model.eval()
    expected = (F.softmax(model(x), -1) + F.softmax(model(x.flip(-1)), -1)) / 2
    torch.testing.assert_close(probs, expected)
    model.train()
    A.tta_predict(model, x, views)
    assert model.training


MODULES = ["base", "geometric", "affine_maps", "colour", "erasing", "mixing", "transforms", "compose"]


@pytest.mark.parametrize("module", MODULES)
def test_every_public_name_of_the_augmentation_modules_is_importable_from_augment(module):
    module = importlib.import_module(f"dlcourse.augment.{module}")
    for name in module.__all__:
        assert getattr(A, name) is getattr(module, name), name
