// Case page: select all for bulk tagging; refresh the processing column while work runs.
"use strict";
(function () {
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll('input[name="item"]').forEach((box) => { box.checked = all.checked; });
    });
  }
  // While anything is still processing, reload the page quietly every 5 s (the list is
  // server-rendered; this keeps the state column honest without a client-side model).
  // Never while files are being chosen or uploaded (the upload form marks itself dirty).
  const upload = document.getElementById("upload-form");
  const quiet = () => !document.querySelector('input[name="item"]:checked') &&
    !(upload && (upload.dataset.dirty || upload.dataset.busy));
  if (document.querySelector(".state-processing") && quiet()) {
    setTimeout(() => {
      if (quiet() && document.activeElement === document.body) location.reload();
    }, 5000);
  }
})();
