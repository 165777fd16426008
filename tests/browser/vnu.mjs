// The Nu HTML Checker (npm vnu-jar) on pages' bytes, in one java run:
// its errors, each "file:line: message", [] when there are none.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VNU = path.join(ROOT, 'node_modules/vnu-jar/build/dist/vnu.jar');

// html: {name: the page's bytes}.
export function vnuErrors(html) {
  const names = Object.keys(html);
  if (names.length === 0) throw new Error('the Nu checker was given no page');
  const dir = mkdtempSync(path.join(tmpdir(), 'naba-vnu-'));
  try {
    const files = names.map((n) => {
      const f = path.join(dir, `${n}.html`);
      writeFileSync(f, html[n]);
      return f;
    });
    const run = spawnSync(process.env.JAVA || 'java', ['-jar', VNU, '--errors-only', '--format', 'json', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (run.error) throw run.error;
    const report = JSON.parse(run.stderr);
    return report.messages
      .filter((m) => m.type !== 'info')
      .map((m) => `${path.basename(m.url || '')}:${m.lastLine}: ${m.message}\n    ${m.extract || ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
