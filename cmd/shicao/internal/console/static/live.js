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
    conn.textContent = conn.dataset.live;
    conn.className = 'conn on';
  });
  src.addEventListener('error', function () {
    conn.textContent = conn.dataset.lost;
    conn.className = 'conn off';
  });
  src.addEventListener('card', function (e) {
    var d = JSON.parse(e.data);
    var old = grid.querySelector('[data-station="' + CSS.escape(d.station) + '"]');
    if (!old) { return; }
    var section = old.closest('section');
    old.outerHTML = d.html;
    var n = section && section.querySelector('.n-online');
    if (n) { n.textContent = section.querySelectorAll('.card[data-state="online"]').length; }
  });
  src.addEventListener('refusals', function (e) {
    var old = document.getElementById('refusals');
    if (old) { old.outerHTML = JSON.parse(e.data).html; }
  });
}());
