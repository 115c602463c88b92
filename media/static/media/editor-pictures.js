/*
 * The media library inside the post editor (blog/assets/editor/pictures.js describes the
 * hook): 插入图片 opens a picker to upload a picture or choose one from the library, and a
 * picture pasted or dropped into the editor is uploaded. Loaded by the post's change page
 * through settings.BLOG_EDITOR_SCRIPTS; the admin's address comes from data-admin-url.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var admin = (script && script.dataset.adminUrl) || "/admin/";
  var UPLOAD_URL = admin + "media/mediafile/upload.json";
  var PICTURES_URL = admin + "media/mediafile/pictures.json";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // Resolve to {url, alt}, or reject with an Error whose message is the server's reason.
  function upload(file, caption) {
    var data = new FormData();
    data.append("file", file, file.name || "image.png");
    if (caption) data.append("caption", caption);
    return fetch(UPLOAD_URL, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.error || response.statusText);
        return { url: body.url, alt: caption || body.alt || "" };
      });
    });
  }

  function listing(page) {
    return fetch(PICTURES_URL + (page ? "?page=" + page : ""), { credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || response.statusText);
          return body;
        });
      });
  }

  // The picker: a modal dialog; resolves to {url, alt} or null when closed.
  function pick() {
    return listing().then(function (first) {
      var labels = first.labels;
      return new Promise(function (resolve) {
        var dialog = el("dialog", { class: "media-picker", "aria-labelledby": "media-picker-title" });
        var chosen = null;
        dialog.append(el("h2", { id: "media-picker-title" }, labels.title));
        var captionLabel = el("label", { for: "media-picker-caption" }, labels.caption);
        var caption = el("input", { id: "media-picker-caption", type: "text", maxlength: "300" });
        var fileLabel = el("label", { class: "button media-picker-upload" }, labels.upload);
        var file = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp,image/svg+xml" });
        fileLabel.append(file);
        var status = el("p", { class: "media-picker-status", role: "status", "aria-live": "polite" });
        var grid = el("div", { class: "media-picker-grid" });
        var more = el("button", { type: "button", class: "button", hidden: "" }, labels.more);
        var cancel = el("button", { type: "button", class: "button" }, labels.cancel);
        dialog.append(captionLabel, caption, fileLabel, status, el("p", {}, labels.library), grid, more, cancel);

        function finish(picture) {
          chosen = picture;
          dialog.close();
        }
        function show(answer) {
          if (!answer.files.length && !grid.children.length) grid.append(el("p", {}, labels.empty));
          answer.files.forEach(function (picture) {
            var button = el("button", { type: "button", class: "media-picker-item", title: picture.name });
            button.append(el("img", { src: picture.thumbnail, alt: picture.alt || picture.name, loading: "lazy" }));
            button.addEventListener("click", function () {
              finish({ url: picture.url, alt: caption.value.trim() || picture.alt || "" });
            });
            grid.append(button);
          });
          more.hidden = !answer.next;
          more.dataset.page = answer.next || "";
        }
        more.addEventListener("click", function () { listing(more.dataset.page).then(show); });
        file.addEventListener("change", function () {
          if (!file.files.length) return;
          status.textContent = labels.uploading;
          upload(file.files[0], caption.value.trim()).then(finish, function (error) {
            status.textContent = error.message;
            file.value = "";
          });
        });
        cancel.addEventListener("click", function () { dialog.close(); });
        dialog.addEventListener("close", function () {
          dialog.remove();
          resolve(chosen);
        });
        show(first);
        document.body.append(dialog);
        dialog.showModal();
        caption.focus();
      });
    }, function (error) {
      // No library for this user (no permission) or no server: say so, insert nothing.
      window.alert(error.message);
      return null;
    });
  }

  window.blogPictures = {
    pick: pick,
    upload: function (file) { return upload(file, ""); },
  };
})();
