/* yamldocs: libyaml's document loader, then a walk from nodes to jansson values. Plain
 * scalars are typed (null, booleans, integers, floats); quoted ones stay strings, so
 * "3306" in quotes is a string as the API server would see it. */
#include "codec/yamldocs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "file.h"
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

void
yamldocs_offset_pos(const char *buf, size_t len, size_t offset, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (buf[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
            c++; /* columns count characters, as libyaml's marks do */
        }
    }
    *line = l;
    *col = c;
}

int
yamldocs_parser_error(const yaml_parser_t *p, const char *name, const char *buf, size_t len,
                      struct pxerr *err)
{
    if (p->error != YAML_READER_ERROR) {
        if (p->context != NULL)
            return pxerr_set(err, PXE_PARSE, "%s:%zu:%zu: %s (%s at line %zu)", name,
                             p->problem_mark.line + 1, p->problem_mark.column + 1,
                             p->problem ? p->problem : "YAML error", p->context,
                             p->context_mark.line + 1);
        return pxerr_set(err, PXE_PARSE, "%s:%zu:%zu: %s", name, p->problem_mark.line + 1,
                         p->problem_mark.column + 1, p->problem ? p->problem : "YAML error");
    }
    /* The reader's errors carry a byte offset and no mark. */
    size_t line, col;
    yamldocs_offset_pos(buf, len, p->problem_offset, &line, &col);
    const char *problem = p->problem ? p->problem : "unreadable input";
    if (p->problem_value == 0 && p->problem_offset < len && buf[p->problem_offset] == '\0')
        return pxerr_set(err, PXE_PARSE,
                         "%s:%zu:%zu: a NUL byte; YAML is text (is this a binary file, or two "
                         "files joined?)",
                         name, line, col);
    if (strstr(problem, "UTF-8") != NULL)
        return pxerr_set(err, PXE_PARSE, "%s:%zu:%zu: %s (byte 0x%02x): the file must be UTF-8",
                         name, line, col, problem, (unsigned)p->problem_value & 0xffu);
    if (strstr(problem, "control") != NULL)
        return pxerr_set(err, PXE_PARSE,
                         "%s:%zu:%zu: control character 0x%02x: YAML allows tab, CR and LF only",
                         name, line, col, (unsigned)p->problem_value);
    return pxerr_set(err, PXE_PARSE, "%s:%zu:%zu: %s", name, line, col, problem);
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
            int rc = yamldocs_parser_error(&p, name, buf, len, err);
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
    char *buf = NULL;
    size_t len = 0;
    int rc = file_read(path, YAMLDOCS_MAX_FILE, &buf, &len, err);
    if (rc != 0)
        return rc;
    rc = yamldocs_load_buf(path, buf, len, out, err);
    free(buf);
    return rc;
}
