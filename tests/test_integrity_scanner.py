"""dlcourse_grade.integrity.scanner: what the scan of one cell flags and what it lets pass (honest comparisons with
torch, type tests, writes to one's own objects), through :func:`scan_source`."""

from __future__ import annotations

import pytest

from dlcourse_grade.integrity import scan_source

FORBIDDEN = {
    "torch.nn.functional.relu",
    "torch.sigmoid",
    "dlcourse.activations.sigmoid",
    "dlcourse.diagnostics.dead_units",
    "torch.softmax",
}


@pytest.mark.parametrize(
    "source,kinds",
    [
        ("def relu(x):\n    return torch.where(x > 0, x, torch.zeros_like(x))", []),
        ("%pip install foo\nx = 1", []),
        ("def relu(x):\n    return F.relu(x)", ["delegates"]),
        ("import dlcourse.activations as ref\ndef sigmoid(x):\n    return ref.sigmoid(x)", ["delegates"]),
        ("from dlcourse.diagnostics import dead_units", ["delegates"]),
        # through a submodule of the listed package (dlcourse.activations re-exports its submodules' functions)
        ("from dlcourse.activations.elementwise import sigmoid", ["delegates"]),
        ("import dlcourse.activations.elementwise as el\ndef sigmoid(x):\n    return el.sigmoid(x)", ["delegates"]),
        ("from dlcourse.activations.elementwise import tanh\ndef act(x):\n    return tanh(x)", []),
        ("import torch\ntorch.allclose = lambda *a, **k: True", ["patches-module"]),
        ("grading.Checker.close = lambda *a, **k: True", ["touches-checks"]),
        ("setattr(grading.Checker, 'record', None)", ["touches-checks"]),
        ("import builtins\nbuiltins.print = None", ["patches-builtins"]),
        ("get_ipython().input_transformers_cleanup.append(lambda lines: [])", ["patches-ipython"]),
        ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)", ["ignores-interrupts"]),
        ("open('../../other/lab.ipynb', 'w').write('x')", ["files-or-processes"]),
        ("import shutil\nshutil.rmtree('/tmp/x')", ["files-or-processes"]),
        ("def f(:\n", ["syntax-error"]),
        # delegation in its other forms: a tensor method, torch's module class, a binding, an alias
        ("def relu(x):\n    return x.relu()", ["delegates"]),
        ("def sigmoid(x):\n    return nn.Sigmoid()(x)", ["delegates"]),
        ("relu = F.relu", ["delegates"]),
        ("from torch.nn.functional import relu", ["delegates"]),
        ("ref = F.relu\ndef relu(x):\n    return ref(x)", ["delegates"]),
        ("relu = lambda x: F.relu(x)", ["delegates"]),
        # comparing with torch outside one's functions is what an honest student does: not flagged
        ("def relu(x):\n    return x.clamp(min=0)\nt = torch.randn(5)\nprint(torch.allclose(relu(t), F.relu(t)))", []),
        ("from torch.nn.functional import relu as torch_relu\nprint(torch_relu(torch.ones(2)))", []),
        ("def softmax(x, dim=-1):\n    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))", []),
        # naming torch's class in a type test is not using it
        ("def count(model):\n    return sum(isinstance(m, nn.ReLU) for m in model)", []),
        (
            "def count(model):\n    return sum(type(m) is nn.Sigmoid or isinstance(m, (nn.ReLU, nn.Tanh)) for m in model)",
            [],
        ),
        ("def relu(x):\n    return nn.ReLU()(x) if isinstance(x, torch.Tensor) else x", ["delegates"]),
        # the checks reached through aliases, namespaces and getattr
        ("g = grading\ng.Checker.__exit__ = lambda *a: True", ["touches-checks"]),
        ("import dlcourse.grading as q\nq.Checker.close = None", ["touches-checks"]),
        ("from dlcourse import grading as q\nsetattr(q.Checker, 'close', None)", ["touches-checks"]),
        ("C = grading.Checker\nC.record = None", ["touches-checks"]),
        ("torch.__dict__['isclose'] = lambda *a, **k: torch.tensor(True)", ["patches-module"]),
        ("vars(torch).update(isclose=None)", ["patches-module"]),
        ("sh = get_ipython()\nsh.events.register('pre_run_cell', print)", ["patches-ipython"]),
        ("sh = get_ipython()\nsh.input_transformers_post.append(lambda lines: lines)", ["patches-ipython"]),
        ("getattr(get_ipython(), 'input_transformers_post').append(len)", ["patches-ipython"]),
    ],
)
def test_scan_source_flags(source, kinds):
    assert sorted({f.kind for f in scan_source(source, forbidden=FORBIDDEN)}) == kinds


@pytest.mark.parametrize(
    "source,kinds",
    [
        # one's own objects are the student's to change
        ("w = torch.zeros(3, requires_grad=True)\nw.grad = torch.ones(3)", []),
        ("for p in model.parameters():\n    p.grad = None\nmodel.training = False", []),
        ("setattr(model, 'lr', 0.1)", []),
        # modules and their classes are not, however they are reached
        ("import torch as t\nt.allclose = lambda *a: True", ["patches-module"]),
        ("getattr(torch, 'nn').functional = None", ["patches-module"]),
        ("import sys\nsys.modules['torch'].allclose = None", ["patches-module"]),
        ("import sys\nm = sys.modules['torch']\nm.allclose = None", ["patches-module"]),
        ("from torch import nn\nnn.Module.__call__ = None", ["patches-module"]),
        ("setattr(torch.Tensor, '__eq__', lambda a, b: True)", ["patches-module"]),
    ],
)
def test_attribute_writes_are_flagged_on_modules_only(source, kinds):
    assert sorted({f.kind for f in scan_source(source, forbidden=FORBIDDEN)}) == kinds
