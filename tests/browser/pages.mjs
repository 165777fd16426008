// The pages that the HTML (html.test.mjs) and accessibility (a11y.test.mjs)
// checks look at, found on a running naba: the home page, the first section
// linked from it, the article at NABA_ARTICLE_PATH and a search for a word
// of that article's headline.
export const BASE = (process.env.NABA_URL || '').replace(/\/+$/, '');
export const ARTICLE = process.env.NABA_ARTICLE_PATH || '';
export const skip = !BASE || !ARTICLE ? 'NABA_URL and NABA_ARTICLE_PATH are not set' : false;

async function get(url) {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.text();
}

// Returns [{ name, url }] for the four pages.
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
  ];
}
