// The « À traiter » count in the header, loaded once the page is shown: the page itself pays no query
// for it (notifications/views/todo.py, todo_count).
(function () {
  "use strict";

  function load() {
    document.querySelectorAll("[data-todo-count]").forEach(function (slot) {
      fetch(slot.getAttribute("data-todo-count"), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          // A session that expired answers with the sign-in page: show no count rather than that.
          return response.ok && !response.redirected ? response.text() : "";
        })
        .then(function (html) {
          slot.innerHTML = html.trim();
        })
        .catch(function () {});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
