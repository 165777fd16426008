#!/usr/bin/env bash
# Search: index build rate, index size and query latency (p50/p90/p99) for
# one-word, three-word and phrase queries on a generated corpus of Arabic
# articles (words from the hunspell-ar dictionary), on a fresh database.
# Target: p99 under 10 ms.
#   bench/search.sh [articles]          (default 100000)
# SEARCH_BENCH_ARGS passes more options: -q queries per kind, -s seed,
# -z Zipf exponent, -v (list the queries that found nothing on stderr).
# The database of 100000 articles takes about 2 GB in $TMPDIR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SEARCH_BENCH_BIN:-$root/build/bench/search_bench}
dict=${SEARCH_BENCH_DICT:-/usr/share/hunspell/ar.dic}
articles=${1:-100000}

[ -f "$dict" ] || { echo "bench needs the Arabic dictionary $dict: make bench-deps installs it"; exit 1; }
[ -x "$bin" ] || { echo "build the bench first: ninja -C build bench/search_bench"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "search bench: $articles articles, $(nproc) cores"
start=$(date +%s)
# shellcheck disable=SC2086 # SEARCH_BENCH_ARGS is a list of options
"$bin" -n "$articles" -d "$dict" ${SEARCH_BENCH_ARGS:-} "$tmp/search.db"
echo "whole run: $(($(date +%s) - start)) s"
