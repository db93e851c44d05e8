// The comment form remembers the reader's name and email in this browser's own storage
// (never a cookie: the server never sees it), and forgets them on "Forget me".
(function () {
  "use strict";
  var KEY = "rounds.commenter";
  var form = document.getElementById("comment-form");
  var note = form && form.querySelector("[data-remember]");
  if (!form || !note) return;
  var name = form.elements.namedItem("name");
  var email = form.elements.namedItem("email");
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(KEY);
  } catch (error) {
    return; // storage switched off: the form works as before
  }

  function saved() {
    try {
      var value = JSON.parse(storage.getItem(KEY) || "null");
      return value && typeof value === "object" ? value : null;
    } catch (error) {
      return null;
    }
  }

  var kept = saved();
  if (kept) {
    if (name && !name.value && typeof kept.name === "string") name.value = kept.name;
    if (email && !email.value && typeof kept.email === "string") email.value = kept.email;
    note.hidden = false;
  }

  form.addEventListener("submit", function () {
    var value = { name: name ? name.value.trim() : "", email: email ? email.value.trim() : "" };
    try {
      if (value.name || value.email) storage.setItem(KEY, JSON.stringify(value));
    } catch (error) {
      /* full or refused: nothing to remember */
    }
  });

  form.querySelector("[data-forget]").addEventListener("click", function () {
    storage.removeItem(KEY);
    if (name) name.value = "";
    if (email) email.value = "";
    note.textContent = "Forgotten: this browser no longer keeps your name and email.";
    note.setAttribute("role", "status");
    if (name) name.focus();
  });
})();
