// The newsroom's article editor (themes/admin/editor/editor.src.mjs) in a
// real Chromium: a new author logs in, opens a new article, types an
// Arabic sentence with a Latin word and digits into the rich-text editor;
// the form's hidden textarea holds the editor's HTML, right-to-left per
// paragraph and with plain spaces; a paragraph switched to left-to-right
// says so; the page passes axe (WCAG 2.1 A and AA) with the editor
// mounted, and the Content-Security-Policy refuses nothing of it.
// Needs the editor built (make editor) and the article form
// (src/admin/editor.c).
//
//   NABA_URL=... NABA_BIN=build/naba NABA_DB=/tmp/x/naba.db \
//   node --test tests/browser/editor.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium } from './launch.mjs';
import { requireEnv } from './env.mjs';

const [url, bin, db] = requireEnv('NABA_URL', 'NABA_BIN', 'NABA_DB');
const BASE = url.replace(/\/+$/, '');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const NEW_PASSWORD = 'صباح الخير يا رباط 2026';
const SENTENCE = 'أعلنت Apple اليوم 2026 عن';

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

// Until src/admin/editor.c serves the article form these tests say so and
// skip; once it does, they must pass.
const NO_FORM = 'the article form (src/admin/editor.c) is not served yet';

test('Arabic typed into the editor reaches the form as right-to-left paragraphs', async (t) => {
  const context = await browser.newContext();
  const page = await context.newPage();
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
  if (form.status() === 404) {
    script.catch(() => {}); // no editor page, no script to wait for
    t.skip(NO_FORM);
    await context.close();
    return;
  }
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

  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  assert.ok(result.passes.length > 0, 'axe checked nothing');
  assert.deepEqual(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    'axe on the editor',
  );
  assert.deepEqual(refused, [], 'the page ran without errors or refusals');
  await context.close();
});

test('without JavaScript the same form is a textarea', async (t) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await login(page, 'editor-nojs');
  const form = await page.goto(`${BASE}/admin/articles/new`);
  if (form.status() === 404) {
    t.skip(NO_FORM);
    await context.close();
    return;
  }
  assert.ok(await page.locator('#body').isVisible(), 'the textarea is there');
  assert.equal(await page.locator('.ProseMirror').count(), 0);
  await context.close();
});
