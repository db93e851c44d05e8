/* The post editor's layout: Write and Preview side by side on wide screens, a Write /
 * Preview switch (ARIA tabs: arrow keys, Home and End) on narrow ones; the date menu of
 * the action bar closes with Escape or a click elsewhere; the skip link lands in the text.
 */
(function (editor) {
  "use strict";

  if (!editor) return;
  var tablist = document.querySelector(".workspace__tabs");
  var tabs = Array.prototype.slice.call(tablist.querySelectorAll('[role="tab"]'));
  var panes = tabs.map(function (tab) {
    return document.getElementById(tab.getAttribute("aria-controls"));
  });
  var narrow = window.matchMedia("(max-width: 62rem)");
  var selected = 0;

  function select(index, focus) {
    selected = index;
    tabs.forEach(function (tab, i) {
      var on = i === index;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      panes[i].hidden = narrow.matches && !on;
    });
    if (focus) tabs[index].focus();
  }

  function arrange() {
    tablist.hidden = !narrow.matches;
    panes.forEach(function (pane, i) {
      if (narrow.matches) {
        pane.setAttribute("role", "tabpanel");
        pane.setAttribute("aria-labelledby", tabs[i].id);
      } else {
        pane.removeAttribute("role");
        pane.setAttribute("aria-labelledby", pane.querySelector(".pane__title").id);
      }
    });
    select(selected, false);
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () {
      select(index, false);
    });
  });
  tablist.addEventListener("keydown", function (event) {
    var moves = { ArrowRight: selected + 1, ArrowLeft: selected - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select((moves[event.key] + tabs.length) % tabs.length, true);
  });
  narrow.addEventListener("change", arrange);
  arrange();

  // "Skip to the text" (and any link to it) shows the Write pane first.
  document.addEventListener("click", function (event) {
    var link = event.target.closest('a[href="#body"]');
    if (!link) return;
    event.preventDefault();
    select(0, false);
    editor.body.focus();
  });

  var menu = document.getElementById("when-menu");
  if (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("toggle", function () {
      if (menu.open) menu.querySelector("input").focus();
    });
  }
})(window.RoundsEditor);
