// The redaction review on the page itself (issue 15): the server draws the page and its
// boxes in an SVG whose viewBox is the page in box pixels, so every coordinate here is
// already the page's own; this script lets a reviewer click a box to hide or keep it,
// drag it to move it, drag its corner to resize it, drag on the page to draw a new
// box (mouse, pen and touch alike: pointer events), zoom, and do all of it from the
// keyboard. Each change is one call to the REST API, which writes a new plan version;
// the page then opens that version (same page, zoom and selection), so what is shown is
// always what the server holds, and the preview beside it is that version rendered.
import { api, problemText } from "../lib/api.js";

const studio = document.getElementById("studio");
if (studio) setup(studio);

function setup(root) {
  const plan = root.dataset.plan;
  const pageNo = Number(root.dataset.page);
  const W = Number(root.dataset.width);
  const H = Number(root.dataset.height);
  const editable = root.dataset.editable === "1";
  const svg = root.querySelector("svg");
  const canvas = root.querySelector(".canvas");
  const status = root.querySelector(".status");
  const image = svg.querySelector("image");
  const params = new URLSearchParams(location.search);
  let zoom = Number(params.get("zoom") || 1);
  let selected = null; // the <g class="box"> chosen
  let busy = false;
  const boxes = () => Array.from(svg.querySelectorAll("g.box"));
  const numbers = () => Array.from(new Set(boxes().map((g) => Number(g.dataset.number))));

  function applyZoom() {
    svg.style.width = `${Math.round(zoom * 100)}%`;
    // The sharper rendering once the page is shown larger than the 1200-pixel one.
    const wide = canvas.clientWidth * zoom * (window.devicePixelRatio || 1) > 1300;
    const src = image.getAttribute("href").replace(/width=\d+/, `width=${wide ? 2400 : 1200}`);
    if (src !== image.getAttribute("href")) image.setAttribute("href", src);
    root.dataset.zoom = String(zoom);
  }
  applyZoom();

  function say(text) { status.textContent = text; }

  // Page pixels under a pointer event: the inverse of the SVG's screen transform.
  function point(ev) {
    const p = svg.createSVGPoint();
    p.x = ev.clientX;
    p.y = ev.clientY;
    const q = p.matrixTransform(svg.getScreenCTM().inverse());
    return { x: Math.min(W, Math.max(0, q.x)), y: Math.min(H, Math.max(0, q.y)) };
  }

  function rectOf(g) {
    const r = g.querySelector("rect");
    return ["x", "y", "width", "height"].map((k) => Number(r.getAttribute(k)));
  }
  function setRect(g, [x, y, w, h]) {
    const r = g.querySelector("rect");
    w = Math.max(1, Math.min(w, W - x));
    h = Math.max(1, Math.min(h, H - y));
    r.setAttribute("x", x); r.setAttribute("y", y); r.setAttribute("width", w); r.setAttribute("height", h);
    placeHandle(g);
  }
  function clampBox([x, y, w, h]) {
    x = Math.round(Math.min(Math.max(0, x), W - 1));
    y = Math.round(Math.min(Math.max(0, y), H - 1));
    w = Math.round(Math.max(1, Math.min(w, W - x)));
    h = Math.round(Math.max(1, Math.min(h, H - y)));
    return [x, y, w, h];
  }

  let handle = null;
  function placeHandle(g) {
    if (!editable) return;
    if (!handle) {
      handle = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      handle.setAttribute("class", "handle");
    }
    svg.appendChild(handle); // above the chosen box, so its corner can be taken
    const [x, y, w, h] = rectOf(g);
    const s = Math.max(8, Math.round(Math.min(W, H) / 60));
    handle.setAttribute("x", x + w - s / 2); handle.setAttribute("y", y + h - s / 2);
    handle.setAttribute("width", s); handle.setAttribute("height", s);
  }

  function select(g, scroll = true) {
    boxes().forEach((b) => b.classList.remove("selected"));
    root.querySelectorAll(".box-list button").forEach((b) => b.setAttribute("aria-pressed", "false"));
    selected = g;
    if (!g) return;
    // Every box of the proposal shows as chosen; the first is the one moved by keys.
    boxes().filter((b) => b.dataset.number === g.dataset.number).forEach((b) => b.classList.add("selected"));
    const item = root.querySelector(`.box-list button[data-number="${g.dataset.number}"]`);
    if (item) item.setAttribute("aria-pressed", "true");
    svg.appendChild(g); // drawn on top
    placeHandle(g);
    root.dataset.selected = g.dataset.number;
    const [x, y, w, h] = rectOf(g);
    const title = g.querySelector("title");
    say(title ? title.textContent : `#${g.dataset.number}`);
    if (scroll) {
      const scale = svg.clientWidth / W;
      canvas.scrollTo({ left: Math.max(0, (x + w / 2) * scale - canvas.clientWidth / 2),
                        top: Math.max(0, (y + h / 2) * scale - canvas.clientHeight / 2) });
    }
  }

  // After a change: open the new version at the same page, zoom and selection.
  function open(planId, number) {
    const q = new URLSearchParams({ page: String(pageNo) });
    if (zoom !== 1) q.set("zoom", String(zoom));
    if (number) q.set("sel", String(number));
    location.assign(`/redactions/${planId}/review?${q}#studio`);
  }

  async function call(path, method, json, number) {
    if (busy) return;
    busy = true;
    say(root.dataset.lSaving);
    const { status: code, body } = await api(path, { method, json });
    busy = false;
    if (code >= 200 && code < 300 && body && body.id) {
      root.dataset.saved = body.id;
      open(body.id, number);
    } else {
      say(`${root.dataset.lFailed} ${problemText(body) || code}`);
    }
  }

  function toggle(g) {
    const next = g.dataset.decision === "accepted" ? "rejected" : "accepted";
    call(`/redactions/${plan}/proposals/${g.dataset.number}`, "PATCH", { decision: next }, g.dataset.number);
  }

  function saveGeometry(g) {
    // A span's word boxes are sent together, the changed one in its place.
    const parts = boxes().filter((b) => b.dataset.number === g.dataset.number)
      .sort((a, b) => Number(a.dataset.part) - Number(b.dataset.part));
    const list = parts.map((b) => {
      const [left, top, width, height] = clampBox(rectOf(b));
      return { page: pageNo, left, top, width, height };
    });
    call(`/redactions/${plan}/proposals/${g.dataset.number}/boxes`, "PUT", { boxes: list }, g.dataset.number);
  }

  function addBox([left, top, width, height]) {
    const type = root.querySelector("select[name=box-type]");
    const basis = root.querySelector("select[name=box-basis]");
    const target = { kind: "box", page: pageNo, left, top, width, height };
    call(`/redactions/${plan}/proposals`, "POST", {
      items: [{ target, entity_type: type ? type.value : "MANUAL", reason: basis ? basis.value : null }],
    });
  }

  // Pointer: down on a box = move (or a click: toggle), on the handle = resize,
  // elsewhere = draw.
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => {
    if (!editable || busy || ev.button > 0) return;
    const at = point(ev);
    const g = ev.target.closest && ev.target.closest("g.box");
    if (ev.target === handle && selected) {
      drag = { mode: "resize", g: selected, at, start: rectOf(selected) };
    } else if (g) {
      select(g, false);
      drag = { mode: "move", g, at, start: rectOf(g) };
    } else {
      const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      r.setAttribute("class", "drawing");
      svg.appendChild(r);
      drag = { mode: "draw", at, r };
    }
    svg.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const p = point(ev);
    const dx = p.x - drag.at.x;
    const dy = p.y - drag.at.y;
    drag.moved = drag.moved || Math.abs(dx) + Math.abs(dy) > 3;
    if (drag.mode === "move") {
      const [x, y, w, h] = drag.start;
      setRect(drag.g, [Math.min(Math.max(0, x + dx), W - w), Math.min(Math.max(0, y + dy), H - h), w, h]);
    } else if (drag.mode === "resize") {
      const [x, y, w, h] = drag.start;
      setRect(drag.g, [x, y, Math.max(2, w + dx), Math.max(2, h + dy)]);
    } else {
      drag.r.setAttribute("x", Math.min(p.x, drag.at.x)); drag.r.setAttribute("y", Math.min(p.y, drag.at.y));
      drag.r.setAttribute("width", Math.abs(dx)); drag.r.setAttribute("height", Math.abs(dy));
    }
  });
  svg.addEventListener("pointerup", (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    const p = point(ev);
    if (d.mode === "draw") {
      d.r.remove();
      const box = clampBox([Math.min(p.x, d.at.x), Math.min(p.y, d.at.y), Math.abs(p.x - d.at.x), Math.abs(p.y - d.at.y)]);
      if (box[2] >= 3 && box[3] >= 3) addBox(box);
    } else if (!d.moved && d.mode === "move") {
      setRect(d.g, d.start);
      toggle(d.g);
    } else if (d.moved) {
      saveGeometry(d.g);
    }
  });
  svg.addEventListener("pointercancel", () => {
    if (drag && drag.r) drag.r.remove();
    if (drag && drag.start) setRect(drag.g, drag.start);
    drag = null;
  });

  root.querySelectorAll(".box-list button").forEach((b) => {
    b.addEventListener("click", () => {
      const g = boxes().find((x) => x.dataset.number === b.dataset.number);
      if (g) select(g);
      canvas.focus({ preventScroll: true });
    });
  });

  root.querySelector(".toolbar").addEventListener("click", (ev) => {
    const act = ev.target.closest("button") && ev.target.closest("button").dataset.act;
    if (act === "zoom-in") zoom = Math.min(4, zoom * 1.5);
    else if (act === "zoom-out") zoom = Math.max(1, zoom / 1.5);
    else if (act === "fit") zoom = 1;
    else if (act === "undo") return undo();
    else return;
    applyZoom();
  });

  function undo() { call(`/redactions/${plan}/undo`, "POST", undefined); }

  function step(by) {
    const list = numbers();
    if (!list.length) return;
    const now = selected ? list.indexOf(Number(selected.dataset.number)) : -1;
    const next = list[(now + by + list.length) % list.length];
    select(boxes().find((g) => Number(g.dataset.number) === next));
  }

  // Keys move the chosen box a few page pixels at a time; the geometry is saved once
  // the keys rest, so a run of presses is one version.
  let pending = null;
  function nudge(dx, dy, resize) {
    if (!selected || !editable) return;
    const [x, y, w, h] = rectOf(selected);
    const unit = Math.max(1, Math.round(W / 200));
    if (resize) setRect(selected, [x, y, Math.max(2, w + dx * unit), Math.max(2, h + dy * unit)]);
    else setRect(selected, [Math.min(Math.max(0, x + dx * unit), W - w), Math.min(Math.max(0, y + dy * unit), H - h), w, h]);
    clearTimeout(pending);
    const g = selected;
    pending = setTimeout(() => saveGeometry(g), 700);
  }

  root.addEventListener("keydown", (ev) => {
    if (ev.target.closest("select, input, textarea")) return;
    const key = ev.key;
    const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (key === "n" || key === "j") step(1);
    else if (key === "p" || key === "k") step(-1);
    else if ((key === " " || key === "Enter") && selected && editable && ev.target.closest(".canvas")) toggle(selected);
    else if (arrows[key] && selected) nudge(...arrows[key], ev.shiftKey);
    else if ((key === "u" || (key === "z" && (ev.ctrlKey || ev.metaKey))) && editable) undo();
    else if (key === "d" && editable) {
      // A box a tenth of the page in the middle of what is in view, then arrows.
      const scale = svg.clientWidth / W;
      const cx = (canvas.scrollLeft + canvas.clientWidth / 2) / scale;
      const cy = (canvas.scrollTop + canvas.clientHeight / 2) / scale;
      const w = Math.round(W / 10), h = Math.round(H / 20);
      addBox(clampBox([cx - w / 2, cy - h / 2, w, h]));
    } else if (key === "+" || key === "=") { zoom = Math.min(4, zoom * 1.5); applyZoom(); }
    else if (key === "-") { zoom = Math.max(1, zoom / 1.5); applyZoom(); }
    else return;
    ev.preventDefault();
  });

  const wanted = params.get("sel");
  const first = wanted && boxes().find((g) => g.dataset.number === wanted);
  if (first) select(first);
  root.dataset.ready = "1";
}
