/* core: the bottom layer every other module uses.
 *
 * Growable byte buffers, a per-request arena, UTF-8 checks, escaping for HTML,
 * URLs and JSON-in-HTML, bounded number parsing, time helpers and logging.
 * Nothing here knows about HTTP, SQL or Arabic. */
#ifndef NABA_CORE_H
#define NABA_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes shared by every module: 0 is success, errors are negative. */
enum {
  NB_OK = 0,
  NB_ENOMEM = -1, /* out of memory */
  NB_EINVAL = -2, /* input refused: malformed or out of range */
  NB_ENOTFOUND = -3,
  NB_EIO = -4,     /* file or database I/O failed */
  NB_ETOOBIG = -5, /* input over a limit */
  NB_EEXIST = -6,
  NB_ERANGE = -7,    /* a well-formed number outside the range asked for */
  NB_ECONFLICT = -8, /* changed by someone else since it was read */
};
const char *nb_strerror(int rc);

/* ---- buf: a growable byte buffer, always NUL-terminated ----
 * A zeroed struct is an empty buffer. On allocation failure the buffer
 * remembers it (oom = 1) and further appends are ignored, so callers can
 * append many times and check once. The caller owns `data`: free with
 * buf_free(), or take it with buf_take() (then free() it yourself). */
typedef struct {
  char *data;
  size_t len;
  size_t cap;
  int oom;
} buf_t;

void buf_free(buf_t *b);
void buf_reset(buf_t *b); /* len = 0, keeps memory */
int buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf_t *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the data (NUL-terminated, caller frees) and empties the buffer. */
char *buf_take(buf_t *b, size_t *len);

/* Escaping appenders. html: & < > " ' escaped; url: percent-encodes every
 * byte outside RFC 3986 unreserved (so Arabic slugs become %D8%..). */
void buf_html_escape(buf_t *b, const char *s, size_t n);
/* The same for text with a NUL at s[n] (a C or jansson string): scanned
 * with strcspn, several times faster on long text. */
void buf_html_escape_z(buf_t *b, const char *s, size_t n);
/* xml: & < > " ' escaped, and what XML 1.0 forbids (control characters
 * but tab and line breaks, U+FFFE, U+FFFF, invalid UTF-8) dropped, so the
 * text can go into any element or attribute of an XML document. */
void buf_xml_escape(buf_t *b, const char *s, size_t n);
/* log: text from outside (a client's method or path, a reader's name)
 * made safe for one log line or a terminal: control characters (C0, DEL,
 * C1), the bidirectional controls that reorder a line (U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069), '"' and '\' become \xNN or \u{NNNN};
 * bytes that are not UTF-8 become \xNN. Arabic and other text is kept. */
void buf_log_escape(buf_t *b, const char *s, size_t n);
void buf_url_encode(buf_t *b, const char *s, size_t n);
/* json: a JSON string literal, quotes included, for UTF-8 text: '"', '\\'
 * and control characters escaped, and '<', U+2028 and U+2029 as \uNNNN so
 * the literal is also safe inside an HTML <script> element. */
void buf_json_string(buf_t *b, const char *s);

/* Appends a reader's plain text as HTML: everything escaped, line breaks
 * kept as <br>, blank lines starting a new paragraph (the caller wraps
 * the whole in <p>…</p>), and http:// or https:// URLs turned into
 * <a href="…" rel="nofollow ugc">…</a>. No HTML from the text survives.
 * Returns how many links it made. */
size_t buf_text_html(buf_t *b, const char *s, size_t n);
/* How many links buf_text_html would make of s (for the link limit). */
size_t text_count_links(const char *s, size_t n);

/* ---- URLs from outside: one rule where they are stored and shown ----
 * 1 when s[0..n) may be stored or shown as a link or image: http:// or
 * https:// (any case) followed by a host, or a reference on this site
 * ("/path" but not "//host", "?query", "#fragment"). Refused: every
 * other scheme (javascript:, data:, vbscript:, "JaVaScRiPt:"), relative
 * paths without a leading "/" (an entity or percent-escape could hide a
 * scheme there), protocol-relative "//host", and anything with a space,
 * a control character (C0, DEL, C1: "java\tscript:", leading ones), a
 * backslash, bytes that are not UTF-8, or over NB_URL_MAX bytes. */
#define NB_URL_MAX 4096
int nb_url_allowed(const char *s, size_t n);
/* s when nb_url_allowed() (NUL-terminated), else "" (never NULL): for
 * printing a URL read from the database. */
const char *nb_url_or_empty(const char *s);

/* ---- arena: request-scoped memory, freed all at once ---- */
typedef struct arena_block arena_block;
typedef struct {
  arena_block *head;
} arena_t;

/* Aligned for any type; NULL when out of memory or n is too big to round
 * up (never a wrapped, smaller block). */
void *arena_alloc(arena_t *a, size_t n);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_strdup(arena_t *a, const char *s);
char *arena_printf(arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_free(arena_t *a); /* frees every block */
/* How many buffer and arena allocations failed on this thread so far. A
 * caller whose callees cannot all report a failure where it happens
 * (jansson's values, a buffer's oom flag) compares it before and after:
 * a page built across a failure has a hole. */
unsigned long nb_alloc_failures(void);

/* ---- UTF-8 ---- */
/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 */
int utf8_valid(const char *s, size_t n);
/* Decodes one code point at s (n bytes available); returns its length in
 * bytes, or 0 on malformed input or n == 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes room); returns the length. */
size_t utf8_encode(uint32_t cp, char out[4]);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_count(const char *s, size_t n);

/* ---- numbers ---- */
/* strtonum-style: parses a whole decimal string into [min, max]. Returns
 * NB_EINVAL when s is not a decimal number (empty, other characters),
 * NB_ERANGE when it is one outside [min, max] (however many digits). */
int nb_parse_i64(const char *s, size_t n, int64_t min, int64_t max,
                 int64_t *out);

/* ---- time ---- */
int64_t nb_now(void);    /* Unix seconds, UTC */
int64_t nb_now_us(void); /* monotonic microseconds */
/* ISO 8601 UTC: "2021-11-24T08:00:00Z" into out (>= 21 bytes). */
void nb_time_iso(int64_t t, char out[32]);
/* The one RFC 822 date of naba, as RFC 7231 wants it in HTTP headers and
 * RSS and WordPress exports accept it: "Wed, 24 Nov 2021 08:00:00 GMT"
 * (>= 30 bytes). The same in every locale; times before year 1 or after
 * 9999 are clamped to those years. */
void nb_time_http(int64_t t, char out[32]);
/* Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" with optional "Z" or
 * "+HH:MM"/"-HH:MM" (no suffix = UTC). */
int nb_time_parse(const char *s, int64_t *out);

/* ---- logging to stderr: "level=warn msg=..." ---- */
void nb_log(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- interface text: GNU gettext, a language per thread ----
 * Text readers or editors see is written in English in the C source and
 * marked: _("Server error") where it is used, N_("...") where it must stay
 * a constant (a static table), with _() applied where the entry is shown.
 * The translations are po/<lang>.po (po/README.md); Arabic is complete.
 * Each thread starts in NB_LANG_DEFAULT, whatever the process's locale. */
#define NB_LANG_DEFAULT "ar"

/* Once, in main() before any thread starts (it sets $LANGUAGE, see
 * i18n.c; debug builds assert no other thread runs). localedir holds
 * <lang>/LC_MESSAGES/naba-<lang>.mo: the build's po/ folder or the installed
 * localedir; absolute. NB_ENOTFOUND when a language's catalog is missing (its
 * text then shows as the English msgid), NB_ENOMEM. */
int nb_i18n_init(const char *localedir);
/* This thread's language from now on: a code of po/LINGUAS ("ar", "en").
 * NB_EINVAL for any other, and the thread keeps its language. */
int nb_lang_set(const char *lang);
const char *nb_lang(void);     /* this thread's code, e.g. "ar" */
const char *nb_lang_dir(void); /* "rtl" or "ltr", for <html dir> */
/* The translation of msgid in this thread's language, or msgid itself
 * when there is none (or before nb_i18n_init). Never NULL; the text lives
 * as long as the process. Thread-safe. */
const char *nb_gettext(const char *msgid) __attribute__((format_arg(1)));
/* The same for text with a number in it: the form for n in this language
 * (Arabic has six). */
const char *nb_ngettext(const char *msgid, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
#define _(msgid) nb_gettext(msgid)
#define N_(msgid) msgid

/* ---- files ---- */
/* A file embedded in the binary by tools/embed.py (migrations, demo
 * articles); data is NUL-terminated. */
struct nb_embed {
  const char *name;
  const char *data;
  size_t len;
};

/* ---- threading rules ----
 * A contract that says "before any thread starts" is asserted with
 * assert(nb_one_thread()), in debug builds only (release builds define
 * NDEBUG). 1 while no other thread of the process runs, or when that
 * cannot be told (no /proc/self/task); else 0. */
int nb_one_thread(void);

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated
 * buffer the caller frees. Returns NB_ETOOBIG, NB_EIO or NB_OK. */
int nb_read_file(const char *path, size_t max, char **data, size_t *len);

/* ---- fault injection (see fault.c) ----
 * A failure point calls nb_fault(kind) and fails as if the resource ran
 * out when it returns 1. Points are compiled only with -Dfault=true. */
enum { NB_FAULT_ALLOC, NB_FAULT_STORE, NB_FAULT_FSYNC, NB_FAULT_KINDS };
#ifdef NABA_FAULT
int nb_fault(int kind);
#else
#define nb_fault(kind) ((void)(kind), 0)
#endif
/* "alloc:12", "store:3", "fsync:1": the kind and N. */
int nb_fault_parse(const char *spec, int *kind, long *nth);
/* This thread's Nth point of kind from now fails (once); disarm reports
 * how many points of that kind were passed and whether the Nth was. */
void nb_fault_arm(int kind, long nth);
void nb_fault_disarm(long *calls, int *hit);
/* Arms the whole process from NABA_FAULT ("store:3"), for a command; at
 * exit "fault=KIND nth=N calls=C hit=0|1" goes to stderr. NB_EINVAL when
 * the variable is malformed. */
int nb_fault_from_env(void);

#endif
