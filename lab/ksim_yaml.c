/* ksim_yaml: YAML documents to jansson trees, as the API server's YAML decoder does
 * (sigs.k8s.io/yaml): plain scalars resolve to null, booleans and numbers, quoted ones
 * stay strings, anchors and aliases are expanded. Used for seeds, CRD files, apply
 * bodies and an existing kubeconfig. The emitter writes block YAML with every string
 * double-quoted, which is enough for the kubeconfig kubesim writes. */
#include "ksim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "xmalloc.h"

void
ksim_json_decref_fn(void *p)
{
    json_decref(p);
}

struct yctx {
    yaml_parser_t parser;
    const char *what;
    struct hmap anchors; /* anchor -> owned json_t * */
    struct pxerr *err;
};

static bool
is_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool
is_float(const char *s)
{
    char *end;
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s) || !strpbrk(s, "0123456789"))
        return false;
    errno = 0;
    (void)strtod(s, &end);
    return *end == '\0' && errno == 0;
}

static json_t *
scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0)
        return json_stringn(v, len);
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(v, len);
    if (len == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
        strcmp(v, "NULL") == 0)
        return json_null();
    if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
        return json_true();
    if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
        return json_false();
    if (is_int(v) && len < 19)
        return json_integer(strtoll(v, NULL, 10));
    if (is_float(v))
        return json_real(strtod(v, NULL));
    return json_stringn(v, len);
}

static int
fail(struct yctx *y, const yaml_mark_t *m, const char *msg)
{
    return pxerr_set(y->err, PXE_PARSE, "%s:%zu:%zu: %s", y->what, m->line + 1, m->column + 1, msg);
}

static int
next(struct yctx *y, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&y->parser, ev))
        return pxerr_set(y->err, PXE_PARSE, "%s:%zu:%zu: %s%s%s", y->what,
                         y->parser.problem_mark.line + 1, y->parser.problem_mark.column + 1,
                         y->parser.problem ? y->parser.problem : "YAML syntax error",
                         y->parser.context ? " " : "", y->parser.context ? y->parser.context : "");
    return 0;
}

static void
remember(struct yctx *y, const yaml_char_t *anchor, json_t *node)
{
    if (anchor == NULL)
        return;
    json_t *old = hmap_put(&y->anchors, (const char *)anchor, json_incref(node));
    json_decref(old);
}

/* Build the node that starts with ev (consumed). */
static int
node(struct yctx *y, yaml_event_t *ev, json_t **out)
{
    int rc = 0;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        *out = scalar(ev);
        remember(y, ev->data.scalar.anchor, *out);
        yaml_event_delete(ev);
        return 0;
    case YAML_ALIAS_EVENT: {
        json_t *a = hmap_get(&y->anchors, (const char *)ev->data.alias.anchor);
        if (a == NULL) {
            rc = fail(y, &ev->start_mark, "unknown alias");
            yaml_event_delete(ev);
            return rc;
        }
        *out = json_deep_copy(a);
        yaml_event_delete(ev);
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT: {
        json_t *arr = json_array();
        remember(y, ev->data.sequence_start.anchor, arr);
        yaml_event_delete(ev);
        for (;;) {
            yaml_event_t e;
            if ((rc = next(y, &e)) != 0)
                break;
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                *out = arr;
                return 0;
            }
            json_t *item;
            if ((rc = node(y, &e, &item)) != 0)
                break;
            json_array_append_new(arr, item);
        }
        json_decref(arr);
        return rc;
    }
    case YAML_MAPPING_START_EVENT: {
        json_t *obj = json_object();
        remember(y, ev->data.mapping_start.anchor, obj);
        yaml_event_delete(ev);
        for (;;) {
            yaml_event_t k;
            if ((rc = next(y, &k)) != 0)
                break;
            if (k.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&k);
                *out = obj;
                return 0;
            }
            yaml_mark_t km = k.start_mark;
            json_t *key;
            if ((rc = node(y, &k, &key)) != 0)
                break;
            char kbuf[64];
            const char *ks = json_string_value(key);
            if (ks == NULL) { /* a non-string key (true, 1): use its text */
                if (json_is_integer(key))
                    snprintf(kbuf, sizeof kbuf, "%lld", (long long)json_integer_value(key));
                else if (json_is_boolean(key))
                    snprintf(kbuf, sizeof kbuf, "%s", json_is_true(key) ? "true" : "false");
                else if (json_is_null(key))
                    snprintf(kbuf, sizeof kbuf, "null");
                else {
                    json_decref(key);
                    rc = fail(y, &km, "mapping key must be a scalar");
                    break;
                }
                ks = kbuf;
            }
            yaml_event_t v;
            json_t *val;
            if ((rc = next(y, &v)) != 0 || (rc = node(y, &v, &val)) != 0) {
                json_decref(key);
                break;
            }
            if (strcmp(ks, "<<") == 0 && json_is_object(val)) {
                json_object_update_missing(obj, val); /* YAML merge key */
                json_decref(val);
            } else {
                json_object_set_new(obj, ks, val);
            }
            json_decref(key);
        }
        json_decref(obj);
        return rc;
    }
    default:
        rc = fail(y, &ev->start_mark, "unexpected YAML event");
        yaml_event_delete(ev);
        return rc;
    }
}

int
ksim_yaml_parse(const char *text, size_t len, const char *what, struct vec *docs, struct pxerr *err)
{
    struct yctx y = {.what = what, .err = err};
    struct vec got;
    vec_init(&got, ksim_json_decref_fn);
    hmap_init(&y.anchors);
    yaml_parser_initialize(&y.parser);
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if ((rc = next(&y, &ev)) != 0)
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT || t == YAML_DOCUMENT_END_EVENT ||
            t == YAML_STREAM_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        json_t *doc;
        if ((rc = node(&y, &ev, &doc)) != 0)
            break;
        if (json_is_null(doc))
            json_decref(doc);
        else
            vec_push(&got, doc);
    }
    yaml_parser_delete(&y.parser);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&y.anchors, &it, &k, &v);)
        json_decref(v);
    hmap_fini(&y.anchors);
    if (rc == 0)
        while (got.n > 0)
            vec_push(docs, vec_take(&got, 0));
    vec_fini(&got);
    return rc;
}

int
ksim_yaml_load_file(const char *path, struct vec *docs, struct pxerr *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "%s: cannot open: %s", path, strerror(errno));
    struct strbuf sb;
    strbuf_init(&sb);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&sb, buf, n);
    bool bad = ferror(f);
    fclose(f);
    int rc = bad ? pxerr_set(err, PXE_IO, "%s: read error", path)
                 : ksim_yaml_parse(sb.s, sb.len, path, docs, err);
    strbuf_fini(&sb);
    return rc;
}

/* ---- emitter ---- */

static void
emit_str(const char *s, struct strbuf *out)
{
    json_t *j = json_string(s);
    char *d = json_dumps(j, JSON_ENCODE_ANY);
    strbuf_append(out, d);
    free(d);
    json_decref(j);
}

static void
emit_scalar(const json_t *v, struct strbuf *out)
{
    if (json_is_string(v)) {
        emit_str(json_string_value(v), out);
    } else {
        char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        strbuf_append(out, d);
        free(d);
    }
}

static void emit_node(const json_t *v, int indent, struct strbuf *out);

/* A key that YAML reads back as the same string without quotes. */
static bool
plain_key(const char *k)
{
    if (!*k || strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") !=
                   strlen(k))
        return false;
    json_t *probe = NULL;
    yaml_event_t ev = {.type = YAML_SCALAR_EVENT};
    ev.data.scalar.value = (yaml_char_t *)k;
    ev.data.scalar.length = strlen(k);
    ev.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
    probe = scalar(&ev);
    bool same = json_is_string(probe);
    json_decref(probe);
    return same;
}

static bool
is_container(const json_t *v)
{
    return (json_is_object(v) && json_object_size(v) > 0) ||
           (json_is_array(v) && json_array_size(v) > 0);
}

static void
emit_node(const json_t *v, int indent, struct strbuf *out)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        bool first = true;
        json_object_foreach((json_t *)v, k, c)
        {
            if (!first)
                strbuf_appendf(out, "%*s", indent, "");
            first = false;
            if (plain_key(k))
                strbuf_append(out, k);
            else
                emit_str(k, out);
            strbuf_append(out, ":");
            if (is_container(c)) {
                strbuf_appendf(out, "\n%*s", indent + 2, "");
                emit_node(c, indent + 2, out);
            } else {
                strbuf_append(out, " ");
                if (json_is_object(c))
                    strbuf_append(out, "{}");
                else if (json_is_array(c))
                    strbuf_append(out, "[]");
                else
                    emit_scalar(c, out);
                strbuf_append(out, "\n");
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            if (i > 0)
                strbuf_appendf(out, "%*s", indent, "");
            strbuf_append(out, "- ");
            if (is_container(c)) {
                emit_node(c, indent + 2, out);
            } else {
                if (json_is_object(c))
                    strbuf_append(out, "{}");
                else if (json_is_array(c))
                    strbuf_append(out, "[]");
                else
                    emit_scalar(c, out);
                strbuf_append(out, "\n");
            }
        }
    } else {
        emit_scalar(v, out);
        strbuf_append(out, "\n");
    }
}

void
ksim_yaml_emit(const json_t *obj, struct strbuf *out)
{
    emit_node(obj, 0, out);
}
