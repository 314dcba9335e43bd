"""dlcourse.augment: shapes, devices and dtypes kept; oracles (torch.flip, torch.rot90, slicing); label mixing;
the fused Compose against the transforms applied one by one (the same values, bit for bit)."""

from __future__ import annotations

import contextlib

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import augment as A
from dlcourse import models
from dlcourse.runtime import make_generator

from .strategies import image_batches

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


@given(x=image_batches())
def test_flipping_twice_is_identity_and_matches_torch_flip(x):
    mask = torch.arange(len(x)) % 2 == 0
    for dim in (-1, -2):
        once = A.flip(x, mask, dim)
        torch.testing.assert_close(once[mask], x[mask].flip(dim))
        torch.testing.assert_close(once[~mask], x[~mask])
        torch.testing.assert_close(A.flip(once, mask, dim), x)
    twice = A.random_flip(A.random_flip(x, 0.5, generator=gen(7)), 0.5, generator=gen(7))
    torch.testing.assert_close(twice, x)


@given(x=image_batches(), padding=st.integers(0, 3), seed=st.integers(0, 100))
@settings(max_examples=30)
def test_crop_output_comes_from_the_padded_input(x, padding, seed):
    out = A.random_crop(x, padding, generator=gen(seed))
    padded = F.pad(x, (padding,) * 4)
    h, w = x.shape[2:]
    for img, pad in zip(out, padded):
        windows = [pad[:, i:i + h, j:j + w] for i in range(2 * padding + 1) for j in range(2 * padding + 1)]
        assert any(torch.equal(img, win) for win in windows)


def test_crop_with_given_offsets_is_a_slice():
    x = torch.rand(3, 2, 5, 6, generator=gen(0))
    offsets = torch.tensor([[0, 0], [2, 1], [1, 3]])
    out = A.crop(x, offsets, (4, 3), padding=1, fill=-1.0)
    padded = F.pad(x, (1,) * 4, value=-1.0)
    for i, (top, left) in enumerate(offsets.tolist()):
        torch.testing.assert_close(out[i], padded[i, :, top:top + 4, left:left + 3])


@given(x=image_batches(), padding=st.integers(0, 3), mode=st.sampled_from(["constant", "reflect", "replicate"]),
       seed=st.integers(0, 100))
@settings(max_examples=40)
def test_crop_equals_slicing_the_padded_batch_in_every_padding_mode(x, padding, mode, seed):
    """crop never builds the padded image; F.pad builds it, and every window must agree with it."""
    height, width = x.shape[2:]
    if mode == "reflect" and padding >= min(height, width):
        with pytest.raises(ValueError, match="reflect padding"):
            A.crop(x, torch.zeros(len(x), 2, dtype=torch.long), padding=padding, padding_mode=mode)
        return
    g = gen(seed)
    h, w = int(torch.randint(1, height + 2 * padding + 1, (), generator=g)), int(torch.randint(1, width + 2 * padding + 1, (), generator=g))
    offsets = torch.stack([torch.randint(0, height + 2 * padding - h + 1, (len(x),), generator=g),
                           torch.randint(0, width + 2 * padding - w + 1, (len(x),), generator=g)], 1)
    out = A.crop(x, offsets, (h, w), padding=padding, padding_mode=mode, fill=-2.0)
    padded = F.pad(x, (padding,) * 4, mode=mode, value=-2.0) if mode == "constant" else F.pad(x, (padding,) * 4, mode=mode)
    for i, (top, left) in enumerate(offsets.tolist()):
        torch.testing.assert_close(out[i], padded[i, :, top:top + h, left:left + w], rtol=0, atol=0)


def test_translate_shifts_by_whole_pixels():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    out = A.translate(x, 1, -2, fill=0.0)
    assert out[0, 0, 3, 0] == 1.0 and out.sum() == 1.0


@given(x=image_batches())
@settings(max_examples=30)
def test_identity_affine_reproduces_the_input(x):
    theta = A.affine_matrices(torch.zeros(len(x)), size=tuple(x.shape[2:]))
    torch.testing.assert_close(theta[0], torch.tensor([[1.0, 0, 0], [0, 1, 0]], dtype=torch.float64))
    torch.testing.assert_close(A.affine(x, theta), x, atol=1e-5, rtol=1e-5)


@given(n=st.integers(1, 5), height=st.integers(1, 12), width=st.integers(1, 12), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_separable_grid_equals_torch_affine_grid(n, height, width, seed):
    theta = torch.randn(n, 2, 3, generator=gen(seed))
    torch.testing.assert_close(A.affine_grid(theta, (height, width)),
                               F.affine_grid(theta, [n, 1, height, width], align_corners=False), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("angle,k", [(90.0, 1), (-90.0, -1), (180.0, 2)])
def test_right_angle_rotation_matches_rot90(angle, k):
    x = torch.rand(4, 3, 7, 7, generator=gen(0))
    out = A.affine(x, A.affine_matrices(torch.full((4,), angle), size=(7, 7)))
    torch.testing.assert_close(out, torch.rot90(x, k, dims=(2, 3)), atol=1e-5, rtol=1e-5)


def test_affine_translation_and_fill():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0
    out = A.affine(x, A.affine_matrices(torch.zeros(1), (0.2, -0.2), size=(5, 5)), fill=0.0)
    assert out[0, 0, 1, 3] == pytest.approx(1.0)  # one pixel right, one up
    filled = A.affine(torch.ones(1, 1, 4, 4), A.affine_matrices(torch.zeros(1), (0.5, 0.0), size=(4, 4)), fill=-3.0)
    assert filled[0, 0, :, 0].eq(-3.0).all() and filled[0, 0, :, -1].eq(1.0).all()


def test_colour_factors_of_one_change_nothing_and_saturation_zero_is_grey():
    x = torch.rand(4, 3, 5, 5, generator=gen(0))
    torch.testing.assert_close(A.adjust_colour(x), x)
    grey = A.adjust_colour(x, saturation=0.0)
    expected = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None].expand_as(x)
    torch.testing.assert_close(grey, expected)
    flat = A.adjust_colour(x, contrast=0.0)
    assert flat.std(dim=(1, 2, 3)).max() < 1e-6
    torch.testing.assert_close(A.adjust_colour(x, brightness=torch.tensor([0.5, 1, 2, 3.0]), value_range=(0, 1)),
                               (x * torch.tensor([0.5, 1, 2, 3.0])[:, None, None, None]).clamp(0, 1))


@given(x=image_batches(), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_colour_adjustment_equals_the_three_steps_in_order(x, seed):
    """The folded one-pass formula against the definition: brightness, then contrast, then saturation."""
    n = len(x)
    b, c, s = (torch.rand(n, generator=gen(seed + k)) * 2 for k in range(3))
    grey = lambda z: (0.299 * z[:, 0:1] + 0.587 * z[:, 1:2] + 0.114 * z[:, 2:3]) if z.shape[1] == 3 else z
    step = x * b[:, None, None, None]
    step = c[:, None, None, None] * step + (1 - c[:, None, None, None]) * grey(step).mean(dim=(1, 2, 3), keepdim=True)
    if x.shape[1] == 3:
        step = s[:, None, None, None] * step + (1 - s[:, None, None, None]) * grey(step)
    torch.testing.assert_close(A.adjust_colour(x, b, c, s), step, atol=1e-5, rtol=1e-5)


@given(x=image_batches(), size=st.integers(1, 6), seed=st.integers(0, 100))
@settings(max_examples=40)
def test_cutout_equals_filling_the_clipped_square(x, size, seed):
    """Against the definition as a mask, with centres anywhere, including off the image."""
    n, _, height, width = x.shape
    g = gen(seed)
    centres = torch.stack([torch.randint(-size, height + size, (n,), generator=g),
                           torch.randint(-size, width + size, (n,), generator=g)], 1)
    rows, cols = torch.arange(height)[:, None], torch.arange(width)[None, :]
    expected = x.clone()
    for i, (r, c) in enumerate(centres.tolist()):
        top, left = r - size // 2, c - size // 2
        inside = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)
        expected[i, :, inside] = 0.5
    torch.testing.assert_close(A.cutout(x, centres, size, fill=0.5), expected, rtol=0, atol=0)


def test_cutout_zeroes_a_clipped_square():
    x = torch.ones(2, 1, 6, 6)
    out = A.cutout(x, torch.tensor([[3, 3], [0, 0]]), 2, fill=0.0)
    assert out[0, 0, 2:4, 2:4].eq(0).all() and out[0].sum() == 36 - 4
    assert out[1].sum() == 36 - 1  # the corner square keeps only one pixel inside the image


@pytest.mark.parametrize("seed", range(5))
def test_mixup_targets_sum_to_one_and_match_the_blend(seed):
    x = torch.rand(6, 1, 4, 4, generator=gen(seed))
    y = torch.tensor([0, 1, 2, 3, 4, 0])
    lam, perm = torch.rand(6, generator=gen(seed + 10)), torch.randperm(6, generator=gen(seed + 20))
    xm, ym = A.mix(x, y, lam, perm, num_classes=5)
    torch.testing.assert_close(ym.sum(1), torch.ones(6))
    torch.testing.assert_close(xm, lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[perm])
    expected = lam[:, None] * F.one_hot(y, 5) + (1 - lam[:, None]) * F.one_hot(y[perm], 5)
    torch.testing.assert_close(ym, expected.float())
    _, ym = A.mixup(x, y, 0.5, num_classes=5, generator=gen(seed))
    torch.testing.assert_close(ym.sum(1), torch.ones(6))


@pytest.mark.parametrize("seed", range(8))
def test_cutmix_targets_match_the_pixel_areas(seed):
    n, h, w = 6, 9, 7
    x = torch.arange(n, dtype=torch.float32)[:, None, None, None].expand(n, 1, h, w).contiguous()
    y = torch.arange(n)  # image i is filled with the value i and has class i
    xc, yc = A.cutmix(x, y, 1.0, num_classes=n, generator=gen(seed))
    torch.testing.assert_close(yc.sum(1), torch.ones(n))
    for i in range(n):
        own = (xc[i] == i).float().mean()
        assert yc[i, i].item() == pytest.approx(own.item(), abs=1e-6)
        assert torch.isin(xc[i].unique(), yc[i].nonzero().flatten().float()).all()


def test_cutmix_boxes_correct_lambda_for_clipping():
    top, left, bottom, right, lam = A.cutmix_boxes(torch.tensor([0.75, 0.75]), torch.tensor([[4, 4], [0, 0]]), (8, 8))
    assert (bottom - top).tolist() == [4, 2] and (right - left).tolist() == [4, 2]
    torch.testing.assert_close(lam, torch.tensor([1 - 16 / 64, 1 - 4 / 64], dtype=torch.float64))


def test_transform_objects_compose_and_random_apply():
    x = torch.rand(8, 1, 6, 6, generator=gen(0))
    y = torch.arange(8) % 3
    t = A.Compose([A.RandomHorizontalFlip(p=1.0), A.RandomVerticalFlip(p=1.0)])
    torch.testing.assert_close(t(x), torch.rot90(x, 2, dims=(2, 3)))
    out, same_y = A.Compose([A.RandomCrop(padding=1), A.Cutout(size=2)], generator=gen(1))(x, y)
    assert out.shape == x.shape and torch.equal(same_y, y)
    assert torch.equal(A.RandomApply(A.RandomHorizontalFlip(p=1.0), p=0.0)(x), x)
    torch.testing.assert_close(A.RandomApply(A.RandomHorizontalFlip(p=1.0), p=1.0)(x), x.flip(-1))
    xm, ym = A.RandomApply(A.Mixup(alpha=1.0, num_classes=3), p=0.5, generator=gen(2))(x, y)
    assert ym.shape == (8, 3)
    torch.testing.assert_close(ym.sum(1), torch.ones(8))
    assert "RandomCrop(padding=1)" in repr(A.RandomCrop(padding=1))


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


# --------------------------------------------------------------------------- fused Compose (issue 26)
def _geometric_and_photometric(x, draw):
    """A random list of the transforms Compose fuses (and one it does not), valid for the batch x."""
    height, width = x.shape[2:]
    modes = ["constant", "replicate"] + (["reflect"] if min(height, width) > 2 else [])
    mode = draw(st.sampled_from(modes))
    # reflect padding must stay below the side, also after a crop of the smaller size below
    padding = draw(st.integers(0, min(height, width) - 2 if mode == "reflect" else 3))
    size = draw(st.sampled_from([None, (max(1, height - 1), width)]))
    pool = [
        lambda: A.RandomHorizontalFlip(p=0.5),
        lambda: A.RandomVerticalFlip(p=0.7),
        lambda: A.RandomCrop(padding=padding, size=size, padding_mode=mode, fill=-0.25),
        lambda: A.RandomCrop(padding=1, fill=0.5),
        lambda: A.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, value_range=(0, 1)),
        lambda: A.RandomAffine(degrees=20, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5, fill=0.25),
        lambda: A.Cutout(size=2, fill=-1.0),
        lambda: (lambda v, generator=None: v * 2),          # a plain callable: never overwritten in place
    ]
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=7))
    return [pool[i]() for i in picks]


@pytest.mark.parametrize("block_bytes", [A._BLOCK_BYTES, 1, 1000])  # whole small batches, blocks of 1 or a few
@given(x=image_batches(max_side=9), data=st.data(), seed=st.integers(0, 1000))
@settings(max_examples=60, deadline=None)
def test_fused_compose_equals_the_transforms_one_by_one(block_bytes, x, data, seed):
    """Fusion regroups index maps and memory only: the very same values, drawn from the same generator."""
    transforms = _geometric_and_photometric(x, data.draw)
    before = x.clone()
    with _blocks_of(block_bytes):
        fused = A.Compose(transforms, generator=gen(seed))(x)
    g = gen(seed)
    expected = x
    for t in transforms:
        expected = t(expected, generator=g)
    torch.testing.assert_close(fused, expected, rtol=0, atol=0)
    torch.testing.assert_close(A.Compose(transforms, generator=gen(seed), fuse=False)(x), expected, rtol=0, atol=0)
    assert torch.equal(x, before)  # the caller's batch is never overwritten
    assert torch.equal(torch.rand(3, generator=g), torch.rand(3, generator=_after(transforms, x, seed)))


def _after(transforms, x, seed):
    """The generator of a fused Compose call once it has returned: it must have made the same draws."""
    g = gen(seed)
    A.Compose(transforms)(x, generator=g)
    return g


@contextlib.contextmanager
def _blocks_of(block_bytes, threads=1):
    """Within: torch on ``threads`` threads, and a fused Compose on one thread takes ``block_bytes`` of images at a
    time (on more threads it takes the batch whole)."""
    kept = A._BLOCK_BYTES, torch.get_num_threads()
    A._BLOCK_BYTES = block_bytes
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        A._BLOCK_BYTES = kept[0]
        torch.set_num_threads(kept[1])


def _benchmark_pipeline():
    return [A.RandomHorizontalFlip(p=0.5), A.RandomCrop(padding=4, padding_mode="reflect"),
            A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, value_range=(0, 1)),
            A.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5), A.Cutout(size=4)]


@pytest.mark.parametrize("threads", [1, 2])
def test_fused_pipeline_in_uneven_blocks_is_exact_at_any_thread_count(threads, monkeypatch):
    """23 images on one thread in blocks of 3 (the last one shorter), on two threads whole: every step runs once
    per block, and the batch is the one of the functions, bit for bit (a per-image mean does not depend on how
    the batch is cut)."""
    x = torch.rand(23, 3, 20, 20, generator=gen(0))
    calls = []
    apply = A._Affine.apply
    monkeypatch.setattr(A._Affine, "apply", lambda self, *args: calls.append(1) or apply(self, *args))
    with _blocks_of(3 * x[0].numel() * x.element_size(), threads):
        fused = A.Compose(_benchmark_pipeline(), generator=gen(1))(x)
        expected = A.Compose(_benchmark_pipeline(), generator=gen(1), fuse=False)(x)
    assert len(calls) == (8 if threads == 1 else 1)
    torch.testing.assert_close(fused, expected, rtol=0, atol=0)


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_transforms_told_to_work_in_place_overwrite_the_callers_batch_as_the_functions_do(layout):
    base = torch.rand(7, 3, 6, 6, generator=gen(0))
    for make in [lambda: [A.ColorJitter(brightness=0.5, value_range=(0, 1), inplace=True),
                          A.Cutout(size=3, inplace=True)],                                      # all in place
                 lambda: [A.Cutout(size=2, fill=0.5, inplace=True), A.RandomAffine(degrees=10), A.Cutout(size=3)]]:
        inputs = [base.clone() if layout == "contiguous" else base.clone().transpose(2, 3) for _ in range(2)]
        with _blocks_of(1):
            fused = A.Compose(make(), generator=gen(1))(inputs[0])
        expected = A.Compose(make(), generator=gen(1), fuse=False)(inputs[1])
        torch.testing.assert_close(fused, expected, rtol=0, atol=0)
        torch.testing.assert_close(inputs[0], inputs[1], rtol=0, atol=0)   # overwritten alike
        assert (fused is inputs[0]) == (expected is inputs[1])


@pytest.mark.parametrize("device", DEVICES)
def test_fused_pipeline_of_the_benchmark_is_exact_and_keeps_targets(device):
    x = torch.rand(8, 3, 16, 16, generator=gen(0)).to(device)
    y = torch.arange(8, device=device)
    transforms = [A.RandomHorizontalFlip(p=0.5), A.RandomCrop(padding=4, padding_mode="reflect"),
                  A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, value_range=(0, 1)),
                  A.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5), A.Cutout(size=4)]
    out, same_y = A.Compose(transforms, generator=gen(1))(x, y)
    g = gen(1)
    expected = A.random_flip(x, 0.5, generator=g)
    expected = A.random_crop(expected, 4, padding_mode="reflect", generator=g)
    expected = A.color_jitter(expected, 0.3, 0.3, 0.3, value_range=(0, 1), generator=g)
    expected = A.random_affine(expected, 15, (0.1, 0.1), (0.9, 1.1), 5, generator=g)
    expected = A.random_cutout(expected, 4, generator=g)
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
    assert same_y is y


def test_transforms_with_their_own_generators_and_label_mixing_inside_a_fused_compose():
    x, y = torch.rand(6, 3, 8, 8, generator=gen(0)), torch.arange(6) % 3
    make = lambda: [A.RandomCrop(padding=2, generator=gen(1)), A.RandomHorizontalFlip(generator=gen(2)),
                    A.Mixup(alpha=1.0, num_classes=3, generator=gen(3)), A.Cutout(size=3, generator=gen(4))]
    fused_x, fused_y = A.Compose(make())(x, y)
    plain_x, plain_y = A.Compose(make(), fuse=False)(x, y)
    torch.testing.assert_close(fused_x, plain_x, rtol=0, atol=0)
    torch.testing.assert_close(fused_y, plain_y, rtol=0, atol=0)


def test_fused_compose_keeps_gradients_flowing():
    x = torch.rand(4, 3, 8, 8, generator=gen(0), requires_grad=True)
    t = A.Compose([A.RandomCrop(padding=1), A.ColorJitter(brightness=0.5), A.RandomAffine(degrees=10),
                   A.Cutout(size=2)], generator=gen(1))
    out = t(x)
    out.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
    torch.testing.assert_close(out, A.Compose(t.transforms, generator=gen(1), fuse=False)(x), rtol=0, atol=0)
    # a step that makes the batch need gradients half-way: later calls must not overwrite what autograd kept
    weight = torch.ones(1, requires_grad=True)
    t = A.Compose([A.RandomCrop(padding=1), lambda v, generator=None: v * weight, A.ColorJitter(brightness=0.5),
                   A.RandomAffine(degrees=10), A.Cutout(size=2)])
    first = t(x.detach(), generator=gen(1))
    t(x.detach(), generator=gen(2))
    first.sum().backward()
    assert weight.grad is not None


def test_fused_compose_results_do_not_share_its_scratch_memory():
    """The batch between the crop and the affine map lives in memory the Compose reuses; what it returns must not."""
    import pickle
    import threading

    x = torch.rand(6, 3, 10, 10, generator=gen(0))
    t = A.Compose([A.RandomHorizontalFlip(), A.RandomCrop(padding=2, padding_mode="reflect"),
                   A.ColorJitter(brightness=0.5, value_range=(0, 1)), A.RandomAffine(degrees=20), A.Cutout(size=3)])
    first = t(x, generator=gen(1))
    kept = first.clone()
    second = t(x, generator=gen(2))
    assert torch.equal(first, kept) and not torch.equal(first, second)
    torch.testing.assert_close(t(x, generator=gen(1)), kept, rtol=0, atol=0)
    copy = pickle.loads(pickle.dumps(t))  # e.g. for DataLoader workers: the scratch memory is not pickled
    torch.testing.assert_close(copy(x, generator=gen(1)), kept, rtol=0, atol=0)
    results = {}
    threads = [threading.Thread(target=lambda s=s: results.__setitem__(s, t(x, generator=gen(s)))) for s in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    torch.testing.assert_close(results[1], kept, rtol=0, atol=0)
    torch.testing.assert_close(results[2], second, rtol=0, atol=0)


def test_crop_writes_into_out():
    x = torch.rand(3, 2, 5, 6, generator=gen(0))
    offsets = torch.tensor([[0, 0], [2, 1], [1, 3]])
    out = torch.empty(3, 2, 4, 3)
    result = A.crop(x, offsets, (4, 3), padding=1, padding_mode="reflect", out=out)
    assert result is out
    torch.testing.assert_close(out, A.crop(x, offsets, (4, 3), padding=1, padding_mode="reflect"), rtol=0, atol=0)
    with pytest.raises(ValueError, match="out must be a contiguous tensor"):
        A.crop(x, offsets, (4, 3), padding=1, out=torch.empty(3, 2, 3, 4))


@given(x=image_batches(), padding=st.integers(0, 2), mode=st.sampled_from(["constant", "replicate"]),
       seed=st.integers(0, 100))
@settings(max_examples=30)
def test_crop_with_flip_masks_crops_the_flipped_images(x, padding, mode, seed):
    """Oracle: torch.flip of the selected images, then F.pad and slicing."""
    n, _, height, width = x.shape
    g = gen(seed)
    hflip, vflip = torch.rand(n, generator=g) < 0.5, torch.rand(n, generator=g) < 0.5
    offsets = torch.stack([torch.randint(0, 2 * padding + 1, (n,), generator=g),
                           torch.randint(0, 2 * padding + 1, (n,), generator=g)], 1)
    out = A.crop(x, offsets, padding=padding, padding_mode=mode, fill=-3.0, hflip=hflip, vflip=vflip)
    for i, (top, left) in enumerate(offsets.tolist()):
        image = x[i:i + 1]
        image = image.flip(-1) if hflip[i] else image
        image = image.flip(-2) if vflip[i] else image
        padded = F.pad(image, (padding,) * 4, mode=mode, **({"value": -3.0} if mode == "constant" else {}))
        torch.testing.assert_close(out[i], padded[0, :, top:top + height, left:left + width], rtol=0, atol=0)


def test_inplace_colour_and_cutout_equal_the_copying_versions():
    x = torch.rand(5, 3, 6, 7, generator=gen(0))
    for copying, in_place in [
        (lambda v: A.adjust_colour(v, torch.rand(5) * 2, 0.5, 1.5, (0, 1)),
         lambda v: A.adjust_colour(v, torch.rand(5) * 2, 0.5, 1.5, (0, 1), inplace=True)),
        (lambda v: A.color_jitter(v, 0.3, 0.3, 0.3, generator=gen(1)),
         lambda v: A.color_jitter(v, 0.3, 0.3, 0.3, generator=gen(1), inplace=True)),
        (lambda v: A.random_cutout(v, 3, fill=0.5, generator=gen(2)),
         lambda v: A.random_cutout(v, 3, fill=0.5, generator=gen(2), inplace=True)),
    ]:
        torch.manual_seed(0)
        expected = copying(x)
        torch.manual_seed(0)
        target = x.clone()
        out = in_place(target)
        assert out.data_ptr() == target.data_ptr()
        torch.testing.assert_close(target, expected, rtol=0, atol=0)


def test_affine_grid_is_a_view_of_two_planes_that_grid_sample_reads():
    theta = torch.randn(3, 2, 3, generator=gen(0))
    grid = A.affine_grid(theta, (5, 6))
    assert grid.shape == (3, 5, 6, 2)
    x = torch.rand(3, 2, 5, 6, generator=gen(1))
    torch.testing.assert_close(F.grid_sample(x, grid, align_corners=False),
                               F.grid_sample(x, grid.contiguous(), align_corners=False), rtol=0, atol=0)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: A.random_crop(torch.rand(2, 1, 4, 4), -1), ValueError, "padding must be an int >= 0"),
    (lambda: A.random_flip(torch.rand(2, 1, 4, 4), 1.5), ValueError, "p must be in \\[0, 1\\]"),
    (lambda: A.RandomApply(A.Cutout(size=2), p=-0.1), ValueError, "p must be in"),
    (lambda: A.random_flip(torch.rand(1, 4, 4)), ValueError, "x must be a batch of images"),
    (lambda: A.random_affine(torch.rand(2, 4, 4)), ValueError, "x must be a batch of images"),
    (lambda: A.random_flip(torch.ones(2, 1, 4, 4, dtype=torch.long)), TypeError, "x must be a floating-point"),
    (lambda: A.random_flip([1.0]), TypeError, "x must be a torch.Tensor"),
    (lambda: A.random_flip(torch.rand(2, 1, 4, 4), direction="diagonal"), ValueError, "direction must be one of"),
    (lambda: A.color_jitter(torch.rand(2, 3, 4, 4), brightness=-0.1), ValueError, "brightness must be >= 0"),
    (lambda: A.random_affine(torch.rand(2, 1, 4, 4), scale=(1.2, 0.8)), ValueError, "scale must satisfy"),
    (lambda: A.random_affine(torch.rand(2, 1, 4, 4), scale=(0.0, 1.0)), ValueError, "scale must be > 0"),
    (lambda: A.random_cutout(torch.rand(2, 1, 4, 4), 0), ValueError, "size must be >= 1"),
    (lambda: A.mixup(torch.rand(2, 1, 4, 4), torch.tensor([0, 1]), alpha=0.0), ValueError, "alpha must be > 0"),
    (lambda: A.mixup(torch.rand(2, 1, 4, 4), torch.tensor([0, 1])), ValueError, "num_classes must be given"),
    (lambda: A.mix(torch.rand(2, 1, 4, 4), torch.tensor([0, 1]), 1.5, torch.tensor([1, 0]), num_classes=2),
     ValueError, "lam must be in"),
    (lambda: A.crop(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), (9, 9)), ValueError, "size .* is larger"),
    (lambda: A.Mixup(alpha=1.0, num_classes=2)(torch.rand(2, 1, 4, 4)), ValueError, "y: Mixup mixes labels"),
    (lambda: A.RandomCrop(padding=1, colour=3), TypeError, "colour"),
    (lambda: A.Compose([], fuse="yes"), TypeError, "fuse must be a bool"),
    (lambda: A.cutout(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), 1, inplace=1), TypeError, "inplace must be a bool"),
    (lambda: A.adjust_colour(torch.rand(2, 3, 4, 4), inplace=None), TypeError, "inplace must be a bool"),
    (lambda: A.crop(torch.rand(2, 1, 4, 4), torch.zeros(2, 2), hflip=torch.ones(3)), ValueError,
     "hflip must have shape"),
    (lambda: A.Compose([A.RandomHorizontalFlip(p=2.0)])(torch.rand(2, 1, 4, 4)), ValueError, "p must be in"),
    (lambda: A.Compose([A.RandomCrop(padding=-1)])(torch.rand(2, 1, 4, 4)), ValueError, "padding must be an int"),
])
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
