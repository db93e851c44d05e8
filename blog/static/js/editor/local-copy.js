/* The post editor: a copy of the title and text in this browser (localStorage).
 *
 * Written on every change, dropped once the server has the same text. If the server
 * can't be reached the copy stays, and the next visit offers to restore it. Only the
 * signed-in author's own pages keep a copy, under her id: text that came back on a page
 * for a signed-out request is never stored or offered.
 */
(function (editor) {
  "use strict";

  if (!editor || !editor.form.dataset.authorId) return;
  var form = editor.form;
  var title = editor.title;
  var body = editor.body;
  var timer = null;

  function key(postId) {
    var id = postId === undefined ? form.dataset.postId || "" : postId;
    return "rounds:author:" + form.dataset.authorId + ":post:" + id;
  }

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key()) || "null");
    } catch (error) {
      return null;
    }
  }

  function write() {
    try {
      window.localStorage.setItem(
        key(),
        JSON.stringify({ title: title.value, body: body.value, at: Date.now() })
      );
    } catch (error) {
      /* Private mode or a full quota: the server autosave still runs. */
    }
  }

  function drop() {
    try {
      window.localStorage.removeItem(key());
    } catch (error) {
      /* nothing to drop */
    }
  }

  // A new post got its id from the first autosave: keep the copy under the new key.
  function moveTo(postId) {
    try {
      var copy = window.localStorage.getItem(key());
      window.localStorage.removeItem(key());
      if (copy) window.localStorage.setItem(key(postId), copy);
    } catch (error) {
      /* nothing to move */
    }
  }

  function offer() {
    var copy = read();
    if (!copy) return;
    if (copy.title === title.value && copy.body === body.value) {
      drop();
      return;
    }
    var box = document.getElementById("local-copy");
    document.getElementById("local-copy-text").textContent =
      "This browser kept a copy of your text from " +
      editor.formatTime(copy.at) +
      " that differs from the text below (it was probably not saved to the server).";
    box.hidden = false;
    document.getElementById("local-copy-restore").addEventListener("click", function () {
      title.value = copy.title;
      body.value = copy.body;
      box.hidden = true;
      editor.changed();
      body.focus();
    });
    document.getElementById("local-copy-discard").addEventListener("click", function () {
      drop();
      box.hidden = true;
      title.focus();
    });
  }

  editor.localCopy = { write: write, drop: drop, moveTo: moveTo };
  editor.onChange(function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(write, 300);
  });
  offer();
})(window.RoundsEditor);
