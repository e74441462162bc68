// The review queue's "select all" box: ticks or clears every row box of the table.
document.addEventListener("change", function (event) {
  if (!event.target.matches("[data-select-all]")) return;
  var boxes = event.target.closest("form").querySelectorAll('input[name="ids"]');
  boxes.forEach(function (box) { box.checked = event.target.checked; });
});
