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
  const api = (path, init) =>
    fetch("/api/v1/items/" + item + path, Object.assign({ credentials: "same-origin" }, init));
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
    if (open.length) {
      jobsLine.textContent = T.processing + " " + open.map((j) => j.stage).join(", ");
      setTimeout(pollJobs, 2000);
    } else if (failed.length) {
      jobsLine.textContent = T.jobfailed + " " + failed.map((j) => j.stage + (j.error ? " (" + j.error + ")" : "")).join(", ");
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
