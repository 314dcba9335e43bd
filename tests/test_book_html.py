"""The rendered book: built from the committed outputs, then every local link and image checked.

``jupyter-book build -W`` passes when a page links to a missing file or embeds an image that
was never written (the cross-page ``{glue}`` figure bug does exactly that), so the HTML itself
is checked here. External links are not followed (no network in CI).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.browser import Chromium
from tests.test_book import toc_files

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
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._hidden: list[bool] = []  # one entry per open element: is its text excluded?

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.stylesheets.append(attrs["href"])
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


def _missing_browser_setup() -> list[str]:
    """What ``tools/install_test_browser.py`` would install: Chromium, the pinned scripts the book ships, axe-core."""
    return [
        what
        for what, ok in [
            ("chromium", SETUP.find_chromium()),
            *[
                (f"{n}@{v} in {SETUP.MIRROR}", SETUP.mirror_path(n, v).is_dir())
                for n, v in {**SETUP.PACKAGES, **SETUP.TEST_PACKAGES}
            ],
        ]
        if not ok
    ]


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    if not all(SETUP.mirror_path(n, v).is_dir() for n, v in SETUP.PACKAGES):
        message = (
            "the book ships MathJax, RequireJS and the widget manager, downloaded by "
            "`python tools/install_test_browser.py`: run it first"
        )
        if os.environ.get("DLCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("book")
    # jupyter_book has no __main__ module: call its CLI entry point with the interpreter running the tests
    command = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(ROOT),
        "--path-output",
        str(out),
        "-W",
        "-n",
        "--keep-going",
    ]
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


def test_the_api_page_documents_every_documented_name(html):
    """Every public function and class, and every constant with a ``#:`` comment, has its entry on the API page,
    also when a package re-exports it from one of its parts (``_ext/dlcourse_book.py`` reads their comments)."""
    import importlib
    import inspect
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    import dlcourse
    import dlcourse_grade

    ids = _parse(html / "book" / "api.html").ids
    page = (ROOT / "book" / "api.md").read_text()
    missing = []
    for package in (dlcourse, dlcourse_grade):
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            top = ".".join(info.name.split(".")[:2])
            if f".. automodule:: {top}\n" not in page:
                continue  # test_docstrings checks that every module has its section
            module, documented = importlib.import_module(top), importlib.import_module(info.name)
            comments = {name for (ns, name) in ModuleAnalyzer.for_module(info.name).find_attr_docs() if ns == ""}
            for name in getattr(documented, "__all__", ()):
                obj = getattr(documented, name)
                if getattr(module, name, None) is not obj:
                    continue  # not re-exported by the page's module: documented where it is
                if inspect.isfunction(obj) or inspect.isclass(obj) or name in comments:
                    if f"{top}.{name}" not in ids:
                        missing.append(f"{top}.{name}")
    assert sorted(set(missing)) == []


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


# -- the same pages in a real browser ---------------------------------------------------------
#
# Headless Chromium (tools/install_test_browser.py installs it) opens every page of the toc, plus
# the index pages Sphinx generates, straight from the built folder (file://), as a reader who
# double-clicks index.html offline would. Every request outside that folder is refused and
# reported: the book must bring its scripts along (MathJax, RequireJS, the widget manager).


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SETUP = _load_tool("install_test_browser")
BROWSER_PAGES = [f"{entry}.html" for entry in toc_files()] + ["genindex.html", "py-modindex.html"]
ARTIFACTS = Path(os.environ.get("DLCOURSE_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
#: A screenshot of every page only when asked (``DLCOURSE_SCREENSHOTS=1``): a full-page capture costs 2–5 s a
#: page, a minute of the suite's budget in all. A page with a problem is always captured.
ALL_SCREENSHOTS = os.environ.get("DLCOURSE_SCREENSHOTS") == "1"
#: Chromium asks every origin for /favicon.ico on its own; the book declares none, so that 404 is not the page's.
BROWSER_NOISE = re.compile(r"/favicon\.ico$")

#: JavaScript: is this widget-view script's view rendered (html-manager puts it in the element before the script)?
WIDGET_RENDERED = """(v => { const s = v.previousElementSibling;
    return !!(s && s.classList.contains("widget-subarea") && s.querySelector(".jupyter-widgets, .widget-output, img")); })"""
WIDGET_VIEWS = """[...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]"""

PAGE_STATE = (
    r"""(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "MJX-CONTAINER", "TEXTAREA"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => { for (let e = n.parentElement; e; e = e.parentElement) { if (skip.has(e.tagName)) return NodeFilter.FILTER_REJECT; }
                         return NodeFilter.FILTER_ACCEPT; } });
  let text = ""; while (walker.nextNode()) { text += walker.currentNode.nodeValue; }
  const views = """
    + WIDGET_VIEWS
    + r""";
  return {
    mathjax: !!(window.MathJax && MathJax.startup),
    math: document.querySelectorAll(".math").length,
    untypeset: [...document.querySelectorAll(".math")].filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 60)),
    texErrors: [...document.querySelectorAll("mjx-merror")].map(e => e.getAttribute("data-mjx-error") || e.textContent.slice(0, 60)),
    rawMath: ["$$", "\\(", "\\["].filter(d => text.includes(d)),
    images: [...document.images].map(i => ({src: i.currentSrc.slice(0, 120), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight})),
    widgetViews: views.length,
    widgetsRendered: views.filter("""
    + WIDGET_RENDERED
    + r""").length,
    colab: [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href),
    wideCode: [...document.querySelectorAll("article pre")].filter(p => p.scrollWidth > p.clientWidth + 1)
        .map(p => `${p.scrollWidth} px in ${p.clientWidth} px: ${p.textContent.trim().slice(0, 50)}`),
    wideTables: [...document.querySelectorAll("article table")].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
        .map(t => `${t.scrollWidth} px in ${t.parentElement.clientWidth} px: ${t.textContent.trim().slice(0, 50)}`),
    pathAlt: [...document.querySelectorAll("article img")].filter(i => /\.(png|svg|jpe?g)$/.test(i.getAttribute("alt") || ""))
        .map(i => i.getAttribute("alt").slice(0, 80)),
    title: document.title,
  };
})()"""
)

#: axe-core's verdict on the page as rendered: the serious and critical violations, one line each.
#: ``preload: false``: axe would otherwise re-read every stylesheet with XMLHttpRequest, which a
#: ``file://`` page may not do (its CSS is applied all the same; only one orientation rule needs it).
AXE_RUN = """axe.run(document, {resultTypes: ["violations"], preload: false}).then(r => r.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id} (${v.nodes.length}x): ${v.help}; e.g. ${v.nodes[0].target.join(" ")}`))"""


def _axe_source() -> str:
    ((name, version),) = SETUP.TEST_PACKAGES
    return (SETUP.mirror_path(name, version) / "axe.min.js").read_text(encoding="utf-8")


SETTLED = "[...document.images].every(i => i.complete) && " + WIDGET_VIEWS + ".every(" + WIDGET_RENDERED + ")"


@pytest.fixture(scope="module")
def chromium(html):
    missing = _missing_browser_setup()
    if missing:
        message = f"browser test needs {', '.join(missing)}: run `python tools/install_test_browser.py`"
        if os.environ.get("DLCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    origin = html.as_uri()
    with Chromium(SETUP.find_chromium(), None, origin) as browser:  # no mirror: the network is simply off
        browser.origin = origin
        yield browser


def _screenshot(browser, name: str) -> None:
    browser.screenshot(ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".jpg"))


def _errors(report) -> list[str]:
    return [e for e in report.errors if not BROWSER_NOISE.search(e)] + [
        f"needs the network: {u}" for u in report.blocked
    ]


def test_the_pages_load_nothing_from_the_network(html):
    """Every script and stylesheet of the rendered pages ships with the book (the browser test below
    then loads the pages with the network off); the vendored packages are the pinned ones."""
    external = {
        f"{page.relative_to(html)}: {src}"
        for page in _pages(html)
        for src in _parse(page).scripts + _parse(page).stylesheets
        if "://" in src
    }
    assert not external, "pages load scripts from the network:\n" + "\n".join(sorted(external)[:10])
    vendored = {p.relative_to(html / "_static" / "vendor").parts[0] for p in (html / "_static" / "vendor").iterdir()}
    vendored |= {f"@jupyter-widgets/{p.name}" for p in (html / "_static" / "vendor" / "@jupyter-widgets").iterdir()}
    for name, version in SETUP.PACKAGES:
        assert f"{name}@{version}" in vendored, f"{name}@{version} is not shipped in _static/vendor/"


def _browse(chromium, page: str) -> tuple[dict, list[str]]:
    """Load a page, let it settle, screenshot it, and list everything wrong with it."""
    report = chromium.load(f"{chromium.origin}/{page}")
    chromium.wait_for(SETTLED, timeout=30)
    state = chromium.evaluate(PAGE_STATE)
    problems = _errors(report)
    if state["math"] and not state["mathjax"]:
        problems.append("has math but MathJax did not start")
    problems += [f"math not typeset: {m!r}" for m in state["untypeset"]]
    problems += [f"TeX error: {m!r}" for m in state["texErrors"]]
    problems += [f"raw math delimiter {d!r} in the text" for d in state["rawMath"]]
    problems += [f"image did not load: {i['src']}" for i in state["images"] if not (i["complete"] and i["width"] > 0)]
    problems += [f"table wider than the page (readers must scroll sideways): {t}" for t in state["wideTables"]]
    problems += [f"code wider than its box (cut at the right edge): {c}" for c in state["wideCode"]]
    problems += [f"figure whose alt text is its file name: {a}" for a in state["pathAlt"]]
    chromium.evaluate(_axe_source() + ";0")
    problems += [f"accessibility: {v}" for v in chromium.evaluate(AXE_RUN, timeout=120)]
    if state["widgetsRendered"] != state["widgetViews"]:
        problems.append(
            f"{state['widgetViews'] - state['widgetsRendered']} of {state['widgetViews']} widgets not rendered"
        )
    for link in state["colab"]:
        if not (ROOT / link.split("/blob/main/", 1)[-1]).is_file():
            problems.append(f"Colab button points at a missing notebook: {link}")
    if problems or ALL_SCREENSHOTS:
        _screenshot(chromium, page)
    return state, problems


@pytest.mark.parametrize("page", BROWSER_PAGES)
def test_page_renders_in_a_browser(chromium, page):
    state, problems = _browse(chromium, page)
    if (ROOT / page).with_suffix(".ipynb").exists():
        problems += [] if state["colab"] else ["no Colab button"]
        problems += [] if state["images"] else ["no figure"]
    assert not problems, f"{page} ({state['title']}):\n" + "\n".join(problems)


def test_the_other_pages_are_accessible(chromium, html):
    """axe-core on pages the test above does not open: the search page and the highlighted source
    of the modules. The source pages are one template around Pygments' tokens, so the two largest
    (which hold every token class the others use) stand for all of them within the suite's time;
    ``DLCOURSE_AXE_ALL=1`` checks every one (35 pages, about a minute more)."""
    others = [
        p
        for p in _pages(html)
        if str(p.relative_to(html)) not in BROWSER_PAGES
        and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")[:3000].lower()
    ]  # index.html only redirects
    sources = sorted((p for p in others if "_modules" in p.parts), key=lambda p: p.stat().st_size, reverse=True)
    assert len(sources) > 10, sources
    chosen = (
        others
        if os.environ.get("DLCOURSE_AXE_ALL") == "1"
        else [p for p in others if "_modules" not in p.parts] + sources[:2]
    )
    problems = []
    for path in chosen:
        page = str(path.relative_to(html))
        report = chromium.load(f"{chromium.origin}/{page}")
        chromium.evaluate(_axe_source() + ";0")
        problems += [f"{page}: {v}" for v in chromium.evaluate(AXE_RUN, timeout=120)]
        problems += [f"{page}: {e}" for e in _errors(report)]
    assert not problems, "\n".join(problems)


def test_browser_check_catches_planted_faults(chromium, html):
    """The check above is only as good as what it can see: a page with one fault of each kind."""
    planted = html / "planted-faults.html"
    planted.write_text(
        "<html><head><title>planted</title>"
        "<script src='https://example.org/needs-the-network.js'></script></head><body>"
        "<article><table><tr>" + "<td>a-rather-long-unbreakable-cell-value</td>" * 40 + "</tr></table>"
        "<pre style='white-space: pre; overflow-x: auto'>" + "x = 1; " * 200 + "</pre></article>"
        "<p>$$x^2$$</p><span class='math'>\\(y\\)</span><img src='missing.png'><article><img alt='fig.png' src='x.png'></article>"
        "<a href='https://colab.research.google.com/github/dlcourse/dlcourse/blob/main/book/no_such.ipynb'>Colab</a>"
        "<script>throw new Error('planted exception')</script>"
        "<script>console.error('planted console error')</script></body></html>"
    )
    _, problems = _browse(chromium, planted.name)
    text = "\n".join(problems)
    for expected in [
        "planted exception",
        "planted console error",
        "needs the network: https://example.org",
        "has math but MathJax did not start",
        "math not typeset",
        "raw math delimiter '$$'",
        "image did not load",
        "missing notebook",
        "table wider than the page",
        "code wider than its box",
        "alt text is its file name",
        "accessibility: critical image-alt",
    ]:
        assert expected in text, f"{expected!r} not reported; got:\n{text}"


def test_search_finds_dropout(chromium):
    """Sphinx's client-side search, fed the built index: every page that teaches dropout is found."""
    report = chromium.load(f"{chromium.origin}/search.html?q=dropout")
    finished = chromium.wait_for(
        "(document.querySelector('#search-results .search-summary') || {}).textContent || ''", timeout=30
    )
    hits = chromium.evaluate(
        "[...document.querySelectorAll('#search-results ul.search li a')].map(a => a.getAttribute('href'))"
    )
    _screenshot(chromium, "search_dropout")
    assert not _errors(report), _errors(report)
    assert "finished" in finished.lower(), f"the search did not finish: {finished!r}"
    pages = {href.split("#")[0].split("?")[0] for href in hits}
    assert {"book/05_regularization.html", "book/glossary.html"} <= pages, sorted(pages)
