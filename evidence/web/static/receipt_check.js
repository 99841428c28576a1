// The receipt check page: a chosen receipt file is read here into the form's text box
// (the file never leaves the browser except as that text), then checked at once.
(() => {
  const input = document.getElementById("receipt-file");
  const text = document.getElementById("receipt-text");
  if (!input || !text) return;
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (!file || file.size > 200000) return;
    text.value = await file.text();
    text.form.requestSubmit();
  });
})();
