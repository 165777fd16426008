// Accessibility of the pages of pages.mjs on a running naba (home, a
// section, an article, a search, static pages) in a real Chromium,
// checked by axe-core (@axe-core/playwright) against WCAG 2.0 and 2.1,
// levels A and AA.
//
//   NABA_URL=http://127.0.0.1:8080 NABA_ARTICLE_PATH=/politics/1-slug \
//   node --test tests/browser/a11y.test.mjs
//
// Each page is checked on a phone and on a desktop screen (the layouts,
// and so the colours and sizes axe sees, differ). CHROMIUM overrides the
// browser path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { launchChromium } from './launch.mjs';
import { checkedPages } from './pages.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const DEVICES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1366, height: 900 } },
};

let browser;
let pages = [];

before(async () => {
  browser = await launchChromium();
  pages = await checkedPages();
});

after(async () => {
  if (browser) await browser.close();
});

function describe(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

for (const [device, options] of Object.entries(DEVICES)) {
  test(`pages pass axe (WCAG 2.1 A and AA) on a ${device}`, { timeout: 120_000 }, async () => {
    const failures = [];
    for (const p of pages) {
      const context = await browser.newContext({ ...options, locale: 'ar-MA' });
      try {
        const page = await context.newPage();
        const response = await page.goto(p.url, { waitUntil: 'load' });
        assert.equal(response.status(), 200, `GET ${p.url}`);
        await page.evaluate(() => document.fonts.ready.then(() => true));
        const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
        assert.ok(result.passes.length > 0, `axe checked nothing on ${p.url}`);
        if (result.violations.length)
          failures.push(`${p.name} (${decodeURI(p.url)}):\n${describe(result.violations)}`);
      } finally {
        await context.close();
      }
    }
    assert.equal(failures.length, 0, `axe violations:\n${failures.join('\n\n')}`);
  });
}
