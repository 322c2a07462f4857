// The form engine's page (formengine/page.html), loaded right after its form: a static file, so
// that the Content-Security-Policy needs no inline script.
// The fields are replaced when an answer changes. What the person typed, meanwhile, in the field
// that has the focus must survive the replacement, and be sent on leaving the field as a change is.
(() => {
  let typing = null;
  document.addEventListener("htmx:beforeSwap", () => {
    const field = document.activeElement;
    const editable = field && field.closest("#formengine-fields") && field.id && !field.readOnly
      && (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && !["radio", "checkbox", "file"].includes(field.type)));
    typing = editable ? { id: field.id, value: field.value, start: field.selectionStart, end: field.selectionEnd } : null;
  });
  document.addEventListener("htmx:afterSwap", () => {
    const field = typing && document.getElementById(typing.id);
    if (field && field.value !== typing.value) {
      field.value = typing.value;
      try { field.setSelectionRange(typing.start, typing.end); } catch (error) { /* not a text input */ }
      field.addEventListener("blur", () => field.dispatchEvent(new Event("change", { bubbles: true })), { once: true });
    }
    typing = null;
  });
  // Each sending of the page says which tab sent it and when, so that a live update overtaken
  // by a later one (sent before it, arriving after it) does not replace newer answers.
  const form = document.querySelector("input[name=_onglet]").form;
  // The tab's id outlives a reload of the page (sessionStorage is per tab), when it is allowed.
  let tab = null;
  try { tab = sessionStorage.getItem("guichet-onglet"); } catch (error) { /* storage refused */ }
  if (!/^[0-9a-f]{32}$/.test(tab || "")) {
    tab = Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
    try { sessionStorage.setItem("guichet-onglet", tab); } catch (error) { /* kept for this page only */ }
  }
  let sentAt = 0;
  const stamp = (event) => {
    if (event.target !== form && event.target.form !== form) return;
    sentAt = Math.max(Date.now(), sentAt + 1);
    form.elements._onglet.value = tab;
    form.elements._envoi.value = sentAt;
  };
  // Capturing: before htmx, which reads the fields when the change reaches the form.
  document.addEventListener("change", stamp, true);
  document.addEventListener("submit", stamp, true);
  // A chosen file is sent at once: show how far its upload has gone.
  const upload = document.getElementById("formengine-upload");
  let sending = false;
  document.addEventListener("change", (event) => { sending = event.target.type === "file" && event.target.files.length > 0; });
  document.addEventListener("htmx:xhr:progress", (event) => {
    if (!sending || !upload || !event.detail.lengthComputable) return;
    const percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    upload.hidden = false;
    upload.querySelector("progress").value = percent;
    upload.querySelector("[data-percent]").textContent = percent;
  });
  document.addEventListener("htmx:afterRequest", () => { sending = false; if (upload) upload.hidden = true; });
})();
