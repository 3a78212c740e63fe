// Keyboard moves on the board and focus that follows the card after htmx redraws it.
// Everything here is an extra: without JavaScript every action is a plain form.
(function () {
  "use strict";

  let lastMovedCard = null;

  document.addEventListener("keydown", function (event) {
    if (!event.shiftKey || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    const target = event.target;
    if (target.matches("input, textarea, select")) return;
    const card = target.closest("[data-card]");
    if (!card) return;
    const button = card.querySelector(event.key === "ArrowRight" ? "[data-move=next]" : "[data-move=back]");
    if (!button) return;
    event.preventDefault();
    button.click();
  });

  document.addEventListener("submit", function (event) {
    const card = event.target.closest("[data-card]");
    lastMovedCard = card ? card.dataset.card : null;
  });

  // htmx restores focus to an element with the same id; when that control is gone
  // (a card moved into Done has no "next" button) focus returns to the card itself.
  document.addEventListener("htmx:afterSettle", function () {
    if (lastMovedCard && (document.activeElement === document.body || !document.activeElement)) {
      const card = document.getElementById("card-" + lastMovedCard);
      if (card) card.focus();
    }
    const conflict = document.getElementById("conflict");
    if (conflict) conflict.focus();
    lastMovedCard = null;
  });
})();
