/* ledit: a one-line editor. The buffer is always valid UTF-8 (input is sanitised on the way
 * in), so moving by character is a walk over continuation bytes. It has no notion of a
 * prompt or of what Enter means: the command line and the dialogs decide that. Because it
 * edits passwords, every buffer it drops is zeroed first. */
#include "ledit.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "wkey.h"
#include "wtext.h"

#define LEDIT_HISTORY_MAX 100

struct ledit {
    char *buf; /* NUL-terminated, valid UTF-8 */
    size_t len, cap;
    size_t cur;       /* byte offset of the cursor */
    size_t n_chars;   /* characters in buf */
    size_t max_chars; /* 0: no limit */
    bool masked;
    size_t scroll; /* first byte shown */

    struct vec hist;  /* owned strings, oldest first */
    int hist_pos;     /* -1: not browsing */
    char *hist_saved; /* the line being edited before browsing (owned) */

    ledit_complete_cb *complete;
    void *complete_arg;
    struct vec cands; /* owned strings */
    bool completing;
    int comp_idx; /* -1: common prefix inserted, cycling not started */
    size_t comp_start;
};

static void
reserve(struct ledit *e, size_t need)
{
    if (need + 1 <= e->cap)
        return;
    size_t cap = e->cap ? e->cap : 32;
    while (cap < need + 1)
        cap *= 2;
    /* Not xrealloc: the old block may hold a password and must be zeroed before free. */
    char *nb = xmalloc(cap);
    memcpy(nb, e->buf, e->len + 1);
    explicit_bzero(e->buf, e->cap);
    free(e->buf);
    e->buf = nb;
    e->cap = cap;
}

static size_t
count_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            c++;
    return c;
}

struct ledit *
ledit_new(size_t max_chars)
{
    struct ledit *e = xcalloc(1, sizeof *e);
    e->cap = 32;
    e->buf = xcalloc(1, e->cap);
    e->max_chars = max_chars;
    e->hist_pos = -1;
    vec_init(&e->hist, free);
    vec_init(&e->cands, free);
    return e;
}

void
ledit_free(struct ledit *e)
{
    if (!e)
        return;
    explicit_bzero(e->buf, e->cap);
    free(e->buf);
    vec_fini(&e->hist);
    vec_fini(&e->cands);
    free(e->hist_saved);
    free(e);
}

static void
end_completion(struct ledit *e)
{
    e->completing = false;
    vec_clear(&e->cands);
}

/* Sanitise utf8 into dst (appended): invalid bytes become U+FFFD; tabs and newlines become
 * spaces; other control characters are dropped. At most max_add characters. */
static size_t
sanitise(const char *s, size_t n, char *dst, size_t max_add, size_t *chars)
{
    size_t o = 0, i = 0, c = 0;
    while (i < n && c < max_add) {
        uint32_t cp;
        size_t k = wtext_decode(s + i, n - i, &cp);
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            dst[o++] = ' ';
            c++;
        } else if (cp == WTEXT_REPLACEMENT && !(k == 3 && !memcmp(s + i, "\xef\xbf\xbd", 3))) {
            memcpy(dst + o, "\xef\xbf\xbd", 3);
            o += 3, c++;
        } else if (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
            memcpy(dst + o, s + i, k);
            o += k, c++;
        }
        i += k;
    }
    *chars = c;
    return o;
}

/* Replace bytes [a, b) with s[0..n) (sanitised, cut to the character limit). The cursor
 * goes to the end of the inserted text. */
static void
splice(struct ledit *e, size_t a, size_t b, const char *s, size_t n)
{
    size_t removed = count_chars(e->buf + a, b - a);
    size_t room = SIZE_MAX;
    if (e->max_chars) {
        size_t keep = e->n_chars - removed;
        room = e->max_chars > keep ? e->max_chars - keep : 0;
    }
    /* Worst case every input byte becomes a 3-byte U+FFFD. */
    char stackbuf[256];
    char *tmp = n * 3 + 1 <= sizeof stackbuf ? stackbuf : xmalloc(n * 3 + 1);
    size_t chars;
    size_t m = sanitise(s, n, tmp, room, &chars);
    reserve(e, e->len - (b - a) + m);
    memmove(e->buf + a + m, e->buf + b, e->len - b + 1);
    memcpy(e->buf + a, tmp, m);
    e->len = e->len - (b - a) + m;
    e->n_chars = e->n_chars - removed + chars;
    e->cur = a + m;
    explicit_bzero(tmp, m);
    if (tmp != stackbuf)
        free(tmp);
}

void
ledit_set_text(struct ledit *e, const char *text)
{
    end_completion(e);
    explicit_bzero(e->buf, e->cap);
    e->len = e->n_chars = e->cur = 0;
    e->scroll = 0;
    if (text)
        splice(e, 0, 0, text, strlen(text));
}

void
ledit_clear(struct ledit *e)
{
    ledit_set_text(e, NULL);
    e->hist_pos = -1;
}

const char *
ledit_text(const struct ledit *e)
{
    return e->buf;
}

size_t
ledit_len(const struct ledit *e)
{
    return e->len;
}

size_t
ledit_cursor(const struct ledit *e)
{
    return e->cur;
}

static size_t
prev_char(const struct ledit *e, size_t i)
{
    if (i == 0)
        return 0;
    i--;
    while (i > 0 && ((unsigned char)e->buf[i] & 0xc0) == 0x80)
        i--;
    return i;
}

static size_t
next_char(const struct ledit *e, size_t i)
{
    if (i >= e->len)
        return e->len;
    i++;
    while (i < e->len && ((unsigned char)e->buf[i] & 0xc0) == 0x80)
        i++;
    return i;
}

void
ledit_set_cursor(struct ledit *e, size_t byte)
{
    if (byte > e->len)
        byte = e->len;
    while (byte > 0 && byte < e->len && ((unsigned char)e->buf[byte] & 0xc0) == 0x80)
        byte--;
    e->cur = byte;
}

void
ledit_set_masked(struct ledit *e, bool masked)
{
    e->masked = masked;
}

bool
ledit_masked(const struct ledit *e)
{
    return e->masked;
}

void
ledit_set_completion(struct ledit *e, ledit_complete_cb *cb, void *arg)
{
    e->complete = cb;
    e->complete_arg = arg;
}

void
ledit_history_add(struct ledit *e, const char *line)
{
    if (e->masked || !line || !*line)
        return;
    if (e->hist.n > 0 && strcmp(e->hist.items[e->hist.n - 1], line) == 0)
        return;
    if (e->hist.n == LEDIT_HISTORY_MAX)
        vec_remove(&e->hist, 0);
    vec_push(&e->hist, xstrdup(line));
    e->hist_pos = -1;
}

void
ledit_insert(struct ledit *e, const char *utf8)
{
    end_completion(e);
    if (utf8)
        splice(e, e->cur, e->cur, utf8, strlen(utf8));
}

static void
history_move(struct ledit *e, int dir)
{
    int n = (int)e->hist.n;
    if (n == 0)
        return;
    if (dir < 0) {
        if (e->hist_pos == -1) {
            free(e->hist_saved);
            e->hist_saved = xstrdup(e->buf);
            e->hist_pos = n - 1;
        } else if (e->hist_pos > 0) {
            e->hist_pos--;
        } else {
            return;
        }
        int pos = e->hist_pos;
        ledit_set_text(e, e->hist.items[pos]);
        e->hist_pos = pos;
    } else {
        if (e->hist_pos == -1)
            return;
        int pos = e->hist_pos + 1;
        if (pos >= n) {
            char *saved = e->hist_saved;
            e->hist_saved = NULL;
            ledit_set_text(e, saved);
            free(saved);
            e->hist_pos = -1;
        } else {
            ledit_set_text(e, e->hist.items[pos]);
            e->hist_pos = pos;
        }
    }
}

static size_t
common_prefix(const struct vec *v)
{
    const char *first = v->items[0];
    size_t n = strlen(first);
    for (size_t i = 1; i < v->n; i++) {
        const char *s = v->items[i];
        size_t k = 0;
        while (k < n && s[k] == first[k])
            k++;
        n = k;
    }
    /* Never split a character. */
    while (n > 0 && ((unsigned char)first[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static void
complete(struct ledit *e, int dir)
{
    if (e->completing && e->cands.n > 1) {
        int n = (int)e->cands.n;
        e->comp_idx = e->comp_idx < 0 ? (dir > 0 ? 0 : n - 1) : (e->comp_idx + dir + n) % n;
        const char *c = e->cands.items[e->comp_idx];
        splice(e, e->comp_start, e->cur, c, strlen(c));
        return;
    }
    if (!e->complete || dir < 0)
        return;
    end_completion(e);
    size_t start = e->cur;
    e->complete(e->complete_arg, e->buf, e->cur, &start, &e->cands);
    if (start > e->cur)
        start = e->cur;
    if (e->cands.n == 0)
        return;
    if (e->cands.n == 1) {
        const char *c = e->cands.items[0];
        splice(e, start, e->cur, c, strlen(c));
        vec_clear(&e->cands);
        return;
    }
    size_t lcp = common_prefix(&e->cands);
    if (lcp > e->cur - start)
        splice(e, start, e->cur, e->cands.items[0], lcp);
    e->completing = true;
    e->comp_idx = -1;
    e->comp_start = start;
}

const struct vec *
ledit_candidates(const struct ledit *e, int *current)
{
    if (!e->completing)
        return NULL;
    if (current)
        *current = e->comp_idx;
    return &e->cands;
}

static void
delete_range(struct ledit *e, size_t a, size_t b)
{
    if (a < b) {
        splice(e, a, b, "", 0);
        e->cur = a;
    }
}

enum ledit_result
ledit_key(struct ledit *e, int key)
{
    if (key == WKEY_TAB || key == WKEY(KEY_BTAB)) {
        complete(e, key == WKEY_TAB ? 1 : -1);
        return LEDIT_HANDLED;
    }
    end_completion(e);
    if (wkey_is_enter(key))
        return LEDIT_SUBMIT;
    if (key == WKEY_ESC || key == WKEY_CTRL('g'))
        return LEDIT_CANCEL;
    if (wkey_is_text(key)) {
        char b[5] = {0};
        uint32_t cp = (uint32_t)key;
        if (cp < 0x80) {
            b[0] = (char)cp;
        } else if (cp < 0x800) {
            b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
            b[2] = (char)(0x80 | (cp & 0x3f));
        } else {
            b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
            b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f));
        }
        splice(e, e->cur, e->cur, b, strlen(b));
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    }
    if (wkey_is_backspace(key)) {
        delete_range(e, prev_char(e, e->cur), e->cur);
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    }
    switch (key) {
    case WKEY_CTRL('a'):
    case WKEY(KEY_HOME):
        e->cur = 0;
        return LEDIT_HANDLED;
    case WKEY_CTRL('e'):
    case WKEY(KEY_END):
        e->cur = e->len;
        return LEDIT_HANDLED;
    case WKEY_CTRL('b'):
    case WKEY(KEY_LEFT):
        e->cur = prev_char(e, e->cur);
        return LEDIT_HANDLED;
    case WKEY_CTRL('f'):
    case WKEY(KEY_RIGHT):
        e->cur = next_char(e, e->cur);
        return LEDIT_HANDLED;
    case WKEY_CTRL('d'):
    case WKEY(KEY_DC):
        delete_range(e, e->cur, next_char(e, e->cur));
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    case WKEY_CTRL('k'):
        delete_range(e, e->cur, e->len);
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    case WKEY_CTRL('u'):
        delete_range(e, 0, e->cur);
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    case WKEY_CTRL('w'): {
        size_t i = e->cur;
        while (i > 0 && e->buf[i - 1] == ' ')
            i--;
        while (i > 0 && e->buf[i - 1] != ' ')
            i--;
        delete_range(e, i, e->cur);
        e->hist_pos = -1;
        return LEDIT_HANDLED;
    }
    case WKEY_CTRL('p'):
    case WKEY(KEY_UP):
        if (e->masked)
            return LEDIT_UNHANDLED;
        history_move(e, -1);
        return LEDIT_HANDLED;
    case WKEY_CTRL('n'):
    case WKEY(KEY_DOWN):
        if (e->masked)
            return LEDIT_UNHANDLED;
        history_move(e, 1);
        return LEDIT_HANDLED;
    default:
        return LEDIT_UNHANDLED;
    }
}

/* Columns of buf[a..b) as displayed. */
static int
cols(const struct ledit *e, size_t a, size_t b, bool ascii)
{
    return e->masked ? (int)count_chars(e->buf + a, b - a) : wtext_widthn(e->buf + a, b - a, ascii);
}

static void
view_mode(struct ledit *e, int width, bool ascii, size_t *first_byte, int *cursor_col)
{
    if (width < 1)
        width = 1;
    /* Everything fits: no scrolling at all. */
    if (cols(e, 0, e->len, ascii) <= width - 1)
        e->scroll = 0;
    /* Cursor left of the window: scroll back a quarter of the width for context. */
    if (e->cur < e->scroll)
        e->scroll = e->cur;
    if (e->cur == e->scroll && e->scroll > 0) {
        int back = width / 4;
        while (e->scroll > 0 && back-- > 0)
            e->scroll = prev_char(e, e->scroll);
    }
    /* The cursor needs its own cell at the right edge. */
    while (cols(e, e->scroll, e->cur, ascii) > width - 1 && e->scroll < e->cur)
        e->scroll = next_char(e, e->scroll);
    *first_byte = e->scroll;
    *cursor_col = cols(e, e->scroll, e->cur, ascii);
}

void
ledit_view(struct ledit *e, int width, size_t *first_byte, int *cursor_col)
{
    view_mode(e, width, false, first_byte, cursor_col);
}

void
ledit_draw(struct ledit *e, WINDOW *win, int y, int x, int width, enum th_elem elem,
           bool show_cursor, const struct theme *th, const struct glyphs *g)
{
    if (width <= 0)
        return;
    size_t first;
    int ccol;
    view_mode(e, width, g->ascii, &first, &ccol);
    attr_t a = theme_attr(th, elem);
    wtext_fill(win, y, x, width, a);
    if (e->masked) {
        int n = (int)count_chars(e->buf + first, e->len - first);
        for (int i = 0; i < n && i < width; i++)
            wtext_print(win, y, x + i, 1, "*", a, true);
    } else {
        wtext_printn(win, y, x, width, e->buf + first, e->len - first, a, g->ascii);
    }
    if (show_cursor && ccol < width) {
        attr_t ca = theme_attr(th, TH_INPUT_CURSOR);
        if (e->cur >= e->len)
            wtext_print(win, y, x + ccol, 1, " ", ca, true);
        else if (e->masked)
            wtext_print(win, y, x + ccol, 1, "*", ca, true);
        else
            wtext_printn(win, y, x + ccol, width - ccol, e->buf + e->cur,
                         next_char(e, e->cur) - e->cur, ca, g->ascii);
    }
}
