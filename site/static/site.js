// The few things the site does with JavaScript; every page works without it (see no-script.css).
// - The menu button of Bootstrap Italia's header on phones: opens and closes the menu panel,
//   closes it with Escape, the overlay or the close button, and gives focus back to the button.
// - The SPARQL form of the static site: a link such as sparql/?query=... fills the form with its query.
(function () {
  "use strict";

  function setUpMenu() {
    var opener = document.querySelector("[data-menu-open]");
    var panel = opener && document.getElementById(opener.getAttribute("aria-controls"));
    if (!panel) { return; }
    var overlay = panel.querySelector(".overlay");

    function open() {
      panel.style.display = "block";
      if (overlay) { overlay.style.display = "block"; }
      opener.setAttribute("aria-expanded", "true");
      window.requestAnimationFrame(function () { panel.classList.add("expanded"); });
      var first = panel.querySelector(".menu-wrapper a");
      if (first) { first.focus(); }
    }

    function close() {
      panel.classList.remove("expanded");
      opener.setAttribute("aria-expanded", "false");
      if (overlay) { overlay.style.display = ""; }
      window.setTimeout(function () { panel.style.display = ""; }, 250);
      opener.focus();
    }

    opener.addEventListener("click", function () {
      if (opener.getAttribute("aria-expanded") === "true") { close(); } else { open(); }
    });
    panel.querySelectorAll("[data-menu-close]").forEach(function (element) {
      element.addEventListener("click", close);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && opener.getAttribute("aria-expanded") === "true") { close(); }
    });
  }

  function fillQueryForm() {
    var box = document.querySelector("textarea[data-query-from-url]");
    if (!box) { return; }
    var query = new URLSearchParams(window.location.search).get("query");
    if (query) { box.value = query; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    fillQueryForm();
  });
}());
