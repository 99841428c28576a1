// Small DOM and text helpers of the pages' scripts (no markup is ever parsed from data).

/** An element with attributes and optional text content. */
export function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Fill "{name}" placeholders of a translated sentence. */
export function template(text, values) {
  return String(text).replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
}

/** Bytes in binary units with the page's number format and unit names (as the server's
 * format_size: B, KiB, MiB, GiB, TiB). */
export function formatBytes(n, lang, units) {
  let value = Number(n), i = 0;
  while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  const digits = i === 0 ? 0 : 1;
  const number = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return number + " " + units[i];
}
