// Browser test of the public pages in a real Chromium (Debian's, driven by
// playwright-core; no browser is ever downloaded).
//
//   NABA_URL=http://127.0.0.1:8080 NABA_ARTICLE_PATH=/politics/1-slug \
//   [NABA_FONTS=1] [NABA_SCREENSHOT_DIR=build/screenshots] \
//   node --test tests/browser/
//
// NABA_URL is the base URL of a running naba; NABA_ARTICLE_PATH the path of
// one article on it. NABA_FONTS=1 also checks that the web font loaded
// (only when `make fonts` has copied the font files into the theme).
// CHROMIUM overrides the browser path (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { requireEnv } from './env.mjs';
import { launchChromium } from './launch.mjs';

const [url, ARTICLE] = requireEnv('NABA_URL', 'NABA_ARTICLE_PATH');
const BASE = url.replace(/\/+$/, '');
const FONTS = process.env.NABA_FONTS === '1';
const SHOTS = process.env.NABA_SCREENSHOT_DIR || 'build/screenshots';

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
const DESKTOP = { viewport: { width: 1366, height: 900 } };

let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
});

// Opens url in a fresh context and collects console errors, page errors and
// failed requests (a CSP violation is reported as a console error).
async function open(device, url) {
  const context = await browser.newContext({ ...device, locale: 'ar-MA' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // The main document of a 404 page is itself a failed load; that one is
    // expected. Anything else (a sub-resource, a CSP refusal) is not.
    const where = msg.location().url || '';
    if (ignored(where)) return;
    if (/status of 404/.test(msg.text()) && where === page.url() && expect404(url)) return;
    problems.push(`console: ${msg.text()} (${where})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!ignored(req.url())) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.url() !== url && res.status() >= 400 && !ignored(res.url()))
      problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready.then(() => true));
  return { context, page, response, problems };
}

const expect404 = (url) => url.includes('/no-such-page-');

// Failed loads that are not the page's fault: Chromium asks for
// /favicon.ico on its own, and without NABA_FONTS the font files may not
// have been copied into the theme (`make fonts`).
function ignored(resource) {
  if (!resource) return false;
  const p = new URL(resource, BASE).pathname;
  return p === '/favicon.ico' || (!FONTS && /\.woff2?$/.test(p));
}

// Checks every page shares: an Arabic right-to-left document.
async function assertRtl(page) {
  const doc = await page.evaluate(() => ({
    dir: document.documentElement.dir,
    lang: document.documentElement.lang,
    direction: getComputedStyle(document.body).direction,
  }));
  assert.equal(doc.dir, 'rtl', 'html dir');
  assert.equal(doc.lang, 'ar', 'html lang');
  assert.equal(doc.direction, 'rtl', 'computed direction of body');
}

async function assertNoHorizontalOverflow(page) {
  // Without a working viewport meta tag a phone lays the page out 980 px
  // wide and nothing would overflow: check the layout width first.
  const width = page.viewportSize().width;
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    bodyScroll: document.body.scrollWidth,
  }));
  assert.equal(m.client, width, 'layout viewport is the device width');
  assert.ok(
    m.scroll <= m.client + 1 && m.bodyScroll <= m.client + 1,
    `page is wider than the screen: scrollWidth ${m.scroll}/${m.bodyScroll} > clientWidth ${m.client}`,
  );
}

async function assertFontLoaded(page) {
  const f = await page.evaluate(async () => {
    await document.fonts.ready;
    // Ask for the Arabic subset explicitly so the unicode-range face loads.
    let error = '';
    try {
      await document.fonts.load('16px "Noto Naskh Arabic"', 'نبأ');
    } catch (e) {
      error = String(e);
    }
    const faces = [...document.fonts].filter(
      (ff) => ff.family.replace(/["']/g, '') === 'Noto Naskh Arabic',
    );
    return {
      check: document.fonts.check('16px "Noto Naskh Arabic"', 'نبأ'),
      loaded: faces.filter((ff) => ff.status === 'loaded').length,
      faces: faces.length,
      error,
    };
  });
  assert.ok(f.faces > 0, 'no @font-face for "Noto Naskh Arabic" in the stylesheet');
  assert.ok(f.check && f.loaded > 0, `web font not loaded: ${JSON.stringify(f)}`);
}

async function checkArticle(device, name) {
  const url = BASE + ARTICLE;
  const { context, page, response, problems } = await open(device, url);
  try {
    assert.equal(response.status(), 200, `GET ${ARTICLE}`);
    await assertRtl(page);

    assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
    const h1 = page.locator('h1');
    assert.ok(await h1.isVisible(), 'h1 is visible');
    const h1Dir = await h1.evaluate((el) => getComputedStyle(el).direction);
    assert.equal(h1Dir, 'rtl', 'h1 direction');
    const headline = (await h1.innerText()).trim();
    assert.ok(headline.length > 0, 'h1 has text');
    const title = await page.title();
    assert.ok(title.startsWith(headline), `<title> "${title}" starts with the headline`);

    const paragraphs = await page.locator('.body p').count();
    assert.ok(paragraphs >= 3, `body has ${paragraphs} paragraphs, want >= 3`);

    const time = page.locator('.article-head time').first();
    assert.match((await time.getAttribute('datetime')) || '', /^\d{4}-\d{2}-\d{2}/, 'time datetime');

    const canonical = await page.locator('link[rel="canonical"]').getAttribute('href');
    assert.ok(canonical && /^https?:\/\//.test(canonical), 'canonical link');
    const ld = await page.locator('script[type="application/ld+json"]').textContent();
    assert.doesNotThrow(() => JSON.parse(ld), 'JSON-LD parses');

    if (device === PHONE) await assertNoHorizontalOverflow(page);
    if (FONTS) await assertFontLoaded(page);

    await page.screenshot({ path: path.join(SHOTS, `article-${name}.png`), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await context.close();
  }
}

test('article page on a phone', () => checkArticle(PHONE, 'phone'));

test('article page on a desktop', () => checkArticle(DESKTOP, 'desktop'));

test('home page', async () => {
  const { context, page, response, problems } = await open(PHONE, BASE + '/');
  try {
    assert.equal(response.status(), 200);
    await assertRtl(page);
    assert.equal(await page.locator('h1').count(), 1, 'exactly one h1');
    await assertNoHorizontalOverflow(page);
    await page.screenshot({ path: path.join(SHOTS, 'home-phone.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await context.close();
  }
});

test('not-found page', async () => {
  const url = `${BASE}/no-such-page-${Date.now()}`;
  const { context, page, response, problems } = await open(PHONE, url);
  try {
    assert.equal(response.status(), 404);
    await assertRtl(page);
    assert.ok(await page.locator('h1').isVisible(), 'h1 is visible');
    assert.ok((await page.locator('main a[href="/"]').count()) > 0, 'a link home');
    await assertNoHorizontalOverflow(page);
    await page.screenshot({ path: path.join(SHOTS, 'not-found-phone.png'), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
  } finally {
    await context.close();
  }
});
