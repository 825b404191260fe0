// Searchable filter choices: typing in the box above a <select data-autocomplete> asks the server for
// at most ~20 matches and puts them in the select (the full list would be thousands of options).
//
// This script is loaded after the filter form (form.media at the end of the filters), so a person (or a
// test) can focus the box and type before it runs: it then searches for what is already typed, instead of
// waiting for a keystroke or a focus that happened before its listeners existed.
(function () {
  document.querySelectorAll("select[data-autocomplete]").forEach(function (select) {
    var box = document.querySelector('input[data-autocomplete-for="' + select.id + '"]');
    if (!box || box.dataset.autocompleteReady) { return; }
    box.dataset.autocompleteReady = "1";  // once, even if the script is included twice
    var timer = null;
    var asked = 0;
    var refreshed = false;
    function refresh() {
      var mine = ++asked;
      refreshed = true;
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
    box.addEventListener("focus", function () { if (!refreshed && select.options.length <= 2) { refresh(); } });
    // Typed (or focused) before this script ran: the input and focus events are gone, search now.
    if (box.value.trim() || document.activeElement === box) { refresh(); }
  });
})();
