#!/usr/bin/env python3
"""A WordPress export (WXR) of generated Arabic posts, for the benchmarks.

Words from Debian's hunspell-ar with Zipf frequencies, 250-900 words a
post, half classic-editor text and half block-editor markup, 20
categories, tags, `per` comments per post on average (some threaded).
Deterministic: the same arguments give the same file.
    wxr_gen.py DICT POSTS [COMMENTS_PER_POST] > export.xml
"""
import random, sys
from xml.sax.saxutils import escape
dic, posts = sys.argv[1], int(sys.argv[2])
per = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
words = []
for line in open(dic, encoding='utf-8', errors='ignore'):
    w = line.split('/')[0].strip()
    if w and not w[0].isdigit() and not w.isascii():
        words.append(w)
rnd = random.Random(1)
weights = [1.0 / (i + 1) for i in range(len(words))]  # Zipf, s = 1
pool = rnd.choices(words, weights, k=2_000_000)
pos = 0
def take(n):
    global pos
    if pos + n > len(pool):
        pos = 0
    pos += n
    return pool[pos - n:pos]
cats = ['%s-%d' % (w, i) for i, w in enumerate(rnd.sample(words, 20))]
tags = ['%s-%d' % (w, i) for i, w in enumerate(rnd.sample(words, 500))]
out = sys.stdout
out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
          ' xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"'
          ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
          ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
          ' xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
          '<title>موقع</title><link>https://news.example</link>'
          '<wp:wxr_version>1.2</wp:wxr_version>'
          '<wp:base_blog_url>https://news.example</wp:base_blog_url>\n')
for i in range(5):
    out.write('<wp:author><wp:author_login>writer%d</wp:author_login>'
              '<wp:author_email>w%d@news.example</wp:author_email>'
              '<wp:author_display_name>كاتب %d</wp:author_display_name>'
              '</wp:author>\n' % (i, i, i))
for c in cats:
    out.write('<wp:category><wp:category_nicename>%s</wp:category_nicename>'
              '<wp:category_parent></wp:category_parent><wp:cat_name>%s'
              '</wp:cat_name></wp:category>\n' % (escape(c), escape(c)))
cid = 0
for p in range(1, posts + 1):
    title = ' '.join(take(rnd.randint(5, 12)))
    n = rnd.randint(250, 900)
    body = take(n)
    paras = []
    while body:
        k = rnd.randint(30, 90)
        paras.append(' '.join(body[:k]))
        body = body[k:]
    if p % 2:  # classic-editor text: wpautop makes <p>
        content = '\n\n'.join(paras)
    else:  # block editor: comments around each block, some markup
        blocks = []
        for k, para in enumerate(paras):
            w = para.split(' ')
            if len(w) < 4:
                blocks.append('<!-- wp:paragraph -->\n<p>%s</p>\n'
                              '<!-- /wp:paragraph -->' % para)
                continue
            w[1] = '<strong>%s</strong>' % w[1]
            if k == 1:
                w[3] = '<a href="https://news.example/?p=%d">%s</a>' % (p - 1, w[3])
            blocks.append('<!-- wp:paragraph -->\n<p>%s</p>\n'
                          '<!-- /wp:paragraph -->' % ' '.join(w))
        content = '\n\n'.join(blocks)
    day = 1 + p % 28
    out.write('<item><title>%s</title><link>https://news.example/2024/01/%02d/p%d/'
              '</link><dc:creator>writer%d</dc:creator>'
              '<content:encoded>%s</content:encoded>'
              '<excerpt:encoded></excerpt:encoded><wp:post_id>%d</wp:post_id>'
              '<wp:post_date_gmt>2024-01-%02d 10:%02d:00</wp:post_date_gmt>'
              '<wp:post_name>p%d</wp:post_name><wp:status>publish</wp:status>'
              '<wp:post_type>post</wp:post_type>'
              '<category domain="category" nicename="%s">%s</category>'
              % (escape(title), day, p, p % 5, escape(content), p, day, p % 60,
                 p, escape(cats[p % 20]), escape(cats[p % 20])))
    for t in rnd.sample(tags, 3):
        out.write('<category domain="post_tag" nicename="%s">%s</category>'
                  % (escape(t), escape(t)))
    k = int(per * 2 * rnd.random() + 0.5)
    first = cid + 1
    for j in range(k):
        cid += 1
        parent = first if j and rnd.random() < 0.3 else 0
        out.write('<wp:comment><wp:comment_id>%d</wp:comment_id>'
                  '<wp:comment_author>قارئ %d</wp:comment_author>'
                  '<wp:comment_author_email>r%d@mail.example'
                  '</wp:comment_author_email>'
                  '<wp:comment_date_gmt>2024-01-%02d 12:00:00'
                  '</wp:comment_date_gmt><wp:comment_content>%s'
                  '</wp:comment_content><wp:comment_approved>1'
                  '</wp:comment_approved><wp:comment_parent>%d'
                  '</wp:comment_parent></wp:comment>'
                  % (cid, cid % 997, cid % 997, day,
                     escape(' '.join(take(rnd.randint(8, 60)))), parent))
    out.write('</item>\n')
out.write('</channel>\n</rss>\n')
