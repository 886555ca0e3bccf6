// Bundle the five apps with esbuild into hall_server/web/static/dist/ (served by the hall server).
// ES modules with shared chunks; no CDN, no remote fonts: the font comes from the Python package.
// The document viewer's pdf.js (legacy build: the browsers of the target list below) is a chunk
// loaded on the first document; its worker is an entry of its own (pdf.worker.js), and its
// standard fonts, CMaps, ICC profiles and wasm decoders are copied to dist/pdfjs/.
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, "../hall_server/web/static/dist");
const watch = process.argv.includes("--watch");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const options = {
  entryPoints: {
    seat: "src/seat.js",
    remote: "src/remote.js",
    chair: "src/chair.js",
    display: "src/display.js",
    clerk: "src/clerk.js",
    ballot: "src/lib/ballot.js", // loaded by the tests to check ballot bytes against Python
    "pdf.worker": "node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs",
    app: "src/app.css",
  },
  absWorkingDir: here,
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  outdir: out,
  chunkNames: "chunks/[name]-[hash]",
  minify: !watch,
  sourcemap: true,
  legalComments: "eof",
  external: ["/static/fonts/*"],
  logLevel: "warning",
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`watching; writing to ${out}`);
} else {
  await esbuild.build(options);
  cpSync(resolve(here, "src/icon.svg"), resolve(out, "icon.svg"));
  for (const dir of ["standard_fonts", "cmaps", "iccs", "wasm"]) {
    cpSync(resolve(here, "node_modules/pdfjs-dist", dir), resolve(out, "pdfjs", dir), { recursive: true });
  }
  console.log(`built ${out}`);
}
