// The evidence-request page: the message follows the chosen language while the
// investigator has not edited it, and copy buttons put the link or the SMS text on the
// clipboard (selected for copying by hand where the clipboard is not allowed).
(() => {
  const templates = JSON.parse(document.getElementById("message-templates").textContent);
  const message = document.getElementById("message");
  const chooser = document.getElementById("message-language");
  if (message && chooser) {
    chooser.addEventListener("change", () => {
      const current = message.value.trim();
      if (!current || Object.values(templates).some((t) => t.trim() === current)) {
        message.value = templates[chooser.value] || "";
      }
    });
  }
  const status = document.querySelector(".created .copied");
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      field.focus();
      field.select();
      let done = false;
      try {
        await navigator.clipboard.writeText(field.value);
        done = true;
      } catch (e) {
        try { done = document.execCommand("copy"); } catch (e2) { done = false; }
      }
      if (status) status.textContent = done ? button.dataset.copied || "✓" : "";
    });
  });
})();
