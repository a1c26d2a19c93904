/* logring: a circular array of lines with two budgets. It is what a logs pane keeps, not a
 * log store: nothing is written anywhere, and the oldest line is forgotten first. Lines are
 * neutralised once, when they complete, so that a reader (the console drawing them) never
 * sees an escape sequence, even one split across two writes. */
#include "logring.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct lr_line {
    char *s; /* owned, NUL-terminated */
    size_t len;
    bool cut, note;
};

struct logring {
    size_t max_lines, max_bytes;
    struct lr_line *lines; /* max_lines slots; the held ones from head, n of them */
    size_t head, n, bytes;
    uint64_t dropped, seq;
    struct strbuf partial; /* the unfinished line, raw, at most LOGRING_LINE_MAX bytes */
    bool partial_cut;      /* bytes of the unfinished line were dropped */
    struct strbuf clean;   /* scratch */
};

struct logring *
logring_new(size_t max_lines, size_t max_bytes)
{
    assert(max_lines >= 1 && max_bytes >= LOGRING_LINE_MAX);
    struct logring *r = xcalloc(1, sizeof *r);
    r->max_lines = max_lines;
    r->max_bytes = max_bytes;
    r->lines = xcalloc(max_lines, sizeof *r->lines);
    strbuf_init(&r->partial);
    strbuf_init(&r->clean);
    return r;
}

static void
drop_oldest(struct logring *r)
{
    struct lr_line *l = &r->lines[r->head];
    r->bytes -= l->len;
    free(l->s);
    *l = (struct lr_line){0};
    r->head = (r->head + 1) % r->max_lines;
    r->n--;
    r->dropped++;
}

void
logring_clear(struct logring *r)
{
    while (r->n > 0) {
        drop_oldest(r);
        r->dropped--; /* forgotten on purpose, not for the budgets */
    }
    strbuf_reset(&r->partial);
    r->partial_cut = false;
}

void
logring_free(struct logring *r)
{
    if (r == NULL)
        return;
    logring_clear(r);
    free(r->lines);
    strbuf_fini(&r->partial);
    strbuf_fini(&r->clean);
    free(r);
}

/* Length of the escape sequence at in[0] (an ESC), or of what is there of it when it runs
 * to the end of the line: all of it is dropped. */
static size_t
esc_len(const char *in, size_t len)
{
    if (len < 2)
        return len;
    unsigned char k = (unsigned char)in[1];
    size_t i = 2;
    if (k == '[') { /* CSI: parameter and intermediate bytes, then one final byte */
        while (i < len && (unsigned char)in[i] >= 0x20 && (unsigned char)in[i] <= 0x3f)
            i++;
        while (i < len && (unsigned char)in[i] >= 0x20 && (unsigned char)in[i] <= 0x2f)
            i++;
        return i < len && (unsigned char)in[i] >= 0x40 && (unsigned char)in[i] <= 0x7e ? i + 1 : i;
    }
    if (k == ']' || k == 'P' || k == 'X' || k == '^' || k == '_') {
        /* OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \) */
        for (; i < len; i++) {
            if (in[i] == '\a')
                return i + 1;
            if (in[i] == 0x1b && i + 1 < len && in[i + 1] == '\\')
                return i + 2;
        }
        return len;
    }
    if (k >= 0x20 && k <= 0x7e) /* ESC x: charset, keypad, reset... */
        return 2;
    return 1; /* a lone ESC before a control or non-ASCII byte */
}

void
logring_clean(const char *in, size_t len, struct strbuf *out)
{
    size_t i = 0, col0 = out->len, cont = 0; /* cont: UTF-8 continuation bytes appended */
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\t') { /* to the next multiple of 8 columns, counting characters */
            size_t col = out->len - col0 - cont;
            do
                strbuf_appendc(out, ' ');
            while (++col % 8 != 0);
            i++;
        } else if (c == 0x1b) {
            i += esc_len(in + i, len - i);
        } else if (c == 0xc2 && i + 1 < len && (unsigned char)in[i + 1] >= 0x80 &&
                   (unsigned char)in[i + 1] <= 0x9f) {
            strbuf_appendc(out, '?'); /* a C1 control such as CSI (U+009B) */
            i += 2;
        } else if (c < 0x20 || c == 0x7f) {
            strbuf_appendc(out, '?');
            i++;
        } else {
            size_t j = i;
            do {
                cont += ((unsigned char)in[j] & 0xc0) == 0x80;
                j++;
            } while (j < len && (unsigned char)in[j] >= 0x20 && (unsigned char)in[j] != 0x7f &&
                     (unsigned char)in[j] != 0xc2);
            strbuf_appendn(out, in + i, j - i);
            i = j;
        }
    }
}

static void
push(struct logring *r, const char *raw, size_t len, bool cut, bool note)
{
    if (len > 0 && raw[len - 1] == '\r')
        len--;
    strbuf_reset(&r->clean);
    logring_clean(raw, len, &r->clean);
    size_t n = r->clean.len;
    while (r->n > 0 && (r->n == r->max_lines || r->bytes + n > r->max_bytes))
        drop_oldest(r);
    struct lr_line *l = &r->lines[(r->head + r->n) % r->max_lines];
    l->s = xstrndup(r->clean.s, n);
    l->len = n;
    l->cut = cut;
    l->note = note;
    r->n++;
    r->bytes += n;
    r->seq++;
}

void
logring_write(struct logring *r, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl != NULL ? (size_t)(nl - data) : len;
        size_t room = LOGRING_LINE_MAX - r->partial.len;
        if (n > room)
            r->partial_cut = true;
        strbuf_appendn(&r->partial, data, n > room ? room : n);
        if (nl == NULL)
            return;
        push(r, r->partial.s, r->partial.len, r->partial_cut, false);
        strbuf_reset(&r->partial);
        r->partial_cut = false;
        data += n + 1;
        len -= n + 1;
    }
}

void
logring_flush(struct logring *r)
{
    if (r->partial.len == 0 && !r->partial_cut)
        return;
    push(r, r->partial.s, r->partial.len, r->partial_cut, false);
    strbuf_reset(&r->partial);
    r->partial_cut = false;
}

void
logring_note(struct logring *r, const char *text)
{
    logring_flush(r);
    size_t len = strlen(text);
    push(r, text, len > LOGRING_LINE_MAX ? LOGRING_LINE_MAX : len, len > LOGRING_LINE_MAX, true);
}

size_t
logring_count(const struct logring *r)
{
    return r->n;
}

size_t
logring_bytes(const struct logring *r)
{
    return r->bytes;
}

uint64_t
logring_dropped(const struct logring *r)
{
    return r->dropped;
}

uint64_t
logring_seq(const struct logring *r)
{
    return r->seq;
}

const char *
logring_line(const struct logring *r, size_t i, size_t *len, bool *cut, bool *note)
{
    assert(i < r->n);
    const struct lr_line *l = &r->lines[(r->head + i) % r->max_lines];
    if (len != NULL)
        *len = l->len;
    if (cut != NULL)
        *cut = l->cut;
    if (note != NULL)
        *note = l->note;
    return l->s;
}
