// A conditional poll, shared by the open page's freshness check and the bell: every so many
// seconds while the tab is visible, and at once when it becomes visible again, ask with
// If-None-Match and the last tag. A 304 costs nothing; a 200's text is handed over, and the
// tag it gives back is the one asked with next time.
(function () {
  "use strict";

  window.Vertaa = window.Vertaa || {};

  // url, etag, seconds; ready(): false to skip this tick; fresh(html, response): the new tag,
  // or nothing to keep asking with the old one.
  window.Vertaa.pollWhileVisible = function (options) {
    if (!window.fetch) return;
    var etag = options.etag;
    var asking = false;

    function ask() {
      if (asking || document.hidden || (options.ready && !options.ready())) return;
      asking = true;
      fetch(options.url, {
        headers: { "HX-Request": "true", "If-None-Match": etag },
        cache: "no-store",
        credentials: "same-origin",
      }).then(function (response) {
        if (response.status !== 200) return null;
        return response.text().then(function (html) {
          var next = options.fresh(html, response);
          if (next) etag = next;
        });
      }).catch(function () {
        // Offline for a moment: the next tick asks again.
      }).then(function () {
        asking = false;
      });
    }

    window.setInterval(ask, options.seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) ask();
    });
  };
})();
