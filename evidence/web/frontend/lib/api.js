// Calls from a page to the REST API with the session cookie: the page's CSRF token rides
// in X-CSRF-Token (issue 12's dependency checks it before any body is read), and
// `?lang=` asks for refusals in the page's language (problem JSON `message`).
const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
const lang = document.documentElement.lang || "kk";

export function apiUrl(path) {
  return "/api/v1" + path + (path.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(lang);
}

/** fetch → {status, body}; status 0 when the server could not be reached. */
export async function api(path, { method = "GET", json, headers = {} } = {}) {
  const init = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf, ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  }
  try {
    const response = await fetch(apiUrl(path), init);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { status: response.status, body };
  } catch (e) {
    return { status: 0, body: null };
  }
}

/** PUT raw bytes with upload progress (fetch cannot report it): {status, body}. */
export function putBytes(path, bytes, headers, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", apiUrl(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    Object.entries(headers || {}).forEach(([k, v]) => xhr.setRequestHeader(k, String(v)));
    if (onProgress) xhr.upload.onprogress = (ev) => onProgress(ev.loaded);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => resolve({ status: 0, body: null });
    xhr.send(bytes);
  });
}

/** The refusal's sentence: in the page's language when the server has one. */
export function problemText(body) {
  if (!body) return "";
  return String(body.message || body.detail || body.title || "");
}
