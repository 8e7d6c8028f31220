/* Offline: registers the service worker (static/js/sw.js) once the page has loaded, asks it to keep this
   language's pages, and says so when something cannot be sent without a network. Every page works without it.
   Its <script> element carries the addresses and the translated messages (data-* attributes): no inline script. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;

  // Registered after `load`: the first visit is as fast as without a worker, which then fetches in the background.
  if ("serviceWorker" in navigator && window.isSecureContext && data.worker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "synced") {
        document.documentElement.setAttribute("data-offline-version", event.data.version);
      }
    });
    window.addEventListener("load", function () {
      navigator.serviceWorker
        .register(data.worker, { scope: "/", updateViaCache: "none" })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function (registration) {
          if (navigator.onLine && registration.active) {
            // This page too: on the first visit it was loaded before the worker was there to keep it.
            registration.active.postMessage({ type: "sync", pages: data.pages, page: location.pathname + location.search });
          }
        })
        .catch(function () { /* no worker (private mode, disabled): the site works online as before */ });
    });
  }

  // A star form's message, read out at once (role="alert"); the button keeps its state: nothing was changed.
  function say(form, text) {
    var message = form.querySelector(".star__message");
    if (!message) {
      message = document.createElement("p");
      message.className = "star__message";
      message.setAttribute("role", "alert");
      form.appendChild(message);
    }
    message.textContent = text;
  }

  function starForm(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.closest ? elt.closest("form.star") : null;
  }

  // No network: a star is refused, visibly, never lost without a word.
  document.addEventListener("htmx:sendError", function (event) {
    var form = starForm(event);
    if (form) {
      say(form, data.starOffline);
      return;
    }
    // A day tab or a layout link: the whole page instead, which the worker may hold (else it says what it has).
    // A filter typed or chosen: only when that page is kept, not the offline page at each letter typed.
    var config = event.detail.requestConfig || {};
    var path = event.detail.pathInfo && event.detail.pathInfo.finalRequestPath;
    var elt = event.detail.elt;
    if (config.verb !== "get" || !path || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    if (elt && elt.tagName === "A") {
      window.location.assign(path);
    } else if (window.caches) {
      caches.match(keptAddress(path), { ignoreVary: true }).then(function (kept) {
        if (kept) window.location.assign(path);
      });
    }
  });

  // The worker's key for a page: its parameters sorted, empty ones left out (pageKey in sw.js).
  function keptAddress(path) {
    var url = new URL(path, location.href);
    var params = [];
    url.searchParams.forEach(function (value, name) { if (value !== "") params.push([name, value]); });
    params.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    url.search = new URLSearchParams(params).toString();
    url.hash = "";
    return url.href;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var form = starForm(event);
    if (form) say(form, data.starFailed);
  });
})();
