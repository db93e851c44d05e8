/* The post editor: live preview, word count and reading time.
 *
 * The server renders the text with the content pipeline, so the preview is the HTML the
 * post will publish.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var preview = document.getElementById("preview");
  var wordCount = document.getElementById("word-count");
  var readingTime = document.getElementById("reading-time");
  var DELAY = 400;
  var timer = null;

  function refresh() {
    var data = new FormData();
    data.append("body", editor.body.value);
    editor
      .send(editor.form.dataset.previewUrl, data)
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

  editor.onChange(function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY);
  });
})(window.RoundsEditor);
