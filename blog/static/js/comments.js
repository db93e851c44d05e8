// Comments and likes, enhanced: the pages work without this file.
// - "Reply" moves the comment form under the comment instead of reloading the page.
// - The like button updates in place (a browser's first like, which only gets the cookie
//   likes are counted by, is confirmed by pressing again for the reader).
// - A comment sent back with its problems keeps the post's address in the address bar.
// - Moderation: "Select all" and confirmations before deleting.
(function () {
  "use strict";

  function setupReplies() {
    var form = document.getElementById("comment-form");
    if (!form) return;
    var home = form.closest("[data-comment-form-home]");
    var parentInput = form.elements.namedItem("parent_id");
    var replying = form.querySelector("[data-replying]");
    var replyingName = form.querySelector("[data-replying-name]");
    var cancel = form.querySelector("[data-cancel-reply]");
    var body = form.elements.namedItem("body");

    function replyTo(link) {
      var comment = link.closest(".comment");
      parentInput.value = link.getAttribute("data-reply-to");
      replyingName.textContent = link.getAttribute("data-reply-name");
      replying.hidden = false;
      comment.insertAdjacentElement("afterend", form);
      form.classList.add("comment-form--inline");
      body.focus();
    }

    function cancelReply(event) {
      event.preventDefault();
      parentInput.value = "";
      replying.hidden = true;
      form.classList.remove("comment-form--inline");
      home.appendChild(form);
      body.focus();
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-reply-to]");
      if (!link) return;
      event.preventDefault();
      replyTo(link);
    });
    cancel.addEventListener("click", cancelReply);
  }

  function setupLike() {
    var form = document.querySelector("[data-like-form]");
    if (!form || !window.fetch) return;
    var button = form.querySelector("button");
    var text = form.querySelector("[data-like-text]");
    var status = form.querySelector("[data-like-status]");

    function send() {
      return fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) throw new Error("like failed: " + response.status);
        return response.json();
      });
    }

    function show(data) {
      button.setAttribute("aria-pressed", data.liked ? "true" : "false");
      text.textContent = data.liked ? "Liked" : "Like";
      document.querySelectorAll("[data-like-label]").forEach(function (element) {
        element.textContent = data.label;
        element.hidden = !data.count;
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = "";
      send()
        .then(function (data) {
          // A browser's first press only gets the cookie likes are counted by: press
          // again for the reader, once.
          return data.confirm ? send() : data;
        })
        .then(function (data) {
          show(data);
          if (data.confirm) status.textContent = data.no_cookie;
        })
        .catch(function () {
          form.submit();
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  function setupModeration() {
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.closest("[data-select-all-label]").hidden = false;
      all.addEventListener("change", function () {
        document.querySelectorAll('input[name="ids"][form="bulk"]').forEach(function (box) {
          box.checked = all.checked;
        });
      });
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-confirm]");
      if (button && !window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  }

  // The page of a refused comment is the answer to a POST to /post/<slug>/comments:
  // show the post's own address, so a reload or a shared link opens the post.
  function keepPostAddress() {
    var match = window.location.pathname.match(/^(\/post\/[^/]+)\/comments$/);
    if (match && window.history.replaceState) {
      window.history.replaceState(null, "", match[1] + "#comment-form");
    }
  }

  keepPostAddress();
  setupReplies();
  setupLike();
  setupModeration();
})();
