/* kcfg_resolve: one context of a loaded kubeconfig (kcfg.c) resolved into a flat,
 * self-contained struct kcfg_target: its cluster (server, CA, TLS server name, proxy) and
 * user (client certificate and key, token or token file, basic auth, exec plugin spec),
 * with referenced files read now, relative to the kubeconfig that names them, as kubectl
 * reads them at use. Errors name the file, line and field; an unsupported method (an
 * auth-provider, impersonation) is refused in words rather than half-used. */
#include "kube/kcfg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "file.h"
#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "kube/kcfg_internal.h"
#include "codec/yamlu.h"

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
    char bp[KCFG_PATHBUF], p[KCFG_PATHBUF];
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
        if (base64_decode(data, strlen(data), 0, &buf, &len) != 0)
            return yamlu_err(d, err, PXE_SCHEMA, p, "not valid base64");
        if (source)
            *source = xstrdup(data_key);
    } else if (file != NULL) {
        yamlu_path_key(p, sizeof p, bp, file_key);
        char *abs = kcfg__resolve_rel(e->file->dir, file);
        struct pxerr fe = {0};
        int rc = file_read_secret(abs, KCFG_MAX_REF_FILE, &buf, &len, &fe);
        if (rc != 0) {
            rc = yamlu_err(d, err, rc, p, "%s", fe.msg);
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
    char p[KCFG_PATHBUF];
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
    e->command = strchr(cmd, '/') ? kcfg__resolve_rel(ue->file->dir, cmd) : xstrdup(cmd);
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
                char q[KCFG_PATHBUF], envp[KCFG_PATHBUF];
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
        e->cluster_ca_data_b64 = base64_encode(t->ca_pem, t->ca_pem_len, 0);
    *out = e;
    return 0;
}

static int
resolve_cluster(const struct kc_entry *ce, struct kcfg_target *t, struct pxerr *err)
{
    const struct yamlu_doc *d = ce->file->doc;
    char bp[KCFG_PATHBUF];
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

int
kcfg_token_check(const char *token, struct pxerr *err)
{
    for (size_t i = 0; token[i]; i++) {
        unsigned char c = (unsigned char)token[i];
        if (c >= 0x20 && c != 0x7f)
            continue;
        return pxerr_set(err, PXE_AUTH, "holds %s (byte 0x%02x at position %zu); a bearer token "
                         "is one line of printable text",
                         c == '\n' || c == '\r' ? "a line break" : "a control character", c, i + 1);
    }
    return 0;
}

static int
resolve_user(const struct kc_entry *ue, struct kcfg_target *t, struct pxerr *err)
{
    const struct yamlu_doc *d = ue->file->doc;
    char bp[KCFG_PATHBUF], p[KCFG_PATHBUF];
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
    struct pxerr te;
    if (token != NULL) {
        if (kcfg_token_check(token, &te) < 0) {
            yamlu_path_key(p, sizeof p, bp, "token");
            return yamlu_err(d, err, PXE_AUTH, p, "the token %s; refusing to send it", te.msg);
        }
        t->token = xstrdup(token); /* token wins over tokenFile, as in client-go */
    } else if (token_file != NULL) {
        yamlu_path_key(p, sizeof p, bp, "tokenFile");
        char *abs = kcfg__resolve_rel(ue->file->dir, token_file);
        char *buf;
        size_t len;
        struct pxerr fe = {0};
        rc = file_read_secret(abs, KCFG_MAX_REF_FILE, &buf, &len, &fe);
        if (rc != 0) {
            rc = yamlu_err(d, err, rc, p, "%s", fe.msg);
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
        if (strlen(t->token) != len - s || kcfg_token_check(t->token, &te) < 0) {
            if (strlen(t->token) != len - s)
                pxerr_set(&te, PXE_AUTH, "holds a NUL byte; a bearer token is one line of "
                          "printable text");
            rc = yamlu_err(d, err, PXE_AUTH, p, "%s: the token in this file %s; refusing to send "
                           "it", abs, te.msg);
            xfree_secret(t->token);
            t->token = NULL;
            free(abs);
            return rc;
        }
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
        kcfg__table_names(&k->contexts, &sb);
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
        kcfg__table_names(&k->contexts, &sb);
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
        kcfg__table_names(&k->clusters, &sb);
        rc = pxerr_set(err, PXE_NOTFOUND, "%s", sb.s);
        strbuf_fini(&sb);
        return rc;
    }
    const struct kc_entry *ue = us_name ? hmap_get(&k->users.idx, us_name) : NULL;
    if (us_name != NULL && ue == NULL) {
        strbuf_appendf(&sb, "context \"%s\" (%s:%d): user \"%s\" not found; users: ", name, d->file,
                       line, us_name);
        kcfg__table_names(&k->users, &sb);
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
