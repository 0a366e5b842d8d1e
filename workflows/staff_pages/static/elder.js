/* 长辈版: a "读给我听" button under every answer (speechSynthesis, zh-CN) and the phone line
   under every answer; also [data-speak="#id"] buttons that read a block (the service plan).
   No inline script (the pages' CSP). */
(function () {
  "use strict";
  function speak(text) {
    if (!("speechSynthesis" in window)) return;
    window.speechSynthesis.cancel();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.85;
    window.speechSynthesis.speak(utterance);
  }
  function speakButton(getText) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "speak";
    button.textContent = "读给我听";
    button.addEventListener("click", function () { speak(getText()); });
    return button;
  }
  var root = document.getElementById("chat");
  if (root) {
    var phone = root.dataset.elderPhone || "";
    var decorate = function (row) {
      if (!row.classList || !row.classList.contains("bot") || row.dataset.elder) return;
      var bubble = row.querySelector(".bubble");
      if (!bubble) return;
      row.dataset.elder = "1";
      var said = bubble.textContent;
      if (phone) {
        var line = document.createElement("span");
        line.className = "bubble-phone";
        line.textContent = phone;
        bubble.appendChild(line);
      }
      row.appendChild(speakButton(function () { return said; }));
    };
    var log = root.querySelector(".log");
    log.querySelectorAll(".msg.bot").forEach(decorate);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) { change.addedNodes.forEach(decorate); });
    }).observe(log, { childList: true });
  }
  document.querySelectorAll("[data-speak]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.dataset.speak);
      if (target) speak(target.innerText);
    });
  });
})();
