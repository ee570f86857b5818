// Sets up the vendored ALTCHA widget (static/vendor/altcha/) on sign forms
// that ask for proof of work. Loaded after it, as a module. Without this file
// (or JavaScript) the form still signs: the signature is held for review.
const box = document.getElementById("proof-of-work");
const altcha = globalThis.$altcha;

if (box && altcha) {
  // Our CSP allows workers only from our origin, never from blob: URLs, so the
  // build without bundled workers is used and the worker is registered here.
  altcha.algorithms.set("SHA-256", () => new Worker(box.dataset.worker));

  // The page's own translated words, not the widget's bundled English.
  const language = box.dataset.language || "en";
  altcha.i18n.set(language, {
    ...altcha.i18n.get("en"),
    label: box.dataset.label,
    verifying: box.dataset.verifying,
    verified: box.dataset.verified,
    loading: box.dataset.loading,
    waitAlert: box.dataset.waitAlert,
    verificationRequired: box.dataset.verificationRequired,
    error: box.dataset.error,
    expired: box.dataset.expired,
    footer: "",
  });

  const widget = box.querySelector("altcha-widget");
  const form = box.closest("form");
  const solved = () => Boolean(form.elements.altcha && form.elements.altcha.value);

  // The form has novalidate, so the widget's own "please wait" cannot stop a
  // quick signer: wait for the solution here, then send the form. If the
  // check fails, send it anyway: the signature is held, never lost.
  let waiting = false;
  let gaveUp = false;
  form.addEventListener("submit", (event) => {
    const state = widget.getState ? widget.getState() : "";
    if (solved() || gaveUp || state === "verified") return;
    event.preventDefault();
    if (waiting) return;
    waiting = true;
    const submitter = event.submitter;
    const send = () => {
      waiting = false;
      // After the widget has written its solution into the form.
      setTimeout(() => form.requestSubmit(submitter), 0);
    };
    const onState = (change) => {
      const next = change.detail && change.detail.state;
      if (next === "verified" || next === "error" || next === "expired") {
        widget.removeEventListener("statechange", onState);
        gaveUp = next !== "verified";
        send();
      }
    };
    widget.addEventListener("statechange", onState);
    if (state !== "verifying") widget.verify();
  });
}
