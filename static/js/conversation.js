// The mention picker of a card's comment forms (the new comment and the one being edited): an
// ARIA combobox whose list htmx fills as the person types. Choosing someone writes "@Name" into
// that form's comment and remembers their id. And the bell in the top bar, which keeps its
// unread count fresh on an open page.
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

  function parts(picker) {
    return {
      input: picker.querySelector("[data-mention-search]"),
      list: picker.querySelector("[data-mention-options]"),
    };
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
    var body = picker.closest("form").querySelector("textarea");
    var picked = parts(picker);
    var text = body.value;
    body.value = text + (text && !/\s$/.test(text) ? " " : "") + "@" + option.dataset.name + " ";
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "mention";
    hidden.value = option.dataset.userId;
    picker.querySelector("[data-mention-picked]").appendChild(hidden);
    picked.input.value = "";
    close(picked.input, picked.list);
    body.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function () { reveal(document); });
  // Right after a list's swap, in the same task, so that the input never points at an option
  // that is gone (a later answer to an earlier keystroke replaces the list).
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.target;
    if (!list || !list.matches || !list.matches("[data-mention-options]")) return;
    var input = parts(list.closest("[data-mention-picker]")).input;
    // Each list names its options after itself, so that two pickers never share an id.
    list.querySelectorAll('[role="option"]').forEach(function (item, i) {
      item.id = list.id + "-" + i;
    });
    var items = options(list);
    list.hidden = list.children.length === 0;
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    input.removeAttribute("aria-activedescendant");
    if (items.length) activate(input, list, 0);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("[data-mention-search]")) return;
    var picker = input.closest("[data-mention-picker]");
    var list = parts(picker).list;
    var items = options(list);
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      activate(input, list, current + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      // Enter picks the highlighted person instead of sending the comment.
      event.preventDefault();
      if (!list.hidden && current >= 0) choose(picker, items[current]);
    } else if (event.key === "Escape") {
      close(input, list);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('[data-mention-options] [role="option"]');
    if (option && !option.hasAttribute("aria-disabled")) {
      choose(option.closest("[data-mention-picker]"), option);
    }
  });

  // ---- the bell ----------------------------------------------------------------------------
  // Every so often the bell asks whether its count changed: a conditional request that costs a
  // 304 while it did not. A new count is drawn into the same link (focus stays on it), and a
  // count that grew is announced politely, once, by the live region beside it.

  function watchTheBell() {
    var bell = document.getElementById("bell");
    if (!bell || !bell.dataset.bellUrl || !window.Vertaa) return;
    window.Vertaa.pollWhileVisible({
      url: bell.dataset.bellUrl,
      etag: bell.dataset.bellEtag,
      seconds: parseInt(bell.dataset.bellSeconds, 10) || 45,
      fresh: function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("bell");
        if (!fresh) return null;
        var before = parseInt(bell.dataset.unread, 10) || 0;
        var after = parseInt(fresh.dataset.unread, 10) || 0;
        bell.innerHTML = fresh.innerHTML;
        bell.className = fresh.className;
        bell.dataset.unread = fresh.dataset.unread;
        bell.dataset.bellEtag = fresh.dataset.bellEtag;
        var news = document.getElementById("bell-news");
        if (news && after > before) news.textContent = fresh.dataset.announcement;
        return fresh.dataset.bellEtag;
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchTheBell);
  } else {
    watchTheBell();
  }

  // Following an unread notification's link marks it read: its "Mark read" form is sent on
  // the way (keepalive, so the request outlives the page), also for a link opened in a new
  // tab. The page that opens then is the one the link names, as without JavaScript.
  function markReadOnTheWay(event) {
    var link = event.target.closest && event.target.closest("a[data-marks-read]");
    if (!link || (event.type === "auxclick" && event.button !== 1)) return;
    var form = document.getElementById(link.getAttribute("data-marks-read"));
    if (!form) return;
    var data = new FormData(form);
    data.append("on_the_way", "1");
    fetch(form.action, { method: "POST", body: data, keepalive: true, credentials: "same-origin" });
    link.removeAttribute("data-marks-read");
  }
  document.addEventListener("click", markReadOnTheWay);
  document.addEventListener("auxclick", markReadOnTheWay);
})();
