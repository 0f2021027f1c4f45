"use strict";
// Shows the refusal message after a failed log-in (the redirect carries only a flag, never the key).
document.addEventListener("DOMContentLoaded", () => {
  if (new URLSearchParams(location.search).has("failed")) {
    document.getElementById("login-error").hidden = false;
  }
});
