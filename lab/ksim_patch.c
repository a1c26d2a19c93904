/* ksim_patch: the three PATCH bodies the API server takes. JSON merge patch (RFC 7386),
 * a strategic merge patch good enough for kubectl label/annotate/rollout restart and
 * for containers/env/ports/volumes lists merged by their key (name, containerPort,
 * mountPath), and JSON patch (RFC 6902). Server-side apply reuses the strategic merge.
 * This is not the full Go implementation: it has no OpenAPI schema, so a list merges by
 * key only when its items carry one of the known keys. */
#include "ksim.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

json_t *
ksim_merge_patch(const json_t *target, const json_t *patch)
{
    if (!json_is_object(patch))
        return json_deep_copy(patch);
    json_t *out = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v)
    {
        if (json_is_null(v)) {
            json_object_del(out, k);
        } else {
            json_t *merged = ksim_merge_patch(json_object_get(out, k), v);
            json_object_set_new(out, k, merged);
        }
    }
    return out;
}

static const char *
merge_key(const json_t *arr)
{
    static const char *const keys[] = {"name", "containerPort", "port", "mountPath", "type", "ip"};
    if (json_array_size(arr) == 0)
        return NULL;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        bool all = true;
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item)
        {
            if (!json_is_object(item) || json_object_get(item, keys[k]) == NULL) {
                /* a bare {"$patch": "delete"} never happens without its key */
                all = false;
                break;
            }
        }
        if (all)
            return keys[k];
    }
    return NULL;
}

static bool
same_key(const json_t *a, const json_t *b, const char *key)
{
    return json_equal(json_object_get(a, key), json_object_get(b, key));
}

static json_t *smp(const json_t *target, const json_t *patch);

static json_t *
smp_list(const json_t *target, const json_t *patch)
{
    const char *key = merge_key(patch);
    if (key == NULL || !json_is_array(target))
        return json_deep_copy(patch);
    json_t *out = json_deep_copy(target);
    size_t i;
    json_t *p;
    json_array_foreach(patch, i, p)
    {
        const char *directive = json_string_value(json_object_get(p, "$patch"));
        size_t j, found = (size_t)-1;
        json_t *t;
        json_array_foreach(out, j, t)
        {
            if (same_key(t, p, key)) {
                found = j;
                break;
            }
        }
        if (directive != NULL && strcmp(directive, "delete") == 0) {
            if (found != (size_t)-1)
                json_array_remove(out, found);
        } else if (found != (size_t)-1) {
            json_array_set_new(out, found, smp(json_array_get(out, found), p));
        } else {
            json_array_append_new(out, smp(NULL, p));
        }
    }
    return out;
}

static json_t *
smp(const json_t *target, const json_t *patch)
{
    if (!json_is_object(patch))
        return json_deep_copy(patch);
    const char *directive = json_string_value(json_object_get(patch, "$patch"));
    json_t *out;
    if (directive != NULL && strcmp(directive, "replace") == 0)
        out = json_object();
    else
        out = json_is_object(target) ? json_deep_copy(target) : json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v)
    {
        if (k[0] == '$') /* $patch, $retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/ */
            continue;
        if (json_is_null(v)) {
            json_object_del(out, k);
        } else if (json_is_array(v)) {
            json_object_set_new(out, k, smp_list(json_object_get(out, k), v));
        } else {
            json_object_set_new(out, k, smp(json_object_get(out, k), v));
        }
    }
    return out;
}

json_t *
ksim_strategic_patch(const json_t *target, const json_t *patch)
{
    return smp(target, patch);
}

/* ---- JSON patch ---- */

/* Resolve pointer to (parent, last token). The token is unescaped into tok. */
static json_t *
pointer_parent(json_t *doc, const char *ptr, char *tok, size_t tok_len)
{
    if (ptr[0] != '/')
        return NULL;
    json_t *cur = doc;
    const char *p = ptr + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < tok_len; i++) {
            if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1')) {
                tok[o++] = p[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                tok[o++] = p[i];
            }
        }
        tok[o] = '\0';
        if (slash == NULL)
            return cur;
        if (json_is_object(cur))
            cur = json_object_get(cur, tok);
        else if (json_is_array(cur))
            cur = json_array_get(cur, strtoul(tok, NULL, 10));
        else
            return NULL;
        if (cur == NULL)
            return NULL;
        p = slash + 1;
    }
}

static json_t *
pointer_get(json_t *doc, const char *ptr)
{
    if (ptr[0] == '\0')
        return doc;
    char tok[512];
    json_t *parent = pointer_parent(doc, ptr, tok, sizeof tok);
    if (json_is_object(parent))
        return json_object_get(parent, tok);
    if (json_is_array(parent))
        return json_array_get(parent, strtoul(tok, NULL, 10));
    return NULL;
}

static int
pointer_remove(json_t *doc, const char *ptr, struct pxerr *err)
{
    char tok[512];
    json_t *parent = pointer_parent(doc, ptr, tok, sizeof tok);
    if (json_is_object(parent) && json_object_get(parent, tok) != NULL)
        return json_object_del(parent, tok) == 0 ? 0 : pxerr_set(err, PXE_INVAL, "remove failed");
    if (json_is_array(parent) && strtoul(tok, NULL, 10) < json_array_size(parent))
        return json_array_remove(parent, strtoul(tok, NULL, 10)) == 0
                   ? 0
                   : pxerr_set(err, PXE_INVAL, "remove failed");
    return pxerr_set(err, PXE_INVAL, "json patch: path \"%s\" does not exist", ptr);
}

static int
pointer_add(json_t *doc, const char *ptr, json_t *val /* takes */, bool replace, struct pxerr *err)
{
    char tok[512];
    json_t *parent = pointer_parent(doc, ptr, tok, sizeof tok);
    if (json_is_object(parent)) {
        if (replace && json_object_get(parent, tok) == NULL) {
            json_decref(val);
            return pxerr_set(err, PXE_INVAL, "json patch: replace: path \"%s\" does not exist",
                             ptr);
        }
        json_object_set_new(parent, tok, val);
        return 0;
    }
    if (json_is_array(parent)) {
        size_t n = json_array_size(parent);
        if (strcmp(tok, "-") == 0 && !replace) {
            json_array_append_new(parent, val);
            return 0;
        }
        size_t i = strtoul(tok, NULL, 10);
        if (replace ? i < n : i <= n) {
            if (replace)
                json_array_set_new(parent, i, val);
            else
                json_array_insert_new(parent, i, val);
            return 0;
        }
    }
    json_decref(val);
    return pxerr_set(err, PXE_INVAL, "json patch: path \"%s\" does not exist", ptr);
}

json_t *
ksim_json_patch(const json_t *target, const json_t *ops, struct pxerr *err)
{
    if (!json_is_array(ops)) {
        pxerr_set(err, PXE_PARSE, "json patch: body must be a JSON array of operations");
        return NULL;
    }
    json_t *doc = json_deep_copy(target);
    size_t i;
    json_t *op;
    json_array_foreach(ops, i, op)
    {
        const char *kind = json_string_value(json_object_get(op, "op"));
        const char *path = json_string_value(json_object_get(op, "path"));
        const char *from = json_string_value(json_object_get(op, "from"));
        json_t *value = json_object_get(op, "value");
        int rc = 0;
        if (kind == NULL || path == NULL) {
            rc =
                pxerr_set(err, PXE_PARSE, "json patch: operation %zu needs \"op\" and \"path\"", i);
        } else if (strcmp(kind, "add") == 0 || strcmp(kind, "replace") == 0) {
            rc = value == NULL ? pxerr_set(err, PXE_PARSE, "json patch: %s needs a value", kind)
                               : pointer_add(doc, path, json_deep_copy(value), kind[0] == 'r', err);
        } else if (strcmp(kind, "remove") == 0) {
            rc = pointer_remove(doc, path, err);
        } else if (strcmp(kind, "test") == 0) {
            if (!json_equal(pointer_get(doc, path), value))
                rc = pxerr_set(err, PXE_INVAL, "json patch: test failed at \"%s\"", path);
        } else if (strcmp(kind, "move") == 0 || strcmp(kind, "copy") == 0) {
            json_t *src = from ? pointer_get(doc, from) : NULL;
            if (src == NULL) {
                rc = pxerr_set(err, PXE_INVAL, "json patch: from \"%s\" does not exist",
                               from ? from : "");
            } else {
                json_t *copy = json_deep_copy(src);
                if (kind[0] == 'm')
                    rc = pointer_remove(doc, from, err);
                if (rc == 0)
                    rc = pointer_add(doc, path, copy, false, err);
                else
                    json_decref(copy);
            }
        } else {
            rc = pxerr_set(err, PXE_PARSE, "json patch: unknown op \"%s\"", kind);
        }
        if (rc != 0) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}
