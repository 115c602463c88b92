/* Page behaviour without inline scripts: math typesetting, copy, share and print buttons. */
(function () {
  "use strict";

  var queue = Promise.resolve();

  function typeset(element) {
    queue = queue.then(function () {
      if (!window.MathJax || !MathJax.typesetPromise) {
        return;
      }
      MathJax.texReset();
      window.blogMathScope = element.getAttribute("data-math-scope") || "";
      MathJax.typesetClear([element]);
      return MathJax.typesetPromise([element]);
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

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = "已复制";
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
        if (status) { status.textContent = "链接已复制"; }
      }
    }
  });
})();
