// The person's page of an evidence request (/r/{token}): no account, nothing from other
// sites. For each chosen file: compute its SHA-256 here first (WebCrypto in one call for
// small files; hash-wasm streaming slice by slice for large ones, so a 2 GB video costs a
// few MB of memory), declare it when the upload begins, then send the bytes through the
// resumable protocol (PUT chunks at Upload-Offset). A lost connection waits, asks the
// server where it stopped and goes on from there; a reload resumes too (the upload id and
// hash are kept in localStorage until the file is received). The server refuses bytes that
// hash otherwise and keeps nothing. At the end the signed receipt is shown.
import { createSHA256 } from "hash-wasm";
import { api, putBytes, problemText } from "../lib/api.js";
import { el, formatBytes, template } from "../lib/text.js";

const MiB = 1024 * 1024;
const SMALL = 32 * MiB; // up to this, WebCrypto hashes the whole file in one call
const SLICE = 8 * MiB; // what the streaming hash reads at a time
const CHUNK = 8 * MiB; // bytes per PUT: little to resend after a drop on a phone
const RETRY_MAX_SECONDS = 20;

const form = document.getElementById("citizen-form");
if (form) enhance(form);

/** SHA-256 of a File as hex; onProgress(bytesHashed). */
export async function hashFile(file, onProgress) {
  if (file.size <= SMALL && globalThis.crypto && crypto.subtle) {
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    onProgress(file.size);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  const hasher = await createSHA256();
  hasher.init();
  const read = (at) => file.slice(at, Math.min(file.size, at + SLICE)).arrayBuffer();
  let next = read(0);
  for (let at = 0; at < file.size;) {
    const bytes = new Uint8Array(await next);
    at += bytes.length;
    next = at < file.size ? read(at) : null; // the next slice is read while this one hashes
    hasher.update(bytes);
    onProgress(at);
  }
  return hasher.digest("hex");
}

function enhance(form) {
  const T = JSON.parse(document.getElementById("citizen-strings").textContent);
  const limits = JSON.parse(document.getElementById("citizen-limits").textContent);
  const token = form.dataset.token;
  const lang = form.dataset.lang || document.documentElement.lang;
  const size = (n) => formatBytes(n, lang, T.units);
  const $ = (id) => document.getElementById(id);
  const list = $("citizen-list"), errorBox = $("citizen-error"), summary = $("citizen-summary");
  const entries = [];
  let running = false;
  let received = limits.files_received;
  let receivedBytes = limits.bytes_received;
  form.hidden = false;

  $("citizen-files").addEventListener("change", (ev) => {
    add([...ev.target.files]);
    ev.target.value = "";
  });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
  window.addEventListener("beforeunload", (ev) => {
    if (running) { ev.preventDefault(); ev.returnValue = T.busy; }
  });

  function add(files) {
    errorBox.textContent = "";
    const known = new Set(entries.map((e) => e.key));
    for (const file of files) {
      const key = [token, file.name, file.size, file.lastModified].join("|");
      if (known.has(key)) continue;
      known.add(key);
      const entry = { file, key, state: "ready", done: 0 };
      const li = el("li", { class: "file ready" });
      entry.row = li;
      entry.status = el("span", { class: "status" }, T.ready);
      entry.bar = el("progress", { max: "1", value: "0", "aria-label": file.name });
      entry.remove = el("button", { type: "button", class: "secondary small" }, T.remove);
      entry.remove.addEventListener("click", () => {
        li.remove();
        entries.splice(entries.indexOf(entry), 1);
        refresh();
      });
      li.append(el("span", { class: "name" }, file.name), el("span", { class: "size" }, size(file.size)),
        entry.bar, entry.status, entry.remove);
      entries.push(entry);
      list.append(li);
      check(entry);
    }
    refresh();
  }

  // The link's limits, checked here so a person learns at once (the server checks again).
  function check(entry) {
    const file = entry.file;
    if (file.size === 0) return refuse(entry, T.empty);
    if (file.size > limits.max_file_bytes) {
      return refuse(entry, template(T.toolarge, { limit: size(limits.max_file_bytes) }));
    }
    const before = entries.filter((e) => e !== entry && e.state !== "refused" && e.state !== "received");
    const left = limits.max_files - received;
    if (before.length >= left) return refuse(entry, template(T.toomany, { count: Math.max(0, left) }));
    return true;
  }

  function setState(entry, state, text) {
    entry.state = state;
    entry.row.className = "file " + state;
    entry.status.textContent = text;
    entry.remove.hidden = !(state === "ready" || state === "refused");
    refresh();
  }

  function refuse(entry, reason) {
    setState(entry, "refused", template(T.refused, { reason }));
    return false;
  }

  function refresh() {
    const live = entries.filter((e) => e.state !== "refused");
    const bytes = live.reduce((n, e) => n + e.file.size, 0);
    const sent = live.reduce((n, e) => n + (e.state === "received" ? e.file.size : e.done), 0);
    const finished = live.filter((e) => e.state === "received").length;
    summary.textContent = live.length
      ? template(T.summary, { done: finished, total: live.length, sent: size(sent), size: size(bytes) })
      : "";
  }

  async function send() {
    if (running) return;
    const waiting = entries.filter((e) => e.state === "ready" || e.state === "failed");
    if (!waiting.length) {
      if (!entries.length) errorBox.textContent = T.nofiles;
      return;
    }
    running = true;
    $("citizen-send").disabled = true;
    $("citizen-files").disabled = true;
    const description = $("citizen-description").value.trim();
    // One file at a time: a phone's uplink is the limit, and the first file's receipt
    // entry exists before the second starts.
    for (const entry of waiting) {
      try {
        await sendOne(entry, description);
      } catch (err) {
        refuse(entry, String((err && err.message) || err));
        if (err && err.closed) break;
      }
    }
    running = false;
    $("citizen-send").disabled = false;
    $("citizen-files").disabled = false;
    const failed = entries.filter((e) => e.state === "refused").length;
    if (entries.some((e) => e.state === "received")) {
      summary.textContent = failed ? template(T.someleft, { failed }) : T.finished;
      await showReceipt();
    }
  }

  class Refused extends Error {}

  async function sendOne(entry, description) {
    const file = entry.file;
    entry.done = 0;
    setState(entry, "hashing", template(T.hashing, { percent: "0 %" }));
    entry.bar.max = Math.max(1, file.size);
    const saved = recall(entry);
    let sha256 = saved && saved.sha256;
    if (!sha256) {
      sha256 = await hashFile(file, (n) => {
        entry.bar.value = n;
        entry.status.textContent = template(T.hashing, { percent: percent(n, file.size) });
      });
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await transfer(entry, sha256, description, attempt === 0 ? saved : null);
      if (outcome === "received") return;
    }
    throw new Refused(T.restarted);
  }

  // One attempt at the whole file; "restart" when the server no longer has the upload.
  async function transfer(entry, sha256, description, saved) {
    const file = entry.file;
    let id = null, offset = 0;
    if (saved && saved.id) {
      const found = await patiently(entry, () => api(`/citizen/${token}/uploads/${saved.id}`));
      if (found.status === 200 && found.body.size === file.size) {
        id = saved.id;
        offset = found.body.offset;
      }
    }
    if (!id) {
      const begun = await patiently(entry, () => api(`/citizen/${token}/uploads`, {
        method: "POST", json: { filename: file.name, size: file.size, sha256, description },
      }));
      if (begun.status !== 201) throw refusal(begun);
      id = begun.body.id;
      remember(entry, { id, sha256 });
    }
    setState(entry, "sending", template(T.sending, { percent: percent(offset, file.size) }));
    while (offset < file.size) {
      const start = offset;
      // A slice of the File, not its bytes: the browser sends it from the disk without
      // copying it through the page (an ArrayBuffer cost the page most of its CPU).
      const bytes = file.slice(start, Math.min(file.size, start + CHUNK));
      const sent = await putBytes(`/citizen/${token}/uploads/${id}`, bytes, { "Upload-Offset": start },
        (loaded) => progress(entry, start + loaded));
      if (sent.status === 200) {
        offset = sent.body.offset;
      } else if (sent.status === 0 || sent.status >= 500 || sent.status === 409) {
        // Lost on the way (or half arrived): ask where the server stopped, go on from there.
        const found = await patiently(entry, () => api(`/citizen/${token}/uploads/${id}`), sent.status !== 409);
        if (found.status === 404) { forget(entry); return "restart"; }
        if (found.status !== 200) throw refusal(found);
        offset = found.body.offset;
        setState(entry, "sending", template(T.sending, { percent: percent(offset, file.size) }));
      } else if (sent.status === 404) {
        forget(entry);
        return "restart";
      } else {
        throw refusal(sent);
      }
      progress(entry, offset);
    }
    const done = await patiently(entry, () => api(`/citizen/${token}/uploads/${id}/finalize`, {
      method: "POST", json: { sha256 },
    }));
    forget(entry);
    if (done.status === 201) {
      received += 1;
      receivedBytes += file.size;
      entry.done = file.size;
      entry.bar.value = file.size;
      setState(entry, "received", T.received);
      return "received";
    }
    if (done.status === 404 || done.status === 409) return "restart";
    throw refusal(done);
  }

  function progress(entry, n) {
    entry.done = n;
    entry.bar.value = n;
    entry.status.textContent = template(T.sending, { percent: percent(n, entry.file.size) });
    refresh();
  }

  function refusal(answer) {
    const error = new Refused(problemText(answer.body) || String(answer.status));
    error.closed = answer.status === 410 || answer.status === 429;
    return error;
  }

  // Repeat a call while the server cannot be reached, saying so; the browser's "online"
  // event ends the wait early.
  async function patiently(entry, call, waitFirst = false) {
    let delay = 1;
    if (waitFirst) await pause(entry, delay);
    for (;;) {
      const answer = await call();
      if (![0, 502, 503, 504].includes(answer.status)) return answer;
      delay = Math.min(RETRY_MAX_SECONDS, delay * 2);
      await pause(entry, delay);
    }
  }

  async function pause(entry, seconds) {
    const previous = entry.row.className;
    entry.row.className = previous + " waiting";
    let online = false;
    const back = () => { online = true; };
    window.addEventListener("online", back, { once: true });
    for (let s = seconds; s > 0 && !online; s--) {
      entry.status.textContent = template(T.waiting, { seconds: s });
      await new Promise((r) => setTimeout(r, 1000));
    }
    window.removeEventListener("online", back);
    entry.row.className = previous;
  }

  const storeKey = (entry) => "dalel-citizen:" + entry.key;
  function remember(entry, value) {
    try { localStorage.setItem(storeKey(entry), JSON.stringify(value)); } catch (e) { /* off */ }
  }
  function recall(entry) {
    try { return JSON.parse(localStorage.getItem(storeKey(entry)) || "null"); } catch (e) { return null; }
  }
  function forget(entry) {
    try { localStorage.removeItem(storeKey(entry)); } catch (e) { /* off */ }
  }

  async function showReceipt() {
    const answer = await api(`/citizen/${token}/receipt`);
    if (answer.status !== 200 || !answer.body) return;
    const box = $("citizen-receipt");
    const files = $("receipt-files");
    files.replaceChildren();
    for (const f of answer.body.receipt.files) {
      const li = el("li", { class: "receipt-file" });
      files.append(li);
      const head = el("span", { class: "head" });
      head.append(el("strong", { class: "name" }, f.name), " · " + size(f.size));
      li.append(
        head,
        el("code", { class: "sha" }, f.sha256),
        el("span", { class: "muted" }, template(T.ledger, { index: f.ledger_index })),
      );
    }
    box.hidden = false;
    box.scrollIntoView({ behavior: "smooth", block: "start" });
  }
  if (received > 0) showReceipt();
  // Files chosen before this script ran (a slow phone, or a form the browser restored).
  if ($("citizen-files").files.length) {
    add([...$("citizen-files").files]);
    $("citizen-files").value = "";
  }
}

function percent(n, total) {
  return Math.floor((100 * n) / Math.max(1, total)) + " %";
}
