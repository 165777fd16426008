#!/usr/bin/env bash
# Lighthouse 12.2.3 on a fresh naba (demo content plus the imported seed
# article): home, a section and the article page, on a phone (Lighthouse's
# default, throttled) and a desktop (--preset=desktop). Prints each run's
# performance, accessibility, best-practices and SEO scores (0-100) and the
# audits that did not pass. Not part of `make test`: scores move with load.
#   bench/lighthouse.sh            (after `make build fonts`)
# NABA_BIN overrides the binary (default build/naba), CHROME_PATH the
# browser (default /usr/bin/chromium); LIGHTHOUSE_KEEP=DIR keeps the JSON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
naba=${NABA_BIN:-$root/build/naba}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
[ -x "$naba" ] || { echo "build naba first: make build"; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "no browser at $CHROME_PATH (make test-deps installs chromium)"; exit 1; }
# Lighthouse 13 needs a newer Node than Debian 12's; not in package.json so
# that `npm ci` stays small. An `npm ci` removes it again.
if [ ! -d node_modules/lighthouse ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error lighthouse@12.2.3
fi

tmp=$(mktemp -d)
cleanup() {
  [ -n "${naba_pid:-}" ] && kill "$naba_pid" 2>/dev/null && wait "$naba_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$naba" init --db "$tmp/naba.db" --demo >/dev/null
id=$("$naba" import page --db "$tmp/naba.db" --date 2021-11-24T08:00Z \
  "$root/../shared/seed/000_0de736a0633809fe.txt" | sed -n 's/.*imported article \([0-9]*\):.*/\1/p')
[ -n "$id" ] || { echo "importing the seed article failed"; exit 1; }
"$naba" serve --db "$tmp/naba.db" --port 0 --access-log off >"$tmp/naba.out" 2>&1 &
naba_pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/naba.out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$tmp/naba.out" | head -1)
[ -n "$url" ] || { echo "naba did not start:"; cat "$tmp/naba.out"; exit 1; }
article=$(curl -s -o /dev/null -w '%{redirect_url}' "$url/$id" | sed 's|^http://[^/]*||')
# The first section in the home page's links ("/" itself excluded).
section=$(curl -s "$url/" | grep -o 'href="/[^"/?#]*/"' | head -1 | sed 's/^href="//; s/"$//')
[ -n "$article" ] && [ -n "$section" ] || { echo "no article or section path found"; exit 1; }

# The flags of shared/notes/browser-tests.md; a fresh profile for each run.
flags='--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync'
for page in home section article; do
  case $page in home) path=/ ;; section) path=$section ;; article) path=$article ;; esac
  for form in mobile desktop; do
    preset=()
    [ $form = desktop ] && preset=(--preset=desktop)
    mkdir -p "$tmp/profile-$page-$form"
    echo "lighthouse: $page ($form) $url$path" >&2
    node_modules/.bin/lighthouse "$url$path" "${preset[@]}" --quiet \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="$(echo $flags) --user-data-dir=$tmp/profile-$page-$form" \
      --output=json --output-path="$tmp/$page-$form.json" ||
      echo "lighthouse failed on $page ($form)" >&2
  done
done
[ -n "${LIGHTHOUSE_KEEP:-}" ] && mkdir -p "$LIGHTHOUSE_KEEP" && cp "$tmp"/*.json "$LIGHTHOUSE_KEEP"/

node - "$tmp" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const cats = ['performance', 'accessibility', 'best-practices', 'seo'];
const rows = [];
const notes = [];
const reasons = new Set();
for (const page of ['home', 'section', 'article']) {
  for (const form of ['mobile', 'desktop']) {
    const file = path.join(dir, `${page}-${form}.json`);
    if (!fs.existsSync(file)) { rows.push([page, form, ...cats.map(() => 'n/a')]); continue; }
    const lhr = JSON.parse(fs.readFileSync(file, 'utf8'));
    rows.push([page, form, ...cats.map((c) => {
      const s = lhr.categories[c]?.score;
      return s == null ? 'n/a' : String(Math.round(s * 100));
    })]);
    const failing = [];
    const errored = [];
    const seen = new Set();
    for (const c of cats) {
      for (const ref of lhr.categories[c]?.auditRefs || []) {
        if (seen.has(ref.id)) continue;
        seen.add(ref.id);
        const a = lhr.audits[ref.id];
        if (!a || ['informative', 'notApplicable', 'manual'].includes(a.scoreDisplayMode)) continue;
        if (a.scoreDisplayMode === 'error') {
          errored.push(a.title);
          reasons.add(a.errorMessage || 'no message');
        }
        else if (a.score !== null && a.score < 1) {
          const v = a.displayValue ? `, ${a.displayValue}` : '';
          failing.push(`[${c}] ${a.title} (${a.score}${v})`);
        }
      }
    }
    if (lhr.runtimeError) errored.unshift(`runtime error: ${lhr.runtimeError.message}`);
    notes.push(`${page} ${form}:` +
      (failing.length ? '\n  ' + failing.join('\n  ') : ' every scored audit passes') +
      (errored.length ? '\n  errored: ' + errored.join('; ') : ''));
  }
}
const head = ['page', 'form', 'perf', 'a11y', 'best-pr', 'seo'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((x, i) => x.padEnd(width[i])).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log('\naudits with score < 1:');
console.log(notes.join('\n'));
// Chromium 156 with Lighthouse 12.2.3: a few diagnostics end in an error
// ("frame_sequence"); the scores and metrics are still computed.
if (reasons.size) console.log('\nerrors of the errored audits:\n  ' + [...reasons].join('\n  '));
JS
