/*
 * MathJax settings, read by vendor/mathjax/tex-chtml.js (served from our own static files).
 *
 * Each `.math-scope` element (a post body, an excerpt, a comment) is typeset on its own by
 * site.js, with equation numbering restarted and label ids prefixed by the scope, so two
 * posts on one listing both start at (1) and their \label{}s never collide.
 */
window.MathJax = {
  loader: { load: ["[tex]/tagformat", "ui/safe"] },
  tex: {
    packages: { "[+]": ["tagformat"] },
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: true,
    tags: "ams",
    tagformat: {
      id: function (label) {
        return "mjx-eqn:" + (window.blogMathScope || "") + label.replace(/\s/g, "_");
      },
    },
  },
  options: {
    // Only the spans and divs that arithmatex marked as math are typeset, never other text.
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
  chtml: { matchFontHeight: false },
  startup: {
    typeset: false,
    pageReady: function () {
      return MathJax.startup.defaultPageReady().then(function () {
        if (window.blogMath) {
          return window.blogMath.typesetAll();
        }
      });
    },
  },
};
