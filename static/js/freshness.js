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
    // A form with something typed in it waits too, so that nothing typed is lost.
    var fields = target.querySelectorAll("input:not([type]), input[type=text], input[type=date], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  function start() {
    var marker = document.getElementById("page-freshness");
    if (!marker || !window.Vertaa) return;
    var selector = marker.dataset.freshnessTarget;
    // The person's own changes redraw the page too; its tag then is stale, which only costs
    // one extra redraw.
    window.Vertaa.pollWhileVisible({
      url: marker.dataset.freshnessUrl,
      etag: marker.dataset.etag,
      seconds: parseInt(marker.dataset.interval, 10) || 20,
      ready: function () {
        var target = document.querySelector(selector);
        return Boolean(target) && !busy(target);
      },
      fresh: function (html, response) {
        var target = document.querySelector(selector);
        if (!target || busy(target)) return null;  // try again next time, with the old tag
        // A page without a partial of its own answers whole: take the part that is shown.
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        if (!fresh) return null;
        var focused = document.activeElement;
        var focusedId = focused && focused.id;
        var keepsForms = target.hasAttribute("data-freshness-keeps-forms");
        var kept = keepsForms ? typedForms(target) : {};
        var place = keepsForms ? focusPlace(focused) : null;
        htmx.swap(target, fresh.outerHTML, { swapStyle: "outerHTML" });
        if (keepsForms) {
          carryOver(kept, place);
        } else if (focusedId) {
          var again = document.getElementById(focusedId);
          if (again && document.activeElement !== again) again.focus({ preventScroll: true });
        }
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
