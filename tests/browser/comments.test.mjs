// Browser test of readers' comments in a real Chromium (Debian's, driven by
// playwright-core; no browser is ever downloaded): a reader comments, sees
// the comment held for moderation, an editor approves it with the CLI and
// everyone sees it; a form the server refuses comes back with the error
// next to its field and the text kept.
//
//   NABA_URL=http://127.0.0.1:8080 NABA_ARTICLE_PATH=/politics/1-slug \
//   NABA_BIN=build/naba NABA_DB=/tmp/naba.db \
//   [NABA_FONTS=1] [NABA_SCREENSHOT_DIR=build/screenshots] \
//   node --test tests/browser/comments.test.mjs
//
// NABA_URL is the base URL of a running naba, NABA_BIN its binary and
// NABA_DB the database it serves (for `naba comments approve`); without
// NABA_DB the binary's own default applies (env NABA_DB, naba.db).
// NABA_ARTICLE_PATH is the path of an article with comments open (default:
// the first article linked from the home page). Fails unless NABA_URL and
// NABA_BIN are set. CHROMIUM overrides the browser path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireEnv } from './env.mjs';
import { launchChromium } from './launch.mjs';

const [url, BIN] = requireEnv('NABA_URL', 'NABA_BIN');
const BASE = url.replace(/\/+$/, '');
const DB = process.env.NABA_DB || '';
const FONTS = process.env.NABA_FONTS === '1';
const SHOTS = process.env.NABA_SCREENSHOT_DIR || 'build/screenshots';
let ARTICLE = process.env.NABA_ARTICLE_PATH || '';

// The server refuses a form sent less than 3 s after the reader's own
// token was issued: the page's stylesheet asks for it (/comment-token, a
// cookie) when the reader first focuses a field of the form.
const FORM_DELAY_MS = 3500;
// The page cache drops changed pages within 100 ms; allow for much more.
const PUBLISH_WAIT_MS = 5000;

const PENDING_NOTICE = 'تعليقك بانتظار المراجعة';

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  if (!ARTICLE) ARTICLE = await firstArticle();
});

after(async () => {
  if (browser) await browser.close();
});

// The path of the first article the home page links to.
async function firstArticle() {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(BASE + '/');
    const href = await page
      .locator('.lead-title a, .card-title a')
      .first()
      .getAttribute('href');
    assert.ok(href, 'the home page links to an article (or set NABA_ARTICLE_PATH)');
    return new URL(href, BASE).pathname;
  } finally {
    await context.close();
  }
}

// A fresh browser context (no cookies) on a phone that records console
// errors, page errors and failed requests (a CSP refusal is a console
// error). `allowStatus` lets a page the server answers with an error status
// on purpose (a refused form) through.
async function newPhone(allowStatus = () => false) {
  const context = await browser.newContext({ ...PHONE, locale: 'ar-MA' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url || '';
    if (ignored(where)) return;
    const m = /status of (\d{3})/.exec(msg.text());
    const doc = (u) => u.replace(/#.*/, '');
    if (m && doc(where) === doc(page.url()) && allowStatus(Number(m[1]))) return;
    problems.push(`console: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!ignored(req.url())) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    const doc = res.request().isNavigationRequest();
    if (res.status() >= 400 && !ignored(res.url()) && !(doc && allowStatus(res.status())))
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return { context, page, problems };
}

// Failed loads that are not the page's fault: Chromium asks for
// /favicon.ico on its own, and without NABA_FONTS the font files may not
// have been copied into the theme (`make fonts`).
function ignored(resource) {
  if (!resource) return false;
  const p = new URL(resource, BASE).pathname;
  return p === '/favicon.ico' || (!FONTS && /\.woff2?$/.test(p));
}

// A URL's path, percent-decoded (NABA_ARTICLE_PATH may be given either way).
const samePath = (url) => decodeURIComponent(new URL(url).pathname);

// Opens the article; returns when it has loaded, with the time it did.
async function openArticle(page) {
  const res = await page.goto(BASE + ARTICLE, { waitUntil: 'load' });
  assert.equal(res.status(), 200, `GET ${ARTICLE}`);
  return Date.now();
}

async function assertNoHorizontalOverflow(page) {
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(m.scroll <= m.client + 1, `page is wider than the screen: ${m.scroll} > ${m.client}`);
}

// Fills the comment form; fields left out of `v` are left empty.
async function fillForm(page, v) {
  const form = page.locator('#respond form');
  assert.equal(await form.count(), 1, 'the article has a comment form (#respond form)');
  if (v.comment !== undefined) await form.locator('textarea[name="comment"]').fill(v.comment);
  if (v.author !== undefined) await form.locator('input[name="author"]').fill(v.author);
  if (v.email !== undefined) await form.locator('input[name="email"]').fill(v.email);
  if (v.url !== undefined) await form.locator('input[name="url"]').fill(v.url);
  return form;
}

// Waits out the server's minimum time since the reader began writing,
// submits the form and waits for the page the server answers with (after a
// redirect).
async function submit(page, startedAt) {
  const wait = startedAt + FORM_DELAY_MS - Date.now();
  if (wait > 0) await sleep(wait);
  let post = null;
  const onResponse = (res) => {
    if (res.request().method() === 'POST') post = res;
  };
  page.on('response', onResponse);
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await page.locator('#respond button[type="submit"]').click();
  const res = await nav;
  page.off('response', onResponse);
  assert.ok(post, 'the form was sent with POST');
  return { post, res };
}

const shot = (locator, name) =>
  locator.screenshot({ path: path.join(SHOTS, name), animations: 'disabled' });

test('a comment waits for moderation, then everyone sees it', async () => {
  const tag = randomBytes(4).toString('hex');
  const email = `reader-${tag}@example.test`;
  const link = `https://example.org/naba-${tag}`;
  const text = `تعليق تجريبي ${tag}: شكرًا على هذا المقال المفيد.\nوهذا سطر ثانٍ فيه رابط ${link} للمزيد.`;
  const author = `قارئ ${tag}`;
  const opened = [];
  try {
    // 1. The reader comments.
    const reader = await newPhone();
    opened.push(reader);
    const { page } = reader;
    await openArticle(page);
    const startedAt = Date.now();
    // The reader's own token comes when they begin to write, not with the
    // cached page.
    const token = page.waitForResponse((r) => new URL(r.url()).pathname === '/comment-token');
    await fillForm(page, { comment: text, author, email, url: `https://reader-${tag}.example.test/` });
    assert.equal((await token).status(), 200, 'the form fetched the reader\'s token');
    // The honeypot is there for robots (not display: none, which some skip)
    // but out of people's sight.
    const hp = await page.locator('#respond input[name="homepage"]').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { display: getComputedStyle(el.closest('.hp') || el).display, right: r.right, left: r.left,
        width: innerWidth, tab: el.tabIndex };
    });
    assert.notEqual(hp.display, 'none', 'the honeypot is not display: none');
    assert.ok(hp.right <= 0 || hp.left >= hp.width, `the honeypot is off screen: ${JSON.stringify(hp)}`);
    assert.equal(hp.tab, -1, 'the honeypot is out of the tab order');
    const { post } = await submit(page, startedAt);
    assert.ok([200, 302, 303].includes(post.status()), `POST answered ${post.status()}`);

    // 2. Back on the article, the comment is there, marked as pending.
    assert.equal(samePath(page.url()), samePath(BASE + ARTICLE), 'back on the article page');
    const mine = page.locator('li.comment', { hasText: tag }).first();
    assert.ok(await mine.isVisible(), 'the new comment is shown to its author');
    const anchor = (await mine.getAttribute('id')) || '';
    const m = /^comment-(\d+)$/.exec(anchor);
    assert.ok(m, `the comment's element has the id comment-N, not "${anchor}"`);
    const id = m[1];
    assert.match((await mine.getAttribute('class')) || '', /\bis-pending\b/, 'marked is-pending');
    const notice = mine.locator('.comment-pending');
    assert.ok(await notice.isVisible(), 'the pending notice is visible');
    assert.ok((await notice.innerText()).includes(PENDING_NOTICE), 'the pending notice says so');
    const body = mine.locator('.comment-body').first();
    assert.ok((await body.locator('br').count()) + (await body.locator('p').count()) >= 2,
      'the line break of the comment is kept');
    assert.ok((await mine.locator('.comment-author').innerText()).includes(tag), 'author name shown');
    assert.ok(
      await mine.locator(`a.comment-date[href="#${anchor}"] time[datetime]`).count(),
      'a permalink with the date',
    );
    await mine.scrollIntoViewIfNeeded();
    await shot(page.locator('#comments'), 'comment-pending.png');
    await assertNoHorizontalOverflow(page);

    // 3. The e-mail address is in no page: not the rendered one, not the
    // HTML the server sent (fetched again with the reader's cookies).
    assert.ok(!(await page.content()).includes(email), 'the e-mail is not in the page');
    const again = await page.request.get(BASE + ARTICLE);
    assert.ok(!(await again.text()).includes(email), 'the e-mail is not in the HTML');

    // 4. Nobody else sees it yet.
    const other = await newPhone();
    opened.push(other);
    await openArticle(other.page);
    assert.equal(await other.page.locator(`#${anchor}`).count(), 0, 'a pending comment is private');
    assert.ok(!(await other.page.content()).includes(tag), 'nothing of it in the public page');

    // 5. An editor approves it.
    const args = ['comments', 'approve', id];
    if (DB) args.push('--db', DB);
    try {
      execFileSync(BIN, args, { stdio: 'pipe', timeout: 10000 });
    } catch (e) {
      assert.fail(`${BIN} ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }

    // 6. A new visitor (no cookies) sees it published.
    const visitor = await newPhone();
    opened.push(visitor);
    const vp = visitor.page;
    const until = Date.now() + PUBLISH_WAIT_MS;
    let shown = false;
    for (;;) {
      await openArticle(vp);
      const li = vp.locator(`#${anchor}`);
      if ((await li.count()) === 1 && !/\bis-pending\b/.test((await li.getAttribute('class')) || '')) {
        shown = true;
        break;
      }
      if (Date.now() > until) break;
      await sleep(200);
    }
    assert.ok(shown, `comment ${id} is public within ${PUBLISH_WAIT_MS} ms of its approval`);
    const pub = vp.locator(`#${anchor}`);
    assert.equal(await pub.locator('.comment-pending').count(), 0, 'no pending notice any more');
    assert.ok((await pub.locator('.comment-body').first().innerText()).includes(tag), 'its text');
    assert.match(
      await vp.locator('#comments-title').innerText(),
      /\(\s*[1-9٠-٩][0-9٠-٩]*\s*\)/,
      'the heading counts the comments',
    );

    // The address typed in the text is a link search engines do not follow.
    const a = pub.locator('.comment-body a', { hasText: `naba-${tag}` }).first();
    assert.equal(await a.count(), 1, 'the URL in the comment is a link');
    assert.equal(await a.getAttribute('href'), link, 'the link goes to the URL typed');
    const rel = ((await a.getAttribute('rel')) || '').split(/\s+/);
    assert.ok(rel.includes('nofollow') && rel.includes('ugc'), `rel="${rel.join(' ')}" has nofollow and ugc`);
    // So is the author's website.
    const site = pub.locator('.comment-author a');
    assert.equal(await site.count(), 1, "the author's name links to the website given");
    const siteRel = ((await site.getAttribute('rel')) || '').split(/\s+/);
    assert.ok(siteRel.includes('nofollow') && siteRel.includes('ugc'), `author link rel="${siteRel.join(' ')}"`);
    assert.ok(!(await vp.content()).includes(email), 'the e-mail is not in the public page');

    await pub.scrollIntoViewIfNeeded();
    await shot(vp.locator('#comments'), 'comment-approved.png');
    await assertNoHorizontalOverflow(vp);

    for (const o of opened) assert.deepEqual(o.problems, [], 'no console errors, page errors or failed requests');
  } finally {
    for (const o of opened) await o.context.close();
  }
});

test('a refused comment comes back with the error and the text kept', async () => {
  const tag = randomBytes(4).toString('hex');
  const text = `تعليق بلا اسم ${tag}\nيجب أن يبقى هذا النص في الخانة.`;
  // The server may answer a refused form with an error status (400, 422).
  const phone = await newPhone((status) => status >= 400 && status < 500);
  const { context, page, problems } = phone;
  try {
    await openArticle(page);
    const startedAt = Date.now();
    const form = await fillForm(page, { comment: text, email: `reader-${tag}@example.test` });
    // Get past the browser's own check of required fields, as a robot or
    // an old browser would.
    await form.evaluate((f) => {
      f.noValidate = true;
    });
    const { post } = await submit(page, startedAt);
    assert.ok(post.status() < 500, `POST answered ${post.status()}`);

    const authorInput = page.locator('#respond input[name="author"]');
    assert.equal(await authorInput.count(), 1, 'the form is shown again');
    const err = page.locator('#err-author');
    assert.ok(await err.isVisible(), 'an error next to the name field');
    assert.ok((await err.innerText()).trim().length > 0, 'the error says something');
    assert.equal(await authorInput.getAttribute('aria-invalid'), 'true', 'name field aria-invalid');
    assert.match((await authorInput.getAttribute('aria-describedby')) || '', /\berr-author\b/,
      'name field described by its error');
    const kept = await page.locator('#respond textarea[name="comment"]').inputValue();
    assert.equal(kept.replace(/\r\n/g, '\n'), text, 'the comment typed is kept');
    assert.equal(await page.locator('li.comment', { hasText: tag }).count(), 0, 'nothing was published');

    await page.locator('#respond').scrollIntoViewIfNeeded();
    await shot(page.locator('#respond'), 'comment-refused.png');
    await assertNoHorizontalOverflow(page);
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await context.close();
  }
});
