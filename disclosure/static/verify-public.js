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
  out.dataset.held = String(body.held);
  out.innerHTML = "";
  const p = document.createElement("p");
  p.className = body.held ? "ok" : "bad";
  p.textContent = body.held ? out.dataset.msgHeld : out.dataset.msgNot;
  out.appendChild(p);
  if (body.held) {
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
