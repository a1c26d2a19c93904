/* wtext: the one place that turns UTF-8 bytes into terminal columns. Everything the
 * widgets draw passes through here, so it is also where untrusted text (pod names, error
 * messages from servers) is made safe: invalid bytes and control characters become U+FFFD
 * or '?' and never reach the terminal as escape sequences. It deliberately does no
 * grapheme clustering beyond wcwidth()'s zero-width marks: that is all curses does too. */
#include "wtext.h"

#include <string.h>
#include <wchar.h>

#include "strbuf.h"

size_t
wtext_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0) {
        *cp = 0;
        return 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    size_t need;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = WTEXT_REPLACEMENT;
        return 1;
    }
    if (len < need) {
        *cp = WTEXT_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *cp = WTEXT_REPLACEMENT;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        *cp = WTEXT_REPLACEMENT;
        return 1;
    }
    *cp = v;
    return need;
}

uint32_t
wtext_shown(uint32_t cp, bool ascii)
{
    uint32_t bad = ascii ? '?' : WTEXT_REPLACEMENT;
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
        return bad;
    if (cp < 0x80)
        return cp;
    if (ascii)
        return '?';
    if (cp == WTEXT_REPLACEMENT)
        return cp;
    /* wcwidth() < 0: unassigned or not printable in this locale. */
    return wcwidth((wchar_t)cp) < 0 ? WTEXT_REPLACEMENT : cp;
}

int
wtext_cp_width(uint32_t cp, bool ascii)
{
    uint32_t sh = wtext_shown(cp, ascii);
    if (sh < 0x80)
        return 1;
    int w = wcwidth((wchar_t)sh);
    /* U+FFFD is 1 column; a non-UTF-8 locale may not know it. */
    return w < 0 ? 1 : w;
}

int
wtext_widthn(const char *s, size_t len, bool ascii)
{
    int w = 0;
    size_t i = 0;
    while (i < len) {
        /* Printable ASCII is one column in every mode, and most of what tables hold. */
        size_t st = i;
        while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
            i++;
        w += (int)(i - st);
        if (i == len)
            break;
        uint32_t cp;
        i += wtext_decode(s + i, len - i, &cp);
        w += wtext_cp_width(cp, ascii);
    }
    return w;
}

int
wtext_width(const char *s, bool ascii)
{
    return s ? wtext_widthn(s, strlen(s), ascii) : 0;
}

size_t
wtext_fit(const char *s, size_t len, int cols, bool ascii, int *used)
{
    int w = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = wtext_decode(s + i, len - i, &cp);
        int cw = wtext_cp_width(cp, ascii);
        if (w + cw > cols)
            break;
        w += cw;
        i += n;
    }
    if (used)
        *used = w;
    return i;
}

static void
append_utf8(struct strbuf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    }
    strbuf_appendn(out, b, n);
}

/* Append s[0..len) as shown in the mode. */
static void
append_shown(struct strbuf *out, const char *s, size_t len, bool ascii)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = wtext_decode(s + i, len - i, &cp);
        uint32_t sh = wtext_shown(cp, ascii);
        if (sh == cp && cp != WTEXT_REPLACEMENT)
            strbuf_appendn(out, s + i, n);
        else
            append_utf8(out, sh);
        i += n;
    }
}

static void
append_spaces(struct strbuf *out, int n)
{
    for (int i = 0; i < n; i++)
        strbuf_appendc(out, ' ');
}

int
wtext_trunc(struct strbuf *out, const char *s, int cols, bool ascii)
{
    if (cols <= 0)
        return 0;
    if (!s)
        s = "";
    size_t len = strlen(s);
    int used;
    size_t fit = wtext_fit(s, len, cols, ascii, &used);
    if (fit == len) {
        append_shown(out, s, len, ascii);
        return used;
    }
    /* Too wide: keep cols-1 columns and end with the ellipsis. */
    fit = wtext_fit(s, len, cols - 1, ascii, &used);
    append_shown(out, s, fit, ascii);
    strbuf_append(out, ascii ? "~" : "\u2026");
    return used + 1;
}

int
wtext_pad(struct strbuf *out, const char *s, int cols, enum wtext_align align, bool ascii)
{
    if (cols <= 0)
        return 0;
    int w = wtext_width(s, ascii);
    if (w >= cols) {
        /* The ellipsis may leave one column when a wide character straddles the edge. */
        append_spaces(out, cols - wtext_trunc(out, s, cols, ascii));
        return cols;
    }
    int pad = cols - w;
    int left = align == WTEXT_RIGHT ? pad : align == WTEXT_CENTER ? pad / 2 : 0;
    append_spaces(out, left);
    append_shown(out, s ? s : "", s ? strlen(s) : 0, ascii);
    append_spaces(out, pad - left);
    return cols;
}

/* Columns left in the window from x, so that nothing is ever written past the edge (a
 * wide character in the last column would wrap onto the next line). */
static int
clip_cols(WINDOW *w, int y, int x, int cols)
{
    if (!w || y < 0 || x < 0 || y >= getmaxy(w) || x >= getmaxx(w))
        return 0;
    int room = getmaxx(w) - x;
    return cols < room ? cols : room;
}

static void
put(WINDOW *w, int y, int x, const char *s, attr_t attr)
{
    attr_t old;
    short pair;
    wattr_get(w, &old, &pair, NULL);
    wattrset(w, attr);
    mvwaddstr(w, y, x, s);
    wattr_set(w, old, pair, NULL);
}

int
wtext_draw(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr, enum wtext_align align,
           bool ascii)
{
    cols = clip_cols(w, y, x, cols);
    if (cols <= 0)
        return 0;
    struct strbuf sb;
    strbuf_init(&sb);
    wtext_pad(&sb, s, cols, align, ascii);
    put(w, y, x, sb.s, attr);
    strbuf_fini(&sb);
    return cols;
}

int
wtext_printn(WINDOW *w, int y, int x, int cols, const char *s, size_t len, attr_t attr, bool ascii)
{
    cols = clip_cols(w, y, x, cols);
    if (cols <= 0 || !s)
        return 0;
    int used;
    size_t fit = wtext_fit(s, len, cols, ascii, &used);
    struct strbuf sb;
    strbuf_init(&sb);
    append_shown(&sb, s, fit, ascii);
    put(w, y, x, sb.s, attr);
    strbuf_fini(&sb);
    return used;
}

int
wtext_print(WINDOW *w, int y, int x, int cols, const char *s, attr_t attr, bool ascii)
{
    return s ? wtext_printn(w, y, x, cols, s, strlen(s), attr, ascii) : 0;
}

void
wtext_fill(WINDOW *w, int y, int x, int cols, attr_t attr)
{
    cols = clip_cols(w, y, x, cols);
    if (cols <= 0)
        return;
    attr_t old;
    short pair;
    wattr_get(w, &old, &pair, NULL);
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', cols);
    wattr_set(w, old, pair, NULL);
}

/* cell as one ncurses wide cell (no per-byte decoding by waddnstr, which is most of the
 * cost of drawing borders). false when it is not a single character. */
static bool
cell_char(const char *cell, attr_t attr, cchar_t *out)
{
    wchar_t wc[2] = {0, 0};
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(cell);
    size_t r = mbrtowc(&wc[0], cell, len, &st);
    if (r == 0 || r == (size_t)-1 || r == (size_t)-2 || r != len)
        return false;
    return setcchar(out, wc, attr & ~A_COLOR, (short)PAIR_NUMBER(attr), NULL) == OK;
}

void
wtext_hrepeat(WINDOW *w, int y, int x, int n, const char *cell, attr_t attr)
{
    n = clip_cols(w, y, x, n);
    if (n <= 0 || cell == NULL)
        return;
    cchar_t cc;
    if (cell_char(cell, attr, &cc)) {
        mvwhline_set(w, y, x, &cc, n);
        return;
    }
    for (int i = 0; i < n; i++)
        put(w, y, x + i, cell, attr);
}

void
wtext_vrepeat(WINDOW *w, int y, int x, int n, const char *cell, attr_t attr)
{
    if (!w || cell == NULL || x < 0 || x >= getmaxx(w) || y < 0)
        return;
    if (n > getmaxy(w) - y)
        n = getmaxy(w) - y;
    if (n <= 0)
        return;
    cchar_t cc;
    if (cell_char(cell, attr, &cc)) {
        mvwvline_set(w, y, x, &cc, n);
        return;
    }
    for (int j = 0; j < n; j++)
        put(w, y + j, x, cell, attr);
}

const char *
wtext_casestr(const char *hay, const char *needle)
{
    if (!hay || !needle || !*needle)
        return NULL;
    return strcasestr(hay, needle);
}

size_t
wtext_wrap(const char *s, size_t len, int cols, bool ascii, size_t *next)
{
    int col = 0;
    size_t i = 0, brk = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = wtext_decode(s + i, len - i, &cp);
        int cw = wtext_cp_width(cp, ascii);
        if (col + cw > cols && i > 0)
            break;
        col += cw;
        i += k;
        if (cp == ' ')
            brk = i;
    }
    if (i < len && brk > 0) {
        *next = brk;
        size_t n = brk;
        while (n > 0 && s[n - 1] == ' ')
            n--;
        return n;
    }
    *next = i;
    return i;
}

int
wtext_wrap_count(const char *s, int cols, bool ascii)
{
    if (!s || !*s)
        return 1;
    size_t len = strlen(s), p = 0;
    int n = 0;
    while (p < len) {
        size_t next;
        wtext_wrap(s + p, len - p, cols, ascii, &next);
        p += next;
        n++;
    }
    return n;
}
