// Cycle form: when the platform level changes on a new cycle, refill the prior-title levels
// with that level's defaults (the server fills the same defaults when the field is left out).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.cycle-form");
  if (!form) return;
  var defaults = JSON.parse(form.dataset.levelDefaults || "{}");
  var level = form.querySelector("select[name=level]");
  if (!level) return;
  level.addEventListener("change", function () {
    var rules = defaults[level.value];
    if (!rules) return;
    form.querySelectorAll("input[name=prior_title_levels]").forEach(function (box) {
      box.checked = rules.prior_title_levels.indexOf(box.value) !== -1;
    });
  });
});
