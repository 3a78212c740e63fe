// The top bar's menus (the account menu, the phone's navigation) are <details> disclosures that
// open and close without JavaScript. This adds what people expect of a menu: Escape closes it
// and puts focus back on its button, a click elsewhere closes it, and one opens at a time.
(function () {
  "use strict";

  const MENUS = "details.header-menu";

  function closeAll(except) {
    document.querySelectorAll(MENUS + "[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const menu = document.querySelector(MENUS + "[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  document.addEventListener("click", function (event) {
    closeAll(event.target.closest(MENUS));
  });

  // Tabbing out of an open menu closes it: its panel would otherwise cover the page.
  document.addEventListener("focusout", function (event) {
    const menu = event.target.closest && event.target.closest(MENUS + "[open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
  });

  // "toggle" does not bubble: listen while capturing.
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches(MENUS) && event.target.open) {
      closeAll(event.target);
    }
  }, true);
})();
