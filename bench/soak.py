#!/usr/bin/env python3
"""Soak: naba under mixed traffic at saturation, with attackers beside it.

For SECONDS (default 600) against one server on a database of generated
posts:
  readers    wrk on the cached pages (home, articles, a section), at
             saturation, in 30-second slices: each slice's p99 and errors
  searchers  one well-behaved reader searching twice a second
  commenters one reader posting a comment a second through the form
  flooders   8 connections of an expensive search, back to back
  slowloris  up to 2,000 connections trickling header bytes
  url flood  keep-alive connections asking for distinct URLs (missing
             paths, reply forms of numbers that are no comment)
and the server's resident memory (VmRSS) sampled every second.

Well-behaved clients come from 127.0.0.1 (wrk) and 127.0.0.3/.4, the
attackers from their own addresses (127.0.0.2, .5, .6), so per-address
limits fall on the attackers. At the end it prints the figures and checks:
no error to a well-behaved client, RSS flat within 10 % (the last minute
against the second), the readers' p99 stable (the worst slice within 3x
the best). Exits 1 if a check fails. Not part of `make test`.
    bench/soak.py [SECONDS] [POSTS]
"""
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NABA = os.environ.get('NABA_BIN', os.path.join(ROOT, 'build', 'naba'))
DICT = os.environ.get('SEARCH_BENCH_DICT', '/usr/share/hunspell/ar.dic')
SECS = int(sys.argv[1]) if len(sys.argv) > 1 else 600
POSTS = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
SLICE = 30

stop = threading.Event()
lock = threading.Lock()
counts = {}  # (client, outcome) -> n


def count(client, outcome):
    with lock:
        counts[(client, outcome)] = counts.get((client, outcome), 0) + 1


def conn(port, source):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=30,
                                   source_address=(source, 0))
    return c


def request(c, method, path, body=None, headers=None):
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, dict(r.getheaders()), data


def searcher(port, words):
    """Well-behaved: one search every half second, each must be a 200."""
    c = conn(port, '127.0.0.3')
    while not stop.is_set():
        q = ' '.join(random.sample(words, 2))
        try:
            st, _, _ = request(c, 'GET', '/search?q=' + urllib.parse.quote(q))
            count('searcher', st)
        except Exception as e:  # a dropped connection is an error too
            count('searcher', type(e).__name__)
            c = conn(port, '127.0.0.3')
        stop.wait(0.5)


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ACTION = re.compile(r'<form[^>]*action="([^"]+)"[^>]*class="comment-form"|'
                    r'<form[^>]*class="comment-form"[^>]*action="([^"]+)"')


def post_comment(c, port, path, n):
    """The form as a browser without JavaScript fills it: the page's hidden
    fields, the reader's fields, Origin; a refusal that hands back a fresh
    form (an old token) is filled again once."""
    st, _, page = request(c, 'GET', path)
    if st != 200:
        return 'get-%d' % st
    origin = 'http://127.0.0.1:%d' % port
    for _ in range(2):
        html = page.decode('utf-8', 'replace')
        m = ACTION.search(html)
        action = (m.group(1) or m.group(2)) if m else None
        if not action:
            return 'no-form'
        fields = dict(HIDDEN.findall(html))
        fields.update({'author': 'قارئ %d' % n,
                       'email': 'r%d@mail.example' % n,
                       'comment': 'تعليق رقم %d في اختبار التحمل' % n})
        action = action.split('#')[0]
        st, hdr, page = request(c, 'POST', action,
                                urllib.parse.urlencode(fields),
                                {'Content-Type':
                                 'application/x-www-form-urlencoded',
                                 'Origin': origin,
                                 'Referer': origin + path})
        if st == 303:
            return 303
    return st  # a refusal twice running


def commenter(port, paths):
    c = conn(port, '127.0.0.4')
    n = 0
    while not stop.is_set():
        n += 1
        try:
            count('commenter', post_comment(c, port, random.choice(paths), n))
        except Exception as e:
            count('commenter', type(e).__name__)
            c = conn(port, '127.0.0.4')
        stop.wait(1.0)


def flooder(port, query):
    """An expensive search, back to back, from one address."""
    c = conn(port, '127.0.0.2')
    while not stop.is_set():
        try:
            st, _, _ = request(c, 'GET', '/search?q=' + urllib.parse.quote(query))
            count('flooder', st)
        except Exception as e:
            count('flooder', type(e).__name__)
            stop.wait(0.05)
            c = conn(port, '127.0.0.2')


def url_flood(port, article):
    """Distinct URLs on keep-alive connections: missing paths and reply
    forms of numbers that are no comment."""
    c = conn(port, '127.0.0.6')
    while not stop.is_set():
        n = random.getrandbits(48)
        path = ('/x/%x' % n) if n & 1 else ('%s/reply/%d' % (article, n))
        try:
            st, _, _ = request(c, 'GET', path)
            count('urlflood', st)
        except Exception as e:
            count('urlflood', type(e).__name__)
            stop.wait(0.05)
            c = conn(port, '127.0.0.6')


def slowloris(port, most=2000):
    socks = []
    while not stop.is_set():
        while len(socks) < most and not stop.is_set():
            s = socket.socket()
            s.setblocking(True)
            s.settimeout(1)
            try:
                s.bind(('127.0.0.5', 0))
                s.connect(('127.0.0.1', port))
                s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')
                socks.append(s)
                count('slowloris', 'opened')
            except OSError:
                count('slowloris', 'refused')
                s.close()
                break
        alive = []
        for s in socks:
            try:
                s.sendall(b'X-a: b\r\n')
                alive.append(s)
            except OSError:
                count('slowloris', 'closed by server')
                s.close()
        socks = alive
        stop.wait(5)
    for s in socks:
        s.close()


def rss_of(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    for tool in ('wrk',):
        if subprocess.call(['sh', '-c', 'command -v ' + tool],
                           stdout=subprocess.DEVNULL) != 0:
            sys.exit('soak needs %s (make bench-deps)' % tool)
    if not os.access(NABA, os.X_OK):
        sys.exit('build naba first: make build')
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, 'naba.db')
    wxr = os.path.join(tmp, 'export.xml')
    print('soak: %d s, %d posts, %d cores' % (SECS, POSTS, os.cpu_count()))
    with open(wxr, 'w') as f:
        subprocess.check_call([sys.executable,
                               os.path.join(ROOT, 'bench', 'wxr_gen.py'),
                               DICT, str(POSTS), '1'], stdout=f)
    subprocess.check_call([NABA, 'init', '--db', db, '--demo'],
                          stdout=subprocess.DEVNULL)
    subprocess.check_call([NABA, 'import', 'wxr', '--db', db, wxr],
                          stdout=subprocess.DEVNULL)
    # The commenter is one reader posting once a second: the rate limit and
    # the form's minimum time are for others.
    for k, v in (('comment_rate_limit', '10000'), ('comment_min_seconds', '0'),
                 ('comment_moderation', 'all')):
        subprocess.check_call([NABA, 'settings', 'set', '--db', db, k, v],
                              stdout=subprocess.DEVNULL)
    log = open(os.path.join(tmp, 'server.log'), 'w')
    srv = subprocess.Popen([NABA, 'serve', '--db', db, '--port', '0',
                            '--access-log', 'off'], stdout=log,
                           stderr=subprocess.STDOUT)
    port = None
    for _ in range(100):
        with open(os.path.join(tmp, 'server.log')) as f:
            m = re.search(r'http://127\.0\.0\.1:(\d+)', f.read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.1)
    if not port:
        srv.kill()
        sys.exit('the server did not start')
    try:
        run(port, srv.pid, db, tmp)
    finally:
        stop.set()
        srv.terminate()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def run(port, pid, db, tmp):
    c = conn(port, '127.0.0.1')
    paths = []
    for i in range(1, 40):  # the articles' canonical paths, by redirect
        st, hdr, _ = request(c, 'GET', '/%d' % (i * POSTS // 40 + 1))
        loc = hdr.get('Location')
        if st == 301 and loc:
            paths.append(urllib.parse.urlsplit(loc).path)
    if len(paths) < 10:
        sys.exit('found %d articles to read, wanted 10 or more' % len(paths))
    st, _, home = request(c, 'GET', '/')
    section = re.search(r'<a href="(/[^"/]+/)"', home.decode()).group(1)
    words = [w.split('/')[0] for w in open(DICT, encoding='utf-8',
                                           errors='ignore')
             if w[:1] and not w[0].isdigit() and not w.isascii()][:2000]
    lua = os.path.join(tmp, 'pages.lua')
    with open(lua, 'w') as f:
        f.write('local p = {%s}\nlocal i = 0\nrequest = function()\n'
                '  i = i %% #p + 1\n  return wrk.format("GET", p[i])\nend\n'
                % ', '.join('"%s"' % x for x in ['/', section] + paths))
    threads = [threading.Thread(target=searcher, args=(port, words)),
               threading.Thread(target=commenter, args=(port, paths)),
               threading.Thread(target=slowloris, args=(port,))]
    threads += [threading.Thread(target=flooder,
                                 args=(port, ' '.join(words[:5])))
                for _ in range(8)]
    threads += [threading.Thread(target=url_flood, args=(port, paths[0]))
                for _ in range(4)]
    rss = []

    def sample():
        while not stop.is_set():
            rss.append(rss_of(pid))
            stop.wait(1)
    threads.append(threading.Thread(target=sample))
    for t in threads:
        t.daemon = True
        t.start()
    slices = []
    end = time.time() + SECS
    while time.time() < end - 1:
        d = max(1, min(SLICE, int(end - time.time())))
        out = subprocess.run(['wrk', '-t1', '-c32', '-d%ds' % d, '--latency',
                              '-s', lua, 'http://127.0.0.1:%d' % port],
                             capture_output=True, text=True).stdout
        rate = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
        p99 = re.search(r'99%\s+([\d.]+)(us|ms|s)', out)
        ms = float(p99.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000}[p99.group(2)]
        errs = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
        sock = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+),'
                         r' timeout (\d+)', out)
        bad = (int(errs.group(1)) if errs else 0) + \
            (sum(int(x) for x in sock.groups()) if sock else 0)
        slices.append((rate, ms, bad))
        print('slice %2d: readers %8.0f req/s, p99 %7.2f ms, errors %d, '
              'RSS %.0f MB' % (len(slices), rate, ms, bad,
                               rss[-1] if rss else 0), flush=True)
    stop.set()
    for t in threads:
        t.join(timeout=40)
    report(slices, rss)


def report(slices, rss):
    print('\nclients (outcome: count):')
    for who in ('searcher', 'commenter', 'flooder', 'urlflood', 'slowloris'):
        row = sorted((str(k[1]), v) for k, v in counts.items() if k[0] == who)
        print('  %-10s %s' % (who, ', '.join('%s: %d' % x for x in row)))
    ok = True
    bad_readers = sum(s[2] for s in slices)
    bad_search = sum(v for k, v in counts.items()
                     if k[0] == 'searcher' and k[1] != 200)
    bad_comment = sum(v for k, v in counts.items()
                      if k[0] == 'commenter' and k[1] != 303)
    print('well-behaved errors: readers %d, searcher %d, commenter %d'
          % (bad_readers, bad_search, bad_comment))
    ok &= bad_readers == 0 and bad_search == 0 and bad_comment == 0
    if len(rss) >= 180:
        second = statistics.median(rss[60:120])
        last = statistics.median(rss[-60:])
        print('RSS: second minute %.0f MB, last minute %.0f MB (%+.1f %%), '
              'max %.0f MB' % (second, last, 100 * (last / second - 1),
                               max(rss)))
        ok &= abs(last / second - 1) <= 0.10
    else:
        print('RSS: %.0f to %.0f MB (run 180 s or more to judge flatness)'
              % (min(rss), max(rss)))
    p99s = [s[1] for s in slices]
    print('readers p99: best %.2f ms, worst %.2f ms, median %.2f ms'
          % (min(p99s), max(p99s), statistics.median(p99s)))
    ok &= max(p99s) <= 3 * min(p99s)
    print('soak: %s' % ('passed' if ok else 'FAILED'))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
