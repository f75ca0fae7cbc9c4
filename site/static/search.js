// Pagefind's search box on the home page; each result says what it is (Objective, Indicator, PNRR measure...).
// The enti's pages are indexed in parts of their own (data-parts), merged with the site-wide index.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || !window.PagefindUI) { return; }
  var parts = (element.getAttribute("data-parts") || "").split(" ").filter(Boolean);
  new window.PagefindUI({
    element: "#search",
    mergeIndex: parts.map(function (part) { return { bundlePath: part }; }),
    showSubResults: true,
    showImages: false,
    translations: { placeholder: element.getAttribute("data-placeholder") },
    processResult: function (result) {
      var kind = result.meta && result.meta.kind;
      if (kind) {
        result.meta.title = kind + (result.meta.code ? " " + result.meta.code : "") + " · " + result.meta.title;
      }
      return result;
    }
  });
});
