// Counts this reader's view of the post: one small request to the site itself once the
// page is shown (a prerendered page waits until the reader opens it). Without
// JavaScript nothing is counted; the page works the same.
(function () {
  "use strict";

  var article = document.querySelector("[data-view-beacon]");
  if (!article) return;
  var url = article.getAttribute("data-view-beacon");

  function send() {
    if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    if (window.fetch) {
      fetch(url, { method: "POST", credentials: "same-origin", keepalive: true }).catch(
        function () {}
      );
    }
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
