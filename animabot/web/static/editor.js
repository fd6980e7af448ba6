// The scenario editor checks itself while one types (progressive enhancement: without
// JavaScript, the "Vérifier" button does the same). The form is posted as the button would
// post it; the problems of the page that comes back replace those shown beside the fields,
// and a polite live region says how many remain. Focus and what was typed are left alone.
(() => {
  "use strict";
  const form = document.querySelector("form.editor");
  if (!form || !window.fetch || !window.DOMParser) return;
  const live = document.getElementById("live-status");
  let timer = null;
  let asked = 0;

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });

  function anchorOf(error, doc) {
    // The element the error follows in the page that came back, and its twin here.
    const before = error.previousElementSibling;
    if (before && before.id) return [document.getElementById(before.id), "after"];
    if (before && before.htmlFor) {
      return [document.querySelector('label[for="' + CSS.escape(before.htmlFor) + '"]'), "after"];
    }
    if (before && before.classList.contains("pair-fields")) {
      const first = before.querySelector("[id]");
      const here = first && document.getElementById(first.id);
      return [here && here.closest(".pair-fields"), "after"];
    }
    const box = error.closest("fieldset");
    const radio = box && box.querySelector("input[id]");
    const here = radio && document.getElementById(radio.id);
    return [here && here.closest("fieldset").querySelector("legend"), "after"];
  }

  async function check() {
    const mine = ++asked;
    const data = new FormData(form);
    data.set("action", "check");
    let html;
    try {
      const answer = await fetch(form.getAttribute("action"), {
        method: "POST", body: data, credentials: "same-origin"});
      html = await answer.text();
    } catch (failure) {
      return;  // offline: the button still works
    }
    if (mine !== asked) return;  // a later check is on its way
    const doc = new DOMParser().parseFromString(html, "text/html");
    form.querySelectorAll(".field-error").forEach((old) => old.remove());
    form.querySelectorAll("[aria-invalid]").forEach((field) => {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    doc.querySelectorAll("form.editor [aria-invalid]").forEach((field) => {
      const here = document.getElementById(field.id);
      if (!here) return;
      here.setAttribute("aria-invalid", "true");
      here.setAttribute("aria-describedby", field.getAttribute("aria-describedby"));
    });
    const errors = doc.querySelectorAll("form.editor .field-error");
    errors.forEach((error) => {
      const [anchor] = anchorOf(error, doc);
      if (anchor) anchor.insertAdjacentElement("afterend", document.importNode(error, true));
    });
    if (live) {
      live.textContent = errors.length === 0 ? "Aucun problème pour l'instant."
        : errors.length === 1 ? "1 problème à corriger." : errors.length + " problèmes à corriger.";
    }
  }
})();
