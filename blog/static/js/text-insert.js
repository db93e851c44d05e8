/* Insert text into a textarea the way typing does, so the browser's undo (Ctrl+Z) takes
 * it back like any typing: through execCommand("insertText"), which keeps the undo
 * stack, falling back to setRangeText (and an input event) where that is missing.
 */
(function () {
  "use strict";

  window.RoundsText = {
    // Replace the text from start to end with ``text``; the caret ends after it.
    insert: function (textarea, start, end, text) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      var inserted = false;
      try {
        inserted = document.execCommand("insertText", false, text);
      } catch (error) {
        inserted = false;
      }
      if (!inserted) {
        textarea.setRangeText(text, start, end, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    },
  };
})();
