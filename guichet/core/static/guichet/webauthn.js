// The WebAuthn ceremony (guichet/templates/accounts/_webauthn_script.html): a static file, as the
// Content-Security-Policy wants.
(function () {
  var section = document.getElementById("webauthn-register") || document.getElementById("webauthn-sign-in");
  if (!section || !window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) { return; }
  var registering = section.id === "webauthn-register";
  var button = section.querySelector("[data-webauthn-button]");
  var error = section.querySelector("[data-webauthn-error]");
  var token = document.querySelector("#webauthn-csrf [name=csrfmiddlewaretoken]").value;
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body || {})
    }).then(function (response) { return response.json(); });
  }
  function fail(message) { error.textContent = message; error.hidden = false; button.disabled = false; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true; error.hidden = true;
    post(section.dataset.optionsUrl).then(function (options) {
      if (options.error) { throw new Error(options.error); }
      return registering
        ? navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)})
        : navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
    }).then(function (credential) {
      var nameInput = section.querySelector("[name=key_name]");
      return post(section.dataset.verifyUrl, {credential: credential.toJSON(), name: nameInput ? nameInput.value : ""});
    }).then(function (answer) {
      if (answer.redirect) { window.location.assign(answer.redirect); } else { fail(answer.error || "La clé n’a pas pu être vérifiée."); }
    }).catch(function (problem) {
      fail(problem && problem.name === "NotAllowedError" ? "L’opération a été annulée ou le délai est dépassé. Réessayez." : (problem && problem.message) || "La clé n’a pas pu être utilisée.");
    });
  });
})();
