/* The post editor, shared part: the form, the action bar's messages, the version the
 * page is based on, and one send() for every request.
 *
 * The editor's script is split by concern into the files of js/editor/, loaded in this
 * order with defer: core, local-copy, conflict, autosave, preview, save, toolbar, layout,
 * details, cover. They share nothing but window.RoundsEditor, set here only on a page
 * with the editor form. Everything is an enhancement: with scripts off the form is a
 * plain POST.
 */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;

  var title = form.elements.title;
  var body = form.elements.body;
  var version = form.elements.version;
  var statusEl = document.getElementById("save-status");
  var problem = document.getElementById("save-problem");
  var problemText = document.getElementById("save-problem-text");
  var problemFields = document.getElementById("save-problem-fields");
  var zone = form.dataset.timezone || "UTC";
  var zoneNames = JSON.parse(form.dataset.zoneNames || "{}");
  var marked = [];

  function textNow() {
    return JSON.stringify([title.value, body.value]);
  }

  function post(url, data, signal) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: signal,
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": form.elements.csrf_token.value },
    });
  }

  // After signing in again (in another tab) the page's CSRF token is stale: the editor's
  // own page, fetched again, carries a fresh one. Resolves true once every form has it.
  function refreshToken() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) return false;
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.querySelector('#editor input[name="csrf_token"]');
          if (!fresh) return false;
          document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
            input.value = fresh.value;
          });
          return true;
        });
      })
      .catch(function () {
        return false;
      });
  }

  // The field's wrapper, where its error message goes.
  function fieldBox(input) {
    return input.closest(".field, .editor-title, .pane, .cover-picker") || input.parentNode;
  }

  function unmarkFields() {
    marked.forEach(function (input) {
      input.removeAttribute("aria-invalid");
      fieldBox(input).classList.remove("field--error");
      var error = document.getElementById(input.id + "-error");
      if (error && error.dataset.fromScript) error.remove();
    });
    marked = [];
  }

  function markField(id, messages) {
    var input = document.getElementById(id);
    if (!input) return;
    var box = fieldBox(input);
    box.classList.add("field--error");
    input.setAttribute("aria-invalid", "true");
    var error = document.getElementById(id + "-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "field__error";
      error.id = id + "-error";
      error.dataset.fromScript = "true";
      box.appendChild(error);
      var described = (input.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(error.id) === -1) {
        input.setAttribute("aria-describedby", described.concat(error.id).join(" ").trim());
      }
    }
    error.textContent = messages.join(" ");
    var menu = input.closest("details");
    if (menu) menu.open = true;
    marked.push(input);
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  var editor = {
    form: form,
    title: title,
    body: body,
    // The title and text the server has; after a failed save the page shows text it lacks.
    serverText: problem.hidden ? textNow() : null,
    textNow: textNow,
    // Set when the page is about to be left on purpose (no warning about unsaved text).
    leaving: false,

    hasUnsavedText: function () {
      return textNow() !== editor.serverText;
    },

    // The version of the post this page is based on; every save and autosave sends it.
    version: function () {
      return version.value;
    },
    setVersion: function (value) {
      version.value = value;
    },

    // The status beside the buttons (a live region): kind "problem", "done" or none.
    setStatus: function (message, kind) {
      statusEl.textContent = message;
      statusEl.classList.toggle("editor-bar__status--problem", kind === "problem");
      statusEl.classList.toggle("editor-bar__status--done", kind === "done");
    },

    // Why a save failed, beside the buttons, with links to the fields to correct
    // (fields: id -> {label, errors}); ``extra`` is an element to add, such as a link.
    showProblem: function (message, fields, extra) {
      unmarkFields();
      problemText.textContent = message;
      problemFields.textContent = "";
      Object.keys(fields || {}).forEach(function (id) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#" + id;
        link.textContent = fields[id].label;
        item.appendChild(link);
        item.appendChild(document.createTextNode(": " + fields[id].errors.join(" ")));
        problemFields.appendChild(item);
        markField(id, fields[id].errors);
      });
      if (extra) problemText.appendChild(extra);
      problem.hidden = false;
    },

    clearProblem: function () {
      problem.hidden = true;
      unmarkFields();
    },

    // A time as the server writes it (blog.core.clock.format_datetime): the site's zone,
    // "3 March 2026, 14:05 CET".
    formatTime: function (when) {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        day: "numeric",
        month: "long",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZoneName: "longOffset",
      })
        .formatToParts(new Date(when))
        .forEach(function (part) {
          parts[part.type] = part.value;
        });
      var offset = /GMT([+-])(\d\d):(\d\d)/.exec(parts.timeZoneName || "");
      var minutes = offset ? (offset[1] === "-" ? -1 : 1) * (60 * offset[2] + Number(offset[3])) : 0;
      var name = zoneNames[String(minutes)] || parts.timeZoneName || zone;
      return (
        parts.day + " " + parts.month + " " + parts.year + ", " +
        pad(Number(parts.hour)) + ":" + parts.minute + " " + name
      );
    },

    // Every script request says so (the server then answers in JSON, never a page to
    // follow) and carries the CSRF token; a stale token is renewed and the request sent
    // once more.
    send: function (url, data, signal) {
      return post(url, data, signal).then(function (response) {
        if (response.status !== 400) return response;
        return response
          .clone()
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            if (!json.stale_token) return response;
            return refreshToken().then(function (fresh) {
              if (!fresh) return response;
              if (data.has("csrf_token")) data.set("csrf_token", form.elements.csrf_token.value);
              return post(url, data, signal);
            });
          });
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
