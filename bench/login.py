#!/usr/bin/env python3
"""Newsroom logins (issue 13's targets): p50 of one login at a time, the
password hash included (target < 30 ms), and 50 logins at once: the
server's RSS above its idle size (target < +40 MB), the time they took.

    bench/login.py [naba binary]   (default build/naba)

Starts naba on a fresh database with one account; logins come from
distinct X-Forwarded-For addresses (trusted_proxies = 127.0.0.1), so the
per-client limit does not count them as one guesser."""
import os, re, socket, statistics, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
naba = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'build', 'naba')
tmp = tempfile.mkdtemp()
db = os.path.join(tmp, 'naba.db')

def run(*args):
    return subprocess.run([naba, *args, '--db', db], check=True, capture_output=True, text=True).stdout

run('init')
pw = re.search(r'one-time password: (\S+)', run('user', 'add', 'bench', '--email', 'b@example.org', '--role', 'editor')).group(1)
run('settings', 'set', 'trusted_proxies', '127.0.0.1')
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
srv = subprocess.Popen([naba, 'serve', '--db', db, '--port', str(port), '--access-log', 'off'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    assert 'serving' in srv.stdout.readline()
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k): return None
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode({'name': 'bench', 'password': pw}).encode()
    n = [0]
    lock = threading.Lock()

    def login():
        with lock:
            n[0] += 1; i = n[0]
        req = urllib.request.Request(f'http://127.0.0.1:{port}/admin/login', data=body,
                                     headers={'X-Forwarded-For': f'10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}'})
        t = time.perf_counter()
        try:
            opener.open(req)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        assert status == 303, status
        return (time.perf_counter() - t) * 1000

    def rss_kb():
        with open(f'/proc/{srv.pid}/status') as f:
            return int(re.search(r'VmRSS:\s+(\d+)', f.read()).group(1))

    for _ in range(5):
        login()
    times = [login() for _ in range(100)]
    print(f'one at a time: {len(times)} logins, p50 {statistics.median(times):.1f} ms, '
          f'p99 {sorted(times)[98]:.1f} ms (target p50 < 30 ms)')

    idle = rss_kb(); peak = [idle]; done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb()); time.sleep(0.005)
    sampler = threading.Thread(target=sample); sampler.start()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=login) for _ in range(50)]
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    done.set(); sampler.join()
    print(f'50 at once: all in {wall * 1000:.0f} ms, RSS {idle / 1024:.1f} MB idle, '
          f'peak +{(peak[0] - idle) / 1024:.1f} MB (target < +40 MB)')
finally:
    srv.terminate(); srv.wait()
    subprocess.run(['rm', '-rf', tmp])
