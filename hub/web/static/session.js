// The session notice: warns before the session ends, renews it on "Stay signed in" (or by itself when the person
// has been working on the page), and says so when it has ended - also when an as-you-type check finds it ended.
(function () {
  "use strict";
  var notice = document.getElementById("session-notice");
  if (!notice) return;
  var warnMs = Number(notice.dataset.warnSeconds) * 1000;
  var deadline = Date.now() + Number(notice.dataset.secondsLeft) * 1000;
  var lastActivity = 0;
  var timer = null;
  var stay = notice.querySelector(".stay");

  function show(ended) {
    notice.hidden = false;
    notice.querySelector(".ending").hidden = ended;
    notice.querySelector(".ended").hidden = !ended;
    stay.hidden = ended;
    notice.querySelector(".again").hidden = !ended;
    (ended ? notice.querySelector(".again") : stay).focus();
  }

  function schedule() {
    clearTimeout(timer);
    var left = deadline - Date.now();
    if (left <= 0) return show(true);
    if (left > warnMs) {
      timer = setTimeout(onWarn, left - warnMs);
    } else {
      timer = setTimeout(schedule, left);
    }
  }

  function onWarn() {
    if (Date.now() - lastActivity < warnMs) {
      renew(true);
    } else {
      show(false);
      timer = setTimeout(schedule, Math.max(0, deadline - Date.now()));
    }
  }

  function renew(silent) {
    var body = new URLSearchParams();
    body.append(notice.dataset.csrfField, notice.dataset.csrf);
    fetch("/session/renew", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: body
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (answer) {
      deadline = Date.now() + answer.seconds_left * 1000;
      notice.hidden = true;
      schedule();
    }).catch(function () {
      if (silent) {
        show(false);
        timer = setTimeout(schedule, Math.max(0, deadline - Date.now()));
      } else {
        show(true);
      }
    });
  }

  stay.addEventListener("click", function () { renew(false); });
  ["keydown", "input", "click"].forEach(function (name) {
    document.addEventListener(name, function () { lastActivity = Date.now(); }, true);
  });
  // An as-you-type check after the session ended: its old answer no longer holds, and the sign-in is offered.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (!event.detail || !event.detail.xhr || event.detail.xhr.status !== 401) return;
    if (event.detail.target) event.detail.target.textContent = "";
    show(true);
  });
  schedule();
})();
