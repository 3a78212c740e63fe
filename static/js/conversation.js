// The mention picker on a card's comment form: an ARIA combobox whose list htmx fills as the
// person types. Choosing someone writes "@Name" into the comment and remembers their id.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("[data-mention-picker]").forEach(function (picker) {
      picker.hidden = false;
    });
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled])'));
  }

  function close(input, list) {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function activate(input, list, index) {
    var items = options(list);
    if (!items.length) return;
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[index].id);
  }

  function choose(picker, option) {
    var form = picker.closest("form");
    var body = form.querySelector("textarea");
    var input = picker.querySelector('[role="combobox"]');
    var list = picker.querySelector('[role="listbox"]');
    var text = body.value;
    body.value = text + (text && !/\s$/.test(text) ? " " : "") + "@" + option.dataset.name + " ";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "mention";
    hidden.value = option.dataset.userId;
    picker.querySelector("[data-mention-picked]").appendChild(hidden);
    input.value = "";
    close(input, list);
    body.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    reveal(document);
    var list = event.target;
    if (list && list.id === "mention-options") {
      var input = document.getElementById("mention-search");
      var items = options(list);
      list.hidden = list.children.length === 0;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      if (items.length) activate(input, list, 0);
    }
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input || input.id !== "mention-search") return;
    var list = document.getElementById("mention-options");
    var items = options(list);
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      activate(input, list, current + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      // Enter picks the highlighted person instead of sending the comment.
      event.preventDefault();
      if (!list.hidden && current >= 0) choose(input.closest("[data-mention-picker]"), items[current]);
    } else if (event.key === "Escape") {
      close(input, list);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('#mention-options [role="option"]');
    if (option && !option.hasAttribute("aria-disabled")) {
      choose(option.closest("[data-mention-picker]"), option);
    }
  });
})();
