// Welcome sheet: a "Print" button, shown only when JavaScript can print.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
