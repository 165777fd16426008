/* core.c: buffers, arenas, UTF-8, escaping, numbers, time, logging, files,
 * threads. */
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *nb_strerror(int rc) {
  switch (rc) {
  case NB_OK:
    return "ok";
  case NB_ENOMEM:
    return "out of memory";
  case NB_EINVAL:
    return "invalid input";
  case NB_ENOTFOUND:
    return "not found";
  case NB_EIO:
    return "input/output error";
  case NB_ETOOBIG:
    return "over a size limit";
  case NB_EEXIST:
    return "already exists";
  case NB_ERANGE:
    return "out of range";
  case NB_ECONFLICT:
    return "changed by someone else meanwhile";
  default:
    return "unknown error";
  }
}

/* Allocations that failed on this thread (see nb_alloc_failures). */
static _Thread_local unsigned long alloc_failures;

unsigned long nb_alloc_failures(void) {
  return alloc_failures;
}

/* ---- buf ---- */

void buf_free(buf_t *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void buf_reset(buf_t *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

int buf_reserve(buf_t *b, size_t extra) {
  if (b->oom)
    return NB_ENOMEM;
  if (extra >= SIZE_MAX / 2 - b->len) {
    alloc_failures++;
    b->oom = 1;
    return NB_ENOMEM;
  }
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return NB_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  char *p = nb_fault(NB_FAULT_ALLOC) ? NULL : realloc(b->data, cap);
  if (!p) {
    alloc_failures++;
    b->oom = 1;
    return NB_ENOMEM;
  }
  b->data = p;
  b->cap = cap;
  b->data[b->len] = '\0'; /* a fresh buffer is "" too */
  return NB_OK;
}

void buf_append(buf_t *b, const void *p, size_t n) {
  if (buf_reserve(b, n) != NB_OK)
    return;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s) {
  buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c) {
  buf_append(b, &c, 1);
}

void buf_vprintf(buf_t *b, const char *fmt, va_list ap) {
  /* Format straight into the spare room; only an output that does not fit
   * is formatted a second time, after growing. */
  if (buf_reserve(b, 128) != NB_OK)
    return;
  va_list ap2;
  va_copy(ap2, ap);
  size_t room = b->cap - b->len;
  int n = vsnprintf(b->data + b->len, room, fmt, ap2);
  va_end(ap2);
  if (n < 0) {
    b->data[b->len] = '\0';
    return;
  }
  if ((size_t)n >= room) {
    if (buf_reserve(b, (size_t)n) != NB_OK)
      return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  }
  b->len += (size_t)n;
}

void buf_printf(buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *buf_take(buf_t *b, size_t *len) {
  if (!b->data)
    buf_reserve(b, 0);
  char *p = b->oom ? NULL : b->data;
  if (len)
    *len = b->len;
  if (!p)
    free(b->data);
  memset(b, 0, sizeof *b);
  return p;
}

/* The replacement of each byte buf_html_escape changes; NULL for the rest.
 * A table, not a switch: this runs over every variable of every page. */
static const char *const html_rep[256] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",   ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;",
};

void buf_html_escape(buf_t *b, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = html_rep[(unsigned char)s[i]];
    if (!rep)
      continue;
    buf_append(b, s + start, i - start);
    buf_puts(b, rep);
    start = i + 1;
  }
  buf_append(b, s + start, n - start);
}

void buf_html_escape_z(buf_t *b, const char *s, size_t n) {
  const char *end = s + n;
  while (s < end) {
    size_t k = strcspn(s, "&<>\"'");
    if (k >= (size_t)(end - s)) {
      buf_append(b, s, (size_t)(end - s));
      return;
    }
    buf_append(b, s, k);
    s += k;
    const char *rep = html_rep[(unsigned char)*s];
    if (rep) /* else a NUL inside the text: kept, as buf_html_escape does */
      buf_puts(b, rep);
    else
      buf_append(b, s, 1);
    s++;
  }
}

/* Bytes buf_json_string must look at: the end, controls, '"', '\\', '<',
 * and 0xE2 (the lead byte of U+2028 and U+2029). */
static inline int json_special(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c == '<' || c == 0xE2;
}

void buf_json_string(buf_t *b, const char *s) {
  buf_putc(b, '"');
  size_t start = 0, i = 0;
  for (;; i++) {
    /* Most bytes need nothing: a tight loop skips them (the article body
     * is every uncached page's longest JSON string). */
    while (!json_special((unsigned char)s[i]))
      i++;
    if (!s[i])
      break;
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
    } else if (c < 0x20 || c == '<') {
      snprintf(esc, sizeof esc, "\\u%04x", c);
    } else if (c == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
               ((unsigned char)s[i + 2] == 0xA8 ||
                (unsigned char)s[i + 2] == 0xA9)) {
      /* U+2028, U+2029: line breaks to JavaScript, not to JSON. */
      snprintf(esc, sizeof esc, "\\u%04x",
               (unsigned)(0x2000 | ((unsigned char)s[i + 2] - 0x80)));
      buf_append(b, s + start, i - start);
      buf_puts(b, esc);
      i += 2;
      start = i + 1;
      continue;
    } else {
      continue;
    }
    buf_append(b, s + start, i - start);
    buf_puts(b, esc);
    start = i + 1;
  }
  buf_append(b, s + start, i - start);
  buf_putc(b, '"');
}

/* XML 1.0's Char production: what may appear in a document at all. */
static int xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Code points that must not reach a log line or a terminal as they are:
 * controls, and the bidirectional ones that reorder what follows. */
static int log_unsafe(uint32_t cp) {
  return cp < 0x20 || cp == '"' || cp == '\\' || (cp >= 0x7f && cp < 0xa0) ||
         cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void buf_log_escape(buf_t *b, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = utf8_decode(s + i, n - i, &cp);
    if (k == 0) /* not UTF-8: the byte itself */
      buf_printf(b, "\\x%02x", (unsigned char)s[i++]);
    else if (!log_unsafe(cp))
      buf_append(b, s + i, k);
    else if (cp < 0x80)
      buf_printf(b, "\\x%02x", (unsigned)cp);
    else
      buf_printf(b, "\\u{%04x}", (unsigned)cp);
    i += k;
  }
}

void buf_xml_escape(buf_t *b, const char *s, size_t n) {
  size_t i = 0, start = 0, k;
  uint32_t cp;

  while (i < n) {
    const char *rep = NULL;
    unsigned char ch = (unsigned char)s[i];
    if (ch >= 0x20 && ch < 0x80 && ch != '&' && ch != '<' && ch != '>' &&
        ch != '"' && ch != '\'') {
      i++;
      continue;
    }
    k = utf8_decode(s + i, n - i, &cp);
    if (k > 0 && xml_char(cp) && cp >= 0x80) {
      i += k;
      continue;
    }
    switch (ch) {
    case '&':
      rep = "&amp;";
      break;
    case '<':
      rep = "&lt;";
      break;
    case '>':
      rep = "&gt;";
      break;
    case '"':
      rep = "&quot;";
      break;
    case '\'':
      rep = "&apos;";
      break;
    }
    buf_append(b, s + start, i - start);
    if (rep)
      buf_puts(b, rep);
    else if (k > 0 && xml_char(cp))
      buf_append(b, s + i, k); /* tab, line feed, carriage return */
    i += k > 0 ? k : 1;        /* anything else is dropped */
    start = i;
  }
  buf_append(b, s + start, n - start);
}

void buf_url_encode(buf_t *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  if (n > SIZE_MAX / 4 || buf_reserve(b, 3 * n) != NB_OK)
    return;
  char *o = b->data + b->len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

/* ---- arena ---- */

struct arena_block {
  arena_block *next;
  size_t used, cap;
  max_align_t data[];
};

#define ARENA_BLOCK 8192

void *arena_alloc(arena_t *a, size_t n) {
  size_t align = sizeof(max_align_t);
  /* Near SIZE_MAX, rounding up or adding the block header would wrap to a
   * small size, and the caller would write past a small block. */
  if (n > SIZE_MAX - sizeof(arena_block) - align) {
    alloc_failures++;
    return NULL;
  }
  n = (n + align - 1) / align * align;
  if (n == 0)
    n = align;
  arena_block *h = a->head;
  if (!h || h->cap - h->used < n) {
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    arena_block *nb =
        nb_fault(NB_FAULT_ALLOC) ? NULL : malloc(sizeof *nb + cap);
    if (!nb) {
      alloc_failures++;
      return NULL;
    }
    nb->used = 0;
    nb->cap = cap;
    /* A big one-off allocation goes behind the current block so the
     * current block's free space stays usable. */
    if (h && cap > ARENA_BLOCK) {
      nb->next = h->next;
      h->next = nb;
    } else {
      nb->next = h;
      a->head = nb;
    }
    h = nb;
  }
  void *p = (char *)h->data + h->used;
  h->used += n;
  return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n) {
  char *p = n < SIZE_MAX ? arena_alloc(a, n + 1) : NULL;
  if (!p)
    return NULL;
  if (n) /* s may be a failed buffer's NULL data */
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_strdup(arena_t *a, const char *s) {
  return arena_strndup(a, s, strlen(s));
}

/* fmt's length without its "%s"es, or -1 when it has another conversion. */
static long only_strings(const char *fmt) {
  long n = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      n++;
      continue;
    }
    if (p[1] != 's')
      return -1;
    p++;
  }
  return n;
}

char *arena_printf(arena_t *a, const char *fmt, ...) {
  /* Most formats only join strings: vsnprintf takes a few thousand
   * instructions per call for that, and pages make dozens of calls. */
  long lit = only_strings(fmt);
  if (lit >= 0) {
    size_t n = (size_t)lit;
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++)
      if (*p == '%') {
        const char *s = va_arg(ap, const char *);
        n += strlen(s ? s : "(null)");
        p++;
      }
    va_end(ap);
    char *out = arena_alloc(a, n + 1), *o = out;
    if (!out)
      return NULL;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++)
      if (*p == '%') {
        const char *s = va_arg(ap, const char *);
        size_t k = strlen(s ? s : "(null)");
        memcpy(o, s ? s : "(null)", k);
        o += k;
        p++;
      } else {
        *o++ = *p;
      }
    va_end(ap);
    *o = '\0';
    return out;
  }
  /* One pass into a stack buffer for the usual short result. */
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  if ((size_t)n < sizeof small)
    return arena_strndup(a, small, (size_t)n);
  char *p = arena_alloc(a, (size_t)n + 1);
  if (!p)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void arena_free(arena_t *a) {
  arena_block *b = a->head;
  while (b) {
    arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

/* ---- UTF-8 ---- */

size_t utf8_decode(const char *str, size_t n, uint32_t *cp) {
  const unsigned char *s = (const unsigned char *)str;
  if (n == 0)
    return 0;
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

int utf8_valid(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if ((unsigned char)s[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = utf8_decode(s + i, n - i, &cp);
    if (k == 0)
      return 0;
    i += k;
  }
  return 1;
}

size_t utf8_encode(uint32_t cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t utf8_count(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      c++;
  return c;
}

/* ---- numbers ---- */

int nb_parse_i64(const char *s, size_t n, int64_t min, int64_t max,
                 int64_t *out) {
  size_t i = 0;
  int neg = 0;
  if (n > 0 && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == n)
    return NB_EINVAL;
  uint64_t v = 0;
  int big = 0; /* past INT64_MAX: out of range, but read on for a non-digit */
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return NB_EINVAL;
    if (v > ((uint64_t)INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
      big = 1;
    else
      v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (big)
    return NB_ERANGE;
  int64_t r = neg ? -(int64_t)v : (int64_t)v;
  if (r < min || r > max)
    return NB_ERANGE;
  *out = r;
  return NB_OK;
}

/* ---- time ---- */

int64_t nb_now(void) {
  return (int64_t)time(NULL);
}

int64_t nb_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void nb_time_iso(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int digits(const char *s, int n, int *v) {
  int r = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    r = r * 10 + (s[i] - '0');
  }
  *v = r;
  return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * civil algorithm), so parsing needs neither timegm nor TZ. */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil (same source): y, m 1-12, d 1-31. */
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The first and last second that have a four-digit year. */
#define HTTP_TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define HTTP_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

void nb_time_http(int64_t t, char out[32]) {
  static const char days[7][4] = {"Thu", "Fri", "Sat", "Sun",
                                  "Mon", "Tue", "Wed"}; /* from 1970-01-01 */
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  /* Not strftime, whose %a and %b follow the locale, and not gmtime, which
   * fails (leaving its struct unset) where time_t cannot hold t. */
  if (t < HTTP_TIME_MIN)
    t = HTTP_TIME_MIN;
  if (t > HTTP_TIME_MAX)
    t = HTTP_TIME_MAX;
  int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t sec = t - day * 86400;
  int y, m, d;
  civil_from_days(day, &y, &m, &d);
  int64_t wday = day % 7;
  /* Unsigned and bounded, so the compiler sees it all fits in 32 bytes. */
  snprintf(out, 32, "%s, %02u %s %04u %02u:%02u:%02u GMT",
           days[wday < 0 ? wday + 7 : wday], (unsigned)d % 32u, months[m - 1],
           (unsigned)y % 10000u, (unsigned)(sec / 3600) % 24u,
           (unsigned)(sec / 60) % 60u, (unsigned)sec % 60u);
}

int nb_time_parse(const char *s, int64_t *out) {
  size_t n = strlen(s);
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
      s[7] != '-' || !digits(s + 8, 2, &d))
    return NB_EINVAL;
  const char *p = s + 10;
  if (*p == 'T' || *p == ' ') {
    if (strlen(p) < 6 || !digits(p + 1, 2, &h) || p[3] != ':' ||
        !digits(p + 4, 2, &mi))
      return NB_EINVAL;
    p += 6;
    if (*p == ':') {
      if (!digits(p + 1, 2, &se))
        return NB_EINVAL;
      p += 3;
    }
  }
  int off = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
        !digits(p + 4, 2, &om) || oh > 14 || om > 59)
      return NB_EINVAL;
    off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    p += 6;
  }
  if (*p != '\0')
    return NB_EINVAL;
  static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
      (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59)
    return NB_EINVAL;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
  return NB_OK;
}

/* ---- logging ---- */

void nb_log(const char *level, const char *fmt, ...) {
  char ts[32];
  nb_time_iso(nb_now(), ts);
  buf_t b = {0};
  buf_printf(&b, "time=%s level=%s msg=\"", ts, level);
  /* Messages carry what came from outside (paths, names, file text): one
   * line each, nothing a terminal would act on. */
  buf_t msg = {0};
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&msg, fmt, ap);
  va_end(ap);
  buf_log_escape(&b, msg.data ? msg.data : "", msg.len);
  buf_free(&msg);
  buf_puts(&b, "\"\n");
  if (b.data)
    fwrite(b.data, 1, b.len, stderr);
  buf_free(&b);
}

/* ---- threads ---- */

int nb_one_thread(void) {
  /* Linux lists each thread of the process there, "." and ".." aside. */
  DIR *d = opendir("/proc/self/task");
  if (!d)
    return 1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n <= 1;
}

/* ---- files ---- */

int nb_read_file(const char *path, size_t max, char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NB_EIO;
  buf_t b = {0};
  char chunk[65536];
  size_t k;
  int rc = NB_OK;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + k > max) {
      rc = NB_ETOOBIG;
      break;
    }
    buf_append(&b, chunk, k);
  }
  if (rc == NB_OK && ferror(f))
    rc = NB_EIO;
  fclose(f);
  if (rc == NB_OK && buf_reserve(&b, 0) != NB_OK)
    rc = NB_ENOMEM;
  if (rc != NB_OK) {
    buf_free(&b);
    return rc;
  }
  *data = buf_take(&b, len);
  return *data ? NB_OK : NB_ENOMEM;
}
