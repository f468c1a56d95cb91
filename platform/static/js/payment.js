// Collect a card or an IBAN with Stripe.js (the details never reach our server), then post the
// confirmed SetupIntent's id to Placette, which starts the subscription.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var method = form.dataset.method;
  var errors = document.getElementById("payment-errors");
  var button = document.getElementById("payment-submit");
  var card = null;
  if (method === "card") {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }
  form.addEventListener("submit", async function (event) {
    if (form.elements.setup_intent.value) { return; }
    event.preventDefault();
    errors.textContent = "";
    button.disabled = true;
    var details = { name: form.dataset.holder, email: form.dataset.email || undefined };
    var result = method === "card"
      ? await stripe.confirmCardSetup(form.dataset.clientSecret,
          { payment_method: { card: card, billing_details: details } })
      : await stripe.confirmSepaDebitSetup(form.dataset.clientSecret,
          { payment_method: { sepa_debit: { iban: form.elements.iban_display.value.replace(/\s/g, "") },
                              billing_details: details } });
    if (result.error) {
      errors.textContent = result.error.message || "Le paiement n’a pas pu être vérifié. Réessayez.";
      button.disabled = false;
      return;
    }
    form.elements.setup_intent.value = result.setupIntent.id;
    form.submit();
  });
})();
