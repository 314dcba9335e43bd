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
"""

from __future__ import annotations

from pathlib import Path

WIDGET_SHIM = "dlcourse-widgets.js"
HTML_MANAGER = "@jupyter-widgets/html-manager@"


def _configure(app, config):
    config.html_context.setdefault("default_mode", "auto")
    config.html_static_path.append(str(Path(__file__).with_name("static")))


def _fix_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
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
        kept.insert(manager, type(template)(f"_static/{WIDGET_SHIM}", priority=getattr(template, "priority", 500),
                                            **{"data-html-manager": str(template.filename)}))
    scripts[:] = kept


def setup(app):
    app.connect("config-inited", _configure)
    app.add_css_file("dlcourse-book.css")
    app.connect("html-page-context", _fix_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
