/* The post editor: suggestions of existing tags, and the meta description's length. */
(function (editor) {
  "use strict";

  if (!editor) return;
  var form = editor.form;

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
})(window.RoundsEditor);
