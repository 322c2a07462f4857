// Every page (layout/base.html), after htmx: htmx swaps nothing when the server answers an error
// (a refused character, an expired form, a body too large, a rate limit, a failure) or cannot be
// reached, so without this the person would see nothing happen. The error is shown next to what
// sent the request, in the words of the server's French error page, and removed by the next success.
// A static file, so that the Content-Security-Policy needs no inline script.
(() => {
  const ALERT_ID = "erreur-envoi";
  const UNREACHABLE = {
    title: "Le service n’a pas pu être joint",
    lead: "Votre dernière saisie n’a peut-être pas été enregistrée. Vérifiez votre connexion à internet, puis réessayez.",
  };

  // The title and explanation of our error pages (errors/page.html), or of a JSON answer of ours.
  const messageOf = (xhr) => {
    const fallback = {
      title: `La demande n’a pas abouti (erreur ${xhr.status})`,
      lead: "Rien n’a été enregistré. Rechargez la page, puis réessayez.",
    };
    const type = xhr.getResponseHeader("Content-Type") || "";
    try {
      if (type.startsWith("application/json")) {
        const data = JSON.parse(xhr.responseText);
        const text = data.error || data.detail;
        return typeof text === "string" ? { title: fallback.title, lead: text } : fallback;
      }
      if (type.startsWith("text/html")) {
        const page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        const title = page.querySelector("main h1");
        const lead = page.querySelector("[data-testid=error-lead]");
        if (title && lead) {
          const details = Array.from(page.querySelectorAll("[data-error-detail]"), (p) => p.textContent.trim());
          return { title: title.textContent.trim(), lead: [lead.textContent.trim(), ...details].join(" ") };
        }
      }
    } catch (error) { /* not one of our answers */ }
    return fallback;
  };

  const remove = () => document.getElementById(ALERT_ID)?.remove();

  const show = (event, message) => {
    remove();
    const alert = document.createElement("div");
    alert.id = ALERT_ID;
    alert.className = "fr-alert fr-alert--error fr-alert--sm fr-my-2w";
    alert.setAttribute("role", "alert");
    const title = document.createElement("h3");
    title.className = "fr-alert__title";
    title.textContent = message.title;
    const lead = document.createElement("p");
    lead.textContent = message.lead;
    alert.append(title, lead);
    // Next to the answer being typed when a change sent the request, else before what sent it.
    const trigger = event.detail.requestConfig?.triggeringEvent?.target;
    const group = trigger instanceof Element
      && trigger.closest(".fr-input-group, .fr-select-group, .fr-fieldset, .fr-upload-group, .fr-checkbox-group");
    const anchor = group || event.detail.elt;
    if (!(anchor instanceof Element) || !anchor.isConnected) {
      document.getElementById("flash")?.append(alert);
    } else {
      anchor.before(alert);
    }
    alert.scrollIntoView({ block: "nearest" });
  };

  document.addEventListener("htmx:responseError", (event) => show(event, messageOf(event.detail.xhr)));
  document.addEventListener("htmx:sendError", (event) => show(event, UNREACHABLE));
  document.addEventListener("htmx:afterRequest", (event) => { if (event.detail.successful) remove(); });
})();
