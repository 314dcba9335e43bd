"""dlcourse.augment.compose: the fused Compose against the transforms applied one by one (the same values,
bit for bit), in blocks, on threads, with gradients and in place."""

from __future__ import annotations

import contextlib

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import augment as A
from dlcourse.augment import compose as C
from dlcourse.runtime import make_generator

from .strategies import image_batches

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def gen(seed=0):
    return make_generator(seed)


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
        lambda: lambda v, generator=None: v * 2,  # a plain callable: never overwritten in place
    ]
    picks = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=7))
    return [pool[i]() for i in picks]


@pytest.mark.parametrize("block_bytes", [C._BLOCK_BYTES, 1, 1000])  # whole small batches, blocks of 1 or a few
@given(x=image_batches(max_side=9), data=st.data(), seed=st.integers(0, 1000))
@settings(max_examples=60, deadline=None)
def test_fused_compose_equals_the_transforms_one_by_one(block_bytes, x, data, seed):
    """Fusion regroups index maps and memory only: the very same values, drawn from the same generator."""
    transforms = _geometric_and_photometric(x, data.draw)
    before = x.clone()
    with _blocks_of(block_bytes):
        fused = C.Compose(transforms, generator=gen(seed))(x)
    g = gen(seed)
    expected = x
    for t in transforms:
        expected = t(expected, generator=g)
    torch.testing.assert_close(fused, expected, rtol=0, atol=0)
    torch.testing.assert_close(C.Compose(transforms, generator=gen(seed), fuse=False)(x), expected, rtol=0, atol=0)
    assert torch.equal(x, before)  # the caller's batch is never overwritten
    assert torch.equal(torch.rand(3, generator=g), torch.rand(3, generator=_after(transforms, x, seed)))


def _after(transforms, x, seed):
    """The generator of a fused Compose call once it has returned: it must have made the same draws."""
    g = gen(seed)
    C.Compose(transforms)(x, generator=g)
    return g


@contextlib.contextmanager
def _blocks_of(block_bytes, threads=1):
    """Within: torch on ``threads`` threads, and a fused Compose on one thread takes ``block_bytes`` of images at a
    time (on more threads it takes the batch whole)."""
    kept = C._BLOCK_BYTES, torch.get_num_threads()
    C._BLOCK_BYTES = block_bytes
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        C._BLOCK_BYTES = kept[0]
        torch.set_num_threads(kept[1])


def _benchmark_pipeline():
    return [
        A.RandomHorizontalFlip(p=0.5),
        A.RandomCrop(padding=4, padding_mode="reflect"),
        A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, value_range=(0, 1)),
        A.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5),
        A.Cutout(size=4),
    ]


@pytest.mark.parametrize("threads", [1, 2])
def test_fused_pipeline_in_uneven_blocks_is_exact_at_any_thread_count(threads, monkeypatch):
    """23 images on one thread in blocks of 3 (the last one shorter), on two threads whole: every step runs once
    per block, and the batch is the one of the functions, bit for bit (a per-image mean does not depend on how
    the batch is cut)."""
    x = torch.rand(23, 3, 20, 20, generator=gen(0))
    calls = []
    apply = C._Affine.apply
    monkeypatch.setattr(C._Affine, "apply", lambda self, *args: calls.append(1) or apply(self, *args))
    with _blocks_of(3 * x[0].numel() * x.element_size(), threads):
        fused = C.Compose(_benchmark_pipeline(), generator=gen(1))(x)
        expected = C.Compose(_benchmark_pipeline(), generator=gen(1), fuse=False)(x)
    assert len(calls) == (8 if threads == 1 else 1)
    torch.testing.assert_close(fused, expected, rtol=0, atol=0)


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_transforms_told_to_work_in_place_overwrite_the_callers_batch_as_the_functions_do(layout):
    base = torch.rand(7, 3, 6, 6, generator=gen(0))
    for make in [
        lambda: [
            A.ColorJitter(brightness=0.5, value_range=(0, 1), inplace=True),
            A.Cutout(size=3, inplace=True),
        ],  # all in place
        lambda: [A.Cutout(size=2, fill=0.5, inplace=True), A.RandomAffine(degrees=10), A.Cutout(size=3)],
    ]:
        inputs = [base.clone() if layout == "contiguous" else base.clone().transpose(2, 3) for _ in range(2)]
        with _blocks_of(1):
            fused = C.Compose(make(), generator=gen(1))(inputs[0])
        expected = C.Compose(make(), generator=gen(1), fuse=False)(inputs[1])
        torch.testing.assert_close(fused, expected, rtol=0, atol=0)
        torch.testing.assert_close(inputs[0], inputs[1], rtol=0, atol=0)  # overwritten alike
        assert (fused is inputs[0]) == (expected is inputs[1])


@pytest.mark.parametrize("device", DEVICES)
def test_fused_pipeline_of_the_benchmark_is_exact_and_keeps_targets(device):
    x = torch.rand(8, 3, 16, 16, generator=gen(0)).to(device)
    y = torch.arange(8, device=device)
    transforms = [
        A.RandomHorizontalFlip(p=0.5),
        A.RandomCrop(padding=4, padding_mode="reflect"),
        A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, value_range=(0, 1)),
        A.RandomAffine(degrees=15, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5),
        A.Cutout(size=4),
    ]
    out, same_y = C.Compose(transforms, generator=gen(1))(x, y)
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
    make = lambda: [
        A.RandomCrop(padding=2, generator=gen(1)),
        A.RandomHorizontalFlip(generator=gen(2)),
        A.Mixup(alpha=1.0, num_classes=3, generator=gen(3)),
        A.Cutout(size=3, generator=gen(4)),
    ]
    fused_x, fused_y = C.Compose(make())(x, y)
    plain_x, plain_y = C.Compose(make(), fuse=False)(x, y)
    torch.testing.assert_close(fused_x, plain_x, rtol=0, atol=0)
    torch.testing.assert_close(fused_y, plain_y, rtol=0, atol=0)


def test_fused_compose_keeps_gradients_flowing():
    x = torch.rand(4, 3, 8, 8, generator=gen(0), requires_grad=True)
    t = C.Compose(
        [A.RandomCrop(padding=1), A.ColorJitter(brightness=0.5), A.RandomAffine(degrees=10), A.Cutout(size=2)],
        generator=gen(1),
    )
    out = t(x)
    out.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape
    torch.testing.assert_close(out, C.Compose(t.transforms, generator=gen(1), fuse=False)(x), rtol=0, atol=0)
    # a step that makes the batch need gradients half-way: later calls must not overwrite what autograd kept
    weight = torch.ones(1, requires_grad=True)
    t = C.Compose(
        [
            A.RandomCrop(padding=1),
            lambda v, generator=None: v * weight,
            A.ColorJitter(brightness=0.5),
            A.RandomAffine(degrees=10),
            A.Cutout(size=2),
        ]
    )
    first = t(x.detach(), generator=gen(1))
    t(x.detach(), generator=gen(2))
    first.sum().backward()
    assert weight.grad is not None


def test_fused_compose_results_do_not_share_its_scratch_memory():
    """The batch between the crop and the affine map lives in memory the Compose reuses; what it returns must not."""
    import pickle
    import threading

    x = torch.rand(6, 3, 10, 10, generator=gen(0))
    t = C.Compose(
        [
            A.RandomHorizontalFlip(),
            A.RandomCrop(padding=2, padding_mode="reflect"),
            A.ColorJitter(brightness=0.5, value_range=(0, 1)),
            A.RandomAffine(degrees=20),
            A.Cutout(size=3),
        ]
    )
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


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: C.Compose([], fuse="yes"), TypeError, "fuse must be a bool"),
        (lambda: C.Compose([A.RandomHorizontalFlip(p=2.0)])(torch.rand(2, 1, 4, 4)), ValueError, "p must be in"),
        (lambda: C.Compose([A.RandomCrop(padding=-1)])(torch.rand(2, 1, 4, 4)), ValueError, "padding must be an int"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
