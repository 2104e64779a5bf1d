/* Street tiles under the grids (Leaflet), when a deployment configures a tile service.
   The page keeps the WGS84 lat/lon it stores; tiles drawn in GCJ-02 (Amap, Tencent) get the
   grids and pins shifted onto them, and a tap shifted back. Talks to the report page through
   two events: "linli:pick" (a place was chosen here) and "linli:pin" (move the pin). */
(function () {
  var box = document.getElementById("tilemap");
  if (!box || !window.L) return;
  var cfg = JSON.parse(document.getElementById("tilemap-config").textContent);
  var gcj = cfg.crs === "gcj02";

  // WGS84 -> GCJ-02 (the published national offset formula); inverse by fixed-point steps.
  var A = 6378245.0, EE = 0.00669342162296594323;
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function toShown(lat, lon) {
    if (!gcj) return [lat, lon];
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = 1 - EE * Math.sin(rad) * Math.sin(rad), s = Math.sqrt(m);
    dLat = dLat * 180 / ((A * (1 - EE)) / (m * s) * Math.PI);
    dLon = dLon * 180 / (A / s * Math.cos(rad) * Math.PI);
    return [lat + dLat, lon + dLon];
  }
  function toStored(lat, lon) {
    if (!gcj) return [lat, lon];
    var la = lat, lo = lon;
    for (var i = 0; i < 5; i++) {  // converges to well under a metre
      var s = toShown(la, lo); la += lat - s[0]; lo += lon - s[1];
    }
    return [la, lo];
  }

  // Shown before Leaflet measures it; the offline map stays for when Leaflet cannot load.
  box.hidden = false;
  var svg = document.getElementById("pickmap");
  if (svg) svg.style.display = "none";
  var map = L.map(box, {keyboard: false, attributionControl: !!cfg.attribution, zoomSnap: 0.5});
  cfg.tiles.forEach(function (url) {
    L.tileLayer(url, {subdomains: cfg.subdomains, maxZoom: 19, attribution: cfg.attribution}).addTo(map);
  });
  var shapes = L.featureGroup().addTo(map);
  cfg.grids.forEach(function (g) {
    var rings = g.geometry.type === "Polygon" ? [g.geometry.coordinates] : g.geometry.coordinates;
    rings.forEach(function (poly) {
      var latlngs = poly[0].map(function (p) { return toShown(p[1], p[0]); });
      L.polygon(latlngs, {color: "#4d5566", weight: 2, fillOpacity: 0.12, interactive: false})
        .bindTooltip(g.name, {permanent: true, direction: "center", className: "grid-label"})
        .addTo(shapes);
    });
  });
  if (shapes.getLayers().length) map.fitBounds(shapes.getBounds());
  if (cfg.home) {
    var h = toShown(cfg.home.lat, cfg.home.lon);
    L.circleMarker(h, {radius: 8, color: "#0b4a8b", fillOpacity: 1, interactive: false})
      .bindTooltip(cfg.home.label, {permanent: true, direction: "top"}).addTo(map);
  }
  var pin = null;
  document.addEventListener("linli:pin", function (ev) {
    var p = toShown(ev.detail.lat, ev.detail.lon);
    if (!pin) pin = L.circleMarker(p, {radius: 12, color: "#fff", weight: 4, fillColor: "#c8102e", fillOpacity: 1, interactive: false}).addTo(map);
    pin.setLatLng(p);
    if (!map.getBounds().contains(p)) map.panTo(p);
  });
  function pick(lat, lon) {
    document.dispatchEvent(new CustomEvent("linli:pick", {detail: {lat: lat, lon: lon}}));
  }
  map.on("click", function (ev) { var s = toStored(ev.latlng.lat, ev.latlng.lng); pick(s[0], s[1]); });
  // Arrow keys move the pin, not the map (about 20 m a press; with Shift 100 m).
  box.addEventListener("keydown", function (ev) {
    var lat = +document.getElementById("id_lat").value, lon = +document.getElementById("id_lon").value;
    var step = (ev.shiftKey ? 100 : 20) / 111000, k = Math.cos(lat / 180 * Math.PI) || 1;
    var moves = {ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, -step / k], ArrowRight: [0, step / k]};
    if (!moves[ev.key]) return;
    ev.preventDefault();
    if (!document.getElementById("id_lat").value) {
      var c = cfg.home ? [cfg.home.lat, cfg.home.lon] : toStored(map.getCenter().lat, map.getCenter().lng);
      pick(c[0], c[1]);
    } else {
      pick(lat + moves[ev.key][0], lon + moves[ev.key][1]);
    }
  });
})();
