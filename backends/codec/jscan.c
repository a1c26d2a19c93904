/* jscan: see jscan.h. The scanners never read s[n] or beyond. */
#include "codec/jscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t
jscan_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
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
