// The evaluation dashboard's charts (Apache ECharts). Data comes from the page
// (json_script); clicking a bar, point or grid opens the cases behind it.
(function () {
  "use strict";
  var el = document.getElementById("eval-chart");
  if (!el || !window.echarts) return;
  var c = JSON.parse(el.textContent);
  var pct = c.unit === "%";
  var fmt = function (v) { return v === null || v === undefined ? "—" : (pct ? v + "%" : v + " " + c.unit); };
  var big = document.documentElement.classList.contains("elder") || document.body.classList.contains("elder");
  var font = big ? 16 : 12;
  var charts = [];
  function make(id, option, onClick) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    option.textStyle = { fontSize: font };
    option.animation = false;
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    charts.push(chart);
  }
  function line(series) {
    return series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 8 };
    });
  }
  var yAxis = { type: "value", axisLabel: { formatter: pct ? "{value}%" : "{value}", fontSize: font } };
  if (pct) { yAxis.max = 100; yAxis.min = 0; }
  make("chart-trend", {
    tooltip: { trigger: "axis", valueFormatter: fmt },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 50, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: c.months, axisLabel: { fontSize: font } },
    yAxis: yAxis,
    series: line(c.trend)
  });
  var ranking = c.ranking.slice(0, 20).reverse();
  make("chart-ranking", {
    tooltip: { trigger: "item", valueFormatter: fmt },
    grid: { left: 110, right: 40, top: 8, bottom: 24 },
    xAxis: { type: "value", max: pct ? 100 : null, axisLabel: { fontSize: font } },
    yAxis: { type: "category", data: ranking.map(function (r) { return r.name; }), axisLabel: { fontSize: font, width: 100, overflow: "truncate" } },
    series: [{ type: "bar", data: ranking.map(function (r) { return { value: r.value, url: r.url }; }),
               label: { show: true, position: "right", formatter: function (p) { return fmt(p.value); } } }]
  }, function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  if (c.pilot && c.pilot.length) {
    make("chart-pilot", {
      tooltip: { trigger: "axis", valueFormatter: fmt },
      legend: { bottom: 0 },
      grid: { left: 50, right: 16, top: 16, bottom: 40 },
      xAxis: { type: "category", data: c.months, axisLabel: { fontSize: font } },
      yAxis: yAxis,
      series: c.pilot.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
  }
  if (c.map) {
    window.echarts.registerMap("linli-grids", c.map.geojson);
    var values = c.map.data.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    var lo = values.length ? Math.min.apply(null, values) : 0;
    var hi = values.length ? Math.max.apply(null, values) : 100;
    if (hi === lo) { hi = lo + 1; }
    make("chart-map", {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + ":" + fmt(p.value === undefined || isNaN(p.value) ? null : p.value); } },
      visualMap: { min: lo, max: hi, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: c.higher_is_better ? ["#d94e5d", "#eac736", "#50a3ba"] : ["#50a3ba", "#eac736", "#d94e5d"] } },
      series: [{ type: "map", map: "linli-grids", roam: true, label: { show: false }, emphasis: { label: { show: true, fontSize: font } },
                 data: c.map.data.map(function (d) { return { name: d.name, value: d.value === null ? NaN : d.value, url: d.url }; }) }]
    }, function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
