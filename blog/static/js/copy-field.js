// A Copy button beside a read-only field (a review link's address): shown only when the
// script runs; without it the field can still be selected and copied by hand.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.querySelector("[data-copy-status]");
    if (!field) return;
    button.hidden = false;

    function say(message) {
      if (status) status.textContent = message;
    }

    function copyWithSelection() {
      field.focus();
      field.select();
      try { return document.execCommand("copy"); } catch (error) { return false; }
    }

    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { say("Copied the link."); },
          function () { say(copyWithSelection() ? "Copied the link." : "Select the link and copy it."); }
        );
      } else {
        say(copyWithSelection() ? "Copied the link." : "Select the link and copy it.");
      }
    });
  });
})();
