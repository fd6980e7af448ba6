// The report page's "use my position" button: added only where the browser can locate
// (the page works without it: the coordinates can be typed). Nothing is sent until the
// resident presses the form's own button.
(function () {
  "use strict";
  var holder = document.getElementById("locate");
  if (!holder || !("geolocation" in navigator)) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = holder.dataset.label;
  var said = document.getElementById("locate-status");
  holder.appendChild(button);
  button.addEventListener("click", function () {
    said.textContent = holder.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (where) {
      document.getElementById("latitude").value = where.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = where.coords.longitude.toFixed(6);
      said.textContent = holder.dataset.done;
    }, function () {
      said.textContent = holder.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
}());
