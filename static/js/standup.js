// The stand-up view: arrow keys for the next and previous card, and the running timer.
// Everything here is an extra: without JavaScript the links, forms and start time still work.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const target = event.target;
    if (target.matches && target.matches("input, textarea, select, [contenteditable]")) return;
    const link = document.getElementById(event.key === "ArrowRight" ? "next-card" : "previous-card");
    if (!link) return;
    event.preventDefault();
    link.click();
  });

  // After moving to another card, focus the card so that Tab reaches its actions first.
  document.addEventListener("DOMContentLoaded", function () {
    const card = document.getElementById("current-card");
    if (card && window.location.hash === "#current-card") card.focus();
    const conflict = document.getElementById("conflict");
    if (conflict) conflict.focus();
  });

  // On the wall the card's texts flow around its actions and on below them, across the whole
  // card (the CSS of .flows): the actions' height is measured here, as CSS cannot, and followed
  // as it changes. Without this the texts keep a column of their own beside the actions.
  function flowTexts() {
    const body = document.querySelector("#current-card .standup-card-body");
    const status = body && body.querySelector(".standup-card-status");
    if (!status || body.classList.contains("flows") || !window.ResizeObserver) return;
    new ResizeObserver(function () {
      body.style.setProperty("--status-height", status.offsetHeight + "px");
    }).observe(status);
    body.style.setProperty("--status-height", status.offsetHeight + "px");
    body.classList.add("flows");
  }

  document.addEventListener("DOMContentLoaded", flowTexts);
  // The view redrawn in place when the stand-up moves on (freshness.js) is new content.
  document.addEventListener("htmx:load", flowTexts);

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  function clock(seconds) {
    return Math.floor(seconds / 60) + ":" + pad(seconds % 60);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const timer = document.getElementById("standup-timer");
    if (!timer) return;
    const started = Date.parse(timer.dataset.started);
    const planned = Number(timer.dataset.minutes) * 60;
    const text = timer.querySelector(".timer-text");
    if (Number.isNaN(started) || !text) return;
    function tick() {
      const elapsed = Math.max(0, Math.floor((Date.now() - started) / 1000));
      const over = elapsed > planned;
      text.textContent = clock(elapsed) + " / " + clock(planned) + " " +
        (over ? timer.dataset.labelOver : timer.dataset.labelElapsed);
      timer.classList.toggle("is-over", over);
    }
    tick();
    window.setInterval(tick, 1000);
  });
})();
