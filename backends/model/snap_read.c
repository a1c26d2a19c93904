/* snap_read: loading a snapshot, by interpreting the tables of snap_fields.c. One format
 * serves two readers: scripts reading `pxcmesh status --json`, and `--replay`, which must
 * rebuild the very model a live console had so that the screens can be tested and shared.
 *
 * A value reaches the field readers as a struct snap_val from one of two roads. The tree
 * road parses with jansson. The text road reads an object of the F_BULK list (the pods,
 * thousands of them) straight from the bytes when it has the shape the writer gives it
 * (known keys, plain ASCII strings, small integers, true/false/null), because building and
 * freeing 20,000 small trees was most of a replay's first frame. Either road ends in the
 * same rd_field(), so a value means the same whichever found it; and any error on the
 * text road sends the whole document down the tree road, so that every message (with its
 * file:line:col or JSON path) is the tree road's.
 *
 * Deliberately not here: what the fields are (snap_fields.c), and partial merges (a
 * snapshot replaces the whole model). Loading parses into a private model and swaps struct
 * bodies on success, because a half-loaded replay would show the operator a state that
 * never existed. */
#include "model/snap.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec/jscan.h"
#include "clock.h"
#include "file.h"
#include "xmalloc.h"
#include "model/snap_internal.h"

#define SNAP_MAX_FILE (256u << 20) /* a 2 x 10,000-pod snapshot is ~10 MB */
#define TEXT_MAX_FIELDS 40         /* fields of a kind the text road can read */

/* The byte range of one F_BULK array, kept unparsed by the split, and its length. */
struct range {
    size_t off, len, n; /* len 0: the object carries the array itself, if at all */
};

struct snap_rd {
    const char *name; /* label for messages: the file name */
    struct pxerr *err;
    struct model *m;                   /* the private model being filled */
    const char *buf;                   /* the document (split road only) */
    const struct snap_kind *bulk_kind; /* the kind whose F_BULK field was kept as ranges */
    struct range *bulk;                /* by that object's index in its list; NULL: none */
    size_t n_bulk;
    struct strbuf arena; /* strings of the object the text road is reading */
    char path[224];      /* JSON path of the value being read: clusters[1].pods[3] */
    size_t plen;
};

/* The members of one object: a jansson object, or values the text road found. */
struct src {
    json_t *obj;
    const struct snap_val *slots; /* by field index */
};

/* ------------------------------------------------------------------ paths and errors */

static size_t
path_key(struct snap_rd *rd, const char *key)
{
    size_t old = rd->plen;
    int n =
        snprintf(rd->path + rd->plen, sizeof rd->path - rd->plen, "%s%s", rd->plen ? "." : "", key);
    if (n > 0)
        rd->plen = strnlen(rd->path, sizeof rd->path - 1);
    return old;
}

static size_t
path_idx(struct snap_rd *rd, size_t i)
{
    size_t old = rd->plen;
    int n = snprintf(rd->path + rd->plen, sizeof rd->path - rd->plen, "[%zu]", i);
    if (n > 0)
        rd->plen = strnlen(rd->path, sizeof rd->path - 1);
    return old;
}

static void
path_pop(struct snap_rd *rd, size_t old)
{
    rd->plen = old;
    rd->path[old] = '\0';
}

static int PXC_PRINTF(2, 0) vfail(struct snap_rd *rd, const char *fmt, va_list ap)
{
    char msg[200];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return pxerr_set(rd->err, PXE_SCHEMA, "%s: %s: %s", rd->name,
                     rd->plen ? rd->path : "(top level)", msg);
}

int
snap__fail(struct snap_rd *rd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(rd, fmt, ap);
    va_end(ap);
    return rc;
}

int
snap__fail_doc(struct snap_rd *rd, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pxerr_set(rd->err, PXE_SCHEMA, "%s: %s", rd->name, msg);
}

/* The error at PATH.key. The path is kept on errors (the load is dropped anyway), so only
 * this pops it. */
static int PXC_PRINTF(3, 4) fail_key(struct snap_rd *rd, const char *key, const char *fmt, ...)
{
    size_t old = path_key(rd, key);
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(rd, fmt, ap);
    va_end(ap);
    path_pop(rd, old);
    return rc;
}

struct model *
snap__model(struct snap_rd *rd)
{
    return rd->m;
}

/* ------------------------------------------------------------------ values */

static void
val_of(json_t *j, struct snap_val *v)
{
    *v = (struct snap_val){.t = SV_ABSENT};
    if (j == NULL)
        return;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        v->t = SV_OBJ;
        v->j = j;
        break;
    case JSON_ARRAY:
        v->t = SV_ARR;
        v->j = j;
        break;
    case JSON_STRING:
        v->t = SV_STR;
        v->s = json_string_value(j);
        break;
    case JSON_INTEGER:
        v->t = SV_INT;
        v->i = json_integer_value(j);
        break;
    case JSON_REAL:
        v->t = SV_REAL;
        v->d = json_real_value(j);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v->t = SV_BOOL;
        v->b = json_is_true(j);
        break;
    case JSON_NULL:
        v->t = SV_NULL;
        break;
    }
}

const char *
snap__type_name(const struct snap_val *v)
{
    static const char *const names[] = {
        [SV_ABSENT] = "nothing", [SV_NULL] = "null",  [SV_BOOL] = "boolean", [SV_INT] = "integer",
        [SV_REAL] = "number",    [SV_STR] = "string", [SV_OBJ] = "object",   [SV_ARR] = "array"};
    return names[v->t];
}

size_t
snap__arr_len(const struct snap_val *arr)
{
    return arr->t == SV_ARR ? json_array_size(arr->j) : 0;
}

size_t
snap__arr_at(struct snap_rd *rd, const struct snap_val *arr, size_t i, struct snap_val *out)
{
    val_of(json_array_get(arr->j, i), out);
    return path_idx(rd, i);
}

void
snap__arr_pop(struct snap_rd *rd, size_t mark)
{
    path_pop(rd, mark);
}

static const char *const want_word[] = {
    [W_STR] = "string", [W_BOOL] = "boolean", [W_INT] = "integer",
    [W_NUM] = "number", [W_OBJ] = "object",   [W_ARR] = "array"};

static bool
type_ok(const struct snap_val *v, enum snap_want w)
{
    switch (w) {
    case W_STR:
        return v->t == SV_STR;
    case W_BOOL:
        return v->t == SV_BOOL;
    case W_INT:
        return v->t == SV_INT;
    case W_NUM:
        return v->t == SV_INT || v->t == SV_REAL;
    case W_OBJ:
        return v->t == SV_OBJ;
    case W_ARR:
        return v->t == SV_ARR;
    }
    return false;
}

static enum snap_want
want_of(const struct snap_field *f)
{
    switch (f->type) {
    case T_STR:
    case T_BUF:
    case T_TIME:
    case T_ENUM:
        return W_STR;
    case T_BOOL:
    case T_TRI:
        return W_BOOL;
    case T_INT:
    case T_I64:
        return W_INT;
    case T_NUM:
        return W_NUM;
    case T_OBJ:
        return W_OBJ;
    case T_LIST:
    case T_ARR:
    case T_FIX:
    case T_STRS:
        return W_ARR;
    case T_CUSTOM:
        break;
    }
    return f->custom->want;
}

/* ------------------------------------------------------------------ the interpreter */

static int rd_field(struct snap_rd *rd, const struct snap_kind *k, const struct snap_field *f,
                    const struct snap_val *v, void *obj, const struct snap_pos *pos);

/* One object of kind k from src. obj: where its fields go (an array slot, a nested struct,
 * the model); NULL: k->open() makes it once the identity is read (or, without open(), the
 * fields stay in the stage for k->close()). */
static int
rd_object(struct snap_rd *rd, const struct snap_kind *k, const struct src *src, void *parent,
          void *obj, const struct snap_pos *pos)
{
    alignas(max_align_t) unsigned char stage[SNAP_STAGE_MAX];
    bool opening = false;
    int rc;
    if (obj == NULL) {
        memset(stage, 0, k->size);
        obj = stage;
        opening = k->open != NULL;
    }
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct snap_field *f = &k->fields[i];
        if (opening && !(f->flags & F_BORROW)) {
            if ((rc = k->open(rd, parent, stage, pos, &obj)) != 0)
                return rc;
            opening = false;
        }
        struct snap_val v;
        if (src->slots != NULL)
            v = src->slots[i];
        else
            val_of(json_object_get(src->obj, f->key), &v);
        if ((rc = rd_field(rd, k, f, &v, obj, pos)) != 0)
            return rc;
    }
    if (opening && (rc = k->open(rd, parent, stage, pos, &obj)) != 0)
        return rc;
    return k->close != NULL ? k->close(rd, parent, obj, pos) : 0;
}

/* The elements of the array v, each an object of kind f->kind: into the array at base
 * (stride kind->size, the count at *count raised before each, so that an error part-way
 * leaves what model_free can free), or, base NULL, made by the kind's open(). */
static int
rd_objects(struct snap_rd *rd, const struct snap_field *f, const struct snap_val *v, void *parent,
           char *base, int *count)
{
    size_t n = snap__arr_len(v), old = path_key(rd, f->key);
    for (size_t i = 0; i < n; i++) {
        struct snap_val e;
        size_t mark = snap__arr_at(rd, v, i, &e);
        if (e.t != SV_OBJ)
            return snap__fail(rd, "expected object, got %s", snap__type_name(&e));
        if (count != NULL)
            *count = (int)i + 1;
        int rc = rd_object(rd, f->kind, &(struct src){.obj = e.j}, parent,
                           base ? base + i * f->kind->size : NULL, &(struct snap_pos){i, n});
        if (rc != 0)
            return rc;
        path_pop(rd, mark);
    }
    path_pop(rd, old);
    return 0;
}

static int rd_bulk(struct snap_rd *rd, const struct snap_field *f, const struct range *r,
                   void *parent);

static int
find_enum(const struct snap_enum *en, const char *s)
{
    for (int i = 0; i < en->n; i++)
        if (en->names[i] == NULL ? s == NULL : s != NULL && strcmp(en->names[i], s) == 0)
            return i;
    return -1;
}

/* Field f of the object at obj, whose value (from either road) is v. */
static int
rd_field(struct snap_rd *rd, const struct snap_kind *k, const struct snap_field *f,
         const struct snap_val *v, void *obj, const struct snap_pos *pos)
{
    enum snap_want want = want_of(f);
    bool present = true;
    if (v->t == SV_ABSENT || (v->t == SV_NULL && (f->flags & F_NULL))) {
        if (v->t == SV_ABSENT && (f->flags & F_REQ))
            return fail_key(rd, f->key, "missing; a %s is required here", want_word[want]);
        present = false;
    } else if (!type_ok(v, want)) {
        return fail_key(rd, f->key, "expected %s%s, got %s", want_word[want],
                        (f->flags & F_NULL) ? " or null" : "", snap__type_name(v));
    }
    void *p = (char *)obj + f->off;
    const char *s = present && v->t == SV_STR ? v->s : f->dflt_s;
    long long x = present ? v->i : f->dflt_i;
    switch (f->type) {
    case T_STR:
        if (f->flags & F_BORROW) {
            *(const char **)p = s;
        } else if (f->flags & F_INTERN) {
            *(const char **)p = intern_str(&rd->m->strings, s);
        } else if (s == NULL) {
            free(*(char **)p);
            *(char **)p = NULL;
        } else {
            model_set_str(p, s);
        }
        return 0;
    case T_BUF: {
        size_t n = strlen(s ? s : "");
        if (n >= f->size && !(f->flags & F_CUT))
            return fail_key(rd, f->key, "\"%.40s...\" is too long (at most %zu characters)", s,
                            f->size - 1);
        n = n < f->size ? n : f->size - 1;
        memcpy(p, s ? s : "", n);
        ((char *)p)[n] = '\0';
        return 0;
    }
    case T_BOOL:
        *(bool *)p = present && v->b;
        return 0;
    case T_INT:
    case T_I64:
        if (present && (x < f->min || x > f->max))
            return fail_key(rd, f->key, "%lld is out of range (%lld..%lld)", x, f->min, f->max);
        if (f->type == T_INT)
            *(int *)p = (int)x;
        else
            *(int64_t *)p = x;
        return 0;
    case T_NUM:
        *(double *)p = !present ? f->dflt_d : v->t == SV_INT ? (double)v->i : v->d;
        return 0;
    case T_TIME:
        *(int64_t *)p = 0;
        if (present && clock_parse_rfc3339(s, p) != 0)
            return fail_key(rd, f->key,
                            "\"%.60s\" is not an RFC 3339 time (like 2026-11-25T08:00:00Z)", s);
        return 0;
    case T_TRI:
        *(signed char *)p = !present ? 0 : v->b ? 2 : 1;
        return 0;
    case T_ENUM: {
        int e = find_enum(f->en, s);
        if (e < 0)
            return fail_key(rd, f->key, "unknown value \"%.40s\" (expected %s)", s ? s : "null",
                            f->en->expected);
        *(int *)p = e;
        return 0;
    }
    case T_OBJ: {
        if (!present)
            return 0;
        if (f->flags & F_KNOWN)
            *(bool *)((char *)p + f->n_off) = true;
        size_t old = path_key(rd, f->key);
        int rc = rd_object(rd, f->kind, &(struct src){.obj = v->j}, obj, p, NULL);
        if (rc == 0)
            path_pop(rd, old);
        return rc;
    }
    case T_LIST:
        if ((f->flags & F_BULK) && k == rd->bulk_kind && pos != NULL && pos->i < rd->n_bulk &&
            rd->bulk[pos->i].len != 0)
            return rd_bulk(rd, f, &rd->bulk[pos->i], obj);
        return present ? rd_objects(rd, f, v, obj, NULL, NULL) : 0;
    case T_ARR: {
        size_t n = snap__arr_len(v);
        if (n == 0)
            return 0;
        *(void **)p = xcalloc(n, f->kind->size);
        return rd_objects(rd, f, v, obj, *(void **)p, (int *)((char *)obj + f->n_off));
    }
    case T_FIX: {
        size_t n = snap__arr_len(v);
        if (n > f->size)
            return fail_key(rd, f->key, "%zu %s, at most %zu", n, f->kind->noun, f->size);
        return present ? rd_objects(rd, f, v, obj, p, (int *)((char *)obj + f->n_off)) : 0;
    }
    case T_STRS: {
        size_t n = snap__arr_len(v);
        if (n == 0)
            return 0;
        char **list = xcalloc(n, sizeof *list); /* unfilled slots stay NULL */
        *(char ***)p = list;
        *(int *)((char *)obj + f->n_off) = (int)n;
        size_t old = path_key(rd, f->key);
        for (size_t i = 0; i < n; i++) {
            struct snap_val e;
            size_t mark = snap__arr_at(rd, v, i, &e);
            if (e.t != SV_STR)
                return snap__fail(rd, "expected string, got %s", snap__type_name(&e));
            list[i] = xstrdup(e.s);
            path_pop(rd, mark);
        }
        path_pop(rd, old);
        return 0;
    }
    case T_CUSTOM: {
        size_t old = path_key(rd, f->key);
        int rc = f->custom->read(rd, present ? v : &(struct snap_val){.t = SV_ABSENT}, obj, pos);
        if (rc == 0)
            path_pop(rd, old);
        return rc;
    }
    }
    return 0;
}

/* ------------------------------------------------------------------ the text road */

/* Walking a document without building it: fn gets each member's key bytes and value range;
 * a non-zero return stops the walk as odd. */
typedef int member_fn(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg);

/* The members of the object at s[i] == '{'. Returns the end of the object, 0 if odd. */
static size_t
scan_object(const char *s, size_t i, size_t n, member_fn *fn, void *arg)
{
    i = jscan_ws(s, i + 1, n);
    if (i < n && s[i] == '}')
        return i + 1;
    for (;;) {
        if (i >= n || s[i] != '"')
            return 0;
        size_t ke = jscan_string(s, i, n);
        if (ke == 0 || memchr(s + i + 1, '\\', ke - i - 2) != NULL)
            return 0;
        size_t v = jscan_ws(s, ke, n);
        if (v >= n || s[v] != ':')
            return 0;
        v = jscan_ws(s, v + 1, n);
        size_t ve = jscan_value(s, v, n);
        if (ve == 0 || ve >= n || fn(s, s + i + 1, ke - i - 2, v, ve, arg) != 0)
            return 0;
        i = jscan_ws(s, ve, n);
        if (i < n && s[i] == '}')
            return i + 1;
        if (i >= n || s[i] != ',')
            return 0;
        i = jscan_ws(s, i + 1, n);
    }
}

/* The elements of the array at s[i] == '['; fn (may be NULL) gets each one's range. Returns
 * the number of elements, or -1 if odd. */
typedef int elem_range_fn(const char *s, size_t vo, size_t ve, void *arg);

static long
scan_array(const char *s, size_t i, size_t n, elem_range_fn *fn, void *arg)
{
    long k = 0;
    i = jscan_ws(s, i + 1, n);
    if (i < n && s[i] == ']')
        return 0;
    for (;;) {
        size_t e = jscan_value(s, i, n);
        if (e == 0 || e >= n || (fn != NULL && fn(s, i, e, arg) != 0))
            return -1;
        k++;
        i = jscan_ws(s, e, n);
        if (i < n && s[i] == ']')
            return k;
        if (i >= n || s[i] != ',')
            return -1;
        i = jscan_ws(s, i + 1, n);
    }
}

/* The value at s[vo..ve) as the writer writes simple values: a string of printable ASCII
 * without escapes (copied into the arena; its offset in v->i until the arena stops
 * growing), true, false, null, or an integer of at most 9 digits. false: anything else,
 * which the tree road reads. */
static bool
text_value(const char *s, size_t vo, size_t ve, struct snap_val *v, struct strbuf *arena)
{
    size_t n = ve - vo;
    if (s[vo] == '"') {
        for (size_t q = vo + 1; q < ve - 1; q++) {
            unsigned char ch = (unsigned char)s[q];
            if (ch == '\\' || ch < 0x20 || ch >= 0x80)
                return false;
        }
        v->t = SV_STR;
        v->i = (long long)arena->len;
        strbuf_appendn(arena, s + vo + 1, n - 2);
        strbuf_appendc(arena, '\0');
        return true;
    }
    if ((n == 4 && memcmp(s + vo, "true", 4) == 0) || (n == 5 && memcmp(s + vo, "false", 5) == 0)) {
        v->t = SV_BOOL;
        v->b = s[vo] == 't';
        return true;
    }
    if (n == 4 && memcmp(s + vo, "null", 4) == 0) {
        v->t = SV_NULL;
        return true;
    }
    /* No sign, fraction, exponent or leading zero: those are the tree road's to judge. */
    if (n > 9 || (s[vo] == '0' && n > 1))
        return false;
    long long x = 0;
    for (size_t q = vo; q < ve; q++) {
        if (s[q] < '0' || s[q] > '9')
            return false;
        x = x * 10 + (s[q] - '0');
    }
    v->t = SV_INT;
    v->i = x;
    return true;
}

struct text_ctx {
    const struct snap_kind *k;
    struct snap_val *slots;
    struct strbuf *arena;
    size_t next; /* where the key search starts: the writer's keys come in table order */
};

static int
text_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct text_ctx *x = arg;
    size_t n = x->k->n_fields, f = n;
    for (size_t i = 0; i < n && f == n; i++) {
        const char *want = x->k->fields[(x->next + i) % n].key;
        if (strlen(want) == klen && memcmp(want, key, klen) == 0)
            f = (x->next + i) % n;
    }
    /* An unknown key's value is not validated here, and a repeated key is malformed: both
     * are the tree road's to judge. */
    if (f == n || x->slots[f].t != SV_ABSENT)
        return -1;
    x->next = f + 1;
    return text_value(s, vo, ve, &x->slots[f], x->arena) ? 0 : -1;
}

/* The object of kind k in s[0..n) from the text. *done says whether it was (it is not when
 * it has any other shape); returns 0 or the error of reading it. */
static int
rd_text(struct snap_rd *rd, const struct snap_kind *k, const char *s, size_t n, void *parent,
        const struct snap_pos *pos, bool *done)
{
    struct snap_val slots[TEXT_MAX_FIELDS];
    *done = false;
    if (k->n_fields > TEXT_MAX_FIELDS)
        return 0;
    memset(slots, 0, k->n_fields * sizeof slots[0]); /* SV_ABSENT */
    strbuf_reset(&rd->arena);
    if (scan_object(s, 0, n, text_member, &(struct text_ctx){k, slots, &rd->arena, 0}) != n)
        return 0;
    for (size_t i = 0; i < k->n_fields; i++)
        if (slots[i].t == SV_STR)
            slots[i].s = rd->arena.s + slots[i].i;
    *done = true;
    return rd_object(rd, k, &(struct src){.slots = slots}, parent, NULL, pos);
}

/* The F_BULK list f of parent from the range the split kept: each element by the text road
 * when it can, else as its own small tree. A piece jansson refuses is PXE_PARSE, which
 * sends the load to the whole-document parse for its exact message. */
static int
rd_bulk(struct snap_rd *rd, const struct snap_field *f, const struct range *r, void *parent)
{
    const char *s = rd->buf + r->off;
    size_t n = r->len, i = jscan_ws(s, 1, n), k = 0;
    size_t old = path_key(rd, f->key);
    while (i < n && s[i] != ']') {
        size_t e = jscan_value(s, i, n);
        if (e == 0)
            return pxerr_set(rd->err, PXE_PARSE, "%s: malformed %s", rd->name, f->key);
        size_t mark = path_idx(rd, k);
        struct snap_pos pos = {k, r->n};
        bool done = false;
        int rc;
        if (s[i] == '{' && (rc = rd_text(rd, f->kind, s + i, e - i, parent, &pos, &done)) != 0)
            return rc;
        if (!done) {
            json_t *j = json_loadb(s + i, e - i, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
            if (j == NULL)
                return pxerr_set(rd->err, PXE_PARSE, "%s: malformed %s", rd->name, f->key);
            struct snap_val v;
            val_of(j, &v);
            rc = v.t == SV_OBJ ? rd_object(rd, f->kind, &(struct src){.obj = j}, parent, NULL, &pos)
                               : snap__fail(rd, "expected object, got %s", snap__type_name(&v));
            json_decref(j);
            if (rc != 0)
                return rc;
        }
        path_pop(rd, mark);
        k++;
        i = jscan_ws(s, e, n);
        if (i < n && s[i] == ',')
            i = jscan_ws(s, i + 1, n);
    }
    path_pop(rd, old);
    return 0;
}

/* ------------------------------------------------------------------ the split
 *
 * A 20,000-pod snapshot is 10 MB; parsed as one jansson tree it took 200 ms before the first
 * frame of a replay, most of it building and freeing that tree. The split cuts the document
 * with jscan instead: everything but the F_BULK arrays is parsed as small trees and
 * assembled into the same root object; each F_BULK array is kept as a byte range and read
 * element by element while loading (rd_bulk). Anything odd (a syntax error, a duplicate
 * key, a key with an escape, trailing bytes, a schema error) abandons the split, and the
 * whole document is parsed as one tree, so every error message is exactly the tree's. */

struct split {
    json_t *obj;                   /* the object being assembled */
    struct snap_rd *rd;            /* ranges go to rd->bulk */
    const struct snap_field *list; /* the root list whose elements carry an F_BULK field */
    const char *bulk_key;          /* that field's name */
    struct range r;                /* the element's, while splitting it */
};

static const struct snap_field *
bulk_field(const struct snap_kind *k)
{
    for (size_t i = 0; k != NULL && i < k->n_fields; i++)
        if (k->fields[i].flags & F_BULK)
            return &k->fields[i];
    return NULL;
}

static int
set_parsed(json_t *obj, const char *s, const char *key, size_t klen, size_t vo, size_t ve)
{
    if (json_object_getn(obj, key, klen) != NULL)
        return -1; /* duplicate: the whole parse words it */
    json_t *v = json_loadb(s + vo, ve - vo, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (v == NULL)
        return -1;
    return json_object_setn_new(obj, key, klen, v);
}

static bool
key_is(const char *key, size_t klen, const char *want)
{
    return strlen(want) == klen && memcmp(key, want, klen) == 0;
}

static int
elem_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct split *sp = arg;
    bool bulk = key_is(key, klen, sp->bulk_key);
    if (bulk && sp->r.len != 0)
        return -1;
    if (bulk && s[vo] == '[' && json_object_getn(sp->obj, key, klen) == NULL) {
        long n = scan_array(s, vo, ve, NULL, NULL);
        if (n < 0)
            return -1;
        sp->r = (struct range){vo, ve - vo, (size_t)n};
        return 0;
    }
    return set_parsed(sp->obj, s, key, klen, vo, ve);
}

static int
list_elem(const char *s, size_t vo, size_t ve, void *arg)
{
    struct split *root = arg;
    struct snap_rd *rd = root->rd;
    json_t *arr = json_object_get(root->obj, root->list->key);
    struct split sp = {.rd = rd, .bulk_key = root->bulk_key};
    if (s[vo] == '{') {
        sp.obj = json_object();
        if (scan_object(s, vo, ve, elem_member, &sp) != ve) {
            json_decref(sp.obj);
            return -1;
        }
    } else if ((sp.obj = json_loadb(s + vo, ve - vo, JSON_DECODE_ANY, NULL)) == NULL) {
        return -1;
    }
    json_array_append_new(arr, sp.obj);
    rd->bulk = xreallocarray(rd->bulk, rd->n_bulk + 1, sizeof *rd->bulk);
    rd->bulk[rd->n_bulk++] = sp.r;
    return 0;
}

static int
root_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct split *sp = arg;
    if (key_is(key, klen, sp->list->key) && s[vo] == '[') {
        if (json_object_getn(sp->obj, key, klen) != NULL)
            return -1;
        json_object_set_new(sp->obj, sp->list->key, json_array());
        return scan_array(s, vo, ve, list_elem, sp) < 0 ? -1 : 0;
    }
    return set_parsed(sp->obj, s, key, klen, vo, ve);
}

/* The root object with the F_BULK arrays left as ranges in rd, or NULL: parse whole. */
static json_t *
split_doc(const char *buf, size_t len, struct snap_rd *rd)
{
    struct split sp = {.rd = rd};
    for (size_t i = 0; i < snap__root.n_fields && sp.list == NULL; i++) {
        const struct snap_field *b = bulk_field(snap__root.fields[i].kind);
        if (snap__root.fields[i].type == T_LIST && b != NULL) {
            sp.list = &snap__root.fields[i];
            sp.bulk_key = b->key;
        }
    }
    size_t i = jscan_ws(buf, 0, len);
    if (sp.list == NULL || i >= len || buf[i] != '{')
        return NULL;
    sp.obj = json_object();
    size_t e = scan_object(buf, i, len, root_member, &sp);
    if (e == 0 || jscan_ws(buf, e, len) != len) {
        json_decref(sp.obj);
        free(rd->bulk);
        rd->bulk = NULL;
        rd->n_bulk = 0;
        return NULL;
    }
    rd->buf = buf;
    rd->bulk_kind = sp.list->kind;
    return sp.obj;
}

/* ------------------------------------------------------------------ loading */

static int
rd_root(struct snap_rd *rd, json_t *root)
{
    struct snap_val v;
    val_of(root, &v);
    if (v.t != SV_OBJ)
        return snap__fail(rd, "expected object, got %s", snap__type_name(&v));
    return rd_object(rd, &snap__root, &(struct src){.obj = root}, NULL, rd->m, NULL);
}

static void
rd_reset(struct snap_rd *rd)
{
    free(rd->bulk);
    rd->bulk = NULL;
    rd->n_bulk = 0;
    rd->bulk_kind = NULL;
    rd->buf = NULL;
    rd->plen = 0;
    rd->path[0] = '\0';
}

int
snap_load_buf(const char *buf, size_t len, const char *name, struct model *m, struct pxerr *err)
{
    if (name == NULL)
        name = "<snapshot>";
    struct snap_rd rd = {.name = name, .err = err, .m = model_new()};
    strbuf_init(&rd.arena);
    int rc = -1;
    json_t *root = split_doc(buf, len, &rd);
    if (root != NULL) {
        struct pxerr quiet;
        rd.err = &quiet;
        rc = rd_root(&rd, root);
        json_decref(root);
        rd.err = err;
        if (rc != 0) { /* the whole parse says what is wrong, in its words */
            model_free(rd.m);
            rd.m = model_new();
        }
    }
    rd_reset(&rd);
    strbuf_fini(&rd.arena);
    if (rc != 0) {
        json_error_t jerr;
        root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (root == NULL) {
            model_free(rd.m);
            return pxerr_set(err, PXE_PARSE, "%s:%d:%d: %s", name, jerr.line, jerr.column,
                             jerr.text);
        }
        rc = rd_root(&rd, root);
        json_decref(root);
    }
    if (rc != 0) {
        model_free(rd.m);
        return rc;
    }
    /* Swap bodies: nothing inside a model points at the struct itself (objects point
     * into the intern pool's heap entries and into their own allocations), so the
     * caller's pointer stays valid and now holds the new contents. */
    uint64_t seq = m->seq;
    void (*on_dirty)(struct model *, void *) = m->on_dirty;
    void *on_dirty_arg = m->on_dirty_arg;
    struct model tmp = *m;
    *m = *rd.m;
    *rd.m = tmp;
    model_free(rd.m);
    /* The caller's wiring stays with the caller's model, and hears of the change. */
    m->on_dirty = on_dirty;
    m->on_dirty_arg = on_dirty_arg;
    m->replay = true;
    m->seq = seq;
    model_touch(m, DIRTY_ALL);
    return 0;
}

int
snap_load_file(const char *path, struct model *m, struct pxerr *err)
{
    char *buf = NULL;
    size_t n = 0;
    int rc = file_read(path, SNAP_MAX_FILE, &buf, &n, err);
    if (rc != 0) {
        pxerr_prefix(err, "snapshot ");
        return rc;
    }
    rc = snap_load_buf(buf, n, path, m, err);
    free(buf);
    return rc;
}
