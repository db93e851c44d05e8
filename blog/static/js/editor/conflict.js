/* The post editor: the conflict view, when the post changed in another tab or window.
 *
 * A save or autosave based on an older version is refused (409) with the view, which is
 * shown above the text: "Keep mine" saves this page over the other version (for an
 * autosave's conflict, autosaving resumes over it), "Keep theirs" opens the other
 * version, "Copy my text" puts this page's text on the clipboard. A plain form gets the
 * same view in its page.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var slot = document.getElementById("conflict-slot");
  var source = "save";
  var version = null;

  function copy(button) {
    var done = function () {
      button.textContent = "Copied";
      editor.setStatus("Your text is on the clipboard.");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(editor.body.value).then(done, function () {
        showText();
      });
    } else {
      showText();
    }
  }

  // Where the clipboard can't be used: open the text, selected, for Ctrl+C.
  function showText() {
    var details = slot.querySelector("details");
    var text = slot.querySelector("textarea");
    details.open = true;
    text.focus();
    text.select();
  }

  function wire() {
    var section = slot.querySelector(".conflict");
    if (!section) return;
    var copyButton = section.querySelector('[data-conflict="copy"]');
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      copy(copyButton);
    });
    section.querySelector('[data-conflict="keep-theirs"]').addEventListener("click", function () {
      editor.localCopy.drop();
      editor.leaving = true;
    });
    section.querySelector('[data-conflict="keep-mine"]').addEventListener("click", function (event) {
      if (source !== "autosave") return; // a submit button: the save carries "overwrite"
      event.preventDefault();
      editor.conflict.clear();
      editor.autosave.resume(version);
    });
  }

  editor.conflict = {
    // Show the server's conflict view; ``from`` is "save" or "autosave".
    show: function (html, from, current) {
      source = from;
      version = current;
      slot.innerHTML = html; // rendered and escaped by the server, like the preview
      wire();
      var section = slot.querySelector(".conflict");
      if (section) section.focus();
    },
    clear: function () {
      slot.textContent = "";
      editor.clearProblem();
    },
  };

  wire(); // a conflict view the server put in the page
})(window.RoundsEditor);
