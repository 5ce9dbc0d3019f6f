// view-page.ts owns the flame-graph page's behaviour and look: the script and
// stylesheet that view.ts inlines next to its data. The script decodes the
// model (view.ts's FlameData), sums it for the chosen sample type and label
// filter, and draws on a <canvas>, skipping frames narrower than a pixel
// (runs of them become one grey block). It loads nothing: no network, no
// dependencies. It does not know pprof; the model is all it reads.
//
// The script is plain ES2017 in a string (no backticks, no "${" inside), so
// that no build step touches it. For tests it exposes window.__flame (the
// view's state and locate(name)) and window.__flameReady (performance.now()
// after the first draw).

/** pageCss is the page's stylesheet. */
export const pageCss: string = String.raw`
:root { color-scheme: light; --fg: #1b1b1b; --muted: #555; --bg: #fff; --bar: #f3f3f3; --line: #d0d0d0; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
#bar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 8px 12px; background: var(--bar); border-bottom: 1px solid var(--line); }
#title { font-size: 16px; margin: 0 8px 0 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 32ch; }
label { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); }
select, input, button { font: inherit; color: var(--fg); background: #fff; border: 1px solid #888; border-radius: 4px; padding: 3px 6px; }
#search { width: 24ch; }
#filter { max-width: 28ch; }
button { cursor: pointer; }
select:focus-visible, input:focus-visible, button:focus-visible, canvas:focus-visible { outline: 3px solid var(--accent); outline-offset: 1px; }
#search.bad { border-color: #b00020; }
#matches { color: #6a1b9a; font-weight: 600; min-width: 10ch; }
#total { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; }
#zoom { display: flex; align-items: center; gap: 10px; padding: 6px 12px; color: var(--muted); font-size: 13px; }
#zoom button { font-size: 13px; padding: 1px 8px; }
#zoom button:disabled { cursor: default; color: #767676; border-color: #bbb; }
#crumbs { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#chart { padding: 0 12px 8px; }
#flame { display: block; width: 100%; cursor: pointer; }
#tip { position: fixed; z-index: 3; max-width: min(640px, 90vw); padding: 6px 9px; background: #202124; color: #fff; border-radius: 4px; font-size: 13px; pointer-events: none; box-shadow: 0 2px 8px rgba(0,0,0,.3); overflow-wrap: anywhere; }
#tip b { display: block; margin-bottom: 2px; }
#tip .file { color: #c8d3f5; }
#details { position: sticky; bottom: 0; padding: 6px 12px; background: var(--bar); border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
`;

/** pageScript is the page's script. */
export const pageScript: string = String.raw`
(function () {
  "use strict";
  var ROW = 18;           // px per frame row
  var MIN_WIDTH = 1;      // frames narrower than this (px) are not drawn
  var FONT = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";

  var data = JSON.parse(document.getElementById("flame-data").textContent);
  var strings = data.strings;
  var T = data.sampleTypes.length;
  var N = data.nodes;
  var R = data.rows;

  function bytesOf(b64) {
    var bin = atob(b64), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u;
  }
  // readColumn decodes count LEB128 varints (zigzag and/or delta coded)
  // from u[start, end) into out.
  function readColumn(u, start, end, count, zigzag, delta, out) {
    var p = start, prev = 0;
    for (var i = 0; i < count; i++) {
      var b = u[p++], v = b & 127;
      if (b & 128) {
        var m = 128;
        do { b = u[p++]; v += (b & 127) * m; m *= 128; } while (b & 128);
      }
      if (zigzag) v = v % 2 === 1 ? -(v + 1) / 2 : v / 2;
      if (delta) { v += prev; prev = v; }
      out[i] = v;
    }
    if (p !== end) throw new Error("flame data: a column holds " + (end - start) + " bytes, read " + (p - start));
    return out;
  }
  if (typeof DecompressionStream === "undefined") {
    document.getElementById("details").textContent = "This browser cannot inflate the flame graph's data (no DecompressionStream): use a current Chrome, Edge, Firefox or Safari.";
    return;
  }
  // Inflating a Blob's stream loads nothing: the bytes are in the page.
  new Response(new Blob([bytesOf(data.packed)]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(function (buf) {
    start(new Uint8Array(buf));
  }).catch(function (err) {
    document.getElementById("details").textContent = "Could not read the flame graph's data: " + err;
    throw err;
  });

  function start(u) {
    var cols = {}, at = 0;
    data.columns.forEach(function (c) { cols[c[0]] = [at, at + c[1]]; at += c[1]; });
    function col(name, count, zigzag, delta, out) { return readColumn(u, cols[name][0], cols[name][1], count, zigzag, delta, out); }
    var depth = col("depth", N, true, true, new Int32Array(N));
    var func = col("func", N, false, false, new Int32Array(N));
    var line = col("line", N, true, false, new Float64Array(N));
    var lineCount = col("lines", N, false, false, new Int32Array(N));
    var rowNode = col("rowNode", R, false, true, new Int32Array(R));
    var rowSet = col("rowSet", R, false, false, new Int32Array(R));
    var rowValues = [];
    for (var t = 0; t < T; t++) rowValues.push(col("value" + t, R, true, false, new Float64Array(R)));
    for (var j = 0; j < N; j++) line[j] += data.funcLine[func[j]];

    // parent from depth in preorder; size is the subtree's node count, so a
    // node's children are n+1, then each next at previous + size.
    var parent = new Int32Array(N), size = new Int32Array(N), last = [0];
    parent[0] = -1;
    for (var i = 1; i < N; i++) {
      parent[i] = last[depth[i] - 1];
      last[depth[i]] = i;
    }
    size.fill(1);
    for (i = N - 1; i > 0; i--) size[parent[i]] += size[i];

    var F = data.funcName.length;
    var funcNames = data.funcName.map(function (s) { return strings[s]; });
    var funcFiles = data.funcFile.map(function (s) { return strings[s]; });

    // Label filter options: one per key=value, each the set of label sets it admits.
    var options = [];
    (function () {
      // No prototype: label keys and values like "constructor" are plain data.
      var byKey = Object.create(null);
      data.labelSets.forEach(function (pairs, set) {
        for (var j = 0; j < pairs.length; j += 2) {
          var key = strings[pairs[j]], value = strings[pairs[j + 1]];
          var values = byKey[key] || (byKey[key] = Object.create(null));
          (values[value] || (values[value] = [])).push(set);
        }
      });
      Object.keys(byKey).sort().forEach(function (key) {
        Object.keys(byKey[key]).sort().forEach(function (value) {
          var admit = new Uint8Array(data.labelSets.length);
          byKey[key][value].forEach(function (s) { admit[s] = 1; });
          options.push({ key: key, value: value, admit: admit });
        });
      });
    })();

    var $ = function (id) { return document.getElementById(id); };
    var canvas = $("flame"), ctx = canvas.getContext("2d"), chart = $("chart"), tip = $("tip");
    var typeSelect = $("type"), filterSelect = $("filter"), search = $("search");

    data.sampleTypes.forEach(function (t, i) {
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = t.type + (t.unit ? " (" + t.unit + ")" : "");
      typeSelect.appendChild(o);
    });
    typeSelect.value = String(data.defaultType);
    var group = null;
    options.forEach(function (opt, i) {
      if (!group || group.label !== opt.key) {
        group = document.createElement("optgroup");
        group.label = opt.key;
        filterSelect.appendChild(group);
      }
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = opt.key + "=" + opt.value;
      group.appendChild(o);
    });
    if (data.droppedLabelKeys.length > 0) {
      var dropped = document.createElement("option");
      dropped.disabled = true;
      dropped.textContent = "not offered (too many values): " + data.droppedLabelKeys.join(", ");
      filterSelect.appendChild(dropped);
    }
    if (options.length === 0 && data.droppedLabelKeys.length === 0) filterSelect.disabled = true;
    if (data.durationNanos > 0) $("title").title = "duration " + fmt(data.durationNanos, "nanoseconds");

    var state = { type: data.defaultType, filter: -1, zoom: 0, re: null };
    var cum = new Float64Array(N), self = new Float64Array(N);
    var funcMatch = new Uint8Array(F), underMatch = new Uint8Array(N);
    var total = 0, matchCount = 0, matchedValue = 0;

    // sum fills self and cum for the chosen sample type and label filter.
    function sum() {
      var vals = rowValues[state.type], admit = state.filter >= 0 ? options[state.filter].admit : null;
      self.fill(0);
      for (var r = 0; r < R; r++) if (admit === null || admit[rowSet[r]]) self[rowNode[r]] += vals[r];
      cum.set(self);
      for (var i = N - 1; i > 0; i--) cum[parent[i]] += cum[i];
      total = cum[0];
      if (cum[state.zoom] <= 0) state.zoom = 0;
    }

    // match marks functions matching the search and sums the matched value,
    // counting a frame under a matched frame once.
    function match() {
      matchCount = 0; matchedValue = 0;
      funcMatch.fill(0);
      if (state.re === null) return;
      for (var f = 1; f < F; f++) if (state.re.test(funcNames[f])) funcMatch[f] = 1;
      underMatch[0] = 0;
      for (var i = 1; i < N; i++) {
        var p = parent[i];
        underMatch[i] = underMatch[p] || funcMatch[func[p]] ? 1 : 0;
        if (funcMatch[func[i]] && cum[i] > 0) {
          matchCount++;
          if (!underMatch[i]) matchedValue += cum[i];
        }
      }
    }

    // Units: nanoseconds and bytes are scaled; counts get separators.
    function fmt(v, unit) {
      var a = Math.abs(v), d = function (x) { return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2); };
      var sign = v < 0 ? "-" : "";
      if (unit === "nanoseconds") {
        if (a >= 6e10 * 60) return sign + d(a / 3.6e12) + " h";
        if (a >= 6e10 * 2) return sign + d(a / 6e10) + " min";
        if (a >= 1e9) return sign + d(a / 1e9) + " s";
        if (a >= 1e6) return sign + d(a / 1e6) + " ms";
        if (a >= 1e3) return sign + d(a / 1e3) + " \u00b5s";
        return sign + a + " ns";
      }
      if (unit === "bytes") {
        var units = ["B", "KB", "MB", "GB", "TB"], k = 0;
        while (a >= 1024 && k < units.length - 1) { a /= 1024; k++; }
        return sign + (k === 0 ? String(a) : d(a)) + " " + units[k];
      }
      var s = v.toLocaleString("en-US");
      return unit && unit !== "count" ? s + " " + unit : s;
    }
    function unit() { return data.sampleTypes[state.type].unit; }
    function pct(v, of) {
      if (of <= 0) return "0%";
      var x = v / of * 100;
      return (x >= 10 ? x.toFixed(1) : x.toFixed(2)) + "%";
    }

    // Colors: warm hues from the function name's hash, light enough for dark text.
    var colorCache = new Array(F), dimCache = new Array(F);
    function hash(s) {
      var h = 2166136261;
      for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
      return h >>> 0;
    }
    function color(f) {
      var col = colorCache[f];
      if (col === undefined) {
        if (f === 0) col = "hsl(220, 12%, 78%)";
        else {
          var h = hash(funcNames[f]);
          col = "hsl(" + (4 + h % 46) + ", " + (62 + (h >>> 8) % 24) + "%, " + (64 + (h >>> 16) % 12) + "%)";
        }
        colorCache[f] = col;
      }
      return col;
    }
    function dim(f) {
      var col = dimCache[f];
      if (col === undefined) dimCache[f] = col = "hsl(" + (4 + hash(funcNames[f]) % 46) + ", 8%, 88%)";
      return col;
    }
    var MATCH = "#a21caf", AGG = "#c9c9c9";

    // Drawn rectangles, for painting and hit testing: x, width (CSS px), row,
    // node (or -1 for a run of narrow frames, with its value and count).
    var rx = [], rw = [], rr = [], rn = [], rv = [], rc = [], rows = 0;
    function layout(width) {
      rx.length = rw.length = rr.length = rn.length = rv.length = rc.length = 0;
      rows = 0;
      var z = state.zoom;
      if (cum[z] <= 0) { push(0, width, 0, 0, 0, 0); return; }
      for (var a = parent[z]; a >= 0; a = parent[a]) push(0, width, depth[a], a, 0, 0);
      var scale = width / cum[z];
      var stackN = [z], stackX = [0];
      while (stackN.length > 0) {
        var n = stackN.pop(), x = stackX.pop();
        push(x, cum[n] * scale, depth[n], n, 0, 0);
        var end = n + size[n], cx = x, aggX = 0, aggW = 0, aggV = 0, aggC = 0;
        for (var ch = n + 1; ch < end; ch += size[ch]) {
          var v = cum[ch];
          if (v <= 0) continue;
          var w = v * scale;
          if (w >= MIN_WIDTH) {
            stackN.push(ch); stackX.push(cx);
          } else {
            if (aggC === 0) aggX = cx;
            aggW += w; aggV += v; aggC++;
          }
          cx += w;
        }
        if (aggW >= MIN_WIDTH) push(aggX, aggW, depth[n] + 1, -1, aggV, aggC);
      }
    }
    function push(x, w, row, node, v, count) {
      rx.push(x); rw.push(w); rr.push(row); rn.push(node); rv.push(v); rc.push(count);
      if (row + 1 > rows) rows = row + 1;
    }

    var charWidth = 7.2;
    function paint() {
      var width = Math.max(100, chart.clientWidth - 24);
      layout(width);
      var height = Math.max(rows, 1) * ROW;
      var dpr = window.devicePixelRatio || 1;
      canvas.style.height = height + "px";
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.font = FONT;
      ctx.textBaseline = "middle";
      charWidth = ctx.measureText("MMMMMMMMMM").width / 10 || 7.2;
      var zoomRow = depth[state.zoom], searching = state.re !== null;
      for (var i = 0; i < rx.length; i++) {
        var x = rx[i], w = rw[i], y = rr[i] * ROW, n = rn[i];
        var gap = w > 3 ? 1 : 0;
        if (n < 0) {
          ctx.fillStyle = AGG;
          ctx.fillRect(x, y, w - gap, ROW - 1);
          continue;
        }
        var f = func[n], matched = funcMatch[f] === 1;
        ctx.globalAlpha = rr[i] < zoomRow ? 0.55 : 1;
        ctx.fillStyle = matched ? MATCH : searching ? dim(f) : color(f);
        ctx.fillRect(x, y, w - gap, ROW - 1);
        if (w > charWidth * 3 + 6) {
          var name = n === 0 ? "root" : funcNames[f];
          var max = Math.floor((w - 6) / charWidth);
          if (name.length > max) name = name.slice(0, Math.max(1, max - 1)) + "\u2026";
          ctx.fillStyle = matched ? "#fff" : searching ? "#444" : "#111";
          ctx.fillText(name, x + 3, y + ROW / 2);
        }
        ctx.globalAlpha = 1;
      }
    }

    function describe(i) {
      var n = rn[i], u = unit();
      if (n < 0) return { name: rc[i] + " frames too narrow to draw", lines: [fmt(rv[i], u) + " (" + pct(rv[i], total) + " of total)"], file: "" };
      var f = func[n];
      var out = [fmt(cum[n], u) + " (" + pct(cum[n], total) + " of total" + (state.zoom !== 0 && depth[n] >= depth[state.zoom] ? ", " + pct(cum[n], cum[state.zoom]) + " of zoomed" : "") + ")"];
      if (size[n] > 1 && self[n] !== 0) out.push("self " + fmt(self[n], u) + " (" + pct(self[n], total) + ")");
      var file = funcFiles[f] || "";
      if (file && line[n] > 0) file += ":" + line[n];
      if (lineCount[n] > 1) file += " (+" + (lineCount[n] - 1) + " more line" + (lineCount[n] > 2 ? "s" : "") + ")";
      return { name: n === 0 ? "root" : funcNames[f], lines: out, file: file };
    }

    function hit(clientX, clientY) {
      var b = canvas.getBoundingClientRect();
      var x = clientX - b.left, row = Math.floor((clientY - b.top) / ROW);
      for (var i = rx.length - 1; i >= 0; i--) if (rr[i] === row && x >= rx[i] && x < rx[i] + rw[i]) return i;
      return -1;
    }

    function showTip(i, ev) {
      if (i < 0) { tip.hidden = true; return; }
      var d = describe(i);
      tip.textContent = "";
      var b = document.createElement("b");
      b.textContent = d.name;
      tip.appendChild(b);
      d.lines.forEach(function (l) { var div = document.createElement("div"); div.textContent = l; tip.appendChild(div); });
      if (d.file) { var fd = document.createElement("div"); fd.className = "file"; fd.textContent = d.file; tip.appendChild(fd); }
      tip.hidden = false;
      var tw = tip.offsetWidth, th = tip.offsetHeight;
      var left = ev.clientX + 14, top = ev.clientY + 16;
      if (left + tw > window.innerWidth - 4) left = Math.max(4, ev.clientX - tw - 14);
      if (top + th > window.innerHeight - 4) top = Math.max(4, ev.clientY - th - 12);
      tip.style.left = left + "px";
      tip.style.top = top + "px";
      $("details").textContent = d.name + " \u2014 " + d.lines.join(" \u00b7 ") + (d.file ? " \u2014 " + d.file : "");
    }

    function crumbs() {
      var names = [];
      for (var a = state.zoom; a >= 0; a = parent[a]) names.unshift(a === 0 ? "root" : funcNames[func[a]]);
      $("crumbs").textContent = state.zoom === 0 ? "root" : names.join(" \u203a ");
    $("reset").disabled = state.zoom === 0;
    }

    function status() {
      var t = data.sampleTypes[state.type];
      $("total").textContent = "Total " + t.type + ": " + fmt(total, t.unit) + (state.filter >= 0 ? " (" + options[state.filter].key + "=" + options[state.filter].value + ")" : "");
      $("matches").textContent = state.re === null ? "" : matchCount + " frame" + (matchCount === 1 ? "" : "s") + " matched \u00b7 " + pct(matchedValue, total) + " of total";
      crumbs();
      var api = window.__flame;
      api.zoomed = state.zoom === 0 ? "root" : funcNames[func[state.zoom]];
      api.matches = matchCount;
      api.matchedValue = matchedValue;
      api.total = total;
      api.totalText = $("total").textContent;
      api.sampleType = t.type;
      api.filter = state.filter >= 0 ? options[state.filter].key + "=" + options[state.filter].value : "all";
      api.drawn = rx.length;
    }

    // render and refresh record how long they took, for tests: the page
    // must stay responsive on large profiles.
    function render() { var t0 = performance.now(); paint(); status(); window.__flame.renderMillis = performance.now() - t0; }
    function refresh() { var t0 = performance.now(); sum(); match(); render(); window.__flame.renderMillis = performance.now() - t0; }

    function zoomTo(n) {
      state.zoom = n;
      render();
    }

    canvas.addEventListener("mousemove", function (ev) { showTip(hit(ev.clientX, ev.clientY), ev); });
    canvas.addEventListener("mouseleave", function () { tip.hidden = true; });
    canvas.addEventListener("click", function (ev) {
      var i = hit(ev.clientX, ev.clientY);
      if (i < 0) return;
      var n = rn[i];
      if (n < 0) return;
      // The zoom root clicked again zooms out one level.
      zoomTo(n === state.zoom && n !== 0 ? parent[n] : n);
      showTip(hit(ev.clientX, ev.clientY), ev);
    });
    $("reset").addEventListener("click", function () { zoomTo(0); });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { tip.hidden = true; zoomTo(0); }
      else if (ev.key === "/" && document.activeElement !== search) { ev.preventDefault(); search.focus(); search.select(); }
    });
    typeSelect.addEventListener("change", function () { state.type = Number(typeSelect.value); refresh(); });
    filterSelect.addEventListener("change", function () { state.filter = Number(filterSelect.value); refresh(); });
    var pending = 0;
    search.addEventListener("input", function () {
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        pending = 0;
        var q = search.value.trim();
        search.classList.remove("bad");
        if (q === "") state.re = null;
        else {
          try { state.re = new RegExp(q, "i"); }
          catch (e) {
            // Not a regular expression: a plain substring.
            search.classList.add("bad");
            state.re = new RegExp(q.replace(/[.*+?^$()|[\]{}\\]/g, "\\$&"), "i");
          }
        }
        var t0 = performance.now();
        match();
        render();
        window.__flame.renderMillis = performance.now() - t0;
      });
    });
    var resizing = 0;
    window.addEventListener("resize", function () {
      if (resizing) cancelAnimationFrame(resizing);
      resizing = requestAnimationFrame(function () { resizing = 0; paint(); });
    });

    window.__flame = {
      nodes: N,
      rows: R,
      // locate returns the viewport centre of the widest drawn frame of the
      // function named name, or null.
      locate: function (name) {
        var best = -1;
        for (var i = 0; i < rx.length; i++) {
          var n = rn[i];
          if (n >= 0 && (n === 0 ? "root" : funcNames[func[n]]) === name && (best < 0 || rw[i] > rw[best])) best = i;
        }
        if (best < 0) return null;
        var b = canvas.getBoundingClientRect();
        return { x: b.left + rx[best] + rw[best] / 2, y: b.top + rr[best] * ROW + ROW / 2, width: rw[best] };
      }
    };
    refresh();
    window.__flameReady = performance.now();
  }
})();
`;
