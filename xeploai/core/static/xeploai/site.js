// What the pages share, as a file: the Content-Security-Policy runs no script written in a
// page or in an attribute.
(function () {
  "use strict";

  // A button marked data-once (the "+" that opens a branch of the tree) goes once its
  // request has brought what it was for; a failed one stays, to be tried again.
  document.addEventListener("htmx:afterRequest", function (event) {
    const button = event.detail.elt;
    if (event.detail.successful && button.matches("[data-once]")) button.remove();
  });
})();
