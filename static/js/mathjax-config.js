/*
 * MathJax settings, read by vendor/mathjax/tex-chtml.js (served from our own static files).
 *
 * Each `.math-scope` element (a post body, an excerpt, a comment) is typeset on its own by
 * site.js, with equation numbering restarted and label ids prefixed by the scope, so two
 * posts on one listing both start at (1) and their \label{}s never collide.
 *
 * Accessibility: every formula carries its MathML for screen readers (assistive MathML), and
 * the explorer gives it a spoken description (speech, by the Speech Rule Engine, whose rules
 * MathJax loads from our static files) that a keyboard user can walk through with the arrow
 * keys once the formula has focus. site.js keeps links drawn inside the hidden visual part
 * out of the tab order.
 */
window.MathJax = {
  loader: { load: ["[tex]/tagformat", "ui/safe", "a11y/assistive-mml", "a11y/explorer"] },
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
    enableAssistiveMml: true,
    enableEnrichment: true,
    enableExplorer: true,
    a11y: { speech: true, braille: false, subtitles: false },
    // The reader's menu choices win over the options above when it starts: the same here.
    menuOptions: {
      settings: { assistiveMml: true, explorer: true, speech: true, braille: false },
    },
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
