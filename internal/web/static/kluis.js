// kluis — the little the staff UI needs beyond htmx: no inline scripts, so
// the Content-Security-Policy can forbid them.
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive actions: <form data-confirm="…">.
  document.body.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  // Confirm switching something off: <form data-confirm-uncheck="…"> asks
  // when a checkbox that was ticked is no longer.
  document.body.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm-uncheck");
    if (!msg) { return; }
    var boxes = ev.target.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].defaultChecked && !boxes[i].checked) {
        if (!window.confirm(msg)) {
          ev.preventDefault();
          ev.stopImmediatePropagation();
        }
        return;
      }
    }
  }, true);
  // After an htmx swap, move focus to the first field with an error, or to
  // the swapped region, so keyboard and screen-reader users follow along.
  document.body.addEventListener("htmx:afterSettle", function () {
    var bad = document.querySelector("[aria-invalid=true]");
    if (bad) { bad.focus(); }
  });
});
