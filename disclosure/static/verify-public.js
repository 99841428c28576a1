// Public verify page: hash the chosen file locally (WebCrypto), send only the hash.
"use strict";
const $ = (id) => document.getElementById(id);
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

async function check(sha256) {
  const out = $("result");
  out.textContent = "…";
  const response = await fetch("/api/v1/verify", {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({sha256}),
  });
  const body = await response.json();
  if (!response.ok) { out.textContent = body.detail || response.statusText; return; }
  out.dataset.released = String(body.released);
  out.innerHTML = "";
  const say = (ok, text) => {
    const p = document.createElement("p");
    p.className = ok ? "ok" : "bad";
    p.textContent = text;
    out.appendChild(p);
  };
  say(body.released, body.released ? out.dataset.msgReleased : out.dataset.msgNot);
  // Signed in (court, prosecution): whether your own cases hold the file.
  if (body.held !== undefined) say(body.held, body.held ? out.dataset.msgHeld : out.dataset.msgNotHeld);
  if (body.released || body.held) {
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify(body, null, 1);
    out.appendChild(pre);
  }
}

$("file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  $("sha256").value = hex(digest);
  await check(hex(digest));
});
$("check").addEventListener("click", () => check($("sha256").value.trim().toLowerCase()));
