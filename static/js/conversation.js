// The @mentions of a card's comment fields (the new comment and the one being edited): typing
// @ and letters in the field opens the matching people of the card's organization in a list
// under it; arrows move, Enter or Tab picks, Escape closes. Picking writes "@Full Name" in
// place of what was typed and remembers the person's id. And the bell in the top bar, which
// keeps its unread count fresh on an open page.
(function () {
  "use strict";

  // What is being typed after an @ just before the caret: at most three words of a name.
  var TYPED_NAME = /(?:^|\s)@((?:[^\s@]+ ?){0,3})$/;
  var serial = 0;

  function pickerOf(field) {
    return field && field.id ? document.querySelector('[data-mention-for="' + field.id + '"]') : null;
  }

  function listOf(picker) {
    return picker.querySelector("[data-mention-options]");
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled])'));
  }

  function prepare(root) {
    root.querySelectorAll("[data-mention-for]").forEach(function (picker) {
      var field = document.getElementById(picker.dataset.mentionFor);
      if (!field || field.hasAttribute("aria-controls")) return;
      field.setAttribute("aria-autocomplete", "list");
      field.setAttribute("aria-controls", listOf(picker).id);
    });
  }

  function say(picker, text) {
    var status = picker.querySelector("[data-mention-status]");
    if (status) status.textContent = text;
  }

  function close(field, picker) {
    var list = listOf(picker);
    list.hidden = true;
    list.innerHTML = "";
    field.removeAttribute("aria-activedescendant");
    delete picker.dataset.at;
  }

  function activate(field, list, index) {
    var items = options(list);
    if (!items.length) return;
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) item.scrollIntoView({ block: "nearest" });
    });
    field.setAttribute("aria-activedescendant", items[index].id);
  }

  function suggest(field, picker) {
    var before = field.value.slice(0, field.selectionStart);
    var typed = TYPED_NAME.exec(before);
    if (!typed || field.selectionStart !== field.selectionEnd) {
      close(field, picker);
      return;
    }
    picker.dataset.at = String(before.length - typed[1].length - 1);
    var asked = ++serial;
    fetch(picker.dataset.mentionUrl + "?q=" + encodeURIComponent(typed[1].trim()), {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      // A later keystroke asked again: only its answer is shown.
      if (asked !== serial || picker.dataset.at === undefined) return;
      var list = listOf(picker);
      list.innerHTML = html;
      list.querySelectorAll('[role="option"]').forEach(function (item, i) {
        item.id = list.id + "-" + i;
      });
      var items = options(list);
      list.hidden = list.children.length === 0;
      field.removeAttribute("aria-activedescendant");
      if (items.length) activate(field, list, 0);
      say(picker, items.length === 1 ? picker.dataset.foundOne
        : items.length ? picker.dataset.foundMany.replace("{num}", items.length)
          : picker.dataset.foundNone);
    });
  }

  function choose(field, picker, option) {
    var at = parseInt(picker.dataset.at, 10);
    var caret = field.selectionStart;
    var name = "@" + option.dataset.name + " ";
    field.value = field.value.slice(0, at) + name + field.value.slice(caret);
    field.selectionStart = field.selectionEnd = at + name.length;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = "mention";
    hidden.value = option.dataset.userId;
    picker.querySelector("[data-mention-picked]").appendChild(hidden);
    close(field, picker);
    say(picker, option.dataset.name);
    field.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:afterSettle", function () { prepare(document); });

  var waiting = null;
  document.addEventListener("input", function (event) {
    var field = event.target;
    var picker = pickerOf(field);
    if (!picker) return;
    clearTimeout(waiting);
    waiting = setTimeout(function () { suggest(field, picker); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    var picker = pickerOf(field);
    if (!picker) return;
    var list = listOf(picker);
    if (list.hidden) return;  // a closed list leaves every key to the text
    var items = options(list);
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(field, list, current + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      // Enter picks the highlighted person instead of starting a new line.
      event.preventDefault();
      choose(field, picker, items[current]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(field, picker);
    }
  });

  // The field keeps the focus while a person is picked with the mouse or a finger.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[data-mention-options]")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest('[data-mention-options] [role="option"]');
    if (!option || option.hasAttribute("aria-disabled")) return;
    var picker = option.closest("[data-mention-picker]");
    choose(document.getElementById(picker.dataset.mentionFor), picker, option);
  });
  document.addEventListener("focusout", function (event) {
    var picker = pickerOf(event.target);
    if (picker) setTimeout(function () {
      if (document.activeElement !== event.target) close(event.target, picker);
    }, 200);
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
