// Streaming SHA-256 in the browser (hash-wasm, WebAssembly), shared by the upload pages.
// A file is hashed slice by slice while it is read for sending, so a 100 GB recording
// costs a few MB of memory and one pass; the state can be saved and restored, so an
// upload resumed after a reload goes on hashing where it stopped.
import { createSHA256 } from "hash-wasm";

/** A SHA-256 fed in order: update(bytes), save() → Uint8Array, load(state), hex(). */
export async function sha256Stream() {
  const hasher = await createSHA256();
  hasher.init();
  return {
    update: (bytes) => { hasher.update(bytes); },
    save: () => hasher.save(),
    load: (state) => { hasher.load(state); },
    hex: () => hasher.digest("hex"),
  };
}

export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

export function fromBase64(text) {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
