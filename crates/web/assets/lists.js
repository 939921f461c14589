// The document list's selection: a box in the header ticks or clears every row on the page,
// and shows "some" while only some rows are ticked. Without script the rows are ticked one by
// one; the bulk actions work either way.
(function () {
  'use strict';
  function init() {
    var all = document.getElementById('select-all');
    var form = document.getElementById('bulk-form');
    if (!all || !form) return;
    var rows = function () { return form.querySelectorAll('input.select-row'); };
    var sync = function () {
      var boxes = rows();
      var ticked = 0;
      for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) ticked++;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    };
    all.addEventListener('change', function () {
      var boxes = rows();
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
      all.indeterminate = false;
    });
    form.addEventListener('change', function (e) {
      if (e.target && e.target.classList && e.target.classList.contains('select-row')) sync();
    });
    sync();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
