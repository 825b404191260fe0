/* The pages' few behaviours, from this one file (the Content-Security-Policy allows no inline script):
   each is switched on by a data- attribute in the templates. */
(function () {
  "use strict";
  function each(selector, fn) { document.querySelectorAll(selector).forEach(fn); }

  function setUp() {
    // The language switch submits its form when a language is chosen.
    each("select[data-autosubmit]", function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // A button that asks before it submits (data-confirm: the question).
    each("[data-confirm]", function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
      });
    });
    each("[data-print]", function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // "Select all" boxes: data-check-all / data-select-all name the checkboxes they tick.
    each("input[data-check-all], input[data-select-all]", function (all) {
      var name = all.dataset.checkAll || all.dataset.selectAll;
      all.addEventListener("change", function () {
        document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { box.checked = all.checked; });
      });
    });
    // Breakdown: a kind's box ticks the enabled boxes of the list after its heading.
    each("[data-select-kind]", function (box) {
      box.addEventListener("change", function () {
        box.closest("h2").nextElementSibling.querySelectorAll("input[type=checkbox]:not(:disabled)").forEach(function (c) {
          c.checked = box.checked;
        });
      });
    });
    // A form sent back with errors: show its first error and put the cursor in its field. The page comes back
    // from the top, and on a phone the error under a long page was off screen: the tap seemed to do nothing.
    var wrong = document.querySelector(".field.has-error, .form-errors");
    if (wrong) {
      var fold = wrong.closest("details");
      if (fold) { fold.open = true; }
      wrong.scrollIntoView({block: "center"});
      var input = wrong.querySelector("input:not([type=hidden]), textarea, select");
      if (input) { input.focus({preventScroll: true}); }
    }
    // On a phone the filters start folded (when none is set) so the list is on the first screen.
    each("details[data-fold-on-phone]", function (details) {
      if (window.matchMedia("(max-width: 700px)").matches) { details.open = false; }
    });
    // Import preview: "可能是" buttons pick that unit in their select; the badge says what the choice will do.
    each("button.pick", function (b) {
      b.addEventListener("click", function () {
        var select = document.getElementById(b.dataset.for);
        select.value = b.dataset.value;
        select.dispatchEvent(new Event("change"));
      });
    });
    each(".badge.state[data-for]", function (badge) {
      var select = document.getElementById(badge.dataset.for);
      if (!select) { return; }
      var text = badge.textContent, cls = badge.className;
      function show() {
        if (select.value === "") { badge.textContent = text; badge.className = cls; }
        else if (select.value === "own") { badge.textContent = badge.dataset.ownText; badge.className = "badge red state"; }
        else { badge.textContent = badge.dataset.aliasText; badge.className = "badge green state"; }
      }
      select.addEventListener("change", show);
      show();
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
