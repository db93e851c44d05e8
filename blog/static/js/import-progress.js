// The Import page's progress: ask the server every two seconds how far the import has
// got, update the bar and the stage line, and reload the page with the result at the end.
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-progress]");
  if (!panel) return;
  var stage = panel.querySelector("[data-import-stage]");
  var bar = panel.querySelector("[data-import-bar]");
  var url = panel.getAttribute("data-status-url");

  function show(state) {
    var text = state.stage || "Starting";
    if (state.total) {
      text += ": " + state.done + " of " + state.total;
      bar.max = state.total;
      bar.value = state.done;
    } else {
      bar.removeAttribute("value");
    }
    if (stage.textContent !== text) stage.textContent = text;
  }

  function poll() {
    fetch(url, { headers: { "X-Requested-With": "fetch", Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.finished) {
          window.location.reload();
          return;
        }
        if (state) show(state);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
})();
