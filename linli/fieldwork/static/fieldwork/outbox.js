// The grid worker's outbox: what is recorded at the door waits in IndexedDB with a UUID
// made here, and is uploaded when the app opens or the `online` event fires (no Background
// Sync: only Chrome has it). The server stores each UUID once, so resending is safe. Each
// item is sent on its own: one refused item is marked and never blocks the rest.
(function () {
  "use strict";
  var script = document.getElementById("fieldwork-js");
  var DB = "linli-fieldwork", STORE = "outbox", MAX_SIDE = 2000, TIMEOUT_MS = 20000;
  var flushing = false;

  function words() {
    var t = document.getElementById("outbox-words");
    return t ? t.dataset : {};
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "uuid" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), store = t.objectStore(STORE), out;
        out = fn(store);
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  var put = function (item) { return tx("readwrite", function (s) { return s.put(item); }); };
  var del = function (id) { return tx("readwrite", function (s) { return s.delete(id); }); };
  var all = function () { return tx("readonly", function (s) { return s.getAll(); }); };

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function send(item) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, TIMEOUT_MS);
    var init = { method: "POST", credentials: "same-origin", signal: ctl.signal, headers: { "X-CSRFToken": csrf() } };
    var url;
    if (item.kind === "track") {
      url = script.dataset.tracksUrl;
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ points: [Object.assign({ uuid: item.uuid }, item.payload)] });
    } else if (item.kind === "visit") {
      url = script.dataset.visits;
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(Object.assign({ uuid: item.uuid }, item.payload));
    } else {
      url = script.dataset.reports;
      var form = new FormData();
      form.append("uuid", item.uuid);
      Object.keys(item.payload).forEach(function (k) {
        if (item.payload[k] !== null && item.payload[k] !== undefined) form.append(k, item.payload[k]);
      });
      (item.photos || []).forEach(function (blob, i) { form.append("photos", blob, "photo-" + (i + 1) + ".jpg"); });
      init.body = form;
    }
    return fetch(url, init).finally(function () { clearTimeout(timer); });
  }

  function flushOne(item) {
    item.state = "sending"; item.attempts = (item.attempts || 0) + 1;
    return put(item).then(render).then(function () { return send(item); }).then(function (r) {
      if (r.ok) return del(item.uuid);
      return r.json().catch(function () { return {}; }).then(function (body) {
        var w = words();
        item.state = r.status >= 500 ? "waiting" : "stuck";
        item.error = (r.status === 401 || r.status === 403) ? w.login : ((body.error && body.error.message) || ("HTTP " + r.status));
        return put(item);
      });
    }, function () {
      item.state = "waiting"; item.error = "";  // no signal, or timed out: try again later
      return put(item);
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return all().then(function (items) {
      var todo = items.filter(function (i) { return i.state !== "stuck"; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      return todo.reduce(function (p, item) {
        return p.then(function () { return flushOne(item); }).catch(function () {});
      }, Promise.resolve());
    }).finally(function () { flushing = false; return render(); });
  }

  function describe(item) {
    var w = words();
    if (item.kind === "visit") return w.visit + " · " + (item.label || "");
    if (item.kind === "track") return w.track + " · " + (item.label || "");
    return w.report + " · " + (item.label || "") + ((item.photos || []).length ? " · " + item.photos.length + " " + w.photos : "");
  }

  function render() {
    var list = document.getElementById("outbox-list");
    if (!list) return Promise.resolve();
    return all().then(function (items) {
      var w = words();
      items.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.uuid = item.uuid; li.dataset.state = item.state; li.dataset.testid = "outbox-item";
        var what = document.createElement("span"); what.className = "what"; what.textContent = describe(item);
        var state = document.createElement("span"); state.className = "state " + item.state;
        state.textContent = (w[item.state] || item.state) + (item.error ? ":" + item.error : "");
        li.append(what, state);
        if (item.state !== "sending") {
          var retry = document.createElement("button");
          retry.type = "button"; retry.className = "button small"; retry.textContent = w.retry;
          retry.addEventListener("click", function () { item.state = "waiting"; item.error = ""; put(item).then(flush); });
          var drop = document.createElement("button");
          drop.type = "button"; drop.className = "button small"; drop.textContent = w.discard;
          drop.addEventListener("click", function () { if (window.confirm(w.confirm)) del(item.uuid).then(render); });
          li.append(retry, drop);
        }
        list.append(li);
      });
      var empty = document.getElementById("outbox-empty");
      if (empty) empty.hidden = items.length > 0;
      document.querySelectorAll("[data-testid=outbox-count]").forEach(function (b) {
        b.textContent = String(items.length); b.hidden = items.length === 0;
      });
    });
  }

  function netState() {
    var el = document.querySelector("[data-testid=net]");
    if (!el) return;
    var w = words();
    el.textContent = navigator.onLine ? w.online : w.offline;
    el.className = "net " + (navigator.onLine ? "on" : "off");
  }

  function queue(kind, payload, label, photos) {
    var item = { uuid: uuid4(), kind: kind, payload: payload, label: label, photos: photos || [],
      created: new Date().toISOString(), state: "waiting", error: "", attempts: 0 };
    return put(item).then(render).then(function () { flush(); return item; });
  }

  function position(allowed) {
    if (!allowed || !navigator.geolocation) return Promise.resolve(null);
    return new Promise(function (resolve) {
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ lat: p.coords.latitude, lon: p.coords.longitude }); },
        function () { resolve(null); }, { timeout: 5000, maximumAge: 60000 });
    });
  }

  function downscale(file) {
    // About 2,000 px on the longest side, re-encoded as JPEG (which also drops EXIF/GPS).
    return createImageBitmap(file).then(function (img) {
      var k = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
      var c = document.createElement("canvas");
      c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      return new Promise(function (resolve) { c.toBlob(resolve, "image/jpeg", 0.85); });
    });
  }

  function setupVisits() {
    var share = document.getElementById("share-location");
    if (share) {
      share.checked = localStorage.getItem("fieldwork.shareLocation") === "1";
      share.addEventListener("change", function () { localStorage.setItem("fieldwork.shareLocation", share.checked ? "1" : "0"); });
    }
    document.querySelectorAll("[data-door]").forEach(function (b) {
      b.addEventListener("click", function () {
        var box = document.getElementById("outcomes-" + b.dataset.door);
        var open = box.classList.toggle("open");
        b.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    document.querySelectorAll("[data-visit]").forEach(function (b) {
      b.addEventListener("click", function () {
        var card = b.closest(".task");
        var name = (card.querySelector("h3") || {}).textContent || "";
        position(share && share.checked).then(function (pos) {
          var payload = { resident_id: Number(b.dataset.resident), outcome: b.dataset.visit, at: new Date().toISOString(),
            lat: pos ? pos.lat : null, lon: pos ? pos.lon : null };
          return queue("visit", payload, name.trim() + " · " + b.textContent.trim());
        }).then(function () {
          card.classList.add("done");
          card.querySelector(".visit-state").textContent = words().queued;
          card.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
        });
      });
    });
  }

  function setupReport() {
    var form = document.getElementById("report-form");
    if (!form) return;
    var input = document.getElementById("photos"), thumbs = document.getElementById("thumbs");
    input.addEventListener("change", function () {
      thumbs.textContent = "";
      Array.prototype.slice.call(input.files, 0, 6).forEach(function (f) {
        var img = document.createElement("img"); img.alt = ""; img.src = URL.createObjectURL(f); thumbs.append(img);
      });
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var err = document.getElementById("report-error"), status = document.getElementById("report-status");
      err.textContent = "";
      if (!form.category_code.value || !form.description.value.trim()) {
        err.textContent = form.dataset.missing || "请选择问题类别并填写描述。"; return;
      }
      var files = Array.prototype.slice.call(input.files, 0, 6);
      var opt = form.building.selectedOptions[0];
      var ll = (opt ? opt.value : "0,0").split(",");
      Promise.all([Promise.all(files.map(downscale)), position(document.getElementById("use-gps").checked)])
        .then(function (r) {
          var photos = r[0].filter(Boolean), pos = r[1];
          var payload = { category_code: form.category_code.value, description: form.description.value.trim(),
            lat: pos ? pos.lat : Number(ll[0]), lon: pos ? pos.lon : Number(ll[1]),
            address: opt ? opt.dataset.name : "", at: new Date().toISOString() };
          var label = form.category_code.selectedOptions[0].textContent.trim();
          return queue("report", payload, label, photos);
        }).then(function () {
          form.reset(); thumbs.textContent = ""; status.textContent = words().queued;
        });
    });
  }

  function setupTracks() {
    // Only when the worker turned tracks on (the server also drops points outside working
    // hours or an open task): one point every two minutes while the list is open.
    if (script.dataset.tracks !== "1" || !navigator.geolocation) return;
    var last = 0;
    navigator.geolocation.watchPosition(function (p) {
      var now = Date.now();
      if (now - last < 120000) return;
      last = now;
      var at = new Date(now).toISOString();
      queue("track", { at: at, lat: p.coords.latitude, lon: p.coords.longitude }, at.slice(11, 16));
    }, function () {}, { enableHighAccuracy: false, maximumAge: 60000 });
  }

  function start() {
    netState(); setupVisits(); setupReport(); setupTracks(); render().then(flush);
    window.addEventListener("online", function () { netState(); flush(); });
    window.addEventListener("offline", netState);
    if ("serviceWorker" in navigator && script.dataset.sw) {
      navigator.serviceWorker.register(script.dataset.sw, { scope: "/fieldwork/" }).catch(function () {});
    }
  }

  window.linliOutbox = { flush: flush, all: all, render: render, queue: queue };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
