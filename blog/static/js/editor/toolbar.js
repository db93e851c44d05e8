/* The post editor: the formatting toolbar and keyboard shortcuts.
 *
 * The buttons insert Markdown at the cursor (Ctrl+Z undoes it like typing); the toolbar
 * is one tab stop, with the arrow keys inside. Ctrl/Cmd+B, I and K format, Ctrl/Cmd+S
 * saves. Without scripts the toolbar stays hidden.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var form = editor.form;
  var body = editor.body;

  function replaceSelection(text, selectFrom, selectTo) {
    var start = body.selectionStart;
    window.RoundsText.insert(body, start, body.selectionEnd, text);
    if (selectFrom !== undefined) {
      body.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function selected() {
    return body.value.slice(body.selectionStart, body.selectionEnd);
  }

  function wrap(before, after, placeholder) {
    var text = selected() || placeholder;
    replaceSelection(before + text + after, before.length, before.length + text.length);
  }

  function prefixLines(prefix) {
    var value = body.value;
    var start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) end = value.length;
    body.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n");
    var result = lines
      .map(function (line, index) {
        return (typeof prefix === "function" ? prefix(index) : prefix) + line;
      })
      .join("\n");
    replaceSelection(result, result.length, result.length);
  }

  function nextFootnote() {
    var numbers = (body.value.match(/\[\^(\d+)\]/g) || []).map(function (ref) {
      return Number(ref.replace(/\D/g, ""));
    });
    return numbers.length ? Math.max.apply(null, numbers) + 1 : 1;
  }

  var formats = {
    bold: function () {
      wrap("**", "**", "bold text");
    },
    italic: function () {
      wrap("*", "*", "italic text");
    },
    heading: function () {
      prefixLines("## ");
    },
    link: function () {
      var text = selected() || "link text";
      var snippet = "[" + text + "](https://)";
      replaceSelection(snippet, text.length + 3, snippet.length - 1);
    },
    quote: function () {
      prefixLines("> ");
    },
    bullets: function () {
      prefixLines("- ");
    },
    numbers: function () {
      prefixLines(function (index) {
        return index + 1 + ". ";
      });
    },
    footnote: function () {
      var ref = "[^" + nextFootnote() + "]";
      var cursor = body.selectionEnd;
      body.setSelectionRange(cursor, cursor);
      replaceSelection(ref);
      var placeholder = "Reference: authors, title, journal, year.";
      var note = "\n\n" + ref + ": " + placeholder;
      var end = body.value.length;
      body.setSelectionRange(end, end);
      replaceSelection(note);
      var from = end + note.length - placeholder.length;
      body.setSelectionRange(from, from + placeholder.length);
    },
  };

  // One tab stop: the arrow keys (and Home, End) move between the buttons.
  function roving(toolbar) {
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
    var current = 0;
    function focusAt(index) {
      buttons[current].tabIndex = -1;
      current = (index + buttons.length) % buttons.length;
      buttons[current].tabIndex = 0;
      buttons[current].focus();
    }
    buttons.forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;
      button.addEventListener("focus", function () {
        buttons[current].tabIndex = -1;
        current = index;
        button.tabIndex = 0;
      });
    });
    toolbar.addEventListener("keydown", function (event) {
      var moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: -1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      focusAt(moves[event.key]);
    });
  }

  var toolbar = form.querySelector(".toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    roving(toolbar);
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-format]");
      if (button && formats[button.dataset.format]) formats[button.dataset.format]();
    });
  }

  form.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "s") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (event.target !== body) return;
    var shortcut = { b: "bold", i: "italic", k: "link" }[key];
    if (shortcut && !event.shiftKey) {
      event.preventDefault();
      formats[shortcut]();
    }
  });
})(window.RoundsEditor);
