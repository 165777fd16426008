// The newsroom's article editor (themes/admin/editor/editor.src.mjs) in a
// real Chromium: a new author logs in, opens a new article, types an
// Arabic sentence with a Latin word and digits into the rich-text editor;
// the form's hidden textarea holds the editor's HTML, right-to-left per
// paragraph and with plain spaces; a paragraph switched to left-to-right
// says so; the page passes axe (WCAG 2.1 A and AA) with the editor
// mounted, and the Content-Security-Policy refuses nothing of it. The
// article is published and its public page holds the same paragraphs; a
// second one is scheduled a few seconds ahead and appears on the home page
// on its own; the revisions page compares two saves. Without JavaScript the
// same form takes Markdown in a textarea and publishes it. The editor,
// revisions and list pages pass axe and the Nu HTML Checker in Arabic
// (right to left) and English (left to right), on a phone and a desktop;
// screenshots go to NABA_SCREENSHOT_DIR. Needs the editor built (make
// editor). Logins come from their own X-Forwarded-For address (run.sh
// trusts 127.0.0.1), so the per-client login limit leaves them to the other
// files' tests.
//
//   NABA_URL=... NABA_BIN=build/naba NABA_DB=/tmp/x/naba.db \
//   node --test tests/browser/editor.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium } from './launch.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { requireEnv } from './env.mjs';
import { vnuErrors } from './vnu.mjs';

const [url, bin, db] = requireEnv('NABA_URL', 'NABA_BIN', 'NABA_DB');
const BASE = url.replace(/\/+$/, '');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const NEW_PASSWORD = 'صباح الخير يا رباط 2026';
const SENTENCE = 'أعلنت Apple اليوم 2026 عن';

const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1366, height: 900 } },
};
let clients = 0;
// A browser context of its own client address (see the comment above).
function context(options = {}) {
  clients += 1;
  return browser.newContext({
    locale: 'ar-MA',
    ...options,
    extraHTTPHeaders: { 'X-Forwarded-For': `10.77.${process.pid % 250}.${clients}` },
  });
}

async function shot(page, name) {
  const dir = process.env.NABA_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `editor-${name}.png`), fullPage: true });
}

async function axeViolations(page) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  assert.ok(result.passes.length > 0, 'axe checked nothing');
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// The page's bytes as the server sends them (with the session's cookie).
async function raw(page) {
  const res = await page.request.get(page.url());
  assert.equal(res.status(), 200, `GET ${page.url()}`);
  return res.text();
}

// Polls the home page until it shows text (up to ms): whether it did.
async function onHome(page, text, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const res = await page.request.get(`${BASE}/`);
    if ((await res.text()).includes(text)) return true;
    await page.waitForTimeout(50);
  }
  return false;
}

// "YYYY-MM-DDTHH:MM:SS" of a time in the site's zone (UTC on the test site).
function localTime(ms) {
  return new Date(ms).toISOString().slice(0, 19);
}

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close();
});

// naba user add: the one-time password it printed.
function addUser(name, role) {
  const run = spawnSync(bin, ['user', 'add', name, '--email', `${name}@example.org`, '--role', role, '--db', db], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, `naba user add: ${run.stderr}${run.stdout}`);
  const m = run.stdout.match(/one-time password: (\S+)/);
  assert.ok(m, `no one-time password in: ${run.stdout}`);
  return m[1];
}

// Logs name in with its one-time password and chooses their own.
async function login(page, who) {
  const name = `${who}-${process.pid}`; // a fresh account on every run
  const once = addUser(name, 'author');
  await page.goto(`${BASE}/admin/login`);
  await page.fill('#name', name);
  await page.fill('#password', once);
  await Promise.all([page.waitForURL(/\/admin\/password$/), page.click('button[type=submit]')]);
  await page.fill('#current', once);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#again', NEW_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\?done=password$/), page.click('form[action="/admin/password"] button')]);
}


test('Arabic typed into the editor reaches the form as right-to-left paragraphs', { timeout: 120_000 }, async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  // What the CSP refused and what the script threw (a missing web font
  // is another test's business).
  const refused = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) refused.push(m.text());
  });
  page.on('pageerror', (e) => refused.push(e.message));
  await login(page, 'editor-rtl');

  const script = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/editor.js');
  const form = await page.goto(`${BASE}/admin/articles/new`);
  assert.equal(form.status(), 200, 'the new article form');
  assert.match(form.headers()['content-security-policy'], /script-src 'self'/);
  const js = await script;
  assert.equal(js.status(), 200, 'the editor is served (make editor builds it)');
  assert.match(js.headers()['cache-control'] || '', /public/, 'kept under its hash, as admin.css');
  assert.match(js.headers()['content-type'] || '', /^text\/javascript/);
  const area = page.locator('#article-form .ProseMirror[contenteditable="true"]');
  await area.waitFor({ state: 'visible' });
  assert.ok(await page.locator('#body').isHidden(), 'the textarea gives way to the editor');
  assert.equal(await area.getAttribute('role'), 'textbox');
  assert.ok((await area.getAttribute('aria-label')) !== '', 'the editing area has a name');
  assert.equal(await page.locator('[role="toolbar"] button').count(), 12, 'the toolbar has its twelve buttons');

  await area.click();
  await page.keyboard.type(SENTENCE);
  await page.keyboard.press('Enter');
  await page.keyboard.type('Apple أعلنت');
  await page.click('[role="toolbar"] button[data-cmd="ltr"]');
  assert.equal(await page.getAttribute('[role="toolbar"] button[data-cmd="ltr"]', 'aria-pressed'), 'true');

  const html = await page.locator('#body').inputValue();
  assert.ok(html.includes(`<p dir="rtl">${SENTENCE}</p>`), `the sentence is a right-to-left paragraph: ${html}`);
  assert.ok(html.includes('<p dir="ltr">Apple أعلنت</p>'), `the switched paragraph is left-to-right: ${html}`);
  assert.ok(!html.includes('&nbsp;') && !html.includes('\u00a0'), `no non-breaking spaces: ${html}`);
  assert.equal(await page.locator('#body_format').inputValue(), 'html');

  assert.deepEqual(await axeViolations(page), [], 'axe on the editor');

  // Published, the public page has the same paragraphs.
  await page.fill('#title', 'خبر من المحرر في المتصفح');
  await page.fill('#kicker', 'اقتصاد');
  await Promise.all([page.waitForURL(/\/admin\/articles\/\d+\?saved=publish$/), page.click('button[value="publish"]')]);
  assert.ok(await page.isVisible('.admin-notice'));
  const view = await page.getAttribute('a.admin-view', 'href');
  assert.ok(view, 'the editor links the published article');
  const editUrl = page.url().replace(/\?.*$/, '');
  const pub = await page.request.get(`${BASE}${view}`);
  assert.equal(pub.status(), 200);
  const pubHtml = await pub.text();
  assert.ok(pubHtml.includes(`<p dir="rtl">${SENTENCE}</p>`), 'the public page has the right-to-left paragraph');
  assert.ok(pubHtml.includes('<p dir="ltr">Apple أعلنت</p>'), 'and the left-to-right one');
  await page.goto(`${BASE}${view}`);
  await shot(page, 'public-article');

  // A second save makes a second revision; the revisions page compares.
  await page.goto(editUrl);
  await page.locator('#article-form .ProseMirror').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' وأضيفت جملة أخيرة');
  await Promise.all([page.waitForURL(/saved=save$/), page.click('button[value="save"]')]);
  await page.goto(`${editUrl}/revisions`);
  assert.ok(await page.isVisible('.admin-diff ins'), 'the revisions page shows what was added');
  assert.deepEqual(await axeViolations(page), [], 'axe on the revisions page');

  // Scheduled a few seconds ahead, it appears on the home page on its own.
  await page.goto(`${BASE}/admin/articles/new`);
  await page.locator('#article-form .ProseMirror').click();
  await page.keyboard.type('نص خبر مجدول');
  await page.fill('#title', 'خبر مجدول من المتصفح');
  const at = Date.now() + 4000;
  await page.fill('#publish_at', localTime(at));
  await Promise.all([page.waitForURL(/saved=schedule$/), page.click('button[value="schedule"]')]);
  assert.equal(await onHome(page, 'خبر مجدول من المتصفح', 500), false, 'not before its time');
  assert.ok(await onHome(page, 'خبر مجدول من المتصفح', 15_000), 'on the home page after its time');
  assert.ok(Date.now() >= at - 1000, 'not long before its time');

  assert.deepEqual(refused, [], 'the page ran without errors or refusals');
  await ctx.close();
});

test('the editor pages pass axe and the Nu checker in both directions', { timeout: 180_000 }, async () => {
  const html = {};
  const failures = [];
  for (const [device, options] of Object.entries(DEVICES)) {
    const ctx = await context(options);
    try {
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      await login(page, `look-${device}`);
      for (const lang of ['ar', 'en']) {
        await page.goto(`${BASE}/admin`);
        await page.selectOption('#lang', lang);
        await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/admin/lang"] button')]);
        await page.goto(`${BASE}/admin/articles/new`);
        await page.locator('#article-form .ProseMirror').waitFor();
        assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
        await page.evaluate(() => document.fonts.ready.then(() => true));
        const look = async (what) => {
          failures.push(...(await axeViolations(page)).map((v) => `${what} (${device}): ${v}`));
          await shot(page, `${what}-${device}`);
          html[`${what}-${device}`] = await raw(page);
        };
        await look(`new-${lang}`);
        await page.locator('#article-form .ProseMirror').click();
        await page.keyboard.type(`${SENTENCE} ${lang}`);
        await page.fill('#title', `مقال للفحص ${lang} ${device}`);
        await Promise.all([page.waitForURL(/saved=save$/), page.click('button[value="save"]')]);
        await look(`saved-${lang}`);
        const edit = page.url().replace(/\?.*$/, '');
        await page.locator('#article-form .ProseMirror').click();
        await page.keyboard.type(' ثانية');
        await Promise.all([page.waitForURL(/saved=save$/), page.click('button[value="save"]')]);
        await page.goto(`${edit}/revisions`);
        await look(`revisions-${lang}`);
        await page.goto(`${BASE}/admin?show=drafts`);
        await look(`list-${lang}`);
      }
    } finally {
      await ctx.close();
    }
  }
  assert.equal(failures.length, 0, `axe violations:\n${failures.join('\n')}`);
  const errors = vnuErrors(html);
  assert.equal(errors.length, 0, errors.join('\n'));
});

test('without JavaScript the same form publishes Markdown from a textarea', { timeout: 60_000 }, async () => {
  const ctx = await context({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await login(page, 'editor-nojs');
  await page.goto(`${BASE}/admin/articles/new`);
  assert.ok(await page.locator('#body').isVisible(), 'the textarea is there');
  assert.equal(await page.locator('.ProseMirror').count(), 0);
  await page.fill('#title', 'خبر كتب بلا جافاسكربت');
  await page.selectOption('#body_format', 'markdown');
  await page.fill('#body', `## عنوان فرعي\n\n${SENTENCE} **مهم**.`);
  await Promise.all([page.waitForURL(/saved=publish$/), page.click('button[value="publish"]')]);
  const view = await page.getAttribute('a.admin-view', 'href');
  assert.ok(view, 'the editor links the published article');
  const pub = await (await page.request.get(`${BASE}${view}`)).text();
  assert.ok(pub.includes('<h2>عنوان فرعي</h2>'), 'the Markdown heading');
  assert.ok(pub.includes(`${SENTENCE} <strong>مهم</strong>.`), 'the paragraph with its bold word');
  await ctx.close();
});
