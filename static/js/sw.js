/* The service worker: the programme, the venue and the visitor's agenda kept for when the network fails.
   Hand-written, no library (README, "Offline"). Served at /sw.js (congress/offline.py) so that its scope is the
   whole site; registered by static/js/offline.js after the page's load event.

   Pages: network first (revalidated by ETag through the browser's HTTP cache); the copy kept is used when the
   network fails or does not answer within NETWORK_TIMEOUT_MS, with a note "offline — updated at HH:MM".
   After each online page load the page sends "sync": the worker reads /offline/pages.json (the programme
   version and the addresses to keep for that language) and fetches again every page kept for an older version.
   Static files: cache first when their names carry their hash (network first otherwise, e.g. in development).
   Stars are never queued: offline, an htmx star fails (offline.js shows why) and a plain form gets the offline
   page saying it was not sent. */
"use strict";

const PAGES = "fbp-pages"; // HTML pages and calendar files, each with the time it was fetched and the version
const FRAGMENTS = "fbp-fragments"; // other GET answers the pages asked for (htmx fragments, the visitor's state)
const FILES = "fbp-static"; // static and media files
const STATES = "fbp-state"; // the last /offline/pages.json of each language
const CACHED_AT = "X-Offline-Cached-At";
const VERSION = "X-Offline-Version";
const NETWORK_TIMEOUT_MS = 4000;
// A fragment kept for an older programme is forgotten, unless it was fetched this long before the new version
// was seen (by the very page that announced it: the visitor's own state).
const FRAGMENT_GRACE_MS = 60000;
const HTMX_HEADERS = ["HX-Request", "HX-Target", "HX-History-Restore-Request", "HX-Boosted"];
// Copies fetched in the background say so: opening /agenda/ marks its changes as seen, a copy must not.
const COPY_HEADERS = { "X-Offline-Copy": "1" };
const LANGUAGE = "(?:/[a-z]{2}(?:-[a-z]+)?)?";
const NEVER_KEPT = new RegExp(`^${LANGUAGE}/(?:admin/|i18n/|agenda/attach/|agenda/reset/)|^/(?:sw\\.js|healthz)$`);
// A star at a short address or under an edition's prefix (/2025/sessions/…/star/); the agenda is the site's.
const STAR = new RegExp(`^(${LANGUAGE})(?:/[a-z0-9][a-z0-9-]*)?/sessions/[^/]+/star/$`);
const SESSION_LINK = new RegExp(`href="(${LANGUAGE}/sessions/([^"/?#]+)/)"`, "g");
const STATIC_LINK = /(?:href|src)="(\/(?:static|media)\/[^"?#]+)"/g;
const HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/; // collectstatic's names: their content never changes
const KEPT_TYPES = /^(?:text\/html|text\/calendar)/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "sync" || typeof data.pages !== "string") return;
  const url = new URL(data.pages, self.location.origin);
  if (url.origin !== self.location.origin) return;
  const opened = typeof data.page === "string" ? new URL(data.page, self.location.origin) : null;
  const page = opened && opened.origin === self.location.origin && !NEVER_KEPT.test(opened.pathname) ? opened : null;
  event.waitUntil(
    sync(url.pathname, page && page.href).then(
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
  if (request.method !== "GET") return;
  if (/^\/static\//.test(url.pathname) && HASHED.test(url.pathname)) {
    event.respondWith(fileFirst(request));
  } else if (/^\/(?:static|media)\//.test(url.pathname)) {
    event.respondWith(networkFirst(event, request.url, FILES)); // a name that may be given new content
  } else if (request.mode === "navigate" || url.pathname.endsWith(".ics")) {
    event.respondWith(networkFirst(event, pageKey(request.url), PAGES));
  } else {
    event.respondWith(networkFirst(event, fragmentKey(request), FRAGMENTS));
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

/* The same address gives another body to htmx (a fragment of the page): its headers are part of the key. */
function fragmentKey(request) {
  const url = new URL(request.url);
  for (const name of HTMX_HEADERS) {
    const value = request.headers.get(name);
    if (value) url.searchParams.append(`fbp-${name.toLowerCase()}`, value);
  }
  return pageKey(url.href);
}

function isKept(response, anyType) {
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    (anyType || KEPT_TYPES.test(response.headers.get("Content-Type") || ""));
}

// Pages ------------------------------------------------------------------------------------------------------

async function networkFirst(event, key, cacheName) {
  const isPage = cacheName === PAGES;
  const network = fetch(event.request);
  // Registered before the first await: the copy is kept even when the page was answered from the cache.
  const keep = (response) => (isKept(response, !isPage) ? store(key, response.clone(), "", cacheName) : null);
  event.waitUntil(network.then(keep).catch(() => {}));
  const fromCache = () => (isPage ? keptCopy(key) : caches.match(key, { cacheName: cacheName, ignoreVary: true }));
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS)).then(fromCache);
  try {
    return await Promise.race([network, slow.then((copy) => copy || network)]);
  } catch (error) {
    const copy = await fromCache();
    if (copy) return copy;
    // A fragment fails as the network did: htmx says so, and offline.js opens the whole page instead.
    return isPage ? offlinePage(new URL(event.request.url).pathname, false) : Response.error();
  }
}

async function store(key, response, version, cacheName) {
  const body = await response.blob();
  const headers = new Headers(response.headers);
  headers.set(CACHED_AT, String(Date.now()));
  headers.set(VERSION, version || (await latestVersion()));
  headers.delete("Content-Length");
  const cache = await caches.open(cacheName || PAGES);
  await cache.put(key, new Response(body, { status: 200, statusText: response.statusText, headers: headers }));
  if (cacheName === PAGES && (headers.get("Content-Type") || "").startsWith("text/html")) {
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
  await oneByOne(missing, async (path) => {
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
    // The agenda changed: keep it, and the sessions in it, as they are now; and the page starred from.
    const agenda = keepAgenda(path.replace(STAR, "$1/agenda/"), "", true);
    event.waitUntil(agenda.then(() => keepAgain(request.referrer)).catch(() => {}));
    // Public pages carry no star state: the visitor's own comes from /agenda/state/, kept as it is now.
    event.waitUntil(keepState(path.replace(STAR, "$1/agenda/state/")).catch(() => {}));
  }
  return response;
}

async function keepState(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (isKept(response, true)) await store(fragmentKey(new Request(path)), response, "", FRAGMENTS);
}

async function keepAgain(address) {
  if (!address || new URL(address).origin !== self.location.origin) return;
  const key = pageKey(address);
  if (await caches.match(key, { cacheName: PAGES })) await copy(key, await latestVersion());
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

function sync(pagesPath, openedPage) {
  if (!running.has(pagesPath)) {
    running.set(pagesPath, syncPages(pagesPath, openedPage).finally(() => running.delete(pagesPath)));
  }
  return running.get(pagesPath);
}

async function syncPages(pagesPath, openedPage) {
  const response = await fetch(pagesPath, { cache: "no-cache", headers: COPY_HEADERS });
  if (!response.ok) throw new Error(`${pagesPath}: ${response.status}`);
  const state = { ...(await response.json()), fetchedAt: Date.now() };
  const stored = new Response(JSON.stringify(state), { headers: { "Content-Type": "application/json" } });
  await (await caches.open(STATES)).put(pagesPath, stored);
  await keepFiles(state.shell);
  const pages = await caches.open(PAGES);
  const wanted = new Set([state.offline, state.unsent, ...state.pages].map(pageKey));
  if (openedPage) wanted.add(pageKey(openedPage));
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
  await oneByOne(stale, (key) => copy(key, state.version));
  await keepAgenda(state.agenda, state.version, false);
  await forgetOldFragments(state.version);
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

async function forgetOldFragments(version) {
  const fragments = await caches.open(FRAGMENTS);
  const before = Date.now() - FRAGMENT_GRACE_MS;
  for (const request of await fragments.keys()) {
    const kept = await fragments.match(request);
    if (kept && kept.headers.get(VERSION) !== version && Number(kept.headers.get(CACHED_AT)) < before) {
      await fragments.delete(request);
    }
  }
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
  await oneByOne(missing, (sessionKey) => copy(sessionKey, latest));
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
  const known = await states();
  let best = null;
  for (const state of known) {
    if (path.startsWith(state.home) && (!best || state.home.length > best.home.length)) best = state;
  }
  return best || known[0] || null; // a language never synced: the offline page of another is better than none
}

async function latestVersion() {
  const known = (await states()).sort((a, b) => a.fetchedAt - b.fetchedAt);
  return known.length ? known[known.length - 1].version : "";
}

/* One after the other: gentle on a crowded network, and the visitor's own pages come first. */
async function oneByOne(items, work) {
  for (const item of items) {
    try {
      await work(item);
    } catch (error) {
      /* one page that failed does not stop the others */
    }
  }
}
