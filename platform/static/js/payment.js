// Collect a card or an IBAN with Stripe.js, then post only the confirmed SetupIntent's id to
// Placette, which starts the subscription. The card fields are Stripe's own; the IBAN field has
// no name and is emptied before the form goes: neither ever reaches our server.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var method = form.dataset.method;
  var errors = document.getElementById("payment-errors");
  var button = document.getElementById("payment-submit");
  var iban = document.getElementById("iban");
  var card = null;
  if (method === "card") {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (form.elements.setup_intent.value) { return; }
    errors.textContent = "";
    button.disabled = true;
    var details = { name: form.dataset.holder, email: form.dataset.email || undefined };
    var result = method === "card"
      ? await stripe.confirmCardSetup(form.dataset.clientSecret,
          { payment_method: { card: card, billing_details: details } })
      : await stripe.confirmSepaDebitSetup(form.dataset.clientSecret,
          { payment_method: { sepa_debit: { iban: iban.value.replace(/\s/g, "") },
                              billing_details: details } });
    if (result.error) {
      errors.textContent = result.error.message || "Le paiement n’a pas pu être vérifié. Réessayez.";
      button.disabled = false;
      return;
    }
    if (iban) { iban.value = ""; }
    form.elements.setup_intent.value = result.setupIntent.id;
    form.submit();  // posts the named fields only: the CSRF token, our token, the SetupIntent id
  });
})();
