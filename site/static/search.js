// Pagefind's search box on the home page; each result says what it is (Objective, Indicator, PNRR measure...).
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || !window.PagefindUI) { return; }
  new window.PagefindUI({
    element: "#search",
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
