// An open board (or stand-up) asks every 20 seconds whether its team changed: a conditional
// request with the page's ETag. A 304 costs nothing; a changed page redraws its part in place,
// unless the person is typing or has a form or dialog open, in which case it waits.
// A part marked data-freshness-keeps-forms (the stand-up) redraws even then: the forms being
// typed in are carried over whole into the new part, with their text, and the focus and caret
// are put back.
(function () {
  "use strict";

  function typedIn(form) {
    var fields = form.querySelectorAll("input:not([type]), input[type=text], input[type=date], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    var options = form.querySelectorAll("option");
    for (var j = 0; j < options.length; j++) {
      if (options[j].selected !== options[j].defaultSelected) return true;
    }
    return false;
  }

  // The forms of the shown part with something typed in them, by their id. A form merely
  // focused is not kept: its fresh copy may offer other choices (the card moved meanwhile).
  function typedForms(target) {
    var kept = {};
    var forms = target.querySelectorAll("form[id]");
    for (var i = 0; i < forms.length; i++) {
      if (typedIn(forms[i])) kept[forms[i].id] = forms[i];
    }
    return kept;
  }

  // Where the focus was, to find it again in the fresh part: the element itself when its form
  // is kept, else its id, else its place among its form's controls.
  function focusPlace(focused) {
    if (!focused || focused === document.body) return null;
    var form = focused.form || null;
    return {
      element: focused,
      id: focused.id,
      formId: form && form.id,
      index: form ? Array.prototype.indexOf.call(form.elements, focused) : -1,
      caret: typeof focused.selectionStart === "number"
        ? [focused.selectionStart, focused.selectionEnd, focused.selectionDirection]
        : null,
    };
  }

  function findAgain(place) {
    if (place.element.isConnected) return place.element;
    if (place.id) return document.getElementById(place.id);
    var form = place.formId && document.getElementById(place.formId);
    return form && place.index >= 0 ? form.elements[place.index] : null;
  }

  // Put the person's own forms back in place of their fresh copies. A form keeps its hidden
  // fields too, so a decision typed over a changed one is still refused as a conflict.
  function carryOver(kept, place) {
    Object.keys(kept).forEach(function (id) {
      var fresh = document.getElementById(id);
      if (fresh) fresh.replaceWith(kept[id]);
    });
    var focused = place && findAgain(place);
    if (!focused || document.activeElement === focused) return;
    focused.focus({ preventScroll: true });
    if (focused === place.element && place.caret && typeof focused.setSelectionRange === "function") {
      try {
        focused.setSelectionRange(place.caret[0], place.caret[1], place.caret[2]);
      } catch (error) {
        // Not a text field (a date, a select): there is no caret to put back.
      }
    }
  }

  function busy(target) {
    if (target && target.hasAttribute("data-freshness-keeps-forms")) {
      return Boolean(document.querySelector("dialog[open], .htmx-request"));
    }
    var active = document.activeElement;
    if (active && active.matches("input:not([type=button]):not([type=submit]):not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]")) {
      return true;
    }
    if (document.querySelector("dialog[open], .htmx-request")) return true;
    if (!target) return false;
    if (target.querySelector("details[open]")) return true;
    // A form opened in place (a comment being edited) waits until it is saved or cancelled.
    if (target.querySelector("[data-freshness-waits]")) return true;
    // A form with something typed in it waits too, so that nothing typed is lost.
    var fields = target.querySelectorAll("input:not([type]), input[type=text], input[type=date], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  // ---- the board: the focus kept on its card, and a notice instead of a silent wait ------

  // Where the focus is on the board: a card's control (its link or its Move button) by the
  // card and the control's place in it, with the card's column; else the element's id.
  function boardPlace(focused) {
    if (!focused || focused === document.body) return null;
    var card = focused.closest(".card[id]");
    if (!card) return { id: focused.id };
    var controls = Array.prototype.slice.call(card.querySelectorAll("a[href], button"));
    return { card: card.id, control: controls.indexOf(focused), stage: card.dataset.stage };
  }

  // The same card after a redraw, in whatever column it is now; a card gone leaves the focus
  // on the heading of the column it was in.
  function focusBoardPlace(place) {
    if (!place) return;
    var element = null;
    if (place.card) {
      var card = document.getElementById(place.card);
      if (card) {
        var controls = card.querySelectorAll("a[href], button");
        element = controls[place.control] || card;
      } else {
        element = document.getElementById("column-" + place.stage + "-title");
        if (element) element.setAttribute("tabindex", "-1");
      }
    } else if (place.id) {
      element = document.getElementById(place.id);
    }
    if (!element || document.activeElement === element) return;
    element.focus({ preventScroll: true });
    var box = element.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight) element.scrollIntoView({ block: "center" });
  }

  // The details panels open in the part, by their class, to open them again after a redraw.
  function openPanels(target) {
    return Array.prototype.map.call(target.querySelectorAll("details[open][class]"), function (panel) {
      return panel.className;
    });
  }

  function reopen(target, classes) {
    classes.forEach(function (name) {
      var panel = target.querySelector('details[class="' + name + '"]');
      if (panel) panel.open = true;
    });
  }

  // "The board has changed — Show": a polite status line above the board, its button
  // redrawing at once with what is typed kept.
  function noticeLine(marker, target) {
    var line = document.getElementById("freshness-notice");
    if (line) return line;
    line = document.createElement("div");
    line.id = "freshness-notice";
    line.className = "freshness-notice";
    line.setAttribute("role", "status");
    target.before(line);
    return line;
  }

  function showNotice(marker, target, show) {
    var line = noticeLine(marker, target);
    if (line.childElementCount) return;
    var text = document.createElement("span");
    text.textContent = marker.dataset.changedText;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = marker.dataset.showText;
    button.addEventListener("click", show);
    line.append(text, " — ", button);
  }

  function hideNotice() {
    var line = document.getElementById("freshness-notice");
    if (line) line.replaceChildren();
  }

  function start() {
    var marker = document.getElementById("page-freshness");
    if (!marker || !window.Vertaa) return;
    var selector = marker.dataset.freshnessTarget;
    // The fresh part that waits while the person types (the board only), with its tag.
    var waiting = null;

    function redraw(target, fresh, keepTyped) {
      var focused = document.activeElement;
      var keepsForms = keepTyped || target.hasAttribute("data-freshness-keeps-forms");
      var kept = keepsForms ? typedForms(target) : {};
      var place = keepsForms ? focusPlace(focused) : null;
      var board = keepsForms ? null : boardPlace(focused);
      var panels = openPanels(target);
      htmx.swap(target, fresh.outerHTML, { swapStyle: "outerHTML" });
      var now = document.querySelector(selector);
      if (now) reopen(now, panels);
      if (keepsForms) carryOver(kept, place);
      else focusBoardPlace(board);
      return kept;
    }

    // Show: the waiting board now, the forms typed in kept, the focus on what was typed.
    function showNow() {
      var target = document.querySelector(selector);
      if (!target || !waiting) return;
      var fresh = waiting;
      waiting = null;
      hideNotice();
      var kept = redraw(target, fresh, true);
      var ids = Object.keys(kept);
      var field = ids.length && kept[ids[0]].querySelector("input:not([type=hidden]), textarea, select");
      var board = document.getElementById("board-columns");
      if (field) field.focus();
      else if (board) board.focus();
    }

    // The person's own changes redraw the page too; its tag then is stale, which only costs
    // one extra redraw.
    window.Vertaa.pollWhileVisible({
      url: marker.dataset.freshnessUrl,
      etag: marker.dataset.etag,
      seconds: parseInt(marker.dataset.interval, 10) || 20,
      ready: function () {
        var target = document.querySelector(selector);
        if (!target) return false;
        if (waiting && !busy(target)) {
          // The typing is over: the waiting board is drawn, and asked about again next time.
          var fresh = waiting;
          waiting = null;
          hideNotice();
          redraw(target, fresh, false);
          return false;
        }
        return Boolean(waiting) || !busy(target) || Boolean(marker.dataset.changedText);
      },
      fresh: function (html, response) {
        var target = document.querySelector(selector);
        if (!target) return null;
        // A page without a partial of its own answers whole: take the part that is shown.
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        if (!fresh) return null;
        // The stand-up moved on to another card while a form about this one has text typed in
        // it: the view stays (the text belongs to the card shown) and follows once it is sent.
        if (fresh.dataset.position !== target.dataset.position && Object.keys(typedForms(target)).length) {
          return null;
        }
        if (busy(target)) {
          // The stand-up tries again next time, with the old tag; the board says it changed.
          if (!marker.dataset.changedText || target.hasAttribute("data-freshness-keeps-forms")) return null;
          waiting = fresh;
          showNotice(marker, target, showNow);
          return response.headers.get("ETag");
        }
        waiting = null;
        hideNotice();
        redraw(target, fresh, false);
        return response.headers.get("ETag");
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
