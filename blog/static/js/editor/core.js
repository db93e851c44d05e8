/* The post editor, shared part: the form, the status line, and the text the server has.
 *
 * The editor's script is split by concern into the files of js/editor/, loaded in this
 * order with defer: core, local-copy, autosave, preview, save, toolbar, details. They
 * share nothing but window.RoundsEditor, set here only on a page with the editor form.
 * Everything is an enhancement: with scripts off the form is a plain POST.
 */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;

  var title = form.elements.title;
  var body = form.elements.body;
  var statusEl = document.getElementById("save-status");

  function textNow() {
    return JSON.stringify([title.value, body.value]);
  }

  var editor = {
    form: form,
    title: title,
    body: body,
    // The title and text the server has; after a failed save the page shows text it lacks.
    serverText: document.getElementById("save-problem") ? null : textNow(),
    textNow: textNow,

    hasUnsavedText: function () {
      return textNow() !== editor.serverText;
    },

    setStatus: function (message, isProblem) {
      statusEl.textContent = message;
      statusEl.classList.toggle("editor__status--problem", Boolean(isProblem));
    },

    // Every script request says so (the server then answers in JSON, never a page to
    // follow) and carries the CSRF token.
    send: function (url, data, signal) {
      return fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        signal: signal,
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": form.elements.csrf_token.value },
      });
    },

    // The title or text changed, typed or restored from the browser's copy.
    changed: function () {
      form.dispatchEvent(new CustomEvent("editor:change"));
    },

    onChange: function (listener) {
      form.addEventListener("editor:change", listener);
    },
  };

  title.addEventListener("input", editor.changed);
  body.addEventListener("input", editor.changed);
  editor.onChange(function () {
    if (editor.hasUnsavedText()) editor.setStatus("Unsaved changes");
  });

  window.RoundsEditor = editor;
})();
