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
python3 - "$dict" "$posts" "$per" >"$tmp/export.xml" <<'EOF'
import random, sys
from xml.sax.saxutils import escape
dic, posts, per = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
words = []
for line in open(dic, encoding='utf-8', errors='ignore'):
    w = line.split('/')[0].strip()
    if w and not w[0].isdigit() and not w.isascii():
        words.append(w)
rnd = random.Random(1)
weights = [1.0 / (i + 1) for i in range(len(words))]  # Zipf, s = 1
pool = rnd.choices(words, weights, k=2_000_000)
pos = 0
def take(n):
    global pos
    if pos + n > len(pool):
        pos = 0
    pos += n
    return pool[pos - n:pos]
cats = ['%s-%d' % (w, i) for i, w in enumerate(rnd.sample(words, 20))]
tags = ['%s-%d' % (w, i) for i, w in enumerate(rnd.sample(words, 500))]
out = sys.stdout
out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
          ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
          ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
          ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
          ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
          '<title>موقع</title><link>https://news.example</link>'
          '<wp:wxr_version>1.2</wp:wxr_version>'
          '<wp:base_blog_url>https://news.example</wp:base_blog_url>\n')
for i in range(5):
    out.write('<wp:author><wp:author_login>writer%d</wp:author_login>'
              '<wp:author_email>w%d@news.example</wp:author_email>'
              '<wp:author_display_name>كاتب %d</wp:author_display_name>'
              '</wp:author>\n' % (i, i, i))
for c in cats:
    out.write('<wp:category><wp:category_nicename>%s</wp:category_nicename>'
              '<wp:category_parent></wp:category_parent><wp:cat_name>%s'
              '</wp:cat_name></wp:category>\n' % (escape(c), escape(c)))
cid = 0
for p in range(1, posts + 1):
    title = ' '.join(take(rnd.randint(5, 12)))
    n = rnd.randint(250, 900)
    body = take(n)
    paras = []
    while body:
        k = rnd.randint(30, 90)
        paras.append(' '.join(body[:k]))
        body = body[k:]
    if p % 2:  # classic-editor text: wpautop makes <p>
        content = '\n\n'.join(paras)
    else:  # block editor: comments around each block, some markup
        blocks = []
        for k, para in enumerate(paras):
            w = para.split(' ')
            if len(w) < 4:
                blocks.append('<!-- wp:paragraph -->\n<p>%s</p>\n'
                              '<!-- /wp:paragraph -->' % para)
                continue
            w[1] = '<strong>%s</strong>' % w[1]
            if k == 1:
                w[3] = '<a href="https://news.example/?p=%d">%s</a>' % (p - 1, w[3])
            blocks.append('<!-- wp:paragraph -->\n<p>%s</p>\n'
                          '<!-- /wp:paragraph -->' % ' '.join(w))
        content = '\n\n'.join(blocks)
    day = 1 + p % 28
    out.write('<item><title>%s</title><link>https://news.example/2024/01/%02d/p%d/'
              '</link><dc:creator>writer%d</dc:creator>'
              '<content:encoded>%s</content:encoded>'
              '<excerpt:encoded></excerpt:encoded><wp:post_id>%d</wp:post_id>'
              '<wp:post_date_gmt>2024-01-%02d 10:%02d:00</wp:post_date_gmt>'
              '<wp:post_name>p%d</wp:post_name><wp:status>publish</wp:status>'
              '<wp:post_type>post</wp:post_type>'
              '<category domain="category" nicename="%s">%s</category>'
              % (escape(title), day, p, p % 5, escape(content), p, day, p % 60,
                 p, escape(cats[p % 20]), escape(cats[p % 20])))
    for t in rnd.sample(tags, 3):
        out.write('<category domain="post_tag" nicename="%s">%s</category>'
                  % (escape(t), escape(t)))
    k = int(per * 2 * rnd.random() + 0.5)
    first = cid + 1
    for j in range(k):
        cid += 1
        parent = first if j and rnd.random() < 0.3 else 0
        out.write('<wp:comment><wp:comment_id>%d</wp:comment_id>'
                  '<wp:comment_author>قارئ %d</wp:comment_author>'
                  '<wp:comment_author_email>r%d@mail.example'
                  '</wp:comment_author_email>'
                  '<wp:comment_date_gmt>2024-01-%02d 12:00:00'
                  '</wp:comment_date_gmt><wp:comment_content>%s'
                  '</wp:comment_content><wp:comment_approved>1'
                  '</wp:comment_approved><wp:comment_parent>%d'
                  '</wp:comment_parent></wp:comment>'
                  % (cid, cid % 997, cid % 997, day,
                     escape(' '.join(take(rnd.randint(8, 60)))), parent))
    out.write('</item>\n')
out.write('</channel>\n</rss>\n')
EOF
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
