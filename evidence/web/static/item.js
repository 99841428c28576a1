// Item page: transcript beside the player (click a word to seek, current word
// highlighted, edit and verify as a new version), extracted text, processing state.
// Plain browser JavaScript, no build step, no third-party code.
"use strict";
(function () {
  const root = document.getElementById("workspace");
  if (!root) return;
  const item = root.dataset.item;
  const T = JSON.parse(document.getElementById("strings").textContent);
  const player = document.getElementById("player");
  // Cookie-authenticated API calls carry the page's CSRF token (the browser's Origin
  // header would do too; the token also covers browsers that omit it).
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const api = (path, init) => {
    const options = Object.assign({ credentials: "same-origin" }, init);
    options.headers = Object.assign({ "X-CSRF-Token": csrf }, options.headers || {});
    return fetch("/api/v1/items/" + item + path, options);
  };
  const fmt = (s) => {
    s = Math.max(0, Math.round(s));
    const m = Math.floor(s / 60), r = s % 60;
    return m + ":" + String(r).padStart(2, "0");
  };
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function seek(t) {
    if (!player) return;
    player.currentTime = t;
    player.play().catch(() => {});
  }
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest(".seek");
    if (button) seek(parseFloat(button.dataset.t));
    const now = ev.target.closest(".now");
    if (now && player) document.getElementById(now.dataset.target).value = fmt(player.currentTime);
  });

  // ---- the words a search found (?mark=a|b), marked wherever the text shows them ----
  const marks = new Set((new URLSearchParams(location.search).get("mark") || "").split("|")
    .filter((w) => w).slice(0, 20).map((w) => w.toLocaleLowerCase()));
  function markWords(node) {
    if (!marks.size || !node) return;
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach((t) => {
      const s = t.nodeValue, parts = [], word = /[\p{L}\p{N}\p{M}]+/gu;
      let last = 0, m;
      while ((m = word.exec(s))) {
        if (!marks.has(m[0].toLocaleLowerCase())) continue;
        parts.push(document.createTextNode(s.slice(last, m.index)), el("mark", {}, m[0]));
        last = m.index + m[0].length;
      }
      if (parts.length) t.replaceWith(...parts, document.createTextNode(s.slice(last)));
    });
  }

  // ---- transcript ----------------------------------------------------------------
  const box = document.getElementById("transcript");
  let words = [];       // [{start, end, node}] in time order, for highlighting
  let current = null;   // the loaded transcript
  let editing = false;

  function render(tr) {
    current = tr;
    words = [];
    box.replaceChildren();
    if (!tr.segments.length) { box.append(el("p", { class: "note" }, T.none)); return; }
    tr.segments.forEach((seg, si) => {
      const p = el("p", { class: "segment", "data-segment": si });
      const stamp = el("button", { type: "button", class: "seek stamp", "data-t": seg.start }, fmt(seg.start));
      p.append(stamp, " ");
      const text = el("span", { class: "seg-text" });
      if (seg.words && seg.words.length) {
        seg.words.forEach((w) => {
          const span = el("span", { class: "word", "data-t": w.start, tabindex: "-1" }, w.word.trim());
          text.append(span, " ");
          words.push({ start: w.start, end: w.end, node: span });
        });
      } else {
        text.textContent = seg.text;
      }
      p.append(text);
      box.append(p);
    });
    const meta = document.getElementById("transcript-meta");
    meta.textContent = T.version + " " + tr.version + " · " + (T[tr.origin] || tr.origin) +
      (tr.verified ? " · " + T.verified : "") + (tr.language ? " · " + tr.language : "");
    document.querySelector(".transcript-tools").hidden = false;
    markWords(box);
    if (root.dataset.mayEdit === "1") {
      document.getElementById("edit-transcript").hidden = false;
      document.getElementById("verified").checked = tr.verified;
    }
  }

  box && box.addEventListener("click", (ev) => {
    const w = ev.target.closest(".word");
    if (w && !editing) seek(parseFloat(w.dataset.t));
  });
  // Keyboard: Tab reaches the transcript; arrow keys move between words (roving focus),
  // Enter or Space seeks to the focused word, Home/End jump to the first/last word.
  box && box.addEventListener("keydown", (ev) => {
    if (editing || !words.length) return;
    const nodes = words.map((w) => w.node);
    let at = nodes.indexOf(document.activeElement);
    const move = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    if (move !== undefined) {
      at = at < 0 ? (lit ? nodes.indexOf(lit) : 0) : Math.min(nodes.length - 1, Math.max(0, at + move));
    } else if (ev.key === "Home") at = 0;
    else if (ev.key === "End") at = nodes.length - 1;
    else if ((ev.key === "Enter" || ev.key === " ") && at >= 0) {
      ev.preventDefault();
      seek(parseFloat(nodes[at].dataset.t));
      return;
    } else return;
    ev.preventDefault();
    nodes[at].focus();
  });

  let lit = null;
  function highlight() {
    if (!player || !words.length) return;
    const t = player.currentTime;
    // Binary search: transcripts of long bodycam files have tens of thousands of words.
    let lo = 0, hi = words.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid].start <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const next = found >= 0 && t <= words[found].end + 0.3 ? words[found].node : null;
    if (next === lit) return;
    if (lit) { lit.classList.remove("current"); lit.removeAttribute("aria-current"); }
    lit = next;
    if (lit) {
      lit.classList.add("current");
      lit.setAttribute("aria-current", "true");
      const r = lit.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (r.top < b.top || r.bottom > b.bottom) lit.scrollIntoView({ block: "center" });
    }
  }
  player && player.addEventListener("timeupdate", highlight);
  player && player.addEventListener("seeked", highlight);

  async function loadTranscript(version) {
    const r = await api("/transcript" + (version ? "?version=" + version : ""));
    if (r.status === 404) { box.replaceChildren(el("p", { class: "note" }, T.none)); return false; }
    if (!r.ok) { box.replaceChildren(el("p", { class: "note" }, T.failed)); return false; }
    render(await r.json());
    loadVersions();
    return true;
  }

  async function loadVersions() {
    const r = await api("/transcript/versions");
    if (!r.ok) return;
    const list = await r.json();
    const select = document.getElementById("versions");
    select.replaceChildren(...list.map((v) => {
      const o = el("option", { value: v.version },
        T.version + " " + v.version + " · " + (T[v.origin] || v.origin) + (v.verified ? " ✓" : ""));
      if (current && v.version === current.version) o.selected = true;
      return o;
    }));
    select.hidden = list.length < 2;
  }
  const versions = document.getElementById("versions");
  versions && versions.addEventListener("change", () => loadTranscript(versions.value));

  function startEdit() {
    editing = true;
    box.querySelectorAll(".seg-text").forEach((n) => {
      n.textContent = n.textContent.replace(/\s+/g, " ").trim();
      n.contentEditable = "true";
      n.setAttribute("role", "textbox");
    });
    document.getElementById("save-transcript").hidden = false;
    document.getElementById("verified-box").hidden = false;
    const first = box.querySelector(".seg-text");
    first && first.focus();
  }

  async function save() {
    const segments = current.segments.map((seg, i) => {
      const node = box.querySelector('[data-segment="' + i + '"] .seg-text');
      const text = node ? node.textContent.replace(/\s+/g, " ").trim() : seg.text;
      // Words keep their times only while the text is unchanged; edited text drops them.
      const same = text === seg.text.replace(/\s+/g, " ").trim();
      return { start: seg.start, end: seg.end, text: text, words: same ? seg.words : [] };
    });
    const r = await api("/transcript", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        segments: segments,
        language: current.language,
        verified: document.getElementById("verified").checked,
        base_version: current.version,
      }),
    });
    editing = false;
    document.getElementById("save-transcript").hidden = true;
    document.getElementById("verified-box").hidden = true;
    if (!r.ok) {
      const problem = await r.json().catch(() => ({}));
      document.getElementById("transcript-meta").textContent = T.failed + " " + (problem.detail || "");
      return;
    }
    render(await r.json());
    loadVersions();
    document.getElementById("transcript-meta").textContent += " · " + T.saved;
  }
  const editButton = document.getElementById("edit-transcript");
  editButton && editButton.addEventListener("click", startEdit);
  const saveButton = document.getElementById("save-transcript");
  saveButton && saveButton.addEventListener("click", save);

  // ---- extracted text (OCR, PDF text) ----------------------------------------------
  const textBox = document.getElementById("text");
  // Chat exports have messages instead of pages: sender, time and text, one per entry.
  async function loadMessages() {
    const r = await api("/messages");
    if (!r.ok) return false;
    const list = await r.json();
    if (!list.length) return false;
    const ol = el("ol", { class: "messages" });
    list.forEach((m) => {
      const li = el("li", { id: "msg-" + m.position, tabindex: "-1" });
      const when = m.sent_at ? new Date(m.sent_at).toLocaleString(root.dataset.lang) : "";
      li.append(el("strong", {}, m.sender || ""), " ", el("time", { datetime: m.sent_at || "" }, when));
      li.append(el("p", {}, m.text));
      ol.append(li);
    });
    textBox.replaceChildren(ol);
    markWords(ol);
    const wanted = new URLSearchParams(location.search).get("msg");
    const target = wanted && document.getElementById("msg-" + wanted);
    if (target) { target.scrollIntoView({ block: "center" }); target.focus(); target.classList.add("current"); }
    return true;
  }

  async function loadText() {
    const r = await api("/text");
    const data = r.ok ? await r.json() : null;
    if (!data || (!data.text && !(data.pages || []).length)) {
      if (await loadMessages()) return true;
      textBox.replaceChildren(el("p", { class: "note" }, !r.ok && r.status !== 404 ? T.failed : T.notext));
      return false;
    }
    textBox.replaceChildren();
    if (!data.pages || !data.pages.length) { textBox.append(el("pre", {}, data.text || T.notext)); return true; }
    data.pages.forEach((p) => {
      const section = el("section", { id: "page-" + p.page, class: "page", tabindex: "-1" });
      section.append(el("h3", {}, T.page + " " + p.page), el("pre", {}, p.text));
      textBox.append(section);
    });
    markWords(textBox);
    const page = new URLSearchParams(location.search).get("page");
    const target = page && document.getElementById("page-" + page);
    if (target) { target.scrollIntoView(); target.focus(); }
    return true;
  }

  // ---- regions on images: drag to mark one for a note; saved ones are outlined -------
  const image = document.getElementById("image");
  const regionInput = document.querySelector('input[name="region"]');
  if (image) {
    const figure = image.parentElement;
    const place = (node, [x, y, w, h]) => {
      Object.assign(node.style, { left: x * 100 + "%", top: y * 100 + "%", width: w * 100 + "%", height: h * 100 + "%" });
    };
    document.querySelectorAll("[data-region]").forEach((note) => {
      const mark = el("div", { class: "region", title: note.dataset.body || "" });
      place(mark, note.dataset.region.split(",").map(Number));
      figure.append(mark);
    });
    if (regionInput) {
      let origin = null, draft = null;
      const point = (ev) => {
        const r = image.getBoundingClientRect();
        return [Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (ev.clientY - r.top) / r.height))];
      };
      const rect = (a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])];
      image.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        origin = point(ev);
        if (draft) draft.remove();
        draft = el("div", { class: "region draft" });
        figure.append(draft);
      });
      window.addEventListener("mousemove", (ev) => { if (origin) place(draft, rect(origin, point(ev))); });
      window.addEventListener("mouseup", (ev) => {
        if (!origin) return;
        const r = rect(origin, point(ev));
        origin = null;
        if (r[2] > 0.005 && r[3] > 0.005) regionInput.value = r.map((v) => v.toFixed(4)).join(",");
      });
    }
  }

  // ---- processing state ------------------------------------------------------------
  const jobsLine = document.getElementById("jobs");
  async function pollJobs() {
    const r = await api("/jobs");
    if (!r.ok) return;
    const jobs = await r.json();
    if (!jobs.length) return;
    const open = jobs.filter((j) => ["queued", "running", "retrying"].includes(j.state));
    const failed = jobs.filter((j) => j.state === "failed");
    // The newest transcription: its share of the audio decoded, or a calm state.
    const speech = jobs.filter((j) => j.stage === "transcribe" || j.stage === "asr").pop();
    const speechLine = document.getElementById("speech-state");
    const cancelForm = document.getElementById("cancel-speech");
    if (speech && speechLine) {
      if (speech.state === "running" || speech.state === "queued") {
        speechLine.textContent = T.decoded.replace("{p}", Math.round(speech.progress * 100) + " %");
      } else if (speech.state === "not_configured") {
        speechLine.textContent = T.notconfigured;
      } else if (speech.state === "cancelled") {
        speechLine.textContent = T.cancelled;
      } else {
        speechLine.hidden = true;
      }
    }
    if (cancelForm && (!speech || !["queued", "running"].includes(speech.state))) cancelForm.hidden = true;
    const pct = (j) => (j.state === "running" && j.progress > 0 ? " " + Math.round(j.progress * 100) + " %" : "");
    const stage = (j) => T.stages[j.stage] || j.stage;
    if (open.length) {
      jobsLine.textContent = T.processing + " " + open.map((j) => stage(j) + pct(j)).join(", ");
      setTimeout(pollJobs, 2000);
    } else if (failed.length) {
      // The stage in the page's language; a tool's own diagnostic stays as code (English),
      // except a missing model, which is a server's set-up, not a failure.
      jobsLine.replaceChildren(T.jobfailed);
      failed.forEach((j, n) => {
        jobsLine.append((n ? ", " : " ") + stage(j));
        if ((j.error || "").startsWith("ModelMissing")) jobsLine.append(" (" + T.notconfigured + ")");
        else if (j.error) jobsLine.append(" ", el("code", { class: "kind" }, j.error));
      });
    } else {
      if (jobsLine.textContent) {
        jobsLine.textContent = T.ready;
        if (box && !current) loadTranscript();
        if (textBox) loadText();
      }
    }
  }

  const start = parseFloat(new URLSearchParams(location.search).get("t"));
  if (box) loadTranscript().then(() => { if (!isNaN(start) && player) player.currentTime = start; });
  else if (!isNaN(start) && player) player.currentTime = start;
  if (textBox) loadText();
  pollJobs();
})();

// Playback speed of the player (the choice stays while the page is open).
(() => {
  const speed = document.getElementById("speed");
  const player = document.getElementById("player");
  if (!speed || !player) return;
  speed.addEventListener("change", () => { player.playbackRate = Number(speed.value); });
  player.addEventListener("ratechange", () => { speed.value = String(player.playbackRate); });
})();
