#!/usr/bin/env python3
"""Known-item search on real Arabic news: naba beside Xapian, PostgreSQL and
a Lucene-style reference, on the same articles and the same queries.

The corpus is ANT v1.1 (10,161 articles of Jawhara FM, TREC-style files),
read in place from its tarball; nothing of it is written outside $TMPDIR
and the temporary folder goes at exit. Each query aims at one article: its
title's content words (the "known item"). A query counts as found when
the article is in the first 10 results. Every engine gets the same
10,157 articles (4 have no title and are left out): the TITLE and the
TEXT (the ABSTRACT when TEXT is empty).

Queries, from --queries N articles drawn with --seed among those whose
title appears once in the corpus:
  - words: the title split on anything but letters and Arabic marks; kept
    are Arabic words (no Latin letters, no digits) of 2 letters or more
    that are not stop words, the first 5 in title order (--words K: 2 to K
    of them picked at random, in title order); a title with fewer than 2
    such words is skipped (not a useful known item), and so are titles
    whose words another title also gives.
  - plain: those words as printed.
  - variant: the same words as readers type them: per word, each change
    that applies is made with probability 0.3 (a leading و left out where
    the word without it is the commoner in the corpus, ال dropped, hamza
    أإآ→ا, final ة→ه, final ي→ى) or 0.1 (و stuck on, a tatweel inside: they fit
    almost every word, and at 0.3 nearly every query would hold them);
    when none was made one applicable change is forced, so each variant
    differs from its plain query.

Engines (--engines, default all):
  naba    build/naba: init, import a WXR of the corpus, serve on a free
          loopback port, GET /search.json?q=.
          Latency is the wall time of the HTTP request on loopback.
  xapian  python3-xapian, Stem("arabic"), STEM_SOME, title wdf x5, BM25;
          OR and AND. Latency in-process (enquire, first 10).
  pg      PostgreSQL 15 throwaway cluster, 'arabic' config, title weight A,
          body B, GIN; OR of the words ranked by ts_rank, and
          websearch_to_tsquery (AND). Latency is the psycopg2 round trip
          over a unix socket.
  lucene  Python that follows Lucene's ArabicNormalizer and ArabicStemmer
          (light10), BM25 k1 1.2 b 0.75 per field, title boost 5; OR and
          AND. Latency in-process.

    search_quality.py [--queries N] [--seed S] [--words K]
                      [--engines naba,xapian,pg,lucene]
                      [--naba PATH] [--dump FILE] [--corpus TARBALL]
Exits non-zero with a message when a step finds nothing (no corpus, no
queries, a server that does not come up, an engine that finds nothing).
"""
import argparse
import datetime
import http.client
import json
import math
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from xml.sax.saxutils import escape

CORPUS = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared',
    'testdata', 'ant-corpus', 'antcorpus-v1.1.tar.gz'))
TOP = 10
KINDS = ['waw_dropped', 'hamza', 'teh_marbuta', 'final_yeh', 'al_dropped',
         'waw_added', 'tatweel']
# How often each word is in the corpus (make_queries() fills it): a و is
# a conjunction a reader may leave out when the word without it is the
# commoner one (وفرنسا: فرنسا), not when it is the word's (وزير: زير).
VOCAB = Counter()


class Fail(Exception):
    """A step found nothing: the run stops with this message, no figures."""


# ---------------------------------------------------------------- corpus

def field(doc, tag):
    m = re.search(r'<%s>(.*?)</%s>' % (tag, tag), doc, re.S)
    return m.group(1).strip() if m else ''


def read_corpus(path):
    """[(docno, cat, title, time, body)] from the tarball, in tar order."""
    if not os.path.isfile(path):
        raise Fail('corpus missing: %s' % path)
    docs = []
    with tarfile.open(path) as t:
        for m in t:
            if not m.isfile() or not m.name.endswith('.txt'):
                continue
            d = t.extractfile(m).read().decode('utf-8', 'replace')
            docno = field(d, 'DOCNO')
            title = ' '.join(field(d, 'TITLE').split())
            body = field(d, 'TEXT') or field(d, 'ABSTRACT')
            # 4 files have an empty TITLE: no known item, and naba needs
            # a title; they stay out of every engine.
            if docno and title:
                docs.append((docno, field(d, 'CAT'), title, field(d, 'TIME'),
                             body))
    if not docs:
        raise Fail('no articles in %s' % path)
    return docs


# ---------------------------------------------------------------- queries

MARKS = '\u064b-\u0652\u0670'  # harakat, shadda, sukun, dagger alef
MARK_SET = {chr(c) for c in range(0x64b, 0x653)} | {'\u0670'}
TOKEN = re.compile(r'[\w%s\u0640]+' % MARKS)
ARABIC_WORD = re.compile(r'^[\u0621-\u064a%s\u0640]+$' % MARKS)
# Function words a reader leaves out of a known-item query.
STOP = set('''
في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين اللذين اللتين ما لا
لم لن أن إن ان أو او ثم قد كل بعد قبل حول بين عند منذ خلال حتى كما هو هي هم
نحن أنا انا أي اي يا بل لكن غير دون ضد لدى عبر إثر اثر وفي ومن وعلى وإلى وعن
ومع أمام امام فيها منها عليها إليها عنها به بها له لها فيه منه عليه إليه كان
كانت يكون تكون ليس أيضا ايضا جدا هل كيف لماذا متى أين اين ماذا وهو وهي
نحو عنه عنهم عليهم لهم بهم منهم فيهم ضمن تحت فوق وراء إلا الا
'''.split())


def letters(w):
    return re.sub('[%s\u0640]' % MARKS, '', w)


def title_words(title):
    """Up to 5 content words of a title, in order (see the module doc)."""
    out = []
    for w in TOKEN.findall(title):
        if ARABIC_WORD.match(w) and len(letters(w)) >= 2 and \
                letters(w) not in STOP:
            out.append(w)
    return out[:5]


PROB = {'waw_dropped': 0.3, 'hamza': 0.3, 'teh_marbuta': 0.3, 'final_yeh': 0.3, 'al_dropped': 0.3,
        'waw_added': 0.1, 'tatweel': 0.1}

# Letters that join the next one: a tatweel fits only after these.
JOINING = set('بتثجحخسشصضطظعغفقكلمنهيئ')


def change(w, kind, rnd):
    """w with one reader's change of this kind, or None if it does not
    apply."""
    if kind == 'waw_dropped':
        rest = w[1:]
        return rest if w.startswith('و') and len(letters(rest)) >= 3 and \
            VOCAB[letters(rest)] > VOCAB[letters(w)] else None
    if kind == 'al_dropped':
        return w[2:] if w.startswith('ال') and len(letters(w)) >= 5 else None
    if kind == 'hamza':
        v = re.sub('[أإآ]', 'ا', w)
        return v if v != w else None
    if kind == 'teh_marbuta':
        return w[:-1] + 'ه' if w.endswith('ة') else None
    if kind == 'final_yeh':
        return w[:-1] + 'ى' if w.endswith('ي') else None
    if kind == 'waw_added':
        return 'و' + w
    if kind == 'tatweel':
        spots = [i for i in range(1, len(w)) if w[i - 1] in JOINING
                 and w[i] not in MARK_SET]
        if not spots:
            return None
        i = rnd.choice(spots)
        return w[:i] + 'ـ' + w[i:]
    raise ValueError(kind)


def variant(words, rnd):
    """(variant words, set of kinds applied); at least one change."""
    out, kinds = list(words), set()
    for j in range(len(out)):
        for k in KINDS:  # in this order: و and tatweel go on last
            v = change(out[j], k, rnd)
            if v is not None and rnd.random() < PROB[k]:
                out[j] = v
                kinds.add(k)
    if not kinds:
        choices = [(j, k) for j in range(len(out)) for k in KINDS
                   if change(out[j], k, rnd) is not None]
        j, k = rnd.choice(choices)
        out[j] = change(out[j], k, rnd)
        kinds.add(k)
    return out, kinds


def make_queries(docs, n, seed, words=0):
    """[{docno, plain, variant, kinds}] for n distinct known items; with
    words > 0, each query keeps 2..words of its title's words, picked at
    random in title order (readers rarely type a whole headline)."""
    count = Counter(letters(t) for _, _, t, _, _ in docs)
    VOCAB.clear()
    for _, _, t, _, body in docs:
        VOCAB.update(letters(w) for w in TOKEN.findall(t + ' ' + body))
    eligible = [(d, title_words(t)) for d, _, t, _, _ in docs
                if count[letters(t)] == 1]
    # Two titles can share their first 5 content words: such a query has
    # two right answers, so neither is a known item.
    same = Counter(tuple(w) for _, w in eligible)
    eligible = [(d, w) for d, w in eligible if len(w) >= 2 and
                same[tuple(w)] == 1]
    rnd = random.Random(seed)
    picked = rnd.sample(eligible, min(n, len(eligible)))
    qs = []
    for docno, tw in picked:
        if words > 0:
            k = rnd.randint(2, max(2, min(words, len(tw))))
            tw = [tw[i] for i in sorted(rnd.sample(range(len(tw)), k))]
        v, kinds = variant(tw, rnd)
        qs.append({'docno': docno, 'plain': ' '.join(tw),
                   'variant': ' '.join(v), 'kinds': kinds})
    if not qs:
        raise Fail('no queries: no article has a unique title with 2 words')
    return qs, len(eligible)


# ---------------------------------------------------------------- naba

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_wxr(docs, path):
    """A WordPress export of the corpus: post id i+1 for docs[i]."""
    cats = sorted({c for _, c, _, _, _ in docs if c})
    with open(path, 'w', encoding='utf-8') as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
                ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
                ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                '<title>ANT</title><link>https://ant.example</link>'
                '<wp:wxr_version>1.2</wp:wxr_version>'
                '<wp:base_blog_url>https://ant.example</wp:base_blog_url>\n')
        for c in cats:
            f.write('<wp:category><wp:category_nicename>%s'
                    '</wp:category_nicename><wp:category_parent>'
                    '</wp:category_parent><wp:cat_name>%s</wp:cat_name>'
                    '</wp:category>\n' % (escape(c), escape(c)))
        for i, (docno, cat, title, when, body) in enumerate(docs, 1):
            try:  # most are ISO 8601 with an offset, a few 29/11/2016
                t = datetime.datetime.fromisoformat(when)
                t = t.astimezone(datetime.timezone.utc)
            except ValueError:
                try:
                    t = datetime.datetime.strptime(when, '%d/%m/%Y')
                except ValueError:
                    t = datetime.datetime(2017, 1, 1)
            # Classic-editor text: blank lines make the paragraphs.
            content = '\n\n'.join(p.strip() for p in body.split('\n')
                                  if p.strip())
            f.write('<item><title>%s</title><content:encoded>%s'
                    '</content:encoded><excerpt:encoded></excerpt:encoded>'
                    '<wp:post_id>%d</wp:post_id><wp:post_date_gmt>%s'
                    '</wp:post_date_gmt><wp:post_name>ant-%d</wp:post_name>'
                    '<wp:status>publish</wp:status>'
                    '<wp:post_type>post</wp:post_type>%s</item>\n'
                    % (escape(title), escape(content), i,
                       t.strftime('%Y-%m-%d %H:%M:%S'), i,
                       # one article has an empty CAT: naba refuses a
                       # category without a name, so none is given
                       '<category domain="category" nicename="%s">%s'
                       '</category>' % (escape(cat), escape(cat))
                       if cat else ''))
        f.write('</channel>\n</rss>\n')


class Naba:
    name = 'naba'

    def __init__(self, binary, docs, tmp):
        if not os.access(binary, os.X_OK):
            raise Fail('naba binary missing: %s (ninja -C build naba)'
                       % binary)
        self.db = os.path.join(tmp, 'naba.db')
        wxr = os.path.join(tmp, 'ant.xml')
        write_wxr(docs, wxr)
        run([binary, 'init', '--db', self.db])
        run([binary, 'import', 'wxr', '--db', self.db, wxr])
        os.unlink(wxr)
        with sqlite3.connect(self.db) as c:
            rows = c.execute('SELECT wp_id, article_id FROM wp_posts').fetchall()
        # naba's article id -> DOCNO, through the WXR post id
        self.docno = {a: docs[w - 1][0] for w, a in rows}
        if len(self.docno) != len(docs):
            raise Fail('naba imported %d of %d articles'
                       % (len(self.docno), len(docs)))
        self.port = free_port()
        # serve loads the common-password list (node_modules, from npm);
        # nobody logs in here, so a one-word list does when it is absent.
        env = dict(os.environ)
        if not env.get('NABA_PASSWORDS'):
            env['NABA_PASSWORDS'] = os.path.join(tmp, 'passwords.json')
            with open(env['NABA_PASSWORDS'], 'w') as f:
                f.write('["password"]')
        self.logname = os.path.join(tmp, 'naba.log')
        self.log = open(self.logname, 'w')
        self.proc = subprocess.Popen(
            [binary, 'serve', '--db', self.db, '--port', str(self.port),
             '--access-log', 'off'], stdout=self.log, stderr=self.log,
            env=env)
        self.wait_up()
        self.conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                               timeout=30)

    def wait_up(self):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                with open(self.logname, errors='replace') as f:
                    raise Fail('naba serve exited (%d): %s'
                               % (self.proc.returncode, f.read()[-500:]))
            try:
                c = http.client.HTTPConnection('127.0.0.1', self.port,
                                               timeout=2)
                c.request('GET', '/healthz')
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                c.close()
            time.sleep(0.05)
        raise Fail('naba serve did not answer /healthz in 30 s')

    def search(self, q, op):
        path = '/search.json?q=' + urllib.parse.quote(q)
        t = time.perf_counter()
        self.conn.request('GET', path)
        r = self.conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t) * 1000
        if r.status in (429, 503):
            # One query at a time stays under --slow-per-client (4): a
            # refusal here means the limits changed; never count it a miss.
            raise Fail('naba refused a search (%d): search flood limits'
                       % r.status)
        if r.status != 200:
            raise Fail('naba /search.json answered %d' % r.status)
        res = json.loads(body)['results']
        return [self.docno.get(h['id'], '?') for h in res[:TOP]], ms

    def close(self):
        if getattr(self, 'proc', None) and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, 'log', None):
            self.log.close()


def run(cmd, **kw):
    # naba's messages may cut a title inside a UTF-8 sequence
    r = subprocess.run(cmd, capture_output=True, text=True, errors='replace',
                       **kw)
    if r.returncode != 0:
        raise Fail('%s failed (%d): %s' % (' '.join(cmd[:3]), r.returncode,
                                           (r.stderr or r.stdout)[-500:]))
    return r.stdout


# ---------------------------------------------------------------- xapian

class Xapian:
    name = 'xapian'

    def __init__(self, docs, tmp):
        try:
            import xapian
        except ImportError:
            raise Fail('python3-xapian missing: apt-get install python3-xapian')
        self.x = xapian
        self.db = xapian.WritableDatabase(os.path.join(tmp, 'xapian'),
                                          xapian.DB_CREATE_OR_OVERWRITE)
        stem = xapian.Stem('arabic')
        tg = xapian.TermGenerator()
        tg.set_stemmer(stem)
        tg.set_stemming_strategy(tg.STEM_SOME)
        for docno, _, title, _, body in docs:
            d = xapian.Document()
            tg.set_document(d)
            tg.index_text(title, 5)  # title weighs 5x, as in naba
            tg.increase_termpos()
            tg.index_text(body)
            d.set_data(docno)
            self.db.add_document(d)
        self.db.commit()
        self.enq = xapian.Enquire(self.db)
        self.qp = xapian.QueryParser()
        self.qp.set_stemmer(stem)
        self.qp.set_stemming_strategy(self.qp.STEM_SOME)
        self.qp.set_database(self.db)

    def search(self, q, op):
        t = time.perf_counter()
        self.qp.set_default_op(self.x.Query.OP_AND if op == 'and'
                               else self.x.Query.OP_OR)
        self.enq.set_query(self.qp.parse_query(q))
        hits = [m.document.get_data().decode() for m in
                self.enq.get_mset(0, TOP)]
        return hits, (time.perf_counter() - t) * 1000

    def close(self):
        self.db.close()


# ---------------------------------------------------------------- postgres

class Postgres:
    name = 'pg'
    BIN = '/usr/lib/postgresql/15/bin'

    def __init__(self, docs, tmp):
        try:
            import psycopg2
        except ImportError:
            raise Fail('python3-psycopg2 missing')
        if not os.path.isfile(self.BIN + '/initdb'):
            raise Fail('postgresql-15 missing: apt-get install postgresql-15')
        self.dir = os.path.join(tmp, 'pg')
        os.mkdir(self.dir)
        # initdb refuses root: run the cluster as postgres, in a folder it
        # owns under our temporary one (made traversable for it).
        self.user = []
        if os.geteuid() == 0:
            import pwd
            pw = pwd.getpwnam('postgres')
            os.chmod(tmp, 0o711)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.user = ['runuser', '-u', 'postgres', '--']
        data = os.path.join(self.dir, 'data')
        run(self.user + [self.BIN + '/initdb', '-D', data, '-E', 'UTF8',
                         '--locale=C', '-A', 'trust', '-U', 'bench'])
        self.port = free_port()
        self.ctl = self.user + [self.BIN + '/pg_ctl', '-D', data]
        run(self.ctl + ['-w', '-l', os.path.join(self.dir, 'log'), '-o',
                        "-p %d -k %s -c listen_addresses=127.0.0.1"
                        % (self.port, self.dir), 'start'])
        self.started = True
        self.conn = psycopg2.connect(host=self.dir, port=self.port,
                                     user='bench', dbname='postgres')
        self.conn.autocommit = True
        cur = self.cur = self.conn.cursor()
        cur.execute("CREATE TABLE a (docno text, title text, body text,"
                    " tsv tsvector GENERATED ALWAYS AS ("
                    "setweight(to_tsvector('arabic', title), 'A') ||"
                    " setweight(to_tsvector('arabic', body), 'B')) STORED)")
        cur.executemany('INSERT INTO a (docno, title, body) VALUES (%s,%s,%s)',
                        [(d, t, b) for d, _, t, _, b in docs])
        cur.execute('CREATE INDEX ON a USING gin (tsv)')
        cur.execute('ANALYZE a')

    def search(self, q, op):
        words = q.split()
        if op == 'and':
            tsq, args = "websearch_to_tsquery('arabic', %s)", [q]
        else:  # OR of each word's own query (a stop word gives an empty one)
            tsq = ' || '.join(["plainto_tsquery('arabic', %s)"] * len(words))
            args = words
        t = time.perf_counter()
        self.cur.execute('SELECT docno FROM a, (SELECT %s AS q) s'
                         ' WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC'
                         ' LIMIT %d' % (tsq, TOP), args)
        hits = [r[0] for r in self.cur.fetchall()]
        return hits, (time.perf_counter() - t) * 1000

    def close(self):
        if getattr(self, 'conn', None):
            self.conn.close()
        if getattr(self, 'started', False):
            subprocess.run(self.ctl + ['-m', 'fast', 'stop'],
                           capture_output=True)
            self.started = False


# ---------------------------------------------------------------- lucene

# Lucene's ArabicNormalizer: hamza on alef -> alef, ى -> ي, ة -> ه;
# tatweel and harakat deleted.
NORM = str.maketrans({'آ': 'ا', 'أ': 'ا', 'إ': 'ا', 'ى': 'ي', 'ة': 'ه',
                      'ـ': None, **{chr(c): None for c in range(0x64b,
                                                                0x653)}})
# Lucene's ArabicStemmer (light10): the first prefix that fits, then every
# suffix in this order that still fits.
PREFIXES = ['ال', 'وال', 'بال', 'كال', 'فال', 'لل', 'و']
SUFFIXES = ['ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'ية', 'ه', 'ة', 'ي']


def light10(w):
    for p in PREFIXES:
        # و needs 4 letters in all, the others 2 left after them
        if (len(w) >= 4 if len(p) == 1 else len(w) >= len(p) + 2) \
                and w.startswith(p):
            w = w[len(p):]
            break
    for s in SUFFIXES:
        if len(w) >= len(s) + 2 and w.endswith(s):
            w = w[:-len(s)]
    return w


LUCENE_TOKEN = re.compile(r'[\w%s\u0640]+' % MARKS)


def analyze(text):
    """Lucene's ArabicAnalyzer chain minus its stop filter (BM25's idf
    makes stop words cheap): tokens, lower case, normalize, stem."""
    out = []
    for t in LUCENE_TOKEN.findall(text.lower()):
        t = t.translate(NORM)
        if t:
            out.append(light10(t))
    return out


class Lucene:
    name = 'lucene'
    K1, B, TITLE_BOOST = 1.2, 0.75, 5.0

    def __init__(self, docs, tmp):
        self.docno = [d for d, _, _, _, _ in docs]
        self.fields = []
        for n in (0, 1):  # title, body: each its own postings and lengths
            post, lens = defaultdict(dict), []
            for i, d in enumerate(docs):
                terms = analyze(d[2] if n == 0 else d[4])
                lens.append(len(terms))
                for term, tf in Counter(terms).items():
                    post[term][i] = tf
            avg = sum(lens) / max(1, sum(1 for x in lens if x)) or 1.0
            self.fields.append((post, lens, avg))

    def search(self, q, op):
        t = time.perf_counter()
        terms = list(dict.fromkeys(analyze(q)))
        score = defaultdict(float)
        n = len(self.docno)
        match = [set() for _ in terms]
        for f, (post, lens, avg) in enumerate(self.fields):
            boost = self.TITLE_BOOST if f == 0 else 1.0
            for j, term in enumerate(terms):
                p = post.get(term)
                if not p:
                    continue
                idf = math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
                for i, tf in p.items():
                    norm = self.K1 * (1 - self.B + self.B * lens[i] / avg)
                    score[i] += boost * idf * tf / (tf + norm)
                    match[j].add(i)
        if op == 'and':
            keep = set.intersection(*match) if terms else set()
            score = {i: s for i, s in score.items() if i in keep}
        best = sorted(score.items(), key=lambda x: (-x[1], x[0]))[:TOP]
        hits = [self.docno[i] for i, _ in best]
        return hits, (time.perf_counter() - t) * 1000

    def close(self):
        pass


# ---------------------------------------------------------------- run

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(math.ceil(p / 100 * len(v))) - 1)]


def measure(eng, op, qs):
    """Ranks (1-based, 0 = not in the first 10) of plain and variant
    queries, zero-result counts and latencies."""
    r = {'plain': [], 'variant': [], 'zero': 0, 'ms': []}
    for q in qs:
        for kind in ('plain', 'variant'):
            hits, ms = eng.search(q[kind], op)
            r['ms'].append(ms)
            r[kind].append(hits.index(q['docno']) + 1
                           if q['docno'] in hits else 0)
            r['zero'] += kind == 'variant' and not hits
    if not any(r['plain']):
        raise Fail('%s %s found none of the plain queries: something is'
                   ' broken, no figures' % (eng.name, op))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--queries', type=int, default=500)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--words', type=int, default=0,
                    help='keep 2..N title words a query (0: the first 5)')
    ap.add_argument('--engines', default='naba,xapian,pg,lucene')
    ap.add_argument('--naba', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'build', 'naba'))
    ap.add_argument('--corpus', default=CORPUS)
    ap.add_argument('--dump', help='TSV of every query and its ranks')
    a = ap.parse_args()
    engines = a.engines.split(',')
    unknown = set(engines) - {'naba', 'xapian', 'pg', 'lucene'}
    if unknown or a.queries < 1:
        ap.error('unknown engines %s' % ','.join(unknown) if unknown
                 else '--queries must be at least 1')

    start = time.monotonic()
    docs = read_corpus(a.corpus)
    qs, eligible = make_queries(docs, a.queries, a.seed, a.words)
    kinds = Counter(k for q in qs for k in q['kinds'])
    print('ANT corpus: %d articles with a title; %d are known items (a title'
          ' of its own, 2+ content words); %d queries (seed %d); %d cores'
          % (len(docs), eligible, len(qs), a.seed, os.cpu_count()),
          flush=True)
    print('variant queries with each change: ' + ', '.join(
        '%s %d' % (k, kinds[k]) for k in KINDS), flush=True)

    tmp = tempfile.mkdtemp(prefix='search-quality-')
    rows, opened = [], []
    try:
        make = {'naba': lambda: Naba(a.naba, docs, tmp),
                'xapian': lambda: Xapian(docs, tmp),
                'pg': lambda: Postgres(docs, tmp),
                'lucene': lambda: Lucene(docs, tmp)}
        ops = {'naba': ['and'], 'xapian': ['or', 'and'], 'pg': ['or', 'and'],
               'lucene': ['or', 'and']}
        for e in engines:
            t = time.monotonic()
            eng = make[e]()
            opened.append(eng)
            built = time.monotonic() - t
            for op in ops[e]:
                rows.append((e, op, measure(eng, op, qs)))
            print('%s: indexed in %.1f s, queried in %.1f s'
                  % (e, built, time.monotonic() - t - built), flush=True)
            eng.close()
    finally:
        for eng in opened:
            try:
                eng.close()
            except Exception:
                pass
        shutil.rmtree(tmp, ignore_errors=True)

    report(rows, qs)
    if a.dump:
        dump(a.dump, rows, qs)
    print('whole run: %.0f s' % (time.monotonic() - start))


LABEL = {('naba', 'and'): 'naba',
         ('xapian', 'or'): 'Xapian Stem(arabic) OR BM25',
         ('xapian', 'and'): 'Xapian Stem(arabic) AND BM25',
         ('pg', 'or'): 'PostgreSQL arabic OR ts_rank',
         ('pg', 'and'): 'PostgreSQL arabic websearch (AND)',
         ('lucene', 'or'): 'Lucene light10 OR BM25',
         ('lucene', 'and'): 'Lucene light10 AND BM25'}


def report(rows, qs):
    n = len(qs)
    print('\nfound = the article in the first %d results; %d queries each'
          ' (plain and variant); latency over both: naba = HTTP request on'
          ' loopback, pg = psycopg2 round trip, xapian/lucene in-process'
          % (TOP, n))
    print('| engine | variant found | variant no result | variant MRR@10 |'
          ' plain MRR@10 | plain found | p50 / p99 ms |')
    print('|---|---|---|---|---|---|---|')
    for e, op, r in rows:
        v = sum(1 for x in r['variant'] if x)
        p = sum(1 for x in r['plain'] if x)
        mrr = sum(1 / x for x in r['plain'] if x) / n
        vmrr = sum(1 / x for x in r['variant'] if x) / n
        print('| %s | %d / %d (%.1f%%) | %d | %.3f | %.3f | %d / %d (%.1f%%) |'
              ' %.2f / %.2f |' % (LABEL[e, op], v, n, 100 * v / n, r['zero'],
                                  vmrr, mrr, p, n, 100 * p / n,
                                  pct(r['ms'], 50), pct(r['ms'], 99)))
    print('\nvariant queries found, by the changes they contain'
          ' (a query may hold several):')
    print('| change | queries | ' + ' | '.join(LABEL[e, op]
                                                for e, op, _ in rows) + ' |')
    print('|---|---|' + '---|' * len(rows))
    for k in KINDS:
        idx = [i for i, q in enumerate(qs) if k in q['kinds']]
        if not idx:
            continue
        cells = ['%d (%.0f%%)' % (f, 100 * f / len(idx)) for f in
                 [sum(1 for i in idx if r['variant'][i]) for _, _, r in rows]]
        print('| %s | %d | %s |' % (k, len(idx), ' | '.join(cells)))
    alone = [i for i, q in enumerate(qs) if len(q['kinds']) == 1]
    if rows and rows[0][0] == 'naba':
        r = rows[0][2]
        print('\nnaba, variant queries with only one kind of change:')
        for k in KINDS:
            idx = [i for i in alone if k in qs[i]['kinds']]
            if idx:
                f = sum(1 for i in idx if r['variant'][i])
                print('  %-12s %3d / %3d' % (k, f, len(idx)))


def dump(path, rows, qs):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\t'.join(['docno', 'query', 'kinds', 'text'] +
                          ['%s_%s' % (e, op) for e, op, _ in rows]) + '\n')
        for i, q in enumerate(qs):
            for kind in ('plain', 'variant'):
                ranks = [str(r[kind][i]) if r[kind][i] else 'miss'
                         for _, _, r in rows]
                f.write('\t'.join([q['docno'], kind,
                                   ','.join(sorted(q['kinds']))
                                   if kind == 'variant' else '', q[kind]] +
                                  ranks) + '\n')


if __name__ == '__main__':
    try:
        main()
    except Fail as e:
        print('search_quality: %s' % e, file=sys.stderr)
        sys.exit(1)
