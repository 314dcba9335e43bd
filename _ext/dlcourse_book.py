"""Sphinx fixes for the rendered book, each one found by the browser test (tests/test_book_html.py).

1. sphinx-thebe 0.3.1 registers its inline configuration script twice under Sphinx 7, so every
   page threw ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``: identical
   inline scripts are kept once.
2. pydata-sphinx-theme reads ``default_mode`` from ``html_context``, which Jupyter Book leaves
   unset; a first visit logged ``Got invalid theme mode``. The book follows the reader's system.
3. Pages with widgets load the ipywidgets html-manager 1.0.x, which (a) types labels with the
   MathJax 2 API while the book loads MathJax 3, and (b) locates its fonts relative to the page
   instead of the CDN. ``static/dlcourse-widgets.js`` bridges both; it is inserted right before
   the html-manager script on those pages only (not from the book's ``_static/``: Jupyter Book
   loads every script found there on every page).
4. The general index's two columns grew wider than the page with long qualified names:
   ``static/dlcourse-book.css`` lets them wrap.
5. The book works offline, opened from ``_build/html`` with no network: MathJax, RequireJS and
   the ipywidgets html-manager are *vendored* — ``_config.yml`` names them by paths under
   ``_static/vendor/``, and this extension copies them there from the pinned npm packages that
   ``tools/install_test_browser.py`` downloads and verifies into ``.cache/cdn/`` (the README's
   set-up step). Without that copy the build fails and says which command makes it.
   Sphinx's search shows a summary of each hit by fetching the page, which a browser refuses for
   ``file://`` pages: there, the search page lists the hits without summaries instead of failing.
6. Accessibility (axe-core, in the browser test): the theme's search button is named "Search"
   while it shows "Search Ctrl+K" (a speech-input user saying what they see would not reach it),
   its colour-mode button is named "Color mode" while FontAwesome turns its icons' titles
   ("Light", "Dark") into text inside it, and sphinxcontrib-bibtex marks the citation list
   ``role="list"`` around entries that are ``doc-biblioentry``, not list items. All three are fixed
   in the built HTML after the build; the
   widgets, rendered in the browser, get their accessible names from ``static/dlcourse-widgets.js``.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

WIDGET_SHIM = "dlcourse-widgets.js"
HTML_MANAGER = "@jupyter-widgets/html-manager@"
ROOT = Path(__file__).resolve().parents[1]
VENDOR = "vendor"
#: What the pages load of each package: the folders copied into ``_static/vendor/<package>@<version>/``.
#: The packages and their versions are pinned once, in ``tools/install_test_browser.py``.
VENDORED_PARTS = {"mathjax": ["es5"], "requirejs": ["require.js"], "@jupyter-widgets/html-manager": ["dist"]}


def _setup_tool():
    """``tools/install_test_browser.py``, which pins the packages and downloads them (not a package: by path)."""
    spec = importlib.util.spec_from_file_location("install_test_browser", ROOT / "tools" / "install_test_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class VendorMissing(RuntimeError):
    """The pinned scripts the offline book needs are not downloaded yet."""


#: Fixes of the built HTML: (what the theme or an extension writes, what it should be).
HTML_FIXES = [
    # the button's name must contain what it shows ("Search Ctrl+K"): let its content name it
    (
        'class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search"',
        'class="btn search-button-field search-button__button pst-js-only" title="Search"',
    ),
    # a list's children must be list items; these are bibliography entries (role doc-biblioentry)
    ('<div role="list" class="citation-list">', '<div class="citation-list">'),
]
#: The colour-mode button's icons: decorative (the button is named "Color mode"), so no title text.
THEME_ICON = re.compile(r'<i class="(theme-switch [^"]*)"(\s+data-mode="\w+")\s+title="[^"]*"')


def _fix_html(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = text
        for wrong, right in HTML_FIXES:
            fixed = fixed.replace(wrong, right)
        fixed = THEME_ICON.sub(r'<i aria-hidden="true" class="\1"\2', fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _vendor(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / VENDOR
    setup = _setup_tool()
    for name, version in setup.PACKAGES:
        package, parts, source = f"{name}@{version}", VENDORED_PARTS[name], setup.mirror_path(name, version)
        if not source.is_dir():
            raise VendorMissing(
                f"{source} is missing: run `python tools/install_test_browser.py` (it downloads the "
                "pinned MathJax, RequireJS and html-manager that the offline book ships)"
            )
        for part in parts:
            src, dst = source / part, target / package / part
            if dst.exists():
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():  # source maps are for debugging the packages, not for readers
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map"))
            else:
                shutil.copy2(src, dst)


def _configure(app, config):
    config.html_context.setdefault("default_mode", "auto")
    config.html_static_path.append(str(Path(__file__).with_name("static")))


#: On the search page: summaries need fetch(), which file:// pages may not use.
SEARCH_OFFLINE = 'if (location.protocol === "file:") { DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; }'


def _fix_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    if pagename == "search":
        scripts.append(type(scripts[0])("", body=SEARCH_OFFLINE))
    seen_bodies, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        body = attributes.get("body")
        if not getattr(script, "filename", None) and body is not None:
            if body in seen_bodies:
                continue
            seen_bodies.add(body)
        kept.append(script)
    manager = next((i for i, s in enumerate(kept) if HTML_MANAGER in str(getattr(s, "filename", "") or "")), None)
    if manager is not None and not any(WIDGET_SHIM in str(getattr(s, "filename", "") or "") for s in kept):
        template = kept[manager]
        filename = str(template.filename)
        # RequireJS resolves paths against the page: give the shim the vendored file's page-relative URL
        if "://" in filename:
            url = filename
        else:
            url = context["pathto"](filename if filename.startswith("_static/") else f"_static/{filename}", 1)
        kept.insert(
            manager,
            type(template)(
                f"_static/{WIDGET_SHIM}", priority=getattr(template, "priority", 500), **{"data-html-manager": url}
            ),
        )
    scripts[:] = kept


def _read_constants_of_parts() -> None:
    """Let autodoc see the ``#:`` comments of constants that a course package re-exports from its parts.

    autodoc documents a module's data only when the module's own source holds a ``#:`` comment for it; for a
    package that source is ``__init__.py``, so the constants of its parts (``dlcourse.augment.LUMA``,
    ``dlcourse.surfaces.SURFACE_OPTIMIZERS``, ...) would vanish from the API page. This wraps
    ``ModuleAnalyzer.find_attr_docs`` so that, for a package of ``dlcourse`` or ``dlcourse_grade``, the comments
    of the parts that define the names in its ``__all__`` are added to the package's own.
    """
    import importlib
    import pkgutil

    from sphinx.pycode import ModuleAnalyzer

    original = ModuleAnalyzer.find_attr_docs
    if getattr(original, "reads_parts", False):
        return

    def find_attr_docs(self):
        docs = original(self)
        if self.modname.split(".")[0] not in ("dlcourse", "dlcourse_grade") or getattr(self, "parts_read", False):
            return docs
        self.parts_read = True  # the analyzer is cached and its attr_docs kept: read the parts once
        package = importlib.import_module(self.modname)
        if not hasattr(package, "__path__"):
            return docs
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{self.modname}."):
            part = importlib.import_module(info.name)
            for (namespace, name), doc in original(ModuleAnalyzer.for_module(info.name)).items():
                shared = name in getattr(package, "__all__", ()) and getattr(package, name, None) is getattr(
                    part, name, object()
                )
                if namespace == "" and shared:
                    docs.setdefault(("", name), doc)
        return docs

    find_attr_docs.reads_parts = True
    ModuleAnalyzer.find_attr_docs = find_attr_docs


def setup(app):
    app.connect("config-inited", _configure)
    _read_constants_of_parts()
    app.add_css_file("dlcourse-book.css")
    app.connect("html-page-context", _fix_scripts, priority=900)
    app.connect("build-finished", _vendor)
    app.connect("build-finished", _fix_html)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
