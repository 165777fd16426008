#!/usr/bin/env bash
# Article page: cached, naba against nginx serving the same bytes as a
# static file, same machine, same client, in one run (DESIGN.md §6: naba
# at least 1.0 x nginx). Both without access logs, both with as many
# workers/threads as cores; runs alternate so drift hits both alike.
# Then uncached (--cache-mb 0): req/s and server CPU per rendered page.
#   bench/article.sh [seconds per run] [rounds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
naba=${NABA_BIN:-$root/build/naba}
secs=${1:-10}
rounds=${2:-2}
conns=${CONNS:-64}
threads=$(nproc)
for tool in wrk nginx curl; do
  command -v $tool >/dev/null || { echo "bench needs $tool (make bench-deps installs it)"; exit 1; }
done
[ -x "$naba" ] || { echo "build naba first: make build"; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
  [ -n "${naba_pid:-}" ] && kill "$naba_pid" 2>/dev/null || true
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$tmp"
}
trap cleanup EXIT

"$naba" init --db "$tmp/naba.db" --demo >/dev/null
id=$("$naba" import page --db "$tmp/naba.db" --date 2021-11-24T08:00Z \
  "$root/../shared/seed/000_0de736a0633809fe.txt" | sed -n 's/.*imported article \([0-9]*\):.*/\1/p')
"$naba" serve --db "$tmp/naba.db" --port 0 --threads "$threads" --access-log off --max-per-address 0 >"$tmp/naba.out" 2>&1 &
naba_pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/naba.out" && break; sleep 0.1; done
naba_url=$(grep -o 'http://[0-9.:]*' "$tmp/naba.out" | head -1)
path=$(curl -s -o /dev/null -w '%{redirect_url}' "$naba_url/$id" | sed 's|^http://[^/]*||')
mkdir -p "$tmp/www"
curl -s -o "$tmp/www/article.html" "$naba_url$path"
bytes=$(stat -c %s "$tmp/www/article.html")

nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/nginx.conf" <<CONF
worker_processes $threads;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
daemon on;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { text/html html; }
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    root $tmp/www;
  }
}
CONF
nginx -c "$tmp/nginx.conf" -p "$tmp"
sleep 0.3
nginx_url="http://127.0.0.1:$nginx_port/article.html"
cmp -s <(curl -s "$nginx_url") <(curl -s "$naba_url$path") || { echo "nginx and naba bytes differ"; exit 1; }

# Server CPU (user + system, all its processes) in clock ticks: per
# request it shows the server's own cost, whatever the load generator and
# the rest of the machine take.
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done | awk '{s += $1} END {print s}'; }
tick=$(getconf CLK_TCK)
run() { # url pid... -> req/s; stderr: p99 and server CPU us per request
  local url=$1; shift
  local c0 out c1
  c0=$(ticks "$@")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "$url")
  c1=$(ticks "$@")
  echo "$out" | awk -v c="$((c1 - c0))" -v t="$tick" '/requests in/ {n=$1} /Requests\/sec/ {r=$2} /99%/ {p99=$2}
    END {print r; printf "%s %.1f\n", p99, c * 1000000 / t / n > "/dev/stderr"}'
}

echo "cached article page: $bytes bytes, wrk -t1 -c$conns -d${secs}s, $threads server threads/workers, $(nproc) cores"
curl -s -o /dev/null "$naba_url$path" # warm the cache
total_naba=0 total_nginx=0
for r in $(seq "$rounds"); do
  # shellcheck disable=SC2046 # the nginx master and its workers
  a=$(run "$naba_url$path" "$naba_pid" 2>"$tmp/p99a")
  b=$(run "$nginx_url" $(cat "$tmp/nginx.pid") $(pgrep -P "$(cat "$tmp/nginx.pid")") 2>"$tmp/p99b")
  read -r pa ca <"$tmp/p99a"; read -r pb cb <"$tmp/p99b"
  printf 'round %d: naba %8.0f req/s (p99 %s, %s us CPU/req)   nginx %8.0f req/s (p99 %s, %s us CPU/req)   ratio %.2f, CPU ratio %.2f\n' \
    "$r" "$a" "$pa" "$ca" "$b" "$pb" "$cb" "$(echo "$a / $b" | bc -l)" "$(echo "$cb / $ca" | bc -l)"
  total_naba=$(echo "$total_naba + $a" | bc -l); total_nginx=$(echo "$total_nginx + $b" | bc -l)
done
printf 'overall: naba %.0f req/s, nginx %.0f req/s, ratio %.2f (target >= 1.0)\n' \
  "$(echo "$total_naba / $rounds" | bc -l)" "$(echo "$total_nginx / $rounds" | bc -l)" \
  "$(echo "$total_naba / $total_nginx" | bc -l)"

# Uncached: the same page rendered on every request (--cache-mb 0). CPU per
# request comes from the server's own utime+stime in /proc, so the client's
# share of the cores does not count.
"$naba" serve --db "$tmp/naba.db" --port 0 --threads "$threads" --access-log off --max-per-address 0 --cache-mb 0 >"$tmp/cold.out" 2>&1 &
cold_pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/cold.out" && break; sleep 0.1; done
cold_url=$(grep -o 'http://[0-9.:]*' "$tmp/cold.out" | head -1)
cpu() { awk '{print $14 + $15}' "/proc/$cold_pid/stat"; }
c0=$(cpu)
out=$(wrk -t1 -c"$conns" -d"${secs}s" "$cold_url$path")
c1=$(cpu)
kill "$cold_pid"
reqs=$(echo "$out" | awk '/requests in/ {print $1}')
rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
printf 'uncached: naba %.0f req/s, %.0f us of server CPU per request (target < 150), %.0f x WordPress at 22 pages/s (target >= 1000)\n' \
  "$rate" "$(echo "($c1 - $c0) * 1000000 / $tick / $reqs" | bc -l)" "$(echo "$rate / 22" | bc -l)"
printf 'cached:   naba %.0f x WordPress at 22 pages/s\n' "$(echo "$total_naba / $rounds / 22" | bc -l)"
