// The pages that the HTML (html.test.mjs) and accessibility (a11y.test.mjs)
// checks look at, found on a running naba: the home page, the first section
// linked from it, the article at NABA_ARTICLE_PATH, a search for a word
// of that article's headline, when the footer has a menu of static pages
// the first page with children in it and its first child, and when a
// section of the header has subsections, its page and its first one.
import { requireEnv } from './env.mjs';

const [url, article] = requireEnv('NABA_URL', 'NABA_ARTICLE_PATH');
export const BASE = url.replace(/\/+$/, '');
export const ARTICLE = article;

async function get(url) {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

// The links of the <nav class="..."> named cls in html.
function navLinks(html, cls) {
  const nav = html.match(new RegExp(`<nav class="${cls}"[^]*?</nav>`));
  return nav ? [...nav[0].matchAll(/href="([^"]+)"/g)].map((m) => m[1]) : [];
}

// A static page with children, and its first child: [] when the site has
// none.
async function staticPages(home) {
  for (const url of navLinks(home, 'footer-pages')) {
    const children = navLinks(await get(BASE + url), 'page-children');
    if (children.length)
      return [
        { name: 'page', url: BASE + url },
        { name: 'child-page', url: BASE + children[0] },
      ];
  }
  return [];
}

// A section page that lists subsections, and its first subsection: []
// when no section of the header has any.
async function sectionsWithSubsections(home) {
  for (const url of navLinks(home, 'sections')) {
    if (url === '/') continue;
    const subs = navLinks(await get(BASE + url), 'subsections');
    if (subs.length)
      return [
        { name: 'parent-section', url: BASE + url },
        { name: 'subsection', url: BASE + subs[0] },
      ];
  }
  return [];
}

// Returns [{ name, url }] for the four pages, and the static ones.
export async function checkedPages() {
  const home = await get(BASE + '/');
  // A section page: one path segment, ending in "/" ("/" itself excluded).
  const section = home.match(/href="(\/[^"/?#]+\/)"/);
  if (!section) throw new Error('no section link on the home page');
  const article = await get(BASE + ARTICLE);
  const h1 = article.match(/<h1[^>]*>([^<]*)<\/h1>/);
  if (!h1) throw new Error('no <h1> on the article page');
  // The first word of the headline made only of Arabic letters, 4 or more.
  const word = h1[1].split(/\s+/).find((w) => /^[\u0621-\u064a]{4,}$/.test(w));
  if (!word) throw new Error(`no Arabic word in the headline "${h1[1]}"`);
  return [
    { name: 'home', url: BASE + '/' },
    { name: 'section', url: BASE + section[1] },
    { name: 'article', url: BASE + ARTICLE },
    { name: 'search', url: `${BASE}/search?q=${encodeURIComponent(word)}` },
    ...(await staticPages(home)),
    ...(await sectionsWithSubsections(home)),
  ];
}
