// The live grid: swap in the cards and the refusals table that the
// server renders and pushes as server-sent events. Without script the
// page still shows the grid as it was when loaded (reload to refresh).
(function () {
  'use strict';
  var grid = document.getElementById('live');
  var conn = document.getElementById('live-conn');
  if (!grid || !window.EventSource) { return; }
  var src = new EventSource(grid.dataset.events);
  src.addEventListener('open', function () {
    conn.textContent = conn.dataset.on;
    conn.className = 'conn on';
  });
  src.addEventListener('error', function () {
    conn.textContent = conn.dataset.off;
    conn.className = 'conn off';
  });
  src.addEventListener('card', function (e) {
    var d = JSON.parse(e.data);
    var old = grid.querySelector('[data-station="' + CSS.escape(d.station) + '"]');
    if (old) { old.outerHTML = d.html; }
  });
  src.addEventListener('refusals', function (e) {
    var old = document.getElementById('refusals');
    if (old) { old.outerHTML = JSON.parse(e.data).html; }
  });
}());
