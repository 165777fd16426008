#!/usr/bin/env bash
# Durable comment posts per second (each one committed with fsync before
# its 303), sequential and with 32 concurrent clients, and the article
# page's throughput while approved comments keep arriving (each one drops
# the cached page, so readers get fresh renders).
#   bench/comments.sh [seconds per run]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
naba=${NABA_BIN:-$root/build/naba}
secs=${1:-10}
for tool in wrk curl; do
  command -v $tool >/dev/null || { echo "bench needs $tool (make bench-deps installs it)"; exit 1; }
done
tmp=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; sleep 0.3; rm -rf "$tmp"; }
trap cleanup EXIT

"$naba" init --db "$tmp/naba.db" --demo >/dev/null
for kv in comment_min_seconds=0 comment_rate_limit=0 comment_max_links=5; do
  "$naba" settings set "${kv%%=*}" "${kv#*=}" --db "$tmp/naba.db"
done
"$naba" serve --db "$tmp/naba.db" --port 0 --access-log off --max-per-address 0 >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$tmp/out" | head -1)
path=$(curl -s -o /dev/null -w '%{redirect_url}' "$url/1" | sed 's|^http://[^/]*||')
# Every post needs a reader token of its own (one-time nonce): sign them
# here with the site's secret as /comment-token does (HMAC-SHA-512-256 is
# HMAC-SHA-512 cut to 32 bytes), a file of them per run.
tokens() { # file count
  python3 - "$tmp/naba.db" "$1" "$2" <<'PY'
import base64, hashlib, hmac, os, sqlite3, sys, time
key = bytes.fromhex(sqlite3.connect(sys.argv[1]).execute(
    "select value from settings where key = 'secret'").fetchone()[0])
now = int(time.time())
with open(sys.argv[2], "w") as f:
    for _ in range(int(sys.argv[3])):
        p = "n:%d:%s" % (now, os.urandom(16).hex())
        mac = hmac.new(key, p.encode(), hashlib.sha512).digest()[:32]
        f.write(p + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=") + "\n")
PY
}

cat >"$tmp/post.lua" <<'LUA'
local n = 0
local tokens = io.lines(os.getenv("TOKENS"))
local tag = os.getenv("TAG")
request = function()
  n = n + 1
  local token = tokens()
  local body = "t=" .. token .. "&author=Bench&email=bench%40example.test" ..
    "&comment=" .. tag .. "+comment+number+" .. n
  return wrk.format("POST", nil,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
LUA
# The same, one post every 100 ms per connection.
{ cat "$tmp/post.lua"; echo 'delay = function() return 100 end'; } >"$tmp/slow.lua"

sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$tmp/naba.db" "$1"; }
check() { # tag: how many posts are in the database
  sql "select count(*) from comments where body like '$1 %'"
}

echo "durable comment posts (pending, fsync per commit), wrk -t1 -d${secs}s:"
wrk_out() {
  tokens "$tmp/tokens-$2" $((secs * 20000))
  TOKENS=$tmp/tokens-$2 TAG=$2 wrk -t1 -c"$1" -d"${secs}s" -s "$tmp/post.lua" "$url$path"
}
for mode in "1 seq sequential (1 client)" "32 par 32 concurrent clients"; do
  set -- $mode
  out=$(wrk_out "$1" "$2")
  rate=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  sent=$(echo "$out" | awk '/requests in/ {print $1}')
  printf '  %-24s %6s posts/s, %s answered, %s stored\n' "${*:3}" "$rate" "$sent" "$(check "$2")"
done

# Readers while approved comments arrive: approve one comment of the bench
# reader and let known readers skip moderation.
first=$(sql "select max(id) from comments")
"$naba" comments approve "$first" --db "$tmp/naba.db"
"$naba" settings set comment_moderation known --db "$tmp/naba.db"
sleep 0.3
alone=$(wrk -t1 -c64 -d"${secs}s" "$url$path" | awk '/Requests\/sec/ {print $2}')
# 10 approved comments a second on the page being read: a very busy
# article (every one drops the cached page, and the thread grows).
tokens "$tmp/tokens-live" $((secs * 20))
TOKENS=$tmp/tokens-live TAG=live wrk -t1 -c1 -d"${secs}s" -s "$tmp/slow.lua" "$url$path" >"$tmp/live.out" &
wpid=$!
busy=$(wrk -t1 -c64 -d"${secs}s" "$url$path" | awk '/Requests\/sec/ {print $2}')
wait $wpid
live=$(awk '/Requests\/sec/ {print $2}' "$tmp/live.out")
printf 'article page, wrk -t1 -c64: %.0f req/s alone, %.0f req/s while %.0f approved comments/s arrive (%s comments on the page at the end, %s bytes)\n' \
  "$alone" "$busy" "$live" "$(sql "select count(*) from comments where article_id = 1 and status = 1")" \
  "$(curl -s "$url$path" | wc -c)"
