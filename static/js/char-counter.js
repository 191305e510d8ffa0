// A live "N of M characters" under each text area that has a maxlength. The wording comes from
// <meta name="char-counter" content="... %(count)s ... %(limit)s ...">, in the page's language.
// Without JavaScript nothing changes: the browser's maxlength and the server's limit still hold.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="char-counter"]');
  var wording = meta ? meta.getAttribute("content") : "%(count)s / %(limit)s";
  // Numbers in the page's language ("2 000" in Russian), not the browser's.
  var locale = document.documentElement.lang || undefined;
  function number(value) {
    try { return value.toLocaleString(locale); } catch (error) { return value.toLocaleString(); }
  }
  function attach(area) {
    var limit = parseInt(area.getAttribute("maxlength"), 10);
    if (!limit) { return; }
    var counter = document.createElement("p");
    counter.className = "char-counter";
    counter.id = (area.id || area.name) + "-counter";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", described ? described + " " + counter.id : counter.id);
    function update() {
      var count = area.value.length;
      counter.textContent = wording.replace("%(count)s", number(count)).replace("%(limit)s", number(limit));
      counter.classList.toggle("over", count > limit * 0.95);
    }
    area.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("textarea[maxlength]").forEach(attach);
})();
