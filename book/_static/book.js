// gort's book: a diagram wider than the column scrolls sideways in its block
// (book.css); this adds a button under it that opens it over the whole window,
// at the same size, and closes again on a second press or Escape.
(function () {
  "use strict";
  function offer(block) {
    if (block.dataset.gortWide || block.scrollWidth <= block.clientWidth + 1) return;
    block.dataset.gortWide = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "mermaid-open";
    button.textContent = "Open the diagram over the whole window";
    button.addEventListener("click", function () { toggle(block, button); });
    block.after(button);
  }
  function toggle(block, button) {
    var open = block.classList.toggle("mermaid-full");
    button.classList.toggle("mermaid-close", open);
    button.textContent = open ? "Close the diagram (Escape)" : "Open the diagram over the whole window";
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("div.mermaid.mermaid-full").forEach(function (block) {
      toggle(block, block.nextElementSibling);
    });
  });
  function watch() {
    document.querySelectorAll("div.mermaid").forEach(function (block) {
      if (block.querySelector("svg")) { offer(block); return; }
      new MutationObserver(function (_, obs) {
        if (block.querySelector("svg")) { obs.disconnect(); offer(block); }
      }).observe(block, {childList: true, subtree: true});
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
