// Forms marked class="confirm" ask before they are sent (data-confirm holds the question
// in the page's language): deleting a note, revoking a disclosure or a device key.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.confirm");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);
