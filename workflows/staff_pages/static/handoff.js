/* The hand-off conversation page: new messages and status changes arrive by server-sent events
   (/staff/handoffs/{id}/events); replies are posted without leaving the page; quick replies and
   cited knowledge-base answers fill the reply box. Without script the forms still work. */
(function () {
  "use strict";
  var root = document.getElementById("handoff");
  if (!root) return;
  var id = root.dataset.handoffId;
  var log = root.querySelector(".handoff-log");
  var state = root.querySelector(".live-state");
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var lastId = Number(root.dataset.lastId || 0);
  var status = root.dataset.status;

  function kind(from) { return from === "staff" ? "user" : (from === "resident" ? "bot" : "system"); }

  function show(message) {
    if (message.id <= lastId) return;
    lastId = message.id;
    var row = document.createElement("div");
    row.className = "msg " + kind(message.from);
    row.dataset.messageId = message.id;
    var who = document.createElement("span");
    who.className = "muted who";
    who.textContent = message.who || "";
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = message.text;
    row.appendChild(who);
    row.appendChild(bubble);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }

  // A form that leaves the page (claim, transfer, close): stop listening, so a status event
  // caused by that very form does not reload the page under its answer.
  var leaving = false;
  var source = null;
  root.querySelectorAll("form.claim, form.transfer, form.close").forEach(function (form) {
    form.addEventListener("submit", function () { leaving = true; if (source) source.close(); });
  });

  if (window.EventSource) {
    source = new EventSource("/staff/handoffs/" + id + "/events?after=" + lastId);
    source.addEventListener("open", function () { if (state) state.textContent = "实时更新中"; });
    source.addEventListener("error", function () { if (state) state.textContent = "连接中断,正在重连……"; });
    source.addEventListener("message", function (event) { show(JSON.parse(event.data)); });
    source.addEventListener("status", function (event) {
      var data = JSON.parse(event.data);
      if (data.status !== status && !leaving) {
        status = data.status;
        root.dataset.status = status;
        // another staff member claimed or closed it, or it was transferred: show the new state
        if (status === "closed" || (status === "active" && !root.querySelector(".reply"))) location.reload();
      }
    });
    source.addEventListener("gone", function () { source.close(); if (!leaving) location.href = "/staff/handoffs"; });
  }

  var reply = root.querySelector("form.reply");
  if (reply) {
    var box = reply.querySelector("textarea");
    reply.querySelectorAll("button.quick").forEach(function (button) {
      button.addEventListener("click", function () { box.value = button.dataset.text; box.focus(); });
    });
    reply.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) return;
      var body = new URLSearchParams({ text: text, csrf: csrf });
      var send = reply.querySelector('button[type="submit"]');
      send.disabled = true;
      fetch(reply.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 204) { box.value = ""; var claim = root.querySelector("form.claim"); if (claim) claim.remove(); return; }
          return response.text().then(function () { alert("发送失败(" + response.status + "),请刷新页面后重试。"); });
        })
        .catch(function () { alert("网络异常,回复未发送,请重试。"); })
        .then(function () { send.disabled = false; box.focus(); });
    });
  }

  var knowledge = root.querySelector("form.knowledge");
  if (knowledge && reply) {
    var note = knowledge.querySelector(".knowledge-state");
    knowledge.addEventListener("submit", function (event) {
      event.preventDefault();
      var question = knowledge.querySelector("input[name=question]").value.trim();
      if (!question) { note.textContent = "请输入要查询的问题"; return; }
      note.textContent = "查询中……";
      fetch(knowledge.dataset.endpoint, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf },
        body: new URLSearchParams({ question: question })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (response.status !== 200) { note.textContent = data.detail || "查询失败"; return; }
          var box = reply.querySelector("textarea");
          box.value = (box.value ? box.value + "\n" : "") + data.text;
          note.textContent = "已插入回复框,请核对后发送";
        });
      }).catch(function () { note.textContent = "网络异常,请重试"; });
    });
  }
})();
