/* schema: a recursive walk over (schema, value) with the JSON path kept in a fixed
 * buffer, so the first error names exactly where it is. The metadata of a custom
 * resource is validated by the API server's own rules, not by the CRD schema (which
 * declares it only as `type: object`), so it is checked here only for its type. */
#include "manifest/schema.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "codec/jsonu.h"

struct walk {
    char path[512];
    size_t len;
    struct pxerr *err;
    const char *what;
    int quiet; /* >0 inside oneOf/anyOf/not probes: no message, just the verdict */
};

static int validate(struct walk *w, const json_t *schema, const json_t *v);

static int
fail(struct walk *w, const char *fmt, ...) PXC_PRINTF(2, 3);

static int
fail(struct walk *w, const char *fmt, ...)
{
    if (w->quiet)
        return PXE_SCHEMA;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pxerr_set(w->err, PXE_SCHEMA, "%s%s: %s", w->what, w->len ? w->path : "(document)",
                     msg);
}

static size_t
push_key(struct walk *w, const char *key)
{
    size_t old = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, "%s%s", w->len ? "." : "", key);
    if (n > 0)
        w->len = strnlen(w->path, sizeof w->path);
    return old;
}

static size_t
push_index(struct walk *w, size_t i)
{
    size_t old = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, "[%zu]", i);
    if (n > 0)
        w->len = strnlen(w->path, sizeof w->path);
    return old;
}

static void
pop(struct walk *w, size_t old)
{
    w->len = old;
    w->path[old] = '\0';
}

static void
describe(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        snprintf(buf, n, "string \"%.60s\"", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, n, "integer %lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "number %g", json_real_value(v));
    else
        snprintf(buf, n, "%s", jsonu_type_name(v));
}

static int
check_type(struct walk *w, const json_t *schema, const json_t *v)
{
    const json_t *t = json_object_get(schema, "type");
    if (json_is_true(json_object_get(schema, "x-kubernetes-int-or-string"))) {
        if (json_is_integer(v) || json_is_string(v))
            return 0;
        char d[96];
        describe(v, d, sizeof d);
        return fail(w, "expected integer or string, got %s", d);
    }
    if (!json_is_string(t))
        return 0;
    const char *want = json_string_value(t);
    int ok;
    if (strcmp(want, "object") == 0)
        ok = json_is_object(v);
    else if (strcmp(want, "array") == 0)
        ok = json_is_array(v);
    else if (strcmp(want, "string") == 0)
        ok = json_is_string(v);
    else if (strcmp(want, "integer") == 0)
        ok = json_is_integer(v) || (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v));
    else if (strcmp(want, "number") == 0)
        ok = json_is_number(v);
    else if (strcmp(want, "boolean") == 0)
        ok = json_is_boolean(v);
    else
        ok = 1;
    if (!ok && json_is_null(v) && json_is_true(json_object_get(schema, "nullable")))
        ok = 1;
    if (ok)
        return 0;
    char d[96];
    describe(v, d, sizeof d);
    return fail(w, "expected %s, got %s", want, d);
}

static int
check_bounds(struct walk *w, const json_t *schema, const json_t *v)
{
    const json_t *x;
    if (json_is_number(v)) {
        double d = json_number_value(v);
        const char *fmt = json_string_value(json_object_get(schema, "format"));
        if (fmt != NULL && strcmp(fmt, "int32") == 0 && (d < -2147483648.0 || d > 2147483647.0))
            return fail(w, "%g does not fit int32", d);
        if (fmt != NULL && strcmp(fmt, "uint32") == 0 && (d < 0 || d > 4294967295.0))
            return fail(w, "%g does not fit uint32", d);
        if ((x = json_object_get(schema, "minimum")) && json_is_number(x) &&
            d < json_number_value(x))
            return fail(w, "%g is below the minimum %g", d, json_number_value(x));
        if ((x = json_object_get(schema, "maximum")) && json_is_number(x) &&
            d > json_number_value(x))
            return fail(w, "%g is above the maximum %g", d, json_number_value(x));
    }
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        if ((x = json_object_get(schema, "maxLength")) && json_is_integer(x) &&
            (json_int_t)n > json_integer_value(x))
            return fail(w, "longer than %lld characters", (long long)json_integer_value(x));
        if ((x = json_object_get(schema, "minLength")) && json_is_integer(x) &&
            (json_int_t)n < json_integer_value(x))
            return fail(w, "shorter than %lld characters", (long long)json_integer_value(x));
    }
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if ((x = json_object_get(schema, "maxItems")) && json_is_integer(x) &&
            (json_int_t)n > json_integer_value(x))
            return fail(w, "more than %lld items", (long long)json_integer_value(x));
        if ((x = json_object_get(schema, "minItems")) && json_is_integer(x) &&
            (json_int_t)n < json_integer_value(x))
            return fail(w, "fewer than %lld items", (long long)json_integer_value(x));
    }
    return 0;
}

static int
check_enum(struct walk *w, const json_t *schema, const json_t *v)
{
    const json_t *e = json_object_get(schema, "enum");
    if (!json_is_array(e))
        return 0;
    size_t i;
    const json_t *opt;
    json_array_foreach(e, i, opt) {
        if (json_equal((json_t *)opt, (json_t *)v))
            return 0;
    }
    char allowed[200] = "";
    size_t off = 0;
    json_array_foreach(e, i, opt) {
        if (json_is_string(opt) && off < sizeof allowed - 2) {
            int n = snprintf(allowed + off, sizeof allowed - off, "%s%s", off ? ", " : "",
                             json_string_value(opt));
            if (n > 0)
                off = strnlen(allowed, sizeof allowed);
        }
    }
    char d[96];
    describe(v, d, sizeof d);
    return fail(w, "%s is not one of: %s", d, allowed);
}

static int
check_object(struct walk *w, const json_t *schema, const json_t *v)
{
    const json_t *props = json_object_get(schema, "properties");
    const json_t *addl = json_object_get(schema, "additionalProperties");
    bool preserve = json_is_true(json_object_get(schema, "x-kubernetes-preserve-unknown-fields"));
    const json_t *req = json_object_get(schema, "required");
    size_t i;
    const json_t *r;
    json_array_foreach(req, i, r) {
        if (json_is_string(r) && json_object_get(v, json_string_value(r)) == NULL) {
            size_t old = push_key(w, json_string_value(r));
            int rc = fail(w, "required field is missing");
            pop(w, old);
            return rc;
        }
    }
    const char *key;
    const json_t *val;
    json_object_foreach((json_t *)v, key, val) {
        const json_t *sub = json_is_object(props) ? json_object_get(props, key) : NULL;
        size_t old = push_key(w, key);
        int rc = 0;
        if (sub != NULL) {
            /* metadata of a resource is the API server's business; only its type is ours. */
            if (old == 0 && strcmp(key, "metadata") == 0)
                rc = json_is_object(val) ? 0 : fail(w, "expected object");
            else
                rc = validate(w, sub, val);
        } else if (json_is_object(addl)) {
            rc = validate(w, addl, val);
        } else if (json_is_true(addl) || preserve || (props == NULL && addl == NULL)) {
            rc = 0;
        } else if (old == 0 && (strcmp(key, "apiVersion") == 0 || strcmp(key, "kind") == 0 ||
                                strcmp(key, "metadata") == 0 || strcmp(key, "status") == 0)) {
            rc = 0;
        } else {
            rc = fail(w, "unknown field");
        }
        pop(w, old);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int
count_matches(struct walk *w, const json_t *list, const json_t *v)
{
    int n = 0;
    size_t i;
    const json_t *sub;
    w->quiet++;
    json_array_foreach(list, i, sub) {
        if (validate(w, sub, v) == 0)
            n++;
    }
    w->quiet--;
    return n;
}

static int
validate(struct walk *w, const json_t *schema, const json_t *v)
{
    int rc;
    if (!json_is_object(schema))
        return 0;
    if ((rc = check_type(w, schema, v)) != 0)
        return rc;
    if ((rc = check_enum(w, schema, v)) != 0)
        return rc;
    if ((rc = check_bounds(w, schema, v)) != 0)
        return rc;
    if (json_is_object(v) && (rc = check_object(w, schema, v)) != 0)
        return rc;
    if (json_is_array(v)) {
        const json_t *items = json_object_get(schema, "items");
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item) {
            size_t old = push_index(w, i);
            rc = validate(w, items, item);
            pop(w, old);
            if (rc != 0)
                return rc;
        }
    }
    const json_t *x;
    if ((x = json_object_get(schema, "allOf")) && json_is_array(x)) {
        size_t i;
        const json_t *sub;
        json_array_foreach(x, i, sub) {
            if ((rc = validate(w, sub, v)) != 0)
                return rc;
        }
    }
    if ((x = json_object_get(schema, "oneOf")) && json_is_array(x)) {
        int n = count_matches(w, x, v);
        if (n != 1)
            return fail(w, n == 0 ? "matches none of the allowed forms (oneOf)"
                                  : "matches more than one exclusive form (oneOf)");
    }
    if ((x = json_object_get(schema, "anyOf")) && json_is_array(x)) {
        if (count_matches(w, x, v) == 0)
            return fail(w, "matches none of the allowed forms (anyOf)");
    }
    if ((x = json_object_get(schema, "not")) && json_is_object(x)) {
        w->quiet++;
        rc = validate(w, x, v);
        w->quiet--;
        if (rc == 0)
            return fail(w, "sets fields that may not be combined");
    }
    return 0;
}

int
schema_validate(const json_t *schema, const json_t *doc, const char *what, struct pxerr *err)
{
    struct walk w = {.err = err, .what = what ? what : ""};
    w.path[0] = '\0';
    return validate(&w, schema, doc);
}
