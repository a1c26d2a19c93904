/* fuzz_yaml_roundtrip: what yamlout writes, pxcmesh's readers read back as the same value.
 * The input is a JSON value (a corpus file); bytes that are not JSON become strings, keys
 * and a list of them (split at 0xff), so that every character reaches the writer as a key
 * and as a value. The value goes through yamlout_yaml and yamlu (one document, as config
 * and kubeconfig are read), and twice through yamlout_docs and yamldocs (the multi-document
 * stream of `apply -f`); each read must equal the value, type for type. A mismatch aborts
 * with both texts, so the replay in `make check` and libFuzzer both report it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strbuf.h"
#include "codec/yamldocs.h"
#include "codec/yamlout.h"
#include "codec/yamlu.h"
#include "fuzz_common.h"

/* yamlu refuses nesting deeper than 64 levels: such values are not written by pxcmesh. */
#define MAX_DEPTH 60

static int
depth(const json_t *v)
{
    int d = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x) {
            int c = depth(x);
            d = c > d ? c : d;
            if (d > MAX_DEPTH)
                break;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach((json_t *)v, i, x) {
            int c = depth(x);
            d = c > d ? c : d;
            if (d > MAX_DEPTH)
                break;
        }
        return d + 1;
    }
    return 0;
}

/* Not JSON: the bytes themselves, split at 0xff into strings (chunks that are not UTF-8
 * are dropped, as jansson holds only UTF-8). */
static json_t *
from_bytes(const uint8_t *data, size_t size)
{
    json_t *o = json_object(), *list = json_array();
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != 0xff)
            continue;
        json_t *s = json_stringn((const char *)data + start, i - start);
        if (s != NULL) {
            json_array_append(list, s);
            if (memchr(data + start, '\0', i - start) == NULL)
                json_object_set(o, json_string_value(s), s);
            json_decref(s);
        }
        start = i + 1;
    }
    json_object_set_new(o, "list", list);
    return o;
}

static void
mismatch(const char *reader, const json_t *want, const json_t *got, const char *yaml)
{
    char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    char *g = got != NULL ? json_dumps(got, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
    fprintf(stderr, "yaml round trip through %s differs\nwant: %s\ngot:  %s\nyaml:\n%s\n", reader,
            w ? w : "?", g ? g : "(nothing)", yaml);
    free(w);
    free(g);
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (v == NULL)
        v = from_bytes(data, size);
    if (depth(v) > MAX_DEPTH) {
        json_decref(v);
        return 0;
    }
    struct pxerr err;

    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(v, &y);
    struct yamlu_doc *d = NULL;
    if (yamlu_load_buf("fuzz", y.s, y.len, &d, &err) != 0) {
        fprintf(stderr, "yamlu: %s\n", err.msg);
        mismatch("yamlu", v, NULL, y.s);
    }
    if (d->root == NULL || !json_equal(d->root, v))
        mismatch("yamlu", v, d->root, y.s);
    yamlu_free(d);

    /* The stream of two documents; yamldocs skips null ones, as empty. */
    json_t *docs = json_pack("[OO]", v, v);
    strbuf_reset(&y);
    yamlout_docs(docs, YAMLOUT_YAML, &y);
    json_t *back = NULL;
    if (yamldocs_load_buf("fuzz", y.s, y.len, &back, &err) != 0) {
        fprintf(stderr, "yamldocs: %s\n", err.msg);
        mismatch("yamldocs", docs, NULL, y.s);
    }
    if (json_is_null(v) ? json_array_size(back) != 0 : !json_equal(back, docs))
        mismatch("yamldocs", docs, back, y.s);
    json_decref(back);
    json_decref(docs);
    strbuf_fini(&y);
    json_decref(v);
    return 0;
}
