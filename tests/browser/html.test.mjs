// Nu HTML Checker (vnu.jar from npm's vnu-jar, run with the system Java) on
// the pages of pages.mjs on a running naba: home, a section, an article, a
// search, and static pages when the site has some.
//
//   NABA_URL=http://127.0.0.1:8080 NABA_ARTICLE_PATH=/politics/1-slug \
//   node --test tests/browser/html.test.mjs
//
// The pages are saved to a temporary folder and checked in one java run
// (the JVM is slow to start). Any error fails the test; warnings are not
// reported (--errors-only). JAVA overrides the java command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkedPages } from './pages.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VNU = path.join(ROOT, 'node_modules/vnu-jar/build/dist/vnu.jar');

test('pages are valid HTML (Nu HTML Checker)', { timeout: 180_000 }, async () => {
  const pages = await checkedPages();
  const dir = mkdtempSync(path.join(tmpdir(), 'naba-vnu-'));
  try {
    const files = [];
    for (const p of pages) {
      const res = await fetch(p.url);
      assert.equal(res.status, 200, `GET ${p.url}`);
      const file = path.join(dir, `${p.name}.html`);
      writeFileSync(file, await res.text());
      files.push(file);
    }
    const run = spawnSync(
      process.env.JAVA || 'java',
      ['-jar', VNU, '--errors-only', '--format', 'json', ...files],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    assert.ifError(run.error);
    let report;
    try {
      report = JSON.parse(run.stderr);
    } catch {
      assert.fail(`vnu.jar exited ${run.status} without a JSON report:\n${run.stderr}${run.stdout}`);
    }
    const errors = report.messages.filter((m) => m.type !== 'info');
    const text = errors
      .map((m) => {
        const page = pages[files.indexOf(fileURLToPath(m.url || 'file:///'))]?.url || m.url;
        return `${page}:${m.lastLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'}: ${m.type}${m.subType ? '/' + m.subType : ''}: ${m.message}\n    ${(m.extract || '').replace(/\n/g, '⏎')}`;
      })
      .join('\n');
    assert.equal(errors.length, 0, `${errors.length} HTML errors:\n${text}`);
    assert.equal(run.status, 0, `vnu.jar exited ${run.status}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
