#!/usr/bin/env bash
# Known-item search quality on the ANT corpus (real Arabic news): naba,
# Xapian, PostgreSQL and a Lucene-style reference side by side; see
# bench/search_quality.py for the queries and the engines.
#   bench/search_quality.sh [--queries N] [--seed S] [--engines naba,xapian,pg,lucene] [--dump FILE]
# Needs python3-xapian, python3-psycopg2 and postgresql-15 (make bench-deps)
# and a release build of naba (ninja -C build naba).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${NABA_BIN:-$root/build/naba}
# Debian's python3: the one python3-xapian and python3-psycopg2 install into.
py=${SEARCH_QUALITY_PYTHON:-/usr/bin/python3}

[ -x "$bin" ] || { echo "build first: ninja -C build naba (missing $bin)"; exit 1; }
exec "$py" "$root/bench/search_quality.py" --naba "$bin" "$@"
