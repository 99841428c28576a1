// The item page's viewers: a PDF drawn in the page (pdf.js: pages rendered into
// canvases, nothing leaves the server: the worker, fonts, maps and decoders come from
// /static/dist/pdfjs/), and an audio item's waveform (wavesurfer.js) driving the page's
// own <audio> player, so the transcript, notes and speed control stay in step.
const pdfBox = document.getElementById("pdf-viewer");
if (pdfBox) showPdf(pdfBox);
const wave = document.getElementById("waveform");
if (wave) showWave(wave);

async function showPdf(box) {
  const pdfjs = await import("pdfjs-dist");
  const base = "/static/dist/pdfjs/";
  pdfjs.GlobalWorkerOptions.workerSrc = base + "pdf.worker.min.mjs";
  const status = box.querySelector(".status");
  try {
    const doc = await pdfjs.getDocument({
      url: box.dataset.src,
      wasmUrl: base + "wasm/",
      standardFontDataUrl: base + "standard_fonts/",
      cMapUrl: base + "cmaps/",
      iccUrl: base + "iccs/",
      isEvalSupported: false,
      enableXfa: false,
    }).promise;
    box.dataset.pages = String(doc.numPages);
    const limit = Math.min(doc.numPages, Number(box.dataset.max || 50));
    const width = Math.max(320, box.clientWidth || 800);
    for (let n = 1; n <= limit; n++) {
      const page = await doc.getPage(n);
      const unit = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({ scale: width / unit.width });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.className = "pdf-page";
      canvas.dataset.page = String(n);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${box.dataset.pageWord || "Page"} ${n}`);
      box.appendChild(canvas);
      await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
    }
    box.dataset.rendered = String(limit);
    if (status) status.remove();
  } catch (error) {
    if (status) status.textContent = box.dataset.failed || String(error);
    box.dataset.error = String(error && error.message ? error.message : error);
  }
}

async function showWave(box) {
  const { default: WaveSurfer } = await import("wavesurfer.js");
  const player = document.getElementById("player");
  const ws = WaveSurfer.create({
    container: box,
    media: player || undefined,
    url: player ? undefined : box.dataset.src,
    height: 80,
    waveColor: "#7a9cc6",
    progressColor: "#0b4f9c",
    cursorColor: "#111",
    normalize: true,
  });
  ws.on("ready", () => { box.dataset.ready = "1"; });
  ws.on("error", (e) => { box.dataset.error = String(e); });
}
