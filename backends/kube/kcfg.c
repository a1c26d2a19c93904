/* kcfg: the kubeconfig, loaded and merged the way kubectl (client-go clientcmd) does it:
 * --kubeconfig, else every file of $KUBECONFIG (first definition of a name wins), else
 * ~/.kube/config. Resolving a context into one flat target for the Kubernetes client is
 * kcfg_resolve.c.
 *
 * Shape errors (types, base64, duplicate names) are found at load with FILE:LINE, because a
 * file kubectl would refuse must not half-work here. Referenced files (CA, client cert/key,
 * tokenFile) are read at resolve, as kubectl reads them at use, so a missing key file of one
 * context never blocks the others. This module does no network and runs no plugin: exec
 * plugins live in kcfg_exec.c. */
#include "kube/kcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base64.h"
#include "hmap.h"
#include "path.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "kube/kcfg_internal.h"
#include "codec/yamlu.h"

/* ------------------------------------------------------------------ helpers */

void
kcfg__free_secret_n(char *p, size_t n)
{
    if (p == NULL)
        return;
    explicit_bzero(p, n);
    free(p);
}

/* Lexical clean in place, as Go's filepath.Clean (kubectl joins and cleans): drops "." and
 * empty components and resolves ".." against what precedes it. s is absolute. */
static void
clean_path(char *s)
{
    char *out = s + 1; /* after the leading '/' */
    const char *r = s + 1;
    while (*r) {
        const char *end = strchr(r, '/');
        size_t len = end ? (size_t)(end - r) : strlen(r);
        if (len == 0 || (len == 1 && r[0] == '.')) {
            /* skip */
        } else if (len == 2 && r[0] == '.' && r[1] == '.') {
            while (out > s + 1 && out[-1] != '/')
                out--; /* back over the previous component... */
            if (out > s + 1)
                out--; /* ...and its '/' */
        } else {
            if (out > s + 1 && out[-1] != '/')
                *out++ = '/';
            memmove(out, r, len);
            out += len;
        }
        r += len;
        if (*r == '/')
            r++;
    }
    if (out > s + 1 && out[-1] == '/')
        out--;
    *out = '\0';
}

char *
kcfg__resolve_rel(const char *dir, const char *p)
{
    char *abs = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
    clean_path(abs);
    return abs;
}

/* ------------------------------------------------------------------ tables */

static void
table_init(struct kc_table *t)
{
    vec_init(&t->items, free);
    hmap_init(&t->idx);
}

static void
table_fini(struct kc_table *t)
{
    hmap_fini(&t->idx);
    vec_fini(&t->items);
}

void
kcfg__table_names(const struct kc_table *t, struct strbuf *sb)
{
    if (t->items.n == 0) {
        strbuf_append(sb, "(none)");
        return;
    }
    for (size_t i = 0; i < t->items.n; i++) {
        const struct kc_entry *e = vec_at(&t->items, i);
        strbuf_appendf(sb, "%s%s", i ? ", " : "", e->name);
    }
}

void
kcfg_free(struct kcfg *k)
{
    if (k == NULL)
        return;
    table_fini(&k->clusters);
    table_fini(&k->users);
    table_fini(&k->contexts);
    for (size_t i = 0; i < k->files.n; i++) {
        struct kc_file *f = vec_at(&k->files, i);
        yamlu_free(f->doc);
        free(f->path);
        free(f->dir);
        free(f);
    }
    vec_fini(&k->files);
    free(k);
}

/* ------------------------------------------------------------- validation */

struct field {
    const char *key;
    enum { F_STR, F_B64, F_BOOL, F_OBJ, F_ARR, F_ANY } type;
};

static int
check_fields(const struct yamlu_doc *d, json_t *obj, const char *path, const struct field *fs,
             struct pxerr *err)
{
    char p[KCFG_PATHBUF];
    for (const struct field *f = fs; f->key; f++) {
        json_t *v = json_object_get(obj, f->key);
        if (v == NULL || json_is_null(v))
            continue;
        int rc = 0;
        const char *s = NULL;
        bool b;
        json_t *o;
        switch (f->type) {
        case F_STR:
            rc = yamlu_get_str(d, obj, path, f->key, &s, err);
            break;
        case F_B64:
            rc = yamlu_get_str(d, obj, path, f->key, &s, err);
            if (rc == 0) {
                char *dec;
                size_t n;
                if (base64_decode(s, strlen(s), 0, &dec, &n) != 0) {
                    yamlu_path_key(p, sizeof p, path, f->key);
                    return yamlu_err(d, err, PXE_SCHEMA, p, "not valid base64");
                }
                kcfg__free_secret_n(dec, n);
            }
            break;
        case F_BOOL:
            rc = yamlu_get_bool(d, obj, path, f->key, &b, err);
            break;
        case F_OBJ:
            rc = yamlu_get_obj(d, obj, path, f->key, &o, err);
            break;
        case F_ARR:
            rc = yamlu_get_arr(d, obj, path, f->key, &o, err);
            break;
        case F_ANY:
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static const struct field cluster_fields[] = {
    {"server", F_STR},
    {"certificate-authority", F_STR},
    {"certificate-authority-data", F_B64},
    {"insecure-skip-tls-verify", F_BOOL},
    {"tls-server-name", F_STR},
    {"proxy-url", F_STR},
    {"disable-compression", F_BOOL},
    {"extensions", F_ARR},
    {NULL, F_ANY},
};

static const struct field user_fields[] = {
    {"client-certificate", F_STR},
    {"client-certificate-data", F_B64},
    {"client-key", F_STR},
    {"client-key-data", F_B64},
    {"token", F_STR},
    {"tokenFile", F_STR},
    {"username", F_STR},
    {"password", F_STR},
    {"as", F_STR},
    {"as-uid", F_STR},
    {"as-groups", F_ARR},
    {"as-user-extra", F_OBJ},
    {"auth-provider", F_OBJ},
    {"exec", F_OBJ},
    {"extensions", F_ARR},
    {NULL, F_ANY},
};

static const struct field exec_fields[] = {
    {"command", F_STR},         {"args", F_ARR},        {"env", F_ARR},
    {"apiVersion", F_STR},      {"installHint", F_STR}, {"provideClusterInfo", F_BOOL},
    {"interactiveMode", F_STR}, {NULL, F_ANY},
};

static const struct field context_fields[] = {
    {"cluster", F_STR}, {"user", F_STR}, {"namespace", F_STR}, {"extensions", F_ARR}, {NULL, F_ANY},
};

static int
check_exec(const struct yamlu_doc *d, json_t *ex, const char *path, struct pxerr *err)
{
    int rc = check_fields(d, ex, path, exec_fields, err);
    if (rc != 0)
        return rc;
    char p[KCFG_PATHBUF], q[KCFG_PATHBUF];
    json_t *args = json_object_get(ex, "args");
    if (json_is_array(args)) {
        yamlu_path_key(p, sizeof p, path, "args");
        size_t i;
        json_t *a;
        json_array_foreach(args, i, a)
        {
            if (!json_is_string(a)) {
                yamlu_path_idx(q, sizeof q, p, i);
                return yamlu_err(d, err, PXE_SCHEMA, q, "expected a string, got %s",
                                 yamlu_type_name(a));
            }
        }
    }
    json_t *env = json_object_get(ex, "env");
    if (json_is_array(env)) {
        yamlu_path_key(p, sizeof p, path, "env");
        size_t i;
        json_t *e;
        json_array_foreach(env, i, e)
        {
            yamlu_path_idx(q, sizeof q, p, i);
            if (!json_is_object(e))
                return yamlu_err(d, err, PXE_SCHEMA, q, "expected a mapping {name, value}, got %s",
                                 yamlu_type_name(e));
            const char *s = NULL;
            if ((rc = yamlu_get_str(d, e, q, "name", &s, err)) != 0 ||
                (rc = yamlu_get_str(d, e, q, "value", &s, err)) != 0)
                return rc;
        }
    }
    return 0;
}

/* Check one list ("clusters", "users", "contexts") of a file and add its entries to t
 * unless an earlier file defined the name (first wins). */
static int
load_list(struct kc_file *f, json_t *root, const char *list, const char *body_key,
          const struct field *fields, struct kc_table *t, struct pxerr *err)
{
    const struct yamlu_doc *d = f->doc;
    json_t *arr = NULL;
    int rc = yamlu_get_arr(d, root, "", list, &arr, err);
    if (rc != 0 || arr == NULL)
        return rc;
    struct hmap seen; /* names within this file: a duplicate is an error, as in client-go */
    hmap_init(&seen);
    size_t i;
    json_t *item;
    char p[64], bp[KCFG_PATHBUF];
    json_array_foreach(arr, i, item)
    {
        yamlu_path_idx(p, sizeof p, list, i);
        if (!json_is_object(item)) {
            rc = yamlu_err(d, err, PXE_SCHEMA, p, "expected a mapping {name, %s}, got %s", body_key,
                           yamlu_type_name(item));
            break;
        }
        const char *name = NULL;
        if ((rc = yamlu_get_str(d, item, p, "name", &name, err)) != 0)
            break;
        if (name == NULL || name[0] == '\0') {
            rc = yamlu_err(d, err, PXE_SCHEMA, p, "entry without a name");
            break;
        }
        json_t *body = NULL;
        if ((rc = yamlu_get_obj(d, item, p, body_key, &body, err)) != 0)
            break;
        yamlu_path_key(bp, sizeof bp, p, body_key);
        if (body != NULL && (rc = check_fields(d, body, bp, fields, err)) != 0)
            break;
        if (body != NULL && fields == user_fields) {
            json_t *ex = json_object_get(body, "exec");
            char ep[KCFG_PATHBUF];
            yamlu_path_key(ep, sizeof ep, bp, "exec");
            if (json_is_object(ex) && (rc = check_exec(d, ex, ep, err)) != 0)
                break;
        }
        const struct kc_entry *dup = hmap_get(&seen, name);
        if (dup != NULL) {
            char np[80];
            yamlu_path_key(np, sizeof np, p, "name");
            rc = yamlu_err(d, err, PXE_SCHEMA, np, "duplicate name \"%s\" (first at line %d)", name,
                           yamlu_line(d, dup->path));
            break;
        }
        struct kc_entry *e = xcalloc(1, sizeof *e);
        e->name = name;
        e->body = body;
        e->file = f;
        snprintf(e->path, sizeof e->path, "%s", p);
        hmap_put(&seen, name, e);
        if (hmap_get(&t->idx, name) == NULL) {
            vec_push(&t->items, e);
            hmap_put(&t->idx, name, e);
        } else {
            free(e); /* an earlier file already defined it: the first one wins */
        }
    }
    hmap_fini(&seen);
    return rc;
}

static int
load_file(struct kcfg *k, const char *path, struct pxerr *err)
{
    struct yamlu_doc *doc = NULL;
    int rc = yamlu_load_file(path, &doc, err);
    if (rc != 0)
        return rc;
    struct kc_file *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->dir = path_abs_dir(path);
    f->doc = doc;
    vec_push(&k->files, f);
    json_t *root = doc->root;
    if (root == NULL)
        return 0; /* an empty kubeconfig is valid and defines nothing */
    if (!json_is_object(root))
        return yamlu_err(doc, err, PXE_SCHEMA, "", "expected a kubeconfig mapping, got %s",
                         yamlu_type_name(root));
    const char *kind = NULL, *cur = NULL;
    if ((rc = yamlu_get_str(doc, root, "", "kind", &kind, err)) != 0 ||
        (rc = yamlu_get_str(doc, root, "", "current-context", &cur, err)) != 0)
        return rc;
    if (kind != NULL && strcmp(kind, "Config") != 0)
        return yamlu_err(doc, err, PXE_SCHEMA, "kind", "expected \"Config\", got \"%s\"", kind);
    if ((rc = load_list(f, root, "clusters", "cluster", cluster_fields, &k->clusters, err)) != 0 ||
        (rc = load_list(f, root, "users", "user", user_fields, &k->users, err)) != 0 ||
        (rc = load_list(f, root, "contexts", "context", context_fields, &k->contexts, err)) != 0)
        return rc;
    if (k->current == NULL && cur != NULL && cur[0] != '\0')
        k->current = cur;
    return 0;
}

static struct kcfg *
kcfg_alloc(void)
{
    struct kcfg *k = xcalloc(1, sizeof *k);
    vec_init(&k->files, NULL);
    table_init(&k->clusters);
    table_init(&k->users);
    table_init(&k->contexts);
    return k;
}

int
kcfg_load(const char *explicit_path, struct kcfg **out, struct pxerr *err)
{
    struct kcfg *k = kcfg_alloc();
    int rc = 0;
    if (explicit_path != NULL && explicit_path[0] != '\0') {
        rc = load_file(k, explicit_path, err);
        if (rc == PXE_NOTFOUND)
            pxerr_prefix(err, "kubeconfig (from --kubeconfig) ");
    } else if (getenv("KUBECONFIG") != NULL && getenv("KUBECONFIG")[0] != '\0') {
        char *list = xstrdup(getenv("KUBECONFIG"));
        struct hmap seen;
        hmap_init(&seen);
        size_t loaded = 0;
        char *save = NULL;
        for (char *p = strtok_r(list, ":", &save); p && rc == 0; p = strtok_r(NULL, ":", &save)) {
            if (p[0] == '\0' || hmap_get(&seen, p) != NULL)
                continue;
            hmap_put(&seen, p, p);
            struct stat st;
            if (stat(p, &st) != 0 && errno == ENOENT)
                continue; /* kubectl ignores missing files in $KUBECONFIG */
            rc = load_file(k, p, err);
            loaded++;
        }
        if (rc == 0 && loaded == 0)
            rc = pxerr_set(err, PXE_NOTFOUND,
                           "no kubeconfig: none of the files in $KUBECONFIG exist (%s); fix "
                           "$KUBECONFIG or pass --kubeconfig FILE",
                           getenv("KUBECONFIG"));
        hmap_fini(&seen);
        free(list);
    } else {
        const char *home = path_home();
        if (home == NULL) {
            rc = pxerr_set(err, PXE_NOTFOUND,
                           "no kubeconfig: $KUBECONFIG and $HOME are not set; pass --kubeconfig");
        } else {
            char *p = xasprintf("%s/.kube/config", home);
            struct stat st;
            if (stat(p, &st) != 0 && errno == ENOENT)
                rc = pxerr_set(err, PXE_NOTFOUND,
                               "no kubeconfig: $KUBECONFIG is not set and %s does not exist; pass "
                               "--kubeconfig FILE or set KUBECONFIG",
                               p);
            else
                rc = load_file(k, p, err);
            free(p);
        }
    }
    if (rc != 0) {
        kcfg_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

const char *
kcfg_current_context(const struct kcfg *k)
{
    return k->current;
}

size_t
kcfg_context_count(const struct kcfg *k)
{
    return k->contexts.items.n;
}

const char *
kcfg_context_name(const struct kcfg *k, size_t i)
{
    const struct kc_entry *e = vec_at(&k->contexts.items, i);
    return e->name;
}

void
kcfg_context_names(const struct kcfg *k, char *buf, size_t n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    kcfg__table_names(&k->contexts, &sb);
    snprintf(buf, n, "%s", sb.s);
    strbuf_fini(&sb);
}

void
kcfg_files(const struct kcfg *k, char *buf, size_t n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < k->files.n; i++) {
        const struct kc_file *f = vec_at(&k->files, i);
        strbuf_appendf(&sb, "%s%s", i ? ", " : "", f->path);
    }
    snprintf(buf, n, "%s", sb.s);
    strbuf_fini(&sb);
}

