/* The post editor: live preview (the title, and the text as it will publish), word count
 * and reading time.
 *
 * The server renders the text with the content pipeline, so the preview is the HTML the
 * post will publish. Answers can't arrive out of order: a newer request aborts the older
 * one, and an answer that isn't the latest request's is ignored.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var preview = document.getElementById("preview");
  var wordCount = document.getElementById("word-count");
  var readingTime = document.getElementById("reading-time");
  var DELAY = 400;
  var timer = null;
  var latest = 0;
  var controller = null;

  function show(html, words, minutes) {
    wordCount.textContent = words.toLocaleString() + (words === 1 ? " word" : " words");
    readingTime.textContent = minutes + " min read";
    // Sanitised by the server's content pipeline: the HTML the post will publish.
    preview.innerHTML = html;
    preview.classList.remove("preview__body--stale");
  }

  function refresh() {
    var request = ++latest;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var data = new FormData();
    data.append("body", editor.body.value);
    editor
      .send(editor.form.dataset.previewUrl, data, controller ? controller.signal : undefined)
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        var words = Number(response.headers.get("X-Word-Count") || 0);
        var minutes = response.headers.get("X-Reading-Minutes") || "1";
        return response.text().then(function (html) {
          if (request === latest) show(html, words, minutes);
        });
      })
      .catch(function () {
        if (request === latest) preview.classList.add("preview__body--stale");
      });
  }

  var previewTitle = document.getElementById("preview-post-title");
  var shownBody = editor.body.value;

  editor.onChange(function () {
    previewTitle.textContent = editor.title.value;
    if (editor.body.value === shownBody) return; // only the title changed
    shownBody = editor.body.value;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY);
  });
})(window.RoundsEditor);
