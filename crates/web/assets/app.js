// Kontor — small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var csrf = document.body ? document.body.getAttribute("data-csrf") : "";

  // Confirmation before irreversible actions (issue, cancel, delete).
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });

  // "Gespeichert" shows once: a reload of the page does not repeat it.
  if (/[?&]saved=1/.test(location.search) && window.history.replaceState) {
    window.history.replaceState(null, "", location.pathname + location.hash);
  }

  var editor = document.getElementById("editor");
  if (!editor) { return; }

  // A new document's heading names the chosen type ("Angebot (neu)").
  var typeSelect = document.getElementById("f-type");
  var heading = document.getElementById("doc-title");
  if (typeSelect && typeSelect.tagName === "SELECT" && heading) {
    typeSelect.addEventListener("change", function () {
      var o = typeSelect.options[typeSelect.selectedIndex];
      if (o && o.getAttribute("data-title")) { heading.textContent = o.getAttribute("data-title"); }
    });
  }
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

  // Search as you type, for contacts and articles: a combobox with a listbox of suggestions
  // (WAI-ARIA combobox pattern). Arrow keys move the highlight, Enter picks the highlighted
  // suggestion (and never submits the editor), Escape closes the list.
  var pickers = 0;
  function picker(input, list, url, label, choose) {
    var n = ++pickers;
    if (!list.id) { list.id = "suggestions-" + n; }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    list.setAttribute("role", "listbox");
    var items = [];
    var active = -1;
    var pending = 0;

    function options() { return list.querySelectorAll("[role=option]"); }
    function highlight(i) {
      var opts = options();
      active = opts.length ? (i + opts.length) % opts.length : -1;
      opts.forEach(function (o, j) {
        var on = j === active;
        o.setAttribute("aria-selected", on ? "true" : "false");
        o.classList.toggle("active", on);
        if (on && o.scrollIntoView) { o.scrollIntoView({ block: "nearest" }); }
      });
      if (active >= 0) { input.setAttribute("aria-activedescendant", opts[active].id); }
      else { input.removeAttribute("aria-activedescendant"); }
    }
    function open() {
      if (!items.length) { return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function pick(i) {
      var item = items[i];
      if (!item) { return; }
      close();
      choose(item);
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = label(item);
        // mousedown, not click: the input keeps the focus and does not close the list first.
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      if (found.length) { open(); highlight(0); } else { close(); }
    }
    var run = debounce(function () {
      var q = input.value.trim();
      var mine = ++pending;
      if (q.length < 1) { items = []; close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (found) { if (mine === pending && document.activeElement === input) { show(found); } })
        .catch(function () {});
    }, 120);
    input.addEventListener("input", function (ev) { ev.stopPropagation(); run(); });
    input.addEventListener("keydown", function (ev) {
      var isOpen = !list.hidden;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!isOpen) { open(); highlight(ev.key === "ArrowDown" ? 0 : -1); }
        else { highlight(active + (ev.key === "ArrowDown" ? 1 : -1)); }
      } else if (ev.key === "Enter") {
        // A search box never submits the editor.
        ev.preventDefault();
        if (isOpen && active >= 0) { pick(active); }
      } else if (ev.key === "Escape") {
        if (isOpen) { ev.preventDefault(); close(); }
      } else if (ev.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", close);
    // Scrolling or clicking the list keeps the focus in the input.
    list.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
  }

  var contact = document.getElementById("f-contact");
  if (contact) {
    var cp = contact.closest(".picker");
    // A changed name no longer names the chosen contact: one must be picked again.
    contact.addEventListener("input", function () { document.getElementById("f-contact-id").value = ""; });
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

// Received invoices: files dropped on the upload area are put into its file input and sent
// at once (several at a time). Without script the file input and its button do the same.
(function () {
  var zone = document.querySelector("[data-dropzone]");
  if (!zone) { return; }
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
    input.files = e.dataTransfer.files;
    zone.submit();
  });
})();
