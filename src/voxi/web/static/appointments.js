// The appointments page's "Copy link" button for the calendar feed address.
(function () {
  "use strict";
  const button = document.getElementById("copy-feed");
  const status = document.getElementById("copy-feed-status");
  if (!button) return;
  button.addEventListener("click", function () {
    const field = document.getElementById(button.dataset.copyTarget);
    const done = function () { status.textContent = "Copied!"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { status.textContent = "Press Ctrl+C to copy."; });
    } else {
      // Plain-HTTP development servers have no clipboard API: select the address for Ctrl+C instead.
      field.select();
      status.textContent = document.execCommand("copy") ? "Copied!" : "Press Ctrl+C to copy.";
    }
  });
})();
