// On a partner's page: resize embedded Chorus petitions to fit their content.
// Optional: without it, the frame keeps the height it was given.
(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.chorus !== "height") return;
    document.querySelectorAll("iframe[data-chorus-embed]").forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.style.height = Math.min(Math.max(event.data.height, 200), 2000) + "px";
      }
    });
  });
})();
