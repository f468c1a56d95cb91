// Set-up wizard: keeps the colour picker and the colour code in step. Without it, the server
// takes whichever of the two fields was changed.
(function () {
  "use strict";
  var picker = document.getElementById("id_colour_picker");
  var code = document.getElementById("id_primary_colour");
  if (!picker || !code) {
    return;
  }
  picker.addEventListener("input", function () {
    code.value = picker.value;
  });
  code.addEventListener("input", function () {
    var value = code.value.trim().toLowerCase();
    if (/^#?[0-9a-f]{6}$/.test(value)) {
      picker.value = value.charAt(0) === "#" ? value : "#" + value;
    }
  });
})();
