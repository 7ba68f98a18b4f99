// The line-item form, live: show only the chosen mode's (role's, status's) fields, and
// preview what the line will cost as the user types. Without this script the form works
// the same way through its "Show the fields" and "Preview the cost" buttons.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) {
    return;
  }
  var choiceName = form.getAttribute("data-choice");
  var choice = choiceName ? form.elements.namedItem(choiceName) : null;
  var shown = form.elements.namedItem("shown");
  var panel = document.getElementById("line-preview");
  var url = form.getAttribute("data-preview-url");
  var token = form.elements.namedItem("csrf_token");
  var timer = null;
  var sent = 0;

  function applyChoice() {
    if (!choice) {
      return;
    }
    var value = choice.value;
    var parts = form.querySelectorAll("[data-when]");
    for (var i = 0; i < parts.length; i++) {
      var on = parts[i].getAttribute("data-when").split(" ").indexOf(value) >= 0;
      parts[i].hidden = !on;
      var controls = parts[i].querySelectorAll("input, select, textarea");
      for (var j = 0; j < controls.length; j++) {
        controls[j].disabled = !on;
      }
    }
    if (shown) {
      shown.value = value;  // the server now knows these are the fields the user saw
    }
  }

  function preview() {
    var mine = ++sent;
    var body = new FormData(form);
    body.delete("refresh");
    var headers = {"X-Requested-With": "fetch"};
    if (token) {
      headers["X-CSRFToken"] = token.value;
    }
    fetch(url, {method: "POST", body: body, headers: headers, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine === sent && panel) {
          panel.innerHTML = html;  // the server's fragment, escaped by its templates
          panel.setAttribute("data-updates", String(mine));
        }
      })
      .catch(function () { /* offline: the Preview button still works */ });
  }

  function schedule() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(preview, 250);
  }

  var refresh = form.querySelectorAll(".js-hide");
  for (var k = 0; k < refresh.length; k++) {
    refresh[k].hidden = true;
  }
  if (choice) {
    choice.addEventListener("change", applyChoice);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  applyChoice();
  preview();
}());
