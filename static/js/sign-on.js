// After the provider's login page: the verified answer is finished by the page's form at once
// (without JavaScript the person presses Continue).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-sign-on-finish]");
  if (form) form.requestSubmit();
});
