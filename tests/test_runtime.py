import pytest
import torch

import dlcourse
from dlcourse import runtime


def test_get_device_is_cuda_when_available_else_cpu():
    assert dlcourse.get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_seed_everything_makes_draws_repeatable():
    dlcourse.seed_everything(5)
    a = torch.rand(3)
    g = dlcourse.seed_everything(5)
    torch.testing.assert_close(torch.rand(3), a)
    torch.testing.assert_close(torch.rand(2, generator=g), torch.rand(2, generator=dlcourse.make_generator(5)))


def test_seed_everything_seeds_torch_as_torch_manual_seed_does():
    for seed in (0, 7, 2**40):
        torch.manual_seed(seed)
        expected = torch.get_rng_state()
        torch.manual_seed(seed + 1)
        dlcourse.seed_everything(seed)
        assert torch.equal(torch.get_rng_state(), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="the saving is for machines without CUDA")
def test_seed_everything_queues_no_cuda_seeding_without_cuda(monkeypatch):
    import torch.cuda.random

    queued = []
    monkeypatch.setattr(torch.cuda.random, "_lazy_call", lambda *args, **kwargs: queued.append(args))
    dlcourse.seed_everything(3)
    assert queued == []  # torch.manual_seed would queue one, with a copy of the caller's stack
    torch.manual_seed(3)
    assert len(queued) == 1  # (the check can see it)


def test_random_helpers_draw_on_cpu_and_are_seeded():
    torch.testing.assert_close(dlcourse.randn(4, seed=1), torch.randn(4, generator=torch.Generator().manual_seed(1)))
    assert dlcourse.rand(2, 3, seed=0, device="cpu").shape == (2, 3)


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0"])
def test_bad_seed_is_named(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        dlcourse.seed_everything(seed)


def test_set_num_threads_defaults_to_course_default(monkeypatch):
    monkeypatch.delenv("DLCOURSE_NUM_THREADS", raising=False)
    assert runtime.set_num_threads() == runtime.DEFAULT_NUM_THREADS == torch.get_num_threads()
    monkeypatch.setenv("DLCOURSE_NUM_THREADS", "2")
    assert runtime.set_num_threads() == 2
    runtime.set_num_threads(1)
    with pytest.raises(ValueError, match="num_threads must be >= 1"):
        runtime.set_num_threads(0)


def test_training_with_the_course_does_not_load_torchdynamo():
    """Importing TorchDynamo costs ~1.5 s per notebook: neither fit's optimizers nor the learning-rate
    finder nor a torch.optim optimizer's construction may load it; once loaded, torch's guard is in place."""
    import subprocess
    import sys

    code = """
import sys, torch
import dlcourse
from dlcourse import models, schedules, training
X, y = torch.randn(64, 4, generator=dlcourse.make_generator(0)), torch.arange(64) % 3
from dlcourse.optim import OPTIMIZER_NAMES
for name in OPTIMIZER_NAMES:
    training.fit(models.make_mlp(4, 3, hidden_sizes=[8]), (X, y), epochs=2, optimizer=name, lr=0.01, progress=False, device="cpu")
schedules.lr_finder(models.make_mlp(4, 3, hidden_sizes=[8]), (X, y), steps=5, batch_size=16)
opt = torch.optim.Adam(models.make_mlp(4, 3, hidden_sizes=[8]).parameters())
opt.zero_grad(); opt.state_dict()
assert "torch._dynamo" not in sys.modules, "TorchDynamo was loaded"
import torch._dynamo
torch.optim.SGD(models.make_mlp(4, 3, hidden_sizes=[8]).parameters(), lr=0.1)
guard = getattr(torch.optim.Optimizer.add_param_group.__wrapped__, "__dynamo_disable")
assert "dlcourse" not in guard.__module__, guard
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stdout + result.stderr


def test_fit_builds_the_course_optimizers_from_the_one_registry():
    from dlcourse import models, optim, training

    model = models.make_mlp(4, 3, hidden_sizes=[8])
    for name in optim.OPTIMIZER_NAMES:
        opt = training.make_fit_optimizer(name, model, None)
        base, preset = optim.PRESETS.get(name, (name, {}))
        assert type(opt) is optim.OPTIMIZERS[base][0] and opt.defaults["lr"] == optim.DEFAULT_LR
        assert all(opt.defaults[k] == v for k, v in preset.items())
