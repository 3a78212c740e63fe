// The board's moves (one stage list for every card, drag and drop, Shift+arrows), messages
// that are announced and focused, and new cards brought into view. Everything here is an
// extra: without JavaScript every action is a plain form.
(function () {
  "use strict";

  const STAGES = ["idea", "plan", "do", "check", "act", "done"];

  // ---- live messages ------------------------------------------------------------------

  function say(message, category) {
    const region = document.getElementById("messages");
    if (!region) return;
    const line = document.createElement("p");
    line.className = "message message-" + (category || "success");
    line.textContent = message;
    region.replaceChildren(line);
  }

  function highlight(element) {
    element.scrollIntoView({ block: "center", behavior: "smooth" });
    element.classList.add("is-new");
    window.setTimeout(function () { element.classList.remove("is-new"); }, 4000);
  }

  // Focus on what was just made or changed (a comment posted): what it is, is read out next.
  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // A server answer may ask for an announcement (lean/shared/web.py announce()), and for an
  // element to be highlighted or focused.
  document.addEventListener("vertaa:announce", function (event) {
    const detail = event.detail || {};
    if (detail.message) say(detail.message);
    if (detail.element || detail.focus) {
      // The answer's content is settled after its trigger header: wait for it.
      document.addEventListener("htmx:afterSettle", function once() {
        document.removeEventListener("htmx:afterSettle", once);
        const element = detail.element && document.getElementById(detail.element);
        if (element) highlight(element);
        const focused = detail.focus && document.getElementById(detail.focus);
        if (focused) focusOn(focused);
      });
    }
  });

  // A message the page came with (the answer to a plain form, e.g. a move in the stand-up) is
  // in the live region before a screen reader listens to it: once the page is read, the
  // message is put in again, unchanged, so that it is heard as a change.
  document.addEventListener("DOMContentLoaded", function () {
    const region = document.getElementById("messages");
    if (!region || !region.textContent.trim()) return;
    const messages = Array.from(region.childNodes);
    window.setTimeout(function () {
      if (region.contains(document.activeElement)) return;
      if (messages.some(function (message) { return !message.isConnected; })) return;
      region.replaceChildren();
      region.append.apply(region, messages);
    }, 500);
  });

  // ---- moving cards ---------------------------------------------------------------------

  function board() {
    return document.querySelector(".board[data-place-url]");
  }

  function placeCard(card, stage, afterId) {
    const container = board();
    if (!container || !window.htmx) return;
    const query = container.dataset.query ? "?" + container.dataset.query : "";
    const url = container.dataset.placeUrl + card.dataset.card + "/place" + query;
    lastMovedCard = card.dataset.card;
    window.htmx.ajax("POST", url, {
      source: card,
      target: card,
      swap: "outerHTML",
      values: { stage: stage, after: afterId || "" },
    });
  }

  // A move from the stage list or the keyboard puts the card at the end of its new column.
  function moveCard(card, stage) {
    if (!stage || stage === card.dataset.stage) return;
    const list = document.getElementById("cards-" + stage);
    if (!list) return;
    const last = list.querySelector(":scope > .card:last-of-type");
    list.append(card);
    placeCard(card, stage, last ? last.dataset.card : "");
  }

  let lastMovedCard = null;
  let dialogCard = null;

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.matches(".card .move")) return;
    const dialog = document.getElementById("move-dialog");
    if (!dialog || typeof dialog.showModal !== "function" || !board()) return;
    event.preventDefault();
    dialogCard = form.closest(".card");
    const title = dialogCard.querySelector(".card-title");
    document.getElementById("move-dialog-card").textContent = title ? title.textContent.trim() : "";
    dialog.querySelectorAll("button[name=stage]").forEach(function (button) {
      const here = button.value === dialogCard.dataset.stage;
      button.disabled = here;
      if (here) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    dialog.returnValue = "";
    dialog.showModal();
  });

  document.addEventListener("close", function (event) {
    if (event.target.id !== "move-dialog" || !dialogCard) return;
    const card = dialogCard;
    dialogCard = null;
    const stage = event.target.returnValue;
    if (stage) moveCard(card, stage);
    else {
      const button = card.querySelector(".move-button");
      if (button) button.focus();
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (!event.shiftKey || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    const target = event.target;
    if (target.matches("input, textarea, select")) return;
    const card = target.closest(".card[data-card]");
    if (!card || !board()) return;
    const index = STAGES.indexOf(card.dataset.stage) + (event.key === "ArrowRight" ? 1 : -1);
    if (index < 0 || index >= STAGES.length) return;
    event.preventDefault();
    moveCard(card, STAGES[index]);
  });

  // Drag and drop, mouse and touch, between columns and within one (SortableJS).
  function enableDragging(root) {
    if (!window.Sortable || !board()) return;
    root.querySelectorAll(".board[data-place-url] .cards").forEach(function (list) {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "on";
      window.Sortable.create(list, {
        group: "board",
        draggable: ".card",
        filter: "a, button, input, select",
        preventOnFilter: false,
        delay: 150,
        delayOnTouchOnly: true,
        animation: 120,
        ghostClass: "is-dragged",
        onEnd: function (event) {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          const card = event.item;
          const before = card.previousElementSibling;
          placeCard(card, event.to.dataset.stage, before && before.dataset.card);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enableDragging(document); });
  document.addEventListener("htmx:load", function (event) { enableDragging(document); void event; });

  // ---- the Undo of a move ----------------------------------------------------------------
  // "Card moved to Do — Undo" (templates/boards/_undo.html) goes after 10 seconds, but not from
  // under the pointer or the keyboard focus; the server refuses a late undo anyway.

  const UNDO_MILLISECONDS = 10000;

  function timeUndoMessages() {
    document.querySelectorAll(".undo-message:not([data-timed])").forEach(function (message) {
      message.dataset.timed = "on";
      function leave() {
        if (!message.isConnected) return;
        if (message.matches(":hover") || message.contains(document.activeElement)) {
          window.setTimeout(leave, 2000);
          return;
        }
        message.classList.add("is-leaving");
        window.setTimeout(function () {
          const region = message.parentElement;
          message.remove();
          if (region && !region.children.length) region.replaceChildren();
        }, 400);
      }
      window.setTimeout(leave, UNDO_MILLISECONDS);
    });
  }

  document.addEventListener("DOMContentLoaded", timeUndoMessages);
  document.addEventListener("htmx:afterSettle", timeUndoMessages);

  // After the undo the card's Move button has the focus again, in the column it is back in.
  document.addEventListener("submit", function (event) {
    const message = event.target.closest(".undo-message");
    if (message && board()) lastMovedCard = message.dataset.undoCard;
  });

  // ---- focus after a swap ---------------------------------------------------------------

  // A move sent with its reason for going over a work-in-progress limit: the card's Move
  // button has the focus after it (templates/boards/_over_limit_reason.html).
  document.addEventListener("submit", function (event) {
    const form = event.target.closest(".over-limit-form[data-card]");
    if (form && board()) lastMovedCard = form.dataset.card;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // A move refused or waiting for its reason (422): focus goes to the question below.
    if (event.detail && event.detail.xhr && event.detail.xhr.status === 422) lastMovedCard = null;
    if (lastMovedCard) {
      const card = document.getElementById("card-" + lastMovedCard);
      lastMovedCard = null;
      if (card) {
        const button = card.querySelector(".move-button");
        (button || card).focus();
        return;
      }
    }
    // After a refused form (422) or a conflict (409), focus goes to what names the problem,
    // and the live region says it.
    const status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    if (status !== 422 && status !== 409) return;
    const swapped = event.detail.target;
    const scope = (swapped && swapped.id && document.getElementById(swapped.id)) || document;
    const problem = scope.querySelector(
      "#conflict, .conflict, .error-summary, .form-errors, [aria-invalid=true]"
    );
    if (!problem) return;
    if (problem.matches("input, select, textarea")) {
      problem.focus();
      const message = document.getElementById(
        (problem.getAttribute("aria-describedby") || "").split(" ").pop()
      );
      if (message) say(message.textContent.trim(), "error");
      return;
    }
    if (!problem.hasAttribute("tabindex")) problem.setAttribute("tabindex", "-1");
    problem.focus();
    say(problem.textContent.trim().replace(/\s+/g, " ").slice(0, 300), "error");
  });
})();
