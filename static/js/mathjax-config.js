/*
 * MathJax 4 settings, read by vendor/mathjax/tex-chtml.js (served from our own static files).
 *
 * Posts and comments are typeset on the server when saved (core/mathjax/renderer.mjs, with the
 * same TeX settings as here); MathJax runs in the browser only where math is typed live (the
 * comment preview, the admin editor's preview) and on a page whose stored math could not be
 * typeset on the server (the admin says why on the post).
 *
 * Each `.math-scope` element (a post body, an excerpt, a comment) is typeset on its own by
 * site.js, with equation numbering restarted and label ids prefixed by the scope, so two
 * posts on one listing both start at (1) and their \label{}s never collide.
 *
 * Accessibility: every formula carries its MathML for screen readers (assistive MathML), and
 * the explorer gives it a spoken description (speech) that a keyboard user can walk through
 * with the arrow keys once the formula has focus. site.js keeps links drawn inside the hidden
 * visual part out of the tab order.
 */
(function () {
  "use strict";
  // The static root, from this script's own address (hashed or not): fonts and extensions
  // come from our static files, never from MathJax's default CDN.
  var script = document.currentScript;
  var root = script ? script.src.replace(/js\/[^/]*$/, "") : "/static/";
  window.MathJax = {
    loader: {
      load: ["[tex]/tagformat", "ui/safe", "a11y/assistive-mml"],
      paths: { mathjax: root + "vendor/mathjax", fonts: root + "vendor" },
    },
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
      enableSpeech: true,
      enableBraille: false,
      enableExplorer: true,
      // The reader's menu choices win over the options above when it starts: the same here.
      menuOptions: {
        settings: { assistiveMml: true, speech: true, braille: false },
      },
    },
    output: { matchFontHeight: false },
    startup: {
      typeset: false,
      pageReady: function () {
        return MathJax.startup.defaultPageReady().then(function () {
          if (window.blogMath && !window.blogMathLoadedLate) {
            return window.blogMath.typesetAll();
          }
        });
      },
    },
  };
})();
