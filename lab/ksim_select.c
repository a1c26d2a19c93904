/* ksim_select: label and field selectors as the API server parses them
 * (k8s.io/apimachinery labels.Parse / fields.ParseSelector): "a=b,c!=d,e in (f,g),
 * h notin (i),j,!k" for labels; "metadata.name=x,status.phase!=Running" for fields.
 * Parsing reports the offending requirement in words; matching never allocates. */
#include "ksim.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

enum op { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOTEXISTS, OP_GT, OP_LT };

struct req {
    char *key;
    enum op op;
    char **vals;
    size_t n_vals;
};

struct ksim_selector {
    struct req *reqs;
    size_t n;
    bool fields;
};

void
ksim_selector_free(struct ksim_selector *sel)
{
    if (sel == NULL)
        return;
    for (size_t i = 0; i < sel->n; i++) {
        free(sel->reqs[i].key);
        for (size_t v = 0; v < sel->reqs[i].n_vals; v++)
            free(sel->reqs[i].vals[v]);
        free(sel->reqs[i].vals);
    }
    free(sel->reqs);
    free(sel);
}

bool
ksim_selector_empty(const struct ksim_selector *sel)
{
    return sel == NULL || sel->n == 0;
}

static const char *
skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool
key_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '/';
}

static char *
trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

static void
add_val(struct req *r, char *v)
{
    r->vals = xreallocarray(r->vals, r->n_vals + 1, sizeof *r->vals);
    r->vals[r->n_vals++] = v;
}

/* Parse one requirement starting at *pp; advances past it (and not past the comma). */
static int
parse_req(const char **pp, bool fields, struct req *r, const char *all, struct pxerr *err)
{
    const char *p = skip_ws(*pp);
    const char *start = p;
    memset(r, 0, sizeof *r);
    bool neg = false;
    if (*p == '!' && !fields) {
        neg = true;
        p = skip_ws(p + 1);
    }
    const char *k0 = p;
    while (key_char(*p))
        p++;
    if (p == k0)
        return pxerr_set(err, PXE_PARSE,
                         "unable to parse requirement: found '%.20s', expected: identifier "
                         "(in selector \"%s\")",
                         *p ? p : "end of string", all);
    r->key = xstrndup(k0, (size_t)(p - k0));
    p = skip_ws(p);
    if (neg) {
        r->op = OP_NOTEXISTS;
    } else if (*p == ',' || *p == '\0') {
        if (fields)
            return pxerr_set(err, PXE_PARSE, "invalid field selector \"%s\": '%s' has no operator",
                             all, r->key);
        r->op = OP_EXISTS;
    } else if (strncmp(p, "==", 2) == 0 || strncmp(p, "!=", 2) == 0 || *p == '=' || *p == '>' ||
               *p == '<') {
        if (*p == '!') {
            r->op = OP_NE;
            p += 2;
        } else if (*p == '>' || *p == '<') {
            if (fields)
                return pxerr_set(err, PXE_PARSE, "invalid field selector \"%s\"", all);
            r->op = *p == '>' ? OP_GT : OP_LT;
            p++;
        } else {
            r->op = OP_EQ;
            p += p[1] == '=' ? 2 : 1;
        }
        const char *v0 = p;
        while (*p && *p != ',')
            p++;
        add_val(r, trimmed(v0, (size_t)(p - v0)));
        if (!fields && strpbrk(r->vals[0], " ()!=") != NULL)
            return pxerr_set(err, PXE_PARSE,
                             "unable to parse requirement: invalid label value \"%s\" for key "
                             "\"%s\"",
                             r->vals[0], r->key);
    } else if (!fields && (strncmp(p, "in", 2) == 0 || strncmp(p, "notin", 5) == 0)) {
        r->op = p[0] == 'i' ? OP_IN : OP_NOTIN;
        p = skip_ws(p + (r->op == OP_IN ? 2 : 5));
        if (*p != '(')
            return pxerr_set(err, PXE_PARSE,
                             "unable to parse requirement: found '%.20s', expected: '(' after "
                             "'%s %s'",
                             *p ? p : "end of string", r->key, r->op == OP_IN ? "in" : "notin");
        p++;
        const char *close = strchr(p, ')');
        if (close == NULL)
            return pxerr_set(err, PXE_PARSE, "unable to parse requirement: missing ')' in \"%s\"",
                             all);
        while (p < close) {
            const char *c = memchr(p, ',', (size_t)(close - p));
            const char *e = c ? c : close;
            char *v = trimmed(p, (size_t)(e - p));
            if (*v)
                add_val(r, v);
            else
                free(v);
            p = c ? c + 1 : close;
        }
        p = close + 1;
    } else {
        return pxerr_set(err, PXE_PARSE,
                         "unable to parse requirement: found '%.20s', expected: in, notin, =, "
                         "==, !=, gt, lt (in selector \"%s\", requirement starting at \"%.20s\")",
                         p, all, start);
    }
    *pp = skip_ws(p);
    return 0;
}

int
ksim_selector_parse(const char *text, bool fields, struct ksim_selector **out, struct pxerr *err)
{
    struct ksim_selector *sel = xcalloc(1, sizeof *sel);
    sel->fields = fields;
    const char *p = text ? skip_ws(text) : "";
    while (*p) {
        struct req r;
        int rc = parse_req(&p, fields, &r, text, err);
        sel->reqs = xreallocarray(sel->reqs, sel->n + 1, sizeof *sel->reqs);
        sel->reqs[sel->n++] = r;
        if (rc != 0) {
            ksim_selector_free(sel);
            return rc;
        }
        if (*p == ',')
            p = skip_ws(p + 1);
        else if (*p) {
            ksim_selector_free(sel);
            return pxerr_set(err, PXE_PARSE,
                             "unable to parse requirement: found '%.20s', expected: ','", p);
        }
    }
    *out = sel;
    return 0;
}

static bool
req_match(const struct req *r, const char *have)
{
    switch (r->op) {
    case OP_EXISTS:
        return have != NULL;
    case OP_NOTEXISTS:
        return have == NULL;
    case OP_EQ:
        return have != NULL && strcmp(have, r->vals[0]) == 0;
    case OP_NE:
        return have == NULL || strcmp(have, r->vals[0]) != 0;
    case OP_IN:
    case OP_NOTIN: {
        bool in = false;
        for (size_t i = 0; have != NULL && i < r->n_vals; i++)
            in = in || strcmp(have, r->vals[i]) == 0;
        return r->op == OP_IN ? in : !in;
    }
    case OP_GT:
    case OP_LT:
        if (have == NULL)
            return false;
        return r->op == OP_GT ? strtoll(have, NULL, 10) > strtoll(r->vals[0], NULL, 10)
                              : strtoll(have, NULL, 10) < strtoll(r->vals[0], NULL, 10);
    }
    return false;
}

bool
ksim_selector_match_labels(const struct ksim_selector *sel, const json_t *labels)
{
    for (size_t i = 0; sel != NULL && i < sel->n; i++) {
        const char *have = json_string_value(json_object_get(labels, sel->reqs[i].key));
        if (!req_match(&sel->reqs[i], have))
            return false;
    }
    return true;
}

bool
ksim_selector_needs_object(const struct ksim_selector *sel)
{
    for (size_t i = 0; sel != NULL && i < sel->n; i++)
        if (strcmp(sel->reqs[i].key, "metadata.name") != 0 &&
            strcmp(sel->reqs[i].key, "metadata.namespace") != 0)
            return true;
    return false;
}

bool
ksim_selector_match_fields(const struct ksim_selector *sel, const char *ns, const char *name,
                           json_t *(*get_obj)(void *arg), void *arg)
{
    for (size_t i = 0; sel != NULL && i < sel->n; i++) {
        const struct req *r = &sel->reqs[i];
        const char *have;
        char num[32];
        if (strcmp(r->key, "metadata.name") == 0) {
            have = name;
        } else if (strcmp(r->key, "metadata.namespace") == 0) {
            have = ns;
        } else {
            json_t *v = ksim_path_get(get_obj(arg), r->key);
            have = json_string_value(v);
            if (json_is_boolean(v))
                have = json_is_true(v) ? "true" : "false";
            else if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                have = num;
            } else if (have == NULL) {
                have = ""; /* an absent field compares as empty, as the API server does */
            }
        }
        if (!req_match(r, have))
            return false;
    }
    return true;
}
