// Makes an age key pair (X25519) in the browser for the organisation key page.
// Nothing is sent anywhere: the public key is put in the form, the private key
// is offered as a file to save. Without JavaScript (or WebCrypto X25519) the
// page works as it is, by pasting a key made with age-keygen.
(function () {
  "use strict";
  var box = document.querySelector("[data-keygen]");
  if (!box || !window.crypto || !crypto.subtle) return;

  var CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  var GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

  function polymod(values) {
    var chk = 1;
    values.forEach(function (v) {
      var top = chk >>> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ v;
      for (var i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i];
    });
    return chk;
  }

  function toWords(bytes) {
    var words = [], acc = 0, bits = 0;
    bytes.forEach(function (b) {
      acc = (acc << 8) | b; bits += 8;
      while (bits >= 5) { bits -= 5; words.push((acc >>> bits) & 31); }
    });
    if (bits > 0) words.push((acc << (5 - bits)) & 31);
    return words;
  }

  function bech32(hrp, bytes) {
    var words = toWords(bytes);
    var expanded = [];
    for (var i = 0; i < hrp.length; i++) expanded.push(hrp.charCodeAt(i) >>> 5);
    expanded.push(0);
    for (i = 0; i < hrp.length; i++) expanded.push(hrp.charCodeAt(i) & 31);
    var mod = polymod(expanded.concat(words, [0, 0, 0, 0, 0, 0])) ^ 1;
    var out = hrp + "1";
    words.forEach(function (w) { out += CHARSET[w]; });
    for (i = 0; i < 6; i++) out += CHARSET[(mod >>> (5 * (5 - i))) & 31];
    return out;
  }

  function fromBase64Url(text) {
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Array.prototype.map.call(binary, function (c) { return c.charCodeAt(0); });
  }

  box.hidden = false;
  box.querySelector("[data-keygen-button]").addEventListener("click", function () {
    crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]).then(function (pair) {
      return crypto.subtle.exportKey("jwk", pair.privateKey);
    }).then(function (jwk) {
      var recipient = bech32("age", fromBase64Url(jwk.x));
      var identity = bech32("age-secret-key-", fromBase64Url(jwk.d)).toUpperCase();
      var file = "# created: " + new Date().toISOString() + "\n# public key: " + recipient +
        "\n" + identity + "\n";
      var link = box.querySelector("[data-keygen-download]");
      link.href = URL.createObjectURL(new Blob([file], { type: "text/plain" }));
      document.querySelector("[data-keygen-recipient]").value = recipient;
      box.querySelector("[data-keygen-done]").hidden = false;
      link.focus();
    }).catch(function () {
      box.hidden = true; // this browser cannot: age-keygen, as above
    });
  });
})();
