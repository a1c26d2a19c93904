/* jscan: see jscan.h. The scanners never read s[n] or beyond. */
#include "codec/jscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t
jscan_ws(const char *s, size_t i, size_t n)
{
    /* Most calls find no white space, or the one space after a colon. */
    if (i >= n || !is_ws(s[i]))
        return i;
    if (++i >= n || !is_ws(s[i]))
        return i;
#ifdef __SSE2__
    /* An indented document (a snapshot) has a run of spaces after every line break. */
    while (n - i >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i w = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(' ')),
                                              _mm_cmpeq_epi8(a, _mm_set1_epi8('\n'))),
                                 _mm_or_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('\t')),
                                              _mm_cmpeq_epi8(a, _mm_set1_epi8('\r'))));
        unsigned other = (unsigned)_mm_movemask_epi8(w) ^ 0xffffu;
        if (other != 0)
            return i + (unsigned)__builtin_ctz(other);
        i += 16;
    }
#endif
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* Past the bytes from i on whose class in cls is 0 (at most up to n; i may be n + 1). */
static size_t
skip_plain(const unsigned char *cls, const char *s, size_t i, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    while (i + 4 <= n && (cls[u[i]] | cls[u[i + 1]] | cls[u[i + 2]] | cls[u[i + 3]]) == 0)
        i += 4;
    while (i < n && cls[u[i]] == 0)
        i++;
    return i;
}

/* Inside a string only the quote and the backslash matter. */
static const unsigned char quote_cls[256] = {['"'] = 1, ['\\'] = 1};

size_t
jscan_string(const char *s, size_t i, size_t n)
{
    for (i++; (i = skip_plain(quote_cls, s, i, n)) < n; i += 2)
        if (s[i] == '"')
            return i + 1;
    return 0; /* a backslash skips the byte after it (the loop's i += 2) */
}

/* The scanner's state inside a container: depth of brackets, inside a string, and the
 * byte before was a backslash escaping this one. */
struct skip_state {
    int depth;
    bool in_str, esc;
};

/* Byte by byte through s[i..end): the end of the container (the byte after the bracket that
 * brings the depth to 0), or 0 with the state carried to end. */
static size_t
skip_bytes(const char *s, size_t i, size_t end, struct skip_state *st)
{
    for (; i < end; i++) {
        char c = s[i];
        if (st->esc)
            st->esc = false;
        else if (st->in_str)
            st->in_str = c != '"', st->esc = c == '\\';
        else if (c == '"')
            st->in_str = true;
        else if (c == '{' || c == '[')
            st->depth++;
        else if ((c == '}' || c == ']') && --st->depth == 0)
            return i + 1;
    }
    return 0;
}

#ifdef __SSE2__
/* 32 bytes at p: bit k set where byte k equals c. */
static inline uint32_t
eq_mask(__m128i a, __m128i b, char c)
{
    __m128i v = _mm_set1_epi8(c);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, v)) |
           (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v)) << 16;
}
#endif

/* The end of the object or array at s[i], 0 if it does not end before n. 32 bytes at a time
 * where they hold no backslash: the quotes' prefix parity says which bytes are inside
 * strings, and only the brackets outside them are counted. A LIST page is cut with this on
 * the loop thread, every byte of it, so it is worth the trouble. */
static size_t
skip_container(const char *s, size_t i, size_t n)
{
    struct skip_state st = {0, false, false};
#ifdef __SSE2__
    const __m128i x20 = _mm_set1_epi8(0x20);
    for (; n - i >= 32; i += 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        uint32_t bs = eq_mask(a, b, '\\');
        if (bs != 0 || st.esc) {
            size_t e = skip_bytes(s, i, i + 32, &st);
            if (e != 0)
                return e;
            continue;
        }
        uint32_t q = eq_mask(a, b, '"');
        /* '{' and '[' differ only in bit 0x20, as do '}' and ']'. */
        __m128i la = _mm_or_si128(a, x20), lb = _mm_or_si128(b, x20);
        uint32_t op = eq_mask(la, lb, '{'), cl = eq_mask(la, lb, '}');
        uint32_t in = q; /* bit k: the parity of the quotes up to byte k */
        in ^= in << 1;
        in ^= in << 2;
        in ^= in << 4;
        in ^= in << 8;
        in ^= in << 16;
        if (st.in_str)
            in = ~in;
        st.in_str = in >> 31;
        for (uint32_t m = (op | cl) & ~in; m != 0; m &= m - 1) {
            unsigned k = (unsigned)__builtin_ctz(m);
            if (op >> k & 1)
                st.depth++;
            else if (--st.depth == 0)
                return i + k + 1;
        }
    }
#endif
    return skip_bytes(s, i, n, &st);
}

size_t
jscan_value(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    if (s[i] == '"')
        return jscan_string(s, i, n);
    if (s[i] == '{' || s[i] == '[')
        return skip_container(s, i, n);
    size_t st = i;
    while (i < n && !memchr(",}] \t\r\n", s[i], 7))
        i++;
    return i > st ? i : 0;
}

void
jscan_linecol(const char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (const char *p = s; (p = memchr(p, '\n', off - (size_t)(p - s))) != NULL; p++) {
        l++;
        bol = (size_t)(p - s) + 1;
    }
    *line = l;
    *col = (int)(off - bol) + 1;
}

/* ------------------------------------------------------------------ strict */

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The \uXXXX at s[i] == 'u': its value, -1 if not four hex digits before n. */
static long
hex4(const char *s, size_t i, size_t n)
{
    if (n - i < 5)
        return -1;
    long v = 0;
    for (size_t k = 1; k <= 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the UTF-8 sequence at s[i] (a byte >= 0x80), 0 if invalid: no overlong forms, no
 * surrogates, nothing above U+10FFFF (RFC 3629, as jansson's utf8_check_full). */
static size_t
utf8_seq(const unsigned char *s, size_t i, size_t n)
{
    unsigned c = s[i];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
            return 0;
    return len;
}

/* Bytes a string may hold as they are: printable ASCII but the quote and the backslash. */
/* clang-format off */
#define PLAIN_ROW(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char str_cls[256] = {
    PLAIN_ROW(1), PLAIN_ROW(1), /* control characters */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* the quote */
    PLAIN_ROW(0), PLAIN_ROW(0),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* the backslash */
    PLAIN_ROW(0), PLAIN_ROW(0),
    PLAIN_ROW(1), PLAIN_ROW(1), PLAIN_ROW(1), PLAIN_ROW(1), /* UTF-8 */
    PLAIN_ROW(1), PLAIN_ROW(1), PLAIN_ROW(1), PLAIN_ROW(1),
};
/* clang-format on */

size_t
jscan_plain_string(const char *s, size_t i, size_t n)
{
    i = skip_plain(str_cls, s, i + 1, n);
    return i < n && s[i] == '"' ? i + 1 : 0;
}

/* End of the string at s[i] == '"', 0 if malformed or holding \u0000. */
static size_t
strict_string(const char *s, size_t i, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (i++; (i = skip_plain(str_cls, s, i, n)) < n;) {
        unsigned c = u[i];
        if (c == '"')
            return i + 1;
        if (c >= 0x80) {
            size_t k = utf8_seq(u, i, n);
            if (k == 0)
                return 0;
            i += k;
        } else if (c != '\\' || ++i >= n) {
            return 0; /* a control character, or a backslash at the end */
        } else if (s[i] == 'u') {
            long v = hex4(s, i, n);
            if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
                return 0; /* \u0000 (jansson refuses it by default) or a lone low surrogate */
            i += 5;
            if (v >= 0xD800 && v <= 0xDBFF) { /* a high surrogate: its low one must follow */
                long lo = n - i >= 6 && s[i] == '\\' && s[i + 1] == 'u' ? hex4(s, i + 1, n) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return 0;
                i += 6;
            }
        } else {
            switch (s[i]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                i++;
                break;
            default:
                return 0;
            }
        }
    }
    return 0;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* End of the number at s[i], 0 if malformed or beyond the limits of jscan_strict. */
static size_t
strict_number(const char *s, size_t i, size_t n)
{
    if (s[i] == '-')
        i++;
    size_t d0 = i;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && is_digit(s[i]))
            i++;
    else
        return 0;
    size_t int_digits = i - d0;
    bool real = false;
    if (i < n && s[i] == '.') {
        real = true;
        size_t f0 = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == f0)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        real = true;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == e0 || i - e0 > 2)
            return 0; /* no exponent, or one whose size only jansson should judge */
    }
    /* jansson refuses integers beyond long long and reals that overflow a double: stay well
     * inside both (10^200 * 10^99 is far below DBL_MAX). */
    if (real ? int_digits > 200 : int_digits > 18)
        return 0;
    return i;
}

static bool
is_delim(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t
jscan_strict(const char *s, size_t i, size_t n, uint32_t *ends)
{
    uint64_t in_obj = 0; /* bit d: the container at depth d + 1 is an object */
    size_t open_at[JSCAN_STRICT_MAX_DEPTH];
    int depth = 0;
    size_t e;
    if (ends != NULL && n > UINT32_MAX)
        return 0;
value:
    i = jscan_ws(s, i, n);
    if (i >= n)
        return 0;
    switch (s[i]) {
    case '{':
    case '[':
        if (depth == JSCAN_STRICT_MAX_DEPTH)
            return 0;
        if (s[i] == '{')
            in_obj |= (uint64_t)1 << depth;
        else
            in_obj &= ~((uint64_t)1 << depth);
        open_at[depth++] = i;
        i = jscan_ws(s, i + 1, n);
        if (i < n && s[i] == (in_obj >> (depth - 1) & 1 ? '}' : ']'))
            goto close;
        if (in_obj >> (depth - 1) & 1)
            goto key;
        goto value;
    case '"':
        if ((e = strict_string(s, i, n)) == 0)
            return 0;
        if (ends != NULL)
            ends[i] = (uint32_t)e;
        i = e;
        goto after;
    case 't':
    case 'f':
    case 'n': {
        const char *w = s[i] == 't' ? "true" : s[i] == 'f' ? "false" : "null";
        size_t wl = strlen(w);
        if (n - i < wl || memcmp(s + i, w, wl) != 0)
            return 0;
        i += wl;
        if (i < n && !is_delim(s[i]))
            return 0;
        goto after;
    }
    default:
        if (s[i] != '-' && !is_digit(s[i]))
            return 0;
        if ((e = strict_number(s, i, n)) == 0 || (e < n && !is_delim(s[e])))
            return 0;
        i = e;
        goto after;
    }
after:
    if (depth == 0)
        return i;
    i = jscan_ws(s, i, n);
    if (i >= n)
        return 0;
    if (s[i] == ',') {
        i++;
        if (in_obj >> (depth - 1) & 1)
            goto key;
        goto value;
    }
    if (s[i] != (in_obj >> (depth - 1) & 1 ? '}' : ']'))
        return 0;
close: /* s[i] closes the container at depth */
    depth--;
    if (ends != NULL)
        ends[open_at[depth]] = (uint32_t)(i + 1);
    i++;
    goto after;
key:
    i = jscan_ws(s, i, n);
    if (i >= n || s[i] != '"' || (e = strict_string(s, i, n)) == 0)
        return 0;
    if (ends != NULL)
        ends[i] = (uint32_t)e;
    i = jscan_ws(s, e, n);
    if (i >= n || s[i] != ':')
        return 0;
    i++;
    goto value;
}

/* End of the value at s[v] of checked input: from ends when it knows it. */
static size_t
value_end(const char *s, size_t n, const uint32_t *ends, size_t v)
{
    if (ends != NULL && v < n && (s[v] == '"' || s[v] == '{' || s[v] == '['))
        return ends[v];
    return jscan_value(s, v, n);
}

bool
jscan_member(const char *s, size_t n, const uint32_t *ends, size_t *at, const char **k,
             size_t *klen, size_t *v, size_t *ve)
{
    size_t i = jscan_ws(s, *at, n);
    if (i >= n || s[i] == '}')
        return false;
    if (s[i] == '{' || s[i] == ',')
        i = jscan_ws(s, i + 1, n);
    if (i >= n || s[i] != '"')
        return false; /* "{}" */
    size_t ke = value_end(s, n, ends, i);
    *k = s + i + 1;
    *klen = ke - i - 2;
    i = jscan_ws(s, ke, n);
    *v = jscan_ws(s, i + 1, n); /* past the ':' */
    *ve = value_end(s, n, ends, *v);
    *at = *ve;
    return *ve != 0;
}

bool
jscan_elem(const char *s, size_t n, const uint32_t *ends, size_t *at, size_t *v, size_t *ve)
{
    size_t i = jscan_ws(s, *at, n);
    if (i >= n || s[i] == ']')
        return false;
    if (s[i] == '[' || s[i] == ',')
        i = jscan_ws(s, i + 1, n);
    if (i >= n || s[i] == ']')
        return false; /* "[]" */
    *v = i;
    *ve = value_end(s, n, ends, i);
    *at = *ve;
    return *ve != 0;
}
