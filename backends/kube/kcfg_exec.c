/* kcfg_exec: client-go exec credential plugins, run on the libuv loop, and the cache that
 * keeps their credentials until they are about to expire.
 *
 * A plugin is spawned without a shell and without a terminal: in its own session (setsid,
 * so it can neither open /dev/tty and prompt in the middle of the curses screen, nor outlive
 * a timeout: the whole process group is killed), stdin on /dev/null, stdout and stderr on
 * pipes. Nothing it prints reaches the screen; the first line of its stderr goes into the
 * error. This file never blocks the loop: no waitpid, no synchronous read. */
#include "kube/kcfg.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "kube/kcfg_internal.h"

extern char **environ;

#define MAX_STDOUT (1u << 20) /* an ExecCredential is a few KB; a cert chain maybe 20 KB */
#define MAX_STDERR (16u << 10)
#define N_HANDLES 4 /* process, stdout pipe, stderr pipe, timer */

struct kcfg_exec_req {
    uv_loop_t *loop;
    uv_process_t proc;
    uv_pipe_t out_pipe, err_pipe;
    uv_timer_t timer;
    int open_handles;
    bool spawned, exited, out_eof, err_eof, timed_out, cancelled, finishing;
    int64_t exit_status;
    int term_signal;
    int spawn_err; /* uv error code, 0: spawned */
    struct strbuf out, errb;
    char *cmd;          /* for messages: the command as configured */
    char *install_hint; /* NULL: none */
    char *api_version;
    int timeout_ms;
    kcfg_exec_cb *cb;
    void *arg;
};

/* ------------------------------------------------------------------ creds */

void
kcfg_cred_free(struct kcfg_cred *c)
{
    if (c == NULL)
        return;
    xfree_secret(c->token);
    free(c->client_cert_pem);
    xfree_secret(c->client_key_pem);
    free(c);
}

struct kcfg_cred *
kcfg_cred_dup(const struct kcfg_cred *c)
{
    struct kcfg_cred *d = xcalloc(1, sizeof *d);
    d->token = xstrdup_or_null(c->token);
    d->client_cert_pem = xstrdup_or_null(c->client_cert_pem);
    d->client_key_pem = xstrdup_or_null(c->client_key_pem);
    d->expiry_ms = c->expiry_ms;
    return d;
}

char *
kcfg__exec_key(const struct kcfg_exec *e, const char *cluster_server)
{
    /* Fields joined by the ASCII unit separator, which no sane argument contains. */
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_appendf(&sb, "%s\x1f%s", e->api_version ? e->api_version : "", e->command);
    for (size_t i = 0; i < e->n_args; i++)
        strbuf_appendf(&sb,
                       "\x1f"
                       "a=%s",
                       e->args[i]);
    for (size_t i = 0; i < e->n_env; i++)
        strbuf_appendf(&sb,
                       "\x1f"
                       "e=%s=%s",
                       e->env[i].name, e->env[i].value);
    if (e->provide_cluster_info) {
        const char *srv = cluster_server ? cluster_server : e->cluster_server;
        strbuf_appendf(&sb,
                       "\x1f"
                       "c=%s",
                       srv ? srv : "");
    }
    return strbuf_detach(&sb);
}

/* ------------------------------------------------------------------ spawn */

static char *
exec_info_json(const struct kcfg_exec *spec, const char *cluster_server)
{
    json_t *s = json_object();
    json_object_set_new(s, "interactive", json_false());
    if (spec->provide_cluster_info) {
        json_t *c = json_object();
        const char *srv = cluster_server ? cluster_server : spec->cluster_server;
        if (srv)
            json_object_set_new(c, "server", json_string(srv));
        if (spec->cluster_tls_server_name)
            json_object_set_new(c, "tls-server-name", json_string(spec->cluster_tls_server_name));
        if (spec->cluster_insecure)
            json_object_set_new(c, "insecure-skip-tls-verify", json_true());
        if (spec->cluster_ca_data_b64)
            json_object_set_new(c, "certificate-authority-data",
                                json_string(spec->cluster_ca_data_b64));
        if (spec->cluster_proxy_url)
            json_object_set_new(c, "proxy-url", json_string(spec->cluster_proxy_url));
        json_object_set_new(s, "cluster", c);
    }
    json_t *root = json_object();
    json_object_set_new(root, "apiVersion", json_string(spec->api_version));
    json_object_set_new(root, "kind", json_string("ExecCredential"));
    json_object_set_new(root, "spec", s);
    char *txt = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    char *owned = xstrdup(txt);
    free(txt);
    return owned;
}

static bool
env_overridden(const char *entry, const struct kcfg_exec *spec)
{
    const char *eq = strchr(entry, '=');
    size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
    if (n == strlen("KUBERNETES_EXEC_INFO") && strncmp(entry, "KUBERNETES_EXEC_INFO", n) == 0)
        return true;
    for (size_t i = 0; i < spec->n_env; i++)
        if (strlen(spec->env[i].name) == n && strncmp(entry, spec->env[i].name, n) == 0)
            return true;
    return false;
}

/* Owned NULL-terminated "NAME=VALUE" array; free with free_strv. */
static char **
build_env(const struct kcfg_exec *spec, const char *cluster_server)
{
    size_t n_env = 0;
    for (char **e = environ; e && *e; e++)
        n_env++;
    char **v = xcalloc(n_env + spec->n_env + 2, sizeof *v);
    size_t o = 0;
    for (char **e = environ; e && *e; e++)
        if (!env_overridden(*e, spec))
            v[o++] = xstrdup(*e);
    for (size_t i = 0; i < spec->n_env; i++)
        v[o++] = xasprintf("%s=%s", spec->env[i].name, spec->env[i].value);
    char *info = exec_info_json(spec, cluster_server);
    v[o++] = xasprintf("KUBERNETES_EXEC_INFO=%s", info);
    free(info);
    return v;
}

static void
free_strv(char **v, bool secret)
{
    if (v == NULL)
        return;
    for (char **p = v; *p; p++) {
        if (secret)
            xfree_secret(*p);
        else
            free(*p);
    }
    free(v);
}

static void
req_free(struct kcfg_exec_req *r)
{
    explicit_bzero(r->out.s, r->out.len);
    strbuf_fini(&r->out);
    strbuf_fini(&r->errb);
    free(r->cmd);
    free(r->install_hint);
    free(r->api_version);
    free(r);
}

/* First non-empty line of stderr, at most 120 bytes, into buf. */
static void
stderr_line(const struct kcfg_exec_req *r, char *buf, size_t n)
{
    const char *s = r->errb.s;
    buf[0] = '\0';
    while (*s) {
        while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
            s++;
        size_t len = strcspn(s, "\r\n");
        if (len > 0) {
            if (len > 120)
                len = 120;
            snprintf(buf, n, "%.*s", (int)len, s);
            return;
        }
        if (*s == '\0')
            break;
    }
}

static void
hint_suffix(const struct kcfg_exec_req *r, char *buf, size_t n)
{
    if (r->install_hint != NULL) {
        size_t len = strcspn(r->install_hint, "\n");
        snprintf(buf, n, " (install: %.*s)", (int)(len > 100 ? 100 : len), r->install_hint);
    } else {
        buf[0] = '\0';
    }
}

static int
parse_credential(struct kcfg_exec_req *r, struct kcfg_cred **out, struct pxerr *err)
{
    json_error_t je;
    json_t *root = json_loadb(r->out.s, r->out.len, 0, &je);
    if (root == NULL)
        return pxerr_set(err, PXE_PARSE,
                         "exec plugin '%s': its output is not an ExecCredential (line %d: %s)",
                         r->cmd, je.line, je.text);
    int rc = 0;
    const char *kind = json_string_value(json_object_get(root, "kind"));
    const char *api = json_string_value(json_object_get(root, "apiVersion"));
    json_t *st = json_object_get(root, "status");
    if (kind == NULL || strcmp(kind, "ExecCredential") != 0) {
        rc = pxerr_set(err, PXE_PARSE, "exec plugin '%s': printed kind \"%s\", not ExecCredential",
                       r->cmd, kind ? kind : "");
        goto out;
    }
    if (api == NULL || strcmp(api, r->api_version) != 0) {
        rc = pxerr_set(err, PXE_PARSE,
                       "exec plugin '%s' is configured for %s but returned apiVersion \"%s\"",
                       r->cmd, r->api_version, api ? api : "");
        goto out;
    }
    if (!json_is_object(st)) {
        rc =
            pxerr_set(err, PXE_PARSE, "exec plugin '%s': its ExecCredential has no status", r->cmd);
        goto out;
    }
    const char *token = json_string_value(json_object_get(st, "token"));
    const char *cert = json_string_value(json_object_get(st, "clientCertificateData"));
    const char *key = json_string_value(json_object_get(st, "clientKeyData"));
    const char *exp = json_string_value(json_object_get(st, "expirationTimestamp"));
    if (token != NULL && token[0] == '\0')
        token = NULL;
    if ((cert != NULL) != (key != NULL)) {
        rc = pxerr_set(err, PXE_PARSE,
                       "exec plugin '%s': returned %s without %s; a client certificate needs both",
                       r->cmd, cert ? "clientCertificateData" : "clientKeyData",
                       cert ? "clientKeyData" : "clientCertificateData");
        goto out;
    }
    if (token == NULL && cert == NULL) {
        rc = pxerr_set(err, PXE_PARSE,
                       "exec plugin '%s': returned neither a token nor a client certificate",
                       r->cmd);
        goto out;
    }
    struct pxerr te;
    if (token != NULL && (strlen(token) != json_string_length(json_object_get(st, "token")) ||
                          kcfg_token_check(token, &te) < 0)) {
        if (strlen(token) != json_string_length(json_object_get(st, "token")))
            pxerr_set(&te, PXE_AUTH, "holds a NUL byte; a bearer token is one line of printable "
                      "text");
        rc = pxerr_set(err, PXE_AUTH, "exec plugin '%s': the token it returned (status.token) "
                       "%s; refusing to send it", r->cmd, te.msg);
        goto out;
    }
    int64_t expiry = 0;
    if (exp != NULL && clock_parse_rfc3339(exp, &expiry) != 0) {
        rc = pxerr_set(err, PXE_PARSE,
                       "exec plugin '%s': expirationTimestamp \"%s\" is not RFC 3339", r->cmd, exp);
        goto out;
    }
    if (exp != NULL && expiry <= clock_wall_ms()) {
        rc = pxerr_set(err, PXE_AUTH, "exec plugin '%s': credential expired at %s", r->cmd, exp);
        goto out;
    }
    struct kcfg_cred *c = xcalloc(1, sizeof *c);
    c->token = xstrdup_or_null(token);
    c->client_cert_pem = xstrdup_or_null(cert);
    c->client_key_pem = xstrdup_or_null(key);
    c->expiry_ms = exp ? expiry : 0;
    *out = c;
out:
    json_decref(root); /* jansson does not zero its strings; the tree is short-lived */
    return rc;
}

static void
deliver(struct kcfg_exec_req *r)
{
    struct pxerr err = {0};
    struct kcfg_cred *cred = NULL;
    char line[160], hint[128];
    stderr_line(r, line, sizeof line);
    hint_suffix(r, hint, sizeof hint);
    int rc;
    if (r->cancelled) {
        rc = pxerr_set(&err, PXE_CANCELLED, "exec plugin '%s': cancelled", r->cmd);
    } else if (r->spawn_err != 0) {
        rc = pxerr_set(&err, r->spawn_err == UV_ENOENT ? PXE_NOTFOUND : PXE_IO,
                       "exec plugin '%s': %s: %s%s", r->cmd,
                       r->spawn_err == UV_ENOENT ? "executable not found" : "cannot run it",
                       uv_strerror(r->spawn_err), hint);
    } else if (r->timed_out) {
        rc = pxerr_set(&err, PXE_TIMEOUT, "exec plugin '%s': timed out after %d s (killed)%s%s",
                       r->cmd, (r->timeout_ms + 999) / 1000, line[0] ? ": " : "", line);
    } else if (r->term_signal != 0) {
        rc = pxerr_set(&err, PXE_AUTH, "exec plugin '%s': killed by signal %d%s%s", r->cmd,
                       r->term_signal, line[0] ? ": " : "", line);
    } else if (r->exit_status != 0) {
        rc = pxerr_set(&err, PXE_AUTH, "exec plugin '%s': exited with status %lld%s%s%s", r->cmd,
                       (long long)r->exit_status, line[0] ? ": " : "", line, hint);
    } else {
        rc = parse_credential(r, &cred, &err);
    }
    r->cb(rc, rc == 0 ? cred : NULL, rc == 0 ? NULL : &err, r->arg);
    kcfg_cred_free(cred);
    req_free(r);
}

static void
on_handle_closed(uv_handle_t *h)
{
    struct kcfg_exec_req *r = h->data;
    if (--r->open_handles == 0)
        deliver(r);
}

static void
close_all(struct kcfg_exec_req *r)
{
    r->finishing = true;
    uv_handle_t *hs[N_HANDLES] = {(uv_handle_t *)&r->proc, (uv_handle_t *)&r->out_pipe,
                                  (uv_handle_t *)&r->err_pipe, (uv_handle_t *)&r->timer};
    for (int i = 0; i < N_HANDLES; i++)
        if (!uv_is_closing(hs[i]))
            uv_close(hs[i], on_handle_closed);
}

static void
kill_group(struct kcfg_exec_req *r)
{
    /* The plugin leads its own session (UV_PROCESS_DETACHED): kill it and what it started. */
    if (r->spawned && r->proc.pid > 0) {
        (void)uv_kill(-r->proc.pid, SIGKILL); /* ESRCH: the group is already gone */
        if (!r->exited)
            (void)uv_process_kill(&r->proc, SIGKILL); /* in case setsid did not happen */
    }
}

static void
maybe_finish(struct kcfg_exec_req *r)
{
    if (r->finishing)
        return;
    bool done = r->exited && r->out_eof && r->err_eof;
    /* After a kill, a grandchild may still hold the pipes open: do not wait for EOF. */
    bool forced = r->exited && (r->timed_out || r->cancelled);
    if (done || forced)
        close_all(r);
}

static void
on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
    struct kcfg_exec_req *r = p->data;
    r->exited = true;
    r->exit_status = status;
    r->term_signal = sig;
    maybe_finish(r);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = xmalloc(suggested);
    buf->len = suggested;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct kcfg_exec_req *r = s->data;
    bool is_out = s == (uv_stream_t *)&r->out_pipe;
    if (nread > 0) {
        struct strbuf *sb = is_out ? &r->out : &r->errb;
        size_t cap = is_out ? MAX_STDOUT : MAX_STDERR;
        if (sb->len < cap)
            strbuf_appendn(sb, buf->base,
                           (size_t)nread < cap - sb->len ? (size_t)nread : cap - sb->len);
    }
    if (buf->base != NULL) {
        explicit_bzero(buf->base, buf->len); /* stdout carries the token */
        free(buf->base);
    }
    if (nread < 0) {
        uv_read_stop(s);
        if (is_out)
            r->out_eof = true;
        else
            r->err_eof = true;
        maybe_finish(r);
    }
}

static void
on_timeout(uv_timer_t *t)
{
    struct kcfg_exec_req *r = t->data;
    r->timed_out = true;
    kill_group(r);
    maybe_finish(r);
}

int
kcfg_exec_start(uv_loop_t *loop, const struct kcfg_exec *spec, const char *cluster_server,
                kcfg_exec_cb *cb, void *arg, struct kcfg_exec_req **reqp, struct pxerr *err)
{
    if (spec == NULL || spec->command == NULL || spec->command[0] == '\0')
        return pxerr_set(err, PXE_INVAL, "exec plugin: no command configured");
    if (spec->api_version == NULL || (strcmp(spec->api_version, KCFG_EXEC_API_V1) != 0 &&
                                      strcmp(spec->api_version, KCFG_EXEC_API_V1BETA1) != 0))
        return pxerr_set(err, PXE_UNSUPPORTED, "exec plugin '%s': apiVersion \"%s\" unsupported",
                         spec->command, spec->api_version ? spec->api_version : "");
    if (spec->interactive == KCFG_INTERACTIVE_ALWAYS)
        return pxerr_set(err, PXE_UNSUPPORTED,
                         "exec plugin '%s': interactiveMode Always needs a terminal",
                         spec->command);
    struct kcfg_exec_req *r = xcalloc(1, sizeof *r);
    r->loop = loop;
    r->cmd = xstrdup(spec->command);
    r->install_hint = xstrdup_or_null(spec->install_hint);
    r->api_version = xstrdup(spec->api_version);
    r->timeout_ms = spec->timeout_ms > 0 ? spec->timeout_ms : KCFG_EXEC_TIMEOUT_MS_DEFAULT;
    r->cb = cb;
    r->arg = arg;
    strbuf_init(&r->out);
    strbuf_init(&r->errb);
    uv_pipe_init(loop, &r->out_pipe, 0);
    uv_pipe_init(loop, &r->err_pipe, 0);
    uv_timer_init(loop, &r->timer);
    r->proc.data = r->out_pipe.data = r->err_pipe.data = r->timer.data = r;
    r->open_handles = N_HANDLES;

    char **argv = xcalloc(spec->n_args + 2, sizeof *argv);
    argv[0] = spec->command;
    for (size_t i = 0; i < spec->n_args; i++)
        argv[i + 1] = spec->args[i];
    char **env = build_env(spec, cluster_server);
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&r->out_pipe},
        {.flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE, .data.stream = (uv_stream_t *)&r->err_pipe},
    };
    uv_process_options_t opts = {
        .exit_cb = on_exit_cb,
        .file = spec->command,
        .args = argv,
        .env = env,
        .flags = UV_PROCESS_DETACHED,
        .stdio_count = 3,
        .stdio = stdio,
    };
    int rc = uv_spawn(loop, &r->proc, &opts);
    free(argv);
    free_strv(env, true);
    if (rc != 0) {
        /* Reported through cb like any other plugin failure; the handles still close. */
        r->spawn_err = rc;
        close_all(r);
    } else {
        r->spawned = true;
        uv_read_start((uv_stream_t *)&r->out_pipe, on_alloc, on_read);
        uv_read_start((uv_stream_t *)&r->err_pipe, on_alloc, on_read);
        uv_timer_start(&r->timer, on_timeout, (uint64_t)r->timeout_ms, 0);
    }
    if (reqp != NULL)
        *reqp = r;
    return 0;
}

void
kcfg_exec_cancel(struct kcfg_exec_req *r)
{
    if (r == NULL || r->finishing)
        return;
    r->cancelled = true;
    kill_group(r);
    maybe_finish(r);
}

/* --------------------------------------------------------------- sync run */

struct sync_state {
    int status;
    struct kcfg_cred *cred;
    struct pxerr err;
};

static void
on_sync_done(int status, const struct kcfg_cred *cred, const struct pxerr *err, void *arg)
{
    struct sync_state *st = arg;
    st->status = status;
    if (status == 0)
        st->cred = kcfg_cred_dup(cred);
    else
        st->err = *err;
}

int
kcfg_exec_run_sync(const struct kcfg_exec *spec, const char *cluster_server, struct kcfg_cred **out,
                   struct pxerr *err)
{
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc != 0)
        return pxerr_set(err, PXE_INTERNAL, "exec plugin: cannot create an event loop: %s",
                         uv_strerror(rc));
    struct sync_state st = {.status = PXE_INTERNAL};
    rc = kcfg_exec_start(&loop, spec, cluster_server, on_sync_done, &st, NULL, err);
    if (rc == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    /* Every handle is closed once the callback ran, so this cannot fail with EBUSY. */
    (void)uv_loop_close(&loop);
    if (rc != 0)
        return rc;
    if (st.status != 0) {
        if (err != NULL)
            *err = st.err;
        return st.status;
    }
    *out = st.cred;
    return 0;
}

/* ------------------------------------------------------------------ cache */

struct waiter {
    kcfg_exec_cb *cb;
    void *arg;
    struct kcfg_cred *cred; /* owned copy for deferred deliveries of a cached cred */
};

struct centry {
    struct kcfg_cred_cache *cache;
    char *key;                     /* owned (may contain env secrets) */
    struct kcfg_cred *cred;        /* owned, NULL: none */
    int64_t got_ms;                /* wall ms when cred arrived */
    struct kcfg_exec_req *running; /* borrowed until on_cache_exec_done */
    struct vec waiters;            /* owned struct waiter * */
};

struct kcfg_cred_cache {
    uv_loop_t *loop;
    struct hmap idx;       /* key -> struct centry * (borrowed from entries) */
    struct vec entries;    /* owned struct centry * */
    uv_timer_t defer;      /* delivers cached creds from the loop, never inside a get */
    struct vec deliveries; /* owned struct waiter * with cred set */
    int running;           /* plugin runs in flight */
    bool closing, timer_closed;
};

static void
waiter_free(void *p)
{
    struct waiter *w = p;
    kcfg_cred_free(w->cred);
    free(w);
}

static void
centry_free(void *p)
{
    struct centry *e = p;
    xfree_secret(e->key);
    kcfg_cred_free(e->cred);
    vec_fini(&e->waiters);
    free(e);
}

bool
kcfg__cred_fresh(const struct kcfg_cred *c, int64_t got_ms, int64_t now_ms)
{
    if (c == NULL)
        return false;
    if (c->expiry_ms == 0)
        return true;
    /* Refresh a minute early, but never sooner than half-way through the credential's life:
     * a plugin that hands out 30 s tokens would otherwise be run for every request. */
    int64_t margin = KCFG_CRED_REFRESH_MARGIN_MS;
    if (got_ms > 0 && (c->expiry_ms - got_ms) / 2 < margin)
        margin = (c->expiry_ms - got_ms) / 2;
    return now_ms + margin < c->expiry_ms;
}

static bool
fresh(const struct centry *e)
{
    return kcfg__cred_fresh(e->cred, e->got_ms, clock_wall_ms());
}

static void
cache_maybe_destroy(struct kcfg_cred_cache *c)
{
    if (!c->closing || !c->timer_closed || c->running > 0)
        return;
    hmap_fini(&c->idx);
    vec_fini(&c->entries);
    vec_fini(&c->deliveries);
    free(c);
}

struct kcfg_cred_cache *
kcfg_cred_cache_new(uv_loop_t *loop)
{
    struct kcfg_cred_cache *c = xcalloc(1, sizeof *c);
    c->loop = loop;
    hmap_init(&c->idx);
    vec_init(&c->entries, centry_free);
    vec_init(&c->deliveries, waiter_free);
    uv_timer_init(loop, &c->defer);
    c->defer.data = c;
    return c;
}

static void
flush_deliveries(struct kcfg_cred_cache *c, bool cancelled)
{
    /* Take the list first: a callback may call kcfg_cred_get and queue a new delivery. */
    struct vec batch = c->deliveries;
    vec_init(&c->deliveries, waiter_free);
    for (size_t i = 0; i < batch.n; i++) {
        struct waiter *w = vec_at(&batch, i);
        if (cancelled) {
            struct pxerr err;
            pxerr_set(&err, PXE_CANCELLED, "exec plugin: credential cache closed");
            w->cb(PXE_CANCELLED, NULL, &err, w->arg);
        } else {
            w->cb(0, w->cred, NULL, w->arg);
        }
    }
    vec_fini(&batch);
}

static void
on_defer(uv_timer_t *t)
{
    flush_deliveries(t->data, false);
}

static void
on_defer_closed(uv_handle_t *h)
{
    struct kcfg_cred_cache *c = h->data;
    flush_deliveries(c, true);
    c->timer_closed = true;
    cache_maybe_destroy(c);
}

void
kcfg_cred_cache_free(struct kcfg_cred_cache *c)
{
    if (c == NULL || c->closing)
        return;
    c->closing = true;
    for (size_t i = 0; i < c->entries.n; i++) {
        struct centry *e = vec_at(&c->entries, i);
        if (e->running != NULL)
            kcfg_exec_cancel(e->running);
    }
    uv_close((uv_handle_t *)&c->defer, on_defer_closed);
}

static struct centry *
centry_get(struct kcfg_cred_cache *c, const struct kcfg_exec *spec, const char *cluster_server,
           bool create)
{
    char *key = kcfg__exec_key(spec, cluster_server);
    struct centry *e = hmap_get(&c->idx, key);
    if (e == NULL && create) {
        e = xcalloc(1, sizeof *e);
        e->cache = c;
        e->key = key;
        key = NULL;
        vec_init(&e->waiters, waiter_free);
        vec_push(&c->entries, e);
        hmap_put(&c->idx, e->key, e);
    }
    xfree_secret(key);
    return e;
}

const struct kcfg_cred *
kcfg_cred_peek(struct kcfg_cred_cache *c, const struct kcfg_exec *spec, const char *cluster_server)
{
    struct centry *e = centry_get(c, spec, cluster_server, false);
    return e != NULL && fresh(e) ? e->cred : NULL;
}

static void
on_cache_exec_done(int status, const struct kcfg_cred *cred, const struct pxerr *err, void *arg)
{
    struct centry *e = arg;
    struct kcfg_cred_cache *c = e->cache;
    e->running = NULL;
    c->running--;
    if (status == 0 && !c->closing) {
        kcfg_cred_free(e->cred);
        e->cred = kcfg_cred_dup(cred);
        e->got_ms = clock_wall_ms();
    }
    struct vec batch = e->waiters;
    vec_init(&e->waiters, waiter_free);
    for (size_t i = 0; i < batch.n; i++) {
        struct waiter *w = vec_at(&batch, i);
        w->cb(status, cred, err, w->arg);
    }
    vec_fini(&batch);
    cache_maybe_destroy(c);
}

int
kcfg_cred_get(struct kcfg_cred_cache *c, const struct kcfg_exec *spec, const char *cluster_server,
              kcfg_exec_cb *cb, void *arg, struct pxerr *err)
{
    if (c->closing)
        return pxerr_set(err, PXE_CANCELLED, "exec plugin: credential cache is closing");
    struct centry *e = centry_get(c, spec, cluster_server, true);
    struct waiter *w = xcalloc(1, sizeof *w);
    w->cb = cb;
    w->arg = arg;
    if (e->running == NULL && fresh(e)) {
        w->cred = kcfg_cred_dup(e->cred);
        vec_push(&c->deliveries, w);
        uv_timer_start(&c->defer, on_defer, 0, 0);
        return 0;
    }
    if (e->running == NULL) {
        int rc =
            kcfg_exec_start(c->loop, spec, cluster_server, on_cache_exec_done, e, &e->running, err);
        if (rc != 0) {
            free(w);
            return rc;
        }
        c->running++;
    }
    vec_push(&e->waiters, w);
    return 0;
}

void
kcfg_cred_invalidate(struct kcfg_cred_cache *c, const struct kcfg_exec *spec,
                     const char *cluster_server)
{
    struct centry *e = centry_get(c, spec, cluster_server, false);
    if (e != NULL) {
        kcfg_cred_free(e->cred);
        e->cred = NULL;
    }
}
