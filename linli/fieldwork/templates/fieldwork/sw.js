// The grid worker's pages without signal. Pages: network first (fresh when online), the
// cached copy offline. Static files: cache first. Records never pass through here: they
// wait in IndexedDB (outbox.js) and are sent when the app opens or the signal returns.
const VERSION = "{{ version }}";
const SHELL = {{ shell|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  // Never keep a login page under a field page's address, nor an error.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(VERSION).then((c) => c.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r))));
    return;
  }
  if (url.pathname.startsWith("/fieldwork/") || url.pathname === "/api/fieldwork/today") {
    event.respondWith(
      fetch(request)
        .then((r) => keep(request, r))
        .catch(() =>
          caches.match(request, { ignoreSearch: true }).then(
            (hit) => hit || caches.match(SHELL[0]) || Response.error()
          )
        )
    );
  }
});
