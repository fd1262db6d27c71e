// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // The booking form: show the note on phone meetings when phone is chosen.
  const note = document.getElementById("phone-note");
  if (note) {
    const update = () => {
      const chosen = document.querySelector("input[name='modality']:checked");
      note.hidden = !(chosen && chosen.value === "phone");
    };
    document.querySelectorAll("input[name='modality']").forEach((el) => el.addEventListener("change", update));
    update();
  }

  // Nothing typed is lost by leaving the page unawares: once something is typed into a form of
  // the page, or a form came back with errors (its input is not saved yet), leaving the page any
  // other way than by sending that form (a link, the language switch, closing the tab) first asks
  // the browser's own "Leave the page?" question. Forms whose input is not worth the question
  // (logging in) say data-leave-freely. Listening on the document also covers the forms that
  // htmx puts into the page.
  const guarded = (form) => form && form.matches("main form[method='post']:not([data-leave-freely])");
  const unsaved = new Set();
  document.querySelectorAll("main form[method='post'] .is-invalid").forEach((field) => {
    if (guarded(field.form)) unsaved.add(field.form);
  });
  const mark = (event) => { if (guarded(event.target.form)) unsaved.add(event.target.form); };
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener("submit", (event) => unsaved.delete(event.target));
  window.addEventListener("beforeunload", (event) => {
    // A form that htmx has replaced was sent: only the forms still on the page count.
    if ([...unsaved].some((form) => form.isConnected)) {
      event.preventDefault();
      event.returnValue = "";  // older browsers ask only when this is set
    }
  });
});
