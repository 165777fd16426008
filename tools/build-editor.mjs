// Bundles the newsroom's editor (themes/admin/editor/editor.src.mjs and
// the npm packages package-lock.json pins) into themes/admin/editor.js,
// which naba serves at /admin/editor.js?v=HASH. A build output: never
// committed. Fails when the bundle passes its budget (the 160 KB
// gzip), so a heavier dependency is a decision, not an accident.
//
//   node tools/build-editor.mjs        (make editor runs it when needed)
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'themes/admin/editor.js');
const BUDGET = 160 * 1024; // gzip bytes

await build({
  entryPoints: [path.join(ROOT, 'themes/admin/editor/editor.src.mjs')],
  outfile: OUT,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  legalComments: 'eof', // the MIT notices of Tiptap and ProseMirror stay in
  charset: 'utf8',
  logLevel: 'warning',
});

const raw = readFileSync(OUT);
const gz = gzipSync(raw, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`themes/admin/editor.js: ${kb(raw.length)}, ${kb(gz)} gzip (budget ${kb(BUDGET)})`);
if (gz > BUDGET) {
  console.error(`build-editor: the editor is ${kb(gz - BUDGET)} over its gzip budget`);
  process.exit(1);
}
