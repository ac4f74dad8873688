// Django admin: accessibility fixes that its widgets need once they are built (axe-core, RGAA).
// - The autocomplete (select2) combobox has no accessible name: it takes its field's label.
// - The filter_horizontal search icons carry an aria-label on a span without a role: they are images.
(function () {
  "use strict";

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  function fix() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector('.select2-selection[role="combobox"]');
      var name = labelOf(select);
      if (combobox && name) {
        // Its aria-labelledby names the selected value only (empty when nothing is chosen).
        combobox.removeAttribute("aria-labelledby");
        combobox.setAttribute("aria-label", name);
        var rendered = combobox.querySelector('.select2-selection__rendered[role="textbox"]');
        if (rendered) rendered.setAttribute("aria-label", name);
      }
    });
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // Tells the browser tests the fixes are in place.
    document.documentElement.setAttribute("data-admin-a11y", "true");
  }

  // The widgets are built on DOMContentLoaded (select2) and on load (SelectFilter2): after both.
  window.addEventListener("load", function () {
    window.setTimeout(fix, 0);
  });
  document.addEventListener("formset:added", function () {
    window.setTimeout(fix, 0);
  });
})();
