// A sensitive petition's pages (signatures/_quick_exit.html).
// "Leave this page": replace this page in the history with the neutral site, so
// Back does not bring it back; Esc pressed twice in a row does the same.
// Once the page has loaded, ask for /forget/, whose Clear-Site-Data removes
// from the browser's cache the style sheets and scripts just loaded.
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) return;
  window.addEventListener("load", function () {
    var forget = link.getAttribute("data-forget");
    if (forget && window.fetch) fetch(forget, { cache: "no-store" });
  });
  function leave(event) {
    if (event) event.preventDefault();
    document.body.hidden = true;
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 1000) leave(event);
    lastEscape = now;
  });
})();
