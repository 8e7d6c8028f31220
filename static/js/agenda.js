/* My agenda and "now & next": small enhancements; every page works without them (and without JavaScript).
   Strict CSP: no inline script, no eval, no hx-on: attributes; everything is attached from here. */
(function () {
  "use strict";

  // "Copy" next to the private links of /agenda/ (hidden without JS or without a clipboard to write to).
  function showCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (navigator.clipboard && window.isSecureContext) button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy"));
    var field = button.closest(".private-link");
    var status = field && field.querySelector("[data-copy-status]");
    if (!input) return;
    function say(name) {
      if (status) status.textContent = status.getAttribute(name) || "";
    }
    navigator.clipboard.writeText(input.value).then(
      function () { say("data-copied"); },
      function () {
        // Refused (permissions, old browser): select the text so that the device's own copy works.
        input.focus();
        input.select();
        say("data-select");
      }
    );
  });

  // A read-only link field selects itself whole on focus: one tap, then the device's copy.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches(".private-link input[readonly]")) input.select();
  });

  // Signage screen (/now/?room=…): a full screen button, and the screen kept awake while the page shows.
  var wakeLock = null;

  function keepAwake() {
    if (!document.querySelector(".now-board--signage") || !("wakeLock" in navigator)) return;
    if (document.visibilityState !== "visible" || wakeLock) return;
    navigator.wakeLock.request("screen").then(
      function (lock) {
        wakeLock = lock;
        lock.addEventListener("release", function () { wakeLock = null; });
      },
      function () { /* refused (battery saver, permissions): the screen follows its own settings */ }
    );
  }

  function showFullscreenButton(root) {
    root.querySelectorAll("button[data-fullscreen]").forEach(function (button) {
      if (document.fullscreenEnabled) button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-fullscreen]");
    if (!button) return;
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });

  document.addEventListener("visibilitychange", keepAwake);

  // A star's answer replaces its form: the button that had the focus keeps it (htmx carries it over by id;
  // this also undoes a page script that would send it elsewhere once the swap has settled).
  var starWithFocus = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.target;
    if (form && form.matches && form.matches("form.star") && form.contains(document.activeElement)) {
      starWithFocus = form.id;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!starWithFocus) return;
    var button = document.querySelector("#" + CSS.escape(starWithFocus) + " button");
    starWithFocus = null;
    if (button && document.activeElement !== button) button.focus({ preventScroll: true });
  });

  // Public pages are the same for everyone: every star in its "add" state, no count. The visitor's own state comes
  // from one small private request (/agenda/state/, never cached) and is applied here, again after each swap.
  var starred = null;  // ids of the starred sessions, once known

  function setCount(count) {
    var element = document.getElementById("agenda-count");
    if (element) element.textContent = count ? String(count) : "";
  }

  function pressStars(root) {
    if (!starred) return;
    root.querySelectorAll("form.star").forEach(function (form) {
      var id = Number(form.id.replace("star-", ""));
      if (!starred.has(id) || form.classList.contains("star--on")) return;
      form.classList.add("star--on");
      var button = form.querySelector("button");
      var wanted = form.querySelector('input[name="starred"]');
      var icon = form.querySelector(".star__icon");
      if (button) button.setAttribute("aria-pressed", "true");
      if (wanted) wanted.value = "0";
      if (icon) icon.textContent = "\u2605";
    });
  }

  function loadState() {
    var count = document.getElementById("agenda-count");
    var url = count && count.getAttribute("data-state-url");
    if (!url || !window.fetch) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        starred = new Set(state.starred);
        setCount(state.count);
        pressStars(document);
      })
      .catch(function () { /* offline: the buttons keep their "add" state, starring still works */ });
  }

  document.addEventListener("htmx:afterSettle", function (event) { pressStars(event.detail.elt || document); });

  // A star's answer replaces its form with the right state, carries the new count out of band for #agenda-count,
  // and sends an "agenda-changed" event (HX-Trigger) that keeps the state known here up to date.
  document.addEventListener("agenda-changed", function (event) {
    var detail = event.detail || {};
    if (typeof detail.count === "number") setCount(detail.count);
    if (starred && typeof detail.session === "number") {
      if (detail.starred) starred.add(detail.session); else starred.delete(detail.session);
    }
  });

  function init() {
    loadState();
    showCopyButtons(document);
    showFullscreenButton(document);
    keepAwake();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
