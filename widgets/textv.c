/* textv: a read-only text pane. Content is stored once per line (text in one buffer, spans
 * as ranges of it) and wrapped lazily into visual lines when the width is known, so a
 * resize costs one re-wrap and nothing else. The YAML colouring is a line tokenizer on
 * purpose: it must colour any text, even invalid YAML, and never fail; parsing belongs to
 * the backends. */
#include "textv.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "wkey.h"
#include "wtext.h"

struct tspan {
    uint32_t start, len; /* bytes, relative to the line */
    int16_t elem;
};

struct tline {
    uint32_t off, len; /* into t->text; NUL after each line */
    uint32_t span0, n_spans;
};

struct vline {
    uint32_t line;
    uint32_t start, end; /* bytes within the line */
};

struct textv {
    struct strbuf text;
    struct tline *lines;
    size_t n_lines, cap_lines;
    struct tspan *spans;
    size_t n_spans, cap_spans;

    bool wrap;
    int h, w;
    int top, left;

    struct vline *vl;
    size_t n_vl, cap_vl;
    bool vl_valid;
    int vl_width;

    char *needle;    /* NULL: no search */
    long match_line; /* last line jumped to, -1: none yet */
};

struct textv *
textv_new(void)
{
    struct textv *t = xcalloc(1, sizeof *t);
    strbuf_init(&t->text);
    t->wrap = true;
    t->h = 10;
    t->w = 80;
    t->match_line = -1;
    return t;
}

void
textv_free(struct textv *t)
{
    if (!t)
        return;
    strbuf_fini(&t->text);
    free(t->lines);
    free(t->spans);
    free(t->vl);
    free(t->needle);
    free(t);
}

void
textv_clear(struct textv *t)
{
    strbuf_reset(&t->text);
    t->n_lines = t->n_spans = 0;
    t->vl_valid = false;
}

/* Append one span's text with tabs expanded; *col tracks the line's column. */
static uint32_t
append_expanded(struct textv *t, const char *s, size_t n, int *col)
{
    size_t before = t->text.len;
    size_t i = 0;
    while (i < n) {
        if (s[i] == '\t') {
            int to = (*col / 8 + 1) * 8;
            while (*col < to) {
                strbuf_appendc(&t->text, ' ');
                (*col)++;
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = wtext_decode(s + i, n - i, &cp);
        strbuf_appendn(&t->text, s + i, k);
        *col += wtext_cp_width(cp, false);
        i += k;
    }
    return (uint32_t)(t->text.len - before);
}

void
textv_add_spans(struct textv *t, const struct textv_span *spans, size_t n)
{
    if (t->n_lines == t->cap_lines) {
        t->cap_lines = t->cap_lines ? t->cap_lines * 2 : 64;
        t->lines = xreallocarray(t->lines, t->cap_lines, sizeof *t->lines);
    }
    if (t->n_spans + n > t->cap_spans) {
        while (t->n_spans + n > t->cap_spans)
            t->cap_spans = t->cap_spans ? t->cap_spans * 2 : 128;
        t->spans = xreallocarray(t->spans, t->cap_spans, sizeof *t->spans);
    }
    struct tline *l = &t->lines[t->n_lines++];
    l->off = (uint32_t)t->text.len;
    l->span0 = (uint32_t)t->n_spans;
    l->n_spans = 0;
    int col = 0;
    uint32_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!spans[i].text || spans[i].len == 0)
            continue;
        uint32_t len = append_expanded(t, spans[i].text, spans[i].len, &col);
        t->spans[t->n_spans++] = (struct tspan){pos, len, (int16_t)spans[i].elem};
        l->n_spans++;
        pos += len;
    }
    l->len = pos;
    strbuf_appendc(&t->text, '\0');
    t->vl_valid = false;
}

void
textv_add_line(struct textv *t, const char *text, enum th_elem elem)
{
    struct textv_span sp = {text, text ? strlen(text) : 0, elem};
    textv_add_spans(t, &sp, 1);
}

static void
split_lines(struct textv *t, const char *text, bool yaml, enum th_elem elem)
{
    textv_clear(t);
    if (!text)
        return;
    const char *p = text;
    int block_indent = -1; /* inside a YAML block scalar: lines indented more than this */
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (!nl && n == 0 && p != text)
            break; /* the text ended with a newline */
        if (!yaml) {
            struct textv_span sp = {p, n, elem};
            textv_add_spans(t, &sp, 1);
        } else {
            int ind = 0;
            while ((size_t)ind < n && p[ind] == ' ')
                ind++;
            bool blank = (size_t)ind == n;
            if (block_indent >= 0 && (blank || ind > block_indent)) {
                struct textv_span sp = {p, n, TH_YAML_STRING};
                textv_add_spans(t, &sp, 1);
            } else {
                block_indent = -1;
                struct textv_span sp[64];
                size_t k = textv_yaml_line(p, n, sp, 64);
                textv_add_spans(t, sp, k);
                /* "key: |" or "- >-" opens a block scalar. */
                for (size_t i = k; i-- > 0;) {
                    if (sp[i].elem == TH_TEXT || sp[i].elem == TH_YAML_COMMENT)
                        continue;
                    if (sp[i].elem == TH_YAML_PUNCT &&
                        (sp[i].text[0] == '|' || sp[i].text[0] == '>'))
                        block_indent = ind;
                    break;
                }
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
}

void
textv_set_text(struct textv *t, const char *text, enum th_elem elem)
{
    split_lines(t, text, false, elem);
}

void
textv_set_yaml(struct textv *t, const char *text)
{
    split_lines(t, text, true, TH_TEXT);
}

/* ---- YAML line tokenizer ---- */

struct ytok {
    const char *line;
    size_t len, i;
    struct textv_span *out;
    size_t n, max;
};

static void
ypush(struct ytok *y, size_t a, size_t b, enum th_elem e)
{
    if (b <= a)
        return;
    if (y->n > 0) {
        struct textv_span *last = &y->out[y->n - 1];
        /* Adjacent spans of one element merge; a full array absorbs the rest. */
        if (last->elem == e || y->n == y->max) {
            last->len = (size_t)(y->line + b - last->text);
            return;
        }
    }
    y->out[y->n++] = (struct textv_span){y->line + a, b - a, e};
}

static bool
is_num(const char *s, size_t n)
{
    if (n == 0)
        return false;
    size_t i = 0;
    if (s[0] == '+' || s[0] == '-')
        i++;
    if (i == n)
        return false;
    if (n - i == 4 && (!strncasecmp(s + i, ".inf", 4) || !strncasecmp(s + i, ".nan", 4)))
        return true;
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o')) {
        for (size_t k = i + 2; k < n; k++)
            if (!isxdigit((unsigned char)s[k]))
                return false;
        return true;
    }
    bool digits = false, dot = false, exp = false;
    for (; i < n; i++) {
        char c = s[i];
        if (isdigit((unsigned char)c)) {
            digits = true;
        } else if (c == '.' && !dot && !exp) {
            dot = true;
        } else if ((c == 'e' || c == 'E') && digits && !exp) {
            exp = true;
            digits = false;
            if (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'))
                i++;
        } else if (c == '_' && digits) {
            continue;
        } else {
            return false;
        }
    }
    return digits;
}

static enum th_elem
scalar_elem(const char *s, size_t n)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "~"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strlen(words[k]) == n && strncasecmp(s, words[k], n) == 0)
            return TH_YAML_BOOL;
    return is_num(s, n) ? TH_YAML_NUMBER : TH_YAML_STRING;
}

/* End of a quoted scalar starting at i (the quote), exclusive; the line end if unclosed. */
static size_t
quoted_end(const char *s, size_t n, size_t i)
{
    char q = s[i];
    for (size_t k = i + 1; k < n; k++) {
        if (q == '"' && s[k] == '\\') {
            k++;
            continue;
        }
        if (s[k] == q) {
            if (q == '\'' && k + 1 < n && s[k + 1] == '\'') {
                k++;
                continue;
            }
            return k + 1;
        }
    }
    return n;
}

static void
yspaces(struct ytok *y)
{
    size_t a = y->i;
    while (y->i < y->len && (y->line[y->i] == ' ' || y->line[y->i] == '\t'))
        y->i++;
    ypush(y, a, y->i, TH_TEXT);
}

static bool
ycomment(struct ytok *y)
{
    if (y->i < y->len && y->line[y->i] == '#' &&
        (y->i == 0 || y->line[y->i - 1] == ' ' || y->line[y->i - 1] == '\t')) {
        ypush(y, y->i, y->len, TH_YAML_COMMENT);
        y->i = y->len;
        return true;
    }
    return false;
}

/* A value: scalars, quoted strings, flow collections, anchors, block indicators. */
static void
yvalue(struct ytok *y, bool flow)
{
    while (y->i < y->len) {
        yspaces(y);
        if (y->i >= y->len || ycomment(y))
            return;
        const char *s = y->line;
        char c = s[y->i];
        if (c == '"' || c == '\'') {
            size_t e = quoted_end(s, y->len, y->i);
            ypush(y, y->i, e, TH_YAML_STRING);
            y->i = e;
        } else if (strchr("[]{},", c) || (flow && c == ':')) {
            ypush(y, y->i, y->i + 1, TH_YAML_PUNCT);
            y->i++;
            if (c == '[' || c == '{')
                flow = true;
        } else if ((c == '&' || c == '*' || c == '!') && !flow) {
            size_t a = y->i;
            while (y->i < y->len && s[y->i] != ' ')
                y->i++;
            ypush(y, a, y->i, TH_YAML_PUNCT);
        } else if ((c == '|' || c == '>') && !flow) {
            size_t a = y->i++;
            while (y->i < y->len && strchr("+-0123456789", s[y->i]))
                y->i++;
            ypush(y, a, y->i, TH_YAML_PUNCT);
        } else {
            /* Plain scalar: up to " #", or a flow delimiter inside a flow collection. */
            size_t a = y->i;
            while (y->i < y->len) {
                char d = s[y->i];
                if (d == '#' && y->i > a && (s[y->i - 1] == ' ' || s[y->i - 1] == '\t'))
                    break;
                if (flow && strchr("[]{},", d))
                    break;
                if (flow && d == ':' && (y->i + 1 == y->len || s[y->i + 1] == ' '))
                    break;
                y->i++;
            }
            size_t e = y->i;
            while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
                e--;
            ypush(y, a, e, scalar_elem(s + a, e - a));
            ypush(y, e, y->i, TH_TEXT);
        }
    }
}

/* The key at y->i, if the line has "key:" (followed by a blank or the end) there. */
static bool
ykey(struct ytok *y)
{
    const char *s = y->line;
    size_t i = y->i, end;
    if (i >= y->len)
        return false;
    if (s[i] == '"' || s[i] == '\'') {
        end = quoted_end(s, y->len, i);
    } else {
        if (strchr("[]{}#&*!|>%@`", s[i]))
            return false;
        end = i;
        while (end < y->len) {
            if (s[end] == ':' && (end + 1 == y->len || s[end + 1] == ' ' || s[end + 1] == '\t'))
                break;
            if (s[end] == '#' && end > i && s[end - 1] == ' ')
                return false;
            end++;
        }
    }
    if (end >= y->len || s[end] != ':' ||
        !(end + 1 == y->len || s[end + 1] == ' ' || s[end + 1] == '\t'))
        return false;
    size_t ke = end;
    while (ke > i && s[ke - 1] == ' ')
        ke--;
    ypush(y, i, ke, TH_YAML_KEY);
    ypush(y, ke, end, TH_TEXT);
    ypush(y, end, end + 1, TH_YAML_PUNCT);
    y->i = end + 1;
    return true;
}

size_t
textv_yaml_line(const char *line, size_t len, struct textv_span *out, size_t max)
{
    if (max == 0)
        return 0;
    struct ytok y = {line, len, 0, out, 0, max};
    yspaces(&y);
    if (ycomment(&y))
        return y.n;
    if (len - y.i >= 3 && (!strncmp(line + y.i, "---", 3) || !strncmp(line + y.i, "...", 3)) &&
        (len - y.i == 3 || line[y.i + 3] == ' ')) {
        ypush(&y, y.i, y.i + 3, TH_YAML_PUNCT);
        y.i += 3;
        yvalue(&y, false);
        return y.n;
    }
    /* "- " list markers, possibly nested ("- - a"). */
    while (y.i < len && line[y.i] == '-' && (y.i + 1 == len || line[y.i + 1] == ' ')) {
        ypush(&y, y.i, y.i + 1, TH_YAML_PUNCT);
        y.i++;
        yspaces(&y);
    }
    (void)ykey(&y); /* with or without a key, the rest is a value */
    yvalue(&y, false);
    return y.n;
}

/* ---- lines, wrapping and scrolling ---- */

size_t
textv_n_lines(const struct textv *t)
{
    return t->n_lines;
}

void
textv_line_text(const struct textv *t, size_t i, struct strbuf *out)
{
    if (i < t->n_lines)
        strbuf_appendn(out, t->text.s + t->lines[i].off, t->lines[i].len);
}

void
textv_set_wrap(struct textv *t, bool wrap)
{
    if (t->wrap != wrap) {
        /* Keep the same logical line at the top. */
        size_t line = 0;
        if (t->vl_valid && (size_t)t->top < t->n_vl)
            line = t->vl[t->top].line;
        t->wrap = wrap;
        t->vl_valid = false;
        t->left = 0;
        textv_n_vlines(t);
        for (size_t i = 0; i < t->n_vl; i++)
            if (t->vl[i].line == line) {
                t->top = (int)i;
                break;
            }
    }
}

bool
textv_wrap(const struct textv *t)
{
    return t->wrap;
}

void
textv_set_size(struct textv *t, int h, int w)
{
    t->h = h > 0 ? h : 1;
    if (w < 1)
        w = 1;
    if (w != t->w)
        t->vl_valid = false;
    t->w = w;
}

static void
push_vl(struct textv *t, uint32_t line, uint32_t a, uint32_t b)
{
    if (t->n_vl == t->cap_vl) {
        t->cap_vl = t->cap_vl ? t->cap_vl * 2 : 128;
        t->vl = xreallocarray(t->vl, t->cap_vl, sizeof *t->vl);
    }
    t->vl[t->n_vl++] = (struct vline){line, a, b};
}

static void
wrap_line(struct textv *t, uint32_t li)
{
    const struct tline *l = &t->lines[li];
    const char *s = t->text.s + l->off;
    if (!t->wrap || l->len == 0) {
        push_vl(t, li, 0, l->len);
        return;
    }
    uint32_t start = 0;
    while (start < l->len) {
        int col = 0;
        uint32_t i = start, brk = 0; /* brk: after the last blank seen */
        while (i < l->len) {
            uint32_t cp;
            size_t k = wtext_decode(s + i, l->len - i, &cp);
            int cw = wtext_cp_width(cp, false);
            if (col + cw > t->w && i > start)
                break;
            col += cw;
            i += (uint32_t)k;
            if (cp == ' ')
                brk = i;
        }
        if (i < l->len && brk > start)
            i = brk; /* break after a blank rather than inside a word */
        push_vl(t, li, start, i);
        start = i;
    }
}

static void
ensure_vl(struct textv *t)
{
    if (t->vl_valid && t->vl_width == t->w)
        return;
    t->n_vl = 0;
    for (size_t i = 0; i < t->n_lines; i++)
        wrap_line(t, (uint32_t)i);
    t->vl_valid = true;
    t->vl_width = t->w;
    textv_scroll_to(t, t->top);
}

size_t
textv_n_vlines(struct textv *t)
{
    ensure_vl(t);
    return t->n_vl;
}

void
textv_vline_text(struct textv *t, size_t i, struct strbuf *out)
{
    ensure_vl(t);
    if (i >= t->n_vl)
        return;
    const struct vline *v = &t->vl[i];
    strbuf_appendn(out, t->text.s + t->lines[v->line].off + v->start, v->end - v->start);
}

int
textv_top(const struct textv *t)
{
    return t->top;
}

int
textv_left(const struct textv *t)
{
    return t->left;
}

void
textv_scroll_to(struct textv *t, int vline)
{
    ensure_vl(t);
    int max = (int)t->n_vl - t->h;
    if (max < 0)
        max = 0;
    if (vline > max)
        vline = max;
    if (vline < 0)
        vline = 0;
    t->top = vline;
}

bool
textv_key(struct textv *t, int key)
{
    int page = t->h > 1 ? t->h - 1 : 1;
    switch (key) {
    case WKEY(KEY_UP):
        textv_scroll_to(t, t->top - 1);
        return true;
    case WKEY(KEY_DOWN):
        textv_scroll_to(t, t->top + 1);
        return true;
    case WKEY(KEY_PPAGE):
        textv_scroll_to(t, t->top - page);
        return true;
    case WKEY(KEY_NPAGE):
    case ' ':
        textv_scroll_to(t, t->top + page);
        return true;
    case WKEY(KEY_HOME):
        textv_scroll_to(t, 0);
        t->left = 0;
        return true;
    case WKEY(KEY_END):
        textv_scroll_to(t, INT32_MAX / 2);
        return true;
    case WKEY(KEY_LEFT):
        if (t->wrap)
            return false;
        t->left = t->left >= 8 ? t->left - 8 : 0;
        return true;
    case WKEY(KEY_RIGHT):
        if (t->wrap)
            return false;
        t->left += 8;
        return true;
    default:
        return false;
    }
}

/* ---- search ---- */

void
textv_set_search(struct textv *t, const char *needle)
{
    free(t->needle);
    t->needle = needle && *needle ? xstrdup(needle) : NULL;
    t->match_line = -1;
}

static bool
line_has(const struct textv *t, size_t i)
{
    return wtext_casestr(t->text.s + t->lines[i].off, t->needle) != NULL;
}

size_t
textv_n_matches(const struct textv *t)
{
    if (!t->needle)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < t->n_lines; i++)
        n += line_has(t, i);
    return n;
}

bool
textv_search_next(struct textv *t, int dir)
{
    if (!t->needle || t->n_lines == 0)
        return false;
    ensure_vl(t);
    long n = (long)t->n_lines;
    long from;
    if (t->match_line < 0)
        from = (size_t)t->top < t->n_vl ? (long)t->vl[t->top].line : 0;
    else
        from = t->match_line + (dir >= 0 ? 1 : -1);
    for (long k = 0; k < n; k++) {
        long li = ((from + (dir >= 0 ? k : -k)) % n + n) % n;
        if (line_has(t, (size_t)li)) {
            t->match_line = li;
            for (size_t v = 0; v < t->n_vl; v++)
                if (t->vl[v].line == (uint32_t)li) {
                    /* Show the match with a line of context above when possible. */
                    t->top = (int)v;
                    textv_scroll_to(t, (int)v - (t->h > 4 ? 1 : 0));
                    break;
                }
            return true;
        }
    }
    return false;
}

/* ---- drawing ---- */

static enum th_elem
elem_at(const struct textv *t, const struct tline *l, uint32_t pos, const uint32_t *m, size_t nm,
        size_t nlen)
{
    for (size_t k = 0; k < nm; k++)
        if (pos >= m[k] && pos < m[k] + nlen)
            return TH_TEXT_MATCH;
    for (uint32_t s = 0; s < l->n_spans; s++) {
        const struct tspan *sp = &t->spans[l->span0 + s];
        if (pos >= sp->start && pos < sp->start + sp->len)
            return sp->elem == TH_NONE ? TH_TEXT : (enum th_elem)sp->elem;
    }
    return TH_TEXT;
}

void
textv_draw(struct textv *t, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
           const struct glyphs *g)
{
    if (h <= 0 || w <= 0)
        return;
    textv_set_size(t, h, w);
    ensure_vl(t);
    textv_scroll_to(t, t->top);
    size_t nlen = t->needle ? strlen(t->needle) : 0;
    for (int r = 0; r < h; r++) {
        wtext_fill(win, y + r, x, w, theme_attr(th, TH_TEXT));
        size_t vi = (size_t)t->top + (size_t)r;
        if (vi >= t->n_vl)
            continue;
        const struct vline *v = &t->vl[vi];
        const struct tline *l = &t->lines[v->line];
        const char *s = t->text.s + l->off;
        uint32_t m[64];
        size_t nm = 0;
        if (t->needle)
            for (const char *p = s; nm < 64 && (p = wtext_casestr(p, t->needle)); p += nlen)
                m[nm++] = (uint32_t)(p - s);
        /* Skip `left` columns when not wrapping. */
        uint32_t i = v->start;
        int skip = t->wrap ? 0 : t->left, col = 0;
        while (i < v->end && skip > 0) {
            uint32_t cp;
            size_t k = wtext_decode(s + i, v->end - i, &cp);
            int cw = wtext_cp_width(cp, g->ascii);
            if (cw > skip) {
                col = cw - skip; /* half a wide character: leave its cell blank */
                i += (uint32_t)k;
                break;
            }
            skip -= cw;
            i += (uint32_t)k;
        }
        while (i < v->end && col < w) {
            enum th_elem e = elem_at(t, l, i, m, nm, nlen);
            uint32_t j = i;
            while (j < v->end && elem_at(t, l, j, m, nm, nlen) == e) {
                uint32_t cp;
                j += (uint32_t)wtext_decode(s + j, v->end - j, &cp);
            }
            col += wtext_printn(win, y + r, x + col, w - col, s + i, j - i, theme_attr(th, e),
                                g->ascii);
            i = j;
        }
    }
}
