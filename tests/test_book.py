"""The book's structure and the notebook conventions, checked for every notebook that exists.

nbval (configured in pyproject.toml) re-executes book/ and solutions/ and compares outputs;
this module checks what nbval cannot: the table of contents, the one repository URL, the
Colab install cell, committed outputs, and which cells must not be compared.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
import yaml

import dlcourse
from tools import release
from tools.record_outputs import PROGRESS_TEXT

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))
RELEASES = sorted((ROOT / "labs").glob("*/*.ipynb"))
EXECUTED = CHAPTERS + SOURCES
ids = lambda paths: [str(p.relative_to(ROOT)) for p in paths]

#: Cells whose output varies between runs or machines must be tagged so nbval skips them.
VOLATILE = re.compile(r"tqdm|perf_counter|time\.time\(|_explorer\(\)|\.interactive\(")


ABSOLUTE_PATH = re.compile(r"/(work|home|root|tmp)/")


#: A cell that asserts what the prose says about an output (dlcourse.claims).
CLAIM_CALL = re.compile(r"\bclaim(_that)?\(")


def _text_of(cell) -> str:
    """A code cell's source and its text outputs (not image data, whose base64 can contain anything)."""
    parts = [cell.source]
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [v for k, v in output.get("data", {}).items() if k.startswith("text/") and isinstance(v, str)]
        parts += output.get("traceback", [])
    return "\n".join(parts)


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
        files += [s["file"] for c in part.get("chapters", []) for s in c.get("sections", [])]
    return files


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    listed = toc_files()
    for entry in listed:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), entry
    for chapter in CHAPTERS:
        assert str(chapter.relative_to(ROOT).with_suffix("")) in listed, f"{chapter.name} is not in _toc.yml"


def test_book_is_built_from_committed_outputs():
    assert CONFIG["execute"]["execute_notebooks"] == "off"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


def test_one_repository_url_everywhere():
    assert CONFIG["repository"]["url"] == dlcourse.REPOSITORY_URL


@pytest.mark.parametrize("path", EXECUTED + RELEASES, ids=ids(EXECUTED + RELEASES))
def test_first_cell_installs_the_pinned_release_only_in_colab(path):
    """In Colab the first cell installs this version's tag, never the moving default branch."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "code"
    assert first.source == release.install_cell(dlcourse.__version__), (
        "the Colab install cell is not this release's: run python tools/release.py <version>"
    )
    assert f"dlcourse @ git+{CONFIG['repository']['url']}@v{dlcourse.__version__}" in first.source
    assert not first.get("outputs"), "the install cell must print nothing outside Colab"


def test_one_version_for_the_package_and_the_install_cells():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'\nversion = "{dlcourse.__version__}"\n' in pyproject


def test_a_failed_install_shows_pips_messages_and_what_to_do(tmp_path):
    """Simulated Colab (a ``google.colab`` module), an install that cannot succeed: the student sees
    pip's own error and the remedy, not a bare ``CalledProcessError``."""
    import subprocess
    import sys

    source = release.install_cell(dlcourse.__version__)
    spec = f"dlcourse @ git+{CONFIG['repository']['url']}@v{dlcourse.__version__}"
    missing = tmp_path / "no-such-release"
    code = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n" + source.replace(
        spec, f"dlcourse @ {missing.as_uri()}"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert result.returncode != 0
    assert str(missing) in result.stdout, "pip's own message is shown"
    assert "RuntimeError: Installing the course library failed" in result.stderr
    assert "Restart session" in result.stderr and f"{CONFIG['repository']['url']}/issues" in result.stderr


@pytest.mark.parametrize("path", EXECUTED, ids=ids(EXECUTED))
def test_notebooks_are_committed_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        assert cell.execution_count is not None, f"cell {i} was not executed: run tools/record_outputs.py"
        assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {i} stored an error"
        assert not ABSOLUTE_PATH.search(_text_of(cell)), f"cell {i} stores an absolute path"
        tags = cell.metadata.get("tags", [])
        if VOLATILE.search(cell.source):
            assert "nbval-ignore-output" in tags, f"cell {i} has run-dependent output: tag it nbval-ignore-output"


@pytest.mark.parametrize("path", EXECUTED + RELEASES, ids=ids(EXECUTED + RELEASES))
def test_no_execution_timestamps_are_stored(path):
    """Timestamps change with every recording and, through nbgrader, every release; they carry no content."""
    nb = nbformat.read(path, as_version=4)
    assert not [i for i, c in enumerate(nb.cells) if "execution" in c.metadata], (
        "re-record with tools/record_outputs.py (it does not store timing)"
    )


@pytest.mark.parametrize("path", EXECUTED, ids=ids(EXECUTED))
def test_no_progress_bar_is_stored(path):
    """Progress bars are for the person waiting; in the book they are residue (tools/record_outputs.py drops them)."""
    nb = nbformat.read(path, as_version=4)
    bars = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and PROGRESS_TEXT.search(_text_of(c))]
    assert not bars, f"cells {bars} store a progress bar: record with tools/record_outputs.py"
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    assert "FloatProgressModel" not in {m.get("model_name") for m in state.values()}, (
        "a progress bar's widget is stored"
    )


def _figures(nb) -> list[tuple[int, str]]:
    return [
        (i, data)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        for kind, data in o.get("data", {}).items()
        if kind.startswith("image/")
    ]


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_each_figure_is_shown_once(path):
    """An explorer's static figure belongs beside it once (the rendered book showed one twice)."""
    seen: dict[str, int] = {}
    for i, data in _figures(nbformat.read(path, as_version=4)):
        data = data if isinstance(data, str) else "".join(data)
        assert data not in seen, f"cells {seen[data]} and {i} show the same figure"
        seen[data] = i


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_every_figure_has_alt_text(path):
    """Screen readers read a figure's alt text; without it the rendered book gives the image's file path."""
    nb = nbformat.read(path, as_version=4)
    for i in sorted({i for i, _ in _figures(nb)}):
        alt = nb.cells[i].metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 5 and not re.search(r"\.(png|svg|jpe?g)\b", alt), (
            f"cell {i}: write what the figure shows in metadata mystnb.image.alt (got {alt!r})"
        )


@pytest.mark.parametrize("path", RELEASES, ids=ids(RELEASES))
def test_releases_hold_no_solutions_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    text = path.read_text()
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def _claim_cells(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and CLAIM_CALL.search(c.source)]


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_every_chapter_asserts_its_claims_in_hidden_cells(path):
    """What the prose says about kernel-dependent outputs is asserted (dlcourse.claims), out of the reader's sight."""
    nb = nbformat.read(path, as_version=4)
    cells = _claim_cells(nb)
    assert cells, "the chapter asserts none of its claims: add hidden dlcourse.claims cells"
    for i, cell in cells:
        assert "remove-cell" in cell.metadata.get("tags", []), f"claim cell {i} must be tagged remove-cell"
        assert not cell.get("outputs"), f"claim cell {i} prints something: a claim cell is silent when it holds"


@pytest.mark.parametrize("path", SOURCES, ids=ids(SOURCES))
def test_lab_claim_cells_are_silent(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in _claim_cells(nb):
        assert not cell.get("outputs"), f"claim cell {i} prints something: a claim cell is silent when it holds"


#: A database URL as the book and the docs print one: scheme, optional driver, then ``://``.
DATABASE_URL = re.compile(r"\b(postgres(?:ql)?(?:\+\w+)?|mysql(?:\+\w+)?)://[^\s\"'`)]*")


def test_database_urls_in_the_book_work_as_printed():
    """Every PostgreSQL URL the book, the README or the docs show names the driver the ``postgres``
    extra installs (psycopg 3), carries no password, and SQLAlchemy loads its dialect as printed."""
    import sqlalchemy

    texts = {
        p: p.read_text()
        for p in [
            *sorted((ROOT / "book").glob("*.ipynb")),
            *sorted((ROOT / "book").glob("*.md")),
            ROOT / "README.md",
            ROOT / "CONTRIBUTING.md",
            *sorted(ROOT.glob("dlcourse/*.py")),
            *sorted(ROOT.glob("grading/dlcourse_grade/*.py")),
        ]
    }
    found = [
        (path.relative_to(ROOT), m.group(0).rstrip(".,;:\\"))
        for path, text in texts.items()
        for m in DATABASE_URL.finditer(text)
        if m.group(1).startswith("postgres")
    ]
    assert found, "the book shows no PostgreSQL URL: then this test proves nothing"
    for path, url in found:
        assert url.startswith("postgresql+psycopg://"), f"{path}: {url} (SQLAlchemy 2.1 needs the driver named)"
        assert sqlalchemy.engine.make_url(url).password is None, f"{path}: {url} shows a password"
        sqlalchemy.create_engine(
            url.replace("…", "db")
        ).dispose()  # loads the dialect and the driver; connects to nothing


#: What training looks like in code: a call of fit, of an optimizer's step, or of backward.
TRAINING_CALLS = {"fit", "step", "backward"}


def _training_helpers(nb) -> list[str]:
    """Functions and classes defined in code cells whose bodies train (a chapter uses a Recipe instead)."""
    import ast

    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                calls = {
                    call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                }
                if calls & TRAINING_CALLS:
                    found.append(f"cell {index}: {node.name} calls {sorted(calls & TRAINING_CALLS)}")
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_no_cell_defines_a_training_helper(path):
    """The train-and-score pattern lives once, in dlcourse.recipes.Recipe; a chapter's cells call it.

    Chapter 0 writes its training loops by hand on purpose (autodiff from scratch), at the top level of its
    cells, never as a helper to call again.
    """
    assert _training_helpers(nbformat.read(path, as_version=4)) == []


def test_the_training_helper_check_sees_one():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("%matplotlib inline\ndef train(m):\n    training.fit(m, data)\n    return m"),
            nbformat.v4.new_code_cell("def score(m):\n    return training.evaluate(m, data)[1]"),
        ]
    )
    assert _training_helpers(nb) == ["cell 0: train calls ['fit']"]
