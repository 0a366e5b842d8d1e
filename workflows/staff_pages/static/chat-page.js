/* The resident web chat page: mount the chat, and "结束会话" for shared devices: the server
   forgets this browser's conversation id (cookie), the page forgets the messages, and the
   reload starts a new conversation with a new id. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var chat = window.HuiminChat.mount(root, {});
  var end = document.getElementById("end-session");
  if (!end) return;
  end.addEventListener("click", function () {
    end.disabled = true;
    fetch("/chat/api/end", { method: "POST", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
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
