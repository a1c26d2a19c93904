/* yamldocs: libyaml's document loader, then a walk from nodes to jansson values. Plain
 * scalars are typed (null, booleans, integers, floats); quoted ones stay strings, so
 * "3306" in quotes is a string as the API server would see it. */
#include "codec/yamldocs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "xmalloc.h"

static json_t *
scalar(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return json_stringn(s, len);
    if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0)
        return json_null();
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        return json_true();
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        return json_false();
    char *end;
    errno = 0;
    long long ll = strtoll(s, &end, 10);
    if (*end == '\0' && errno == 0 && (s[0] != '0' || len == 1) &&
        !(s[0] == '-' && s[1] == '0' && len > 2))
        return json_integer(ll);
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        ll = strtoll(s + 2, &end, s[1] == 'x' ? 16 : 8);
        if (*end == '\0')
            return json_integer(ll);
    }
    double d = strtod(s, &end);
    if (*end == '\0' && strspn(s, "+-0123456789.eE") == len && strchr(s, '.') != NULL)
        return json_real(d);
    return json_stringn(s, len);
}

static json_t *
convert(yaml_document_t *doc, yaml_node_t *n, int depth)
{
    if (n == NULL || depth > 200)
        return json_null();
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return scalar(n);
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++)
            json_array_append_new(a, convert(doc, yaml_document_get_node(doc, *it), depth + 1));
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            if (k == NULL || k->type != YAML_SCALAR_NODE)
                continue;
            char *key = xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
            json_object_set_new(o, key, convert(doc, yaml_document_get_node(doc, p->value),
                                                depth + 1));
            free(key);
        }
        return o;
    }
    case YAML_NO_NODE:
        break;
    }
    return json_null();
}

int
yamldocs_load_buf(const char *name, const char *buf, size_t len, json_t **out, struct pxerr *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return pxerr_set(err, PXE_INTERNAL, "%s: cannot initialise the YAML parser", name);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    json_t *docs = json_array();
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&p, &doc)) {
            int rc = pxerr_set(err, PXE_PARSE, "%s:%zu:%zu: %s%s%s", name,
                               p.problem_mark.line + 1, p.problem_mark.column + 1,
                               p.problem ? p.problem : "YAML error",
                               p.context ? " " : "", p.context ? p.context : "");
            yaml_parser_delete(&p);
            json_decref(docs);
            return rc;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        json_t *v = convert(&doc, root, 0);
        if (json_is_null(v))
            json_decref(v);
        else
            json_array_append_new(docs, v);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&p);
    *out = docs;
    return 0;
}

int
yamldocs_load_file(const char *path, json_t **out, struct pxerr *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return pxerr_set(err, errno == ENOENT ? PXE_NOTFOUND : PXE_IO, "%s: %s", path,
                         strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 131072;
            buf = xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(buf);
        return pxerr_set(err, PXE_IO, "%s: read error", path);
    }
    int rc = yamldocs_load_buf(path, buf, len, out, err);
    free(buf);
    return rc;
}
