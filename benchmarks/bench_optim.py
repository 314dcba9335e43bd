"""Step time of each ``dlcourse.optim`` optimizer against its ``torch.optim`` counterpart.

The model is an MLP with about 0.93 M parameters (784 → 512 → 512 → 512 → 10). Gradients are
filled once with seeded random values; each timed call is five ``optimizer.step()`` calls. PyTorch runs
with its default ``foreach`` setting (on the CPU that is its per-parameter loop; on a GPU, the
multi-tensor ``foreach`` kernels). Target: ratio ≤ 1.5.

A second set of rows times the multi-tensor path: 64 parameters of shape (32, 32), where the cost
of one call per tensor dominates, with ``foreach=True`` on both sides. Target: ratio ≤ 1.2.
(torch's foreach SGD with Nesterov momentum adds into ``.grad`` at each step; the course's does not.
The fixed gradients then grow on torch's side, which changes its numbers, not its work.)
"""

from __future__ import annotations

import torch

from dlcourse import optim
from dlcourse.models import make_mlp
from dlcourse.runtime import get_device, make_generator, seed_everything

from .timing import compare

SETTINGS = {
    "sgd": dict(lr=0.01, momentum=0.9, nesterov=True),
    "adagrad": dict(lr=0.01),
    "rmsprop": dict(lr=1e-3, momentum=0.9),
    "adam": dict(lr=1e-3),
    "adamw": dict(lr=1e-3, weight_decay=1e-2),
    "nadam": dict(lr=2e-3),
    "adamax": dict(lr=2e-3),
}


def _model_with_grads(device):
    seed_everything(0)
    model = make_mlp(784, 10, depth=3, width=512).to(device)
    generator = make_generator(1)
    for p in model.parameters():
        p.grad = (torch.randn(p.shape, generator=generator) * 1e-2).to(device)
    return model


SMALL_TENSORS, SMALL_SHAPE = 64, (32, 32)


def _small_tensors_with_grads(device):
    generator = make_generator(2)
    params = [
        torch.nn.Parameter(torch.randn(SMALL_SHAPE, generator=generator).to(device)) for _ in range(SMALL_TENSORS)
    ]
    for p in params:
        p.grad = (torch.randn(SMALL_SHAPE, generator=generator) * 1e-2).to(device)
    return params


STEPS_PER_CALL = 5  # several steps per timed call: less timer and scheduler noise on a shared machine


def _stepper(opt, device):
    def step():
        for _ in range(STEPS_PER_CALL):
            opt.step()
        if device.type == "cuda":
            torch.cuda.synchronize()

    return step


def run(repeats: int = 7) -> list[dict]:
    device = get_device()
    rows = []
    for name, kwargs in SETTINGS.items():
        ours_model, theirs_model = _model_with_grads(device), _model_with_grads(device)
        n = sum(p.numel() for p in ours_model.parameters())
        ours = optim.make_optimizer(name, ours_model.parameters(), **kwargs)
        theirs = optim.make_optimizer(name, theirs_model.parameters(), reference=True, **kwargs)
        rows.append(
            compare(
                f"optim.{type(ours).__name__} step ({n / 1e6:.2f} M params, {device.type})",
                _stepper(ours, device),
                f"torch.optim.{type(theirs).__name__}",
                _stepper(theirs, device),
                repeats=repeats,
                warmup=3,
                target=1.5,
            )
        )
    shape = "×".join(map(str, SMALL_SHAPE))
    for name, kwargs in SETTINGS.items():
        ours = optim.make_optimizer(name, _small_tensors_with_grads(device), foreach=True, **kwargs)
        theirs = optim.make_optimizer(name, _small_tensors_with_grads(device), reference=True, foreach=True, **kwargs)
        # names with spaces, so that the results page's table can wrap them
        rows.append(
            compare(
                f"optim.{type(ours).__name__} step, foreach=True ({SMALL_TENSORS} × {shape}, {device.type})",
                _stepper(ours, device),
                f"torch.optim.{type(theirs).__name__}, foreach=True",
                _stepper(theirs, device),
                repeats=repeats,
                warmup=3,
                target=1.2,
            )
        )
    return rows


if __name__ == "__main__":
    import dlcourse

    from .timing import format_rows

    dlcourse.set_num_threads()
    print(format_rows(run()))
