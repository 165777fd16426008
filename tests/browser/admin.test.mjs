// The newsroom's door in a real Chromium: a new author logs in with the
// one-time password `naba user add` printed, must choose their own,
// reaches the article list, switches the interface to English, logs out;
// a new editor approves a pending comment in the moderation queue, then,
// made an administrator, adds an account (its one-time password shown
// once), reads the audit log, adds a section and sees the tags and the
// settings.
// Once without JavaScript (every essential action works so), once with it
// to run axe (WCAG 2.1 A and AA) on each page on the way, on a phone and a
// desktop screen, and the Nu HTML Checker on their bytes; screenshots go
// to NABA_SCREENSHOT_DIR.
//
//   NABA_URL=... NABA_BIN=build/naba NABA_DB=/tmp/x/naba.db \
//   node --test tests/browser/admin.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium } from './launch.mjs';
import { requireEnv } from './env.mjs';
import { vnuErrors } from './vnu.mjs';

const [url, bin, db] = requireEnv('NABA_URL', 'NABA_BIN', 'NABA_DB');
const BASE = url.replace(/\/+$/, '');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1366, height: 900 } },
};
const NEW_PASSWORD = 'صباح الخير يا رباط 2026';

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

async function axe(page, where, failures) {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  assert.ok(result.passes.length > 0, `axe checked nothing on ${where}`);
  for (const v of result.violations)
    failures.push(`${where}: ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
}

// The page's bytes as the server sends them (with the session's cookie).
async function raw(page) {
  const res = await page.request.get(page.url());
  assert.equal(res.status(), 200, `GET ${page.url()}`);
  return res.text();
}

async function shot(page, name) {
  const dir = process.env.NABA_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `admin-${name}.png`), fullPage: true });
}

// A reader's pending comment on the seed article, written straight into
// the database (sqlite3) beside the running server: posting it as a reader
// would spend the 3 s wait and the per-client limit that
// comments.test.mjs needs, and has a test of its own there. Pending
// comments change no public page, so the server needs no word of it.
function pendingComment(tag) {
  const m = (process.env.NABA_ARTICLE_PATH || '').match(/\/(\d+)-[^/]*$/);
  const article = m ? m[1] : '(SELECT min(id) FROM articles)';
  const text = `تعليق ينتظر المراجعة ${tag}\nسطر ثان فيه كلمة طويلة جدا ${'ا'.repeat(80)}`;
  const q = (v) => `'${v.replaceAll("'", "''")}'`;
  const sql = `INSERT INTO comments (article_id, author_name, author_email, body, status, created_at, client, content_key)
    VALUES (${article}, ${q(`قارئة ${tag}`)}, ${q(`reader-${tag}@example.test`)}, ${q(text)}, 0,
    CAST(strftime('%s', 'now') AS INTEGER), '192.0.2.7', ${q(`admin-test-${tag}`)}) RETURNING id;`;
  const run = spawnSync('sqlite3', ['-cmd', '.timeout 5000', db, sql], { encoding: 'utf8' });
  assert.equal(run.status, 0, `sqlite3: ${run.error || ''}${run.stderr}`);
  return Number(run.stdout.trim());
}

// An editor's first visit: the one-time password changed, then the
// comment queue, where they approve a pending comment. look as in walk().
async function moderate(page, name, once, look) {
  const id = pendingComment(name);
  assert.ok(id > 0, 'the pending comment has an id');
  await page.goto(`${BASE}/admin/login`);
  await page.fill('#name', name);
  await page.fill('#password', once);
  await Promise.all([page.waitForURL(/\/admin\/password$/), page.click('button[type=submit]')]);
  await page.fill('#current', once);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#again', NEW_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\?done=password$/), page.click('form[action="/admin/password"] button')]);

  // The newsroom's menu leads an editor to the queue.
  await Promise.all([page.waitForURL(/\/admin\/comments$/), page.click('.admin-nav a[href="/admin/comments"]')]);
  assert.ok(await page.isVisible(`#comment-${id}`), 'the pending comment is in the queue');
  if (look) await look(page, 'comments');

  await page.check(`#c${id}`);
  await Promise.all([
    page.waitForURL(/done=approve&n=1&skipped=0/),
    page.click('.admin-actions button[value="approve"]'),
  ]);
  assert.ok(await page.isVisible('.admin-notice'));
  assert.equal(await page.locator(`#comment-${id}`).count(), 0, 'the approved comment left the pending queue');
  if (look) await look(page, 'comments-approved');

  // The approved tab shows it; the article's own view shows its state form.
  await page.goto(`${BASE}/admin/comments?status=approved`);
  assert.ok(await page.isVisible(`#comment-${id}`), 'the comment is among the approved');
  await Promise.all([page.waitForURL(/article=\d+$/), page.click(`#comment-${id} a[href^="/admin/comments?article="]`)]);
  assert.ok(await page.isVisible('input[name="state"][value="follow"]:checked'));
  if (look) await look(page, 'comments-article');
}

// naba user role: the account's new role, in effect at its next request
// (a session carries on; the login limit is left for the others).
function setRole(name, role) {
  const run = spawnSync(bin, ['user', 'role', name, role, '--db', db], { encoding: 'utf8' });
  assert.equal(run.status, 0, `naba user role: ${run.stderr}${run.stdout}`);
}

// The logged-in user called name made an administrator: the users page,
// where they add an account and see its one-time password once, then the
// audit log, in Arabic and in English. look as in walk().
async function administer(page, name, look) {
  setRole(name, 'administrator');
  await page.goto(`${BASE}/admin`);
  await Promise.all([page.waitForURL(/\/admin\/users$/), page.click('.admin-nav a[href="/admin/users"]')]);
  assert.ok((await page.locator('.admin-users tbody tr').count()) > 1, 'the users list is empty');
  if (look) await look(page, 'users');

  const added = `${name}-new`;
  await page.fill('#new-name', added);
  await page.fill('#new-email', `${added}@example.org`);
  await page.selectOption('#new-role', 'editor');
  await Promise.all([page.waitForURL(/\/admin\/users$/), page.click('form.admin-form button[type=submit]')]);
  const pw = (await page.textContent('.admin-password')).trim();
  assert.equal(pw.length, 20, 'the one-time password is shown');
  assert.ok(await page.isVisible(`.admin-users tbody tr:has-text("${added}")`), 'the new account is listed');
  if (look) await look(page, 'users-added');

  await Promise.all([page.waitForURL(/\/admin\/audit$/), page.click('.admin-nav a[href="/admin/audit"]')]);
  assert.ok(await page.isVisible('.admin-audit tbody tr:has-text("user_add")'), 'the audit log shows the addition');
  if (look) await look(page, 'audit');

  await page.goto(`${BASE}/admin`);
  await page.selectOption('#lang', 'en');
  await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/admin/lang"] button')]);
  await page.goto(`${BASE}/admin/users`);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  if (look) await look(page, 'users-en');
  await page.goto(`${BASE}/admin/audit`);
  if (look) await look(page, 'audit-en');
}

// The administrator called name (after administer()) keeps the site in
// order: adds a section (and is refused the same name again, what they
// typed kept), sees the tags, and is refused a setting out of range with
// the reason next to the field. look as in walk().
async function curate(page, name, look) {
  await page.goto(`${BASE}/admin`);
  await Promise.all([page.waitForURL(/\/admin\/sections$/), page.click('.admin-nav a[href="/admin/sections"]')]);
  if (look) await look(page, 'sections');
  const section = `قسم ${name}`;
  const add = async () => {
    await page.fill('#section-name', section);
    await page.fill('#section-description', 'وصف القسم في سطر');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/sections')),
      page.click('form.admin-form button[type=submit]'),
    ]);
    await page.waitForLoadState();
  };
  await add();
  assert.match(page.url(), /\/admin\/sections\?done=add$/);
  assert.ok(await page.isVisible(`.admin-sections tbody tr:has-text("${section}")`), 'the new section is listed');
  if (look) await look(page, 'sections-added');
  await add();
  assert.ok(await page.isVisible('#section-error'), 'a taken name is refused with the reason');
  assert.equal(await page.inputValue('#section-name'), section);
  if (look) await look(page, 'sections-refused');

  await Promise.all([page.waitForURL(/\/admin\/tags$/), page.click('.admin-nav a[href="/admin/tags"]')]);
  if (look) await look(page, 'tags');

  await Promise.all([page.waitForURL(/\/admin\/settings$/), page.click('.admin-nav a[href="/admin/settings"]')]);
  if (look) await look(page, 'settings');
  await page.fill('#setting-per_page', '1000');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/settings')),
    page.click('form.admin-form button[type=submit]'),
  ]);
  await page.waitForLoadState();
  assert.ok(await page.isVisible('#setting-per_page-error'), 'the reason is next to the field');
  assert.equal(await page.inputValue('#setting-per_page'), '1000');
  if (look) await look(page, 'settings-refused');
}

// The way in: the login form, the one-time password changed, the article
// list, English and back, logging out. look(page, name) checks each page
// on the way (null: nothing).
async function walk(page, name, once, look) {
  await page.goto(`${BASE}/admin`);
  assert.match(page.url(), /\/admin\/login\?next=/);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  if (look) await look(page, 'login');

  await page.fill('#name', name);
  await page.fill('#password', once);
  await Promise.all([page.waitForURL(/\/admin\/password$/), page.click('button[type=submit]')]);
  if (look) await look(page, 'password');

  await page.fill('#current', once);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#again', NEW_PASSWORD);
  await Promise.all([page.waitForURL(/\/admin\?done=password$/), page.click('form[action="/admin/password"] button')]);
  assert.ok(await page.isVisible('.admin-notice'));
  assert.ok((await page.locator('table tbody tr').count()) > 0, 'the article list is empty');
  if (look) await look(page, 'dashboard');

  await page.selectOption('#lang', 'en');
  await Promise.all([page.waitForURL(/\/admin$/), page.click('form[action="/admin/lang"] button')]);
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  if (look) await look(page, 'dashboard-en');

  // Logging out ends the session: the newsroom asks to log in again.
  await Promise.all([page.waitForURL(/\/admin\/login$/), page.click('form[action="/admin/logout"] button')]);
  await page.goto(`${BASE}/admin`);
  assert.match(page.url(), /\/admin\/login/);
}

test('an author finds the way in without JavaScript', { timeout: 120_000 }, async () => {
  for (const [device, options] of Object.entries(DEVICES)) {
    const name = `plain-${device}`;
    const context = await browser.newContext({ ...options, locale: 'ar-MA', javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await walk(page, name, addUser(name, 'author'), null);
    } finally {
      await context.close();
    }
  }
});

test('an editor approves a comment, then adds a user as an administrator, without JavaScript', { timeout: 120_000 }, async () => {
  for (const [device, options] of Object.entries(DEVICES)) {
    const name = `plain-editor-${device}`;
    const context = await browser.newContext({ ...options, locale: 'ar-MA', javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await moderate(page, name, addUser(name, 'editor'), null);
      await administer(page, name, null);
      await curate(page, name, null);
    } finally {
      await context.close();
    }
  }
});

test('the newsroom pages pass axe and the Nu HTML Checker', { timeout: 180_000 }, async () => {
  const failures = [];
  const html = {};
  for (const [device, options] of Object.entries(DEVICES)) {
    const name = `reporter-${device}`;
    const context = await browser.newContext({ ...options, locale: 'ar-MA' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const look = async (p, what) => {
        await p.evaluate(() => document.fonts.ready.then(() => true));
        await axe(p, `${what} (${device})`, failures);
        await shot(p, `${what}-${device}`);
        html[`${what}-${device}`] = await raw(p);
      };
      await walk(page, name, addUser(name, 'author'), look);
      const editor = `editor-${device}`;
      await moderate(page, editor, addUser(editor, 'editor'), look);
      await administer(page, editor, look);
      await curate(page, editor, look);
    } finally {
      await context.close();
    }
  }
  assert.equal(failures.length, 0, `axe violations:\n${failures.join('\n')}`);

  // Nu HTML Checker on every page seen, in one java run.
  const errors = vnuErrors(html);
  assert.equal(errors.length, 0, errors.join('\n'));
});
