/* yamlu: YAML (libyaml events) into a jansson tree, plus a side table of where every node
 * started, so that kubeconfig and config errors can name FILE:LINE. It is deliberately not a
 * general YAML library: one document, the core schema, no tags beyond !!str, no emitter.
 * The typed getters and the strict key check are here because both readers of YAML need the
 * same wording for the same mistakes. */
#include "codec/yamlu.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "file.h"
#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "codec/yamldocs.h"

#define PATH_MAX_LEN 512
#define MAX_DEPTH 64
#define MAX_FILE_BYTES (16u << 20) /* a kubeconfig or config file is a few KB */

struct mark {
    int line, col; /* 1-based */
};

struct yamlu_marks {
    struct hmap idx;  /* path -> struct mark * (borrowed from items) */
    struct vec items; /* owned struct mark * */
};

struct loader {
    yaml_parser_t parser;
    struct yamlu_doc *doc;
    struct hmap anchors; /* anchor -> json_t * (one reference held in anchor_refs) */
    struct vec anchor_refs;
    struct pxerr *err;
    const char *buf; /* the input, for the position of a reader error */
    size_t len;
    int rc;
};

static void
decref_item(void *p)
{
    json_decref(p);
}

static void
add_mark(struct yamlu_doc *d, const char *path, const yaml_mark_t *m)
{
    if (hmap_get(&d->marks->idx, path) != NULL)
        return;
    struct mark *mk = xmalloc(sizeof *mk);
    mk->line = (int)m->line + 1;
    mk->col = (int)m->column + 1;
    vec_push(&d->marks->items, mk);
    hmap_put(&d->marks->idx, path, mk);
}

static const struct mark *
find_mark(const struct yamlu_doc *d, const char *path)
{
    if (d == NULL || d->marks == NULL || path == NULL)
        return NULL;
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        const struct mark *mk = hmap_get(&d->marks->idx, buf);
        if (mk != NULL)
            return mk;
        if (buf[0] == '\0')
            return NULL;
        /* Drop the last component: ".key" or "[i]". */
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] != '.' && buf[n - 1] != '[')
            n--;
        buf[n > 0 ? n - 1 : 0] = '\0';
    }
}

int
yamlu_line(const struct yamlu_doc *d, const char *path)
{
    const struct mark *mk = find_mark(d, path);
    return mk ? mk->line : 0;
}

int
yamlu_col(const struct yamlu_doc *d, const char *path)
{
    const struct mark *mk = find_mark(d, path);
    return mk ? mk->col : 0;
}

int
yamlu_err(const struct yamlu_doc *d, struct pxerr *err, int code, const char *path, const char *fmt,
          ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = yamlu_line(d, path);
    const char *file = d && d->file ? d->file : "<yaml>";
    const char *sep = path && path[0] ? ": " : "";
    if (line > 0)
        return pxerr_set(err, code, "%s:%d: %s%s%s", file, line, path ? path : "", sep, msg);
    return pxerr_set(err, code, "%s: %s%s%s", file, path ? path : "", sep, msg);
}

void
yamlu_path_key(char *buf, size_t n, const char *path, const char *key)
{
    if (path == NULL || path[0] == '\0')
        snprintf(buf, n, "%s", key);
    else
        snprintf(buf, n, "%s.%s", path, key);
}

void
yamlu_path_idx(char *buf, size_t n, const char *path, size_t i)
{
    snprintf(buf, n, "%s[%zu]", path ? path : "", i);
}

/* ------------------------------------------------------------------ scalars */

static bool
is_one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

static bool
all_digits(const char *s, int (*isok)(int))
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!isok((unsigned char)*s))
            return false;
    return true;
}

static int
is_dec(int c)
{
    return c >= '0' && c <= '9';
}
static int
is_oct(int c)
{
    return c >= '0' && c <= '7';
}
static int
is_hex(int c)
{
    return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool
is_float(const char *s)
{
    /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t int_digits = 0, frac_digits = 0;
    while (is_dec(*p)) {
        p++;
        int_digits++;
    }
    bool dot = false;
    if (*p == '.') {
        dot = true;
        p++;
        while (is_dec(*p)) {
            p++;
            frac_digits++;
        }
    }
    if (int_digits == 0 && frac_digits == 0)
        return false;
    if (!dot && *p != 'e' && *p != 'E')
        return false; /* plain integer: handled elsewhere */
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_dec(*p))
            return false;
        while (is_dec(*p))
            p++;
    }
    return *p == '\0';
}

/* Plain scalar per the YAML 1.2 core schema. Integers that do not fit stay strings. */
static json_t *
plain_scalar(const char *s, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    if (strlen(s) != len)
        return json_stringn(s, len); /* embedded NUL: only a string can hold it */
    if (is_one_of(s, nulls))
        return json_null();
    if (is_one_of(s, trues))
        return json_true();
    if (is_one_of(s, falses))
        return json_false();
    const char *p = s;
    int base = 0;
    if (*p == '+' || *p == '-') {
        if (all_digits(p + 1, is_dec))
            base = 10;
    } else if (p[0] == '0' && p[1] == 'o' && all_digits(p + 2, is_oct)) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && p[1] == 'x' && all_digits(p + 2, is_hex)) {
        base = 16;
        p += 2;
    } else if (all_digits(p, is_dec)) {
        base = 10;
    }
    if (base != 0) {
        errno = 0;
        char *end;
        long long v = strtoll(p, &end, base);
        if (errno == 0 && *end == '\0')
            return json_integer(v);
        return json_stringn(s, len);
    }
    if (is_float(s))
        return json_real(strtod(s, NULL));
    if (strcmp(s, ".inf") == 0 || strcmp(s, "+.inf") == 0 || strcmp(s, ".Inf") == 0 ||
        strcmp(s, ".INF") == 0)
        return json_string(s); /* jansson cannot hold infinities; keep the text */
    return json_stringn(s, len);
}

/* ------------------------------------------------------------------ loader */

static int
parser_error(struct loader *L)
{
    return yamldocs_parser_error(&L->parser, L->doc->file, L->buf, L->len, L->err);
}

static int
next_event(struct loader *L, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&L->parser, ev))
        return parser_error(L);
    return 0;
}

static int
mark_err(struct loader *L, const yaml_mark_t *m, const char *what)
{
    return pxerr_set(L->err, PXE_PARSE, "%s:%zu:%zu: %s", L->doc->file, m->line + 1, m->column + 1,
                     what);
}

static int parse_node(struct loader *L, yaml_event_t *ev, const char *path, int depth,
                      json_t **out);

static void
remember_anchor(struct loader *L, const yaml_char_t *anchor, json_t *v)
{
    if (anchor == NULL)
        return;
    json_incref(v);
    vec_push(&L->anchor_refs, v);
    hmap_put(&L->anchors, (const char *)anchor, v); /* a redefined anchor replaces the old */
}

/* The text of a mapping key (scalar only). */
static int
read_key(struct loader *L, yaml_event_t *ev, char **key)
{
    if (ev->type != YAML_SCALAR_EVENT)
        return mark_err(L, &ev->start_mark, "only plain scalar mapping keys are supported");
    *key = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
    return 0;
}

static int
parse_mapping(struct loader *L, yaml_event_t *start, const char *path, int depth, json_t **out)
{
    json_t *obj = json_object();
    json_t *merges = NULL;
    char child[PATH_MAX_LEN];
    int rc = 0;
    for (;;) {
        yaml_event_t kev;
        if ((rc = next_event(L, &kev)) != 0)
            break;
        if (kev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&kev);
            break;
        }
        char *key = NULL;
        rc = read_key(L, &kev, &key);
        bool merge =
            rc == 0 && kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(key, "<<") == 0;
        yaml_mark_t kmark = kev.start_mark;
        yaml_event_delete(&kev);
        if (rc != 0)
            break;
        yamlu_path_key(child, sizeof child, path, key);
        if (!merge && json_object_get(obj, key) != NULL) {
            char what[PATH_MAX_LEN + 64];
            snprintf(what, sizeof what, "%s: duplicate key '%s' (first at line %d)",
                     path[0] ? path : "(top level)", key, yamlu_line(L->doc, child));
            free(key);
            rc = mark_err(L, &kmark, what);
            break;
        }
        if (!merge)
            add_mark(L->doc, child, &kmark);
        yaml_event_t vev;
        if ((rc = next_event(L, &vev)) != 0) {
            free(key);
            break;
        }
        json_t *val = NULL;
        rc = parse_node(L, &vev, child, depth + 1, &val);
        yaml_event_delete(&vev);
        if (rc != 0) {
            free(key);
            break;
        }
        if (merge) {
            /* "<<: *base" or "<<: [*a, *b]": keys given explicitly win, so apply at the end. */
            if (merges == NULL)
                merges = json_array();
            if (json_is_array(val)) {
                size_t i;
                json_t *m;
                json_array_foreach(val, i, m) json_array_append(merges, m);
                json_decref(val);
            } else {
                json_array_append_new(merges, val);
            }
            free(key);
            continue;
        }
        json_object_set_new(obj, key, val);
        free(key);
    }
    if (rc == 0 && merges != NULL) {
        size_t i;
        json_t *m;
        json_array_foreach(merges, i, m)
        {
            if (!json_is_object(m)) {
                rc = mark_err(L, &start->start_mark, "'<<' merge value is not a mapping");
                break;
            }
            json_object_update_missing(obj, m);
        }
    }
    json_decref(merges);
    if (rc != 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int
parse_sequence(struct loader *L, const char *path, int depth, json_t **out)
{
    json_t *arr = json_array();
    char child[PATH_MAX_LEN];
    int rc = 0;
    for (size_t i = 0;; i++) {
        yaml_event_t ev;
        if ((rc = next_event(L, &ev)) != 0)
            break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yamlu_path_idx(child, sizeof child, path, i);
        json_t *val = NULL;
        rc = parse_node(L, &ev, child, depth + 1, &val);
        yaml_event_delete(&ev);
        if (rc != 0)
            break;
        json_array_append_new(arr, val);
    }
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static int
parse_node(struct loader *L, yaml_event_t *ev, const char *path, int depth, json_t **out)
{
    if (depth > MAX_DEPTH)
        return mark_err(L, &ev->start_mark, "nesting deeper than 64 levels");
    add_mark(L->doc, path, &ev->start_mark);
    int rc;
    json_t *v = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *s = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        const char *tag = (const char *)ev->data.scalar.tag;
        bool force_str = tag != NULL && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0);
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !force_str)
            v = plain_scalar(s, len);
        else
            v = json_stringn(s, len);
        if (v == NULL)
            return mark_err(L, &ev->start_mark, "scalar is not valid UTF-8");
        remember_anchor(L, ev->data.scalar.anchor, v);
        *out = v;
        return 0;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        json_t *a = hmap_get(&L->anchors, name);
        if (a == NULL) {
            char what[160];
            snprintf(what, sizeof what, "unknown alias '*%s' (anchors must come first)", name);
            return mark_err(L, &ev->start_mark, what);
        }
        *out = json_incref(a);
        return 0;
    }
    case YAML_MAPPING_START_EVENT:
        rc = parse_mapping(L, ev, path, depth, &v);
        if (rc == 0)
            remember_anchor(L, ev->data.mapping_start.anchor, v);
        break;
    case YAML_SEQUENCE_START_EVENT:
        rc = parse_sequence(L, path, depth, &v);
        if (rc == 0)
            remember_anchor(L, ev->data.sequence_start.anchor, v);
        break;
    default:
        return mark_err(L, &ev->start_mark, "unexpected YAML event");
    }
    if (rc == 0)
        *out = v;
    return rc;
}

static int
load_stream(struct loader *L)
{
    yaml_event_t ev;
    int rc;
    if ((rc = next_event(L, &ev)) != 0)
        return rc;
    yaml_event_delete(&ev); /* STREAM_START */
    if ((rc = next_event(L, &ev)) != 0)
        return rc;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0; /* empty file */
    }
    yaml_event_delete(&ev); /* DOCUMENT_START */
    if ((rc = next_event(L, &ev)) != 0)
        return rc;
    json_t *root = NULL;
    rc = parse_node(L, &ev, "", 0, &root);
    yaml_event_delete(&ev);
    if (rc != 0)
        return rc;
    L->doc->root = root;
    if ((rc = next_event(L, &ev)) != 0)
        return rc;
    yaml_event_delete(&ev); /* DOCUMENT_END */
    if ((rc = next_event(L, &ev)) != 0)
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT) {
        rc = mark_err(L, &ev.start_mark, "a second YAML document ('---'): only one is read");
        yaml_event_delete(&ev);
        return rc;
    }
    yaml_event_delete(&ev);
    return 0;
}

int
yamlu_load_buf(const char *name, const char *buf, size_t len, struct yamlu_doc **out,
               struct pxerr *err)
{
    struct yamlu_doc *d = xcalloc(1, sizeof *d);
    d->file = xstrdup(name ? name : "<yaml>");
    d->marks = xcalloc(1, sizeof *d->marks);
    hmap_init(&d->marks->idx);
    vec_init(&d->marks->items, free);

    struct loader L = {.doc = d, .err = err, .buf = buf, .len = len};
    hmap_init(&L.anchors);
    vec_init(&L.anchor_refs, decref_item);
    if (!yaml_parser_initialize(&L.parser)) {
        yamlu_free(d);
        return pxerr_set(err, PXE_INTERNAL, "%s: cannot initialise the YAML parser", name);
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)buf, len);
    yaml_parser_set_encoding(&L.parser, YAML_UTF8_ENCODING);
    int rc = load_stream(&L);
    yaml_parser_delete(&L.parser);
    hmap_fini(&L.anchors);
    vec_fini(&L.anchor_refs);
    if (rc != 0) {
        yamlu_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int
yamlu_load_file(const char *path, struct yamlu_doc **out, struct pxerr *err)
{
    /* A kubeconfig holds tokens and keys: the raw text is zeroed once parsed. */
    char *buf = NULL;
    size_t len = 0;
    int rc = file_read_secret(path, MAX_FILE_BYTES, &buf, &len, err);
    if (rc != 0)
        return rc;
    rc = yamlu_load_buf(path, buf, len, out, err);
    file_free_secret(buf, len);
    return rc;
}

void
yamlu_free(struct yamlu_doc *d)
{
    if (d == NULL)
        return;
    json_decref(d->root);
    if (d->marks != NULL) {
        hmap_fini(&d->marks->idx);
        vec_fini(&d->marks->items);
        free(d->marks);
    }
    free(d->file);
    free(d);
}

/* ------------------------------------------------------------------ getters */

const char *
yamlu_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "a mapping";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Short rendering of a scalar for "got ..." messages. */
static void
scalar_text(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        snprintf(buf, n, " (\"%.40s%s\")", json_string_value(v),
                 json_string_length(v) > 40 ? "..." : "");
        break;
    case JSON_INTEGER:
        snprintf(buf, n, " (%lld)", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, n, " (%g)", json_real_value(v));
        break;
    case JSON_TRUE:
        snprintf(buf, n, " (true)");
        break;
    case JSON_FALSE:
        snprintf(buf, n, " (false)");
        break;
    default:
        buf[0] = '\0';
    }
}

static int
type_err(const struct yamlu_doc *d, const char *path, const char *key, const json_t *v,
         const char *want, struct pxerr *err)
{
    char p[PATH_MAX_LEN], got[64];
    yamlu_path_key(p, sizeof p, path, key);
    scalar_text(v, got, sizeof got);
    return yamlu_err(d, err, PXE_SCHEMA, p, "expected %s, got %s%s", want, yamlu_type_name(v), got);
}

static json_t *
member(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return v == NULL || json_is_null(v) ? NULL : v;
}

int
yamlu_get_str(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
              const char **out, struct pxerr *err)
{
    json_t *v = member(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return type_err(d, path, key, v, "a string", err);
    *out = json_string_value(v);
    return 0;
}

int
yamlu_get_bool(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key, bool *out,
               struct pxerr *err)
{
    json_t *v = member(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return type_err(d, path, key, v, "true or false", err);
    *out = json_is_true(v);
    return 0;
}

int
yamlu_get_int(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
              long long min, long long max, long long *out, struct pxerr *err)
{
    json_t *v = member(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v))
        return type_err(d, path, key, v, "an integer", err);
    long long x = json_integer_value(v);
    if (x < min || x > max) {
        char p[PATH_MAX_LEN];
        yamlu_path_key(p, sizeof p, path, key);
        return yamlu_err(d, err, PXE_SCHEMA, p, "must be between %lld and %lld, got %lld", min, max,
                         x);
    }
    *out = x;
    return 0;
}

int
yamlu_get_obj(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
              json_t **out, struct pxerr *err)
{
    json_t *v = member(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_object(v))
        return type_err(d, path, key, v, "a mapping", err);
    *out = v;
    return 0;
}

int
yamlu_get_arr(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
              json_t **out, struct pxerr *err)
{
    json_t *v = member(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_array(v))
        return type_err(d, path, key, v, "a list", err);
    *out = v;
    return 0;
}

/* ------------------------------------------------------------- strict keys */

size_t
yamlu_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX / 2; /* no suggestion for absurd keys; keeps the row on the stack */
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *
yamlu_suggest(const char *s, const char *const *cands)
{
    /* Close enough: 2 edits, or a third of the word for long keys ("refreshSecs"). */
    const char *best = NULL;
    size_t best_d = (strlen(s) / 3 > 2 ? strlen(s) / 3 : 2) + 1;
    for (; *cands; cands++) {
        if (strcasecmp(s, *cands) == 0)
            return *cands;
        size_t dist = yamlu_edit_distance(s, *cands);
        if (dist < best_d) {
            best_d = dist;
            best = *cands;
        }
    }
    return best;
}

/* A key fit to quote: short, and made of what names are made of. */
static bool
key_quotable(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 40)
        return false;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && !strchr("_-.", *k))
            return false;
    return true;
}

int
yamlu_check_keys(const struct yamlu_doc *d, json_t *obj, const char *path,
                 const char *const *allowed, struct pxerr *err)
{
    /* A top-level mapping with none of the allowed keys may be another file altogether
     * (a password file given as the config): its keys are not quoted, only its line. */
    bool recognised = path != NULL && path[0] != '\0';
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (is_one_of(key, allowed))
            recognised = true;
    }
    json_object_foreach(obj, key, v)
    {
        if (is_one_of(key, allowed))
            continue;
        char p[PATH_MAX_LEN];
        yamlu_path_key(p, sizeof p, path, key);
        const char *sug = yamlu_suggest(key, allowed);
        if (sug != NULL && key_quotable(key))
            return yamlu_err(d, err, PXE_SCHEMA, p, "unknown key (did you mean '%s'?)", sug);
        struct strbuf sb;
        strbuf_init(&sb);
        for (const char *const *a = allowed; *a; a++)
            strbuf_appendf(&sb, "%s%s", a == allowed ? "" : ", ", *a);
        int rc;
        if (recognised && key_quotable(key)) {
            rc = yamlu_err(d, err, PXE_SCHEMA, p, "unknown key (known: %s)", sb.s);
        } else {
            const char *file = d && d->file ? d->file : "<yaml>";
            rc = pxerr_set(err, PXE_SCHEMA,
                           "%s:%d: %s%san unknown key, not quoted (known: %s); "
                           "is it the right file?",
                           file, yamlu_line(d, p), path ? path : "", path && path[0] ? ": " : "",
                           sb.s);
        }
        strbuf_fini(&sb);
        return rc;
    }
    return 0;
}
