#!/usr/bin/env bash
# Feeds and sitemaps on a large database: requests/s for each feed format,
# the sitemap index, a monthly sitemap and the Google News sitemap, with the
# page cache (warm: every request after the first is served from memory)
# and without it (cold: --cache-mb 0, every request queries and renders).
#   bench/feeds.sh [articles] [seconds per run]     (default 100000, 5)
# The corpus comes from bench/search_bench (-b: build only; words from
# hunspell-ar), plus 1,000 articles from the last hour for the news
# sitemap. Needs wrk and hunspell-ar; the database takes ~2 GB in $TMPDIR.
# FEEDS_BENCH_DB=path uses (and keeps) a corpus made before by search_bench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${NABA_BIN:-$root/build/naba}
gen=${SEARCH_BENCH_BIN:-$root/build/bench/search_bench}
dict=${SEARCH_BENCH_DICT:-/usr/share/hunspell/ar.dic}
articles=${1:-100000}
secs=${2:-5}

for t in "$bin" "$gen"; do
  [ -x "$t" ] || { echo "build first: make build (missing $t)"; exit 1; }
done
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk"; exit 1; }
[ -f "$dict" ] || { echo "needs $dict: make bench-deps installs it"; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "feeds bench: $articles articles, $(nproc) cores, wrk -t1 -c16 -d${secs}s per URL"
start=$(date +%s)
if [ -n "${FEEDS_BENCH_DB:-}" ]; then
  [ -f "$FEEDS_BENCH_DB" ] || "$gen" -b -n "$articles" -d "$dict" "$FEEDS_BENCH_DB" >/dev/null 2>&1
  ln -s "$(realpath "$FEEDS_BENCH_DB")" "$tmp/naba.db"
else
  "$gen" -b -n "$articles" -d "$dict" "$tmp/naba.db" >/dev/null 2>&1
fi
mkdir "$tmp/pages"
for i in $(seq 1000); do
  printf 'خبر عاجل رقم %d\n\nخبر عاجل رقم %d\n\nنص الخبر رقم %d عن الاقتصاد والطاقة في المغرب.\n' \
    "$i" "$i" "$i" >"$tmp/pages/$i.txt"
done
"$bin" import page --db "$tmp/naba.db" --author "مراسل" --tags "عاجل" \
  --date "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%MZ)" "$tmp"/pages/*.txt >/dev/null
echo "corpus ready in $(($(date +%s) - start)) s ($(du -mL "$tmp/naba.db" | cut -f1) MB)"

# A month the generated corpus has (it spans 2022 to 2024).
month=$(sqlite3 "$tmp/naba.db" "SELECT strftime('%Y-%m', published_at, 'unixepoch')
  FROM articles WHERE published_at < unixepoch('2025-01-01') LIMIT 1")
tag=$(sqlite3 "$tmp/naba.db" "SELECT slug FROM tags LIMIT 1")
tag_enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$tag")
paths=(/feed /feed/atom /feed/json "/tag/$tag_enc/feed" /sitemap.xml
       "/sitemap-$month.xml" /sitemap-news.xml /robots.txt)

serve() { # extra flags; sets url and pid
  "$bin" serve --db "$tmp/naba.db" --port 0 --access-log off --max-per-address 0 "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  url=
  for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.:]*' "$tmp/out" 2>/dev/null | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "server did not start:"; cat "$tmp/err"; exit 1; }
}

declare -A rate
size=()
for mode in warm cold; do
  if [ "$mode" = warm ]; then serve; else serve --cache-mb 0; fi
  for p in "${paths[@]}"; do
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$url$p")
    [ "$code" = 200 ] || { echo "$p answered $code"; exit 1; }
    r=$(wrk -t1 -c16 -d"${secs}s" "$url$p" | awk '/Requests\/sec/ {print $2}')
    rate[$mode,$p]=$r
    [ "$mode" = warm ] && size[${#size[@]}]=$(stat -c %s "$tmp/body")
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done

printf '%-34s %10s %12s %12s %8s\n' URL bytes "warm req/s" "cold req/s" ratio
i=0
for p in "${paths[@]}"; do
  w=${rate[warm,$p]} c=${rate[cold,$p]}
  awk -v p="$p" -v b="${size[$i]}" -v w="$w" -v c="$c" \
    'BEGIN { printf "%-34s %10s %12.0f %12.0f %7.0fx\n", p, b, w, c, w / c }' 
  i=$((i + 1))
done
