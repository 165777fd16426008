#!/usr/bin/env bash
# WordPress import: generates a WXR file of Arabic posts (words from
# Debian's hunspell-ar, 250-900 words each, half classic-editor text and
# half block-editor markup, 20 categories, tags, three comments per post on
# average, some threaded) and imports it into a fresh database with `naba
# import wxr`, checking every post came in and printing the time, posts/s,
# comments/s and the peak memory: the process's own (anonymous) memory,
# sampled from /proc, and GNU time's maximum resident set size, which also
# counts the database pages SQLite reads through mmap (file cache, not
# heap). The target (DESIGN.md §6) is 5,000 articles/s with indexing. Side
# by side, the same posts' text into a stock FTS5 table: the floor any
# import that indexes every word stands on.
#   bench/import.sh [posts] [comments per post]     (default 100000, 3)
# Needs hunspell-ar and python3; the file and database take ~3 GB in
# $TMPDIR at 100,000 posts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${NABA_BIN:-$root/build/naba}
dict=${SEARCH_BENCH_DICT:-/usr/share/hunspell/ar.dic}
posts=${1:-100000}
per=${2:-3}

[ -x "$bin" ] || { echo "build first: make build (missing $bin)"; exit 1; }
[ -f "$dict" ] || { echo "needs $dict: make bench-deps installs it"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "import bench: $posts posts, ~$per comments each, $(nproc) cores"
start=$(date +%s)
python3 "$root/bench/wxr_gen.py" "$dict" "$posts" "$per" >"$tmp/export.xml"
echo "export generated in $(($(date +%s) - start)) s: $(du -m "$tmp/export.xml" | cut -f1) MB"

"$bin" init --db "$tmp/naba.db" >/dev/null
/usr/bin/time -v -o "$tmp/time" "$bin" import wxr --db "$tmp/naba.db" \
  "$tmp/export.xml" >"$tmp/out" 2>"$tmp/err" &
tpid=$!
anon=0
while kill -0 "$tpid" 2>/dev/null; do
  ipid=$(pgrep -f "import wxr --db $tmp/naba.db" | grep -v "^$tpid$" | head -1 || true)
  if [ -n "$ipid" ]; then
    a=$(awk '/^RssAnon/ {print $2}' "/proc/$ipid/status" 2>/dev/null || echo 0)
    [ "${a:-0}" -gt "$anon" ] && anon=$a
  fi
  sleep 0.5
done
wait "$tpid" || { cat "$tmp/err"; exit 1; }
cat "$tmp/out"
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0;
  for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$tmp/time")
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
comments=$(sqlite3 "$tmp/naba.db" "SELECT count(*) FROM comments")
articles=$(sqlite3 "$tmp/naba.db" "SELECT count(*) FROM articles")
[ "$articles" -eq "$posts" ] || { echo "FAILED: $articles of $posts posts imported"; exit 1; }
awk -v p="$posts" -v c="$comments" -v s="$secs" -v r="$rss" -v an="$anon" 'BEGIN {
  printf "import: %d posts and %d comments in %.1f s: %.0f posts/s, %.0f comments/s\n",
    p, c, s, p / s, c / s
  printf "memory: %.1f MB of its own at most (RssAnon), %.0f MB resident with the mmap-read database\n",
    an / 1024, r / 1024
  printf "target 5,000 articles/s: %s\n", (p / s >= 5000 ? "met" : "MISSED") }'
echo "database: $(du -m "$tmp/naba.db" | cut -f1) MB"

# The floor under any import that indexes every word: the same posts' text
# (tags stripped) into a stock FTS5 table (SQLite's own unicode61 tokenizer:
# no normalizing, no stems, no stop-word pairs; WAL, synchronous=FULL, 500 a
# transaction) through the same libsqlite3, nothing else written. naba
# writes about three index terms a word (form, stem, pairs) plus the rows.
ref=$(( posts < 10000 ? posts : 10000 ))
python3 - "$tmp/export.xml" "$tmp/ref.db" "$ref" "$posts" "$secs" <<'PY'
import html, re, sqlite3, sys, time, xml.etree.ElementTree as ET
src, dbpath, n, posts, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
C = '{http://purl.org/rss/1.0/modules/content/}encoded'
docs = []
for _, el in ET.iterparse(src):
    if el.tag == 'item':
        body = html.unescape(re.sub(r'<[^>]*>', ' ', el.findtext(C) or ''))
        docs.append((el.findtext('title') or '', body))
        el.clear()
        if len(docs) == n:
            break
db = sqlite3.connect(dbpath, isolation_level=None)
db.execute('PRAGMA journal_mode=WAL')
db.execute('PRAGMA synchronous=FULL')
db.execute('CREATE VIRTUAL TABLE t USING fts5(title, body)')
t = time.time()
for i in range(0, len(docs), 500):
    db.execute('BEGIN')
    db.executemany('INSERT INTO t (title, body) VALUES (?, ?)', docs[i:i + 500])
    db.execute('COMMIT')
ref = len(docs) / (time.time() - t)
words = sum(len(b.split()) for _, b in docs) / len(docs)
print('stock FTS5 alone, %d of the posts (%.0f words each): %.0f posts/s;'
      ' naba / stock FTS5 = %.2f' % (len(docs), words, ref, posts / secs / ref))
PY
