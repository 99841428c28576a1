// Builds the pages' front-end code into evidence/web/static/dist/ (git-ignored, served at
// /static/dist/ by the app). `make assets` runs it after `npm ci`; so do the browser tests
// (evidence.web.assets.ensure_built).
//
// - Every pages/<name>.js is bundled with the npm libraries it imports into dist/<name>.js,
//   an ES module a page loads with <script type="module" src="/static/dist/<name>.js">.
// - COPY lists library files a page needs beside its bundle (workers, fonts, CSS,
//   images), copied unchanged from node_modules.
// Nothing here reaches the network: every input is in the repository or node_modules.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const top = join(here, "..", "..", "..");
const out = join(here, "..", "static", "dist");
// npm installs under the venv (`make assets`), not into the repository's top level;
// DALEL_NODE_MODULES names another place (the image's build stage).
const modules = process.env.DALEL_NODE_MODULES || join(top, ".venv", "npm", "node_modules");
const { build } = createRequire(join(modules, "noop.js"))("esbuild");

// [from under node_modules, to under dist]
const COPY = [
  ["pdfjs-dist/build/pdf.worker.min.mjs", "pdfjs/pdf.worker.min.mjs"],
  ["pdfjs-dist/wasm", "pdfjs/wasm"],
  ["pdfjs-dist/standard_fonts", "pdfjs/standard_fonts"],
  ["pdfjs-dist/cmaps", "pdfjs/cmaps"],
  ["pdfjs-dist/iccs", "pdfjs/iccs"],
  ["leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["leaflet/dist/images", "leaflet/images"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"],
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// A checkout may have no page bundle yet (the folder appears with its first page).
const pagesDir = join(here, "pages");
const pages = existsSync(pagesDir) ? readdirSync(pagesDir).filter((n) => n.endsWith(".js")) : [];
await build({
  entryPoints: pages.map((n) => join(here, "pages", n)),
  outdir: out,
  bundle: true,
  format: "esm",
  splitting: true, // libraries shared by two pages are one file, cached once
  chunkNames: "chunks/[name]-[hash]",
  minify: true,
  sourcemap: false,
  target: ["chrome110", "firefox115", "safari16"],
  legalComments: "linked", // the libraries' licence texts travel with the bundle
  logLevel: "warning",
  nodePaths: [modules], // the pages' imports resolve there, not beside the sources
});
for (const [from, to] of COPY) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  cpSync(join(modules, from), join(out, to), { recursive: true });
}
writeFileSync(join(out, ".built"), new Date().toISOString() + "\n");
console.log(`built ${pages.length} page bundle(s) and ${COPY.length} library file set(s) into ${out}`);
