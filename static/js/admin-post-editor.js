/*
 * The post editor in the admin: Django's two-list tag picker (filter_horizontal) labels its
 * search icons with aria-label on a plain span, which screen readers may ignore and axe
 * rejects; giving the icon the role of an image makes its label count. The source editor's
 * scrolling pane joins the tab order, so the keyboard can scroll it.
 */
(function () {
  "use strict";
  window.addEventListener("load", function () {
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // CodeMirror makes its scroller focusable by script only (tabindex -1).
    document.querySelectorAll(".cm-scroller").forEach(function (scroller) {
      scroller.setAttribute("tabindex", "0");
    });
  });
})();
