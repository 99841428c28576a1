// The case page's upload: many files and whole folders (picker or drag and drop), a
// progress bar per file and overall, every file through the resumable protocol
// (POST /cases/{id}/uploads → PUT /uploads/{id} with Upload-Offset → finalize with the
// SHA-256 computed here while the bytes were read). A dropped connection or a restarted
// server resumes at the server's offset; a reload resumes too (the upload id, offset and
// hash state are kept in localStorage until the file is finished).
import { sha256Stream, toBase64, fromBase64 } from "../lib/hashing.js";
import { api, putBytes, problemText } from "../lib/api.js";
import { el, formatBytes, template } from "../lib/text.js";

const form = document.getElementById("upload-form");
if (form) enhance(form);

const CHUNK = 16 * 1024 * 1024; // the server buffers one chunk: it allows up to 64 MiB
const PARALLEL = 3; // files at once (a large file's chunks travel one after another)
const RETRY_MAX_SECONDS = 15;

function enhance(form) {
  const T = JSON.parse(document.getElementById("upload-strings").textContent);
  const lang = form.dataset.lang || document.documentElement.lang;
  const caseId = form.dataset.case;
  const maxBytes = Number(form.dataset.maxBytes);
  const size = (n) => formatBytes(n, lang, T.units);
  const $ = (id) => document.getElementById(id);
  const list = $("upload-files"), queueBox = $("upload-queue"), total = $("upload-total");
  const summary = $("upload-summary"), formError = $("upload-error");
  const entries = [];
  let running = false;

  // ---- the enhanced form: drop zone and pickers instead of the one-file input --------
  $("dropzone").hidden = false;
  const single = $("single-file");
  // On a slow connection a person may choose files and a zone before this script runs:
  // what they chose is kept, not silently dropped or overwritten.
  const early = [
    ...picked(single.querySelector("input")), ...picked($("pick-files")), ...picked($("pick-folder")),
  ];
  single.querySelector("input").disabled = true;
  single.hidden = true;
  const zone = $("time-zone");
  const zoneDefault = Math.max(0, [...zone.options].findIndex((o) => o.defaultSelected));
  const zoneChosen = zone.selectedIndex !== zoneDefault;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  const local = el("option", { value: "local" }, template(T.browserzone, {
    zone: browserZone, offset: offsetText(-new Date().getTimezoneOffset()),
  }));
  zone.prepend(local);
  if (!zoneChosen) zone.value = "local";
  form.addEventListener("input", () => { form.dataset.dirty = "1"; });

  for (const id of ["pick-files", "pick-folder"]) {
    $(id).addEventListener("change", (ev) => add(picked(ev.target)));
  }
  const drop = $("dropzone");
  ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (ev) => {
    ev.preventDefault();
    drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () => drop.classList.remove("over")));
  drop.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    const items = [...(ev.dataTransfer.items || [])];
    const roots = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    if (roots.some((r) => r)) {
      const found = [];
      for (const root of roots) if (root) await walk(root, found);
      add(found);
    } else {
      add([...ev.dataTransfer.files].map((f) => ({ file: f, path: f.name })));
    }
  });
  $("upload-clear").addEventListener("click", () => {
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].state !== "running") { entries[i].row.remove(); entries.splice(i, 1); }
    }
    refresh();
  });
  window.addEventListener("beforeunload", (ev) => {
    if (running) { ev.preventDefault(); ev.returnValue = T.busy; }
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    start();
  });

  // ---- the list of files -------------------------------------------------------------
  function add(found) {
    const known = new Set(entries.map((e) => e.key));
    for (const { file, path } of found) {
      const key = [caseId, path, file.size, file.lastModified].join("|");
      if (known.has(key)) continue;
      known.add(key);
      const entry = { file, path, key, state: "ready", sent: 0 };
      entry.row = row(entry);
      entries.push(entry);
      list.append(entry.row);
    }
    formError.textContent = "";
    form.dataset.dirty = "1";
    refresh();
  }

  function row(entry) {
    const li = el("li", { class: "upload-file ready" });
    entry.name = el("span", { class: "name" }, entry.path);
    entry.bar = el("progress", { max: String(Math.max(1, entry.file.size)), value: "0" });
    entry.bar.setAttribute("aria-label", entry.path);
    entry.status = el("span", { class: "status" }, T.ready);
    entry.actions = el("span", { class: "actions" });
    li.append(entry.name, el("span", { class: "size" }, size(entry.file.size)), entry.bar,
      entry.status, entry.actions);
    return li;
  }

  function setState(entry, state, text, link) {
    entry.state = state;
    entry.row.className = "upload-file " + state;
    entry.status.replaceChildren();
    if (link) {
      const [before, after] = text.split("{name}");
      entry.status.append(before, el("a", { href: "/items/" + link.id }, link.name), after || "");
    } else {
      entry.status.textContent = text;
    }
    entry.actions.replaceChildren();
    if (state === "failed") {
      const again = el("button", { type: "button", class: "secondary" }, T.retry);
      again.addEventListener("click", () => { setState(entry, "ready", T.ready); start(); });
      entry.actions.append(again);
    }
    if (state === "ready" || state === "failed" || state === "refused") {
      const remove = el("button", { type: "button", class: "secondary" }, T.remove);
      remove.setAttribute("aria-label", T.remove + " " + entry.path);
      remove.addEventListener("click", () => {
        entry.row.remove();
        entries.splice(entries.indexOf(entry), 1);
        refresh();
      });
      entry.actions.append(remove);
    }
    refresh();
  }

  function refresh() {
    queueBox.hidden = entries.length === 0;
    $("upload-clear").hidden = entries.length === 0 || running;
    const bytes = entries.reduce((n, e) => n + e.file.size, 0);
    const sent = entries.reduce((n, e) => n + Math.min(e.file.size, e.sent), 0);
    const finished = entries.filter((e) => e.state === "done" || e.state === "duplicate").length;
    total.max = Math.max(1, bytes);
    total.value = sent;
    summary.textContent = template(T.summary, {
      done: finished, total: entries.length, sent: size(sent), size: size(bytes),
    });
  }

  // ---- the form's metadata, checked before anything is sent ----------------------------
  function metadata() {
    formError.textContent = "";
    let bad = null;
    const times = {};
    for (const [id, name] of [["captured-at", "captured_at"], ["collected-at", "collected_at"]]) {
      const input = $(id), error = $(id + "-error");
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      if (input.validity.badInput || (input.value && Number.isNaN(Date.parse(input.value)))) {
        error.textContent = T.badtime;
      } else if (input.value) {
        times[name] = withOffset(input.value, zone.value);
        if (Date.parse(times[name]) > Date.now() + 60000) error.textContent = T.future;
      }
      if (error.textContent) {
        input.setAttribute("aria-invalid", "true");
        bad = bad || input;
      }
    }
    if (!bad && times.captured_at && times.collected_at &&
        Date.parse(times.collected_at) < Date.parse(times.captured_at)) {
      $("collected-at-error").textContent = T.order;
      bad = $("collected-at");
      bad.setAttribute("aria-invalid", "true");
    }
    if (bad) { bad.focus(); return null; }
    const fields = { source_kind: form.elements.source_kind.value, ...times };
    for (const name of ["device", "collected_by", "location", "description"]) {
      const value = form.elements[name].value.trim();
      if (value) fields[name] = value;
    }
    return fields;
  }

  // ---- uploading ---------------------------------------------------------------------
  async function start() {
    if (running) return;
    const fields = metadata();
    if (!fields) return;
    const waiting = entries.filter((e) => e.state === "ready");
    if (!waiting.length) {
      if (!entries.length) formError.textContent = T.nofiles;
      return;
    }
    running = true;
    form.dataset.busy = "1";
    $("upload-start").disabled = true;
    $("upload-done").hidden = true;
    refresh();
    const next = () => waiting.shift();
    const worker = async () => {
      for (let entry = next(); entry; entry = next()) {
        try {
          await uploadOne(entry, fields);
        } catch (err) {
          setState(entry, "failed", template(T.failed, { reason: String(err.message || err) }));
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const count = (s) => entries.filter((e) => e.state === s).length;
    if (count("done")) await refreshList();
    running = false;
    delete form.dataset.busy;
    $("upload-start").disabled = false;
    summary.textContent = template(T.finished, {
      uploaded: count("done"), duplicates: count("duplicate"),
      failed: count("failed") + count("refused"),
    });
    $("upload-done").hidden = !(count("done") + count("duplicate"));
    $("upload-clear").hidden = false;
  }

  // The case's list above the form, as the server now renders it: an officer who has
  // just uploaded twenty files should not read "0 items" there.
  async function refreshList() {
    try {
      const response = await fetch(location.href, {
        credentials: "same-origin", signal: AbortSignal.timeout(10000),
      });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const selector of ["table.items tbody", ".count-line", ".bulk > span"]) {
        const mine = document.querySelector(selector), theirs = fresh.querySelector(selector);
        if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
      }
    } catch (err) { /* offline again: the link under the summary still shows them */ }
  }

  class Refused extends Error {}

  async function uploadOne(entry, fields) {
    const file = entry.file;
    if (file.size === 0) return setState(entry, "refused", T.empty);
    if (file.size > maxBytes) {
      return setState(entry, "refused", template(T.toolarge, { limit: size(maxBytes) }));
    }
    setState(entry, "running", T.uploading);
    const body = { ...fields, filename: file.name, size: file.size };
    if (entry.path.includes("/")) body.original_path = entry.path;
    for (let attempt = 0; ; attempt++) {
      const outcome = await transfer(entry, body);
      if (outcome !== "restart") return outcome;
      if (attempt >= 2) throw new Refused(T.expired);
      setState(entry, "running", T.expired);
    }
  }

  // One attempt at the whole file; "restart" when the server lost the session.
  async function transfer(entry, body) {
    const file = entry.file;
    const hash = await sha256Stream();
    let { id, offset } = await resume(entry, hash);
    if (!id) {
      const created = await patiently(entry, () => api(`/cases/${caseId}/uploads`, { method: "POST", json: body }));
      if (created.status !== 201) throw refusal(created);
      id = created.body.id;
      offset = 0;
    }
    let bytes = offset < file.size ? await read(file, offset) : null;
    while (offset < file.size) {
      const start = offset;
      // The File's slice is sent, not the bytes read for the hash: the browser streams it
      // from the disk without copying it through the page (an ArrayBuffer body cost the
      // page most of its CPU, uploads ran at a sixth of `dalel upload`).
      const slice = file.slice(start, start + bytes.length);
      const sent = await putBytes(`/uploads/${id}`, slice, { "Upload-Offset": start },
        (loaded) => { entry.sent = start + loaded; entry.bar.value = entry.sent; refresh(); });
      let at;
      if (sent.status === 200) {
        at = sent.body.offset;
      } else if (sent.status === 0 || sent.status >= 500 || sent.status === 409) {
        const found = await patiently(entry, () => api(`/uploads/${id}`), sent.status === 409 ? 0 : 1);
        if (found.status === 404) return restart(entry);
        if (found.status !== 200) throw refusal(found);
        at = found.body.offset;
        setState(entry, "running", T.uploading);
      } else if (sent.status === 404) {
        return restart(entry);
      } else {
        throw refusal(sent);
      }
      if (at === start + bytes.length) {
        // Read the next slice while this one is hashed: the file is read once, in order.
        const following = at < file.size ? read(file, at) : null;
        hash.update(bytes);
        offset = at;
        remember(entry, { id, offset, state: toBase64(hash.save()) });
        bytes = following ? await following : null;
      } else if (at !== start) {
        return restart(entry); // the server holds fewer bytes than were hashed
      }
      entry.sent = offset;
      entry.bar.value = offset;
      refresh();
    }
    const sha256 = hash.hex();
    const done = await patiently(entry, () => api(`/uploads/${id}/finalize`, { method: "POST", json: { sha256 } }));
    forget(entry);
    entry.sent = file.size;
    entry.bar.value = file.size;
    if (done.status === 201) {
      setState(entry, "done", T.done);
      entry.name.replaceChildren(el("a", { href: "/items/" + done.body.id }, entry.path));
      return "done";
    }
    if (done.status === 200 && done.body && done.body.duplicate) {
      return setState(entry, "duplicate", T.duplicate, { id: done.body.id, name: done.body.original_name });
    }
    if (done.status === 422) {
      return setState(entry, "failed", template(T.mismatch, { sha256: sha256.slice(0, 12) + "…" }));
    }
    if (done.status === 404) return restart(entry); // expired before it was finished
    throw refusal(done);
  }

  function restart(entry) {
    forget(entry);
    entry.sent = 0;
    entry.bar.value = 0;
    return "restart";
  }

  function refusal(answer) {
    if (answer.status === 403) return new Refused(T.denied);
    if (answer.status === 413) return new Refused(template(T.toolarge, { limit: size(maxBytes) }));
    return new Refused(problemText(answer.body) || String(answer.status));
  }

  // Repeat a call while the server cannot be reached or is busy, saying so in the row.
  async function patiently(entry, call, waitFirst = 0) {
    let delay = 1;
    if (waitFirst) await countdown(entry, delay);
    for (;;) {
      const answer = await call();
      if (answer.status !== 0 && answer.status !== 502 && answer.status !== 503 && answer.status !== 504) {
        return answer;
      }
      delay = Math.min(RETRY_MAX_SECONDS, delay * 2);
      await countdown(entry, delay);
    }
  }

  async function countdown(entry, seconds) {
    for (let s = seconds; s > 0; s--) {
      entry.status.textContent = template(T.retrying, { seconds: s });
      entry.row.className = "upload-file running waiting";
      await new Promise((r) => setTimeout(r, 1000));
    }
    entry.row.className = "upload-file running";
  }

  // ---- resuming after a reload: the id, offset and hash state of an unfinished file ---
  const storeKey = (entry) => "dalel-upload:" + entry.key;
  function remember(entry, value) {
    try { localStorage.setItem(storeKey(entry), JSON.stringify(value)); } catch (e) { /* full or off */ }
  }
  function forget(entry) {
    try { localStorage.removeItem(storeKey(entry)); } catch (e) { /* off */ }
  }
  async function resume(entry, hash) {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(storeKey(entry)) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.id) return { id: null, offset: 0 };
    const found = await patiently(entry, () => api(`/uploads/${saved.id}`));
    if (found.status !== 200 || found.body.offset < saved.offset || found.body.size !== entry.file.size) {
      forget(entry);
      return { id: null, offset: 0 };
    }
    hash.load(fromBase64(saved.state));
    let offset = saved.offset;
    if (found.body.offset > offset) {
      // A chunk arrived after the state was saved: hash it from the file, do not resend.
      entry.status.textContent = T.hashing;
      for (; offset < found.body.offset;) {
        const bytes = await read(entry.file, offset, found.body.offset);
        hash.update(bytes);
        offset += bytes.length;
      }
    }
    entry.sent = offset;
    entry.bar.value = offset;
    setState(entry, "running", template(T.resumed, {
      percent: Math.floor((100 * offset) / entry.file.size) + " %",
    }));
    return { id: saved.id, offset };
  }

  if (early.length) add(early);
}

// The files chosen in an input, each with the path it is listed under; the input is
// emptied so that choosing the same file again is noticed.
function picked(input) {
  const files = [...input.files].map((f) => ({ file: f, path: f.webkitRelativePath || f.name }));
  input.value = "";
  return files;
}

async function read(file, at, end) {
  const stop = Math.min(file.size, end === undefined ? at + CHUNK : Math.min(end, at + CHUNK));
  return new Uint8Array(await file.slice(at, stop).arrayBuffer());
}

// A dropped folder, recursively: {file, path} for every file in it.
async function walk(entry, found) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    found.push({ file, path: entry.fullPath.replace(/^\//, "") });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const child of batch) await walk(child, found);
  }
}

function offsetText(minutes) {
  const sign = minutes < 0 ? "-" : "+";
  const m = Math.abs(minutes);
  return sign + String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
}

// "2026-11-21T09:30" in the chosen zone ("local": this computer's, for that date) → ISO
// with its offset, as the API requires.
function withOffset(value, zone) {
  const full = value.length === 16 ? value + ":00" : value;
  if (zone === "local") {
    const minutes = -new Date(full).getTimezoneOffset(); // the offset on that date (DST)
    return full + offsetText(minutes);
  }
  return full + zone;
}
