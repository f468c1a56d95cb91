// Consultations: a question shown only for some answers is hidden until the answer it
// depends on is given. Without this script every question shows, with its note; the server
// judges the conditions again when the answer is sent.
document.querySelectorAll("[data-conditional-form]").forEach((form) => {
  const questions = form.querySelectorAll("[data-show-if]");
  if (!questions.length) return;
  form.closest("section, div")?.querySelectorAll(".js-conditions-note").forEach((note) => {
    note.hidden = true;
  });
  const answerOf = (name) =>
    Array.from(form.elements)
      .filter((input) => input.name === name && (input.checked || input.tagName === "SELECT"))
      .map((input) => input.value);
  const isShown = (question) => {
    const parent = form.querySelector(`#question-${question.dataset.showIf.slice(1)}`);
    if (parent && parent.hidden) return false;
    return answerOf(question.dataset.showIf).includes(question.dataset.showIfValue);
  };
  const update = () => {
    questions.forEach((question) => {
      question.hidden = !isShown(question);
      question.querySelectorAll(".condition-note").forEach((note) => {
        note.hidden = true;
      });
    });
  };
  form.addEventListener("change", update);
  update();
});
