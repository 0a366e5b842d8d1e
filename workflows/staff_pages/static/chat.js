/* A small chat widget for the resident web chat and the counter intake page.
   During a hand-off (人工服务) the page's messages go to the staff member ("handoff" in the
   answer, no replies); staff and system messages arrive through incoming(), fed by the long
   poll of /chat/api/updates (chat-page.js).
   Posts to the page's endpoint (the API's proxy to Rasa); renders text, buttons and images;
   when the system is busy it keeps the message, retries with backoff, then asks to resend
   (data-retry-delays="ms,ms,..." on the root overrides the backoff). */
(function () {
  "use strict";
  var RETRY_DELAYS_MS = [1500, 4000, 8000];

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function mount(root, options) {
    var log = root.querySelector(".log");
    var form = root.querySelector(".composer");
    var input = form.querySelector("input[name=text]");
    var endpoint = root.dataset.endpoint;
    var extra = options.extra || {};
    if (root.dataset.session) extra.session = root.dataset.session;
    var headers = { "Content-Type": "application/json" };
    var csrf = document.querySelector('meta[name="csrf"]');
    if (csrf) headers["X-CSRF-Token"] = csrf.content;
    var busy = false;
    // The conversation is kept for this browser tab, so a reload shows it again and does not
    // start the dialogue over.
    var storeKey = "huimin-chat:" + endpoint + ":" + (root.dataset.session || "");
    var stored = load();

    function load() {
      try { return JSON.parse(sessionStorage.getItem(storeKey)) || { start: null, items: [] }; }
      catch (e) { return { start: null, items: [] }; }
    }
    function remember(item) {
      stored.items.push(item);
      if (stored.items.length > 200) stored.items.shift();
      try { sessionStorage.setItem(storeKey, JSON.stringify(stored)); } catch (e) { /* full */ }
    }

    function add(kind, text) {
      var row = el("div", "msg " + kind);
      var bubble = el("div", "bubble", text);
      row.appendChild(bubble);
      log.appendChild(row);
      log.scrollTop = log.scrollHeight;
      return row;
    }

    function renderReply(reply) {
      var row = add("bot", reply.text || (reply.buttons && reply.buttons.length ? "请选择:" : ""));
      if (!reply.text && !(reply.buttons && reply.buttons.length)) row.querySelector(".bubble").remove();
      if (reply.image) { var img = el("img"); img.src = reply.image; img.alt = "图片"; row.appendChild(img); }
      if (reply.link) { var a = el("a", null, reply.link.title); a.href = reply.link.url; a.target = "_blank"; a.rel = "noopener"; row.appendChild(a); }
      if (reply.buttons && reply.buttons.length) {
        var box = el("div", "buttons");
        reply.buttons.forEach(function (b) {
          var button = el("button", null, b.title);
          button.type = "button";
          button.addEventListener("click", function () {
            box.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
            send({ payload: b.payload, signature: b.signature }, b.title);
          });
          box.appendChild(button);
        });
        row.appendChild(box);
      }
    }

    function post(body) {
      var payload = Object.assign({}, extra, body);
      return fetch(endpoint, { method: "POST", headers: headers, credentials: "same-origin", body: JSON.stringify(payload) })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            return { status: response.status, data: data };
          });
        })
        .catch(function () { return { status: 0, data: {} }; });
    }

    function send(body, shown) {
      if (busy) return;
      busy = true;
      if (shown) { add("user", shown); remember({ user: shown }); }
      var attempt = 0;
      var notice = null;
      var delays = root.dataset.retryDelays
        ? root.dataset.retryDelays.split(",").map(Number) : RETRY_DELAYS_MS;
      function done() { busy = false; input.focus(); }
      function tryOnce() {
        post(body).then(function (result) {
          if (result.status === 200) {
            if (notice) notice.remove();
            (result.data.replies || []).forEach(function (reply) {
              renderReply(reply);
              remember({ bot: reply });
            });
            if (result.data.handoff) noteHandoff(result.data.handoff);
            root.dispatchEvent(new CustomEvent("huimin:replied"));
            return done();
          }
          if ((result.status === 503 || result.status === 0) && attempt < delays.length) {
            if (!notice) notice = add("system", "系统暂时繁忙,您的消息已保留,正在自动重试……");
            setTimeout(tryOnce, delays[attempt++]);
            return;
          }
          if (notice) notice.remove();
          if (result.status === 503 || result.status === 0) {
            add("system", "抱歉,系统仍然繁忙,请稍后重新发送。");
            if (body.text) input.value = body.text;
          } else {
            add("system", (result.data && typeof result.data.detail === "string") ? result.data.detail : "发送失败,请重试。");
          }
          done();
        });
      }
      tryOnce();
    }

    var handoffStatus = null;
    function noteHandoff(handoff) {
      var key = handoff.status + ":" + (handoff.staff_display_name || "");
      if (key === handoffStatus) return;
      handoffStatus = key;
      if (handoff.status === "waiting") add("system", "您的留言已转给工作人员,请耐心等待。");
    }

    // A staff or system message of a hand-off ({id, from, text, at}).
    function incoming(message, restoring) {
      var row = add(message.from === "staff" ? "staff" : "system", message.text);
      row.dataset.messageId = message.id;
      if (message.from === "staff") row.insertBefore(el("span", "who", "工作人员"), row.firstChild);
      if (!restoring) remember({ incoming: message });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text || busy) return;
      input.value = "";
      send({ text: text }, text);
    });

    stored.items.forEach(function (item) {
      if (item.user) add("user", item.user);
      else if (item.incoming) incoming(item.incoming, true);
      else renderReply(item.bot);
    });
    var start = root.dataset.start || null;
    if (!stored.items.length || (start && start !== stored.start)) {
      stored.start = start;
      send({ start: start });
    }
    // Forget this conversation in the tab: its stored messages and what is on screen.
    function forget() {
      stored = { start: null, items: [] };
      try { sessionStorage.removeItem(storeKey); } catch (e) { /* unavailable */ }
      log.replaceChildren();
    }

    return { send: send, forget: forget, incoming: incoming };
  }

  window.HuiminChat = { mount: mount };
})();
