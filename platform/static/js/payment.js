// Collect a card or an IBAN with Stripe.js, then post only the confirmed SetupIntent's id to
// Placette, which starts the subscription. The card fields are Stripe's own; the IBAN field has
// no name and is emptied before the form goes: neither ever reaches our server.
// Errors are shown in French, from the table the page carries (billing/payment_errors.py, the
// same the server uses): Stripe's own messages are English, and never shown.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  var table = JSON.parse(document.getElementById("payment-error-messages").textContent);
  var errors = document.getElementById("payment-errors");
  var button = document.getElementById("payment-submit");

  function frenchMessage(error) {
    error = error || {};
    return table[error.code] || table["type:" + error.type] || table["default"];
  }

  function showError(error, field) {
    errors.textContent = frenchMessage(error);
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
    button.disabled = false;
  }

  if (typeof Stripe === "undefined") {  // Stripe.js did not load: say so, plainly
    showError({ type: "api_connection_error" });
    button.disabled = true;
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey, { locale: "fr" });
  var method = form.dataset.method;
  var iban = document.getElementById("iban");
  var card = null;
  var fields = {};

  // Stripe's own card field lives in an iframe: it takes the number as people type it, with
  // spaces, and names its inputs itself. A stand-in that renders plain inputs in the page
  // (localstripe, in development and tests) does neither: it reads each keystroke, jumps to the
  // next field after 16 characters (spaces counted) and sends the number as typed, which Stripe
  // refuses. So its inputs get French names, the digit keyboard and autofill; what people type
  // stays as they typed it; and only on "Subscribe" does the stand-in read the digits.
  var CARD_FIELDS = {
    number: { label: "labelNumber", autocomplete: "cc-number", size: 19, hint: "1234 1234 1234 1234" },
    exp_month: { label: "labelExpMonth", autocomplete: "cc-exp-month", size: 2, hint: "MM" },
    exp_year: { label: "labelExpYear", autocomplete: "cc-exp-year", size: 4, hint: "AA" },
    cvc: { label: "labelCvc", autocomplete: "cc-csc", size: 4, hint: "123" },
    postal_code: { label: "labelPostalCode", autocomplete: "postal-code", size: 5, hint: "" },
  };

  function nameInPageCardFields(container) {
    Object.keys(CARD_FIELDS).forEach(function (name) {
      var input = container.querySelector('input[placeholder="' + name + '"]');
      if (!input) { return; }
      var spec = CARD_FIELDS[name];
      input.setAttribute("aria-label", container.dataset[spec.label]);
      input.setAttribute("autocomplete", spec.autocomplete);
      input.setAttribute("inputmode", "numeric");
      input.setAttribute("size", String(spec.size));
      input.setAttribute("placeholder", spec.hint);
      fields[name] = input;
    });
    container.addEventListener("input", function (event) {
      if (!event.isTrusted) { return; }  // ours, on "Subscribe": the stand-in reads the fields
      event.target.removeAttribute("aria-invalid");
      event.stopPropagation();  // not the stand-in's: no half-typed number, no focus moved
    }, true);
  }

  function digits(value) { return value.replace(/[\s.\-]/g, ""); }

  // The number as people write it ("4242 4242 4242 4242", "4242-4242-…"), the year with two
  // or four digits: what Stripe is sent is digits only. Returns the field that is wrong, if any.
  function normaliseInPageCardFields() {
    if (!fields.number) { return null; }
    var values = {
      number: digits(fields.number.value),
      exp_month: digits(fields.exp_month.value),
      exp_year: digits(fields.exp_year.value).replace(/^20(\d\d)$/, "$1"),
      cvc: digits(fields.cvc.value),
    };
    if (values.exp_month.length === 1) { values.exp_month = "0" + values.exp_month; }
    var checks = [
      ["number", /^\d{13,19}$/, "incomplete_number"],
      ["exp_month", /^(0[1-9]|1[0-2])$/, "invalid_expiry_month"],
      ["exp_year", /^\d\d$/, "incomplete_expiry"],
      ["cvc", /^\d{3,4}$/, "incomplete_cvc"],
    ];
    for (var i = 0; i < checks.length; i++) {
      if (!checks[i][1].test(values[checks[i][0]])) {
        return { field: fields[checks[i][0]], code: checks[i][2] };
      }
    }
    var typed = {};
    Object.keys(values).forEach(function (name) {
      typed[name] = fields[name].value;
      fields[name].value = values[name];
    });
    // The stand-in reads all its inputs when one changes: the last one, which moves no focus.
    fields.postal_code.dispatchEvent(new Event("input", { bubbles: true }));
    Object.keys(typed).forEach(function (name) { fields[name].value = typed[name]; });
    return null;
  }

  if (method === "card") {
    card = stripe.elements({ locale: "fr" }).create("card");
    var container = document.getElementById("card-element");
    card.mount(container);
    nameInPageCardFields(container);
  }

  async function confirmSetup() {
    var details = { name: form.dataset.holder, email: form.dataset.email || undefined };
    if (method === "card") {
      return stripe.confirmCardSetup(form.dataset.clientSecret,
        { payment_method: { card: card, billing_details: details } });
    }
    return stripe.confirmSepaDebitSetup(form.dataset.clientSecret,
      { payment_method: { sepa_debit: { iban: digits(iban.value).toUpperCase() },
                          billing_details: details } });
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (form.elements.setup_intent.value) { return; }
    errors.textContent = "";
    button.disabled = true;
    var wrong = method === "card" ? normaliseInPageCardFields() : null;
    if (wrong) {
      showError({ code: wrong.code }, wrong.field);
      return;
    }
    var result;
    try {
      result = await confirmSetup();
    } catch (error) {  // the network, or Stripe.js itself
      showError({ type: "api_connection_error" });
      return;
    }
    if (result.error) {
      showError(result.error);
      return;
    }
    if (iban) { iban.value = ""; }
    form.elements.setup_intent.value = result.setupIntent.id;
    form.submit();  // posts the named fields only: the CSRF token, our token, the SetupIntent id
  });
})();
