// Case set-up pages: the ЕРДР number checked as it is typed (the server checks again),
// and the people of the "add a member" list filtered by role.
(() => {
  const erdr = document.getElementById("erdr");
  if (erdr) {
    const help = document.getElementById("erdr-help");
    const check = () => {
      const value = erdr.value.trim();
      let message = "";
      if (/\D/.test(value)) message = erdr.dataset.letters;
      else if (value.length !== 15) message = erdr.dataset.bad.replace("{n}", String(value.length));
      erdr.setCustomValidity(message);
      erdr.setAttribute("aria-invalid", message ? "true" : "false");
      help.textContent = message || erdr.dataset.good;
      help.className = message ? "error" : "ok";
    };
    erdr.addEventListener("input", check);
    if (erdr.value) check();
  }
  const filter = document.getElementById("role-filter");
  const person = document.getElementById("person");
  if (filter && person) {
    filter.addEventListener("change", () => {
      let first = null;
      for (const option of person.options) {
        const shown = !filter.value || option.dataset.role === filter.value;
        option.hidden = !shown;
        option.disabled = !shown;
        if (shown && !first) first = option;
      }
      if (first) person.value = first.value;
    });
  }
})();
