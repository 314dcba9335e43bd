import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dlcourse.integrity import import_aliases, scan_source, scan_submission

FORBIDDEN = {"torch.nn.functional.relu", "torch.sigmoid", "dlcourse.activations.sigmoid",
             "dlcourse.diagnostics.dead_units"}


@pytest.mark.parametrize("source,kinds", [
    ("def relu(x):\n    return torch.where(x > 0, x, torch.zeros_like(x))", []),
    ("%pip install foo\nx = 1", []),
    ("def relu(x):\n    return F.relu(x)", ["delegates"]),
    ("import dlcourse.activations as ref\ndef sigmoid(x):\n    return ref.sigmoid(x)", ["delegates"]),
    ("from dlcourse.diagnostics import dead_units", ["delegates"]),
    ("import torch\ntorch.allclose = lambda *a, **k: True", ["patches-module"]),
    ("grading.Checker.close = lambda *a, **k: True", ["touches-checks"]),
    ("setattr(grading.Checker, 'record', None)", ["touches-checks"]),
    ("import builtins\nbuiltins.print = None", ["patches-builtins"]),
    ("get_ipython().input_transformers_cleanup.append(lambda lines: [])", ["patches-ipython"]),
    ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)", ["ignores-interrupts"]),
    ("open('../../other/lab.ipynb', 'w').write('x')", ["files-or-processes"]),
    ("import shutil\nshutil.rmtree('/tmp/x')", ["files-or-processes"]),
    ("def f(:\n", ["syntax-error"]),
])
def test_scan_source_flags(source, kinds):
    assert sorted({f.kind for f in scan_source(source, forbidden=FORBIDDEN)}) == kinds


def test_scan_submission_only_scans_changed_cells_and_uses_the_release_metadata():
    release = new_notebook(cells=[new_code_cell("import torch.nn.functional as G"), new_code_cell("raise NotImplementedError()")])
    release.metadata["dlcourse"] = {"forbidden_calls": ["torch.nn.functional.relu"]}
    submission = nbformat.from_dict(release)
    submission.cells[1] = new_code_cell("def relu(x):\n    return G.relu(x)")
    flags = scan_submission(submission, release)
    assert [(f.kind, f.cell, f.line, f.code) for f in flags] == [("delegates", 1, 2, "return G.relu(x)")]
    assert import_aliases(["import torch.nn.functional as G"])["G"] == "torch.nn.functional"


def test_restore_metadata_aligns_a_stripped_copy_with_the_release():
    from pathlib import Path

    from dlcourse.instructor import restore_metadata

    root = Path(__file__).resolve().parents[1]
    release = nbformat.read(root / "labs/lab01_activations/lab01_activations.ipynb", 4)
    copy = nbformat.from_dict(release)
    answer = next(c for c in copy.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "part_b")
    answer.source = "def sigmoid(x):\n    return x"
    for cell in copy.cells:
        cell.metadata.pop("nbgrader", None)
    restored = restore_metadata(copy, release)
    assert restored == sum("nbgrader" in c.metadata for c in release.cells)
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in copy.cells] == \
        [c.metadata.get("nbgrader", {}).get("grade_id") for c in release.cells]
