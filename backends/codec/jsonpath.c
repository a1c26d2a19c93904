/* jsonpath: the template is compiled once into nodes (text, a path, a range with its body);
 * a path is a list of segments applied to a list of borrowed values, each segment mapping
 * every value to zero or more values. Written here rather than taken from a library because
 * Debian packages no C implementation of kubectl's dialect (its range/end and text outside
 * braces are kubectl's own, not RFC 9535's). */
#include "codec/jsonpath.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "xmalloc.h"

enum seg_kind { SEG_FIELD, SEG_RECURSE, SEG_INDEX, SEG_SLICE, SEG_ALL, SEG_FILTER };
enum cmp_op { OP_EXISTS, OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE };

struct path;

struct seg {
    enum seg_kind kind;
    char *name;                  /* FIELD; RECURSE (NULL: every descendant) */
    long index;                  /* INDEX */
    long from, to, step;         /* SLICE */
    bool has_from, has_to;       /* SLICE */
    struct path *filter;         /* FILTER: the path under @ (owned) */
    enum cmp_op op;              /* FILTER */
    json_t *lit;                 /* FILTER: the value compared with (owned), NULL: EXISTS */
};

struct path {
    bool absolute; /* $: from the root, else from the current value */
    struct seg *segs;
    size_t n, cap;
};

enum node_kind { N_TEXT, N_PATH, N_RANGE };

struct node {
    enum node_kind kind;
    char *text;          /* N_TEXT (owned) */
    struct path *path;   /* N_PATH, N_RANGE (owned) */
    struct nodes *body;  /* N_RANGE (owned) */
};

struct nodes {
    struct node *v;
    size_t n, cap;
};

struct jsonpath {
    struct nodes top;
};

/* ---- freeing ---- */

static void path_free(struct path *p);

static void
seg_fini(struct seg *s)
{
    free(s->name);
    path_free(s->filter);
    json_decref(s->lit);
}

static void
path_free(struct path *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        seg_fini(&p->segs[i]);
    free(p->segs);
    free(p);
}

static void
nodes_fini(struct nodes *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        struct node *n = &ns->v[i];
        free(n->text);
        path_free(n->path);
        if (n->body != NULL) {
            nodes_fini(n->body);
            free(n->body);
        }
    }
    free(ns->v);
}

void
jsonpath_free(struct jsonpath *jp)
{
    if (jp == NULL)
        return;
    nodes_fini(&jp->top);
    free(jp);
}

static struct node *
nodes_push(struct nodes *ns, enum node_kind kind)
{
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 8;
        ns->v = xrealloc(ns->v, ns->cap * sizeof *ns->v);
    }
    struct node *n = &ns->v[ns->n++];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return n;
}

static struct seg *
path_push(struct path *p, enum seg_kind kind)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4;
        p->segs = xrealloc(p->segs, p->cap * sizeof *p->segs);
    }
    struct seg *s = &p->segs[p->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->step = 1;
    return s;
}

/* ---- parsing ---- */

struct parser {
    const char *tmpl; /* the whole template, for columns in errors */
    const char *s;    /* the cursor */
    const char *end;  /* the end of the expression being parsed */
    struct pxerr *err;
};

static int
fail(struct parser *ps, const char *what)
{
    return pxerr_set(ps->err, PXE_PARSE, "jsonpath '%s': at column %d: %s", ps->tmpl,
                     (int)(ps->s - ps->tmpl) + 1, what);
}

static void
skip_ws(struct parser *ps)
{
    while (ps->s < ps->end && isspace((unsigned char)*ps->s))
        ps->s++;
}

/* A quoted string at ps->s ('...' or "..."), with \n \t \\ \' \" escapes: owned. */
static char *
parse_quoted(struct parser *ps)
{
    char q = *ps->s++;
    struct strbuf sb;
    strbuf_init(&sb);
    while (ps->s < ps->end && *ps->s != q) {
        char c = *ps->s++;
        if (c == '\\' && ps->s < ps->end) {
            c = *ps->s++;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        strbuf_appendc(&sb, c);
    }
    if (ps->s >= ps->end) {
        strbuf_fini(&sb);
        fail(ps, "a quoted string is not closed");
        return NULL;
    }
    ps->s++;
    return strbuf_detach(&sb);
}

static bool
parse_long(struct parser *ps, long *v)
{
    const char *p = ps->s;
    if (p < ps->end && (*p == '-' || *p == '+'))
        p++;
    if (p >= ps->end || !isdigit((unsigned char)*p))
        return false;
    char *e;
    *v = strtol(ps->s, &e, 10);
    ps->s = e;
    return true;
}

static int parse_path(struct parser *ps, struct path *p, bool in_filter);

/* The literal a filter compares with: owned, or NULL after fail(). */
static json_t *
parse_literal(struct parser *ps)
{
    skip_ws(ps);
    if (ps->s < ps->end && (*ps->s == '\'' || *ps->s == '"')) {
        char *q = parse_quoted(ps);
        if (q == NULL)
            return NULL;
        json_t *v = json_string(q);
        free(q);
        return v;
    }
    static const struct {
        const char *word;
        int kind; /* 0 true, 1 false, 2 null */
    } words[] = {{"true", 0}, {"false", 1}, {"null", 2}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->s) >= n && strncmp(ps->s, words[i].word, n) == 0) {
            ps->s += n;
            return words[i].kind == 0 ? json_true() : words[i].kind == 1 ? json_false()
                                                                          : json_null();
        }
    }
    char *e;
    double d = strtod(ps->s, &e);
    if (e == ps->s || e > ps->end) {
        fail(ps, "expected a quoted string, a number, true, false or null");
        return NULL;
    }
    ps->s = e;
    return json_real(d);
}

static int
parse_filter(struct parser *ps, struct seg *sg)
{
    /* at "?(" */
    ps->s += 2;
    skip_ws(ps);
    if (ps->s >= ps->end || *ps->s != '@')
        return fail(ps, "a filter starts with @ ([?(@.field == 'value')])");
    ps->s++;
    sg->filter = xcalloc(1, sizeof *sg->filter);
    int rc = parse_path(ps, sg->filter, true);
    if (rc != 0)
        return rc;
    skip_ws(ps);
    static const struct {
        const char *text;
        enum cmp_op op;
    } ops[] = {{"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT},
               {">", OP_GT}};
    sg->op = OP_EXISTS;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && sg->op == OP_EXISTS; i++) {
        size_t n = strlen(ops[i].text);
        if ((size_t)(ps->end - ps->s) >= n && strncmp(ps->s, ops[i].text, n) == 0) {
            ps->s += n;
            sg->op = ops[i].op;
        }
    }
    if (sg->op != OP_EXISTS && (sg->lit = parse_literal(ps)) == NULL)
        return PXE_PARSE;
    skip_ws(ps);
    if (ps->s >= ps->end || *ps->s != ')')
        return fail(ps, sg->op == OP_EXISTS ? "expected ==, !=, <, >, <=, >= or ')'"
                                            : "expected ')' after the filter");
    ps->s++;
    return 0;
}

static int
parse_bracket(struct parser *ps, struct path *p)
{
    ps->s++; /* '[' */
    skip_ws(ps);
    if (ps->s >= ps->end)
        return fail(ps, "'[' is not closed");
    if (*ps->s == '*') {
        ps->s++;
        path_push(p, SEG_ALL);
    } else if (*ps->s == '\'' || *ps->s == '"') {
        char *q = parse_quoted(ps);
        if (q == NULL)
            return PXE_PARSE;
        path_push(p, SEG_FIELD)->name = q;
    } else if (*ps->s == '?' && ps->s + 1 < ps->end && ps->s[1] == '(') {
        int rc = parse_filter(ps, path_push(p, SEG_FILTER));
        if (rc != 0)
            return rc;
    } else {
        long a = 0, b = 0, c = 1;
        bool has_a = parse_long(ps, &a);
        skip_ws(ps);
        if (ps->s < ps->end && *ps->s == ':') {
            ps->s++;
            skip_ws(ps);
            bool has_b = parse_long(ps, &b);
            skip_ws(ps);
            if (ps->s < ps->end && *ps->s == ':') {
                ps->s++;
                skip_ws(ps);
                if (!parse_long(ps, &c) || c <= 0)
                    return fail(ps, "a slice's step is a positive number");
            }
            struct seg *sg = path_push(p, SEG_SLICE);
            sg->from = a, sg->has_from = has_a, sg->to = b, sg->has_to = has_b, sg->step = c;
        } else if (has_a && ps->s < ps->end && *ps->s == ',') {
            return fail(ps, "unions and names without quotes are not supported: write one "
                            "expression per element");
        } else if (has_a) {
            path_push(p, SEG_INDEX)->index = a;
        } else if (*ps->s == ',' || isalpha((unsigned char)*ps->s)) {
            return fail(ps, "unions and names without quotes are not supported: write "
                            "['name'] or one expression per field");
        } else {
            return fail(ps, "expected *, an index, a slice, a quoted name or ?(...)");
        }
    }
    skip_ws(ps);
    if (ps->s >= ps->end || *ps->s != ']')
        return fail(ps, "expected ']'");
    ps->s++;
    return 0;
}

/* A field name after '.': up to the next '.', '[', space or an operator. Owned. */
static char *
parse_name(struct parser *ps)
{
    const char *b = ps->s;
    while (ps->s < ps->end && !strchr(".[ \t\n)=!<>", *ps->s))
        ps->s++;
    return b == ps->s ? NULL : xstrndup(b, (size_t)(ps->s - b));
}

static int
parse_path(struct parser *ps, struct path *p, bool in_filter)
{
    if (ps->s < ps->end && *ps->s == '$') {
        p->absolute = true;
        ps->s++;
    } else if (ps->s < ps->end && *ps->s == '@' && !in_filter) {
        ps->s++;
    } else if (ps->s < ps->end && (isalpha((unsigned char)*ps->s) || *ps->s == '_')) {
        /* {items[0]}: kubectl's relaxed form of {.items[0]} */
        path_push(p, SEG_FIELD)->name = parse_name(ps);
    }
    while (ps->s < ps->end) {
        char c = *ps->s;
        if (c == '.' && ps->s + 1 < ps->end && ps->s[1] == '.') {
            ps->s += 2;
            if (ps->s < ps->end && *ps->s == '*') {
                ps->s++;
                path_push(p, SEG_RECURSE);
            } else if (ps->s < ps->end && *ps->s == '[') {
                path_push(p, SEG_RECURSE);
            } else {
                char *name = parse_name(ps);
                if (name == NULL)
                    return fail(ps, "expected a name after '..'");
                path_push(p, SEG_RECURSE)->name = name;
            }
        } else if (c == '.') {
            ps->s++;
            if (ps->s < ps->end && *ps->s == '*') {
                ps->s++;
                path_push(p, SEG_ALL);
            } else {
                char *name = parse_name(ps);
                if (name == NULL) {
                    if (ps->s >= ps->end && p->n == 0)
                        return 0; /* {.}: the value itself */
                    return fail(ps, "expected a name after '.'");
                }
                path_push(p, SEG_FIELD)->name = name;
            }
        } else if (c == '[') {
            int rc = parse_bracket(ps, p);
            if (rc != 0)
                return rc;
        } else if (in_filter) {
            return 0; /* the operator or ')' follows */
        } else {
            return fail(ps, "unexpected character (functions and arithmetic are not "
                            "supported)");
        }
    }
    return 0;
}

/* The end of the expression that starts after '{' at s: its '}' outside quotes. */
static const char *
expr_end(const char *s)
{
    char q = 0;
    for (; *s != '\0'; s++) {
        if (q != 0) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            else if (*s == q)
                q = 0;
        } else if (*s == '\'' || *s == '"') {
            q = *s;
        } else if (*s == '}') {
            return s;
        }
    }
    return NULL;
}

int
jsonpath_compile(const char *tmpl, struct jsonpath **out, struct pxerr *err)
{
    struct jsonpath *jp = xcalloc(1, sizeof *jp);
    /* A template without braces is one expression, as kubectl's relaxed form. */
    char *owned = strchr(tmpl, '{') == NULL ? xasprintf("{%s}", tmpl) : NULL;
    const char *t = owned != NULL ? owned : tmpl;
    struct parser ps = {.tmpl = tmpl, .err = err};
    struct nodes *stack[16] = {&jp->top};
    int depth = 0, rc = 0;
    const char *s = t;
    while (*s != '\0' && rc == 0) {
        if (*s != '{') {
            const char *b = s;
            while (*s != '\0' && *s != '{')
                s++;
            nodes_push(stack[depth], N_TEXT)->text = xstrndup(b, (size_t)(s - b));
            continue;
        }
        const char *e = expr_end(s + 1);
        ps.s = owned != NULL ? tmpl : tmpl + (s + 1 - t);
        if (e == NULL) {
            rc = fail(&ps, "'{' is not closed by '}'");
            break;
        }
        /* Parse against the caller's text, so that columns in errors are theirs. */
        ps.s = owned != NULL ? tmpl : tmpl + (s + 1 - t);
        ps.end = owned != NULL ? tmpl + strlen(tmpl) : tmpl + (e - t);
        skip_ws(&ps);
        const char *endp = ps.end;
        while (endp > ps.s && isspace((unsigned char)endp[-1]))
            endp--;
        ps.end = endp;
        size_t n = (size_t)(ps.end - ps.s);
        if (n == 3 && strncmp(ps.s, "end", 3) == 0) {
            if (depth == 0)
                rc = fail(&ps, "'end' without 'range'");
            else
                depth--;
        } else if (n > 6 && strncmp(ps.s, "range", 5) == 0 && isspace((unsigned char)ps.s[5])) {
            ps.s += 6;
            skip_ws(&ps);
            if (depth + 1 >= (int)(sizeof stack / sizeof stack[0])) {
                rc = fail(&ps, "ranges nested too deep");
                break;
            }
            struct node *nd = nodes_push(stack[depth], N_RANGE);
            nd->path = xcalloc(1, sizeof *nd->path);
            nd->body = xcalloc(1, sizeof *nd->body);
            rc = parse_path(&ps, nd->path, false);
            stack[++depth] = nd->body;
        } else if (n > 0 && (*ps.s == '"' || *ps.s == '\'')) {
            char *q = parse_quoted(&ps);
            if (q == NULL) {
                rc = PXE_PARSE;
            } else if (ps.s != ps.end) {
                free(q);
                rc = fail(&ps, "text after a quoted string");
            } else {
                nodes_push(stack[depth], N_TEXT)->text = q;
            }
        } else if (n == 0) {
            rc = fail(&ps, "an empty {}");
        } else {
            struct node *nd = nodes_push(stack[depth], N_PATH);
            nd->path = xcalloc(1, sizeof *nd->path);
            rc = parse_path(&ps, nd->path, false);
        }
        s = e + 1;
    }
    if (rc == 0 && depth != 0) {
        ps.s = tmpl + strlen(tmpl);
        rc = fail(&ps, "'range' without 'end'");
    }
    free(owned);
    if (rc != 0) {
        jsonpath_free(jp);
        return rc;
    }
    *out = jp;
    return 0;
}

/* ---- evaluation ---- */

static void eval_path(const struct path *p, const json_t *root, const json_t *cur,
                      struct vec *out);

static void
descend(const json_t *v, const char *name, struct vec *out)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        if (name != NULL && (x = json_object_get(v, name)) != NULL)
            vec_push(out, x);
        json_object_foreach ((json_t *)v, k, x) {
            if (name == NULL)
                vec_push(out, x);
            descend(x, name, out);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach (v, i, x) {
            if (name == NULL)
                vec_push(out, x);
            descend(x, name, out);
        }
    }
}

static int
cmp_values(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    if (json_is_string(a) && json_is_string(b))
        return strcmp(json_string_value(a), json_string_value(b));
    return json_equal((json_t *)a, (json_t *)b) ? 0 : 2; /* 2: unordered, unequal */
}

static bool
filter_match(const struct seg *sg, const json_t *root, const json_t *e)
{
    struct vec hits;
    vec_init(&hits, NULL);
    eval_path(sg->filter, root, e, &hits);
    const json_t *v = hits.n > 0 ? hits.items[0] : NULL;
    vec_fini(&hits);
    if (sg->op == OP_EXISTS)
        return v != NULL;
    if (v == NULL)
        return sg->op == OP_NE;
    int c = cmp_values(v, sg->lit);
    switch (sg->op) {
    case OP_EQ:
        return c == 0;
    case OP_NE:
        return c != 0;
    case OP_LT:
        return c == -1;
    case OP_GT:
        return c == 1;
    case OP_LE:
        return c == -1 || c == 0;
    case OP_GE:
        return c == 1 || c == 0;
    case OP_EXISTS:
        break;
    }
    return false;
}

static void
apply_seg(const struct seg *sg, const json_t *root, const json_t *v, struct vec *out)
{
    switch (sg->kind) {
    case SEG_FIELD: {
        json_t *x = json_is_object(v) ? json_object_get(v, sg->name) : NULL;
        if (x != NULL)
            vec_push(out, x);
        break;
    }
    case SEG_RECURSE:
        if (sg->name == NULL)
            vec_push(out, (void *)v);
        descend(v, sg->name, out);
        break;
    case SEG_ALL:
        if (json_is_array(v)) {
            size_t i;
            json_t *x;
            json_array_foreach (v, i, x)
                vec_push(out, x);
        } else if (json_is_object(v)) {
            const char *k;
            json_t *x;
            json_object_foreach ((json_t *)v, k, x)
                vec_push(out, x);
        }
        break;
    case SEG_INDEX: {
        long n = (long)json_array_size(v);
        long i = sg->index < 0 ? n + sg->index : sg->index;
        if (json_is_array(v) && i >= 0 && i < n)
            vec_push(out, json_array_get(v, (size_t)i));
        break;
    }
    case SEG_SLICE: {
        if (!json_is_array(v))
            break;
        long n = (long)json_array_size(v);
        long a = sg->has_from ? sg->from : 0, b = sg->has_to ? sg->to : n;
        a = a < 0 ? n + a : a;
        b = b < 0 ? n + b : b;
        a = a < 0 ? 0 : a;
        b = b > n ? n : b;
        for (long i = a; i < b; i += sg->step)
            vec_push(out, json_array_get(v, (size_t)i));
        break;
    }
    case SEG_FILTER:
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach (v, i, e)
                if (filter_match(sg, root, e))
                    vec_push(out, e);
        }
        break;
    }
}

static void
eval_path(const struct path *p, const json_t *root, const json_t *cur, struct vec *out)
{
    struct vec a, b;
    vec_init(&a, NULL);
    vec_init(&b, NULL);
    vec_push(&a, (void *)(p->absolute ? root : cur));
    for (size_t i = 0; i < p->n; i++) {
        vec_clear(&b);
        for (size_t k = 0; k < a.n; k++)
            apply_seg(&p->segs[i], root, a.items[k], &b);
        struct vec t = a;
        a = b;
        b = t;
    }
    for (size_t k = 0; k < a.n; k++)
        vec_push(out, a.items[k]);
    vec_fini(&a);
    vec_fini(&b);
}

static void
print_value(const json_t *v, struct strbuf *out)
{
    if (json_is_string(v)) {
        strbuf_append(out, json_string_value(v));
    } else if (json_is_null(v)) {
        return;
    } else if (json_is_integer(v)) {
        strbuf_appendf(out, "%lld", (long long)json_integer_value(v));
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
        if (s != NULL)
            strbuf_append(out, s);
        free(s);
    }
}

static void
eval_nodes(const struct nodes *ns, const json_t *root, const json_t *cur, struct strbuf *out)
{
    for (size_t i = 0; i < ns->n; i++) {
        const struct node *n = &ns->v[i];
        if (n->kind == N_TEXT) {
            strbuf_append(out, n->text);
            continue;
        }
        struct vec hits;
        vec_init(&hits, NULL);
        eval_path(n->path, root, cur, &hits);
        for (size_t k = 0; k < hits.n; k++) {
            if (n->kind == N_RANGE) {
                eval_nodes(n->body, root, hits.items[k], out);
            } else {
                if (k > 0)
                    strbuf_appendc(out, ' ');
                print_value(hits.items[k], out);
            }
        }
        vec_fini(&hits);
    }
}

void
jsonpath_eval(const struct jsonpath *jp, const json_t *root, struct strbuf *out)
{
    eval_nodes(&jp->top, root, root, out);
}
