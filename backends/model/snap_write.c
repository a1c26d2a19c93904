/* snap_write: the model as the status JSON, streamed. The tables of snap_fields.c say what
 * to write; this file says how, byte for byte as jansson's json_dumps(JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) wrote it when the writer built a tree:
 * the canonical fixtures and every snapshot already written stay what they were.
 *
 * Why streamed: the tree of a 20,000-pod model, plus jansson's dump of it and the copy
 * handed to the caller, came to 60 MB, twice what the console needs to hold the model
 * itself. Now the output passes through one buffer of SNAP_WRITE_BUF bytes, and the only
 * other memory is one sorted array of pointers per list (20,000 pods: 160 kB).
 *
 * Deliberately not here: deciding what goes into a snapshot (the tables), and atomic
 * replacement beyond snap_save_file's rename. */
#include "model/snap.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"
#include "model/snap_internal.h"

struct snap_wr {
    snap_out_fn *out;
    void *arg;
    struct pxerr *err;
    int rc;         /* the sink's first error; nothing is written after it */
    int depth;      /* open containers */
    bool first;     /* nothing written yet in the innermost container */
    bool after_key; /* a key was written: its value follows without a separator */
    char point;     /* the locale's decimal point: printf uses it, JSON does not */
    size_t len;
    char buf[SNAP_WRITE_BUF];
};

/* ------------------------------------------------------------------ bytes */

static void
flush(struct snap_wr *w)
{
    if (w->len > 0 && w->rc == 0)
        w->rc = w->out(w->buf, w->len, w->arg, w->err);
    w->len = 0;
}

static void
put(struct snap_wr *w, const char *s, size_t n)
{
    while (n > 0 && w->rc == 0) {
        if (w->len == sizeof w->buf)
            flush(w);
        size_t k = sizeof w->buf - w->len;
        if (k > n)
            k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

static void
newline(struct snap_wr *w, int depth)
{
    static const char spaces[] = "\n                                ";
    put(w, spaces, 1);
    for (size_t n = (size_t)depth * 2; n > 0;) {
        size_t k = n < sizeof spaces - 2 ? n : sizeof spaces - 2;
        put(w, spaces + 1, k);
        n -= k;
    }
}

/* Before a value: nothing after its key, else the separator and indent of its container. */
static void
sep(struct snap_wr *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->first)
        put(w, ",", 1);
    newline(w, w->depth);
    w->first = false;
}

/* Length of the valid UTF-8 sequence at s, or 0 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid, as jansson judges them). */
static size_t
utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string, escaped as jansson escapes. Text from servers (a MySQL error in latin1)
 * may not be UTF-8, which JSON cannot carry: each invalid byte becomes U+FFFD instead of
 * the field silently vanishing. */
static void
put_str(struct snap_wr *w, const char *str)
{
    const unsigned char *p = (const unsigned char *)(str ? str : ""), *run = p;
    put(w, "\"", 1);
    while (*p != '\0') {
        unsigned c = *p;
        /* Bytes that go out as they are: printable ASCII but the quote and backslash, and
         * whole valid UTF-8 sequences. */
        size_t n = c >= 0x80 ? utf8_len(p) : (c >= 0x20 && c != '"' && c != '\\') ? 1 : 0;
        if (n > 0) {
            p += n;
            continue;
        }
        put(w, (const char *)run, (size_t)(p - run));
        char esc[8];
        const char *e = esc;
        switch (c) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        default:
            if (c < 0x20)
                snprintf(esc, sizeof esc, "\\u%04X", c);
            else
                e = "\xef\xbf\xbd";
        }
        put(w, e, strlen(e));
        run = ++p;
    }
    put(w, (const char *)run, (size_t)(p - run));
    put(w, "\"", 1);
}

/* A finite double as jansson prints a real: %.15g, a '.' whatever the locale, ".0" when it
 * would read back as an integer, and the exponent without '+' or leading zeros. */
static void
put_real(struct snap_wr *w, double v)
{
    char buf[40];
    int len = snprintf(buf, sizeof buf, "%.15g", v);
    if (len < 0 || (size_t)len >= sizeof buf - 2)
        return;
    char *q = w->point != '.' ? strchr(buf, w->point) : NULL;
    if (q != NULL)
        *q = '.';
    if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *start = strchr(buf, 'e');
    if (start != NULL) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)len - (size_t)(end - buf) + 1);
            len -= (int)(end - start);
        }
    }
    put(w, buf, (size_t)len);
}

static void
put_key(struct snap_wr *w, const char *key)
{
    sep(w);
    put_str(w, key);
    put(w, ": ", 2);
    w->after_key = true;
}

/* ------------------------------------------------------------------ values, for hooks */

void
snap__w_null(struct snap_wr *w)
{
    sep(w);
    put(w, "null", 4);
}

void
snap__w_bool(struct snap_wr *w, bool b)
{
    sep(w);
    put(w, b ? "true" : "false", b ? 4 : 5);
}

void
snap__w_int(struct snap_wr *w, long long x)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", x);
    sep(w);
    put(w, buf, (size_t)n);
}

void
snap__w_str(struct snap_wr *w, const char *s)
{
    sep(w);
    put_str(w, s);
}

/* Round to the millisecond: enough for seconds of lag, and it keeps float samples from
 * printing as 0.400000005960464. */
void
snap__w_ms(struct snap_wr *w, double v)
{
    v = round(v * 1000.0) / 1000.0;
    if (!isfinite(v))
        return; /* jansson has no value for it, and the tree left it out */
    sep(w);
    put_real(w, v);
}

void
snap__w_open(struct snap_wr *w, char bracket)
{
    sep(w);
    put(w, &bracket, 1);
    w->depth++;
    w->first = true;
}

void
snap__w_close(struct snap_wr *w, char bracket)
{
    w->depth--;
    if (!w->first)
        newline(w, w->depth);
    put(w, &bracket, 1);
    w->first = false;
}

/* ------------------------------------------------------------------ the interpreter */

static void w_object(struct snap_wr *w, const struct snap_kind *k, const void *obj);

static void
w_objects(struct snap_wr *w, const struct snap_kind *k, const char *base, size_t n)
{
    snap__w_open(w, '[');
    for (size_t i = 0; i < n; i++)
        w_object(w, k, base + i * k->size);
    snap__w_close(w, ']');
}

static void
w_list(struct snap_wr *w, const struct snap_field *f, const void *obj)
{
    snap__w_open(w, '[');
    if (f->seq != NULL) {
        size_t n = f->seq->count(obj);
        for (size_t i = 0; i < n; i++)
            w_object(w, f->kind, f->seq->at(obj, i));
    } else {
        const struct vec *in = (const struct vec *)((const char *)obj + f->off);
        struct vec v; /* a borrowed, sorted view */
        vec_init(&v, NULL);
        for (size_t i = 0; i < in->n; i++)
            vec_push(&v, in->items[i]);
        if (f->cmp != NULL)
            vec_sort(&v, f->cmp);
        for (size_t i = 0; i < v.n; i++)
            w_object(w, f->kind, v.items[i]);
        vec_fini(&v);
    }
    snap__w_close(w, ']');
}

static bool
null_int(const struct snap_field *f, long long x)
{
    return ((f->flags & F_W_NULL_NEG) && x < 0) || ((f->flags & F_W_NULL_ZERO) && x == 0);
}

static void
w_field(struct snap_wr *w, const struct snap_field *f, const void *obj)
{
    const char *p = (const char *)obj + f->off;
    double d = 0;
    if (f->type == T_NUM) {
        d = *(const double *)p;
        if (!((f->flags & F_W_NULL_NEG) && d < 0)) {
            if (f->flags & F_MS)
                d = round(d * 1000.0) / 1000.0;
            if (!isfinite(d))
                return; /* as snap__w_ms: the tree had no member for it */
        }
    }
    put_key(w, f->key);
    switch (f->type) {
    case T_STR: {
        const char *s = *(const char *const *)p;
        if (((f->flags & F_W_NULL_PTR) && s == NULL) ||
            ((f->flags & F_W_NULL_EMPTY) && (s == NULL || s[0] == '\0')))
            snap__w_null(w);
        else
            snap__w_str(w, s);
        return;
    }
    case T_BUF:
        if ((f->flags & F_W_NULL_EMPTY) && p[0] == '\0')
            snap__w_null(w);
        else
            snap__w_str(w, p);
        return;
    case T_BOOL:
        snap__w_bool(w, *(const bool *)p);
        return;
    case T_INT:
    case T_I64: {
        long long x = f->type == T_INT ? *(const int *)p : *(const int64_t *)p;
        if (null_int(f, x))
            snap__w_null(w);
        else
            snap__w_int(w, x);
        return;
    }
    case T_NUM:
        if ((f->flags & F_W_NULL_NEG) && d < 0) {
            snap__w_null(w);
        } else {
            sep(w);
            put_real(w, d);
        }
        return;
    case T_TIME: {
        int64_t ms = *(const int64_t *)p;
        if (ms == 0 && (f->flags & F_W_NOW))
            ms = clock_wall_ms();
        if (ms == 0) {
            snap__w_null(w);
            return;
        }
        char buf[40];
        clock_fmt_rfc3339(ms, buf, sizeof buf);
        snap__w_str(w, buf);
        return;
    }
    case T_TRI: {
        signed char v = *(const signed char *)p;
        if (v == 0)
            snap__w_null(w);
        else
            snap__w_bool(w, v == 2);
        return;
    }
    case T_ENUM: {
        int e = *(const int *)p;
        const char *name = f->en->names[e >= 0 && e < f->en->n ? e : 0];
        if (name == NULL)
            snap__w_null(w);
        else
            snap__w_str(w, name);
        return;
    }
    case T_OBJ:
        if ((f->flags & F_KNOWN) && !*(const bool *)(p + f->n_off))
            snap__w_null(w);
        else
            w_object(w, f->kind, p);
        return;
    case T_LIST:
        w_list(w, f, obj);
        return;
    case T_ARR:
        w_objects(w, f->kind, *(const char *const *)p,
                  (size_t) * (const int *)((const char *)obj + f->n_off));
        return;
    case T_FIX: {
        size_t n = (size_t) * (const int *)((const char *)obj + f->n_off);
        w_objects(w, f->kind, p, n < f->size ? n : f->size);
        return;
    }
    case T_STRS: {
        char *const *list = *(char *const *const *)p;
        int n = *(const int *)((const char *)obj + f->n_off);
        snap__w_open(w, '[');
        for (int i = 0; i < n; i++)
            snap__w_str(w, list[i]);
        snap__w_close(w, ']');
        return;
    }
    case T_CUSTOM:
        f->custom->write(w, obj);
        return;
    }
}

static void
w_object(struct snap_wr *w, const struct snap_kind *k, const void *obj)
{
    snap__w_open(w, '{');
    for (size_t i = 0; i < k->n_fields && w->rc == 0; i++)
        w_field(w, &k->fields[i], obj);
    snap__w_close(w, '}');
}

/* ------------------------------------------------------------------ public */

int
snap_write_to(const struct model *m, snap_out_fn *out, void *arg, struct pxerr *err)
{
    struct snap_wr *w = xmalloc(sizeof *w);
    w->out = out;
    w->arg = arg;
    w->err = err;
    w->rc = 0;
    w->depth = 0;
    w->first = true;
    w->after_key = false;
    w->point = localeconv()->decimal_point[0];
    w->len = 0;
    w_object(w, &snap__root, m);
    put(w, "\n", 1);
    flush(w);
    int rc = w->rc;
    free(w);
    return rc;
}

static int
to_strbuf(const char *buf, size_t len, void *arg, struct pxerr *err)
{
    strbuf_appendn(arg, buf, len);
    return 0;
}

int
snap_write(const struct model *m, struct strbuf *out, struct pxerr *err)
{
    return snap_write_to(m, to_strbuf, out, err);
}

int
snap_write_object(enum snap_obj kind, const void *obj, struct strbuf *out, struct pxerr *err)
{
    const struct snap_kind *k = snap__object_kind((int)kind);
    if (k == NULL || obj == NULL)
        return pxerr_set(err, PXE_INVAL, "snap_write_object: no object of kind %d", (int)kind);
    struct snap_wr *w = xmalloc(sizeof *w);
    w->out = to_strbuf;
    w->arg = out;
    w->err = err;
    w->rc = 0;
    w->depth = 0;
    w->first = true;
    w->after_key = false;
    w->point = localeconv()->decimal_point[0];
    w->len = 0;
    w_object(w, k, obj);
    put(w, "\n", 1);
    flush(w);
    int rc = w->rc;
    free(w);
    return rc;
}

struct file_sink {
    FILE *f;
    const char *name;
};

static int
to_file(const char *buf, size_t len, void *arg, struct pxerr *err)
{
    struct file_sink *fs = arg;
    errno = 0;
    if (fwrite(buf, 1, len, fs->f) == len)
        return 0;
    return pxerr_set(err, PXE_IO, "%s: write failed: %s", fs->name, strerror(errno ? errno : EIO));
}

int
snap_write_file(const struct model *m, FILE *f, const char *name, struct pxerr *err)
{
    struct file_sink fs = {f, name};
    int rc = snap_write_to(m, to_file, &fs, err);
    if (rc == 0 && fflush(f) != 0)
        rc = pxerr_set(err, PXE_IO, "%s: write failed: %s", name, strerror(errno));
    return rc;
}

int
snap_save_file(const struct model *m, const char *path, struct pxerr *err)
{
    char *tmp = xasprintf("%s.tmp", path);
    int rc = 0;
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        rc = pxerr_set(err, PXE_IO, "%s: cannot write snapshot: %s", tmp, strerror(errno));
        goto out;
    }
    rc = snap_write_file(m, f, tmp, err);
    if (fclose(f) != 0 && rc == 0)
        rc = pxerr_set(err, PXE_IO, "%s: write failed: %s", tmp, strerror(errno ? errno : EIO));
    if (rc != 0) {
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = pxerr_set(err, PXE_IO, "%s: cannot rename into place: %s", path, strerror(errno));
        unlink(tmp);
    }
out:
    free(tmp);
    return rc;
}
