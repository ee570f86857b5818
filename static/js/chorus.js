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
  // Phones: once neither the count's "Sign" button nor the form is on screen, a bar at the
  // bottom leads back to the form. Without JavaScript the bar stays hidden.
  var bar = document.getElementById("sign-bar");
  var form = document.querySelector("#sign form");
  var cta = document.querySelector(".sign-cta");
  if (bar && form && cta && "IntersectionObserver" in window) {
    var seen = new Map();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { seen.set(entry.target, entry.isIntersecting); });
      var visible = false;
      seen.forEach(function (value) { visible = visible || value; });
      bar.hidden = visible || getComputedStyle(cta).display === "none";
    });
    observer.observe(form);
    observer.observe(cta);
  }
  // The language menu closes when the reader clicks elsewhere or presses Escape.
  document.querySelectorAll("details.language").forEach(function (menu) {
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
