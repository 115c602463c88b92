/*
 * The reader's colour theme, applied before the page is first drawn (loaded without defer, so
 * no flash of the wrong theme). "auto" follows the system's prefers-color-scheme in CSS;
 * "light" and "dark" are the reader's own choice, kept in this browser. The key and values
 * are the Django admin's, so the site, the admin and its preview share one choice.
 */
(function () {
  "use strict";
  var theme = "auto";
  try {
    theme = window.localStorage.getItem("theme") || "auto";
  } catch (error) {
    // Storage refused (private mode, cookies blocked): follow the system.
  }
  if (theme !== "light" && theme !== "dark") {
    theme = "auto";
  }
  document.documentElement.setAttribute("data-theme", theme);
})();
