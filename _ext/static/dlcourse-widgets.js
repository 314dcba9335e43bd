// Loaded before the ipywidgets html-manager on pages that embed widgets (see _ext/dlcourse_book.py).
(function () {
  "use strict";
  // (b) html-manager finds its fonts next to the module URI that RequireJS gives it; without a
  // path it is page-relative (404). Point the module's folder at the CDN it is loaded from.
  // The html-manager's <script> comes next, so it is not parsed yet: its URL is passed on this tag.
  var manager = document.currentScript && document.currentScript.getAttribute("data-html-manager");
  if (manager && window.require && window.require.config) {
    var dist = manager.slice(0, manager.lastIndexOf("/"));
    window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": dist } });
  }
  // (a) html-manager typesets labels with MathJax 2's MathJax.Hub.Queue(["Typeset", Hub, el]);
  // the book loads MathJax 3, which replaces window.MathJax when it starts. Whatever object
  // window.MathJax becomes gets a Hub.Queue that does the same with MathJax 3.
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      value.Hub = {
        Queue: function (command) {
          var element = Array.isArray(command) ? command[2] : undefined;
          var mathjax = window.MathJax;
          if (!element || !mathjax) { return; }
          var ready = (mathjax.startup && mathjax.startup.promise) || Promise.resolve();
          ready.then(function () {
            if (mathjax.typesetPromise) { return mathjax.typesetPromise([element]); }
          }).catch(function (error) { console.warn("MathJax could not typeset a widget label", error); });
        },
      };
    }
    return value;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); },
  });
})();

// (c) Accessible names for what the html-manager renders: its sliders (noUiSlider handles with
// role="slider") carry no name, and the explorer's figure (an <img> in an output widget) no alt
// text. Each slider is named by its widget's label; each figure is described by the controls
// above it, with their current values. Re-applied whenever the widgets change the page.
(function () {
  "use strict";
  function labelOf(widget) {
    var label = widget && widget.querySelector(".widget-label");
    return label ? label.textContent.trim() : "";
  }
  function settings(box) {
    var parts = [];
    box.querySelectorAll(".widget-slider, .widget-dropdown, .widget-checkbox, .widget-toggle-buttons")
      .forEach(function (control) {
        var value = control.querySelector(".widget-readout, select, input");
        var text = value ? (value.value !== undefined && value.tagName !== "DIV" ? value.value : value.textContent) : "";
        parts.push((labelOf(control) || "setting") + " " + String(text).trim());
      });
    return parts.join(", ");
  }
  function name() {
    document.querySelectorAll('.noUi-handle[role="slider"]:not([aria-label])').forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets");
      handle.setAttribute("aria-label", labelOf(widget) || "slider");
    });
    document.querySelectorAll(".widget-output img:not([alt]), .jp-RenderedImage img:not([alt])").forEach(function (img) {
      var box = img.closest(".widget-vbox, .widget-box, .widget-subarea") || document.body;
      var values = settings(box);
      img.setAttribute("alt", "The explorer's figure" + (values ? " for " + values : "") +
        "; the static figure in the text shows the default values.");
    });
  }
  new MutationObserver(name).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", name);
})();
