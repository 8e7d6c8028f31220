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

  // A star's answer carries the new count out of band for #agenda-count, and as an "agenda-changed" event
  // (HX-Trigger): the event also covers a page whose count was not part of the swap.
  document.addEventListener("agenda-changed", function (event) {
    var count = document.getElementById("agenda-count");
    if (count && event.detail && typeof event.detail.count === "number") {
      count.textContent = event.detail.count ? String(event.detail.count) : "";
    }
  });

  function init() {
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
