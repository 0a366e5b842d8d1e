/* 待处理提醒: asks /staff/alerts/api at once, then again and again with a long poll (the server
   answers as soon as an urgent visit alert arrives or one is acknowledged, else after 25 s).
   Asking also delivers the township's waiting alerts. Fills the nav badge and the banner under
   the header; each alert has an 已知悉 button (a plain form post, as on /staff/alerts). */
(function () {
  "use strict";
  var banner = document.getElementById("township-alerts");
  var badge = document.getElementById("alert-count");
  if (!banner) return;
  var csrf = banner.dataset.csrf;
  var WAIT_SECONDS = 25;
  var RETRY_MS = 10000;
  var known = "";

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
    known = data.alerts.map(function (a) { return a.id; }).sort(function (a, b) { return a - b; }).join(",");
  }

  function poll(wait) {
    var url = "/staff/alerts/api?wait=" + wait + "&known=" + known;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) { show(data); poll(WAIT_SECONDS); })
      .catch(function () { known = ""; setTimeout(function () { poll(0); }, RETRY_MS); });
  }

  poll(0);
})();
