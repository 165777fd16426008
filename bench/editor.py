#!/usr/bin/env python3
"""The newsroom's editor at 100,000 articles (issue 13's targets): save
p99 < 50 ms, the admin article list p99 < 20 ms, and a scheduled article
on the home page within 1 s of its time.

    bench/editor.py [naba binary] [articles]   (default build/naba, 100000)

Fills a fresh database with the articles (SQL, then `naba reindex` for
the search index every save also writes), starts naba, logs an editor in
and times, one request at a time from this client:
  - the list: every tab (all, drafts, awaiting review, scheduled,
    published, trash), the first page and pages deep in the archive;
  - saves: an article opened, its headline and a 5 KB Arabic body
    changed, saved (POST to the 303), on articles across the archive;
  - scheduling: an article scheduled 2 s ahead, the home page polled
    every 5 ms until it shows it: the delay after its time."""
import http.client, os, random, re, socket, sqlite3, statistics, subprocess
import sys, tempfile, time, urllib.parse

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
naba = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'build', 'naba')
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
tmp = tempfile.mkdtemp()
db = os.path.join(tmp, 'naba.db')
random.seed(13)

def run(*args):
    return subprocess.run([naba, *args, '--db', db], check=True,
                          capture_output=True, text=True).stdout

words = ('الحكومة المغربية أعلنت اليوم عن برنامج جديد لدعم الفلاحين في جهة '
         'سوس ماسة بكلفة 345 مليون درهم ويشمل البرنامج Apple و Google '
         'مشاريع الماء والطاقة الشمسية والطرق القروية').split()

def text(n):
    return ' '.join(random.choice(words) for _ in range(n))

t0 = time.perf_counter()
run('init')
pw = re.search(r'one-time password: (\S+)',
               run('user', 'add', 'bench', '--email', 'b@example.org',
                   '--role', 'editor')).group(1)
run('settings', 'set', 'trusted_proxies', '127.0.0.1')
h = sqlite3.connect(db)
now = int(time.time())
h.executemany('INSERT INTO sections (name, slug, position) VALUES (?, ?, ?)',
              [(f'قسم {i}', f'section-{i}', i) for i in range(12)])
h.executemany('INSERT INTO authors (name, slug) VALUES (?, ?)',
              [(f'كاتب {i}', f'author-{i}') for i in range(200)])
sections = [r[0] for r in h.execute('SELECT id FROM sections')]
authors = [r[0] for r in h.execute('SELECT id FROM authors')]

def row(i):
    kind = random.random()
    status, state, at = 1, '', now - (count - i) * 600
    if kind < 0.05:
        status = 0
    elif kind < 0.07:
        status, state = 0, 'pending'
    elif kind < 0.075:
        at = now + random.randint(3600, 30 * 86400)
    body = ''.join(f'<p dir="rtl">{text(60)}</p>\n' for _ in range(6))
    return (random.choice(sections), random.choice(authors), text(8),
            f'article-{i}', text(25), body, status, at, at, at, state)

h.executemany('INSERT INTO articles (section_id, author_id, title, slug, summary,'
              ' body_html, status, published_at, updated_at, created_at,'
              ' draft_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              (row(i) for i in range(count)))
h.execute('INSERT INTO article_authors (article_id, author_id, position)'
          ' SELECT id, author_id, 0 FROM articles')
h.execute('UPDATE articles SET trashed_at = 1, status = 0, draft_state = \'\''
          ' WHERE id % 97 = 0')
h.commit()
h.close()
run('reindex')
print(f'{count} articles written and indexed in {time.perf_counter() - t0:.0f} s')

s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
srv = subprocess.Popen([naba, 'serve', '--db', db, '--port', str(port),
                        '--access-log', 'off'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
conn = None

def req(method, path, body=None, cookie=None, xff='10.0.0.1'):
    global conn
    if conn is None:
        conn = http.client.HTTPConnection('127.0.0.1', port)
    headers = {'X-Forwarded-For': xff, 'Origin': f'http://127.0.0.1:{port}'}
    if cookie:
        headers['Cookie'] = cookie
    if body is not None:
        body = urllib.parse.urlencode(body).encode()
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    conn.request(method, path, body, headers)
    r = conn.getresponse()
    data = r.read().decode('utf-8', 'replace')
    return r.status, r.getheader('Set-Cookie'), r.getheader('Location'), data

def ms(f):
    t = time.perf_counter()
    out = f()
    return (time.perf_counter() - t) * 1000, out

def line(what, times, target):
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f'{what}: {len(times)} requests, p50 {statistics.median(times):.2f} ms,'
          f' p99 {p99:.2f} ms (target p99 < {target} ms)')

try:
    assert 'serving' in srv.stdout.readline()
    st, cookie, _, _ = req('POST', '/admin/login', {'name': 'bench', 'password': pw})
    assert st == 303, st
    cookie = cookie.split(';')[0]
    _, _, _, page = req('GET', '/admin/password', cookie=cookie)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    new = 'قهوة الصباح في الرباط'
    st, _, _, _ = req('POST', '/admin/password', {'csrf': csrf, 'current': pw,
                                                  'new': new, 'again': new},
                      cookie=cookie)
    assert st == 303, st

    tabs = ['all', 'drafts', 'submitted', 'scheduled', 'published', 'trash']
    for tab in tabs:  # warm
        req('GET', f'/admin?show={tab}', cookie=cookie)
    times, by_tab = [], {}
    for _ in range(40):
        for tab in tabs + ['deep']:
            before = random.randint(1000, count)
            path = f'/admin?show={tab}' if tab != 'deep' else f'/admin?show=all&before={before}'
            t, (st, _, _, _) = ms(lambda: req('GET', path, cookie=cookie))
            assert st == 200, st
            times.append(t)
            by_tab.setdefault(tab, []).append(t)
    line('article list (every tab, deep pages)', times, 20)
    print('  by tab, p99 ms: ' + ', '.join(
        f'{k} {sorted(v)[int(len(v) * 0.99)]:.1f}' for k, v in by_tab.items()))

    times = []
    for i in range(300):
        aid = random.randint(1, count)
        if aid % 97 == 0:
            aid += 1
        st, _, _, page = req('GET', f'/admin/articles/{aid}', cookie=cookie)
        assert st == 200, st
        rev = re.search(r'name="revision" value="(\d+)"', page).group(1)
        section = re.search(r'<option value="(\d+)" selected>', page).group(1)
        form = {'csrf': csrf, 'revision': rev, 'title': text(9), 'section': section,
                'body': ''.join(f'<p dir="rtl">{text(100)}</p>' for _ in range(6)),
                'body_format': 'html', 'tags': 'اقتصاد، طاقة', 'action': 'save'}
        t, (st, _, loc, _) = ms(lambda: req('POST', f'/admin/articles/{aid}', form, cookie))
        assert st == 303, (st, loc)
        times.append(t)
    line('save (5 KB Arabic body, tags, revision kept)', times, 50)

    delays = []
    for i in range(5):
        at = int(time.time()) + 2
        title = f'خبر مجدول رقم {i} {random.randint(0, 1 << 30)}'
        when = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(at))
        st, _, _, _ = req('POST', '/admin/articles/new',
                          {'csrf': csrf, 'revision': '0', 'title': title,
                           'section': str(sections[0]), 'body': '<p>نص</p>',
                           'action': 'schedule', 'publish_at': when}, cookie)
        assert st == 303, st
        while True:
            _, _, _, home = req('GET', '/')
            if title in home:
                delays.append(time.time() - at)
                break
            time.sleep(0.005)
    print(f'scheduled to the home page: {len(delays)} articles, delay after '
          f'their time max {max(delays) * 1000:.0f} ms, median '
          f'{statistics.median(delays) * 1000:.0f} ms (target < 1000 ms)')
finally:
    srv.terminate(); srv.wait()
    subprocess.run(['rm', '-rf', tmp])
