// The welcome page's "Copy number" button.
(function () {
  "use strict";
  const button = document.getElementById("copy-number");
  const status = document.getElementById("copy-status");
  if (!button) return;
  button.addEventListener("click", function () {
    const number = button.dataset.copy;
    const done = function () { status.textContent = "Copied!"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(number).then(done, function () { status.textContent = number; });
    } else {
      // Plain-HTTP development servers have no clipboard API: select the number for Ctrl+C instead.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("voxi-number"));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      status.textContent = document.execCommand("copy") ? "Copied!" : "Press Ctrl+C to copy.";
    }
  });
})();
