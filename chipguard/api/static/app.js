// chipguard analyst UI: the only script. Asks before irreversible actions (forms with data-confirm) and
// follows a background job's progress (#job-progress). Everything works without it: the confirmation is
// skipped and a job's page refreshes itself (<noscript> meta refresh).
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A job's page: poll its status every second while it is queued or running, move the progress bar and the
// counts, and reload the page once it is done, failed or cancelled (the server then renders the results).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("job-progress");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var status = box.getAttribute("data-status");
  if (status !== "queued" && status !== "running") {
    return;
  }
  function number(value) {
    return Number(value).toLocaleString("en-US");
  }
  function set(id, text) {
    var element = document.getElementById(id);
    if (element) {
      element.textContent = text;
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        var bar = document.getElementById("job-bar");
        if (bar) {
          bar.max = job.total;
          bar.value = job.done;
        }
        set("job-done", number(job.done));
        set("job-total", number(job.total));
        set("job-hits", number(job.with_hits));
        set("job-alerts", number(job.alerts));
        set("job-status", job.status);
        var badge = document.getElementById("job-status");
        if (badge) {
          badge.className = "badge badge-job-" + job.status;
        }
        var waiting = document.getElementById("job-waiting");
        if (waiting && job.status !== "queued") {
          waiting.hidden = true;
        }
        if (job.snapshots && job.snapshots.length) {
          set("job-snapshots", job.snapshots.join(", "));
        }
        box.setAttribute("data-status", job.status);
        if (job.status === "done" || job.status === "failed" || job.status === "cancelled") {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000); // a restart or a network blip: keep following, more slowly
      });
  }
  window.setTimeout(poll, 500);
});
