// Small page scripts: embed Vega-Lite specs, drive the map and the budget simulator. No frameworks.
"use strict";

function embed(el, spec, onClick) {
  return vegaEmbed(el, spec, { actions: false, renderer: "svg" }).then(function (result) {
    if (onClick) result.view.addEventListener("click", function (_, item) { if (item && item.datum) onClick(item.datum); });
    return result;
  }).catch(function (err) { el.textContent = "Chart could not be drawn: " + err; });
}

function embedAll() {
  document.querySelectorAll("[data-spec]").forEach(function (el) { embed(el, JSON.parse(el.dataset.spec)); });
}

function setupMap() {
  var el = document.getElementById("map");
  if (!el) return;
  var measure = document.getElementById("measure"), year = document.getElementById("year");
  var per = document.getElementById("per-resident"), label = document.getElementById("year-label");
  var years = [], latest = null;
  function url(withYear) {
    var q = "?measure=" + encodeURIComponent(measure.value) + "&per=" + (per.checked ? "resident" : "total");
    return "/map.json" + q + (withYear && years.length ? "&year=" + years[+year.value] : "");
  }
  function draw(withYear) {
    var asked = url(withYear); latest = asked;
    document.getElementById("map-json").href = asked;
    fetch(asked).then(function (r) { return r.json(); }).then(function (doc) {
      if (asked !== latest) return;
      if (doc.error) { el.textContent = doc.error; return; }
      years = doc.years; year.max = years.length - 1; year.value = years.indexOf(doc.year);
      label.textContent = doc.label;
      document.getElementById("map-notes").textContent = (doc.notes || []).join(" ");
      embed(el, doc.spec, function (d) {
        var code = (d.properties && d.properties.code) || d.code;
        if (code) window.location.href = "/places/" + code;
      }).then(function () { el.dataset.ready = doc.measure + ":" + doc.year; });
    });
  }
  measure.addEventListener("change", function () { draw(false); });
  per.addEventListener("change", function () { draw(true); });
  year.addEventListener("input", function () { label.textContent = years[+year.value] + ""; });
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

document.addEventListener("DOMContentLoaded", function () { embedAll(); setupMap(); setupSimulator(); });
