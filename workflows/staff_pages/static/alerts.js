/* 待处理提醒: asks /staff/alerts/api at once and every 10 s (this also delivers the township's
   waiting urgent visit alerts), fills the nav badge and the banner under the header; each alert
   has an 已知悉 button (a plain form post, so it works as on /staff/alerts). */
(function () {
  "use strict";
  var banner = document.getElementById("township-alerts");
  var badge = document.getElementById("alert-count");
  if (!banner) return;
  var csrf = banner.dataset.csrf;
  var POLL_MS = 10000;

  function item(alert) {
    var row = document.createElement("div");
    row.className = "alert-item";
    row.dataset.alertId = alert.id;
    var text = document.createElement("span");
    text.textContent = alert.text;
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/staff/alerts/" + alert.id + "/ack";
    [["csrf", csrf], ["back", location.pathname + location.search]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = "已知悉";
    form.appendChild(button);
    row.appendChild(text);
    row.appendChild(form);
    return row;
  }

  function show(data) {
    if (badge) {
      badge.textContent = String(data.count);
      badge.hidden = data.count === 0;
    }
    banner.replaceChildren.apply(banner, data.alerts.map(item));
    banner.hidden = data.alerts.length === 0;
  }

  function poll() {
    fetch("/staff/alerts/api", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* the next poll tries again */ });
  }

  poll();
  setInterval(poll, POLL_MS);
})();
