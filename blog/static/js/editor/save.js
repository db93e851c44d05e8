/* The post editor: Save, and a warning before leaving with unsaved changes.
 *
 * Save sends the form from the script so a failure keeps the page and says what to do;
 * a refusal the server explains (a field to correct, an expired session) is sent the
 * ordinary way so its page shows the message.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var form = editor.form;
  var leaving = false;

  function otherFields() {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "title" || el.name === "body" || el.name === "csrf_token") return;
      parts.push(el.name + "=" + (el.type === "checkbox" ? el.checked : el.value));
    });
    return parts.join("&");
  }

  var savedOthers = otherFields();

  window.addEventListener("beforeunload", function (event) {
    if (leaving) return;
    if (editor.hasUnsavedText() || otherFields() !== savedOthers) {
      editor.localCopy.write();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function save() {
    editor
      .send(form.action, new FormData(form))
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") !== -1) {
          return response.json().then(function (json) {
            editor.localCopy.drop();
            leaving = true;
            window.location.assign(json.location);
          });
        }
        if (response.status >= 500) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (json) {
              editor.setStatus(
                json.error ||
                  "Not saved: the server had a problem (error " + response.status + "). " +
                    "Your text is kept here and in this browser; press Save again in a moment.",
                true
              );
            });
        }
        leaving = true;
        HTMLFormElement.prototype.submit.call(form);
        return null;
      })
      .catch(function () {
        editor.setStatus(
          "Not saved: the server can't be reached. Your text is kept here and in this " +
            "browser; press Save again when the connection is back.",
          true
        );
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    editor.localCopy.write();
    editor.setStatus("Saving…");
    editor.autosave.stop().then(save);
  });
})(window.RoundsEditor);
