// The opinion form: the questions on the help received appear as soon as "Oui" is ticked for
// "Avez-vous eu besoin d'aide", and hide again for "Non". Without this script, the server shows them
// after the first answer is sent (guichet/www/usager/filed.py, dossier_opinion).
(function () {
  for (const form of document.querySelectorAll("form[data-avis]")) {
    const followups = form.querySelector("#avis-suite-aide");
    const marker = followups && followups.querySelector("input[name=suite_aide]");
    const radios = form.querySelectorAll("input[name=help_needed]");
    if (!followups || !marker) continue;
    const update = function () {
      const checked = form.querySelector("input[name=help_needed]:checked");
      const needed = checked !== null && checked.value === "true";
      followups.hidden = !needed;
      marker.disabled = !needed;
    };
    for (const radio of radios) {
      radio.setAttribute("aria-controls", "avis-suite-aide");
      radio.addEventListener("change", update);
    }
  }
})();
