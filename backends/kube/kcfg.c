/* kcfg: the kubeconfig, loaded and merged the way kubectl (client-go clientcmd) does it, and
 * resolved into one flat, self-contained target per context for the Kubernetes client.
 *
 * Shape errors (types, base64, duplicate names) are found at load with FILE:LINE, because a
 * file kubectl would refuse must not half-work here. Referenced files (CA, client cert/key,
 * tokenFile) are read at resolve, as kubectl reads them at use, so a missing key file of one
 * context never blocks the others. This module does no network and runs no plugin: exec
 * plugins live in kcfg_exec.c. */
#include "kube/kcfg.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "path.h"
#include "xmalloc.h"
#include "kube/kcfg_internal.h"
#include "codec/yamlu.h"

#define PATHBUF 512
#define MAX_REF_FILE (4u << 20) /* certificates, keys and tokens are small */

struct kc_file {
    char *path;            /* as given (messages) */
    char *dir;             /* absolute directory, for relative references */
    struct yamlu_doc *doc; /* owned */
};

/* One named cluster, user or context; body is borrowed from file->doc. */
struct kc_entry {
    const char *name;           /* borrowed from the doc */
    json_t *body;               /* the "cluster"/"user"/"context" mapping, NULL: empty */
    const struct kc_file *file; /* borrowed */
    char path[64];              /* "users[3]" */
};

struct kc_table {
    struct vec items; /* owned struct kc_entry *, first-defined order */
    struct hmap idx;  /* name -> entry (borrowed) */
};

struct kcfg {
    struct vec files; /* owned struct kc_file * */
    struct kc_table clusters, users, contexts;
    const char *current; /* borrowed from a doc; NULL: unset */
};

/* ------------------------------------------------------------------ helpers */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
kcfg__b64_decode(const char *in, size_t in_len, char **out, size_t *out_len)
{
    char *buf = xmalloc(in_len / 4 * 3 + 4);
    size_t n = 0, quad = 0, pad = 0;
    unsigned acc = 0;
    for (size_t i = 0; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
            continue;
        int v;
        if (c == '=') {
            pad++;
            v = 0;
        } else {
            if (pad > 0)
                goto bad; /* data after padding */
            const char *p = c ? strchr(b64_alphabet, c) : NULL;
            if (p == NULL)
                goto bad;
            v = (int)(p - b64_alphabet);
        }
        acc = (acc << 6) | (unsigned)v;
        if (++quad == 4) {
            if (pad > 2)
                goto bad;
            buf[n++] = (char)(acc >> 16);
            if (pad < 2)
                buf[n++] = (char)(acc >> 8);
            if (pad < 1)
                buf[n++] = (char)acc;
            quad = 0;
            acc = 0;
            if (pad > 0)
                pad = 3; /* marks "finished": any further symbol is an error */
        }
    }
    if (quad != 0)
        goto bad;
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
bad:
    kcfg__free_secret_n(buf, in_len / 4 * 3 + 4);
    return -1;
}

char *
kcfg__b64_encode(const void *in, size_t len)
{
    const unsigned char *s = in;
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < len)
            v |= s[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

int
kcfg__read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -errno;
    struct strbuf sb;
    strbuf_init(&sb);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        strbuf_appendn(&sb, chunk, n);
        if (sb.len > max) {
            fclose(f);
            kcfg__free_secret_n(sb.s, sb.len);
            return -EFBIG;
        }
    }
    int e = ferror(f) ? (errno ? errno : EIO) : 0;
    explicit_bzero(chunk, sizeof chunk);
    fclose(f);
    if (e != 0) {
        kcfg__free_secret_n(sb.s, sb.len);
        return -e;
    }
    *len = sb.len;
    *out = strbuf_detach(&sb);
    return 0;
}

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

/* Owned absolute, cleaned path of p (relative to dir). */
static char *
resolve_rel(const char *dir, const char *p)
{
    char *abs = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
    clean_path(abs);
    return abs;
}

static const char *
home_dir(void)
{
    const char *h = getenv("HOME");
    if (h != NULL && h[0] != '\0')
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : NULL;
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

static void
table_names(const struct kc_table *t, struct strbuf *sb)
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
    char p[PATHBUF];
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
                if (kcfg__b64_decode(s, strlen(s), &dec, &n) != 0) {
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
    char p[PATHBUF], q[PATHBUF];
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
    char p[64], bp[PATHBUF];
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
            char ep[PATHBUF];
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
        const char *home = home_dir();
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
    table_names(&k->contexts, &sb);
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

/* ------------------------------------------------------------- resolution */

void
kcfg_exec_free(struct kcfg_exec *e)
{
    if (e == NULL)
        return;
    free(e->api_version);
    free(e->command);
    for (size_t i = 0; i < e->n_args; i++)
        free(e->args[i]);
    free(e->args);
    for (size_t i = 0; i < e->n_env; i++) {
        free(e->env[i].name);
        xfree_secret(e->env[i].value); /* plugin env often carries secrets */
    }
    free(e->env);
    free(e->install_hint);
    free(e->cluster_server);
    free(e->cluster_tls_server_name);
    free(e->cluster_ca_data_b64);
    free(e->cluster_proxy_url);
    free(e);
}

struct kcfg_exec *
kcfg_exec_dup(const struct kcfg_exec *s)
{
    struct kcfg_exec *e = xcalloc(1, sizeof *e);
    e->api_version = xstrdup_or_null(s->api_version);
    e->command = xstrdup_or_null(s->command);
    if (s->n_args > 0) {
        e->args = xcalloc(s->n_args, sizeof *e->args);
        for (size_t i = 0; i < s->n_args; i++)
            e->args[i] = xstrdup(s->args[i]);
    }
    e->n_args = s->n_args;
    if (s->n_env > 0) {
        e->env = xcalloc(s->n_env, sizeof *e->env);
        for (size_t i = 0; i < s->n_env; i++) {
            e->env[i].name = xstrdup(s->env[i].name);
            e->env[i].value = xstrdup(s->env[i].value);
        }
    }
    e->n_env = s->n_env;
    e->install_hint = xstrdup_or_null(s->install_hint);
    e->provide_cluster_info = s->provide_cluster_info;
    e->interactive = s->interactive;
    e->timeout_ms = s->timeout_ms;
    e->cluster_server = xstrdup_or_null(s->cluster_server);
    e->cluster_tls_server_name = xstrdup_or_null(s->cluster_tls_server_name);
    e->cluster_ca_data_b64 = xstrdup_or_null(s->cluster_ca_data_b64);
    e->cluster_proxy_url = xstrdup_or_null(s->cluster_proxy_url);
    e->cluster_insecure = s->cluster_insecure;
    return e;
}

void
kcfg_target_free(struct kcfg_target *t)
{
    if (t == NULL)
        return;
    free(t->context);
    free(t->cluster_name);
    free(t->user_name);
    free(t->server);
    free(t->namespace);
    free(t->ca_pem);
    free(t->ca_source);
    free(t->tls_server_name);
    free(t->proxy_url);
    free(t->client_cert_pem);
    kcfg__free_secret_n(t->client_key_pem, t->client_key_len);
    xfree_secret(t->token);
    free(t->token_file);
    free(t->username);
    xfree_secret(t->password);
    kcfg_exec_free(t->exec);
    free(t);
}

static const char *
str_of(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static bool
bool_of(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_true(v);
}

/* Either key_data (inline base64) or key (a file, relative to the entry's kubeconfig). Both
 * set is an error, as kubectl's validation says. *out NULL when neither. */
static int
read_pem(const struct kc_entry *e, const char *body_key, const char *file_key, const char *data_key,
         const char *what, char **out, size_t *out_len, char **source, struct pxerr *err)
{
    const struct yamlu_doc *d = e->file->doc;
    char bp[PATHBUF], p[PATHBUF];
    yamlu_path_key(bp, sizeof bp, e->path, body_key);
    const char *file = str_of(e->body, file_key);
    const char *data = str_of(e->body, data_key);
    if (file != NULL && data != NULL)
        return yamlu_err(d, err, PXE_SCHEMA, bp,
                         "both %s and %s are set; keep one (kubectl refuses this too)", file_key,
                         data_key);
    char *buf = NULL;
    size_t len = 0;
    if (data != NULL) {
        yamlu_path_key(p, sizeof p, bp, data_key);
        if (kcfg__b64_decode(data, strlen(data), &buf, &len) != 0)
            return yamlu_err(d, err, PXE_SCHEMA, p, "not valid base64");
        if (source)
            *source = xstrdup(data_key);
    } else if (file != NULL) {
        yamlu_path_key(p, sizeof p, bp, file_key);
        char *abs = resolve_rel(e->file->dir, file);
        int rc = kcfg__read_file(abs, MAX_REF_FILE, &buf, &len);
        if (rc != 0) {
            rc = yamlu_err(d, err, rc == -ENOENT ? PXE_NOTFOUND : PXE_IO, p, "%s: %s", abs,
                           strerror(-rc));
            free(abs);
            return rc;
        }
        if (source)
            *source = xstrdup(abs);
        free(abs);
    } else {
        *out = NULL;
        *out_len = 0;
        return 0;
    }
    if (memmem(buf, len, "-----BEGIN ", 11) == NULL) {
        kcfg__free_secret_n(buf, len);
        if (source) {
            free(*source);
            *source = NULL;
        }
        return yamlu_err(d, err, PXE_SCHEMA, p, "not a PEM %s (no -----BEGIN line)", what);
    }
    *out = buf;
    *out_len = len;
    return 0;
}

static int
resolve_exec(const struct kc_entry *ue, json_t *ex, const struct kcfg_target *t,
             struct kcfg_exec **out, struct pxerr *err)
{
    const struct yamlu_doc *d = ue->file->doc;
    char p[PATHBUF];
    snprintf(p, sizeof p, "%s.user.exec", ue->path);
    const char *api = str_of(ex, "apiVersion");
    const char *cmd = str_of(ex, "command");
    if (cmd == NULL)
        return yamlu_err(d, err, PXE_SCHEMA, p, "command must be set to use an exec plugin");
    if (api == NULL)
        return yamlu_err(d, err, PXE_SCHEMA, p,
                         "apiVersion must be set (" KCFG_EXEC_API_V1 " or " KCFG_EXEC_API_V1BETA1
                         ")");
    if (strcmp(api, KCFG_EXEC_API_V1) != 0 && strcmp(api, KCFG_EXEC_API_V1BETA1) != 0)
        return yamlu_err(d, err, PXE_UNSUPPORTED, p,
                         "apiVersion \"%s\" is not supported; use " KCFG_EXEC_API_V1
                         " or " KCFG_EXEC_API_V1BETA1,
                         api);
    const char *im = str_of(ex, "interactiveMode");
    enum kcfg_interactive mode = KCFG_INTERACTIVE_IF_AVAILABLE;
    if (im == NULL) {
        if (strcmp(api, KCFG_EXEC_API_V1) == 0)
            return yamlu_err(d, err, PXE_SCHEMA, p,
                             "interactiveMode must be set for " KCFG_EXEC_API_V1
                             " (Never, IfAvailable or Always)");
    } else if (strcmp(im, "Never") == 0) {
        mode = KCFG_INTERACTIVE_NEVER;
    } else if (strcmp(im, "IfAvailable") == 0) {
        mode = KCFG_INTERACTIVE_IF_AVAILABLE;
    } else if (strcmp(im, "Always") == 0) {
        return yamlu_err(d, err, PXE_UNSUPPORTED, p,
                         "interactiveMode Always needs a terminal, but pxcmesh runs plugins "
                         "without one; use a plugin mode that does not prompt");
    } else {
        return yamlu_err(d, err, PXE_SCHEMA, p,
                         "interactiveMode \"%s\" is invalid (Never, IfAvailable or Always)", im);
    }
    struct kcfg_exec *e = xcalloc(1, sizeof *e);
    e->api_version = xstrdup(api);
    /* kubectl: a command with a '/' is a path, relative to the kubeconfig file; without one
     * it is looked up in PATH. */
    e->command = strchr(cmd, '/') ? resolve_rel(ue->file->dir, cmd) : xstrdup(cmd);
    json_t *args = json_object_get(ex, "args");
    if (json_is_array(args) && json_array_size(args) > 0) {
        e->n_args = json_array_size(args);
        e->args = xcalloc(e->n_args, sizeof *e->args);
        for (size_t i = 0; i < e->n_args; i++)
            e->args[i] = xstrdup(json_string_value(json_array_get(args, i)));
    }
    json_t *env = json_object_get(ex, "env");
    if (json_is_array(env) && json_array_size(env) > 0) {
        e->n_env = json_array_size(env);
        e->env = xcalloc(e->n_env, sizeof *e->env);
        for (size_t i = 0; i < e->n_env; i++) {
            json_t *ev = json_array_get(env, i);
            const char *n = str_of(ev, "name");
            json_t *vv = json_object_get(ev, "value");
            if (n == NULL || !json_is_string(vv)) {
                char q[PATHBUF], envp[PATHBUF];
                yamlu_path_key(envp, sizeof envp, p, "env");
                yamlu_path_idx(q, sizeof q, envp, i);
                kcfg_exec_free(e);
                return yamlu_err(d, err, PXE_SCHEMA, q, "%s must be set",
                                 n == NULL ? "name" : "value");
            }
            e->env[i].name = xstrdup(n);
            e->env[i].value = xstrdup(json_string_value(vv));
        }
    }
    e->install_hint = xstrdup_or_null(str_of(ex, "installHint"));
    e->provide_cluster_info = bool_of(ex, "provideClusterInfo");
    e->interactive = mode;
    e->cluster_server = xstrdup_or_null(t->server);
    e->cluster_tls_server_name = xstrdup_or_null(t->tls_server_name);
    e->cluster_proxy_url = xstrdup_or_null(t->proxy_url);
    e->cluster_insecure = t->insecure;
    if (t->ca_pem != NULL)
        e->cluster_ca_data_b64 = kcfg__b64_encode(t->ca_pem, t->ca_pem_len);
    *out = e;
    return 0;
}

static int
resolve_cluster(const struct kc_entry *ce, struct kcfg_target *t, struct pxerr *err)
{
    const struct yamlu_doc *d = ce->file->doc;
    char bp[PATHBUF];
    yamlu_path_key(bp, sizeof bp, ce->path, "cluster");
    const char *server = str_of(ce->body, "server");
    if (server == NULL)
        return yamlu_err(d, err, PXE_SCHEMA, bp, "cluster \"%s\" has no server URL", ce->name);
    /* client-go assumes https when the URL has no scheme. */
    t->server = strstr(server, "://") ? xstrdup(server) : xasprintf("https://%s", server);
    if (strncmp(t->server, "https://", 8) != 0 && strncmp(t->server, "http://", 7) != 0)
        return yamlu_err(d, err, PXE_SCHEMA, bp, "server \"%s\" is not an http(s) URL", server);
    t->insecure = bool_of(ce->body, "insecure-skip-tls-verify");
    t->tls_server_name = xstrdup_or_null(str_of(ce->body, "tls-server-name"));
    t->proxy_url = xstrdup_or_null(str_of(ce->body, "proxy-url"));
    int rc = read_pem(ce, "cluster", "certificate-authority", "certificate-authority-data",
                      "certificate", &t->ca_pem, &t->ca_pem_len, &t->ca_source, err);
    if (rc != 0)
        return rc;
    if (t->insecure && t->ca_pem != NULL)
        return yamlu_err(d, err, PXE_SCHEMA, bp,
                         "insecure-skip-tls-verify is set together with a certificate authority; "
                         "keep one (kubectl refuses this too)");
    return 0;
}

static int
resolve_user(const struct kc_entry *ue, struct kcfg_target *t, struct pxerr *err)
{
    const struct yamlu_doc *d = ue->file->doc;
    char bp[PATHBUF], p[PATHBUF];
    yamlu_path_key(bp, sizeof bp, ue->path, "user");
    json_t *u = ue->body;
    json_t *ap = json_is_object(u) ? json_object_get(u, "auth-provider") : NULL;
    if (json_is_object(ap)) {
        const char *name = str_of(ap, "name");
        return yamlu_err(d, err, PXE_UNSUPPORTED, bp,
                         "auth-provider \"%s\" is not supported (kubectl removed it too); use an "
                         "exec plugin such as gke-gcloud-auth-plugin or kubelogin",
                         name ? name : "?");
    }
    if (str_of(u, "as") || str_of(u, "as-uid") || json_object_get(u, "as-groups"))
        return yamlu_err(d, err, PXE_UNSUPPORTED, bp,
                         "impersonation (as, as-uid, as-groups) is not supported; use a user "
                         "without it");
    int rc = read_pem(ue, "user", "client-certificate", "client-certificate-data", "certificate",
                      &t->client_cert_pem, &t->client_cert_len, NULL, err);
    if (rc != 0)
        return rc;
    rc = read_pem(ue, "user", "client-key", "client-key-data", "key", &t->client_key_pem,
                  &t->client_key_len, NULL, err);
    if (rc != 0)
        return rc;
    if ((t->client_cert_pem == NULL) != (t->client_key_pem == NULL))
        return yamlu_err(d, err, PXE_SCHEMA, bp,
                         "%s is set without %s: a client certificate needs both",
                         t->client_cert_pem ? "client-certificate" : "client-key",
                         t->client_cert_pem ? "client-key" : "client-certificate");
    const char *token = str_of(u, "token");
    const char *token_file = str_of(u, "tokenFile");
    const char *user = str_of(u, "username");
    const char *pass = str_of(u, "password");
    if ((token || token_file) && (user || pass))
        return yamlu_err(d, err, PXE_SCHEMA, bp,
                         "more than one authentication method: token and basic auth "
                         "(username/password); keep one");
    if (token != NULL) {
        t->token = xstrdup(token); /* token wins over tokenFile, as in client-go */
    } else if (token_file != NULL) {
        yamlu_path_key(p, sizeof p, bp, "tokenFile");
        char *abs = resolve_rel(ue->file->dir, token_file);
        char *buf;
        size_t len;
        rc = kcfg__read_file(abs, MAX_REF_FILE, &buf, &len);
        if (rc != 0) {
            rc = yamlu_err(d, err, rc == -ENOENT ? PXE_NOTFOUND : PXE_IO, p, "%s: %s", abs,
                           strerror(-rc));
            free(abs);
            return rc;
        }
        /* Trim surrounding whitespace (the trailing newline of `echo tok > file`). */
        size_t s = 0;
        while (s < len && strchr(" \t\r\n", buf[s]))
            s++;
        while (len > s && strchr(" \t\r\n", buf[len - 1]))
            len--;
        if (len == s) {
            kcfg__free_secret_n(buf, len);
            rc = yamlu_err(d, err, PXE_SCHEMA, p, "%s: the token file is empty", abs);
            free(abs);
            return rc;
        }
        t->token = xstrndup(buf + s, len - s);
        kcfg__free_secret_n(buf, len);
        t->token_file = abs;
    }
    if (user != NULL || pass != NULL) {
        if (user == NULL)
            return yamlu_err(d, err, PXE_SCHEMA, bp, "password is set without username");
        t->username = xstrdup(user);
        t->password = xstrdup(pass ? pass : "");
    }
    json_t *ex = json_is_object(u) ? json_object_get(u, "exec") : NULL;
    if (json_is_object(ex))
        return resolve_exec(ue, ex, t, &t->exec, err);
    return 0;
}

static void
files_list(const struct kcfg *k, struct strbuf *sb)
{
    for (size_t i = 0; i < k->files.n; i++) {
        const struct kc_file *f = vec_at(&k->files, i);
        strbuf_appendf(sb, "%s%s", i ? ", " : "", f->path);
    }
}

int
kcfg_resolve(const struct kcfg *k, const char *context, struct kcfg_target **out, struct pxerr *err)
{
    struct strbuf sb;
    strbuf_init(&sb);
    int rc;
    const char *name = context && context[0] ? context : k->current;
    if (name == NULL) {
        strbuf_append(&sb, "no current-context in ");
        files_list(k, &sb);
        strbuf_append(&sb, "; pass --context (contexts: ");
        table_names(&k->contexts, &sb);
        strbuf_append(&sb, ")");
        rc = pxerr_set(err, PXE_NOTFOUND, "%s", sb.s);
        strbuf_fini(&sb);
        return rc;
    }
    const struct kc_entry *cx = hmap_get(&k->contexts.idx, name);
    if (cx == NULL) {
        strbuf_appendf(&sb, "context \"%s\" not found in ", name);
        files_list(k, &sb);
        strbuf_append(&sb, "; contexts: ");
        table_names(&k->contexts, &sb);
        rc = pxerr_set(err, PXE_NOTFOUND, "%s", sb.s);
        strbuf_fini(&sb);
        return rc;
    }
    const struct yamlu_doc *d = cx->file->doc;
    int line = yamlu_line(d, cx->path);
    const char *cl_name = str_of(cx->body, "cluster");
    const char *us_name = str_of(cx->body, "user");
    const struct kc_entry *ce = cl_name ? hmap_get(&k->clusters.idx, cl_name) : NULL;
    if (ce == NULL) {
        if (cl_name == NULL)
            strbuf_appendf(&sb, "context \"%s\" (%s:%d) names no cluster; clusters: ", name,
                           d->file, line);
        else
            strbuf_appendf(&sb,
                           "context \"%s\" (%s:%d): cluster \"%s\" not found; clusters: ", name,
                           d->file, line, cl_name);
        table_names(&k->clusters, &sb);
        rc = pxerr_set(err, PXE_NOTFOUND, "%s", sb.s);
        strbuf_fini(&sb);
        return rc;
    }
    const struct kc_entry *ue = us_name ? hmap_get(&k->users.idx, us_name) : NULL;
    if (us_name != NULL && ue == NULL) {
        strbuf_appendf(&sb, "context \"%s\" (%s:%d): user \"%s\" not found; users: ", name, d->file,
                       line, us_name);
        table_names(&k->users, &sb);
        rc = pxerr_set(err, PXE_NOTFOUND, "%s", sb.s);
        strbuf_fini(&sb);
        return rc;
    }
    strbuf_fini(&sb);
    struct kcfg_target *t = xcalloc(1, sizeof *t);
    t->context = xstrdup(name);
    t->cluster_name = xstrdup(cl_name);
    t->user_name = xstrdup_or_null(us_name);
    t->namespace = xstrdup_or_null(str_of(cx->body, "namespace"));
    rc = resolve_cluster(ce, t, err);
    if (rc == 0 && ue != NULL)
        rc = resolve_user(ue, t, err);
    if (rc != 0) {
        kcfg_target_free(t);
        return rc;
    }
    *out = t;
    return 0;
}
