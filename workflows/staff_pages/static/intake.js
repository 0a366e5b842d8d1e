/* Counter intake: the form beside the chat follows the Rasa tracker's slots, and a field can be
   corrected directly (the API sets the slot through Rasa's tracker events). */
(function () {
  "use strict";
  var chat = document.getElementById("chat");
  var formBox = document.getElementById("form");
  var session = formBox.dataset.session;
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var fields = document.getElementById("fields");
  var correction = document.getElementById("correction");
  var errorBox = document.getElementById("form-error");

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function render(rows) {
    rows.forEach(function (row) {
      var tr = fields.querySelector('tr[data-slot="' + row.slot + '"]');
      if (!tr) return;
      tr.querySelector(".value").textContent = row.value;
      tr.classList.toggle("filled", row.filled);
    });
  }

  function refresh() {
    return fetch("/staff/intake/api/form?s=" + encodeURIComponent(session), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (result) {
        if (result.status === 200) { showError(""); render(result.data.fields); }
        else showError(result.data.detail || "申请表暂时无法刷新");
      })
      .catch(function () { showError("申请表暂时无法刷新"); });
  }

  fields.addEventListener("click", function (event) {
    var button = event.target.closest("button.edit");
    if (!button) return;
    var tr = button.closest("tr");
    correction.hidden = false;
    correction.slot.value = tr.dataset.slot;
    correction.value.value = tr.querySelector(".value").textContent;
    document.getElementById("correction-label").textContent = tr.querySelector("th").textContent;
    correction.value.focus();
  });

  document.getElementById("correction-cancel").addEventListener("click", function () {
    correction.hidden = true;
  });

  correction.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch("/staff/intake/api/form", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ session: session, slot: correction.slot.value, value: correction.value.value })
    })
      .then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (result) {
        if (result.status === 200) { correction.hidden = true; showError(""); render(result.data.fields); }
        else showError(typeof result.data.detail === "string" ? result.data.detail : "更正未保存");
      })
      .catch(function () { showError("更正未保存,请重试"); });
  });

  chat.addEventListener("huimin:replied", refresh);
  // The tracker also changes without a reply here (actions, corrections): poll while visible.
  setInterval(function () { if (!document.hidden && correction.hidden) refresh(); }, 8000);
  window.HuiminChat.mount(chat, {});
})();
