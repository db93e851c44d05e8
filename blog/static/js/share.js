// Share buttons for a post: copy the link, or the browser's own share sheet where it exists.
// The links beside them (email, Bluesky, LinkedIn, X) work without this script.
(function () {
  "use strict";

  function setup(box) {
    var url = box.getAttribute("data-share-url");
    var title = box.getAttribute("data-share-title");
    var status = box.querySelector("[data-share-status]");
    var copyItem = box.querySelector("[data-share-copy-item]");
    var nativeItem = box.querySelector("[data-share-native-item]");
    var timer = null;

    function say(message) {
      status.textContent = message;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = ""; }, 4000);
    }

    function copyWithSelection() {
      var field = document.createElement("textarea");
      field.value = url;
      field.setAttribute("readonly", "");
      field.className = "visually-hidden";
      document.body.appendChild(field);
      field.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (error) { done = false; }
      document.body.removeChild(field);
      return done;
    }

    if (copyItem) {
      copyItem.hidden = false;
      copyItem.querySelector("[data-share-copy]").addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(
            function () { say("Copied"); },
            function () { say(copyWithSelection() ? "Copied" : "Copy failed: " + url); }
          );
        } else {
          say(copyWithSelection() ? "Copied" : "Copy failed: " + url);
        }
      });
    }

    if (nativeItem && typeof navigator.share === "function") {
      nativeItem.hidden = false;
      nativeItem.querySelector("[data-share-native]").addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
  }

  document.querySelectorAll("[data-share-url]").forEach(setup);
})();
