// Kontor — small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var csrf = document.body ? document.body.getAttribute("data-csrf") : "";

  // Confirmation before irreversible actions (issue, cancel, delete).
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });

  var editor = document.getElementById("editor");
  if (!editor) { return; }
  var tbody = editor.querySelector("#lines tbody");
  var template = document.getElementById("line-template");

  function debounce(fn, ms) {
    var t; return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  // Live totals: the server computes them exactly as it will store them.
  var seq = 0;
  function refreshTotals() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(editor));
    fetch("/documents/totals", { method: "POST", body: body, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (res) {
        if (mine !== seq) { return; }
        editor.classList.toggle("has-errors", !res.ok);
        if (!res.ok) { return; }
        var t = res.json;
        ["line_total", "allowance_total", "net", "gross", "down_payments", "prepaid", "due"].forEach(function (k) {
          var el = document.getElementById("t-" + k); if (el) { el.textContent = t[k]; }
        });
        var vb = document.getElementById("t-vat_breakdown");
        if (vb) {
          vb.textContent = "";
          t.vat_breakdown.forEach(function (g) {
            var dt = document.createElement("dt"); dt.textContent = g.label;
            var dd = document.createElement("dd"); dd.textContent = g.vat;
            vb.appendChild(dt); vb.appendChild(dd);
          });
        }
        var rows = tbody.querySelectorAll("tr.line");
        rows.forEach(function (row, i) { var c = row.querySelector(".line-net"); if (c) { c.textContent = t.lines[i] || ""; } });
        editor.setAttribute("data-totals-gross", t.raw.gross);
      })
      .catch(function () {});
  }
  var refresh = debounce(refreshTotals, 150);
  editor.addEventListener("input", refresh);
  editor.addEventListener("change", function (ev) {
    if (ev.target.classList.contains("line-kind")) {
      ev.target.closest("tr").classList.toggle("text-line", ev.target.value === "text");
    }
    refresh();
  });

  function addRow(kind) {
    var row = template.content.firstElementChild.cloneNode(true);
    tbody.appendChild(row);
    var k = row.querySelector(".line-kind");
    k.value = kind;
    row.classList.toggle("text-line", kind === "text");
    row.querySelector(".line-description").focus();
    refresh();
  }
  document.getElementById("add-line").addEventListener("click", function () { addRow("item"); });
  document.getElementById("add-text").addEventListener("click", function () { addRow("text"); });

  tbody.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button"); if (!btn) { return; }
    var row = btn.closest("tr");
    if (btn.classList.contains("remove-line")) { row.remove(); refresh(); }
    else if (btn.classList.contains("move-up") && row.previousElementSibling) { tbody.insertBefore(row, row.previousElementSibling); btn.focus(); refresh(); }
    else if (btn.classList.contains("move-down") && row.nextElementSibling) { tbody.insertBefore(row.nextElementSibling, row); btn.focus(); refresh(); }
  });

  // Search as you type, for contacts and articles.
  function picker(input, list, url, label, choose) {
    var run = debounce(function () {
      var q = input.value.trim();
      if (q.length < 1) { list.hidden = true; return; }
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (items) {
          list.textContent = "";
          items.forEach(function (item) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button"; b.textContent = label(item);
            b.addEventListener("click", function () { choose(item); list.hidden = true; });
            li.appendChild(b); list.appendChild(li);
          });
          list.hidden = items.length === 0;
        }).catch(function () {});
    }, 120);
    input.addEventListener("input", function (ev) { ev.stopPropagation(); run(); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { list.hidden = true; }
      if (ev.key === "ArrowDown") { var f = list.querySelector("button"); if (f) { ev.preventDefault(); f.focus(); } }
    });
  }

  var contact = document.getElementById("f-contact");
  if (contact) {
    var cp = contact.closest(".picker");
    picker(contact, cp.querySelector(".suggestions"), "/contacts/search",
      function (c) { return c.number + " – " + c.name + (c.city ? ", " + c.city : ""); },
      function (c) {
        contact.value = c.number + " – " + c.name;
        document.getElementById("f-contact-id").value = c.id;
        var tm = document.getElementById("f-tax_mode");
        if (tm && c.tax_mode) { tm.value = c.tax_mode; }
        refresh();
      });
  }

  function wireArticle(row) {
    var input = row.querySelector(".article-search");
    if (!input || input.dataset.wired) { return; }
    input.dataset.wired = "1";
    picker(input, row.querySelector(".suggestions"), "/articles/search",
      function (a) { return a.number + " – " + a.name; },
      function (a) {
        row.querySelector(".line-article-id").value = a.id;
        row.querySelector(".line-description").value = a.description ? a.name + "\n" + a.description : a.name;
        row.querySelector(".line-unit").value = a.unit;
        var lang = document.body.getAttribute("data-lang");
        row.querySelector(".line-unit-price").value = lang === "de" ? a.unit_price.replace(".", ",") : a.unit_price;
        row.querySelector(".line-vat-rate").value = a.vat_rate;
        input.value = "";
        refresh();
      });
  }
  tbody.querySelectorAll("tr.line").forEach(wireArticle);
  new MutationObserver(function () { tbody.querySelectorAll("tr.line").forEach(wireArticle); }).observe(tbody, { childList: true });
  refreshTotals();
})();
