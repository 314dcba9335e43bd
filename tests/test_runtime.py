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
