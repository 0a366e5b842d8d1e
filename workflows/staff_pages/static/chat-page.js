/* The resident web chat page: mount the chat, and "结束会话" for shared devices: the server
   forgets this browser's conversation id (cookie), the page forgets the messages, and the
   reload starts a new conversation with a new id. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var chat = window.HuiminChat.mount(root, {});
  // Staff and system messages of a hand-off: a long poll, answered as soon as one is there.
  var CURSOR_KEY = "huimin-chat-cursor";
  var stopped = false;
  function cursor() { try { return sessionStorage.getItem(CURSOR_KEY); } catch (e) { return null; } }
  function poll() {
    if (stopped) return;
    var after = cursor();
    var url = "/chat/api/updates?wait=20" + (after ? "&after=" + encodeURIComponent(after) : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (data) {
        (data.messages || []).forEach(function (message) { chat.incoming(message); });
        if (data.cursor !== null && data.cursor !== undefined) {
          try { sessionStorage.setItem(CURSOR_KEY, String(data.cursor)); } catch (e) { /* unavailable */ }
        }
        setTimeout(poll, 0);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
  var end = document.getElementById("end-session");
  if (!end) return;
  end.addEventListener("click", function () {
    end.disabled = true;
    fetch("/chat/api/end", { method: "POST", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        stopped = true;
        try { sessionStorage.removeItem(CURSOR_KEY); } catch (e) { /* unavailable */ }
        chat.forget();
        window.location.replace("/chat");
      })
      .catch(function () {
        end.disabled = false;
        var row = document.createElement("div");
        row.className = "msg system";
        var bubble = document.createElement("div");
        bubble.className = "bubble";
        bubble.textContent = "结束会话失败,请重试。";
        row.appendChild(bubble);
        root.querySelector(".log").appendChild(row);
      });
  });
})();
