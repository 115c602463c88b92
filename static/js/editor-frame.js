/*
 * The post editor's preview frame (templates/admin/blog/post/editor_frame.html).
 *
 * The editor (vendor/editor/editor.js, in the parent page) sends HTML that the server rendered
 * with the post page's own pipeline; each top-level block carries data-source-line. Only the
 * blocks whose HTML changed are replaced and typeset by MathJax, one block at a time, so a
 * keystroke costs one block's typesetting however long the post is. Equation numbers go on
 * across blocks: each block is typeset starting from the count of numbered equations before
 * it, with the labels of the other blocks known, so \eqref works between blocks.
 */
(function () {
  "use strict";

  var body = null;
  var queue = Promise.resolve();
  var labels = {}; // label -> MathJax's Label, over the whole post
  var version = 0;

  function ready() {
    if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) {
      return new Promise(function (resolve) { setTimeout(resolve, 30); }).then(ready);
    }
    return MathJax.startup.promise;
  }

  function texTags() {
    return MathJax.startup.document.inputJax[0].parseOptions.tags;
  }

  function blocks() {
    return Array.prototype.filter.call(body.children, function (el) {
      return el.hasAttribute("data-source-line");
    });
  }

  function lineOf(el) {
    return parseInt(el.getAttribute("data-source-line"), 10);
  }

  function withoutLine(html) {
    return html.replace(/ data-source-line="\d+"/, "");
  }

  function parse(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    return Array.prototype.slice.call(holder.children).map(function (el) {
      el._source = withoutLine(el.outerHTML);
      return el;
    });
  }

  function hasMath(el) {
    return el.classList.contains("arithmatex") || !!el.querySelector(".arithmatex");
  }

  // Typeset one block, its equations numbered from `start`; return the number after it.
  function typesetBlock(el, start) {
    el._start = start;
    if (!hasMath(el)) {
      el._end = start;
      el._typeset = true;
      return Promise.resolve(start);
    }
    var tags = texTags();
    MathJax.texReset(start);
    window.blogMathScope = "preview-";
    var own = el._labels || [];
    Object.keys(labels).forEach(function (name) {
      if (own.indexOf(name) === -1) {
        tags.allLabels[name] = labels[name];
      }
    });
    var before = Object.assign({}, tags.allLabels);
    MathJax.typesetClear([el]);
    return MathJax.typesetPromise([el]).then(function () {
      own.forEach(function (name) { delete labels[name]; });
      el._labels = Object.keys(tags.allLabels).filter(function (name) { return !(name in before); });
      el._labels.forEach(function (name) { labels[name] = tags.allLabels[name]; });
      el._end = tags.counter;
      el._typeset = true;
      return tags.counter;
    });
  }

  // Typeset, in order, the blocks not yet typeset and those whose numbering moved.
  function settle(firstChanged) {
    return ready().then(function () {
      var list = blocks();
      var chain = Promise.resolve(0);
      list.forEach(function (el) {
        chain = chain.then(function (start) {
          if (el._typeset && el._start === start) {
            return el._end;
          }
          if (el._typeset) {
            // The numbering before it changed: typeset it again from its source.
            var fresh = parse(el._sourceHtml || el.outerHTML)[0];
            if (fresh) {
              copyState(el, fresh);
              el.replaceWith(fresh);
              el = fresh;
            }
          }
          return typesetBlock(el, start);
        });
      });
      return chain.then(function () {
        // References to blocks typeset after them: one more pass for those.
        var unresolved = blocks().filter(function (el) {
          return el._typeset && el.textContent.indexOf("???") !== -1 && el._retried !== version;
        });
        var again = Promise.resolve();
        unresolved.forEach(function (el) {
          again = again.then(function () {
            el._retried = version;
            var fresh = parse(el._sourceHtml)[0];
            copyState(el, fresh);
            el.replaceWith(fresh);
            return typesetBlock(fresh, el._start);
          });
        });
        return again;
      });
    }).then(function () {
      version += 1;
      document.documentElement.setAttribute("data-preview-version", String(version));
      document.documentElement.setAttribute("data-math-typeset", "done");
      if (firstChanged) {
        markEditing(firstChanged);
      }
    }).catch(function (error) {
      console.error("preview:", error);
    });
  }

  function copyState(from, to) {
    to._sourceHtml = from._sourceHtml;
    to._source = from._source;
    to._labels = from._labels;
    to._retried = from._retried;
    to.setAttribute("data-source-line", from.getAttribute("data-source-line"));
  }

  function remember(el) {
    el._sourceHtml = el.outerHTML;
    return el;
  }

  function markEditing(el) {
    Array.prototype.forEach.call(body.querySelectorAll(".editing"), function (other) {
      other.classList.remove("editing");
    });
    el.classList.add("editing");
  }

  // The whole body: keep every block whose HTML is unchanged (typeset as it is), add the rest.
  function setBody(html) {
    var fresh = parse(html);
    var old = blocks();
    var pool = {};
    old.forEach(function (el) {
      (pool[el._source] = pool[el._source] || []).push(el);
    });
    var firstChanged = null;
    var result = fresh.map(function (el) {
      var same = pool[el._source] && pool[el._source].shift();
      if (same) {
        same.setAttribute("data-source-line", el.getAttribute("data-source-line"));
        return same;
      }
      firstChanged = firstChanged || el;
      return remember(el);
    });
    body.replaceChildren.apply(body, result.concat(trailing(fresh, html)));
    return settle(firstChanged);
  }

  // Elements without a source line (the footnotes) go after the blocks.
  function trailing(fresh) {
    return fresh.filter(function (el) { return !el.hasAttribute("data-source-line"); });
  }

  // One block (lines from..to-1) rendered again: swap it in, typeset it.
  function replaceLines(fromLine, toLine, html) {
    var fresh = parse(html).filter(function (el) { return el.hasAttribute("data-source-line"); });
    var old = blocks();
    var inside = old.filter(function (el) {
      var line = lineOf(el);
      return line >= fromLine && line < toLine;
    });
    var sameHtml = inside.length === fresh.length && inside.every(function (el, i) {
      return el._source === fresh[i]._source;
    });
    if (sameHtml) {
      return Promise.resolve(false);
    }
    var after = old.filter(function (el) { return lineOf(el) >= toLine; })[0] || null;
    inside.forEach(function (el) {
      (el._labels || []).forEach(function (name) { delete labels[name]; });
      el.remove();
    });
    fresh.forEach(function (el) {
      body.insertBefore(remember(el), after || firstTrailing());
    });
    return settle(fresh[0]).then(function () { return true; });
  }

  function firstTrailing() {
    return Array.prototype.filter.call(body.children, function (el) {
      return !el.hasAttribute("data-source-line");
    })[0] || null;
  }

  function blockLines() {
    return blocks().map(lineOf);
  }

  function setBlockLines(lines) {
    blocks().forEach(function (el, i) {
      if (lines[i] !== undefined) {
        el.setAttribute("data-source-line", String(lines[i]));
      }
    });
  }

  // Where each block starts and ends on the page, for keeping scroll in step with the source.
  function blockPositions() {
    var scroll = window.scrollY;
    return blocks().map(function (el) {
      var box = el.getBoundingClientRect();
      return { line: lineOf(el), top: box.top + scroll, bottom: box.bottom + scroll };
    });
  }

  window.previewFrame = {
    setTitle: function (title) {
      document.getElementById("preview-title").textContent = title;
    },
    setBody: function (html) {
      queue = queue.then(function () { return setBody(html); });
      return queue;
    },
    replaceLines: function (fromLine, toLine, html) {
      var done = queue.then(function () { return replaceLines(fromLine, toLine, html); });
      queue = done.then(function () {}, function () {});
      return done;
    },
    blockLines: blockLines,
    setBlockLines: setBlockLines,
    blockPositions: blockPositions,
    markLine: function (line) {
      var candidates = blocks().filter(function (el) { return lineOf(el) <= line; });
      if (candidates.length) {
        markEditing(candidates[candidates.length - 1]);
      }
    },
  };

  document.addEventListener("DOMContentLoaded", function () {
    body = document.getElementById("preview-body");
    document.documentElement.setAttribute("data-preview-ready", "1");
    window.dispatchEvent(new Event("preview-ready"));
  });
})();
