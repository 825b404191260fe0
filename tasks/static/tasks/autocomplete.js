// Searchable filter choices: typing in the box above a <select data-autocomplete> asks the server for
// at most ~20 matches and puts them in the select (the full list would be thousands of options).
(function () {
  document.querySelectorAll("select[data-autocomplete]").forEach(function (select) {
    var box = document.querySelector('input[data-autocomplete-for="' + select.id + '"]');
    if (!box) { return; }
    var timer = null;
    var asked = 0;
    function refresh() {
      var mine = ++asked;
      var url = select.dataset.autocomplete + "?q=" + encodeURIComponent(box.value.trim());
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: [], more: false}; })
        .then(function (data) {
          if (mine !== asked) { return; }  // a later keystroke's answer wins
          var keep = select.value;
          var kept = keep ? select.querySelector('option[value="' + CSS.escape(keep) + '"]') : null;
          select.innerHTML = "";
          select.add(new Option(select.dataset.emptyLabel || "---------", ""));
          if (kept && !data.results.some(function (r) { return String(r.id) === keep; })) { select.add(kept); }
          data.results.forEach(function (r) { select.add(new Option(r.text, r.id, false, String(r.id) === keep)); });
          if (data.more) {
            var more = new Option(select.dataset.moreLabel || "…", "");
            more.disabled = true;
            select.add(more);
          }
          select.value = keep;
        });
    }
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
    box.addEventListener("focus", function () { if (select.options.length <= 2) { refresh(); } }, {once: true});
  });
})();
