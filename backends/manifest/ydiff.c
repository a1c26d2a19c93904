/* ydiff: both diffs end as a list of (op, line) printed with context.
 *
 * ydiff_lines: LCS over lines (O(n*m) memory as one matrix, fine for manifests of a few
 * hundred lines; inputs past 4000 lines fall back to "changed whole").
 *
 * ydiff_apply walks two trees rather than diffing their text, because a text diff cannot
 * tell a field the manifest leaves alone from one the apply removes (a live label showed
 * as "-   labels: {}" though the apply kept it), nor a list reordered from a list changed.
 * Both sides are first cut down to the fields the apply is about (the manifest's, and
 * those its field manager applied before, from managedFields), as server-side apply
 * merges: maps key by key, other lists whole. Then a map shows its unchanged header and
 * the keys that differ; a list shows its items kept, added and removed (by equality, or
 * as a set where order means nothing); a scalar that differs is a removed and an added
 * line. Everything is printed through yamlout, so the lines read as the manifest does. */
#include "manifest/ydiff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"
#include "codec/yamlout.h"

enum { OP_SAME, OP_DEL, OP_ADD };

struct dline {
    int op;
    char *text; /* owned, without the "  "/"- "/"+ " prefix */
};

struct dlines {
    struct dline *v;
    size_t n, cap;
};

static void
push(struct dlines *L, int op, char *text)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 64;
        L->v = xrealloc(L->v, L->cap * sizeof *L->v);
    }
    L->v[L->n++] = (struct dline){op, text};
}

static void
dlines_fini(struct dlines *L)
{
    for (size_t i = 0; i < L->n; i++)
        free(L->v[i].text);
    free(L->v);
}

/* Changed lines with `context` unchanged ones around them, "@@" between hunks. */
static int
print(const struct dlines *L, int context, struct strbuf *out)
{
    int changes = 0;
    for (size_t k = 0; k < L->n; k++)
        changes += L->v[k].op != OP_SAME;
    size_t last_printed = SIZE_MAX;
    for (size_t k = 0; k < L->n; k++) {
        bool show = L->v[k].op != OP_SAME;
        for (size_t d = 1; d <= (size_t)(context > 0 ? context : 0) && !show; d++)
            show = (k >= d && L->v[k - d].op != OP_SAME) ||
                   (k + d < L->n && L->v[k + d].op != OP_SAME);
        if (!show)
            continue;
        if (last_printed != SIZE_MAX && k > last_printed + 1)
            strbuf_append(out, "@@\n");
        last_printed = k;
        strbuf_append(out, L->v[k].op == OP_SAME ? "  " : L->v[k].op == OP_DEL ? "- " : "+ ");
        strbuf_append(out, L->v[k].text);
        strbuf_appendc(out, '\n');
    }
    return changes;
}

/* ---- ydiff_lines ---- */

static size_t
split_lines(const char *s, char ***out)
{
    size_t n = 0, cap = 16;
    char **v = xmalloc(cap * sizeof *v);
    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (n == cap)
            v = xrealloc(v, (cap *= 2) * sizeof *v);
        v[n++] = xstrndup(p, len);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    *out = v;
    return n;
}

int
ydiff_lines(const char *a, const char *b, int context, struct strbuf *out)
{
    char **la, **lb;
    size_t n = split_lines(a ? a : "", &la), m = split_lines(b ? b : "", &lb);
    struct dlines L = {0};
    if (n > 4000 || m > 4000) {
        for (size_t i = 0; i < n; i++)
            push(&L, OP_DEL, la[i]);
        for (size_t j = 0; j < m; j++)
            push(&L, OP_ADD, lb[j]);
    } else {
        /* T[i][j] = LCS length of a[i..], b[j..] */
        uint16_t *T = xcalloc((n + 1) * (m + 1), sizeof *T);
#define AT(i, j) T[(i) * (m + 1) + (j)]
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                AT(i, j) = strcmp(la[i], lb[j]) == 0
                               ? (uint16_t)(AT(i + 1, j + 1) + 1)
                               : (AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1));
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && strcmp(la[i], lb[j]) == 0) {
                push(&L, OP_SAME, la[i++]);
                free(lb[j++]);
            } else if (j < m && (i == n || AT(i, j + 1) >= AT(i + 1, j))) {
                push(&L, OP_ADD, lb[j++]);
            } else {
                push(&L, OP_DEL, la[i++]);
            }
        }
#undef AT
        free(T);
    }
    free(la);
    free(lb);
    int changes = print(&L, context, out);
    dlines_fini(&L);
    return changes;
}

/* ---- ydiff_apply: which fields ---- */

/* A field set is a JSON object: key -> a field set (the apply is about some of its
 * fields) or JSON null (about the whole value). */

static json_t *
fields_of(const json_t *o)
{
    json_t *f = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) json_object_set_new(
        f, k, json_is_object(v) && json_object_size(v) > 0 ? fields_of(v) : json_null());
    return f;
}

/* managedFields' FieldsV1 ({"f:spec": {"f:hosts": {}}, ...}) over the live object: "f:"
 * members are fields; a field with no "f:" members (nothing, or list items "k:", "v:",
 * "i:") is owned whole. A map owned whole that way says nothing useful ({"f:metadata": {}}
 * from a manifest that sets only the name) and is left out, so that the server's own
 * fields under it never show. */
static json_t *
fields_v1(const json_t *fv, const json_t *live)
{
    json_t *f = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)fv, k, v) {
        if (strncmp(k, "f:", 2) != 0)
            continue;
        json_t *lv = json_object_get(live, k + 2);
        bool nested = false;
        const char *ck;
        json_t *cv;
        json_object_foreach(v, ck, cv) nested |= strncmp(ck, "f:", 2) == 0;
        if (nested && json_is_object(lv))
            json_object_set_new(f, k + 2, fields_v1(v, lv));
        else if (lv != NULL && !json_is_object(lv))
            json_object_set_new(f, k + 2, json_null());
    }
    return f;
}

static void
fields_merge(json_t *dst, const json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)src, k, v) {
        json_t *d = json_object_get(dst, k);
        if (d == NULL)
            json_object_set(dst, k, v);
        else if (json_is_null(d) || json_is_null(v))
            json_object_set_new(dst, k, json_null());
        else
            fields_merge(d, v);
    }
}

static json_t *
project(const json_t *v, const json_t *f)
{
    if (!json_is_object(f) || !json_is_object(v))
        return json_deep_copy(v);
    json_t *o = json_object();
    const char *k;
    json_t *fv;
    json_object_foreach((json_t *)f, k, fv) {
        json_t *x = json_object_get(v, k);
        if (x != NULL)
            json_object_set_new(o, k, project(x, fv));
    }
    return o;
}

static bool
is_secret(const json_t *o)
{
    const char *av = json_string_value(json_object_get(o, "apiVersion"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    return av != NULL && kind != NULL && strcmp(av, "v1") == 0 && strcmp(kind, "Secret") == 0;
}

/* The intended object as the server stores it: a Secret's stringData (write-only) is
 * merged into data, base64-encoded, its values winning as they do on the server. */
static json_t *
normalize(const json_t *intended)
{
    json_t *o = json_deep_copy(intended);
    json_t *sd = json_object_get(o, "stringData");
    if (!is_secret(o) || !json_is_object(sd))
        return o;
    json_t *data = json_object_get(o, "data");
    if (!json_is_object(data)) {
        data = json_object();
        json_object_set_new(o, "data", data);
    }
    const char *k;
    json_t *v;
    json_object_foreach(sd, k, v) {
        if (!json_is_string(v))
            continue;
        char *e = base64_encode(json_string_value(v), json_string_length(v), 0);
        json_object_set_new(data, k, json_string(e));
        xfree_secret(e);
    }
    json_object_del(o, "stringData");
    return o;
}

/* No value of a Secret is printed: each becomes a word saying whether it changes. */
static void
mask_secret(json_t *before, json_t *after)
{
    static const char *const sections[] = {"data", "stringData"};
    for (size_t s = 0; s < 2; s++) {
        json_t *b = json_object_get(before, sections[s]);
        json_t *a = json_object_get(after, sections[s]);
        if (b != NULL && !json_is_object(b))
            json_object_set_new(before, sections[s], json_string("<hidden>"));
        if (a != NULL && !json_is_object(a))
            json_object_set_new(after, sections[s], json_string("<hidden>"));
        if (!json_is_object(a) || !json_is_object(b)) {
            json_t *only = json_is_object(a) ? a : json_is_object(b) ? b : NULL;
            const char *k;
            json_t *v;
            json_object_foreach(only, k, v) json_object_set_new(only, k, json_string("<hidden>"));
            continue;
        }
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v) {
            json_t *bv = json_object_get(b, k);
            bool changed = bv != NULL && !json_equal(bv, v);
            json_object_set_new(a, k, json_string(changed ? "<hidden, changed>" : "<hidden>"));
            if (bv != NULL)
                json_object_set_new(b, k, json_string("<hidden>"));
        }
        json_object_foreach(b, k, v) json_object_set_new(b, k, json_string("<hidden>"));
    }
}

/* ---- ydiff_apply: the walk ---- */

struct walk {
    struct dlines *L;
    const char *kind;
};

/* Lists whose order carries no meaning, by kind and path. */
static bool
set_like(const struct walk *w, const char *path)
{
    static const struct {
        const char *kind, *path;
    } sets[] = {
        {"ServiceEntry", "spec.hosts"},    {"ServiceEntry", "spec.addresses"},
        {"ServiceEntry", "spec.endpoints"}, {"ServiceEntry", "spec.exportTo"},
        {"ServiceEntry", "spec.subjectAltNames"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (strcmp(w->kind, sets[i].kind) == 0 && strcmp(path, sets[i].path) == 0)
            return true;
    return false;
}

/* yaml's lines, each indented by level, with op. */
static void
add_yaml(struct walk *w, int op, int level, const char *yaml)
{
    for (const char *p = yaml; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *t = xmalloc((size_t)level * 2 + len + 1);
        memset(t, ' ', (size_t)level * 2);
        memcpy(t + (size_t)level * 2, p, len);
        t[(size_t)level * 2 + len] = '\0';
        push(w->L, op, t);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

/* "key: value" (key NULL: a list item "- value") with everything under it, all with op. */
static void
entry(struct walk *w, int op, int level, const char *key, const json_t *v)
{
    json_t *wrap = key != NULL ? json_object() : json_array();
    if (key != NULL)
        json_object_set(wrap, key, (json_t *)v);
    else
        json_array_append(wrap, (json_t *)v);
    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(wrap, &y);
    add_yaml(w, op, level, y.s);
    strbuf_fini(&y);
    json_decref(wrap);
}

static void
header(struct walk *w, int level, const char *key)
{
    struct strbuf h;
    strbuf_init(&h);
    for (int i = 0; i < level; i++)
        strbuf_append(&h, "  ");
    yamlout_key(key, &h);
    strbuf_appendc(&h, ':');
    push(w->L, OP_SAME, strbuf_detach(&h));
}

static void diff_object(struct walk *w, const json_t *b, const json_t *a, int level,
                        const char *path);

static void
diff_set(struct walk *w, const json_t *b, const json_t *a, int level)
{
    size_t nb = json_array_size(b);
    bool *used = xcalloc(nb + 1, sizeof *used);
    size_t i;
    json_t *x;
    json_array_foreach((json_t *)a, i, x) {
        size_t j = 0;
        while (j < nb && (used[j] || !json_equal(json_array_get(b, j), x)))
            j++;
        if (j < nb)
            used[j] = true;
        entry(w, j < nb ? OP_SAME : OP_ADD, level, NULL, x);
    }
    json_array_foreach((json_t *)b, i, x) if (!used[i]) entry(w, OP_DEL, level, NULL, x);
    free(used);
}

static void
diff_seq(struct walk *w, const json_t *b, const json_t *a, int level)
{
    size_t n = json_array_size(b), m = json_array_size(a);
    if (n > 1000 || m > 1000) {
        json_t *x;
        size_t i;
        json_array_foreach((json_t *)b, i, x) entry(w, OP_DEL, level, NULL, x);
        json_array_foreach((json_t *)a, i, x) entry(w, OP_ADD, level, NULL, x);
        return;
    }
    uint16_t *T = xcalloc((n + 1) * (m + 1), sizeof *T);
#define AT(i, j) T[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            AT(i, j) = json_equal(json_array_get(b, i), json_array_get(a, j))
                           ? (uint16_t)(AT(i + 1, j + 1) + 1)
                           : (AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && json_equal(json_array_get(b, i), json_array_get(a, j))) {
            entry(w, OP_SAME, level, NULL, json_array_get(a, j));
            i++, j++;
        } else if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1))) {
            entry(w, OP_DEL, level, NULL, json_array_get(b, i++));
        } else {
            entry(w, OP_ADD, level, NULL, json_array_get(a, j++));
        }
    }
#undef AT
    free(T);
}

static void
diff_value(struct walk *w, const char *key, const json_t *b, const json_t *a, int level,
           const char *path)
{
    if (json_equal(b, a)) {
        entry(w, OP_SAME, level, key, a);
    } else if (json_is_object(b) && json_is_object(a)) {
        header(w, level, key);
        diff_object(w, b, a, level + 1, path);
    } else if (json_is_array(b) && json_is_array(a)) {
        header(w, level, key); /* yamlout writes a list under a key at the key's level */
        if (set_like(w, path))
            diff_set(w, b, a, level);
        else
            diff_seq(w, b, a, level);
    } else {
        entry(w, OP_DEL, level, key, b);
        entry(w, OP_ADD, level, key, a);
    }
}

/* The keys of a in its order, then those only b has. */
static void
diff_object(struct walk *w, const json_t *b, const json_t *a, int level, const char *path)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
        char *child = xasprintf("%s%s%s", path, path[0] ? "." : "", k);
        json_t *bv = json_object_get(b, k);
        if (bv == NULL)
            entry(w, OP_ADD, level, k, v);
        else
            diff_value(w, k, bv, v, level, child);
        free(child);
    }
    json_object_foreach((json_t *)b, k, v) if (json_object_get(a, k) == NULL)
        entry(w, OP_DEL, level, k, v);
}

int
ydiff_apply(const json_t *live, const json_t *after, const json_t *intended, const char *manager,
            int context, struct strbuf *out)
{
    json_t *norm = normalize(intended);
    json_t *fields = fields_of(norm);
    json_t *mf = json_object_get(json_object_get(live, "metadata"), "managedFields");
    size_t i;
    json_t *e;
    json_array_foreach(mf, i, e) {
        const char *m = json_string_value(json_object_get(e, "manager"));
        const char *op = json_string_value(json_object_get(e, "operation"));
        if (manager == NULL || m == NULL || op == NULL || strcmp(m, manager) != 0 ||
            strcmp(op, "Apply") != 0)
            continue;
        json_t *owned = fields_v1(json_object_get(e, "fieldsV1"), live);
        json_t *md = json_object_get(owned, "metadata");
        static const char *const server_owned[] = {"managedFields", "resourceVersion", "uid",
                                                   "generation", "creationTimestamp"};
        for (size_t k = 0; json_is_object(md) && k < 5; k++)
            json_object_del(md, server_owned[k]);
        fields_merge(fields, owned);
        json_decref(owned);
    }
    json_t *b = live != NULL ? project(live, fields) : json_object();
    json_t *a = project(after != NULL ? after : norm, fields);
    if (is_secret(norm))
        mask_secret(b, a);
    struct dlines L = {0};
    const char *kind = json_string_value(json_object_get(intended, "kind"));
    struct walk w = {&L, kind != NULL ? kind : ""};
    diff_object(&w, b, a, 0, "");
    int changes = print(&L, context, out);
    dlines_fini(&L);
    json_decref(b);
    json_decref(a);
    json_decref(fields);
    json_decref(norm);
    return changes;
}
