// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.querySelectorAll(".copy-button").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value);
    });
  });
  // Mastodon has no single home: ask which server to share on.
  document.querySelectorAll("a.mastodon").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var saved = window.localStorage.getItem("chorus-mastodon") || "mastodon.social";
      var server = window.prompt(link.dataset.prompt || "Mastodon server", saved);
      if (!server) { event.preventDefault(); return; }
      server = server.trim().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
      if (!/^[a-z0-9.-]+$/i.test(server)) { event.preventDefault(); return; }
      window.localStorage.setItem("chorus-mastodon", server);
      link.href = "https://" + server + "/share?text=" + encodeURIComponent(link.dataset.shareText);
    });
  });
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
