"""dlcourse.augment.geometric: flips, crops and whole-pixel shifts against their oracles (torch.flip, F.pad and
slicing)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.augment import geometric as G

from .augment_cases import gen
from .strategies import image_batches


@given(x=image_batches())
def test_flipping_twice_is_identity_and_matches_torch_flip(x):
    mask = torch.arange(len(x)) % 2 == 0
    for dim in (-1, -2):
        once = G.flip(x, mask, dim)
        torch.testing.assert_close(once[mask], x[mask].flip(dim))
        torch.testing.assert_close(once[~mask], x[~mask])
        torch.testing.assert_close(G.flip(once, mask, dim), x)
    twice = G.random_flip(G.random_flip(x, 0.5, generator=gen(7)), 0.5, generator=gen(7))
    torch.testing.assert_close(twice, x)


@given(x=image_batches(), padding=st.integers(0, 3), seed=st.integers(0, 100))
@settings(max_examples=30)
def test_crop_output_comes_from_the_padded_input(x, padding, seed):
    out = G.random_crop(x, padding, generator=gen(seed))
    padded = F.pad(x, (padding,) * 4)
    h, w = x.shape[2:]
    for img, pad in zip(out, padded):
        windows = [pad[:, i : i + h, j : j + w] for i in range(2 * padding + 1) for j in range(2 * padding + 1)]
        assert any(torch.equal(img, win) for win in windows)


def test_crop_with_given_offsets_is_a_slice():
    x = torch.rand(3, 2, 5, 6, generator=gen(0))
    offsets = torch.tensor([[0, 0], [2, 1], [1, 3]])
    out = G.crop(x, offsets, (4, 3), padding=1, fill=-1.0)
    padded = F.pad(x, (1,) * 4, value=-1.0)
    for i, (top, left) in enumerate(offsets.tolist()):
        torch.testing.assert_close(out[i], padded[i, :, top : top + 4, left : left + 3])


@given(
    x=image_batches(),
    padding=st.integers(0, 3),
    mode=st.sampled_from(["constant", "reflect", "replicate"]),
    seed=st.integers(0, 100),
)
@settings(max_examples=40)
def test_crop_equals_slicing_the_padded_batch_in_every_padding_mode(x, padding, mode, seed):
    """crop never builds the padded image; F.pad builds it, and every window must agree with it."""
    height, width = x.shape[2:]
    if mode == "reflect" and padding >= min(height, width):
        with pytest.raises(ValueError, match="reflect padding"):
            G.crop(x, torch.zeros(len(x), 2, dtype=torch.long), padding=padding, padding_mode=mode)
        return
    g = gen(seed)
    h, w = (
        int(torch.randint(1, height + 2 * padding + 1, (), generator=g)),
        int(torch.randint(1, width + 2 * padding + 1, (), generator=g)),
    )
    offsets = torch.stack(
        [
            torch.randint(0, height + 2 * padding - h + 1, (len(x),), generator=g),
            torch.randint(0, width + 2 * padding - w + 1, (len(x),), generator=g),
        ],
        1,
    )
    out = G.crop(x, offsets, (h, w), padding=padding, padding_mode=mode, fill=-2.0)
    padded = (
        F.pad(x, (padding,) * 4, mode=mode, value=-2.0) if mode == "constant" else F.pad(x, (padding,) * 4, mode=mode)
    )
    for i, (top, left) in enumerate(offsets.tolist()):
        torch.testing.assert_close(out[i], padded[i, :, top : top + h, left : left + w], rtol=0, atol=0)


def test_crop_writes_into_out():
    x = torch.rand(3, 2, 5, 6, generator=gen(0))
    offsets = torch.tensor([[0, 0], [2, 1], [1, 3]])
    out = torch.empty(3, 2, 4, 3)
    result = G.crop(x, offsets, (4, 3), padding=1, padding_mode="reflect", out=out)
    assert result is out
    torch.testing.assert_close(out, G.crop(x, offsets, (4, 3), padding=1, padding_mode="reflect"), rtol=0, atol=0)
    with pytest.raises(ValueError, match="out must be a contiguous tensor"):
        G.crop(x, offsets, (4, 3), padding=1, out=torch.empty(3, 2, 3, 4))


@given(
    x=image_batches(),
    padding=st.integers(0, 2),
    mode=st.sampled_from(["constant", "replicate"]),
    seed=st.integers(0, 100),
)
@settings(max_examples=30)
def test_crop_with_flip_masks_crops_the_flipped_images(x, padding, mode, seed):
    """Oracle: torch.flip of the selected images, then F.pad and slicing."""
    n, _, height, width = x.shape
    g = gen(seed)
    hflip, vflip = torch.rand(n, generator=g) < 0.5, torch.rand(n, generator=g) < 0.5
    offsets = torch.stack(
        [torch.randint(0, 2 * padding + 1, (n,), generator=g), torch.randint(0, 2 * padding + 1, (n,), generator=g)], 1
    )
    out = G.crop(x, offsets, padding=padding, padding_mode=mode, fill=-3.0, hflip=hflip, vflip=vflip)
    for i, (top, left) in enumerate(offsets.tolist()):
        image = x[i : i + 1]
        image = image.flip(-1) if hflip[i] else image
        image = image.flip(-2) if vflip[i] else image
        padded = F.pad(image, (padding,) * 4, mode=mode, **({"value": -3.0} if mode == "constant" else {}))
        torch.testing.assert_close(out[i], padded[0, :, top : top + height, left : left + width], rtol=0, atol=0)


def test_translate_shifts_by_whole_pixels():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    out = G.translate(x, 1, -2, fill=0.0)
    assert out[0, 0, 3, 0] == 1.0 and out.sum() == 1.0


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: G.random_crop(torch.rand(2, 1, 4, 4), -1), ValueError, "padding must be an int >= 0"),
        (lambda: G.random_flip(torch.rand(2, 1, 4, 4), 1.5), ValueError, "p must be in \\[0, 1\\]"),
        (lambda: G.random_flip(torch.rand(2, 1, 4, 4), direction="diagonal"), ValueError, "direction must be one of"),
        (lambda: G.crop(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), (9, 9)), ValueError, "size .* is larger"),
        (
            lambda: G.crop(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), hflip=torch.ones(3)),
            ValueError,
            "hflip must have shape",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
