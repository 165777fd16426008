/* import/page.c: `naba import page`, a saved article page parsed.
 *
 * A saved WordPress news page reads: maybe site name and menus, a section
 * line, the headline twice (page title, then heading), the body paragraphs,
 * then the comment form's strings and follow/share lines. imp_page_parse
 * finds that structure with the rules written above each step below;
 * page_save.c writes it into the store.
 *
 * Kept text (headline, section, paragraphs) is the line as written minus
 * the blanks at its ends: spaces, no-break spaces, bidi marks, zero-width
 * characters, a byte order mark. Nothing inside a line is changed.
 *
 * Lines are compared through a "key": marks, tatweel and bidi controls
 * dropped, alef/yeh/teh marbuta forms and digits unified, Latin lowercased,
 * punctuation turned into single spaces. Keys are only compared, never
 * stored. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "import/internal.h"

#define LINE_MAX_BYTES (64 * 1024)
#define SECTION_MAX_BYTES 60
#define SECTION_MAX_WORDS 5
/* What a page title may add after the headline: " - " and the site's name. */
#define SITE_NAME_MAX_BYTES 100
/* Comment-form strings and share lines are short; longer lines are body. */
#define MARKER_MAX_BYTES 1024
/* A line of more words that ends with a full stop is body, not header. */
#define BODY_MIN_WORDS 12
/* Lines looked at before the headline for its section. */
#define SECTION_LOOKBACK 4
/* Lines at the top searched for breadcrumbs when no line repeats. */
#define HEAD_LINES 10
#define SHARE_MAX_WORDS 30

/* ---- markers: the strings that end the body ---- */

enum {
  M_FORM,       /* a comment-form line: the whole line */
  M_FORM_START, /* a comment-form line: its first words */
  M_COUNT,      /* a comment count: the whole line */
  M_COUNT_WORD, /* a comment count: the word after the number ("3 تعليقات") */
  M_NET,        /* a word naming a network */
  M_NET_PART, /* a word containing this names a network ("وفيسبوك") */
  M_VERB,     /* first word of a follow/share line */
  M_FILLER,   /* other words a bare share row may hold */
};

/* Written as people write them; keyed once per parse. The Arabic strings
 * are those of WordPress's Arabic translation and of common themes. */
static const struct {
  unsigned char kind;
  const char *text;
} markers[] = {
    {M_FORM, "التعليق"},
    {M_FORM, "التعليقات مغلقة"},
    {M_FORM, "الاسم"},
    {M_FORM, "البريد الإلكتروني"},
    {M_FORM, "الموقع الإلكتروني"},
    {M_FORM, "الموقع"},
    {M_FORM, "إرسال التعليق"},
    {M_FORM, "أرسل التعليق"},
    {M_FORM, "إضافة تعليق"},
    {M_FORM, "إلغاء الرد"},
    {M_FORM, "مقالات ذات صلة"},
    {M_FORM, "أخبار ذات صلة"},
    {M_FORM, "مواضيع ذات صلة"},
    {M_FORM, "Leave a Reply"},
    {M_FORM, "Leave a Comment"},
    {M_FORM, "Cancel reply"},
    {M_FORM, "Post Comment"},
    {M_FORM, "Comment"},
    {M_FORM, "Name"},
    {M_FORM, "Email"},
    {M_FORM, "Website"},
    {M_FORM, "Comments are closed"},
    {M_FORM, "Related Posts"},
    {M_COUNT, "التعليقات"},
    {M_COUNT, "تعليق واحد"},
    {M_COUNT, "لا توجد تعليقات"},
    {M_COUNT, "لا تعليقات"},
    {M_COUNT, "Comments"},
    {M_COUNT, "No Comments"},
    {M_COUNT, "One Comment"},
    {M_COUNT_WORD, "تعليق"},
    {M_COUNT_WORD, "تعليقات"},
    {M_COUNT_WORD, "تعليقاً"},
    {M_COUNT_WORD, "Comment"},
    {M_COUNT_WORD, "Comments"},
    {M_FORM_START, "اترك تعليقاً"},
    {M_FORM_START, "اترك تعليق"},
    {M_FORM_START, "اترك رداً"},
    {M_FORM_START, "اترك رد"},
    {M_FORM_START, "أضف تعليقاً"},
    {M_FORM_START, "أضف تعليق"},
    {M_FORM_START, "أضف رداً"},
    {M_FORM_START, "لن يتم نشر عنوان بريدك الإلكتروني"},
    {M_FORM_START, "الحقول الإلزامية مشار إليها"},
    {M_FORM_START, "احفظ اسمي"},
    {M_FORM_START, "يجب أن تكون مسجل الدخول"},
    {M_FORM_START, "يجب أنت تكون مسجل الدخول"},
    {M_FORM_START, "يجب عليك تسجيل الدخول"},
    {M_FORM_START, "يستخدم هذا الموقع Akismet"},
    {M_FORM_START, "Your email address will not be published"},
    {M_FORM_START, "Required fields are marked"},
    {M_FORM_START, "Save my name, email"},
    {M_FORM_START, "You must be logged in"},
    {M_FORM_START, "Leave a Reply to"},
    {M_FORM_START, "This site uses Akismet"},
    {M_NET, "X"},
    {M_NET, "إكس"},
    {M_NET, "فيس"},
    {M_NET, "بوك"},
    {M_NET, "تيك"},
    {M_NET, "توك"},
    {M_NET, "Google"},
    {M_NET, "News"},
    {M_NET, "غوغل"},
    {M_NET, "جوجل"},
    {M_NET, "نيوز"},
    {M_NET, "RSS"},
    {M_NET_PART, "facebook"},
    {M_NET_PART, "twitter"},
    {M_NET_PART, "whatsapp"},
    {M_NET_PART, "telegram"},
    {M_NET_PART, "youtube"},
    {M_NET_PART, "instagram"},
    {M_NET_PART, "linkedin"},
    {M_NET_PART, "pinterest"},
    {M_NET_PART, "tiktok"},
    {M_NET_PART, "messenger"},
    {M_NET_PART, "snapchat"},
    {M_NET_PART, "فيسبوك"},
    {M_NET_PART, "فايسبوك"},
    {M_NET_PART, "تويتر"},
    {M_NET_PART, "واتساب"},
    {M_NET_PART, "واتسآب"},
    {M_NET_PART, "تلغرام"},
    {M_NET_PART, "تليغرام"},
    {M_NET_PART, "تيليغرام"},
    {M_NET_PART, "تيلغرام"},
    {M_NET_PART, "تليجرام"},
    {M_NET_PART, "تلجرام"},
    {M_NET_PART, "يوتيوب"},
    {M_NET_PART, "إنستغرام"},
    {M_NET_PART, "إنستاغرام"},
    {M_NET_PART, "انستجرام"},
    {M_NET_PART, "انستقرام"},
    {M_NET_PART, "لينكد"},
    {M_NET_PART, "تيكتوك"},
    {M_NET_PART, "ماسنجر"},
    {M_NET_PART, "سناب"},
    {M_VERB, "تابع"},
    {M_VERB, "تابعنا"},
    {M_VERB, "تابعونا"},
    {M_VERB, "تابعوا"},
    {M_VERB, "شارك"},
    {M_VERB, "شاركها"},
    {M_VERB, "شاركوا"},
    {M_VERB, "انشر"},
    {M_VERB, "اشترك"},
    {M_VERB, "اشتركوا"},
    {M_VERB, "انضم"},
    {M_VERB, "انضموا"},
    {M_VERB, "Share"},
    {M_VERB, "Follow"},
    {M_VERB, "Subscribe"},
    {M_VERB, "Join"},
    {M_FILLER, "على"},
    {M_FILLER, "عبر"},
    {M_FILLER, "في"},
    {M_FILLER, "من"},
    {M_FILLER, "و"},
    {M_FILLER, "أو"},
    {M_FILLER, "المقال"},
    {M_FILLER, "الخبر"},
    {M_FILLER, "الموضوع"},
    {M_FILLER, "نسخ"},
    {M_FILLER, "الرابط"},
    {M_FILLER, "رابط"},
    {M_FILLER, "طباعة"},
    {M_FILLER, "البريد"},
    {M_FILLER, "الإلكتروني"},
    {M_FILLER, "صفحتنا"},
    {M_FILLER, "قناتنا"},
    {M_FILLER, "حسابنا"},
    {M_FILLER, "us"},
    {M_FILLER, "on"},
    {M_FILLER, "via"},
    {M_FILLER, "this"},
    {M_FILLER, "the"},
    {M_FILLER, "article"},
    {M_FILLER, "post"},
    {M_FILLER, "copy"},
    {M_FILLER, "link"},
    {M_FILLER, "email"},
    {M_FILLER, "print"},
};
#define NMARKERS (sizeof markers / sizeof markers[0])

/* ---- lines ---- */

typedef struct {
  uint32_t off, len; /* the line without surrounding blanks */
  uint32_t no;       /* line number in the file, from 1 */
} line_t;

typedef struct {
  const char *text;
  line_t *l;
  size_t m;                  /* non-blank lines */
  buf_t key;                 /* scratch: key of one line */
  buf_t mk;                  /* keys of markers[], NUL-separated */
  size_t mk_off[NMARKERS];   /* where each marker's key starts in mk */
  uint32_t mk_len[NMARKERS]; /* and its length */
} page_t;

int imp_failf(char *err, size_t errlen, int rc, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

/* Space, and the invisible characters saved pages carry at line ends (no-break
 * space, bidi marks and controls, zero-width characters, byte order mark). */
int imp_is_blank(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) ||
         c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202F) ||
         (c >= 0x205F && c <= 0x2069) || c == 0x3000 || c == 0xFEFF ||
         c == 0x061C;
}

/* Start of the code point that ends s[0..n), n > 0, s valid UTF-8. */
size_t imp_last_cp(const char *s, size_t n, uint32_t *c) {
  size_t p = n - 1;
  while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
    p--;
  size_t k = utf8_decode(s + p, n - p, c);
  assert(k == n - p);
  (void)k;
  return p;
}

/* Narrows s[*b..*e) to drop blanks at both ends. */
void imp_trim(const char *s, size_t *b, size_t *e) {
  uint32_t c;
  while (*b < *e) {
    size_t k = utf8_decode(s + *b, *e - *b, &c);
    if (k == 0 || !imp_is_blank(c))
      break;
    *b += k;
  }
  while (*e > *b) {
    size_t p = *b + imp_last_cp(s + *b, *e - *b, &c);
    if (!imp_is_blank(c))
      break;
    *e = p;
  }
}

/* ---- keys ---- */

static int key_dropped(uint32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 ||
         (c >= 0x06D6 && c <= 0x06ED) || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) ||
         c == 0x061C || c == 0xFEFF || c == 0xAD;
}

static int key_separator(uint32_t c) {
  if (c < 0x80)
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
             (c >= 'A' && c <= 'Z'));
  return (c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 ||
         imp_is_blank(c) || (c >= 0x2000 && c <= 0x206F) ||
         (c >= 0x2E00 && c <= 0x2E7F) || c == 0x060C || c == 0x060D ||
         c == 0x061B || c == 0x061E || c == 0x061F ||
         (c >= 0x066A && c <= 0x066D) || c == 0x06D4 || c == 0xFD3E ||
         c == 0xFD3F;
}

static uint32_t key_fold(uint32_t c) {
  if (c >= 'A' && c <= 'Z')
    return c + ('a' - 'A');
  if (c == 0x0622 || c == 0x0623 || c == 0x0625 || (c >= 0x0671 && c <= 0x0673))
    return 0x0627; /* alef with hamza or madda: alef */
  if (c == 0x0649 || c == 0x06CC)
    return 0x064A; /* alef maksura, Farsi yeh: yeh */
  if (c == 0x0629)
    return 0x0647; /* teh marbuta: heh */
  if (c == 0x06A9)
    return 0x0643; /* keheh: kaf */
  if (c >= 0x0660 && c <= 0x0669)
    return '0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9)
    return '0' + (c - 0x06F0);
  return c;
}

/* Writes the key of s[0..n) (valid UTF-8) into out: words joined by one
 * space. */
static void key_of(const char *s, size_t n, buf_t *out) {
  buf_reset(out);
  int sep = 0;
  for (size_t i = 0; i < n;) {
    uint32_t c;
    size_t k = utf8_decode(s + i, n - i, &c);
    if (k == 0) { /* cannot happen on validated text; never loop forever */
      c = 0xFFFD;
      k = 1;
    }
    i += k;
    if (key_dropped(c))
      continue;
    if (key_separator(c)) {
      sep = out->len > 0;
      continue;
    }
    if (sep)
      buf_putc(out, ' ');
    sep = 0;
    char e[4];
    buf_append(out, e, utf8_encode(key_fold(c), e));
  }
}

static size_t key_words(const char *k, size_t n) {
  size_t w = n > 0;
  for (size_t i = 0; i < n; i++)
    w += k[i] == ' ';
  return w;
}

static int key_has_digit(const char *k, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (k[i] >= '0' && k[i] <= '9')
      return 1;
  return 0;
}

static int markers_init(page_t *p) {
  for (size_t i = 0; i < NMARKERS; i++) {
    key_of(markers[i].text, strlen(markers[i].text), &p->key);
    p->mk_off[i] = p->mk.len;
    p->mk_len[i] = (uint32_t)p->key.len;
    buf_append(&p->mk, p->key.data, p->key.len);
    buf_putc(&p->mk, '\0');
  }
  return p->mk.oom || p->key.oom ? NB_ENOMEM : NB_OK;
}

static const char *marker(const page_t *p, size_t i, size_t *n) {
  *n = p->mk_len[i];
  return p->mk.data + p->mk_off[i];
}

/* 1 if word w[0..n) is a marker of this kind. */
static int word_is(const page_t *p, int kind, const char *w, size_t n) {
  for (size_t i = 0; i < NMARKERS; i++) {
    size_t mn;
    const char *m = marker(p, i, &mn);
    if (markers[i].kind == kind && mn == n && memcmp(m, w, n) == 0)
      return 1;
    if (markers[i].kind == M_NET_PART && kind == M_NET && mn <= n &&
        memmem(w, n, m, mn))
      return 1;
  }
  return 0;
}

/* ---- what a line looks like ---- */

static const char *ltext(const page_t *p, size_t i) {
  return p->text + p->l[i].off;
}

static const char *lkey(page_t *p, size_t i, size_t *n) {
  key_of(ltext(p, i), p->l[i].len, &p->key);
  *n = p->key.len;
  return p->key.len ? p->key.data : "";
}

static int same(const page_t *p, size_t i, size_t j) {
  return p->l[i].len == p->l[j].len &&
         memcmp(ltext(p, i), ltext(p, j), p->l[i].len) == 0;
}

/* Ends with a full stop (not ".." or "..."), a comma, colon or semicolon:
 * how a paragraph ends and a headline does not. */
int imp_ends_like_paragraph(const char *s, size_t n) {
  uint32_t c;
  if (n == 0)
    return 0;
  size_t at = imp_last_cp(s, n, &c);
  if (c == '.')
    return at == 0 || s[at - 1] != '.';
  return c == 0x06D4 || c == ':' || c == ',' || c == ';' || c == 0x060C ||
         c == 0x061B;
}

static int contains(const char *s, size_t n, const char *needle) {
  return memmem(s, n, needle, strlen(needle)) != NULL;
}

/* Breadcrumbs and menus: "الرئيسية » سياسة", "Home / Politics". A "»" that
 * closes a «quotation» is not one. */
static int is_navigation(const char *s, size_t n) {
  if (n > 300)
    return 0;
  return (contains(s, n, "»") && !contains(s, n, "«")) || contains(s, n, "›") ||
         contains(s, n, " > ") || contains(s, n, " / ") ||
         contains(s, n, " | ");
}

/* A comment count: "لا توجد تعليقات", "3 تعليقات". Themes print one beside the
 * headline too, so before the body it is passed over. */
static int is_count_key(const page_t *p, const char *k, size_t kn) {
  size_t d = 0;
  while (d < kn && k[d] >= '0' && k[d] <= '9')
    d++;
  if (d > 0 && d < kn && k[d] == ' ' &&
      word_is(p, M_COUNT_WORD, k + d + 1, kn - d - 1))
    return 1;
  for (size_t i = 0; i < NMARKERS; i++) {
    size_t mn;
    const char *m = marker(p, i, &mn);
    if (markers[i].kind == M_COUNT && kn == mn && memcmp(k, m, mn) == 0)
      return 1;
  }
  return 0;
}

/* A line of the comment form (or the comment count that heads it). */
static int is_form_key(const page_t *p, const char *k, size_t kn) {
  if (is_count_key(p, k, kn))
    return 1;
  for (size_t i = 0; i < NMARKERS; i++) {
    size_t mn;
    const char *m = marker(p, i, &mn);
    if (markers[i].kind == M_FORM && kn == mn && memcmp(k, m, mn) == 0)
      return 1;
    if (markers[i].kind == M_FORM_START && kn >= mn && memcmp(k, m, mn) == 0 &&
        (kn == mn || k[mn] == ' '))
      return 1;
  }
  return 0;
}

/* A follow or share line: a row of network names ("فيسبوك تويتر واتساب"), an
 * invitation that names one ("تابع آخر الأخبار من ... على WhatsApp"), or a
 * bare "شارك المقال". */
static int is_share_key(const page_t *p, const char *k, size_t kn) {
  size_t words = 0, nets = 0, others = 0;
  int verb_first = 0;
  for (size_t i = 0; i < kn;) {
    size_t j = i;
    while (j < kn && k[j] != ' ')
      j++;
    int net = word_is(p, M_NET, k + i, j - i);
    int verb = word_is(p, M_VERB, k + i, j - i);
    if (words++ == 0)
      verb_first = verb;
    if (net)
      nets++;
    else if (!verb && !word_is(p, M_FILLER, k + i, j - i))
      others++;
    i = j + 1;
  }
  return (nets > 0 && others == 0) ||
         (verb_first && nets > 0 && words <= SHARE_MAX_WORDS) ||
         (verb_first && words > 0 && words <= 3);
}

static int is_form_line(page_t *p, size_t i) {
  size_t kn;
  if (p->l[i].len > MARKER_MAX_BYTES)
    return 0;
  const char *k = lkey(p, i, &kn);
  return is_form_key(p, k, kn);
}

static int is_count_line(page_t *p, size_t i) {
  size_t kn;
  if (p->l[i].len > MARKER_MAX_BYTES)
    return 0;
  const char *k = lkey(p, i, &kn);
  return is_count_key(p, k, kn);
}

static int is_share_line(page_t *p, size_t i) {
  size_t kn;
  if (p->l[i].len > MARKER_MAX_BYTES ||
      imp_ends_like_paragraph(ltext(p, i), p->l[i].len))
    return 0;
  const char *k = lkey(p, i, &kn);
  return is_share_key(p, k, kn);
}

/* Clearly body text: too long for a headline, or a sentence of many words. */
static int is_body_like(page_t *p, size_t i) {
  size_t kn;
  if (p->l[i].len > IMP_TITLE_MAX)
    return 1;
  if (!imp_ends_like_paragraph(ltext(p, i), p->l[i].len))
    return 0;
  lkey(p, i, &kn);
  return key_words(p->key.data, kn) >= BODY_MIN_WORDS;
}

static int is_headline_like(page_t *p, size_t i) {
  size_t kn, n = p->l[i].len;
  const char *s = ltext(p, i);
  if (n > IMP_TITLE_MAX || imp_ends_like_paragraph(s, n) || is_navigation(s, n))
    return 0;
  const char *k = lkey(p, i, &kn);
  return kn > 0 && !is_form_key(p, k, kn) && !is_share_key(p, k, kn);
}

/* A section name: at most five words and 60 bytes, no digits (a date or a
 * time is not a section), not a menu, sentence or share line. */
static int is_section_text(const page_t *p, const char *s, size_t n,
                           buf_t *key) {
  if (n == 0 || n > SECTION_MAX_BYTES || imp_ends_like_paragraph(s, n) ||
      is_navigation(s, n))
    return 0;
  key_of(s, n, key);
  size_t w = key_words(key->data, key->len);
  return w >= 1 && w <= SECTION_MAX_WORDS &&
         !key_has_digit(key->data, key->len) &&
         !is_form_key(p, key->data, key->len) &&
         !is_share_key(p, key->data, key->len);
}

static size_t line_words(page_t *p, size_t i) {
  size_t kn;
  const char *k = lkey(p, i, &kn);
  return key_words(k, kn);
}

/* ---- the headline ---- */

/* Lines i and i+1 are the page title and the heading: the same text, or a
 * title that adds the site's name ("العنوان - الموقع"). *t is the line that
 * holds the headline alone. */
static int is_headline_pair(page_t *p, size_t i, size_t *t) {
  static const char *const seps[] = {" - ", " – ", " — ", " | ", " :: "};
  const line_t *a = &p->l[i], *b = &p->l[i + 1];
  size_t kn;
  if (b->len > IMP_TITLE_MAX)
    return 0;
  if (same(p, i, i + 1)) {
    *t = i + 1;
  } else if (a->len > b->len &&
             memcmp(ltext(p, i), ltext(p, i + 1), b->len) == 0) {
    const char *rest = ltext(p, i) + b->len;
    size_t rn = a->len - b->len, sl = 0;
    for (size_t k = 0; !sl && k < sizeof seps / sizeof seps[0]; k++)
      if (rn > strlen(seps[k]) && memcmp(rest, seps[k], strlen(seps[k])) == 0)
        sl = strlen(seps[k]);
    if (!sl || rn - sl > SITE_NAME_MAX_BYTES)
      return 0;
    *t = i + 1;
  } else {
    return 0;
  }
  lkey(p, *t, &kn);
  return kn > 0;
}

/* The headline is the first line given twice in a row (compared without
 * surrounding blanks), searched until the body clearly starts. If a longer
 * repeated line follows with only short lines between (a site name printed
 * twice, then the section, then the real headline twice), that one is the
 * headline. Sets *first to the first line of the repetition, *t to
 * the headline and *end to its last repetition. */
static int find_repeated(page_t *p, size_t *first, size_t *t, size_t *end) {
  size_t i, h = 0;
  for (i = 0; i + 1 < p->m; i++) {
    if (is_body_like(p, i))
      return 0;
    if (is_headline_pair(p, i, &h))
      break;
  }
  if (i + 1 >= p->m)
    return 0;
  for (;;) {
    size_t r = h, j;
    while (r + 1 < p->m && same(p, r + 1, h))
      r++;
    *first = i;
    *t = h;
    *end = r;
    size_t words = line_words(p, *t);
    for (j = r + 1; j + 1 < p->m; j++) {
      if (is_headline_pair(p, j, &h) && line_words(p, h) > words)
        break;
      if (p->l[j].len > SECTION_MAX_BYTES &&
          !is_navigation(ltext(p, j), p->l[j].len))
        return 1;
    }
    if (j + 1 >= p->m)
      return 1;
    i = j;
  }
}

/* s[0..n) is the headline, whole or cut short with "..." or "…" (as
 * breadcrumbs print it). */
static int is_title_text(const page_t *p, const char *s, size_t n, size_t t) {
  while (n > 0 &&
         (s[n - 1] == '.' || (n >= 3 && memcmp(s + n - 3, "…", 3) == 0)))
    n -= s[n - 1] == '.' ? 1 : 3;
  return n > 0 && n <= p->l[t].len && memcmp(s, ltext(p, t), n) == 0;
}

/* The section named by a breadcrumb: its last item that is a section name,
 * not the first item (home) and not the headline. */
static int breadcrumb_section(page_t *p, size_t i, size_t t, size_t *sb,
                              size_t *se) {
  static const char *const seps[] = {"»", "›", ">", "/", "|"};
  enum { MAX_ITEMS = 32 };
  const char *s = ltext(p, i);
  size_t n = p->l[i].len, nitems = 0, start = 0, ib[MAX_ITEMS], ie[MAX_ITEMS];
  for (size_t q = 0; q <= n && nitems < MAX_ITEMS;) {
    size_t sl = 0;
    for (size_t k = 0; q < n && !sl && k < sizeof seps / sizeof seps[0]; k++)
      if (n - q >= strlen(seps[k]) &&
          memcmp(s + q, seps[k], strlen(seps[k])) == 0)
        sl = strlen(seps[k]);
    if (q == n || sl) {
      ib[nitems] = start;
      ie[nitems++] = q;
      start = q + sl;
    }
    q += sl ? sl : 1;
  }
  for (size_t k = nitems; k-- > 1;) {
    size_t b = ib[k], e = ie[k];
    imp_trim(s, &b, &e);
    if (b == e || is_title_text(p, s + b, e - b, t))
      continue;
    if (is_section_text(p, s + b, e - b, &p->key)) {
      *sb = p->l[i].off + b;
      *se = p->l[i].off + e;
      return 1;
    }
  }
  return 0;
}

/* The section is the nearest line above the headline that is a section
 * name. Date and time lines between are passed over; a breadcrumb gives its
 * section item; anything else means the page names no section. Sets the
 * section's bytes text[*sb..*se) and its line *sk. */
static int find_section(page_t *p, size_t first, size_t t, size_t *sb,
                        size_t *se, size_t *sk) {
  for (size_t k = first, steps = 0; k-- > 0 && steps < SECTION_LOOKBACK;
       steps++) {
    const char *s = ltext(p, k);
    size_t n = p->l[k].len;
    *sk = k;
    if (is_section_text(p, s, n, &p->key)) {
      *sb = p->l[k].off;
      *se = p->l[k].off + n;
      return 1;
    }
    if (is_navigation(s, n))
      return breadcrumb_section(p, k, t, sb, se);
    key_of(s, n, &p->key);
    if (n > SECTION_MAX_BYTES || !key_has_digit(p->key.data, p->key.len))
      return 0;
  }
  return 0;
}

/* ---- parsing ---- */

static int split_lines(page_t *p, const char *text, size_t n, char *err,
                       size_t errlen) {
  size_t cap = 0, no = 0;
  for (size_t b = 0; b < n;) {
    const char *nl = memchr(text + b, '\n', n - b);
    size_t e = nl ? (size_t)(nl - text) : n, next = nl ? e + 1 : n;
    no++;
    size_t raw = e - b - (e > b && text[e - 1] == '\r');
    if (raw > LINE_MAX_BYTES)
      return imp_failf(err, errlen, NB_ETOOBIG,
                       "line %zu is longer than 64 KiB", no);
    imp_trim(text, &b, &e);
    if (e > b) {
      if (p->m == cap) {
        size_t nc = cap ? cap * 2 : 64;
        line_t *l = realloc(p->l, nc * sizeof *l);
        if (!l)
          return imp_failf(err, errlen, NB_ENOMEM, "out of memory");
        p->l = l;
        cap = nc;
      }
      p->l[p->m++] = (line_t){(uint32_t)b, (uint32_t)(e - b), (uint32_t)no};
    }
    b = next;
  }
  return NB_OK;
}

/* Control characters other than tab cannot be shown, and XML (feeds,
 * sitemaps) cannot carry them: kept text with one (s[0..n), from line i) is
 * refused. */
static int check_controls(const page_t *p, const char *s, size_t n, size_t i,
                          char *err, size_t errlen) {
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      return imp_failf(err, errlen, NB_EINVAL,
                       "control character 0x%02X on line %u", c, p->l[i].no);
  }
  return NB_OK;
}

/* Refuses what is not a saved page's text before looking at its lines:
 * too big, empty, binary, not UTF-8. */
static int check_file(const char *text, size_t n, char *err, size_t errlen) {
  size_t ctrl = 0;
  if (n > IMP_PAGE_MAX_SIZE)
    return imp_failf(err, errlen, NB_ETOOBIG,
                     "file is %zu bytes, over the limit of %d bytes", n,
                     IMP_PAGE_MAX_SIZE);
  if (n == 0)
    return imp_failf(err, errlen, NB_EINVAL, "empty file");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == 0)
      return imp_failf(err, errlen, NB_EINVAL, "binary file, not a saved page");
    ctrl += (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
  }
  if (ctrl > n / 8)
    return imp_failf(err, errlen, NB_EINVAL, "binary file, not a saved page");
  if (!utf8_valid(text, n)) {
    size_t i = 0;
    uint32_t c;
    for (size_t k; i < n && (k = utf8_decode(text + i, n - i, &c)) > 0;)
      i += k;
    return imp_failf(err, errlen, NB_EINVAL, "not UTF-8 at byte %zu", i);
  }
  return NB_OK;
}

/* Where the parts of a page are: the headline's line t (repeated up to
 * hend), the section text[sb..se) from line sk, the body lines [b, e). */
typedef struct {
  size_t t, hend, sb, se, sk, b, e;
  int has_section;
} layout;

/* Headline: repeated, else the first line after an optional section line
 * (after any breadcrumbs at the top). 0 when there is none. */
static int find_headline(page_t *p, layout *f) {
  size_t first = 0;
  if (find_repeated(p, &first, &f->t, &f->hend)) {
    f->has_section = find_section(p, first, f->t, &f->sb, &f->se, &f->sk);
    return 1;
  }
  size_t s = 0;
  for (size_t k = 0; k < p->m && k < HEAD_LINES && !is_body_like(p, k); k++)
    if (is_navigation(ltext(p, k), p->l[k].len))
      s = k + 1;
  if (s + 2 < p->m && is_section_text(p, ltext(p, s), p->l[s].len, &p->key) &&
      is_headline_like(p, s + 1) && line_words(p, s + 1) > line_words(p, s)) {
    f->has_section = 1;
    f->sb = p->l[s].off;
    f->se = f->sb + p->l[s].len;
    f->sk = s;
    f->t = s + 1;
  } else if (s < p->m && is_headline_like(p, s)) {
    f->t = s;
    f->has_section = find_section(p, s, f->t, &f->sb, &f->se, &f->sk);
  } else {
    return 0;
  }
  f->hend = f->t;
  while (f->hend + 1 < p->m && same(p, f->hend + 1, f->t))
    f->hend++;
  return 1;
}

/* Body: every line after the headline (and any comment count beside it)
 * up to the comment form; then follow/share lines (and lines of bare
 * punctuation) at its end go. */
static void find_body(page_t *p, layout *f) {
  size_t b = f->hend + 1, e;
  while (b < p->m && is_count_line(p, b))
    b++;
  e = b;
  while (e < p->m && !is_form_line(p, e))
    e++;
  while (e > b) {
    size_t kn;
    lkey(p, e - 1, &kn);
    if (kn > 0 && !is_share_line(p, e - 1))
      break;
    e--;
  }
  f->b = b;
  f->e = e;
}

/* Copies the kept text into a and out, refused if it has a control
 * character. */
static int keep(const page_t *p, const layout *f, arena_t *a, imp_page *out,
                char *err, size_t errlen) {
  const char *text = p->text;
  size_t t = f->t, b = f->b, e = f->e;
  int rc = check_controls(p, ltext(p, t), p->l[t].len, t, err, errlen);
  for (size_t i = b; rc == NB_OK && i < e; i++)
    rc = check_controls(p, ltext(p, i), p->l[i].len, i, err, errlen);
  if (rc == NB_OK && f->has_section)
    rc = check_controls(p, text + f->sb, f->se - f->sb, f->sk, err, errlen);
  if (rc != NB_OK)
    return rc;

  const char **paras = arena_alloc(a, (e - b) * sizeof *paras);
  const char *title = arena_strndup(a, ltext(p, t), p->l[t].len);
  const char *section =
      f->has_section ? arena_strndup(a, text + f->sb, f->se - f->sb) : NULL;
  if (!paras || !title || (f->has_section && !section))
    return imp_failf(err, errlen, NB_ENOMEM, "out of memory");
  for (size_t i = b; i < e; i++)
    if (!(paras[i - b] = arena_strndup(a, ltext(p, i), p->l[i].len)))
      return imp_failf(err, errlen, NB_ENOMEM, "out of memory");
  out->section = section;
  out->title = title;
  out->paragraphs = paras;
  out->nparagraphs = e - b;
  return NB_OK;
}

static int parse(page_t *p, const char *text, size_t n, arena_t *a,
                 imp_page *out, char *err, size_t errlen) {
  layout f = {0};
  int rc;
  if ((rc = check_file(text, n, err, errlen)) != NB_OK ||
      (rc = split_lines(p, text, n, err, errlen)) != NB_OK)
    return rc;
  if (p->m == 0)
    return imp_failf(err, errlen, NB_EINVAL, "empty file");
  if (markers_init(p) != NB_OK)
    return imp_failf(err, errlen, NB_ENOMEM, "out of memory");
  if (!find_headline(p, &f))
    return imp_failf(err, errlen, NB_EINVAL, "no headline found");
  find_body(p, &f);
  if (f.e == f.b)
    return imp_failf(err, errlen, NB_EINVAL,
                     "no body paragraphs after the headline");
  return keep(p, &f, a, out, err, errlen);
}

int imp_page_parse(const char *text, size_t n, arena_t *a, imp_page *out,
                   char *err, size_t errlen) {
  page_t p = {.text = text};
  assert(out && a && (text || n == 0));
  *out = (imp_page){0};
  int rc = parse(&p, text, n, a, out, err, errlen);
  free(p.l);
  buf_free(&p.key);
  buf_free(&p.mk);
  return rc;
}
