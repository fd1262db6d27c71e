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
  // The ways each participant joins matter only when "each in their own way" is chosen:
  // without this file they are always shown (and used only with that choice).
  const each = document.getElementById("joining-each");
  if (each) {
    const update = () => {
      const chosen = document.querySelector("input[name='modality']:checked");
      each.hidden = !(chosen && chosen.value === "each") && !each.querySelector(".is-invalid");
    };
    document.querySelectorAll("input[name='modality']").forEach((el) => el.addEventListener("change", update));
    update();
  }

  // A form that came back with errors: focus on the summary of the errors (it links to each
  // field), so that a screen reader reads it first and the keyboard starts from there.
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();

  // Nothing typed is lost by leaving the page unawares: once something is typed into a form of
  // the page, or a form came back from the server unsaved (with errors, or after filtering the
  // Kela directory), leaving the page any other way than by sending that form (a link, the
  // language switch, closing the tab) first asks the browser's own "Leave the page?" question.
  // Forms whose input is not worth the question (logging in, the options of a PDF) say
  // data-leave-freely. Listening on the document also covers the forms htmx puts into the page.
  const guarded = (form) => form && form.matches("main form[method='post']:not([data-leave-freely])");
  const unsaved = new Set();
  const filled = (form) => [...form.elements].some((field) =>
    ["checkbox", "radio"].includes(field.type) ? field.checked
      : ["text", "textarea", "email", "tel", "date", "time", "number"].includes(field.type) && field.value.trim());
  const cameBack = (root, posted) => root.querySelectorAll("form[method='post']").forEach((form) => {
    if (guarded(form) && (form.querySelector(".is-invalid") || (posted && filled(form)))) unsaved.add(form);
  });
  const main = document.querySelector("main");
  if (main) cameBack(main, main.hasAttribute("data-posted"));
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

  // After htmx replaces a part of the page (the action items), keyboard focus must not fall
  // back to the start of the page: it goes to the first field with an error, or else to the
  // same control of the same form as before (the button just pressed). A part loaded beside
  // where the user is (the free times of the Kela contact just chosen, while they tab on)
  // leaves the focus where it is: only a swap that removed the focused control moves it.
  let before = null;
  document.body.addEventListener("htmx:beforeSwap", () => {
    const active = document.activeElement;
    before = active && active !== document.body ? {
      element: active,
      action: active.form ? active.form.getAttribute("action") : null,
      name: active.name,
      value: active.value,
    } : null;
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    cameBack(document.querySelector("main"), false);
    if (!(before && before.element.isConnected)) {
      let target = document.querySelector("main .is-invalid");
      if (!target && before && before.action !== null) {
        const form = [...document.querySelectorAll("main form")].find((f) => f.getAttribute("action") === before.action);
        // The buttons of a form may share a name ("action") and differ by value.
        const same = form && before.name
          ? [...form.querySelectorAll(`[name="${before.name}"]:not([type=hidden])`)].find((el) => el.value === before.value)
          : null;
        target = same || (form && form.querySelector("button"));
      }
      if (target) target.focus();
    }
    before = null;
  });
});
