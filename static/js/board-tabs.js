// On a phone the board shows one column at a time: the stage tabs (each with its count) above
// the columns, which lie side by side in a box that snaps to a column as it is swiped. A tap
// on a tab, or the arrow keys, Home and End in the tab row, bring its column into view; a
// swipe selects the tab of the column it ends on; the focus moving into a column (Tab, a
// card's move) brings that column. Every column stays in the page, so the cards' moves, the
// freshness redraw and a screen reader reading on find them all. Without JavaScript, or on a
// wider screen, the columns stand as they are (stacked on a phone).
(function () {
  "use strict";

  var PHONE = window.matchMedia("(width <= 48rem)");
  var chosen = null; // the stage shown, kept across the board's redraws

  function board() {
    return document.querySelector("#board .board");
  }

  function columns(container) {
    return Array.prototype.slice.call(container.querySelectorAll(":scope > .column"));
  }

  function stageOf(column) {
    var list = column.querySelector(".cards[data-stage]");
    return list ? list.dataset.stage : "";
  }

  function countOf(column) {
    var count = document.getElementById("count-" + stageOf(column));
    var number = count ? parseInt(count.textContent.trim(), 10) : NaN;
    return isNaN(number) ? column.dataset.count || "0" : String(number);
  }

  function tabsOf(container) {
    var list = container.previousElementSibling;
    return list && list.classList.contains("board-tabs") ? list : null;
  }

  function reducedMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function bringIntoView(container, column, smooth) {
    var left = container.scrollLeft + column.getBoundingClientRect().left - container.getBoundingClientRect().left;
    container.scrollTo({ left: left, behavior: smooth && !reducedMotion() ? "smooth" : "auto" });
  }

  function select(container, stage, options) {
    var tabs = tabsOf(container);
    if (!tabs) return;
    chosen = stage;
    tabs.querySelectorAll("[role=tab]").forEach(function (tab) {
      var on = tab.dataset.stage === stage;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      if (on && options.focus) tab.focus();
    });
    var column = columns(container).filter(function (c) { return stageOf(c) === stage; })[0];
    if (column && options.scroll) bringIntoView(container, column, options.smooth);
  }

  function build(container) {
    var tabs = document.createElement("div");
    tabs.className = "board-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", container.dataset.tabsLabel || "");
    columns(container).forEach(function (column) {
      var stage = stageOf(column);
      var name = column.querySelector(".stage-name");
      column.id = "column-" + stage;
      column.setAttribute("role", "tabpanel");
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = "tab-" + stage;
      tab.dataset.stage = stage;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", column.id);
      var label = document.createElement("span");
      label.textContent = name ? name.textContent.trim() : stage;
      var count = document.createElement("span");
      count.className = "tab-count";
      count.textContent = countOf(column);
      tab.append(label, " ", count);
      tabs.append(tab);
    });
    container.before(tabs);
    container.classList.add("has-tabs");
    var focusedCard = document.activeElement && document.activeElement.closest(".board .column");
    var stages = columns(container).map(stageOf);
    var stage = focusedCard ? stageOf(focusedCard) : chosen;
    if (stages.indexOf(stage) < 0) stage = stages[0];
    select(container, stage, { scroll: true, smooth: false });
  }

  function tearDown(container) {
    var tabs = tabsOf(container);
    if (tabs) tabs.remove();
    container.classList.remove("has-tabs");
    columns(container).forEach(function (column) {
      column.removeAttribute("role");
    });
  }

  // The tabs' counts follow the column counts (changed by a move, out of band).
  function recount(container) {
    var tabs = tabsOf(container);
    if (!tabs) return;
    columns(container).forEach(function (column) {
      var count = tabs.querySelector("#tab-" + stageOf(column) + " .tab-count");
      var number = countOf(column);
      if (count && count.textContent !== number) count.textContent = number;
    });
  }

  function sync() {
    var container = board();
    if (!container) return;
    if (!PHONE.matches) {
      tearDown(container);
      return;
    }
    if (!tabsOf(container)) build(container);
    else recount(container);
  }

  var pending = false;
  function syncSoon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      sync();
    });
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest(".board-tabs [role=tab]");
    var container = board();
    if (!tab || !container) return;
    select(container, tab.dataset.stage, { scroll: true, smooth: true });
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest(".board-tabs [role=tab]");
    var container = board();
    if (!tab || !container) return;
    var tabs = Array.prototype.slice.call(tab.parentElement.querySelectorAll("[role=tab]"));
    var index = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (event.key === "Home") next = tabs[0];
    else if (event.key === "End") next = tabs[tabs.length - 1];
    else if (event.key === "Tab" && !event.shiftKey) {
      // On into the column shown, not into the first column of the row.
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      var first = panel && panel.querySelector("a[href], button:not([disabled]), input, select, textarea");
      if (first) {
        event.preventDefault();
        first.focus();
      }
      return;
    }
    if (!next) return;
    event.preventDefault();
    select(container, next.dataset.stage, { scroll: true, smooth: true, focus: true });
  });

  // The focus entering a column shows that column.
  document.addEventListener("focusin", function (event) {
    var container = board();
    if (!container || !tabsOf(container) || !container.contains(event.target)) return;
    var column = event.target.closest(".column");
    if (column && stageOf(column) !== chosen) {
      select(container, stageOf(column), { scroll: true, smooth: false });
    }
  });

  // A swipe ends on a column: its tab is selected.
  var settling = null;
  document.addEventListener("scroll", function (event) {
    var container = board();
    if (!container || event.target !== container || !tabsOf(container)) return;
    window.clearTimeout(settling);
    settling = window.setTimeout(function () {
      var box = container.getBoundingClientRect();
      var nearest = null;
      var distance = Infinity;
      columns(container).forEach(function (column) {
        var away = Math.abs(column.getBoundingClientRect().left - box.left);
        if (away < distance) {
          distance = away;
          nearest = column;
        }
      });
      if (nearest && stageOf(nearest) !== chosen) select(container, stageOf(nearest), {});
    }, 120);
  }, true);

  function start() {
    sync();
    var main = document.querySelector("main") || document.body;
    new MutationObserver(function (mutations) {
      for (var i = 0; i < mutations.length; i++) {
        var target = mutations[i].target;
        var element = target.nodeType === 1 ? target : target.parentElement;
        if (!(element && element.closest(".board-tabs"))) {
          syncSoon();
          return;
        }
      }
    }).observe(main, { childList: true, subtree: true, characterData: true });
    if (PHONE.addEventListener) PHONE.addEventListener("change", sync);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
