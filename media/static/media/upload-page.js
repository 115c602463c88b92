/*
 * The library's upload page: files dropped on the zone (or chosen) are sent at once. The
 * zone is a native file input, so it works without this script; this only highlights the
 * zone while dragging and saves the click on 上传.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector(".media-drop-zone");
    var input = zone && zone.querySelector("input[type=file]");
    if (!input) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      input.form.requestSubmit();
    });
    input.addEventListener("change", function () {
      if (input.files.length) input.form.requestSubmit();
    });
  });
})();
