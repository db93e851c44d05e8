/* The post editor: the action bar's buttons (Save draft, Publish, Schedule, Update,
 * Unpublish), and a warning before leaving with unsaved changes.
 *
 * The form is sent from the script, with the button pressed, so a failure keeps the page:
 * the reason appears beside the buttons (a live region) with links to the fields to
 * correct, and a conflict shows both versions. Nothing is sent twice.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var form = editor.form;
  var IGNORED = ["title", "body", "csrf_token", "version", "overwrite", "intent", "status"];

  // The other fields, to warn about leaving when one of them changed.
  function otherFields() {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || IGNORED.indexOf(el.name) !== -1 || el.type === "submit") return;
      if (el.type === "radio" && !el.checked) return;
      parts.push(el.name + "=" + (el.type === "checkbox" ? el.checked : el.value));
    });
    return parts.join("&");
  }

  var savedOthers = otherFields();

  window.addEventListener("beforeunload", function (event) {
    if (editor.leaving) return;
    if (editor.hasUnsavedText() || otherFields() !== savedOthers) {
      editor.localCopy.write();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function signInLink(url) {
    var link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.textContent = " Sign in (opens a new tab)";
    return link;
  }

  function refused(response) {
    return response
      .json()
      .catch(function () {
        return {};
      })
      .then(function (json) {
        var message = json.error || "Not saved (error " + response.status + ").";
        editor.setStatus("Not saved", "problem");
        editor.showProblem(message, json.fields, json.login_url ? signInLink(json.login_url) : null);
        if (response.status === 409 && json.conflict) {
          editor.conflict.show(json.conflict, "save", json.version);
        }
      });
  }

  function save(submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    editor
      .send(form.action, data)
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") !== -1) {
          return response.json().then(function (json) {
            editor.localCopy.drop();
            editor.leaving = true;
            window.location.assign(json.location);
          });
        }
        if (response.status >= 500) {
          // The site's own 503 says why (it can't save right now); a proxy's page doesn't.
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (json) {
              editor.setStatus("Not saved", "problem");
              editor.showProblem(
                json.error ||
                  "Not saved: the server had a problem (error " + response.status + "). " +
                    "Your text is kept here and in this browser; save again in a moment."
              );
              return null;
            });
        }
        return refused(response);
      })
      .catch(function () {
        editor.setStatus("Not saved", "problem");
        editor.showProblem(
          "Not saved: the server can't be reached. Your text is kept here and in this " +
            "browser; save again when the connection is back."
        );
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter;
    editor.localCopy.write();
    editor.clearProblem();
    editor.setStatus("Saving…");
    editor.autosave.stop().then(function () {
      save(submitter);
    });
  });
})(window.RoundsEditor);
