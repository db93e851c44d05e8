/* The post editor: autosave to the server two seconds after typing stops.
 *
 * An autosave is a revision that never changes what readers see. The first one of a new
 * post creates a draft, and the page becomes its edit page (address, heading, links).
 * Each autosave carries the version the page is based on: if the post changed elsewhere
 * meanwhile, autosave stops and the conflict view says so. If the server can't be reached
 * or refuses, the browser's copy is kept and the autosave is tried again later.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var form = editor.form;
  var DELAY = 2000;
  var RETRY_DELAY = 15000;
  var timer = null;
  var running = false;
  var again = false;
  var inflight = null;
  var paused = false;
  var overwrite = null;

  function show(id, text, href) {
    var element = document.getElementById(id);
    if (text !== undefined) element.textContent = text;
    if (href !== undefined) element.href = href;
  }

  // The page is now the edit page of the post the first autosave created.
  function adoptNewPost(data) {
    var postId = String(data.post_id);
    editor.localCopy.moveTo(postId);
    form.dataset.postId = postId;
    form.action = data.edit_url;
    window.history.replaceState(null, "", data.edit_url);
    show("editor-slug", data.slug);
    show("editor-view", undefined, data.view_url);
    show("editor-revisions", undefined, data.revisions_url);
    document.getElementById("editor-links").hidden = false;
    // An edit page now: the admin navigation's "New post" is no longer this page.
    var current = document.querySelector('.admin-nav [aria-current="page"]');
    if (current) current.removeAttribute("aria-current");
  }

  function showTitle(title) {
    var heading = title.trim() || "Untitled draft";
    show("editor-heading", heading);
    document.title = document.title.replace(/^[^·]*·/, "Edit “" + heading + "” ·");
  }

  function failed(reason) {
    editor.localCopy.write();
    editor.setStatus(
      reason + " A copy is kept in this browser; it will be offered back if you reload.",
      "problem"
    );
    window.clearTimeout(timer);
    timer = window.setTimeout(autosave, RETRY_DELAY);
  }

  function conflicted(json) {
    paused = true;
    window.clearTimeout(timer);
    editor.localCopy.write();
    editor.setStatus("Autosave paused", "problem");
    editor.showProblem(json.error);
    editor.conflict.show(json.conflict, "autosave", json.version);
  }

  function answered(response, sent, sentTitle) {
    return response
      .json()
      .catch(function () {
        return {};
      })
      .then(function (json) {
        if (response.ok && json.saved) {
          if (!form.dataset.postId && json.post_id) adoptNewPost(json);
          editor.setVersion(json.version);
          overwrite = null;
          showTitle(sentTitle);
          editor.serverText = sent;
          if (editor.textNow() === sent) editor.localCopy.drop();
          editor.setStatus("Saved at " + json.saved_at);
        } else if (response.ok) {
          editor.setStatus("Nothing to save yet");
        } else if (response.status === 409 && json.conflict) {
          conflicted(json);
        } else if (response.status >= 500) {
          failed(json.error || "The server could not save (error " + response.status + ").");
        } else {
          failed(json.error || "The server refused the autosave (error " + response.status + ").");
        }
      });
  }

  function autosave() {
    window.clearTimeout(timer);
    if (paused || !editor.hasUnsavedText()) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    var sent = editor.textNow();
    var sentTitle = editor.title.value;
    var data = new FormData();
    data.append("title", sentTitle);
    data.append("body", editor.body.value);
    data.append("version", editor.version());
    if (overwrite) data.append("overwrite", overwrite);
    if (form.dataset.postId) data.append("post_id", form.dataset.postId);
    editor.setStatus("Saving…");
    inflight = editor
      .send(form.dataset.autosaveUrl, data)
      .then(function (response) {
        return answered(response, sent, sentTitle);
      })
      .catch(function () {
        failed("Not saved: the server can't be reached.");
      })
      .then(function () {
        running = false;
        inflight = null;
        if (again) {
          again = false;
          autosave();
        }
      });
  }

  editor.onChange(function () {
    window.clearTimeout(timer);
    if (!paused) timer = window.setTimeout(autosave, DELAY);
  });

  editor.autosave = {
    // Before a Save: no autosave is started, and the promise settles once the one in
    // flight (which may be creating this post) has finished.
    stop: function () {
      window.clearTimeout(timer);
      return Promise.resolve(inflight);
    },
    // After a conflict, the author keeps this page's text: autosave over ``version``.
    resume: function (version) {
      paused = false;
      overwrite = version;
      editor.serverText = null;
      autosave();
    },
  };
})(window.RoundsEditor);
