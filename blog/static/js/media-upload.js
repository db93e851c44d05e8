/*
 * Image upload for the editor and the media library.
 *
 * Enhances every <textarea data-upload-url="..."> with an "Add image" button (or an
 * existing button[data-action="image"] in the same form), drag-and-drop of image files
 * and paste of image data. Each image is shown in a <dialog> that asks for its alt text
 * and an optional caption, is uploaded with fetch, and its returned Markdown is inserted
 * where the cursor was (undoable with Ctrl+Z, through js/text-insert.js, loaded first);
 * "rounds:media-uploaded" then tells the page (the editor's cover picker). On any failure
 * the author's text is left exactly as it was and the reason is announced.
 *
 * Also enhances <form data-media-upload-form> (the library's upload form, which works
 * without JavaScript): the alt text is asked for in the same dialog.
 */
(function () {
  "use strict";

  var ACCEPTED = ["image/jpeg", "image/png", "image/webp", "image/gif"];
  var dialog = null;

  function csrfToken(scope) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    var input = (scope && scope.querySelector('input[name="csrf_token"]')) ||
      document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function formatSize(bytes) {
    if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  /* -- Status region ------------------------------------------------------------------ */

  function makeStatus(after) {
    var status = el("div", { "class": "media-status", "role": "status", "aria-live": "polite" });
    after.insertAdjacentElement("afterend", status);
    return status;
  }

  function announce(status, message, kind) {
    status.textContent = "";
    status.className = "media-status" + (kind ? " media-status--" + kind : "");
    if (kind === "busy") status.appendChild(el("progress", { "class": "media-status__progress" }));
    status.appendChild(el("span", {}, message));
  }

  /* -- The alt text dialog -------------------------------------------------------------- */

  function buildDialog() {
    var node = el("dialog", { "class": "media-dialog", "aria-labelledby": "media-dialog-title" });
    node.innerHTML =
      '<form method="dialog" class="media-dialog__form" novalidate>' +
      '<h2 id="media-dialog-title" class="media-dialog__title">Describe this image</h2>' +
      '<div class="media-dialog__layout">' +
      '<figure class="media-dialog__figure"><img class="media-dialog__image" alt="">' +
      '<figcaption class="media-dialog__file"></figcaption></figure>' +
      '<div class="media-dialog__fields">' +
      '<div class="field">' +
      '<label class="field__label" for="media-dialog-alt">Alt text (required)</label>' +
      '<input id="media-dialog-alt" class="field__input" type="text" maxlength="500" required ' +
      'autocomplete="off" aria-describedby="media-dialog-hint media-dialog-error">' +
      '<p class="field__hint" id="media-dialog-hint">What the image shows, for readers who ' +
      "can't see it. Screen readers read it aloud; browsers show it if the image fails to load.</p>" +
      '<p class="field__error" id="media-dialog-error" hidden>Alt text is required: describe ' +
      "the image in a few words.</p>" +
      "</div>" +
      '<div class="field media-dialog__caption">' +
      '<label class="field__label" for="media-dialog-caption">Caption (optional)</label>' +
      '<input id="media-dialog-caption" class="field__input" type="text" maxlength="300" ' +
      'autocomplete="off" aria-describedby="media-dialog-caption-hint">' +
      '<p class="field__hint" id="media-dialog-caption-hint">Shown under the image, for ' +
      "everyone: a source, a credit, what to notice.</p>" +
      "</div>" +
      "</div></div>" +
      '<div class="media-dialog__actions">' +
      '<button type="button" class="button--secondary" value="cancel">Cancel</button>' +
      '<button type="submit" value="upload">Upload image</button>' +
      "</div></form>";
    document.body.appendChild(node);
    return node;
  }

  /* Resolves with {alt, caption}, or null when the author cancels. The dialog shows the
   * image; the caption is asked only where the image goes into a text. */
  function askAlt(file, initial, withCaption) {
    dialog = dialog || buildDialog();
    var form = dialog.querySelector("form");
    var field = dialog.querySelector("#media-dialog-alt");
    var caption = dialog.querySelector("#media-dialog-caption");
    var error = dialog.querySelector("#media-dialog-error");
    var cancel = dialog.querySelector('button[value="cancel"]');
    var image = dialog.querySelector(".media-dialog__image");
    var url = window.URL && window.URL.createObjectURL ? window.URL.createObjectURL(file) : "";
    image.src = url;
    image.hidden = !url;
    dialog.querySelector(".media-dialog__file").textContent =
      (file.name || "Pasted image") + " · " + formatSize(file.size);
    dialog.querySelector(".media-dialog__caption").hidden = !withCaption;
    field.value = initial || "";
    caption.value = "";
    error.hidden = true;
    field.removeAttribute("aria-invalid");

    return new Promise(function (resolve) {
      function finish(value) {
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        dialog.removeEventListener("cancel", onCancel);
        if (dialog.open) dialog.close();
        if (url) window.URL.revokeObjectURL(url);
        image.removeAttribute("src");
        resolve(value);
      }
      function onSubmit(event) {
        event.preventDefault();
        var alt = field.value.replace(/\s+/g, " ").trim();
        if (!alt) {
          error.hidden = false;
          field.setAttribute("aria-invalid", "true");
          field.focus();
          return;
        }
        finish({ alt: alt, caption: withCaption ? caption.value.replace(/\s+/g, " ").trim() : "" });
      }
      function onCancel(event) {
        event.preventDefault();
        finish(null);
      }
      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener("cancel", onCancel);
      dialog.showModal();
      field.focus();
    });
  }

  /* -- Uploading ---------------------------------------------------------------------------- */

  function limitMessage(maxBytes) {
    var limit = maxBytes ? " of " + formatSize(maxBytes) : "";
    return "This file is larger than the upload limit" + limit +
      ". Export a smaller version and try again.";
  }

  /* Resolves with the server's JSON ({url, markdown, ...}); rejects with a readable Error. */
  function upload(url, file, alt, token, maxBytes, caption) {
    if (ACCEPTED.indexOf(file.type) === -1 && file.type) {
      return Promise.reject(new Error(
        "“" + (file.name || "This file") + "” is not a JPEG, PNG, WebP or GIF image."));
    }
    if (maxBytes && file.size > maxBytes) return Promise.reject(new Error(limitMessage(maxBytes)));
    var body = new FormData();
    body.append("file", file, file.name || "pasted-image.png");
    body.append("alt", alt);
    if (caption) body.append("caption", caption);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch", "X-CSRFToken": token }
    }).catch(function () {
      throw new Error("The upload did not reach the server. Check your connection " +
        "(a file over the size limit can also end the connection) and try again.");
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.markdown) return data;
        if (data.error) throw new Error(data.error);
        if (response.status === 413) throw new Error(limitMessage(maxBytes));
        throw new Error("The upload failed (error " + response.status + "). Try again.");
      });
    });
  }

  function imageFiles(list) {
    return Array.prototype.filter.call(list || [], function (file) {
      return file.type.indexOf("image/") === 0;
    });
  }

  /* -- Textareas ------------------------------------------------------------------------------- */

  /* Insert text at a position, as its own paragraph so a lone image becomes a figure;
   * typed as the browser types, so Ctrl+Z takes it back. */
  function insertBlock(textarea, position, markdown) {
    var value = textarea.value;
    var at = Math.min(position, value.length);
    var before = value.slice(0, at);
    var after = value.slice(at);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    window.RoundsText.insert(textarea, at, at, lead + markdown + tail);
  }

  function enhanceTextarea(textarea) {
    var url = textarea.getAttribute("data-upload-url");
    var maxBytes = parseInt(textarea.getAttribute("data-max-upload-bytes"), 10) || 0;
    var scope = textarea.form || document;
    var button = scope.querySelector('button[data-action="image"]');
    var picker = el("input", { "type": "file", "accept": ACCEPTED.join(","), "hidden": "", "aria-label": "Image file" });
    var status;
    if (button) {
      status = makeStatus(button.closest('[role="toolbar"]') || textarea);
    } else {
      button = el("button", { "type": "button", "class": "button--secondary media-add" }, "Add image");
      var bar = el("div", { "class": "media-add-bar" });
      bar.appendChild(button);
      textarea.insertAdjacentElement("afterend", bar);
      status = makeStatus(button);
    }
    button.insertAdjacentElement("afterend", picker);
    var queue = Promise.resolve();

    function handle(files) {
      imageFiles(files).forEach(function (file) {
        queue = queue.then(function () { return send(file); });
      });
    }

    /* Where the cursor was when the image was chosen; if the text changed meanwhile,
     * where the cursor is now. */
    function send(file) {
      var snapshot = textarea.value;
      var chosenAt = textarea.selectionEnd;
      return askAlt(file, "", true).then(function (answer) {
        if (answer === null) {
          announce(status, "Upload cancelled. Your text was not changed.", "");
          textarea.focus();
          return;
        }
        var alt = answer.alt;
        announce(status, "Uploading " + (file.name || "image") + " (" + formatSize(file.size) + ")…", "busy");
        return upload(url, file, alt, csrfToken(scope), maxBytes, answer.caption).then(function (data) {
          var unchanged = textarea.value === snapshot;
          insertBlock(textarea, unchanged ? chosenAt : textarea.selectionEnd, data.markdown);
          announce(status, "Image inserted: " + alt, "success");
          data.alt = alt;
          document.dispatchEvent(new CustomEvent("rounds:media-uploaded", { detail: data }));
        }, function (error) {
          announce(status, error.message + " Your text was not changed.", "error");
          textarea.focus();
        });
      });
    }

    button.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () {
      handle(picker.files);
      picker.value = "";
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        textarea.classList.add("is-dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { textarea.classList.remove("is-dropping"); });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("is-dropping");
      var files = imageFiles(event.dataTransfer && event.dataTransfer.files);
      if (!files.length) return;
      event.preventDefault();
      handle(files);
    });
    textarea.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      // Copied text (from a word processor or a spreadsheet) often comes with a picture
      // of itself: the text is what the author means to paste.
      if (!data || data.getData("text/plain")) return;
      var files = imageFiles(data.files);
      if (!files.length) return;
      event.preventDefault();
      handle(files);
    });
  }

  /* -- The library's upload form ---------------------------------------------------------------- */

  function enhanceForm(form) {
    var fileInput = form.querySelector('input[type="file"]');
    var altWrapper = form.querySelector("[data-alt-field]");
    var altInput = altWrapper && altWrapper.querySelector("input, textarea");
    var maxBytes = parseInt(form.getAttribute("data-max-upload-bytes"), 10) || 0;
    if (!fileInput) return;
    if (altWrapper) {
      altWrapper.hidden = true;
      if (altInput) altInput.removeAttribute("required");
    }
    var status = makeStatus(form.querySelector('button[type="submit"]') || form.lastElementChild);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = fileInput.files && fileInput.files[0];
      if (!file) {
        announce(status, "Choose an image file to upload.", "error");
        fileInput.focus();
        return;
      }
      askAlt(file, altInput ? altInput.value : "", false).then(function (answer) {
        if (answer === null) {
          announce(status, "Upload cancelled.", "");
          return;
        }
        var alt = answer.alt;
        announce(status, "Uploading " + file.name + " (" + formatSize(file.size) + ")…", "busy");
        upload(form.action, file, alt, csrfToken(form), maxBytes).then(function (data) {
          announce(status, "Uploaded. Opening it in the library…", "success");
          window.location.hash = "media-" + data.id;
          window.location.reload();
        }, function (error) {
          announce(status, error.message, "error");
        });
      });
    });
  }

  document.querySelectorAll("textarea[data-upload-url]").forEach(enhanceTextarea);
  document.querySelectorAll("form[data-media-upload-form]").forEach(enhanceForm);
})();
