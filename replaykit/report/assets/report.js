/* replaykit HTML report: charts drawn as inline SVG, the per-sample drill-down decoded lazily from
   embedded gzip+base64 JSON (DecompressionStream). No external library, no network. */
(function () {
  "use strict";

  var R = JSON.parse(document.getElementById("rk-data").textContent);
  var S = R.score;
  var SVGNS = "http://www.w3.org/2000/svg";
  var CLASS_COLORS = {
    rate_limited: "#e3a21a", server_error: "#d1495b", client_error: "#9c5bb5", timeout: "#3a86ff",
    connection: "#00a6a6", stream_cut: "#ef476f", stream_error: "#f4845f", malformed_body: "#7d8597",
    text_tool_call: "#6a4c93", invalid_json_args: "#c44536", empty_tool_calls: "#8ab17d",
    unknown_tool: "#e76f51", schema_violation: "#f4a261", wrong_tool: "#264653", missing_call: "#2a9d8f",
    extra_call: "#b5838d", wrong_args: "#e9c46a", wrong_order: "#457b9d"
  };
  var PALETTE = ["#2f6fde", "#d1495b", "#2a9d6f", "#e3a21a", "#6a4c93", "#00a6a6", "#f4845f", "#7d8597",
                 "#264653", "#b5838d", "#8ab17d", "#457b9d"];

  // ---------- small helpers ----------
  function h(tag, attrs) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    appendAll(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }
  function s(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    setAttrs(node, attrs);
    appendAll(node, Array.prototype.slice.call(arguments, 2));
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
  }
  function appendAll(node, children) {
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) appendAll(node, c);
      else node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function byId(id) { return document.getElementById(id); }
  function pct(v, digits) {
    if (v === null || v === undefined) return "–";
    return (100 * v).toFixed(digits === undefined ? 1 : digits) + "%";
  }
  function ms(v) {
    if (v === null || v === undefined) return "–";
    return v >= 1000 ? (v / 1000).toFixed(v >= 10000 ? 1 : 2) + " s" : Math.round(v) + " ms";
  }
  function usd(v) {
    if (v === null || v === undefined) return "–";
    if (v === 0) return "$0";
    if (v < 0.01) return "$" + v.toPrecision(2);
    return "$" + v.toFixed(2);
  }
  function title(text) { return s("title", { text: text }); }
  // A speed figure in the profile's time: rescaled (and marked ~) for runs recorded on a scaled simulator clock.
  function scaleOf(m) { return (m.config && m.config.time_scale) || null; }
  function sp(m, metric, key) {
    var v = m[metric][key || "p50"], f = scaleOf(m);
    if (v === null || v === undefined || !f) return v;
    return metric === "output_tps" ? v * f : v / f;
  }
  function spText(m, metric, key) {
    var v = sp(m, metric, key), none = v === null || v === undefined;
    var text = metric === "output_tps" ? (none ? "–" : String(Math.round(v))) : ms(v);
    return text + (scaleOf(m) && !none ? "~" : "");
  }
  function costText(m, key) { return m.cost_usd.attempts_priced ? usd(m.cost_usd[key || "per_sample"]) : "–"; }
  // the providers with the best value; several when they tie (a tie is never settled by name)
  function leaders(names, valueOf, best) {
    var vals = names.map(valueOf), top = best === "max" ? Math.max.apply(null, vals) : Math.min.apply(null, vals);
    return names.filter(function (p, i) { return vals[i] === top; }).sort();
  }
  function named(list) { return list.length === 1 ? list[0] : "tie: " + list.join(", "); }
  // cost axis labels in cents, with as many decimals as it takes for no two ticks to read the same
  function usdTicks(ticks) {
    if (!ticks.length || Math.max.apply(null, ticks) >= 0.01) return usd;
    for (var d = 0; d < 8; d++) {
      var labels = ticks.map(function (v) { return (v * 100).toFixed(d); });
      if (labels.every(function (l, i) { return labels.indexOf(l) === i; })) break;
    }
    return function (v) { return (v * 100).toFixed(d) + "¢"; };
  }
  function colorOf(name, i) { return CLASS_COLORS[name] || PALETTE[i % PALETTE.length]; }
  function pretty(text) {
    if (!text) return "";
    var t = text.trim();
    if (t[0] === "{" || t[0] === "[") {
      try { return JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* not JSON: as is */ }
    }
    return text;
  }

  var ranked = Object.keys(S.providers).sort(function (a, b) {
    var va = S.providers[a].success.value || 0, vb = S.providers[b].success.value || 0;
    return vb - va || (a < b ? -1 : a > b ? 1 : 0);
  });
  var providerColor = {};
  ranked.forEach(function (p, i) { providerColor[p] = PALETTE[i % PALETTE.length]; });

  // ---------- scales and axes ----------
  function niceTicks(lo, hi, count) {
    var span = hi - lo || 1, step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = span / count / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function logTicks(lo, hi) {
    var out = [];
    for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      [1, 2, 5].forEach(function (m) {
        var v = m * Math.pow(10, e);
        if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
      });
    }
    return out;
  }
  function scale(lo, hi, a, b, log) {
    if (log) {
      var l0 = Math.log10(lo), l1 = Math.log10(hi);
      return function (v) { return a + (Math.log10(Math.max(v, lo)) - l0) / (l1 - l0 || 1) * (b - a); };
    }
    return function (v) { return a + (v - lo) / (hi - lo || 1) * (b - a); };
  }

  // ---------- leaderboard ----------
  function ciBar(r) {
    var svg = s("svg", { width: 90, height: 12, "class": "ci" });
    if (!r || r.value === null) return svg;
    svg.appendChild(s("rect", { x: 0, y: 5, width: 90, height: 2, fill: "#eef1f4" }));
    svg.appendChild(s("rect", { x: 90 * r.low, y: 3, width: Math.max(1, 90 * (r.high - r.low)), height: 6,
                                rx: 2, fill: "#b9cdf5", "class": "mark" }));
    svg.appendChild(s("rect", { x: 90 * r.value - 1, y: 1, width: 2, height: 10, fill: "#2f6fde" }));
    return svg;
  }
  function passKCell(m) {
    // consistency across repetitions: all k repetitions of a scenario pass (docs/metrics.md)
    var pk = m.pass_k || {}, fl = m.flaky || {};
    if (pk.value === null || pk.value === undefined) return h("td", { text: "–" });
    return h("td", { title: "all " + pk.k + " repetitions pass: " + pct(pk.value) + " (" + pct(pk.low, 0) + "–" +
      pct(pk.high, 0) + ") over " + pk.scenarios + " scenarios; flaky: " + fl.count + " of " + fl.of +
      (fl.count ? " (" + fl.scenarios.slice(0, 5).join(", ") + (fl.count > 5 ? ", …" : "") + ")" : "") },
      pct(pk.value, 0));
  }
  function drawLeaderboard() {
    var table = clear(byId("board"));
    var passK = ranked.map(function (p) { return S.providers[p].pass_k || {}; })
      .filter(function (x) { return x.value !== null && x.value !== undefined; })[0];
    var cols = ["provider", "success (95% CI)", "", passK ? "pass^" + passK.k : "pass^k", "avail", "recall", "args",
                "schema", "failed", "p50", "p90", "TTFT", "tok/s", "$/sample", "$/correct", "samples"];
    table.appendChild(h("thead", null, h("tr", null, cols.map(function (c) { return h("th", { text: c }); }))));
    var body = h("tbody");
    ranked.forEach(function (name) {
      var m = S.providers[name], sig = (R.significance || {})[name] || {}, cfg = m.config || {};
      var sub = [cfg.quantization, cfg.mode && cfg.mode !== "native" ? cfg.mode + " mode" : null]
        .filter(Boolean).join(" · ");
      var r = m.success;
      var sigTitle = sig.p === null || sig.p === undefined ? "best provider"
        : "vs " + sig.best + ": " + (100 * sig.diff).toFixed(1) + " points, p = " + sig.p.toPrecision(2) +
          " (Holm-adjusted " + sig.p_holm.toPrecision(2) + ")";
      body.appendChild(h("tr", null,
        h("td", { "class": "prov" }, name, sub ? h("small", { text: sub }) : null),
        h("td", { title: sigTitle }, r.value === null ? "–" : pct(r.value) + " (" + pct(r.low, 0) + "–" +
          pct(r.high, 0) + ")", sig.significant ? h("span", { "class": "sig", text: " *" }) : null),
        h("td", null, ciBar(r)),
        passKCell(m),
        h("td", { text: pct(m.availability.value, 0) }),
        h("td", { text: pct(m.tool_recall.value, 0) }),
        h("td", { text: pct(m.param_accuracy.value, 0) }),
        h("td", { text: pct(m.schema_validity.value, 0) }),
        h("td", { text: pct(m.error_rate.value, 1) }),
        h("td", { text: spText(m, "latency_ms") }),
        h("td", { text: spText(m, "latency_ms", "p90") }),
        h("td", { text: spText(m, "ttft_ms") }),
        h("td", { text: spText(m, "output_tps") }),
        h("td", { text: costText(m) }),
        h("td", { text: costText(m, "per_success"), title: "cost per fully correct sample" }),
        h("td", { text: m.samples })));
    });
    table.appendChild(body);
    drawFigures();
  }
  function drawFigures() {
    var box = clear(byId("figures"));
    function figure(label, value, note) {
      box.appendChild(h("div", { "class": "figure" }, h("span", { text: label }), h("b", { text: value }),
                        h("span", { text: note })));
    }
    var P = S.providers;
    var best = leaders(ranked, function (p) { return P[p].success.value || 0; }, "max");
    figure("most successful", named(best), pct(P[best[0]].success.value) + " of samples fully correct");
    var timed = ranked.filter(function (p) { return P[p].latency_ms.p50 !== null; });
    if (timed.length && R.speeds_comparable) {
      var fast = leaders(timed, function (p) { return P[p].latency_ms.p50; });
      figure("fastest (median latency)", named(fast), spText(P[fast[0]], "latency_ms"));
    }
    var priced = ranked.filter(function (p) { return P[p].cost_usd.attempts_priced; });
    if (priced.length) {
      var cheap = leaders(priced, function (p) { return P[p].cost_usd.per_sample; });
      figure("cheapest per sample", named(cheap), costText(P[cheap[0]]));
    }
    var paid = priced.filter(function (p) { return P[p].cost_usd.per_success; });
    if (paid.length) {
      var right = leaders(paid, function (p) { return P[p].cost_usd.per_success; });
      figure("cheapest per fully correct answer", named(right), costText(P[right[0]], "per_success"));
    }
    var failing = ranked.filter(function (p) { return P[p].error_rate.value; });
    if (failing.length) {
      var worst = leaders(failing, function (p) { return P[p].error_rate.value; }, "max");
      figure("most failed attempts", named(worst), pct(P[worst[0]].error_rate.value) + " of attempts");
    }
  }

  // ---------- scatter: success against x ----------
  function drawScatter(id, xOf, xLabel, fmt, tickFmt) {
    var svg = clear(byId(id)), W = 560, H = 330, L = 52, T = 14, Rm = 24, B = 42;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var pts = ranked.map(function (p) { return { p: p, x: xOf(S.providers[p]), r: S.providers[p].success }; })
      .filter(function (d) { return d.x !== null && d.x !== undefined && d.r.value !== null; });
    var missing = ranked.filter(function (p) { return !pts.some(function (d) { return d.p === p; }); });
    if (!pts.length) { emptyChart(svg, W, H, "no data"); return; }
    var xs = pts.map(function (d) { return d.x; });
    var xmin = Math.min.apply(null, xs), xmax = Math.max.apply(null, xs);
    var log = xmin > 0 && xmax / xmin > 8;
    var lo = log ? xmin / 1.4 : Math.max(0, xmin - (xmax - xmin) * 0.15 - 1e-12);
    var hi = log ? xmax * 1.4 : xmax + (xmax - xmin) * 0.15 + (xmax === xmin ? Math.abs(xmax) * 0.2 + 1e-9 : 0);
    var ylo = Math.max(0, Math.floor(Math.min.apply(null, pts.map(function (d) { return d.r.low; })) * 10) / 10);
    if (ylo > 0.8) ylo = 0.8;
    var x = scale(lo, hi, L, W - Rm, log), y = scale(ylo, 1, H - B, T, false);
    var xt = log ? logTicks(lo, hi) : niceTicks(lo, hi, 5);
    axes(svg, x, y, xt, niceTicks(ylo, 1, 5), tickFmt ? tickFmt(xt) : fmt,
         function (v) { return Math.round(v * 100) + "%"; }, L, T, W - Rm, H - B);
    svg.appendChild(s("text", { x: (L + W - Rm) / 2, y: H - 6, "text-anchor": "middle", "class": "muted",
                                text: xLabel + (log ? " (log scale)" : "") }));
    svg.appendChild(s("text", { x: 12, y: (T + H - B) / 2, transform: "rotate(-90 12 " + (T + H - B) / 2 + ")",
                                "text-anchor": "middle", "class": "muted", text: "success" }));
    var boxes = pts.map(function (d) { return { x0: x(d.x) - 6, x1: x(d.x) + 6, y0: y(d.r.value) - 6,
                                                y1: y(d.r.value) + 6 }; });
    pts.sort(function (a, b) { return b.r.value - a.r.value; }).forEach(function (d) {
      var cx = x(d.x), cy = y(d.r.value), c = providerColor[d.p];
      var g = s("g", { "class": "point" }, title(d.p + ": success " + pct(d.r.value) + " [" + pct(d.r.low, 0) +
                "–" + pct(d.r.high, 0) + "], " + xLabel + " " + fmt(d.x)));
      g.appendChild(s("line", { x1: cx, x2: cx, y1: y(d.r.low), y2: y(d.r.high), stroke: c, "stroke-width": 2,
                                opacity: 0.45 }));
      g.appendChild(s("circle", { cx: cx, cy: cy, r: 5.5, fill: c, stroke: "#fff", "stroke-width": 1.5,
                                  "class": "mark" }));
      var spot = placeLabel(boxes, cx, cy, d.p.length * 6.6, W, T, H - B);
      g.appendChild(s("text", { x: spot.x, y: spot.y, "class": "label", "text-anchor": spot.anchor, text: d.p }));
      svg.appendChild(g);
    });
    if (missing.length) {
      svg.appendChild(s("text", { x: L + 6, y: H - B - 6, "class": "muted",
                                  text: "not shown (no value): " + missing.join(", ") }));
    }
  }
  function placeLabel(boxes, cx, cy, w, W, top, bottom) {
    // the first candidate spot around the point whose box hits no point or label drawn so far
    var tries = [[9, 4, "start"], [-9, 4, "end"], [-w / 2, -10, "middle"], [-w / 2, 17, "middle"]];
    for (var k = 1; k <= 6; k++) tries.push([9, 4 + 13 * k, "start"], [9, 4 - 13 * k, "start"],
                                            [-9, 4 + 13 * k, "end"], [-9, 4 - 13 * k, "end"]);
    for (var i = 0; i < tries.length; i++) {
      var t = tries[i], x0 = t[2] === "start" ? cx + t[0] : t[2] === "end" ? cx + t[0] - w : cx + t[0];
      var b = { x0: x0, x1: x0 + w, y0: cy + t[1] - 10, y1: cy + t[1] + 2 };
      if (b.x0 < 0 || b.x1 > W || b.y0 < top - 8 || b.y1 > bottom + 4) continue;
      if (boxes.some(function (o) { return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1; })) continue;
      boxes.push(b);
      return { x: t[2] === "middle" ? cx : cx + t[0], y: cy + t[1], anchor: t[2] };
    }
    return { x: cx + 9, y: cy + 4, anchor: "start" };
  }
  function axes(svg, x, y, xt, yt, fx, fy, x0, y0, x1, y1) {
    var grid = s("g", { "class": "grid" }), ax = s("g", { "class": "axis" });
    yt.forEach(function (v) {
      grid.appendChild(s("line", { x1: x0, x2: x1, y1: y(v), y2: y(v) }));
      ax.appendChild(s("text", { x: x0 - 6, y: y(v) + 4, "text-anchor": "end", text: fy(v) }));
    });
    xt.forEach(function (v) {
      grid.appendChild(s("line", { x1: x(v), x2: x(v), y1: y0, y2: y1 }));
      ax.appendChild(s("text", { x: x(v), y: y1 + 15, "text-anchor": "middle", text: fx(v) }));
    });
    ax.appendChild(s("line", { x1: x0, x2: x1, y1: y1, y2: y1 }));
    ax.appendChild(s("line", { x1: x0, x2: x0, y1: y0, y2: y1 }));
    svg.appendChild(grid);
    svg.appendChild(ax);
  }
  function emptyChart(svg, W, H, text) {
    svg.setAttribute("viewBox", "0 0 " + W + " " + Math.min(H, 60));
    svg.setAttribute("data-empty", "1");
    svg.appendChild(s("text", { x: 10, y: 30, "class": "muted", text: text }));
  }

  // ---------- stacked bars by class ----------
  function drawStacked(id, ratesOf, emptyText) {
    var svg = clear(byId(id)), W = 560, L = 140, Rm = 56, rowH = 24, legendH = 0;
    var classes = {};
    ranked.forEach(function (p) {
      var r = ratesOf(S.providers[p], p);
      Object.keys(r).forEach(function (c) { if (r[c] && r[c].value) classes[c] = true; });
    });
    var names = Object.keys(classes).sort();
    if (!names.length) { emptyChart(svg, W, 60, emptyText); return; }
    var legend = s("g");
    var lx = 0, ly = 10;
    names.forEach(function (c, i) {
      var wid = c.length * 6.4 + 26;
      if (lx + wid > W) { lx = 0; ly += 16; }
      legend.appendChild(s("rect", { x: lx, y: ly - 8, width: 10, height: 10, fill: colorOf(c, i) }));
      legend.appendChild(s("text", { x: lx + 14, y: ly + 1, text: c }));
      lx += wid;
    });
    legendH = ly + 12;
    svg.appendChild(legend);
    var totals = ranked.map(function (p) {
      var r = ratesOf(S.providers[p], p);
      return names.reduce(function (a, c) { return a + ((r[c] && r[c].value) || 0); }, 0);
    });
    var max = Math.max.apply(null, totals) || 1;
    var x = scale(0, max, L, W - Rm, false);
    ranked.forEach(function (p, i) {
      var r = ratesOf(S.providers[p], p), y0 = legendH + 6 + i * rowH, acc = 0;
      svg.appendChild(s("text", { x: L - 8, y: y0 + 15, "text-anchor": "end", text: p }));
      svg.appendChild(s("rect", { x: L, y: y0 + 4, width: W - Rm - L, height: rowH - 8, fill: "#f6f8fa" }));
      names.forEach(function (c, j) {
        var v = (r[c] && r[c].value) || 0;
        if (!v) return;
        svg.appendChild(s("rect", { x: x(acc), y: y0 + 4, width: Math.max(1, x(acc + v) - x(acc)),
                                    height: rowH - 8, fill: colorOf(c, j), "class": "mark" },
                          title(p + " · " + c + ": " + pct(v) + " (n=" + r[c].n + ")")));
        acc += v;
      });
      svg.appendChild(s("text", { x: x(acc) + 5, y: y0 + 15, "class": "muted", text: pct(acc) }));
    });
    var H = legendH + 12 + ranked.length * rowH;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  }

  function drawCauses() {
    var counts = {};
    rows.forEach(function (r) {
      var c = counts[r.provider] = counts[r.provider] || { n: 0 };
      c.n++;
      if (r.cause) c[r.cause] = (c[r.cause] || 0) + 1;
    });
    byId("faults-caption").textContent = "Why samples are not fully correct (share of samples: no usable " +
      "answer by the error class of the last attempt, wrong answers by their first fault)";
    drawStacked("chart-faults", function (m, p) {
      var c = counts[p] || { n: 0 }, out = {};
      Object.keys(c).forEach(function (k) { if (k !== "n") out[k] = { value: c[k] / c.n, n: c.n }; });
      return out;
    }, "Every sample is fully correct.");
  }

  // ---------- heatmap: rows × providers ----------
  function heatColor(v) {
    if (v === null || v === undefined) return "#f0f2f4";
    var stops = [[0, [209, 73, 91]], [0.75, [244, 200, 94]], [1, [42, 157, 111]]];
    for (var i = 1; i < stops.length; i++) {
      if (v <= stops[i][0]) {
        var a = stops[i - 1], b = stops[i], t = (v - a[0]) / (b[0] - a[0]);
        return "rgb(" + a[1].map(function (c, k) { return Math.round(c + (b[1][k] - c) * t); }).join(",") + ")";
      }
    }
    return "rgb(42,157,111)";
  }
  function drawHeatmap(id, rows, cellOf) {
    var svg = clear(byId(id));
    if (!rows.length) { emptyChart(svg, 560, 60, "no data"); return; }
    var L = 150, T = 90, cw = Math.max(34, Math.min(70, 410 / ranked.length)), ch = 18;
    var W = L + cw * ranked.length + 70, H = T + ch * rows.length + 4;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.style.maxWidth = W * 1.15 + "px";
    ranked.forEach(function (p, j) {
      var cx = L + j * cw + cw / 2;
      svg.appendChild(s("text", { x: cx, y: T - 6, transform: "rotate(-40 " + cx + " " + (T - 6) + ")", text: p }));
    });
    rows.forEach(function (row, i) {
      var y0 = T + i * ch;
      svg.appendChild(s("text", { x: L - 6, y: y0 + 13, "text-anchor": "end",
                                  text: row + (row === "no_call" && R.recall_by_category ? " *" : "") }));
      ranked.forEach(function (p, j) {
        var cell = cellOf(p, row);
        var v = cell ? cell.value : null;
        svg.appendChild(s("rect", { x: L + j * cw + 1, y: y0 + 1, width: cw - 2, height: ch - 2, fill: heatColor(v),
                                    "class": v === null ? "" : "mark" },
                          title(p + " · " + row + ": " + (v === null ? "no data" : pct(v) + " (n=" + cell.n + ")"))));
        if (v !== null) {
          svg.appendChild(s("text", { x: L + j * cw + cw / 2, y: y0 + 13, "text-anchor": "middle",
                                      fill: v < 0.45 ? "#fff" : "#1d2330", "font-size": "10px",
                                      text: Math.round(v * 100) }));
        }
      });
    });
  }
  function rowsByWorst(keysOf, valueOf) {
    var keys = {};
    ranked.forEach(function (p) { keysOf(p).forEach(function (k) { keys[k] = true; }); });
    return Object.keys(keys).map(function (k) {
      var vals = ranked.map(function (p) { var c = valueOf(p, k); return c ? c.value : null; })
        .filter(function (v) { return v !== null; });
      var mean = vals.length ? vals.reduce(function (a, b) { return a + b; }, 0) / vals.length : 2;
      return { k: k, mean: mean };
    }).sort(function (a, b) { return a.mean - b.mean || (a.k < b.k ? -1 : 1); }).map(function (d) { return d.k; });
  }
  var MAX_TOOL_ROWS = 40;
  function drawRecall() {
    var toolOf = function (p, t) { return S.providers[p].by_tool[t] || null; };
    var tools = rowsByWorst(function (p) { return Object.keys(S.providers[p].by_tool); }, toolOf);
    drawHeatmap("chart-tools", tools.slice(0, MAX_TOOL_ROWS), toolOf);
    if (tools.length > MAX_TOOL_ROWS) {
      byId("tools-caption").textContent = "Recall by expected tool: the " + MAX_TOOL_ROWS + " worst of " +
        tools.length + " tools";
    }
    var byCat = R.recall_by_category;
    var catOf;
    if (byCat) {
      byId("categories-caption").textContent = "Recall by scenario category (* no_call: answered without a call)";
      catOf = function (p, c) {
        var kn = (byCat[p] || {})[c];
        return kn && kn[1] ? { value: kn[0] / kn[1], n: kn[1] } : null;
      };
    } else {
      byId("categories-caption").textContent = "Success by scenario category";
      catOf = function (p, c) { return S.providers[p].by_category[c] || null; };
    }
    var cats = {};
    ranked.forEach(function (p) { Object.keys(S.providers[p].by_category).forEach(function (c) { cats[c] = 1; }); });
    drawHeatmap("chart-categories", Object.keys(cats).sort(), catOf);
  }

  // ---------- what to read first: partial runs, samples left out, scaled speeds ----------
  function drawNotes() {
    var box = byId("notes"), notes = R.notes || [];
    if (!notes.length) return;
    box.hidden = false;
    clear(box).appendChild(h("b", { text: S.run.partial ? "Partial run. Read first:" : "Read first:" }));
    box.appendChild(h("ul", null, notes.map(function (n) { return h("li", { text: n }); })));
  }

  // ---------- success by scenario × provider ----------
  function drawMatrix() {
    var cells = {};
    (S.scenarios || []).forEach(function (row) { cells[row.id] = row.success || {}; });
    var cellOf = function (p, sid) {
      var kn = (cells[sid] || {})[p];
      return kn && kn.n ? { value: kn.k / kn.n, n: kn.n } : null;
    };
    var ids = rowsByWorst(function () { return Object.keys(cells); }, cellOf);
    drawHeatmap("chart-matrix", ids, cellOf);
    byId("matrix-caption").textContent = "Share of samples fully correct, per scenario (rows, worst first) and " +
      "provider (" + ids.length + " scenarios)";
  }

  // ---------- failed attempts over time ----------
  function drawErrorsOverTime(data) {
    var svg = clear(byId("chart-errors-time")), W = 560, L = 140, Rm = 16, rowH = 26, T = 4;
    var names = ranked.filter(function (p) { return data && data.providers[p]; });
    if (!names.length) { emptyChart(svg, W, 60, "no attempt start times recorded"); return; }
    var bins = data.bins, span = data.span_s, bw = (W - Rm - L) / bins, H = T + names.length * rowH + 24;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    names.forEach(function (p, i) {
      var y0 = T + i * rowH, series = data.providers[p];
      svg.appendChild(s("text", { x: L - 8, y: y0 + rowH - 9, "text-anchor": "end", text: p }));
      svg.appendChild(s("rect", { x: L, y: y0 + 3, width: W - Rm - L, height: rowH - 6, fill: "#f6f8fa" }));
      series.forEach(function (kn, b) {
        var n = kn[0], k = kn[1];
        if (!n) return;
        var hgt = Math.max(k ? 1.5 : 0, (rowH - 6) * k / n);
        var t0 = (b * span / bins).toFixed(1), t1 = ((b + 1) * span / bins).toFixed(1);
        svg.appendChild(s("rect", { x: L + b * bw, y: y0 + rowH - 3 - hgt, width: Math.max(1, bw - 0.5), height: hgt,
                                    fill: "#d1495b", "class": "mark" },
                          title(p + " · " + t0 + "–" + t1 + " s: " + k + " of " + n + " attempts failed")));
      });
    });
    var ax = s("g", { "class": "axis" });
    niceTicks(0, span, 6).forEach(function (v) {
      ax.appendChild(s("text", { x: L + v / (span || 1) * (W - Rm - L), y: H - 8, "text-anchor": "middle",
                                 text: v + " s" }));
    });
    svg.appendChild(ax);
  }

  // ---------- agreement with a reference provider (replay scenarios; report/agreement.py) ----------
  function drawAgreement() {
    var A = R.agreement;
    if (!A) return;
    byId("agreement").hidden = false;
    byId("nav-agreement").hidden = false;
    byId("agreement-note").textContent = A.note;
    var table = clear(byId("agreement-table"));
    table.appendChild(h("thead", null, h("tr", null, h("th", { text: "provider" }),
      A.columns.map(function (c) { return h("th", { text: c[0] + " %" }); }))));
    var body = h("tbody");
    ranked.forEach(function (p) {
      var m = S.providers[p];
      if (!m.trigger_f1 || !m.trigger_f1.n) return;
      body.appendChild(h("tr", { "data-provider": p }, h("td", { "class": "prov", text: p }),
        A.columns.map(function (c) {
          var r = c[1].reduce(function (o, k) { return o ? o[k] : null; }, m);
          if (!r || r.value === null || r.value === undefined) return h("td", { text: "–" });
          return h("td", { title: pct(r.value) + " [" + pct(r.low) + "–" + pct(r.high) + "], n = " + r.n,
                           text: (100 * r.value).toFixed(0) + " (" + (100 * r.low).toFixed(0) + "–" +
                                 (100 * r.high).toFixed(0) + ")" });
        })));
    });
    table.appendChild(body);
  }

  // ---------- load sweep: rates against context length and tool count (S.sweep, as `replaykit sweep`) ----------
  var SWEEP_AXES = [["context_tokens", "context length (tokens)"], ["tools", "tools offered"]];
  var SWEEP_METRICS = [["success", "success"], ["schema_validity", "schema validity"],
                       ["text_calls", "calls leaked as text"]];
  function loadLabel(axis, v) {
    return axis === "context_tokens" && v >= 1000 && v % 1000 === 0 ? v / 1000 + "k" : String(v);
  }
  function drawSweep() {
    var sweep = S.sweep;
    if (!sweep) return;
    byId("sweep").hidden = false;
    byId("nav-sweep").hidden = false;
    var names = ranked.filter(function (p) {
      return SWEEP_AXES.some(function (a) { return sweep[a[0]] && sweep[a[0]][p]; });
    });
    var legend = clear(byId("sweep-legend"));
    names.forEach(function (p) {
      legend.appendChild(h("span", null, h("i", { style: "background:" + providerColor[p] }), p));
    });
    var box = clear(byId("sweep-charts"));
    SWEEP_AXES.forEach(function (axis) {
      SWEEP_METRICS.forEach(function (metric) {
        var svg = s("svg", { "class": "chart sweep", role: "img", "data-axis": axis[0], "data-metric": metric[0],
                             "aria-label": metric[1] + " against " + axis[1] });
        box.appendChild(h("figure", null, h("figcaption", { text: metric[1] + " by " + axis[1] }), svg));
        drawSweepChart(svg, sweep[axis[0]] || {}, names, axis, metric);
      });
    });
  }
  function drawSweepChart(svg, byProvider, names, axis, metric) {
    // levels evenly spaced (they are usually a geometric series: 2k, 8k, 32k); one line per provider, each
    // point's interval as a whisker, providers shifted a little apart so that whiskers don't hide each other
    var W = 380, H = 240, L = 44, T = 10, Rm = 12, B = 38;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var seen = {};
    names.forEach(function (p) { Object.keys(byProvider[p] || {}).forEach(function (l) { seen[l] = +l; }); });
    var levels = Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
    if (!levels.length) { emptyChart(svg, W, H, "no stress variant on this axis"); return; }
    var step = (W - Rm - L) / levels.length;
    var x = function (i) { return L + step * (i + 0.5); }, y = scale(0, 1, H - B, T, false);
    axes(svg, x, y, levels.map(function (_, i) { return i; }), niceTicks(0, 1, 5),
         function (i) { return loadLabel(axis[0], levels[i]); }, function (v) { return Math.round(v * 100) + "%"; },
         L, T, W - Rm, H - B);
    svg.appendChild(s("text", { x: (L + W - Rm) / 2, y: H - 6, "text-anchor": "middle", "class": "muted",
                                text: axis[1] }));
    var spread = Math.min(7, step * 0.5 / Math.max(1, names.length));
    names.forEach(function (p, j) {
      var rows = byProvider[p] || {}, c = providerColor[p], dx = (j - (names.length - 1) / 2) * spread;
      var g = s("g", { "class": "series", "data-provider": p }), line = [];
      levels.forEach(function (level, i) {
        var r = (rows[String(level)] || {})[metric[0]];
        if (!r || r.value === null || r.value === undefined) return;
        var cx = x(i) + dx, cy = y(r.value);
        line.push(cx.toFixed(1) + "," + cy.toFixed(1));
        var pt = s("g", { "class": "point", "data-level": level, "data-value": r.value, "data-low": r.low,
                          "data-high": r.high, "data-n": r.n },
                   title(p + " · " + loadLabel(axis[0], level) + " " + (axis[0] === "tools" ? "tools" : "tokens") +
                         ": " + metric[1] + " " + pct(r.value) + " [" + pct(r.low) + "–" + pct(r.high) + "], n = " + r.n));
        pt.appendChild(s("line", { x1: cx, x2: cx, y1: y(r.low), y2: y(r.high), stroke: c, "stroke-width": 2,
                                   opacity: 0.45 }));
        pt.appendChild(s("circle", { cx: cx, cy: cy, r: 4, fill: c, stroke: "#fff", "stroke-width": 1.2,
                                     "class": "mark" }));
        g.appendChild(pt);
      });
      if (line.length > 1) {
        g.insertBefore(s("polyline", { points: line.join(" "), fill: "none", stroke: c, "stroke-width": 1.6 }),
                       g.firstChild);
      }
      svg.appendChild(g);
    });
  }

  // ---------- distributions ----------
  function drawDistribution(id, metric) {
    var svg = clear(byId(id)), W = 560, L = 140, Rm = 16, rowH = 30, T = 6;
    var hist = R.timing ? R.timing[metric] : null;
    var withData = ranked.filter(function (p) { return S.providers[p][metric].n; });
    if (!withData.length) { emptyChart(svg, W, 60, "no successful attempts with this timing"); return; }
    var lo, hi;
    if (hist && hist.edges.length) { lo = hist.edges[0]; hi = hist.edges[hist.edges.length - 1]; }
    else {
      lo = Math.min.apply(null, withData.map(function (p) { return S.providers[p][metric].p50; })) / 1.5;
      hi = Math.max.apply(null, withData.map(function (p) { return S.providers[p][metric].p99; })) * 1.5;
    }
    lo = Math.max(lo, 0.1);
    var x = scale(lo, hi, L, W - Rm, true), H = T + withData.length * rowH + 26;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var grid = s("g", { "class": "grid" }), ax = s("g", { "class": "axis" });
    logTicks(lo, hi).forEach(function (v) {
      grid.appendChild(s("line", { x1: x(v), x2: x(v), y1: T, y2: H - 22 }));
      ax.appendChild(s("text", { x: x(v), y: H - 8, "text-anchor": "middle", text: ms(v).replace(" ", "") }));
    });
    svg.appendChild(grid);
    svg.appendChild(ax);
    withData.forEach(function (p, i) {
      var y0 = T + i * rowH, m = S.providers[p][metric], c = providerColor[p];
      if (scaleOf(S.providers[p])) m = { p50: sp(S.providers[p], metric, "p50") };
      svg.appendChild(s("text", { x: L - 8, y: y0 + rowH - 10, "text-anchor": "end", text: p }));
      var counts = hist && hist.counts[p];
      if (counts) {
        var peak = Math.max.apply(null, counts) || 1;
        counts.forEach(function (n, b) {
          if (!n) return;
          var x0 = x(hist.edges[b]), x1 = x(hist.edges[b + 1]), hgt = (rowH - 6) * n / peak;
          svg.appendChild(s("rect", { x: x0, y: y0 + rowH - 4 - hgt, width: Math.max(1, x1 - x0 - 0.5), height: hgt,
                                      fill: c, opacity: 0.75, "class": "mark" },
                            title(p + ": " + n + " attempts in " + ms(hist.edges[b]) + "–" + ms(hist.edges[b + 1]))));
        });
      } else {
        svg.appendChild(s("line", { x1: x(m.p50), x2: x(m.p99), y1: y0 + rowH / 2, y2: y0 + rowH / 2, stroke: c,
                                    "stroke-width": 2 }));
        [m.p50, m.p90, m.p99].forEach(function (v, k) {
          svg.appendChild(s("circle", { cx: x(v), cy: y0 + rowH / 2, r: 4 - k, fill: c, "class": "mark" },
                            title(p + " p" + [50, 90, 99][k] + ": " + ms(v))));
        });
      }
      svg.appendChild(s("line", { x1: x(m.p50), x2: x(m.p50), y1: y0 + 2, y2: y0 + rowH - 2, stroke: "#1d2330",
                                  "stroke-width": 1.5 }, title(p + " median " + ms(m.p50) + ", p90 " + ms(m.p90) +
                                  ", p99 " + ms(m.p99) + " (n=" + m.n + ")")));
      svg.appendChild(s("line", { x1: L, x2: W - Rm, y1: y0 + rowH - 4, y2: y0 + rowH - 4, stroke: "#d5dbe2" }));
    });
  }

  // ---------- run metadata ----------
  function drawRun() {
    var box = clear(byId("run-meta"));
    var runs = (R.samples_meta && R.samples_meta.runs) || S.run.ids.map(function (id) { return { id: id }; });
    var rcols = [["run", "id"], ["started", "started_at"], ["ended", "ended_at"], ["status", "status"],
                 ["recorded with", "replaykit_version"], ["repeat", function (r) { return (r.params || {}).repeat; }],
                 ["seed", function (r) { return (r.params || {}).seed; }], ["scenarios", "scenarios"],
                 ["scenarios.json", "scenarios_file"], ["cassettes", "cassettes"],
                 ["cassette hashes (digest of run.json's list)", "cassettes_digest"]];
    box.appendChild(fieldTable(rcols, runs));
    box.appendChild(h("p", { "class": "note", text: "Scored with replaykit " + S.run.scored_with +
      "; recorded with " + S.run.recorded_with.join(", ") + ". Each sample's cassette path and sha256 are in " +
      "its drill-down." }));
    var provs = ranked.map(function (p) {
      var c = S.providers[p].config || {}, price = c.price || {};
      return { name: p, model: c.model, precision: c.quantization, mode: c.mode,
               stream: c.stream === undefined ? null : String(c.stream),
               price: price.input_per_mtok === undefined ? null :
                 "$" + price.input_per_mtok + " in / $" + price.output_per_mtok + " out per Mtok",
               routing: c.routing ? JSON.stringify(c.routing) : null, policy: c.data_policy };
    });
    box.appendChild(h("h3", { text: "Providers" }));
    box.appendChild(metaTable([["provider", "name"], ["model", "model"], ["precision", "precision"],
                               ["mode", "mode"], ["stream", "stream"], ["price", "price"], ["routing", "routing"],
                               ["data policy", "policy"]], provs));
  }
  function fieldTable(fields, items) {  // one row per field, one column per item
    return h("div", { "class": "scroll" }, h("table", { "class": "meta fields" },
      h("tbody", null, fields.map(function (f) {
        return h("tr", null, h("th", { text: f[0] }), items.map(function (it) {
          var v = typeof f[1] === "function" ? f[1](it) : it[f[1]];
          return h("td", { text: v === null || v === undefined ? "–" : String(v) });
        }));
      }))));
  }
  function metaTable(cols, rows) {
    return h("div", { "class": "scroll" }, h("table", { "class": "meta" },
      h("thead", null, h("tr", null, cols.map(function (c) { return h("th", { text: c[0] }); }))),
      h("tbody", null, rows.map(function (r) {
        return h("tr", null, cols.map(function (c) {
          var v = typeof c[1] === "function" ? c[1](r) : r[c[1]];
          return h("td", { text: v === null || v === undefined ? "–" : String(v) });
        }));
      }))));
  }

  // ---------- embedded data ----------
  function b64bytes(text) {
    var bin = atob(text.replace(/\s+/g, "")), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function inflate(id) {
    var node = byId(id);
    if (!node) return Promise.reject(new Error("missing embedded data " + id));
    var stream = new Blob([b64bytes(node.textContent)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }
  var chunkCache = {};
  function chunk(i) {
    if (!chunkCache[i]) chunkCache[i] = inflate("rk-chunk-" + i);
    return chunkCache[i];
  }
  function detailOf(row) {
    return chunk(row.chunk).then(function (c) { return { d: c.samples[row.pos], bodies: c.bodies }; });
  }

  // ---------- virtual list ----------
  function VList(el, rowH, renderRow) {
    this.el = el; this.rowH = rowH; this.renderRow = renderRow; this.items = [];
    this.space = el.querySelector(".vspace"); this.rows = el.querySelector(".vrows");
    this.maxH = el.classList.contains("short") ? 300 : 440;
    var self = this, pending = false;
    el.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; self.paint(); });
    });
  }
  VList.prototype.set = function (items) {
    this.items = items;
    this.space.style.height = items.length * this.rowH + "px";
    this.el.style.height = Math.max(2 * this.rowH, Math.min(this.maxH, items.length * this.rowH + 2)) + "px";
    this.el.scrollTop = 0;
    this.paint();
  };
  VList.prototype.paint = function () {
    var first = Math.max(0, Math.floor(this.el.scrollTop / this.rowH) - 4);
    var last = Math.min(this.items.length, first + Math.ceil((this.el.clientHeight || 440) / this.rowH) + 8);
    clear(this.rows);
    this.rows.style.transform = "translateY(" + first * this.rowH + "px)";
    for (var i = first; i < last; i++) this.rows.appendChild(this.renderRow(this.items[i], i));
    if (!this.items.length) this.rows.appendChild(h("div", { "class": "empty", text: "nothing to show" }));
  };

  // ---------- samples ----------
  var rows = [], runsMeta = [], scenarios = {}, multiRun = false;
  var state = { filter: "all", provider: "", search: "", selected: null };
  var sampleList, diffList;

  function sourceOf(r) { return multiRun ? runsMeta[r.run].id + " · " + r.provider : r.provider; }
  function outcome(r) {
    if (r.success) return h("span", { "class": "ok", title: "fully correct", text: "✓" });
    if (!r.usable) return h("span", { "class": "err", title: "no usable answer (errors)", text: "!" });
    return h("span", { "class": "no", title: "wrong answer", text: "✗" });
  }
  function chips(r) {
    return [r.errors.map(function (e) { return h("span", { "class": "chip e", text: e }); }),
            r.faults.map(function (f) { return h("span", { "class": "chip f", text: f }); })];
  }
  var HEAD = ["", "provider", "scenario", "rep", "category", "errors / faults", "latency", "tries", "cost"];
  function sampleRow(r) {
    return h("div", { "class": "vrow" + (state.selected === r ? " sel" : ""), role: "row",
                      "data-i": r.i, onclick: function () { select(r); } },
      outcome(r), h("span", { text: sourceOf(r), title: sourceOf(r) }),
      h("span", { text: r.scenario, title: r.scenario }), h("span", { "class": "num", text: r.rep }),
      h("span", { text: r.category }), h("span", null, chips(r)),
      h("span", { "class": "num", text: ms(r.latency_ms) }), h("span", { "class": "num", text: r.attempts }),
      h("span", { "class": "num", text: r.cost_usd ? usd(r.cost_usd) : "–" }));
  }
  function header(id, cols) {
    appendAll(clear(byId(id)), cols.map(function (c) { return h("span", { text: c }); }));
  }
  function markDifferent() {
    var groups = {};
    rows.forEach(function (r) {
      var k = r.scenario + "\u0000" + r.rep;
      (groups[k] = groups[k] || []).push(r);
    });
    Object.keys(groups).forEach(function (k) {
      var g = groups[k], seen = {};
      g.forEach(function (r) { seen[r.success + ":" + r.sig] = 1; });
      var differs = g.length > 1 && Object.keys(seen).length > 1;
      g.forEach(function (r) { r.different = differs; });
    });
  }
  function matches(r) {
    if (state.provider && sourceOf(r) !== state.provider) return false;
    if (state.filter === "failures" && r.success) return false;
    if (state.filter === "errors" && !r.errors.length) return false;
    if (state.filter === "different" && !r.different) return false;
    if (state.search) {
      var hay = (r.scenario + " " + r.category + " " + r.provider + " " + r.errors.join(" ") + " " +
                 r.faults.join(" ") + " " + ((scenarios[r.scenario] || {}).tools || []).join(" ")).toLowerCase();
      if (hay.indexOf(state.search) < 0) return false;
    }
    return true;
  }
  function refresh() {
    var shown = rows.filter(matches);
    sampleList.set(shown);
    byId("sample-count").textContent = "showing " + shown.length + " of " + rows.length + " samples";
  }
  function select(r) {
    state.selected = r;
    sampleList.paint();
    var box = clear(byId("detail"));
    box.appendChild(h("div", { "class": "card", text: "loading…" }));
    detailOf(r).then(function (x) {
      clear(box).appendChild(detailCard(r, x.d, x.bodies));
      box.scrollIntoView({ block: "nearest" });
    }).catch(showProblem);
  }
  function setupSamples(index) {
    runsMeta = index.runs; scenarios = index.scenarios; multiRun = runsMeta.length > 1;
    var cols = index.columns;
    rows = index.rows.map(function (a, i) {
      var r = { i: i };
      cols.forEach(function (c, j) { r[c] = a[j]; });
      return r;
    });
    markDifferent();
    header("sample-head", HEAD);
    sampleList = new VList(byId("sample-list"), 28, sampleRow);
    var sources = {};
    rows.forEach(function (r) { sources[sourceOf(r)] = 1; });
    var sel = byId("provider-filter");
    Object.keys(sources).sort().forEach(function (p) { sel.appendChild(h("option", { value: p, text: p })); });
    sel.addEventListener("change", function () { state.provider = sel.value; refresh(); });
    byId("search").addEventListener("input", function (e) { state.search = e.target.value.trim().toLowerCase(); refresh(); });
    Array.prototype.forEach.call(document.querySelectorAll(".filters button"), function (b) {
      b.addEventListener("click", function () {
        state.filter = b.getAttribute("data-filter");
        Array.prototype.forEach.call(document.querySelectorAll(".filters button"), function (o) {
          o.setAttribute("aria-pressed", String(o === b));
        });
        refresh();
      });
    });
    refresh();
    setupDiff(Object.keys(sources));
  }

  // ---------- one sample in detail ----------
  function detailCard(r, d, bodies) {
    var sc = scenarios[r.scenario] || {};
    var verdict = r.success ? "fully correct" : r.usable ? "wrong answer" : "no usable answer";
    var card = h("div", { "class": "card" },
      h("h3", null, outcome(r), " ", sourceOf(r), " · ", r.scenario, " · repetition ", String(r.rep)),
      h("div", { "class": "kv" }, verdict + " · " + r.category + " · " + r.attempts + " attempt(s) · calls matched " +
        r.matched + "/" + r.expected + (sc.description ? " · " + sc.description : "")),
      sc.prompt ? h("div", { "class": "prompt", text: sc.prompt }) : null,
      h("div", { "class": "kv" }, "cassette " + d.cassette + " · sha256 " + (d.sha256 || "?").replace("sha256:", "") +
        (d.manifest_sha256 ? (d.manifest_sha256 === d.sha256 ? " ✓ matches run.json" : " ✗ run.json says " +
          d.manifest_sha256) : " (not listed in run.json)")));
    var expected = sc.expected || [];
    var nsteps = Math.max(expected.length, d.steps.length);
    for (var i = 0; i < nsteps; i++) card.appendChild(stepView(i, expected[i], d.steps[i], nsteps > 1));
    if (!d.steps.length) {
      card.appendChild(h("p", { "class": "note", text: "No usable answer: every attempt of a turn failed. " +
        "The attempts below show what came back." }));
    }
    card.appendChild(h("h3", { text: "Attempts" }));
    card.appendChild(attemptsView(d.attempts, bodies));
    return card;
  }
  function show(v) { return v === undefined ? "" : JSON.stringify(v); }
  var MATCHER_KEYS = ["one_of", "regex", "range", "approx", "contains", "any", "optional", "type", "equals",
                      "example", "unordered", "items", "ignore_case", "tolerance", "min", "max"];
  function showMatcher(m) {
    // a matcher as written ({regex: ..., optional: true}) in words; literal values as JSON
    if (!m || typeof m !== "object" || Array.isArray(m)) return show(m);
    var keys = Object.keys(m);
    if (!keys.length || keys.some(function (k) { return MATCHER_KEYS.indexOf(k) < 0; })) return show(m);
    var parts = keys.filter(function (k) { return k !== "example"; }).map(function (k) {
      return m[k] === true ? k : k + " " + (k === "regex" ? "/" + m[k] + "/" : show(m[k]));
    });
    if ("example" in m) parts.push("e.g. " + show(m.example));
    return parts.join(" · ");
  }
  function stepView(i, exp, step, many) {
    var box = h("div");
    var head = (many ? "Step " + (i + 1) : "Answer");
    if (!step || !step.answered) {
      box.appendChild(h("h3", { text: head + (step ? " — never reached (the model stopped earlier)" : "") }));
      if (exp) box.appendChild(callsTable(exp, null));
      return box;
    }
    box.appendChild(h("h3", null, head + " ", h("span", { "class": step.correct ? "ok" : "no",
      text: step.correct ? "✓ correct" : "✗ wrong" }), " ", step.faults.map(function (f) {
        return h("span", { "class": "chip f", text: f }); }),
      step.finish_reason ? h("span", { "class": "kv", text: " finish_reason: " + step.finish_reason }) : null));
    textCalls = step.text_calls || [];
    box.appendChild(callsTable(exp || { calls: [] }, step));
    textCalls = [];
    if (step.text) box.appendChild(h("div", { "class": "kv" }, "text: ", h("code", { text: step.text })));
    (step.text_calls || []).forEach(function (c) {
      box.appendChild(h("div", { "class": "kv" }, "written as text, not as a tool call (no agent would run it): ",
        h("code", { text: c.name + " " + c.raw_arguments })));
    });
    return box;
  }
  function callsTable(exp, step) {
    var table = h("table", { "class": "calls" }, h("colgroup", null, h("col", { style: "width:18%" }),
      h("col", { style: "width:41%" }), h("col", { style: "width:41%" })),
      h("thead", null, h("tr", null, h("th", { text: "" }),
        h("th", { text: "expected" + (exp.order === "strict" ? " (in order)" : "") }), h("th", { text: "returned" }))));
    var body = h("tbody");
    var calls = (step && step.calls) || [], used = {};
    var verdicts = (step && step.verdicts) || (exp.calls || []).map(function (_, k) { return { expected: k, returned: null, failures: [] }; });
    verdicts.forEach(function (v) {
      var e = (exp.calls || [])[v.expected] || {}, c = v.returned === null ? null : calls[v.returned];
      if (v.returned !== null) used[v.returned] = true;
      pairRows(body, e, c, v.failures, step ? (step.schema_problems || [])[v.returned] : null, !!step);
    });
    calls.forEach(function (c, j) {
      if (!used[j]) pairRows(body, null, c, [], step ? (step.schema_problems || [])[j] : null, true);
    });
    if (!verdicts.length && !calls.length) {
      body.appendChild(h("tr", null, h("td"), h("td", { text: "no call" }), h("td", { text: "no call" })));
    }
    table.appendChild(body);
    return table;
  }
  var textCalls = [];  // the step being drawn: its calls written as text
  function textCall(name) { return textCalls.some(function (c) { return c.name === name; }); }
  function pairRows(body, e, c, failures, schemaProblem, answered) {
    var bad = {};
    (failures || []).forEach(function (f) { bad[f[0]] = f[1]; });
    var nameBad = !e || !c;
    body.appendChild(h("tr", { "class": "name" }, h("td", { text: "tool" }),
      h("td", { "class": e ? (c ? "" : "miss") : "bad", text: e ? e.name : "— not expected —" }),
      h("td", { "class": c ? (e ? "" : "bad") : "miss",
                text: c ? c.name : (answered ? (e && textCall(e.name) ? "— written as text —" : "— missing —") : "—") },
        nameBad && e && answered ? h("span", { "class": "why", text: "expected call not returned" }) : null,
        nameBad && c ? h("span", { "class": "why", text: "a call beyond the expected ones" }) : null)));
    var parsed = c ? argsOf(c) : null;
    var eargs = (e && e.args) || {}, cargs = parsed || {};
    if (c && parsed === null) {
      body.appendChild(h("tr", null, h("td", { text: "arguments" }), h("td"),
        h("td", { "class": "bad" }, c.raw_arguments, h("span", { "class": "why", text: "not a valid JSON object" }))));
    }
    var keys = Object.keys(eargs);
    Object.keys(cargs).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    keys.forEach(function (k) {
      var why = bad[k], inE = k in eargs, inC = k in cargs;
      body.appendChild(h("tr", null, h("td", { text: k }),
        h("td", { "class": why ? "bad" : "", text: inE ? showMatcher(eargs[k]) : "—" }),
        h("td", { "class": why ? "bad" : "" }, inC ? show(cargs[k]) : "—",
          why ? h("span", { "class": "why", text: why }) : null)));
    });
    if (bad[""]) body.appendChild(h("tr", null, h("td"), h("td"), h("td", { "class": "bad" },
      h("span", { "class": "why", text: bad[""] }))));
    if (schemaProblem) body.appendChild(h("tr", null, h("td", { text: "schema" }), h("td"),
      h("td", { "class": "bad" }, h("span", { "class": "why", text: schemaProblem }))));
  }
  function argsOf(call) {  // the report leaves `arguments` out where they are the raw arguments parsed
    if ("arguments" in call) return call.arguments;
    try {
      var v = JSON.parse(call.raw_arguments);
      return v && typeof v === "object" && !Array.isArray(v) ? v : null;
    } catch (e) { return null; }
  }
  function timeBar(t, wait) {
    var total = (t.total_ms || 0) + (wait || 0), W = 160;
    var svg = s("svg", { width: W, height: 12, "class": "timebar" });
    if (!total) return svg;
    var x = scale(0, total, 0, W, false), w0 = wait || 0;
    svg.appendChild(s("rect", { x: 0, y: 3, width: x(w0), height: 6, fill: "#d5dbe2" }, title("waited " + ms(wait))));
    if (t.ttfb_ms !== null) svg.appendChild(s("rect", { x: x(w0), y: 3, width: x(t.ttfb_ms), height: 6, fill: "#9fb4d8" },
                                              title("to first byte " + ms(t.ttfb_ms))));
    if (t.ttft_ms !== null) svg.appendChild(s("rect", { x: x(w0 + (t.ttfb_ms || 0)), y: 3,
      width: Math.max(0, x(t.ttft_ms - (t.ttfb_ms || 0))), height: 6, fill: "#e3a21a" }, title("to first token " + ms(t.ttft_ms))));
    svg.appendChild(s("rect", { x: x(w0 + (t.ttft_ms || t.ttfb_ms || 0)), y: 3,
      width: Math.max(0, W - x(w0 + (t.ttft_ms || t.ttfb_ms || 0))), height: 6, fill: "#2a9d6f" }, title("total " + ms(t.total_ms))));
    return svg;
  }
  function attemptsView(attempts, bodies) {
    var box = h("div");
    var table = h("table", { "class": "attempts" }, h("thead", null, h("tr", null,
      ["#", "step", "provider", "retry", "waited", "status", "error", "TTFB", "TTFT", "total", "timeline", "cost"]
        .map(function (c) { return h("th", { text: c }); }))));
    var tbody = h("tbody");
    attempts.forEach(function (a, i) {
      var t = a.timing || {};
      tbody.appendChild(h("tr", null, h("td", { text: i + 1 }), h("td", { text: a.step + 1 }),
        h("td", { text: a.provider }), h("td", { text: a.retry }), h("td", { text: a.wait_ms ? ms(a.wait_ms) : "–" }),
        h("td", { text: a.status === null ? "no response" : a.status + " " + (a.reason || "") }),
        h("td", { "class": a.error_class ? "err" : "" }, a.error_class || "–",
          a.error ? h("span", { "class": "kv", text: " (" + a.error.kind + ": " + a.error.message + ")" }) : null),
        h("td", { text: ms(t.ttfb_ms) }), h("td", { text: ms(t.ttft_ms) }), h("td", { text: ms(t.total_ms) }),
        h("td", null, timeBar(t, a.wait_ms)), h("td", { text: a.cost_usd ? usd(a.cost_usd) : "–" })));
    });
    table.appendChild(tbody);
    box.appendChild(h("div", { "class": "scroll" }, table));
    attempts.forEach(function (a, i) { box.appendChild(rawView(a, i, bodies)); });
    return box;
  }
  function rawView(a, i, bodies) {
    var det = h("details", { "class": "raw" }, h("summary", { text: "attempt " + (i + 1) +
      ": raw request and response (redacted)" + (a.timing && a.timing.started_at ? " · started " +
      new Date(a.timing.started_at * 1000).toISOString() : "") + (a.timing && a.timing.events ? " · " +
      a.timing.events + " stream events" : "") }));
    det.addEventListener("toggle", function () {
      if (!det.open || det.dataset.filled) return;
      det.dataset.filled = "1";
      var rq = a.request, rs = a.response;
      det.appendChild(h("div", { "class": "kv", text: rq.method + " " + rq.uri }));
      det.appendChild(h("pre", { "class": "body", text: headersText(rq.headers) + "\n" + pretty(bodies[rq.body]) }));
      det.appendChild(h("div", { "class": "kv", text: "response " + (a.status === null ? "(none)" : a.status) }));
      det.appendChild(h("pre", { "class": "body", text: headersText(rs.headers) + "\n" + pretty(bodies[rs.body]) }));
    });
    return det;
  }
  function headersText(hs) {
    return Object.keys(hs || {}).map(function (k) { return k + ": " + hs[k]; }).join("\n");
  }

  // ---------- diff of two providers ----------
  function setupDiff(sources) {
    if (sources.length < 2) {
      clear(byId("diff-body")).appendChild(h("p", { "class": "note", text: "Only one provider: nothing to compare." }));
      return;
    }
    var order = sources.slice().sort(function (a, b) {
      var ia = ranked.indexOf(a.split(" · ").pop()), ib = ranked.indexOf(b.split(" · ").pop());
      return ia - ib || (a < b ? -1 : 1);
    });
    var A = byId("diff-a"), B = byId("diff-b");
    order.forEach(function (p) {
      A.appendChild(h("option", { value: p, text: p }));
      B.appendChild(h("option", { value: p, text: p }));
    });
    var pick = sharedPair(order);
    A.value = pick[0]; B.value = pick[1];
    header("diff-head", ["A", "B", "scenario", "rep", "A: errors / faults", "B: errors / faults", "calls"]);
    diffList = new VList(byId("diff-list"), 28, diffRow);
    A.addEventListener("change", diffRefresh);
    B.addEventListener("change", diffRefresh);
    diffRefresh();
  }
  function sharedPair(order) {
    // the best-ranked provider against the last one that shares samples with it; else any pair that shares
    var keys = {};
    rows.forEach(function (r) { (keys[sourceOf(r)] = keys[sourceOf(r)] || {})[r.scenario + "\u0000" + r.rep] = 1; });
    function shares(a, b) { return Object.keys(keys[a] || {}).some(function (k) { return (keys[b] || {})[k]; }); }
    for (var i = 0; i < order.length; i++) {
      for (var j = order.length - 1; j > i; j--) if (shares(order[i], order[j])) return [order[i], order[j]];
    }
    return [order[0], order[order.length - 1]];
  }
  function diffRow(pair) {
    return h("div", { "class": "vrow" + (diffSelected === pair ? " sel" : ""),
                      onclick: function () { diffSelect(pair); } },
      outcome(pair.a), outcome(pair.b), h("span", { text: pair.a.scenario, title: pair.a.scenario }),
      h("span", { "class": "num", text: pair.a.rep }), h("span", null, chips(pair.a)), h("span", null, chips(pair.b)),
      h("span", { text: pair.a.sig === pair.b.sig ? "same" : "different" }));
  }
  // `diff`'s test of success (score/clustered.py): the sides of whole scenarios swapped at random. Only the
  // scenarios where B − A differs from 0 move the statistic; up to 16 of them every sign pattern is counted (exact;
  // with one pair per scenario, McNemar's exact test), beyond, 10,000 seeded random patterns.
  function signFlipP(perScenario) {
    var d = Object.keys(perScenario).map(function (k) { return perScenario[k]; })
      .filter(function (x) { return x !== 0; });
    var total = d.reduce(function (a, x) { return a + x; }, 0), bar = Math.abs(total) - 1e-9, m = d.length;
    if (!m) return 1;
    var extreme = 0, count, i, j, sum;
    if (m <= 16) {
      count = 1 << m;
      for (i = 0; i < count; i++) {
        for (sum = 0, j = 0; j < m; j++) sum += (i >> j) & 1 ? -d[j] : d[j];
        if (Math.abs(sum) >= bar) extreme++;
      }
      return Math.min(1, extreme / count);
    }
    var seed = 12345;
    function rand() {  // mulberry32: a small seeded generator, so the page shows the same p every time
      seed = (seed + 0x6D2B79F5) | 0;
      var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    count = 10000;
    for (i = 0; i < count; i++) {
      for (sum = 0, j = 0; j < m; j++) sum += rand() < 0.5 ? -d[j] : d[j];
      if (Math.abs(sum) >= bar) extreme++;
    }
    return Math.min(1, (extreme + 1) / (count + 1));
  }
  function diffRefresh() {
    var a = byId("diff-a").value, b = byId("diff-b").value, left = {}, pairs = [];
    rows.forEach(function (r) { if (sourceOf(r) === a) left[r.scenario + "\u0000" + r.rep] = r; });
    var counts = { both: 0, a: 0, b: 0, none: 0, same: 0, shared: 0 }, perScenario = {};
    rows.forEach(function (r) {
      if (sourceOf(r) !== b) return;
      var l = left[r.scenario + "\u0000" + r.rep];
      if (!l) return;
      counts.shared++;
      if (l.success && r.success) counts.both++; else if (l.success) counts.a++; else if (r.success) counts.b++;
      else counts.none++;
      perScenario[r.scenario] = (perScenario[r.scenario] || 0) + (r.success ? 1 : 0) - (l.success ? 1 : 0);
      if (l.sig === r.sig && l.sig >= 0) counts.same++;
      if (l.success !== r.success || l.sig !== r.sig) pairs.push({ a: l, b: r });
    });
    var p = signFlipP(perScenario);
    var box = clear(byId("diff-summary"));
    box.appendChild(h("div", { "class": "summary" },
      figureBox("shared samples", counts.shared, "same scenario and repetition"),
      figureBox("both correct", counts.both, pct(counts.shared ? counts.both / counts.shared : null)),
      figureBox("only A correct", counts.a, a),
      figureBox("only B correct", counts.b, b),
      figureBox("both wrong", counts.none, ""),
      figureBox("same calls returned", counts.same, pct(counts.shared ? counts.same / counts.shared : null)),
      counts.shared ? figureBox("p, paired by scenario", p < 0.001 ? "< 0.001" : p.toPrecision(2),
                p < 0.05 ? "a real difference in success" : "no significant difference")
        : figureBox("p, paired by scenario", "–", "no shared sample")));
    if (a === b) box.appendChild(h("p", { "class": "note", text: "A and B are the same: pick two." }));
    else if (!counts.shared) box.appendChild(h("p", { "class": "note", text: "A and B share no sample (same " +
      "scenario and repetition): nothing to test. Pick another pair." }));
    byId("diff-count").textContent = pairs.length + " of " + counts.shared +
      " scenario-repetitions differ (outcome or calls)" + (pairs.length ? "; click one to see both sides" : "");
    diffSelected = null;
    diffList.set(pairs);
    clear(byId("diff-detail"));
  }
  function figureBox(label, value, note) {
    return h("div", { "class": "figure" }, h("span", { text: label }), h("b", { text: String(value) }),
             h("span", { text: note }));
  }
  var diffSelected = null;
  function diffSelect(pair) {
    diffSelected = pair;
    diffList.paint();
    var box = clear(byId("diff-detail"));
    Promise.all([detailOf(pair.a), detailOf(pair.b)]).then(function (both) {
      box.appendChild(detailCard(pair.a, both[0].d, both[0].bodies));
      box.appendChild(detailCard(pair.b, both[1].d, both[1].bodies));
    }).catch(showProblem);
  }

  // ---------- start ----------
  function showProblem(err) {
    var box = byId("problem");
    box.hidden = false;
    box.textContent = "report error: " + (err && err.message ? err.message : String(err));
    if (window.console) console.error(err);
  }
  function noSamples() {
    var text = "This report was written without per-sample data. `replaykit report RUN -o report.html` " +
      "(or `replaykit score RUN -o report.html`) includes it.";
    clear(byId("samples-body")).appendChild(h("p", { "class": "note", text: text }));
    emptyChart(clear(byId("chart-errors-time")), 560, 60, "needs per-sample data (replaykit report)");
    clear(byId("diff-body")).appendChild(h("p", { "class": "note", text: text }));
  }
  function main() {
    performance.mark("rk-start");
    byId("subtitle").textContent = S.run.samples + " samples · " + ranked.length + " providers · recorded " +
      (S.run.started_at || "?").replace("T", " ").slice(0, 19) + " UTC · scored with replaykit " + S.run.scored_with;
    drawLeaderboard();
    if (R.speeds_comparable) {
      drawScatter("chart-latency", function (m) { return sp(m, "latency_ms"); }, "median latency", function (v) {
        return ms(v).replace(" ", ""); });
    } else {
      emptyChart(clear(byId("chart-latency")), 560, 60, "speeds measured at different time scales: not compared");
    }
    drawScatter("chart-cost", function (m) { return m.cost_usd.attempts_priced ? m.cost_usd.per_sample : null; },
                "cost per sample", usd, usdTicks);
    drawNotes();
    drawMatrix();
    drawStacked("chart-errors", function (m) { return m.error_rates; }, "No failed attempts.");
    drawStacked("chart-faults", function (m) { return m.fault_rates; }, "No answer faults.");
    drawRecall();
    drawSweep();
    drawAgreement();
    drawDistribution("chart-latency-dist", "latency_ms");
    drawDistribution("chart-ttft-dist", "ttft_ms");
    drawRun();
    performance.mark("rk-charts");
    var done = function () {
      window.__rkReady = performance.now();
      document.body.setAttribute("data-ready", "1");
    };
    if (!R.has_samples) { noSamples(); done(); return Promise.resolve(); }
    return inflate("rk-index").then(function (index) {
      performance.mark("rk-index");
      R.samples_meta = index;
      drawRun();
      setupSamples(index);
      drawCauses();
      drawErrorsOverTime(index.errors_over_time);
      done();
    });
  }
  window.addEventListener("error", function (e) { showProblem(e.error || e.message); });
  try { main().catch(showProblem); } catch (err) { showProblem(err); }
})();
