// chipguard analyst UI: the only script. Asks before irreversible actions (forms with data-confirm).
// Everything works without it; it only adds the confirmation.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
