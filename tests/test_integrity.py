import re
from pathlib import Path

import nbformat
import pytest
from dlcourse_grade.integrity import import_aliases, scan_source, scan_submission
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

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


def test_scan_submission_only_scans_changed_cells_and_uses_the_release_metadata():
    release = new_notebook(
        cells=[new_code_cell("import torch.nn.functional as G"), new_code_cell("raise NotImplementedError()")]
    )
    release.metadata["dlcourse"] = {"forbidden_calls": ["torch.nn.functional.relu"]}
    submission = nbformat.from_dict(release)
    submission.cells[1] = new_code_cell("def relu(x):\n    return G.relu(x)")
    flags = scan_submission(submission, release)
    assert [(f.kind, f.cell, f.line, f.code) for f in flags] == [("delegates", 1, 2, "return G.relu(x)")]
    assert import_aliases(["import torch.nn.functional as G"])["G"] == "torch.nn.functional"


def test_restore_metadata_aligns_a_stripped_copy_with_the_release():
    from pathlib import Path

    from dlcourse_grade.grade import restore_metadata

    root = Path(__file__).resolve().parents[1]
    release = nbformat.read(root / "labs/lab01_activations/lab01_activations.ipynb", 4)
    copy = nbformat.from_dict(release)
    answer = next(c for c in copy.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_b")
    answer.source = "def sigmoid(x):\n    return x"
    for cell in copy.cells:
        cell.metadata.pop("nbgrader", None)
    restored = restore_metadata(copy, release)
    assert restored == sum("nbgrader" in c.metadata for c in release.cells)
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in copy.cells] == [
        c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells
    ]


@pytest.mark.parametrize("lab", sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
def test_every_passing_test_cell_of_every_lab_reports_its_checks(lab):
    """verify_checks_ran must never zero honest work: on each source lab's recorded outputs (all
    tests passing), every test cell that uses the Checker shows the summary it looks for."""
    from dlcourse_grade.grade import Result, verify_checks_ran

    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    graded = {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    result = Result("s", lab, code_score=sum(graded.values()), cells=dict(graded))
    assert verify_checks_ran(nbformat.from_dict(source), source, result) == []
    assert result.flags == []


def test_a_test_cell_rewritten_to_pass_loses_its_points():
    from dlcourse_grade.grade import Result, verify_checks_ran

    lab = "lab01_activations"
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    graded = nbformat.from_dict(source)
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_d_hidden")
    cell.outputs = []
    result = Result("s", lab, code_score=10.0, cells={"test_part_d_hidden": 4.0, "test_part_d_visible": 2.0})
    assert verify_checks_ran(graded, source, result) == ["test_part_d_hidden"]
    assert result.code_score == 6.0 and result.cells["test_part_d_hidden"] == 0.0
    assert result.flags[0].startswith("checks-did-not-run")
    assert cell.outputs[-1]["ename"] == "ChecksDidNotRun"


def test_a_visible_check_replaced_by_the_submission_loses_its_points():
    """A visible test cell is one call, ``lab01.part_a(relu, relu_grad, leaky_relu)``. A submission that
    replaces the check (``lab01.part_a = lambda *a: None``) makes the cell pass without a word: the
    grader zeroes it, as it zeroes a rewritten cell, and the static scan names the replacement."""
    from dlcourse_grade.grade import Result, verify_checks_ran

    lab = "lab01_activations"
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    visible = next(c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_a_visible")
    assert visible.source.startswith("lab01.part_a(") and "Checker(" not in visible.source

    graded = nbformat.from_dict(source)
    answer = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_a")
    answer.source = "lab01.part_a = lambda *args: None\n" + answer.source
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_a_visible")
    cell.outputs = []  # what the replaced check prints: nothing, and the cell passes
    forged = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_part_b_visible")
    forged.outputs = [nbformat.v4.new_output("stream", name="stdout", text="All 2 check(s) passed.\n")]  # no ✔ lines
    result = Result(
        "s",
        lab,
        code_score=9.0,
        cells={
            "test_part_a_visible": 2.0,
            "test_part_a_hidden": 3.0,
            "test_part_b_visible": 2.0,
            "test_part_c_visible": 2.0,
        },
    )
    assert verify_checks_ran(graded, source, result) == ["test_part_a_visible", "test_part_b_visible"]
    assert result.code_score == 5.0 and result.cells["test_part_c_visible"] == 2.0
    assert cell.outputs[-1]["ename"] == "ChecksDidNotRun"
    flags = scan_submission(graded, release)
    assert [(f.kind, f.code) for f in flags] == [("touches-checks", "lab01.part_a = lambda *args: None")]


@pytest.mark.parametrize("lab", sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()))
def test_the_reference_solutions_raise_no_flag(lab):
    """The instructor's own answers are honest work: the scan must not send them to review.

    The submission is the source as a student would hand it in: the answers filled in, the hidden
    tests not there (nbgrader strips them from the release and puts them back only when grading, after
    the scan). The hidden tests may call what students may not: they are the instructor's oracle."""
    source = nbformat.read(ROOT / "solutions" / lab / f"{lab}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "labs" / lab / f"{lab}.ipynb", as_version=4)
    hidden = re.compile(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
    for cell in source.cells:
        cell.source = (
            hidden.sub("\n", cell.source).rstrip("\n") if "### BEGIN HIDDEN TESTS" in cell.source else cell.source
        )
    assert [str(f) for f in scan_submission(source, release)] == []


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
