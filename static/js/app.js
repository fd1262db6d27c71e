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
});
