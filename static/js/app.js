/* Small enhancements on top of htmx; every page works without them (and without JavaScript at all).
   No inline script or hx-on: attributes anywhere (strict CSP): behaviour is attached here. */
(function () {
  "use strict";

  var lastTrigger = null;

  // A filter left empty is not a filter: keep the pushed address short and shareable (?track=x, not ?q=&day=…).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form.filters")) return;
    var names = [];
    event.detail.formData.forEach(function (value, name) {
      if (typeof value === "string" && value.trim() === "") names.push(name);
    });
    names.forEach(function (name) { event.detail.formData.delete(name); });
  });

  // Back and forward restore a snapshot of the page's HTML, where the filter fields still hold the values they
  // were rendered with, not the ones of the restored address: take them from the address.
  document.addEventListener("htmx:historyRestore", function (event) {
    var form = document.querySelector("form.filters");
    if (!form) return;
    var params = new URL((event.detail && event.detail.path) || location.href, location.href).searchParams;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "hidden") return;
      field.value = params.get(field.name) || "";
      if (field.tagName === "SELECT" && field.selectedIndex < 0) field.value = "";
    });
  });

  // Typing a word is one step of history, not one per letter: while the address in place came from typing in the
  // search field, the next typed letter replaces it instead of adding an entry (and an unchanged address is never
  // pushed twice, e.g. Enter after the last letter).
  var typedEntry = false;
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var history = event.detail.history;
    var config = event.detail.requestConfig || {};
    var cause = config.triggeringEvent;
    var typing = !!(cause && cause.type === "input" && cause.target && cause.target.id === "filter-q");
    var target = new URL(history.path, location.href);
    if (history.type === "push" && ((typing && typedEntry) || target.href === location.href)) {
      history.type = "replace";
    }
    typedEntry = typing;
  });
  window.addEventListener("popstate", function () { typedEntry = false; });

  document.addEventListener("htmx:beforeRequest", function (event) {
    lastTrigger = event.detail.elt;
  });

  // The day tabs and "clear the filters" replace the whole schedule block, the link that had the focus with
  // it: give the focus back to the matching control so that keyboard and screen reader users keep their place.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;  // for an outerHTML swap, the element that was replaced
    if (!target || target.id !== "schedule-page") return;
    var trigger = lastTrigger;
    if (!trigger || !trigger.closest || trigger.isConnected) return;  // still there: the focus is fine
    var page = document.getElementById("schedule-page");
    if (!page) return;
    var focus = null;
    if (trigger.closest(".day-tabs")) focus = page.querySelector(".day-tabs a[aria-current]");
    if (!focus) focus = page.querySelector("#filter-q");
    if (focus) focus.focus({ preventScroll: true });
    lastTrigger = null;
  });
  // The language links lead to the same page in the other language: after a filter changed the address in place,
  // they must carry the same filters (the header is not part of the swapped block).
  function languageLinksFollowAddress() {
    document.querySelectorAll("nav.languages a[hreflang]").forEach(function (link) {
      var url = new URL(link.href, location.href);
      url.search = location.search;
      link.href = url.pathname + url.search;
    });
  }
  ["htmx:pushedIntoHistory", "htmx:replacedInHistory", "htmx:historyRestore"].forEach(function (name) {
    document.addEventListener(name, languageLinksFollowAddress);
  });

  // Before the congress, the home page says when the programme changed since this browser's last visit. The
  // page is the same for everyone: the last visit is remembered here, never sent.
  function whatIsNew() {
    var note = document.querySelector("[data-programme-changed]");
    if (!note) return;
    var key = "fbp-last-visit-" + note.getAttribute("data-edition");
    var changed = Date.parse(note.getAttribute("data-programme-changed"));
    try {
      var last = Number(localStorage.getItem(key));
      if (last && changed > last) note.hidden = false;
      localStorage.setItem(key, String(Date.now()));
    } catch (error) { /* storage refused: nothing to compare with */ }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", whatIsNew);
  else whatIsNew();
})();
