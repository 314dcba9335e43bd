"""The rendered book: built from the committed outputs, then every local link and image checked.

``jupyter-book build -W`` passes when a page links to a missing file or embeds an image that
was never written (the cross-page ``{glue}`` figure bug does exactly that), so the HTML itself
is checked here. External links are not followed (no network in CI).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_RAW = {"script", "style", "pre", "code", "textarea"}


class _Collector(HTMLParser):
    """Links, images, element ids, and the visible text outside code and typeset math."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._hidden: list[bool] = []  # one entry per open element: is its text excluded?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag in _VOID:
            return
        classes = (attrs.get("class") or "").split()
        self._hidden.append(tag in _RAW or "math" in classes or (bool(self._hidden) and self._hidden[-1]))

    def handle_endtag(self, tag):
        if tag not in _VOID and self._hidden:
            self._hidden.pop()

    def handle_data(self, data):
        if not (self._hidden and self._hidden[-1]):
            self.text.append(data)


@functools.lru_cache(maxsize=None)
def _parse(page: Path) -> _Collector:
    collector = _Collector()
    collector.feed(page.read_text(encoding="utf-8"))
    return collector


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    # jupyter_book has no __main__ module: call its CLI entry point with the interpreter running the tests
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def _local_target(page: Path, ref: str) -> tuple[Path | None, str]:
    parsed = urlparse(ref)
    if parsed.scheme or parsed.netloc or ref.startswith(("mailto:", "javascript:", "data:")):
        return None, ""
    if not parsed.path:
        return page, parsed.fragment
    return (page.parent / unquote(parsed.path)).resolve(), parsed.fragment


def test_every_chapter_is_rendered(html):
    for chapter in sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md")):
        assert (html / "book" / f"{chapter.stem}.html").exists(), chapter.name


def test_every_local_link_resolves(html):
    broken = []
    for page in _pages(html):
        for ref in _parse(page).links:
            target, fragment = _local_target(page, ref)
            if target is None:
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(html)} -> {ref}")
            elif fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                broken.append(f"{page.relative_to(html)} -> {ref} (no id {fragment!r})")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_image_exists_and_is_not_empty(html):
    missing = []
    for page in _pages(html):
        for src in _parse(page).images:
            target, _ = _local_target(page, src)
            if target is not None and (not target.exists() or target.stat().st_size == 0):
                missing.append(f"{page.relative_to(html)} -> {src}")
    assert not missing, "missing images:\n" + "\n".join(missing)


def test_chapters_have_figures_and_no_raw_math(html):
    for chapter in sorted((ROOT / "book").glob("*.ipynb")):
        page = _parse(html / "book" / f"{chapter.stem}.html")
        assert page.images, f"{chapter.name} renders no figure"
        assert "$$" not in "".join(page.text), f"{chapter.name} shows raw $$ math"


def test_colab_button_points_at_an_existing_notebook(html):
    for chapter in sorted((ROOT / "book").glob("*.ipynb")):
        links = [link for link in _parse(html / "book" / f"{chapter.stem}.html").links if "colab.research" in link]
        assert links, f"{chapter.name} has no Colab button"
        path = links[0].split("/blob/main/", 1)[1]
        assert (ROOT / path).exists(), links[0]
