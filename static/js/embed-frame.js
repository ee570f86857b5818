// Inside the embedded petition: tell the partner page how tall the content is.
(function () {
  "use strict";
  if (window.parent === window) return;
  function report() {
    window.parent.postMessage(
      { chorus: "height", height: document.documentElement.scrollHeight, href: location.href }, "*"
    );
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();
