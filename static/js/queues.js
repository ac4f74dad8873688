// The queue's "select all on this page" box. Without JavaScript it stays hidden and each row's box works alone.
(function () {
  "use strict";
  var form = document.getElementById("selection");
  var wrapper = document.querySelector("[data-select-all]");
  var all = document.getElementById("tout-selectionner");
  if (!form || !wrapper || !all) {
    return;
  }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[data-row-select]"));
  if (!boxes.length) {
    return;
  }
  wrapper.hidden = false;

  function sync() {
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
