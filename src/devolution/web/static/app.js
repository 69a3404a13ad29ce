// Small page scripts: embed Vega-Lite specs, drive the map and the budget simulator. No frameworks.
// The pages' Content-Security-Policy allows no inline script or style (docs/security.md): every
// handler is attached here, Vega evaluates expressions with its interpreter (ast: true) instead of
// compiling them with Function(), and vega-embed's and the tooltip's styles are in style.css.
"use strict";

var VEGA_OPTIONS = { actions: false, renderer: "svg", ast: true, defaultStyle: false,
                     tooltip: { disableDefaultStyle: true } };

function embed(el, spec, onClick) {
  return vegaEmbed(el, spec, VEGA_OPTIONS).then(function (result) {
    if (onClick) result.view.addEventListener("click", function (_, item) { if (item && item.datum) onClick(item.datum); });
    return result;
  }).catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
}

function embedAll(root) {
  // Charts in a hidden tab are drawn when the tab is first shown (a hidden chart has no width).
  (root || document).querySelectorAll("[data-spec]").forEach(function (el) {
    if (el.dataset.embedded || el.closest("[hidden]")) return;
    el.dataset.embedded = "1";
    embed(el, JSON.parse(el.dataset.spec));
  });
}

// The page's choices live in its address (?measure=...&year=...), so a copied link opens the same view.
function setQuery(values) {
  var q = new URLSearchParams();
  Object.keys(values).forEach(function (k) { if (values[k] !== null && values[k] !== undefined && values[k] !== "") q.set(k, values[k]); });
  history.replaceState(null, "", window.location.pathname + "?" + q.toString());
}

function setupTabs() {
  var nav = document.getElementById("place-tabs");
  if (!nav) return;
  nav.addEventListener("click", function (ev) {
    var link = ev.target.closest("a[data-tab]");
    if (!link) return;
    ev.preventDefault();
    nav.querySelectorAll("a[data-tab]").forEach(function (a) {
      var on = a === link, panel = document.getElementById("tab-" + a.dataset.tab);
      a.setAttribute("aria-selected", on ? "true" : "false");
      if (panel) panel.hidden = !on;
    });
    setQuery({ tab: link.dataset.tab });
    embedAll(document.getElementById("tab-" + link.dataset.tab));
  });
}

function setupSearch() {
  var input = document.getElementById("search-q"), list = document.getElementById("search-suggestions");
  if (!input || !list) return;
  var timer = null, asked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(function () {
      asked = q;
      fetch("/search.json?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(function (found) {
        if (asked !== q) return;
        list.innerHTML = "";
        (found.results || []).forEach(function (r) {
          var option = document.createElement("option");
          option.value = r.name;
          option.label = r.tier_label + (r.current ? "" : " (former)");
          list.appendChild(option);
        });
      }).catch(function () {});
    }, 200);
  });
}

function setupMap() {
  var el = document.getElementById("map");
  if (!el) return;
  var measure = document.getElementById("measure"), year = document.getElementById("year");
  var per = document.getElementById("per-resident"), label = document.getElementById("year-label");
  var county = document.getElementById("with-county"), prices = document.getElementById("prices");
  var years = [], labels = [], latest = null, wanted = null;
  var start = new URLSearchParams(window.location.search);
  if (start.get("measure") && measure.querySelector("option[value='" + start.get("measure").replace(/[^a-z0-9_]/gi, "") + "']"))
    measure.value = start.get("measure");
  if (start.get("per")) per.checked = start.get("per") !== "total";
  if (start.get("councils")) county.checked = start.get("councils") !== "own";
  if (start.get("prices") && prices.querySelector("option[value='" + start.get("prices").replace(/[^a-z0-9-]/gi, "") + "']"))
    prices.value = start.get("prices");
  if (/^\d{4}$/.test(start.get("year") || "")) wanted = +start.get("year");
  document.getElementById("map-controls").addEventListener("submit", function (ev) { ev.preventDefault(); });
  function url(withYear) {
    var q = "?measure=" + encodeURIComponent(measure.value) + "&per=" + (per.checked ? "resident" : "total") +
      "&councils=" + (per.checked && county.checked ? "all" : "own") + "&prices=" + encodeURIComponent(prices.value);
    if (wanted !== null) return "/map.json" + q + "&year=" + wanted;
    return "/map.json" + q + (withYear && years.length ? "&year=" + years[+year.value] : "");
  }
  function draw(withYear) {
    var asked = url(withYear); latest = asked;
    document.getElementById("map-json").href = asked;
    wanted = null;
    fetch(asked).then(function (r) { return r.json(); }).then(function (doc) {
      if (asked !== latest) return;
      if (doc.error) { el.textContent = doc.error; return; }
      var table = asked.replace("/map.json?measure=" + encodeURIComponent(doc.measure) + "&", "/api/map/" + doc.measure + ".csv?");
      document.getElementById("map-csv").href = table;
      document.getElementById("map-parquet").href = table.replace(".csv?", ".parquet?");
      setQuery({ measure: doc.measure, year: doc.year, per: per.checked ? "resident" : "total",
                 councils: per.checked && county.checked ? "all" : "own", prices: prices.value });
      years = doc.years; labels = doc.year_labels || []; year.max = years.length - 1; year.value = years.indexOf(doc.year);
      label.textContent = doc.label;
      document.getElementById("map-notes").textContent = (doc.notes || []).join(" ");
      embed(el, doc.spec, function (d) {
        var code = (d.properties && d.properties.code) || d.code;
        if (code) window.location.href = "/places/" + code;
      }).then(function () { el.dataset.ready = doc.measure + ":" + doc.year + ":" + doc.prices; });
    });
  }
  measure.addEventListener("change", function () { draw(false); });
  per.addEventListener("change", function () { draw(true); });
  county.addEventListener("change", function () { draw(true); });
  prices.addEventListener("change", function () { draw(true); });
  year.addEventListener("input", function () { label.textContent = labels[+year.value] || years[+year.value] + ""; });
  year.addEventListener("change", function () { draw(true); });
  draw(false);
}

function setupSimulator() {
  var form = document.getElementById("budget-form");
  if (!form) return;
  var budget = JSON.parse(document.getElementById("budget-data").textContent);
  var tax = document.getElementById("council-tax"), balance = document.getElementById("balance");
  var submit = document.getElementById("submit"), result = document.getElementById("result");
  function gbp(v) { return (v < 0 ? "-£" : "£") + (Math.abs(v) / 1e6).toFixed(1) + "m"; }
  function changes() {
    var out = {};
    form.querySelectorAll("input.service").forEach(function (s) {
      var c = Math.abs(+s.dataset.value) * (+s.value) / 100;
      document.getElementById("out-" + s.dataset.measure).textContent = (c / 1e6).toFixed(1);
      if (c !== 0) out[s.dataset.measure] = c;
    });
    return out;
  }
  function update() {
    var c = changes(), spend = 0;
    Object.keys(c).forEach(function (k) { spend += c[k]; });
    var raised = budget.council_tax.requirement * (+tax.value);
    document.getElementById("out-tax").textContent = (+tax.value * 100).toFixed(2) + "%";
    var gap = spend - raised, ok = gap <= budget.tolerance;
    balance.className = "balance " + (ok ? "ok" : "bad");
    balance.textContent = ok ? "Balanced: services " + gbp(spend) + ", council tax " + gbp(raised) + (gap < -budget.tolerance ? " (surplus " + gbp(-gap) + " to reserves)" : "")
                             : "Not balanced: " + gbp(gap) + " more spending than council tax raises";
    if (!budget.already_submitted) submit.disabled = !ok;
    document.getElementById("changes").value = JSON.stringify(c);
  }
  form.addEventListener("input", update);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault(); update(); submit.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
      .then(function (x) {
        if (x[0] === 201) { result.textContent = "Thank you: your budget is stored (number " + x[1].id + ")."; budget.already_submitted = true; }
        else { result.textContent = x[1].error || "Not stored."; submit.disabled = x[0] === 409; }
      }).catch(function () { result.textContent = "Could not reach the server: try again."; submit.disabled = false; });
  });
  update();
}

document.addEventListener("DOMContentLoaded", function () { embedAll(); setupTabs(); setupSearch(); setupMap(); setupSimulator(); });

function fmt(v, digits) { return v === null || v === undefined ? "" : v.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }); }

function fillTable(el, rows, first) {
  var head = "<thead><tr><th>" + first + "</th><th class='num'>Councils</th><th class='num'>Gain</th><th class='num'>Lose</th><th class='num'>Change £m</th><th class='num'>£ per head</th></tr></thead>";
  el.innerHTML = head + "<tbody>" + rows.map(function (r) {
    var cell = document.createElement("td"); cell.textContent = r.group;
    return "<tr>" + cell.outerHTML + "<td class='num'>" + r.councils + "</td><td class='num'>" + r.gain + "</td><td class='num'>" + r.lose +
      "</td><td class='num'>" + fmt(r.change, 1) + "</td><td class='num'>" + fmt(r.change_per_head, 0) + "</td></tr>";
  }).join("") + "</tbody>";
}

function setupScenarios() {
  var form = document.getElementById("scenario-form");
  if (!form) return;
  var doc = JSON.parse(document.getElementById("scenario-data").textContent);
  var status = document.getElementById("scenario-status"), out = document.getElementById("scenario-result");
  function val(id) { return document.getElementById(id).value; }
  function body() {
    // The knobs by dotted key (the server drops an override equal to the value in force).
    var from = val("limit-from"), k = {};
    function from_year(v) { var o = {}; o[from] = v; return o; }
    k["parameters.council_tax.referendum.core_limit"] = from_year(+val("core-limit") / 100);
    k["parameters.council_tax.referendum.asc_limit"] = from_year(+val("asc-limit") / 100);
    if (Math.abs(+val("local-share") - doc.current_local_share) > 1e-9) k["parameters.business_rates.local_share"] = from_year(+val("local-share"));
    if (Math.abs(+val("levy-cap") - doc.current_levy_rate_cap) > 1e-9) k["parameters.settlement.retention.levy_rate_cap"] = from_year(+val("levy-cap"));
    var policy = form.querySelector("input[name=ct-policy]:checked").value;
    k["assumptions.council_tax_increase"] = policy === "max" ? "max" : +val("ct-fixed") / 100;
    k["deals.devolution_by_default"] = document.getElementById("devolution-by-default").checked;
    k.years = doc.defaults.years.split("..")[0] + ".." + val("end-year");
    k.draws = Math.round(+val("draws")); k.seed = Math.round(+val("seed"));
    return k;
  }
  // The knobs in the address: ?core=5&asc=2&share=0.75&levy=0&from=2026-27&policy=fixed&fixed=2&dbd=1&end=2034-35&draws=100&seed=1
  var KNOBS = { core: "core-limit", asc: "asc-limit", share: "local-share", levy: "levy-cap", from: "limit-from",
                fixed: "ct-fixed", end: "end-year", draws: "draws", seed: "seed" };
  function knobsToQuery() {
    var q = {};
    Object.keys(KNOBS).forEach(function (k) { q[k] = val(KNOBS[k]); });
    q.policy = form.querySelector("input[name=ct-policy]:checked").value;
    q.dbd = document.getElementById("devolution-by-default").checked ? "1" : "0";
    setQuery(q);
  }
  function queryToKnobs() {
    var start = new URLSearchParams(window.location.search), any = false;
    Object.keys(KNOBS).forEach(function (k) {
      var el = document.getElementById(KNOBS[k]), v = start.get(k);
      if (v === null) return;
      if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) return;
      el.value = v; any = true;
    });
    if (start.get("policy") === "fixed" || start.get("policy") === "max") {
      form.querySelector("input[name=ct-policy][value=" + start.get("policy") + "]").checked = true; any = true;
    }
    if (start.get("dbd") !== null) { document.getElementById("devolution-by-default").checked = start.get("dbd") === "1"; any = true; }
    return any;
  }
  function bn(v) { return (v < 0 ? "-£" : "£") + fmt(Math.abs(v) / 1000, 1) + "bn"; }
  function show(r) {
    var e = r.england_at_year;
    document.getElementById("scenario-summary").textContent =
      "England's funding gap in " + e.year + ": " + bn(e.central) + " (central run; 90% of " + r.draws.toLocaleString("en-GB") +
      " draws between " + bn(e.p5) + " and " + bn(e.p95) + "), against " + bn(e.baseline_central) +
      " under current policy: " + r.outcomes.gains + " councils gain, " + r.outcomes.loses + " lose, " + r.outcomes["no change"] + " see no change.";
    fillTable(document.getElementById("by-region"), r.by_region, "Region");
    fillTable(document.getElementById("by-type"), r.by_type, "Type of council");
    fillTable(document.getElementById("by-deprivation"), r.by_deprivation, "Decile");
    var notes = document.getElementById("scenario-notes"); notes.innerHTML = "";
    r.notes.forEach(function (n) { var li = document.createElement("li"); li.textContent = n; notes.appendChild(li); });
    out.hidden = false;
    return Promise.all([embed(document.getElementById("england-chart"), r.charts.england),
                        embed(document.getElementById("distribution-chart"), r.charts.distribution)]);
  }
  // The number fields, and the knob each one sets (a 422's problems name the knob: shown at its field).
  var FIELDS = { "core-limit": "parameters.council_tax.referendum.core_limit",
                 "asc-limit": "parameters.council_tax.referendum.asc_limit",
                 "ct-fixed": "assumptions.council_tax_increase", draws: "draws", seed: "seed" };
  function fieldError(id, message) {
    var el = document.getElementById(id), note = document.getElementById(id + "-error");
    note.textContent = message || ""; note.hidden = !message;
    if (message) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
  }
  function problem(el) {
    // An empty or unreadable field is refused, never sent as 0 (+"" is 0 in JavaScript).
    var range = "a number from " + el.min + (el.max ? " to " + el.max : " up") + (el.step && el.step !== "any" ? ", in steps of " + el.step : "");
    if (el.validity.badInput || el.value.trim() === "" || !isFinite(Number(el.value))) return "Enter " + range + ": this field is empty or not a number.";
    if (!el.validity.valid) return "Enter " + range + " (not " + el.value + ").";
    return "";
  }
  function validate() {
    var bad = 0, fixed = form.querySelector("input[name=ct-policy]:checked").value === "fixed";
    Object.keys(FIELDS).forEach(function (id) {
      var message = (id === "ct-fixed" && !fixed) ? "" : problem(document.getElementById(id));
      fieldError(id, message); if (message) bad += 1;
    });
    return bad === 0;
  }
  function showProblems(problems) {
    (problems || []).forEach(function (p) {
      var path = String(p.path).replace(/^body\./, "");  // the body's own validation names it so
      Object.keys(FIELDS).forEach(function (id) {
        if (path === FIELDS[id] || path.indexOf(FIELDS[id] + ".") === 0) fieldError(id, p.message);
      });
    });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!validate()) {
      status.className = "result error"; status.textContent = "Nothing was run: correct the fields marked.";
      return;
    }
    knobsToQuery();
    var button = document.getElementById("run"); button.disabled = true;
    status.className = "result"; status.textContent = "Running…"; delete out.dataset.ready;
    fetch("/api/scenarios/recompute", { method: "POST", body: JSON.stringify(body()), headers: { "Content-Type": "application/json", Accept: "application/json" } })
      .then(function (resp) { return resp.json().then(function (b) { return [resp.status, b, resp.headers.get("X-Cache")]; }); })
      .then(function (x) {
        if (x[0] !== 200) { status.className = "result error"; status.textContent = x[1].error || "The run failed."; showProblems(x[1].problems); return; }
        status.textContent = (x[2] === "hit" ? "From memory (first computed in " + x[1].seconds + " s)." : "Ran in " + x[1].seconds + " s.");
        return show(x[1]).then(function () { out.dataset.ready = x[1].england_at_year.central; });
      })
      .catch(function () { status.className = "result error"; status.textContent = "Could not reach the server: try again."; })
      .then(function () { button.disabled = false; });
  });
  if (queryToKnobs()) form.requestSubmit();  // a shared link opens the same run
}

document.addEventListener("DOMContentLoaded", setupScenarios);
