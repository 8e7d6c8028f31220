/* The service worker: the programme, the venue and the visitor's agenda kept for when the network fails.
   Hand-written, no library (README, "Offline"). Served at /sw.js (congress/offline.py) so that its scope is the
   whole site; registered by static/js/offline.js after the page's load event.

   Pages: network first (revalidated by ETag through the browser's HTTP cache); the copy kept is used when the
   network fails or does not answer within NETWORK_TIMEOUT_MS, with a note "offline — updated at HH:MM".
   After each online page load the page sends "sync": the worker reads /offline/pages.json (the programme
   version and the addresses to keep for that language) and fetches again every page kept for an older version.
   Static files: cache first (their names change with their content). Stars are never queued: offline, an
   htmx star fails (offline.js shows why) and a plain form gets the offline page saying it was not sent. */
"use strict";

const PAGES = "fbp-pages"; // HTML pages and calendar files, each with the time it was fetched and the version
const FILES = "fbp-static"; // static and media files
const STATES = "fbp-state"; // the last /offline/pages.json of each language
const CACHED_AT = "X-Offline-Cached-At";
const VERSION = "X-Offline-Version";
const NETWORK_TIMEOUT_MS = 4000;
const PARALLEL_FETCHES = 3;
// Copies fetched in the background say so: opening /agenda/ marks its changes as seen, a copy must not.
const COPY_HEADERS = { "X-Offline-Copy": "1" };
const LANGUAGE = "(?:/[a-z]{2}(?:-[a-z]+)?)?";
const NEVER_KEPT = new RegExp(`^${LANGUAGE}/(?:admin/|i18n/|agenda/attach/|agenda/reset/)|^/(?:sw\\.js|healthz)$`);
const STAR = new RegExp(`^${LANGUAGE}/sessions/[^/]+/star/$`);
const SESSION_LINK = new RegExp(`href="(${LANGUAGE}/sessions/([^"/?#]+)/)"`, "g");
const STATIC_LINK = /(?:href|src)="(\/(?:static|media)\/[^"?#]+)"/g;
const KEPT_TYPES = /^(?:text\/html|text\/calendar)/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "sync" || typeof data.pages !== "string") return;
  const url = new URL(data.pages, self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    sync(url.pathname).then(
      (version) => event.source && event.source.postMessage({ type: "synced", version: version }),
      () => event.source && event.source.postMessage({ type: "sync-failed" }),
    ),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER_KEPT.test(url.pathname)) return;
  if (request.method === "POST") {
    if (STAR.test(url.pathname)) event.respondWith(sendStar(event));
    else if (request.mode === "navigate") event.respondWith(sendForm(request));
    return;
  }
  if (request.method !== "GET" || request.headers.get("HX-Request")) return; // htmx: offline.js falls back
  if (/^\/(?:static|media)\//.test(url.pathname)) {
    event.respondWith(fileFirst(request));
  } else if (request.mode === "navigate" || url.pathname.endsWith(".ics")) {
    event.respondWith(networkFirst(event));
  }
});

// Keys -------------------------------------------------------------------------------------------------------

/* One key per page whatever the order of its parameters (?layout=list&day=… is ?day=…&layout=list). */
function pageKey(address) {
  const url = new URL(address, self.location.origin);
  const params = [...url.searchParams].filter(([, value]) => value !== "");
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(params).toString();
  url.hash = "";
  return url.href;
}

function isKept(response) {
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    KEPT_TYPES.test(response.headers.get("Content-Type") || "");
}

// Pages ------------------------------------------------------------------------------------------------------

async function networkFirst(event) {
  const request = event.request;
  const key = pageKey(request.url);
  const network = fetch(request);
  // Registered before the first await: the copy is kept even when the page was answered from the cache.
  event.waitUntil(network.then((response) => (isKept(response) ? store(key, response.clone()) : null)).catch(() => {}));
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS)).then(() => keptCopy(key));
  try {
    return await Promise.race([network, slow.then((copy) => copy || network)]);
  } catch (error) {
    return (await keptCopy(key)) || (await offlinePage(new URL(request.url).pathname, false));
  }
}

async function store(key, response, version) {
  const body = await response.blob();
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT, String(Date.now()));
  headers.set(VERSION, version || (await latestVersion()));
  headers.delete("Content-Length");
  const pages = await caches.open(PAGES);
  await pages.put(key, new Response(body, { status: 200, statusText: response.statusText, headers: headers }));
  if ((headers.get("Content-Type") || "").startsWith("text/html")) {
    await keepFiles([...(await body.text()).matchAll(STATIC_LINK)].map((match) => match[1]));
  }
}

/* A kept page as shown offline: with the note saying when it was fetched (and its stylesheet). */
async function keptCopy(key) {
  const pages = await caches.open(PAGES);
  const kept = await pages.match(key, { ignoreVary: true });
  if (!kept) return null;
  const path = new URL(key).pathname;
  if (!(kept.headers.get("Content-Type") || "").startsWith("text/html")) return kept;
  const state = await stateFor(path);
  if (!state) return kept;
  const time = new Date(Number(kept.headers.get(CACHED_AT))).toLocaleTimeString(state.language, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const note = `<p class="offline-note" role="status">${escapeHtml(state.note.replace("%(time)s", time))}</p>`;
  const stylesheet = `<link rel="stylesheet" href="${escapeHtml(state.stylesheet)}">`;
  const html = (await kept.text())
    .replace("</head>", `${stylesheet}</head>`)
    .replace(/<main\b[^>]*>/, (tag) => tag + note);
  const headers = new Headers(kept.headers);
  headers.set("Cache-Control", "no-store");
  return new Response(html, { status: 200, headers: headers });
}

async function offlinePage(path, unsent) {
  const state = await stateFor(path);
  const kept = state && (await caches.match(pageKey(unsent ? state.unsent : state.offline), { cacheName: PAGES }));
  if (kept) return kept;
  return new Response("Offline.", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// Static and media files -----------------------------------------------------------------------------------

async function fileFirst(request) {
  const files = await caches.open(FILES);
  const kept = await files.match(request, { ignoreVary: true, ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200 && response.type === "basic") await files.put(request.url, response.clone());
  return response;
}

async function keepFiles(paths) {
  const files = await caches.open(FILES);
  const missing = [];
  for (const path of new Set(paths)) {
    if (!(await files.match(path, { ignoreSearch: true }))) missing.push(path);
  }
  await inParallel(missing, async (path) => {
    const response = await fetch(path);
    if (response.status === 200) await files.put(path, response);
  });
}

// Stars and forms ------------------------------------------------------------------------------------------

async function sendStar(event) {
  const request = event.request;
  const path = new URL(request.url).pathname;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    if (request.mode === "navigate") return offlinePage(path, true);
    throw error; // an htmx star: htmx:sendError, shown by offline.js next to the button
  }
  if (response.ok || response.type === "opaqueredirect") {
    // The agenda changed: keep it, and the sessions in it, as they are now.
    event.waitUntil(keepAgenda(path.replace(/sessions\/[^/]+\/star\/$/, "agenda/"), "", true).catch(() => {}));
  }
  return response;
}

async function sendForm(request) {
  try {
    return await fetch(request);
  } catch (error) {
    return offlinePage(new URL(request.url).pathname, true);
  }
}

// Keeping the pages of a language ----------------------------------------------------------------------------

const running = new Map(); // one sync at a time per language

function sync(pagesPath) {
  if (!running.has(pagesPath)) {
    running.set(pagesPath, syncPages(pagesPath).finally(() => running.delete(pagesPath)));
  }
  return running.get(pagesPath);
}

async function syncPages(pagesPath) {
  const response = await fetch(pagesPath, { cache: "no-cache", headers: COPY_HEADERS });
  if (!response.ok) throw new Error(`${pagesPath}: ${response.status}`);
  const state = { ...(await response.json()), fetchedAt: Date.now() };
  const stored = new Response(JSON.stringify(state), { headers: { "Content-Type": "application/json" } });
  await (await caches.open(STATES)).put(pagesPath, stored);
  await keepFiles(state.shell);
  const pages = await caches.open(PAGES);
  const wanted = new Set([state.offline, state.unsent, ...state.pages].map(pageKey));
  const stale = [];
  for (const key of wanted) {
    const kept = await pages.match(key, { ignoreVary: true });
    if (!kept || kept.headers.get(VERSION) !== state.version) stale.push(key);
  }
  // Every other page kept for an older programme (any language) is fetched again too.
  for (const request of await pages.keys()) {
    if (wanted.has(request.url)) continue;
    const kept = await pages.match(request, { ignoreVary: true });
    if (kept && kept.headers.get(VERSION) !== state.version) stale.push(request.url);
  }
  await inParallel(stale, (key) => copy(key, state.version));
  await keepAgenda(state.agenda, state.version, false);
  return state.version;
}

async function copy(key, version) {
  let response;
  try {
    response = await fetch(key, { cache: "no-cache", headers: COPY_HEADERS });
  } catch (error) {
    return; // offline again: the copy kept stays, with its time
  }
  const pages = await caches.open(PAGES);
  if (isKept(response)) await store(key, response, version);
  else if (response.status === 404 || response.status === 410) await pages.delete(key); // withdrawn
}

/* The agenda page, and every session in it with its calendar file. */
async function keepAgenda(agendaPath, version, fetchAgain) {
  const key = pageKey(agendaPath);
  const latest = version || (await latestVersion());
  if (fetchAgain) await copy(key, latest);
  const kept = await caches.match(key, { cacheName: PAGES, ignoreVary: true });
  if (!kept) return;
  const html = await kept.text();
  const pages = await caches.open(PAGES);
  const wanted = [];
  for (const match of html.matchAll(SESSION_LINK)) {
    wanted.push(pageKey(match[1]), pageKey(`/sessions/${match[2]}.ics`));
  }
  const missing = [];
  for (const sessionKey of new Set(wanted)) {
    const sessionCopy = await pages.match(sessionKey, { ignoreVary: true });
    if (!sessionCopy || sessionCopy.headers.get(VERSION) !== latest) missing.push(sessionKey);
  }
  await inParallel(missing, (sessionKey) => copy(sessionKey, latest));
}

// Language states --------------------------------------------------------------------------------------------

async function states() {
  const cache = await caches.open(STATES);
  const found = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (response) found.push(await response.json());
  }
  return found;
}

/* The state of the language a path is in: the one whose home is the longest start of the path. */
async function stateFor(path) {
  let best = null;
  for (const state of await states()) {
    if (path.startsWith(state.home) && (!best || state.home.length > best.home.length)) best = state;
  }
  return best;
}

async function latestVersion() {
  const known = (await states()).sort((a, b) => a.fetchedAt - b.fetchedAt);
  return known.length ? known[known.length - 1].version : "";
}

async function inParallel(items, work) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(PARALLEL_FETCHES, queue.length) }, async () => {
    while (queue.length) {
      try {
        await work(queue.shift());
      } catch (error) {
        /* one page that failed does not stop the others */
      }
    }
  });
  await Promise.all(workers);
}
