/* The post editor: toolbar, live preview, autosave, and a copy in this browser.
 *
 * Everything here is an enhancement: with scripts off the form is a plain POST.
 * The text is written to localStorage on every change, sent to the server as an
 * autosave two seconds after typing stops, and the local copy is dropped once the
 * server has the same text. If the server can't be reached the copy stays, and the
 * next visit offers to restore it.
 */
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;

  var title = form.elements.title;
  var body = form.elements.body;
  var statusEl = document.getElementById("save-status");
  var preview = document.getElementById("preview");
  var wordCount = document.getElementById("word-count");
  var readingTime = document.getElementById("reading-time");
  var AUTOSAVE_DELAY = 2000;
  var PREVIEW_DELAY = 400;
  var RETRY_DELAY = 15000;

  var postId = form.dataset.postId || "";
  var leaving = false;
  var autosaveTimer = null;
  var previewTimer = null;
  var localTimer = null;
  var autosaving = false;
  var autosaveAgain = false;
  var inflight = null;

  function textNow() {
    return JSON.stringify([title.value, body.value]);
  }

  function otherFields() {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "title" || el.name === "body" || el.name === "csrf_token") return;
      parts.push(el.name + "=" + (el.type === "checkbox" ? el.checked : el.value));
    });
    return parts.join("&");
  }

  // After a failed save the page shows text the server does not have yet.
  var serverText = document.getElementById("save-problem") ? null : textNow();
  var savedOthers = otherFields();

  function csrfToken() {
    return form.elements.csrf_token.value;
  }

  function setStatus(message, isProblem) {
    statusEl.textContent = message;
    statusEl.classList.toggle("editor__status--problem", Boolean(isProblem));
  }

  function hasUnsavedText() {
    return textNow() !== serverText;
  }

  // -- The copy in this browser ------------------------------------------------------

  function storageKey(id) {
    return "rounds:post:" + (id === undefined ? postId : id || "new");
  }

  function readLocal(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function writeLocal() {
    try {
      window.localStorage.setItem(
        storageKey(),
        JSON.stringify({ title: title.value, body: body.value, at: Date.now() })
      );
    } catch (error) {
      /* Private mode or a full quota: the server autosave still runs. */
    }
  }

  function dropLocal(id) {
    try {
      window.localStorage.removeItem(storageKey(id));
    } catch (error) {
      /* nothing to drop */
    }
  }

  function offerLocalCopy() {
    var copy = readLocal(storageKey());
    if (!copy) return;
    if (copy.title === title.value && copy.body === body.value) {
      dropLocal();
      return;
    }
    var box = document.getElementById("local-copy");
    var when = new Date(copy.at);
    document.getElementById("local-copy-text").textContent =
      "This browser kept a copy of your text from " +
      when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) +
      " that differs from the text below (it was probably not saved to the server).";
    box.hidden = false;
    document.getElementById("local-copy-restore").addEventListener("click", function () {
      title.value = copy.title;
      body.value = copy.body;
      box.hidden = true;
      changed();
      body.focus();
    });
    document.getElementById("local-copy-discard").addEventListener("click", function () {
      dropLocal();
      box.hidden = true;
      title.focus();
    });
  }

  // -- Autosave ----------------------------------------------------------------------

  function adoptNewPost(data) {
    var oldKey = storageKey();
    postId = String(data.post_id);
    form.dataset.postId = postId;
    form.action = data.edit_url;
    window.history.replaceState(null, "", data.edit_url);
    try {
      var copy = window.localStorage.getItem(oldKey);
      window.localStorage.removeItem(oldKey);
      if (copy) window.localStorage.setItem(storageKey(), copy);
    } catch (error) {
      /* nothing to move */
    }
  }

  function autosave() {
    window.clearTimeout(autosaveTimer);
    if (!hasUnsavedText()) return;
    if (autosaving) {
      autosaveAgain = true;
      return;
    }
    autosaving = true;
    var sent = textNow();
    var data = new FormData();
    data.append("title", title.value);
    data.append("body", body.value);
    if (postId) data.append("post_id", postId);
    setStatus("Saving…");
    inflight = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (json) {
            if (response.ok && json.saved) {
              if (!postId && json.post_id) adoptNewPost(json);
              serverText = sent;
              if (textNow() === sent) dropLocal();
              setStatus("Saved at " + json.saved_at);
            } else if (response.ok) {
              setStatus("Nothing to save yet");
            } else if (response.status >= 500) {
              failed("The server could not save (error " + response.status + ").");
            } else {
              failed(json.error || "The server refused the autosave (error " + response.status + ").");
            }
          });
      })
      .catch(function () {
        failed("Not saved: the server can't be reached.");
      })
      .then(function () {
        autosaving = false;
        inflight = null;
        if (autosaveAgain) {
          autosaveAgain = false;
          autosave();
        }
      });
  }

  function failed(reason) {
    writeLocal();
    setStatus(reason + " A copy is kept in this browser; it will be offered back if you reload.", true);
    window.clearTimeout(autosaveTimer);
    autosaveTimer = window.setTimeout(autosave, RETRY_DELAY);
  }

  // -- Preview, word count, reading time ---------------------------------------------

  function refreshPreview() {
    var data = new FormData();
    data.append("body", body.value);
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        var words = Number(response.headers.get("X-Word-Count") || 0);
        var minutes = response.headers.get("X-Reading-Minutes") || "1";
        wordCount.textContent = words.toLocaleString() + (words === 1 ? " word" : " words");
        readingTime.textContent = minutes + " min read";
        return response.text();
      })
      .then(function (html) {
        // Sanitised by the server's content pipeline: the HTML the post will publish.
        preview.innerHTML = html;
        preview.classList.remove("preview__body--stale");
      })
      .catch(function () {
        preview.classList.add("preview__body--stale");
      });
  }

  // -- Changes -----------------------------------------------------------------------

  function changed() {
    window.clearTimeout(localTimer);
    localTimer = window.setTimeout(writeLocal, 300);
    window.clearTimeout(autosaveTimer);
    autosaveTimer = window.setTimeout(autosave, AUTOSAVE_DELAY);
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY);
    if (hasUnsavedText()) setStatus("Unsaved changes");
  }

  title.addEventListener("input", changed);
  body.addEventListener("input", changed);

  window.addEventListener("beforeunload", function (event) {
    if (leaving) return;
    if (hasUnsavedText() || otherFields() !== savedOthers) {
      writeLocal();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // -- Saving --------------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    writeLocal();
    window.clearTimeout(autosaveTimer);
    setStatus("Saving…");
    // A first autosave in flight may be creating this post: save to its address.
    Promise.resolve(inflight).then(save);
  });

  function save() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") !== -1) {
          return response.json().then(function (json) {
            dropLocal();
            leaving = true;
            window.location.assign(json.location);
          });
        }
        if (response.status >= 500) {
          setStatus(
            "Not saved: the server had a problem (error " + response.status + "). " +
              "Your text is kept here and in this browser; press Save again in a moment.",
            true
          );
          return null;
        }
        // A refusal (a field to correct, an expired session): the server's page says
        // what to do and keeps the text, so send the form the ordinary way.
        leaving = true;
        HTMLFormElement.prototype.submit.call(form);
        return null;
      })
      .catch(function () {
        setStatus(
          "Not saved: the server can't be reached. Your text is kept here and in this " +
            "browser; press Save again when the connection is back.",
          true
        );
      });
  }

  // -- Toolbar and shortcuts ---------------------------------------------------------

  function replaceSelection(text, selectFrom, selectTo) {
    var start = body.selectionStart;
    body.focus();
    var inserted = false;
    try {
      inserted = document.execCommand("insertText", false, text);
    } catch (error) {
      inserted = false;
    }
    if (!inserted) {
      body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
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

  var toolbar = form.querySelector(".toolbar");
  if (toolbar) {
    toolbar.hidden = false;
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

  // -- Tags and meta description -----------------------------------------------------

  var tags = form.elements.tags;
  var known = JSON.parse(tags.dataset.suggestions || "[]");
  if (known.length) {
    var list = document.createElement("ul");
    list.className = "tag-suggestions";
    list.setAttribute("aria-label", "Add an existing tag");
    tags.insertAdjacentElement("afterend", list);
    var isKnown = function (name) {
      return known.some(function (tag) {
        return tag.toLowerCase() === name.toLowerCase();
      });
    };
    var fragments = function () {
      var parts = tags.value.split(",").map(function (part) {
        return part.trim();
      });
      var typing = parts.pop();
      if (isKnown(typing)) {
        parts.push(typing);
        typing = "";
      }
      return { chosen: parts.filter(Boolean), typing: typing };
    };
    var showSuggestions = function () {
      var current = fragments();
      var chosen = current.chosen.map(function (name) {
        return name.toLowerCase();
      });
      var typing = current.typing.toLowerCase();
      list.textContent = "";
      known
        .filter(function (name) {
          var lower = name.toLowerCase();
          return chosen.indexOf(lower) === -1 && lower.indexOf(typing) !== -1;
        })
        .slice(0, 8)
        .forEach(function (name) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "tag-suggestion";
          button.textContent = name;
          button.setAttribute("aria-label", "Add tag " + name);
          button.addEventListener("click", function () {
            var kept = fragments().chosen;
            kept.push(name);
            tags.value = kept.join(", ") + ", ";
            tags.focus();
            showSuggestions();
          });
          item.appendChild(button);
          list.appendChild(item);
        });
    };
    tags.addEventListener("input", showSuggestions);
    showSuggestions();
  }

  var meta = form.elements.meta_description;
  var counter = document.getElementById("meta-counter");
  var metaMin = Number(form.dataset.metaMin);
  var metaMax = Number(form.dataset.metaMax);
  function countMeta() {
    var length = meta.value.trim().length;
    var verdict;
    if (!length) verdict = "empty: the excerpt or first paragraph is used";
    else if (length < metaMin) verdict = "a little short; aim for " + metaMin + "–" + metaMax;
    else if (length <= metaMax) verdict = "a good length";
    else verdict = "too long: search engines cut it after about " + metaMax;
    counter.textContent = length + " characters, " + verdict + ".";
    counter.className =
      "meta-counter meta-counter--" + (length > metaMax ? "long" : length >= metaMin ? "good" : "short");
  }
  if (meta && counter) {
    counter.hidden = false;
    meta.addEventListener("input", countMeta);
    countMeta();
  }

  offerLocalCopy();
})();
