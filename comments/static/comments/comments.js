/*
 * Comment form behaviour: reply in place, 取消回复, 预览效果, one submit per click.
 *
 * Keyboard: 回复 (Enter) moves the form under the comment and focus into its text box;
 * 取消回复 or Escape in the form puts the form back and focus on the 回复 link it came from;
 * the preview is announced (role=status) while focus stays where it was.
 */
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  if (!respond) {
    return;
  }
  var form = respond.querySelector(".comment-form");
  var parentInput = form.querySelector("input[name=parent]");
  var replying = respond.querySelector(".replying");
  var replyingName = respond.querySelector(".replying-name");
  var preview = form.querySelector(".comment-preview");
  // Where the form lives when it is not answering a particular comment.
  var home = document.createElement("div");
  home.className = "respond-home";
  respond.parentNode.insertBefore(home, respond);

  var openedBy = null;  // the 回复 link that moved the form, to return focus to

  function replyTo(link) {
    openedBy = link;
    // The link sits in the comment it answers: <li id="comment-N">, with its author's name.
    var comment = link.closest("li.comment");
    var body = comment.querySelector(".comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = comment.id.replace("comment-", "");
    replyingName.textContent = "@" + body.querySelector(".comment-author").textContent.trim();
    replying.hidden = false;
    form.querySelector("textarea").focus();
  }

  function cancelReply() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "";
    replying.hidden = true;
    if (openedBy) {
      openedBy.focus();
      openedBy = null;
    }
  }

  respond.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !replying.hidden) {
      event.preventDefault();
      cancelReply();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".reply-link");
    if (link) {
      event.preventDefault();
      replyTo(link);
      return;
    }
    if (event.target.closest(".cancel-reply")) {
      event.preventDefault();
      cancelReply();
    }
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest(".preview-button");
    if (!button || !window.fetch) {
      return;
    }
    event.preventDefault();
    var data = new FormData();
    data.append("body", form.querySelector("textarea").value);
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    fetch(form.getAttribute("data-preview-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, text: text }; });
      })
      .then(function (result) {
        preview.hidden = false;
        if (result.ok) {
          // The server sanitized this HTML with the same function that stores comments, and
          // typeset its math (else blogMath.typeset loads MathJax to do it here).
          if (result.text) {
            preview.innerHTML = result.text;
          } else {
            preview.textContent = form.getAttribute("data-empty-preview");
          }
          if (window.blogMath) { window.blogMath.typeset(preview); }
        } else {
          preview.textContent = result.text;
        }
      })
      .catch(function () {
        preview.hidden = false;
        preview.textContent = form.getAttribute("data-preview-failed");
      });
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.classList.contains("preview-button")) {
      return;
    }
    if (form.getAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
    form.querySelector(".submit-button").disabled = true;
  });

  // Gravatar is unreachable offline: fall back to the identicon this site draws for the same
  // digest; the list says where identicons live.
  document.querySelectorAll(".comment-list[data-identicon]").forEach(function (list) {
    var address = list.getAttribute("data-identicon");
    list.querySelectorAll("img.avatar").forEach(function (img) {
      var digest = /\/avatar\/([0-9a-f]{64})/.exec(img.getAttribute("src"));
      if (!digest) {
        return;
      }
      var fallback = address.replace("DIGEST", digest[1]);
      function useFallback() {
        if (img.getAttribute("src") !== fallback) {
          img.src = fallback;
        }
      }
      if (img.complete && img.naturalWidth === 0) {
        useFallback();
      }
      img.addEventListener("error", useFallback);
    });
  });
})();
