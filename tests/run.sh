#!/usr/bin/env bash
# Runs every test of naba against the sanitizer build in $1 and ends with
# one summary line: "tests: N passed, N failed" (", N skipped" when tests
# that read ../shared found no ../shared: a clone on its own; each skip is
# listed with its reason just before).
#   1. formatting (clang-format) of every C file
#   2. meson test: unit (cmocka), fuzz replays, HTTP (real server + libcurl)
#   3. browser (chromium via playwright-core) against a real server
set -u
build=${1:-build-test}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
passed=0 failed=0 skipped=0 skips=""
shared=../shared
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

skip() { # name, reason
  skipped=$((skipped + 1)); skips+="  $1: $2"$'\n'
}

# A command that exits with 77 did not run (meson's convention): skipped.
step() { # name, then the command
  local name=$1; shift
  echo "=== $name"
  "$@"; local rc=$?
  if [ $rc -eq 0 ]; then passed=$((passed + 1)); echo "--- ok: $name"
  elif [ $rc -eq 77 ]; then echo "--- SKIPPED: $name"
  else failed=$((failed + 1)); echo "--- FAILED: $name"; fi
}

step "format (clang-format)" make -s check-format

# meson counts each test program; report them one by one. The log has a
# name of its own: a `meson test` run by hand at the same time writes
# testlog.json over it.
meson test -C "$build" --print-errorlogs --no-rebuild --num-processes 2 --logbase run-sh
while IFS=$'\t' read -r name result why; do
  # EXPECTEDFAIL: a test that must fail (should_fail) did.
  if [ "$result" = OK ] || [ "$result" = EXPECTEDFAIL ]; then passed=$((passed + 1))
  elif [ "$result" = SKIP ]; then skip "$name" "${why:-skipped (no reason given)}"
  else failed=$((failed + 1)); echo "--- FAILED: $name ($result)"; fi
done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = (t.get("stdout") or "").splitlines()
    why = sorted({l[6:] for l in out if l.startswith("skip: ")})
    # The fault walk names how many failure points it tried.
    for l in out:
        if l.startswith("fault points tried: "):
            print(l, file=sys.stderr)
    print(t["name"] + "\t" + t["result"] + "\t" + "; ".join(why))
' "$build/meson-logs/run-sh.json" || printf 'meson-logs/run-sh.json\tUNREADABLE\n')

browser() {
  local seed=$shared/seed/000_0de736a0633809fe.txt
  if [ ! -r "$seed" ]; then
    echo "skip: needs $seed, which is missing"
    skip "browser (chromium)" "needs $seed, which is missing (the ../shared folder is not beside this clone)"
    return 77
  fi
  local tmp; tmp=$(mktemp -d)
  "$build/naba" init --db "$tmp/naba.db" --demo >/dev/null || return 1
  local id; id=$("$build/naba" import page --db "$tmp/naba.db" --date 2021-11-24T08:00Z \
    "$seed" | sed -n 's/.*imported article \([0-9]*\):.*/\1/p')
  [ -n "$id" ] || return 1
  # Static pages, for the footer's menu and a page with children.
  "$build/naba" import wxr --db "$tmp/naba.db" tests/data/wxr/site-pages.xml \
    >/dev/null || return 1
  # The editor's tests log in from X-Forwarded-For addresses of their own.
  "$build/naba" settings set trusted_proxies 127.0.0.1 --db "$tmp/naba.db" \
    >/dev/null || return 1
  "$build/naba" serve --db "$tmp/naba.db" --port 0 --access-log off >"$tmp/out" 2>"$tmp/err" &
  local pid=$! rc=0 url="" path=""
  # Waits for the line that says the server listens, or for it to exit.
  for _ in $(seq 100); do
    grep -q serving "$tmp/out" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  url=$(grep -o 'http://[0-9.:]*' "$tmp/out" | head -1)
  [ -n "$url" ] && path=$(curl -s -o /dev/null -w '%{redirect_url}' "$url/$id" | sed 's|^http://[^/]*||')
  # Without a server or an article the browser tests would test nothing.
  if [ -z "$url" ]; then echo "browser: the server did not start"; rc=1
  elif [ -z "$path" ]; then echo "browser: $url/$id does not redirect to the article"; rc=1
  else
    NABA_URL=$url NABA_ARTICLE_PATH=$path NABA_FONTS=1 \
      NABA_BIN="$build/naba" NABA_DB="$tmp/naba.db" \
      NABA_SCREENSHOT_DIR="$build/screenshots" node --test tests/browser/ || rc=1
  fi
  kill -TERM $pid 2>/dev/null; wait $pid || rc=1
  [ -s "$tmp/err" ] && { echo "server stderr:"; cat "$tmp/err"; }
  rm -rf "$tmp"
  return $rc
}
step "browser (chromium)" browser

echo
if [ "$skipped" -gt 0 ]; then
  echo "skipped, not run ($skipped):"
  printf '%s' "$skips"
  echo "tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "tests: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
