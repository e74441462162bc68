// Quota table: keep the totals row in step while the numbers are typed (the server computes the
// same totals when the page is loaded or re-shown with errors).
document.addEventListener("DOMContentLoaded", function () {
  var table = document.querySelector("table.quota-table");
  if (!table) return;
  function refresh() {
    table.querySelectorAll("[data-total]").forEach(function (cell) {
      var sum = 0;
      table.querySelectorAll("input[name$='-" + cell.dataset.total + "']").forEach(function (box) {
        var value = parseInt(box.value, 10);
        if (!isNaN(value) && value > 0) sum += value;
      });
      cell.textContent = sum;
    });
  }
  table.addEventListener("input", refresh);
});
