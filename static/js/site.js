/*
 * Page behaviour without inline scripts: math typesetting, copy, share and print buttons, the
 * theme switch, and keyboard access to what scrolls sideways.
 *
 * Words shown by this script come from the page (data-* attributes rendered by the templates
 * in the reader's language), so the script itself holds no language.
 */
(function () {
  "use strict";

  var queue = Promise.resolve();
  var thisScript = document.currentScript;
  var loading = null;

  /*
   * Posts and comments come with their math typeset on the server, and such a page carries no
   * MathJax. It is loaded here, from our static files, only when something still holds TeX:
   * the comment preview, or content the server could not typeset.
   */
  function loadMathJax() {
    if (window.MathJax && window.MathJax.startup) {
      return window.MathJax.startup.promise;
    }
    if (!loading) {
      window.blogMathLoadedLate = true;  // MathJax's start-up then leaves typesetting to us
      loading = loadScript(thisScript.getAttribute("data-mathjax-config"))
        .then(function () { return loadScript(thisScript.getAttribute("data-mathjax")); })
        .then(function () { return window.MathJax.startup.promise; });
    }
    return loading;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function holdsTeX(element) {
    return Array.prototype.some.call(element.querySelectorAll(".arithmatex"), function (math) {
      return !math.querySelector("mjx-container");
    });
  }

  function typeset(element) {
    if (!holdsTeX(element)) {
      return queue;
    }
    queue = queue.then(function () {
      return window.MathJax && MathJax.typesetPromise ? null : loadMathJax();
    }).then(function () {
      if (!window.MathJax || !MathJax.typesetPromise) {
        return;
      }
      MathJax.texReset();
      window.blogMathScope = element.getAttribute("data-math-scope") || "";
      MathJax.typesetClear([element]);
      return MathJax.typesetPromise([element]).then(function () {
        keepHiddenLinksOutOfTabOrder(element);
        makeScrollersFocusable(element);
      });
    }).catch(function (error) {
      console.error("MathJax:", error);
    });
    return queue;
  }

  window.blogMath = {
    typeset: typeset,
    typesetAll: function () {
      document.querySelectorAll(".math-scope").forEach(typeset);
      return queue.then(function () {
        document.documentElement.setAttribute("data-math-typeset", "done");
      });
    },
  };

  /*
   * MathJax draws a formula for the eye inside aria-hidden and gives screen readers its MathML
   * beside it; a link drawn inside (an \eqref) must then not take keyboard focus either, or
   * the keyboard would land on something screen readers are told is not there.
   */
  function keepHiddenLinksOutOfTabOrder(root) {
    root.querySelectorAll("[aria-hidden=true] a[href], [aria-hidden=true] [tabindex]").forEach(
      function (element) { element.setAttribute("tabindex", "-1"); }
    );
  }

  /*
   * A code block, table, formula or paragraph wider than the column scrolls sideways; one the
   * keyboard can reach can be scrolled with the arrow keys. Checked again when the width changes.
   */
  var SCROLLERS = "pre, table, mjx-container[display=true], .post-body p, .entry-excerpt p, " +
    ".comment-content p, .comment-preview p";

  function makeScrollersFocusable(root) {
    root.querySelectorAll(SCROLLERS).forEach(function (element) {
      var scrolls = element.scrollWidth > element.clientWidth + 1;
      if (scrolls && !element.hasAttribute("tabindex")) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && element.hasAttribute("data-scroll-focus")) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-scroll-focus");
      }
    });
    root.querySelectorAll("mjx-container[display=true]").forEach(pinEquationNumbers);
  }

  /*
   * A numbered equation wider than the column scrolls sideways, and MathJax draws its number
   * at the far right of the whole formula: on a phone, out of sight. While the formula
   * scrolls, its number is moved to the visible right edge (over the formula, on the page's
   * background), so the reader always sees which equation this is. Math typeset on the server
   * is SVG, whose numbers sit in an <svg data-labels> that right-aligns them within its
   * width; MathJax in the browser draws CHTML, whose numbers are boxes to shift.
   */
  function pinEquationNumbers(container) {
    var drawn = container.querySelectorAll("svg[data-labels]");
    var boxes = container.querySelectorAll("mjx-mtable[side=right] > mjx-labels");
    var scrolls = container.scrollWidth > container.clientWidth + 1;
    if ((!drawn.length && !boxes.length) ||
        (!scrolls && !container.hasAttribute("data-pinned-numbers"))) {
      return;
    }
    function follow() {
      var hidden = container.scrollWidth - container.clientWidth - container.scrollLeft;
      var visibleRight = container.getBoundingClientRect().left + container.clientLeft +
        container.clientWidth;
      drawn.forEach(function (labels) {
        var formula = labels.ownerSVGElement.getBoundingClientRect();
        if (hidden > 0) {
          labels.setAttribute("width", Math.max(0, visibleRight - formula.left));
        } else {
          labels.removeAttribute("width");
        }
      });
      boxes.forEach(function (label) {
        label.style.transform = hidden > 0 ? "translateX(" + -hidden + "px)" : "";
      });
    }
    if (!container.hasAttribute("data-pinned-numbers")) {
      container.setAttribute("data-pinned-numbers", "");
      container.addEventListener("scroll", follow, { passive: true });
    }
    follow();
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { makeScrollersFocusable(document); }, 200);
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.MathJax) {
      // No MathJax on this page: its math, if any, came typeset (or is typeset now).
      window.blogMath.typesetAll();
    }
    keepHiddenLinksOutOfTabOrder(document);
    makeScrollersFocusable(document);
    setUpThemeToggle();
  });

  /* The theme button: dark or light by the reader's choice; a choice equal to the system's
   * preference is stored as "auto", so the page follows the system again from then on. */
  function setUpThemeToggle() {
    var button = document.querySelector("[data-theme-toggle]");
    if (!button) {
      return;
    }
    var root = document.documentElement;
    var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
    function isDark() {
      var theme = root.getAttribute("data-theme");
      return theme === "dark" || (theme !== "light" && systemDark.matches);
    }
    function show() {
      button.setAttribute("aria-pressed", isDark() ? "true" : "false");
    }
    button.hidden = false;
    show();
    systemDark.addEventListener("change", show);
    button.addEventListener("click", function () {
      var wanted = isDark() ? "light" : "dark";
      var theme = (wanted === "dark") === systemDark.matches ? "auto" : wanted;
      root.setAttribute("data-theme", theme);
      try {
        window.localStorage.setItem("theme", theme);
      } catch (error) {
        // Not kept: the choice lasts for this page only.
      }
      show();
    });
  }

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-done-label");
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectFallback(text, done); });
    } else {
      selectFallback(text, done);
    }
  }

  function selectFallback(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selectable */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-action]");
    if (!button) {
      return;
    }
    var target = button.getAttribute("data-copy-target");
    if (target) {
      copyText(document.getElementById(target).textContent, button);
      return;
    }
    var action = button.getAttribute("data-action");
    if (action === "print") {
      window.print();
    } else if (action === "share") {
      var url = button.getAttribute("data-share-url");
      var title = button.getAttribute("data-share-title");
      if (navigator.share) {
        navigator.share({ title: title, url: url }).catch(function () {});
      } else {
        copyText(url, button);
        var status = document.querySelector(".share-status");
        if (status) { status.textContent = status.getAttribute("data-copied-label"); }
      }
    }
  });
})();
