/* kube: one Kubernetes cluster seen from the loop. The client authenticates every request
 * (static token, token file re-read after a 401, client certificate, basic auth, or an exec
 * plugin's credential from the shared cache), discovers which API versions the cluster
 * serves, then runs one informer per resource (per namespace when the config names them).
 *
 * An informer is client-go's reflector cut down to what a console needs:
 *   LIST (pages of 500, continue tokens) -> commit the page -> next page ... -> the set of
 *   keys seen replaces the previous one (objects missing are deleted) -> WATCH from the
 *   list's resourceVersion with bookmarks and a random timeoutSeconds in [300, 600] ->
 *   each event applied at once -> stream ends: WATCH again from the last version seen;
 *   410 Gone (HTTP or ERROR event): LIST from scratch; any other failure: the error goes
 *   to the model in words and the informer retries after a jittered exponential backoff
 *   (Retry-After is a floor).
 * LIST pages are decoded on a libuv worker (JSON parse, and kobj_pod_parse for pods), and
 * committed on the loop; the next page is only requested after the commit, so the loop is
 * free between pages. Watch events are small and are parsed on the loop as they arrive.
 *
 * What the informers keep: per informer a hash set of "ns/name" keys (the relist diff needs
 * it), nothing else. Everything shown lives in the model as kobj put it there.
 *
 * It deliberately does not decide what the objects mean (kobj.c does) or retry writes. */
#include "kube/kube.h"

#include <ctype.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/backoff.h"
#include "clock.h"
#include "hmap.h"
#include "log.h"
#include "xmalloc.h"
#include "model/kobj.h"
#include "kube/kube_internal.h"

#define DISC_STEP_VERSION 0
#define DISC_STEP_APIS 1
#define WATCH_IDLE_S 120 /* no byte for this long: quietly re-watch (servers bookmark ~1/min) */
#define LIST_ONCE_MAX_429 3
#define LIST_BATCH_BYTES (256u << 10) /* items per worker batch: about 13 injected pods */

/* Values stored in an informer's key set. */
#define KEY_PLAIN ((void *)1)
#define KEY_ISTIO ((void *)2) /* webhook configuration of Istio's injector / istiod pod */

static const char *const res_names[] = {
#define XX(name, text) text,
    KUBE_RES_MAP(XX)
#undef XX
};
_Static_assert(sizeof res_names / sizeof res_names[0] == KUBE_RES__COUNT, "res_names");

/* What the client keeps of the kcfg_target: copied, secrets zeroed on free. */
struct auth {
    char *server;
    char *ca_pem;
    size_t ca_len;
    bool insecure;
    char *tls_server_name, *proxy_url;
    char *cert_pem, *key_pem;
    size_t cert_len, key_len;
    char *token, *token_file;
    char *username, *password;
    char *user_name; /* kubeconfig user, for messages */
    struct kcfg_exec *exec;
};

struct informer;

/* A batch of a LIST page's items, decoded on a worker. Items are collected on the loop as
 * their bytes arrive (kube_list.c); a batch goes to the worker when it holds
 * LIST_BATCH_BYTES and no other batch of the informer is being decoded, so batches are
 * decoded and applied in order, one at a time per informer. The last batch of a page
 * carries the page's continue token and resourceVersion. */
struct page_job {
    uv_work_t work;
    struct informer *inf; /* NULL: orphaned (client freed); the job frees itself */
    enum kube_res res;
    struct strbuf items;  /* the items' bytes, back to back */
    size_t *lens;         /* each item's length */
    size_t n_lens, cap_lens;
    bool final;           /* the page's last batch */
    bool discard;         /* the list failed meanwhile: apply nothing */
    /* results */
    json_t *root;         /* the page's items, parsed (non-pods): a JSON array */
    size_t n_items;
    struct kobj_pod *pods;
    size_t n_pods, cap;
    int n_bad;            /* items that failed to parse */
    struct pxerr first_bad;
    char *cont;           /* metadata.continue, NULL: last page */
    char rv[64];
    struct page_job *next; /* kc->jobs */
};

struct informer {
    struct kube_client *kc;
    enum kube_res res;
    char *ns;             /* NULL: all namespaces / cluster-scoped */
    char *path;           /* collection path without query */
    char *selector;       /* labelSelector, NULL none */
    char *field_selector; /* fieldSelector, NULL none */
    char rv[64];          /* last resourceVersion seen, "" none */
    char *cont;           /* continue token of a list in progress */
    struct hmap keys;     /* objects known: key -> KEY_* */
    struct hmap *seen;    /* during a list: keys of this list's pages */
    struct kube_call *call;
    struct page_job *job;   /* a batch being decoded by a worker */
    struct page_job *batch; /* items received, not yet handed to a worker */
    bool list_pending;      /* inf_list was asked for while a discarded batch was decoded */
    bool list_paused;       /* the page's transfer waits for the worker (back-pressure) */
    struct kube_list_dec ldec;
    struct pxerr lerr;      /* LIST decoder failure (set inside the data callback) */
    struct kube_watch_dec dec;
    uv_timer_t retry;
    struct backoff bo;
    bool first_done;      /* counted for on_synced */
    bool first_ok;
    bool gone;            /* watch said 410 */
    bool need_relist;
    bool watch_failed;    /* ERROR event or decoder failure: retry with backoff */
    int n_429;
    uint64_t watch_start_ms;
    size_t watch_events;
    char err[256];        /* "" healthy */
    struct pxerr werr;    /* watch stream failure (set inside the data callback) */
};

struct kube_call {
    struct kube_client *kc;
    char *method, *path, *ctype, *body;
    size_t body_len;
    int timeout_ms, idle_s;
    kube_call_data_fn *on_data;
    kube_call_done_fn *on_done;
    void *arg;
    bool http1;
    struct http_req *req; /* NULL while waiting for a credential */
    bool retried;         /* already retried after a 401 */
    bool in_done;
    struct kube_call *prev, *next;
};

/* A guard for callbacks that cannot be cancelled (exec credential): they hold a reference
 * and find dead set when the client went away meanwhile. */
struct life {
    int refs;
    bool dead;
    struct kube_client *kc;
};

struct kube_req {
    struct kube_client *kc;
    struct kube_call *call;
    kube_resp_cb *cb;
    kube_secret_cb *scb;
    void *arg;
    char *verb, *what, *ns;
    char *list_path;      /* kube_list: base path; pages accumulate into acc */
    json_t *acc;
    char *secret_key;
    bool in_cb;           /* inside the user's callback: cancel only marks it */
    struct kube_req *prev, *next;
};

struct kube_client {
    uv_loop_t *loop;
    struct http *http;
    struct kcfg_cred_cache *creds;
    struct model *m;
    struct m_cluster *cluster;
    char *name;
    struct auth a;
    char **namespaces;
    size_t n_namespaces;
    char *pxc_cluster;    /* only this PXC CR, NULL: all */
    enum kube_mode mode;
    bool readonly;
    int timeout_ms;
    kube_synced_cb *on_synced;
    void *arg;

    char server_version[64];
    char se_gv[96], dr_gv[96], pa_gv[96], pxc_gv[96];
    int disc_step;
    bool disc_done, disc_failed;
    int disc_429;         /* throttled discovery retries (list-once modes) */
    bool disc_first_failed; /* watching: discovery failed once (the first sync is reported) */
    struct kube_call *disc_call;
    uv_timer_t disc_timer;
    struct backoff disc_bo;
    char disc_err[256];

    struct vec informers; /* owned struct informer * (freed when their timer closed) */
    struct kube_call *calls;
    struct kube_req *reqs;
    struct page_job *jobs;
    struct life *life;
    bool cred_pending;
    bool synced_reported;
    bool freeing;
    int n_handles;
    int n_istio_hooks, n_istiod;
    uint64_t n_lists, n_relists_410, n_watches, n_events, n_errors;
};

static void inf_list(struct informer *inf);
static void job_free(struct page_job *job);
static void inf_watch(struct informer *inf);
static int call_send(struct kube_call *call, struct pxerr *err);
static void call_send_or_fail(struct kube_call *call);
static void update_cluster_error(struct kube_client *kc);

const char *
kube_res_name(enum kube_res r)
{
    return (unsigned)r < KUBE_RES__COUNT ? res_names[r] : "?";
}

/* ------------------------------------------------------------------ helpers */

void
kube__urlenc(struct strbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            strbuf_appendc(out, (char)c);
        else {
            strbuf_appendc(out, '%');
            strbuf_appendc(out, hex[c >> 4]);
            strbuf_appendc(out, hex[c & 15]);
        }
    }
}

struct model *
kube__model(struct kube_client *kc)
{
    return kc->m;
}

bool
kube__readonly(const struct kube_client *kc)
{
    return kc->readonly;
}

static char *
dupn(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void
free_secret_n(char *s, size_t n)
{
    if (s) {
        explicit_bzero(s, n);
        free(s);
    }
}

static void
auth_fini(struct auth *a)
{
    free(a->server);
    free(a->ca_pem);
    free(a->tls_server_name);
    free(a->proxy_url);
    free(a->cert_pem);
    free_secret_n(a->key_pem, a->key_len);
    xfree_secret(a->token);
    free(a->token_file);
    free(a->username);
    xfree_secret(a->password);
    free(a->user_name);
    kcfg_exec_free(a->exec);
    memset(a, 0, sizeof *a);
}

static const char *
json_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Status message of an error body, "" if none. */
static void
status_message(const struct http_result *res, char *buf, size_t n)
{
    buf[0] = '\0';
    if (res->body_len == 0)
        return;
    json_t *st = json_loadb(res->body, res->body_len, 0, NULL);
    if (st) {
        snprintf(buf, n, "%s", json_str(st, "message"));
        json_decref(st);
    } else {
        /* Not JSON: quote the start of the body, one line. */
        size_t k = 0;
        for (size_t i = 0; i < res->body_len && k + 1 < n && k < 120; i++) {
            char c = res->body[i];
            buf[k++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
        }
        buf[k] = '\0';
    }
}

int
kube__http_error(const struct kube_client *kc, const struct http_result *res, const char *verb,
                 const char *what, const char *ns, struct pxerr *err)
{
    if (res->status != 0)
        return pxerr_set(err, res->status, "cannot %s %s%s%s: %s", verb, what,
                         ns ? " in namespace " : "", ns ? ns : "", res->err->msg);
    char msg[200];
    status_message(res, msg, sizeof msg);
    const char *in = ns ? " in namespace " : "";
    const char *nsv = ns ? ns : "";
    const char *srv = kc->a.server;
    switch (res->code) {
    case 401:
        return pxerr_set(err, PXE_AUTH,
                         "unauthorized: cannot %s %s%s%s (401 from %s): the server refused the "
                         "credentials of user '%s'%s; check the token, certificate or exec "
                         "plugin", verb, what, in, nsv, srv,
                         kc->a.user_name ? kc->a.user_name : "(none)",
                         kc->a.exec ? " (exec plugin)" : "");
    case 403:
        return pxerr_set(err, PXE_FORBIDDEN, "forbidden: cannot %s %s%s%s (403 from %s)", verb,
                         what, in, nsv, srv);
    case 404:
        return pxerr_set(err, PXE_NOTFOUND, "not found: cannot %s %s%s%s (404 from %s)%s%s",
                         verb, what, in, nsv, srv, msg[0] ? ": " : "", msg);
    case 410:
        return pxerr_set(err, PXE_GONE, "gone: cannot %s %s%s%s (410 from %s)%s%s", verb, what,
                         in, nsv, srv, msg[0] ? ": " : "", msg);
    case 429:
        return pxerr_set(err, PXE_THROTTLED, "throttled: cannot %s %s%s%s (429 from %s)%s%s; "
                         "retrying after %d s", verb, what, in, nsv, srv, msg[0] ? ": " : "",
                         msg, res->retry_after_s >= 0 ? res->retry_after_s : 1);
    default:
        return pxerr_set(err, PXE_HTTP, "%s: cannot %s %s%s%s (%ld from %s)%s%s",
                         res->code >= 500 ? "server error" : "request refused", verb, what, in,
                         nsv, res->code, srv, msg[0] ? ": " : "", msg);
    }
}

void
kube__seen(struct kube_client *kc, const struct http_result *res)
{
    if (res->status == 0 || res->code != 0) { /* an HTTP answer: the server is there */
        model_cluster_set_reachable(kc->m, kc->cluster, true);
    } else if (res->status == PXE_CONN || res->status == PXE_TIMEOUT ||
               res->status == PXE_DNS || res->status == PXE_TLS) {
        model_cluster_set_reachable(kc->m, kc->cluster, false);
    }
}

/* --------------------------------------------------------------- handles */

static void
client_release(struct kube_client *kc)
{
    if (!kc->freeing || kc->n_handles > 0)
        return;
    vec_fini(&kc->informers);
    free(kc->name);
    if (--kc->life->refs == 0)
        free(kc->life);
    else
        kc->life->kc = NULL;
    free(kc);
}

static void
on_disc_timer_closed(uv_handle_t *h)
{
    struct kube_client *kc = h->data;
    kc->n_handles--;
    client_release(kc);
}

static void
inf_free(void *p)
{
    struct informer *inf = p;
    free(inf->ns);
    free(inf->path);
    free(inf->selector);
    free(inf->field_selector);
    free(inf->cont);
    hmap_fini(&inf->keys);
    if (inf->seen) {
        hmap_fini(inf->seen);
        free(inf->seen);
    }
    kube_watch_dec_fini(&inf->dec);
    kube_list_dec_fini(&inf->ldec);
    if (inf->batch)
        job_free(inf->batch);
    free(inf);
}

static void
on_inf_timer_closed(uv_handle_t *h)
{
    struct informer *inf = h->data;
    struct kube_client *kc = inf->kc;
    kc->n_handles--;
    client_release(kc);
}

/* ------------------------------------------------------------------ calls */

static void
call_unlink_free(struct kube_call *call)
{
    struct kube_client *kc = call->kc;
    if (call->prev)
        call->prev->next = call->next;
    else
        kc->calls = call->next;
    if (call->next)
        call->next->prev = call->prev;
    free(call->method);
    free(call->path);
    free(call->ctype);
    if (call->body)
        explicit_bzero(call->body, call->body_len);
    free(call->body);
    free(call);
}

void
kube__call_cancel(struct kube_call *call)
{
    if (call == NULL || call->in_done)
        return;
    if (call->req)
        http_cancel(call->req);
    call_unlink_free(call);
}

void
kube__call_resume(struct kube_call *call)
{
    if (call != NULL && call->req != NULL)
        http_resume(call->req);
}

static int
on_call_data(struct http_req *req, const char *data, size_t len, void *arg)
{
    struct kube_call *call = arg;
    (void)req;
    return call->on_data(call, data, len, call->arg);
}

static char *
read_token_file(const char *path)
{
    /* A token file is a few hundred bytes; kubectl re-reads it the same way. */
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    char *t = n ? xstrdup(buf) : NULL;
    explicit_bzero(buf, sizeof buf);
    return t;
}

static void
on_call_done(struct http_req *req, const struct http_result *res, void *arg)
{
    struct kube_call *call = arg;
    struct kube_client *kc = call->kc;
    call->req = NULL;
    if (res->status == 0 && res->code == 401 && !call->retried &&
        (kc->a.exec || kc->a.token_file)) {
        /* The credential may have rotated: get a fresh one and try once more. */
        call->retried = true;
        if (kc->a.exec) {
            kcfg_cred_invalidate(kc->creds, kc->a.exec, kc->a.server);
        } else {
            char *t = read_token_file(kc->a.token_file);
            if (t) {
                xfree_secret(kc->a.token);
                kc->a.token = t;
            }
        }
        call_send_or_fail(call);
        return;
    }
    kube__seen(kc, res);
    call->in_done = true;
    call->on_done(call, res, call->arg);
    call_unlink_free(call);
}

static void
fail_call(struct kube_call *call, const struct pxerr *e)
{
    struct http_result res = {.status = e->code, .body = "", .content_type = "",
                              .retry_after_s = -1, .err = e};
    call->in_done = true;
    call->on_done(call, &res, call->arg);
    call_unlink_free(call);
}

static void
on_cred(int status, const struct kcfg_cred *cred, const struct pxerr *err, void *arg)
{
    struct life *life = arg;
    struct kube_client *kc = life->kc;
    bool dead = life->dead;
    if (--life->refs == 0)
        free(life);
    if (dead || kc == NULL)
        return;
    kc->cred_pending = false;
    (void)cred; /* read back through kcfg_cred_peek when each call is sent */
    /* Send (or fail) every call that waited for it. Calls started meanwhile are in the
     * list too; sending may add none. Walk a snapshot of the waiting ones. */
    struct kube_call *waiting[256];
    size_t n = 0;
    for (struct kube_call *c = kc->calls; c && n < 256; c = c->next)
        if (c->req == NULL && !c->in_done)
            waiting[n++] = c;
    for (size_t i = 0; i < n; i++) {
        if (status == 0) {
            call_send_or_fail(waiting[i]);
        } else {
            struct pxerr e;
            pxerr_set(&e, PXE_AUTH, "cluster %s: %s", kc->name, err ? err->msg : "exec failed");
            fail_call(waiting[i], &e);
        }
    }
}

/* Send the call (or park it until the exec credential arrives). On failure returns <0 with
 * err filled and on_done not called. */
static int
call_send(struct kube_call *call, struct pxerr *err)
{
    struct kube_client *kc = call->kc;
    const struct kcfg_cred *cred = NULL;
    if (kc->a.exec) {
        cred = kcfg_cred_peek(kc->creds, kc->a.exec, kc->a.server);
        if (cred == NULL) {
            /* Wait (call->req stays NULL) until the plugin answers. */
            if (!kc->cred_pending) {
                kc->life->refs++;
                if (kcfg_cred_get(kc->creds, kc->a.exec, kc->a.server, on_cred, kc->life, err) <
                    0) {
                    kc->life->refs--;
                    return err ? err->code : PXE_AUTH;
                }
                kc->cred_pending = true;
            }
            return 0;
        }
    }
    struct http_tls_auth t = {
        .ca_pem = kc->a.ca_pem,
        .ca_pem_len = kc->a.ca_len,
        .insecure = kc->a.insecure,
        .tls_server_name = kc->a.tls_server_name,
        .proxy_url = kc->a.proxy_url,
        .client_cert_pem = kc->a.cert_pem,
        .client_cert_len = kc->a.cert_len,
        .client_key_pem = kc->a.key_pem,
        .client_key_len = kc->a.key_len,
        .bearer_token = kc->a.token,
        .username = kc->a.username,
        .password = kc->a.password,
    };
    if (cred) {
        if (cred->token)
            t.bearer_token = cred->token;
        if (cred->client_cert_pem && cred->client_key_pem) {
            t.client_cert_pem = cred->client_cert_pem;
            t.client_cert_len = strlen(cred->client_cert_pem);
            t.client_key_pem = cred->client_key_pem;
            t.client_key_len = strlen(cred->client_key_pem);
        }
    }
    char ctype[160];
    const char *hdrs[3] = {"Accept: application/json", NULL, NULL};
    if (call->ctype) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s", call->ctype);
        hdrs[1] = ctype;
    }
    char *url = xasprintf("%s%s", kc->a.server, call->path);
    struct http_req_opts o = {
        .method = call->method,
        .url = url,
        .headers = hdrs,
        .body = call->body,
        .body_len = call->body_len,
        .tls = &t,
        .timeout_ms = call->timeout_ms,
        .idle_timeout_s = call->idle_s,
        .on_data = call->on_data ? on_call_data : NULL,
        .http1 = call->http1,
        .on_done = on_call_done,
        .arg = call,
    };
    int rc = http_start(kc->http, &o, &call->req, err);
    free(url);
    return rc;
}

static void
call_send_or_fail(struct kube_call *call)
{
    struct pxerr e;
    if (call_send(call, &e) < 0)
        fail_call(call, &e);
}

int
kube__call(struct kube_client *kc, const struct kube_call_opts *o, struct kube_call **out,
           struct pxerr *err)
{
    if (kc->freeing)
        return pxerr_set(err, PXE_CANCELLED, "cluster %s: client stopped", kc->name);
    if (o->path == NULL || o->path[0] != '/' || o->on_done == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: bad request path '%s'", o->path ? o->path : "");
    struct kube_call *call = xcalloc(1, sizeof *call);
    call->kc = kc;
    call->method = xstrdup(o->method ? o->method : "GET");
    call->path = xstrdup(o->path);
    call->ctype = xstrdup_or_null(o->content_type);
    call->body = o->body ? dupn(o->body, o->body_len) : NULL;
    call->body_len = o->body_len;
    call->timeout_ms = o->timeout_ms ? o->timeout_ms : kc->timeout_ms;
    call->idle_s = o->idle_timeout_s;
    call->on_data = o->on_data;
    call->http1 = o->http1;
    call->on_done = o->on_done;
    call->arg = o->arg;
    call->next = kc->calls;
    if (kc->calls)
        kc->calls->prev = call;
    kc->calls = call;
    int rc = call_send(call, err);
    if (rc < 0) { /* failed before anything was sent: no callback, the caller sees rc */
        call_unlink_free(call);
        return rc;
    }
    if (out)
        *out = call;
    return 0;
}

/* ------------------------------------------------------------ the cluster */

static void
update_cluster_error(struct kube_client *kc)
{
    const char *e = kc->disc_err[0] ? kc->disc_err : NULL;
    for (size_t i = 0; e == NULL && i < kc->informers.n; i++) {
        struct informer *inf = kc->informers.items[i];
        if (inf->err[0])
            e = inf->err;
    }
    if (e)
        model_cluster_set_error(kc->m, kc->cluster, "%s", e);
    else
        model_cluster_set_error(kc->m, kc->cluster, NULL);
}

static void
update_istio(struct kube_client *kc)
{
    bool inst = kc->n_istio_hooks > 0 || kc->n_istiod > 0;
    if (kc->cluster->istio_installed != inst) {
        kc->cluster->istio_installed = inst;
        model_touch(kc->m, DIRTY_CLUSTERS);
    }
}

static void
maybe_report_synced(struct kube_client *kc)
{
    if (kc->synced_reported || kc->freeing)
        return;
    int failed = 0;
    if (!kc->disc_done && !kc->disc_failed && !kc->disc_first_failed)
        return;
    if (kc->disc_failed || (kc->disc_first_failed && !kc->disc_done)) {
        failed = 1;
    } else {
        for (size_t i = 0; i < kc->informers.n; i++) {
            struct informer *inf = kc->informers.items[i];
            if (!inf->first_done)
                return;
            if (!inf->first_ok)
                failed++;
        }
    }
    kc->synced_reported = true;
    if (kc->on_synced)
        kc->on_synced(kc, failed, kc->arg);
}

/* -------------------------------------------------------- object handlers */

static bool
is_istio_webhook(json_t *obj)
{
    const char *name = json_str(json_object_get(obj, "metadata"), "name");
    if (strstr(name, "istio-sidecar-injector") || strncmp(name, "istio-revision-tag", 18) == 0)
        return true;
    json_t *hooks = json_object_get(obj, "webhooks");
    size_t i;
    json_t *w;
    json_array_foreach(hooks, i, w) {
        const char *wn = json_str(w, "name");
        size_t n = strlen(wn);
        if (n >= 25 && strcmp(wn + n - 25, "sidecar-injector.istio.io") == 0)
            return true;
    }
    return false;
}

/* istiod's version: the tag of its discovery container's image, else the operator's label,
 * else the revision label. */
static void
istiod_version(json_t *obj, char *buf, size_t n)
{
    buf[0] = '\0';
    json_t *containers = json_object_get(json_object_get(obj, "spec"), "containers");
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c) {
        const char *img = json_str(c, "image");
        if (strcmp(json_str(c, "name"), "discovery") != 0 && i > 0)
            continue;
        const char *at = strchr(img, '@');
        const char *slash = strrchr(img, '/');
        const char *colon = strrchr(img, ':');
        if (colon && (slash == NULL || colon > slash) && (at == NULL || colon < at)) {
            size_t len = at ? (size_t)(at - colon - 1) : strlen(colon + 1);
            snprintf(buf, n, "%.*s", (int)len, colon + 1);
            return;
        }
    }
    json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
    const char *v = json_str(labels, "operator.istio.io/version");
    if (!v[0])
        v = json_str(labels, "istio.io/rev");
    snprintf(buf, n, "%s", v);
}

static void
make_key(json_t *obj, char *buf, size_t n)
{
    json_t *md = json_object_get(obj, "metadata");
    const char *ns = json_str(md, "namespace");
    if (ns[0])
        snprintf(buf, n, "%s/%s", ns, json_str(md, "name"));
    else
        snprintf(buf, n, "%s", json_str(md, "name"));
}

/* Apply one object to the model; sets the key's marker. */
static int
inf_apply(struct informer *inf, json_t *obj, void **marker, struct pxerr *err)
{
    struct kube_client *kc = inf->kc;
    struct model *m = kc->m;
    struct m_cluster *c = kc->cluster;
    *marker = KEY_PLAIN;
    switch (inf->res) {
    case KUBE_RES_NAMESPACES:
        return kobj_apply_namespace(m, c, obj, err);
    case KUBE_RES_PODS:
        return kobj_apply_pod(m, c, obj, err);
    case KUBE_RES_NODES:
        return kobj_apply_node(m, c, obj, err);
    case KUBE_RES_PXC:
        return kobj_apply_pxc(m, c, obj, err);
    case KUBE_RES_SENTRIES:
        return kobj_apply_sentry(m, c, obj, err);
    case KUBE_RES_WEBHOOKS:
        if (is_istio_webhook(obj))
            *marker = KEY_ISTIO;
        return 0;
    case KUBE_RES_ISTIOD: {
        char v[64];
        istiod_version(obj, v, sizeof v);
        *marker = KEY_ISTIO;
        const char *iv = v[0] ? intern_str(&m->strings, v) : NULL;
        if (iv && iv != c->istio_version) {
            c->istio_version = iv;
            model_touch(m, DIRTY_CLUSTERS);
        }
        return 0;
    }
    default:
        return 0; /* counted only */
    }
}

static int
inf_delete(struct informer *inf, json_t *obj, struct pxerr *err)
{
    struct kube_client *kc = inf->kc;
    switch (inf->res) {
    case KUBE_RES_NAMESPACES:
        return kobj_delete_namespace(kc->m, kc->cluster, obj, err);
    case KUBE_RES_PODS:
        return kobj_delete_pod(kc->m, kc->cluster, obj, err);
    case KUBE_RES_NODES:
        return kobj_delete_node(kc->m, kc->cluster, obj, err);
    case KUBE_RES_PXC:
        return kobj_delete_pxc(kc->m, kc->cluster, obj, err);
    case KUBE_RES_SENTRIES:
        return kobj_delete_sentry(kc->m, kc->cluster, obj, err);
    default:
        return 0;
    }
}

/* Track the key; keep the Istio counters in step with the markers. */
static void
key_put(struct informer *inf, struct hmap *set, const char *key, void *marker)
{
    struct kube_client *kc = inf->kc;
    void *old = hmap_get(&inf->keys, key);
    if (set != &inf->keys)
        hmap_put(set, key, marker);
    /* The Istio counters follow inf->keys, the set that stays. */
    int d = (marker == KEY_ISTIO) - (old == KEY_ISTIO);
    hmap_put(&inf->keys, key, marker);
    if (d) {
        if (inf->res == KUBE_RES_WEBHOOKS)
            kc->n_istio_hooks += d;
        else if (inf->res == KUBE_RES_ISTIOD)
            kc->n_istiod += d;
        update_istio(kc);
    }
}

static void
key_del(struct informer *inf, const char *key)
{
    struct kube_client *kc = inf->kc;
    void *old = hmap_del(&inf->keys, key);
    if (old == KEY_ISTIO) {
        if (inf->res == KUBE_RES_WEBHOOKS)
            kc->n_istio_hooks--;
        else if (inf->res == KUBE_RES_ISTIOD)
            kc->n_istiod--;
        update_istio(kc);
    }
}

/* Delete by key, for objects a relist no longer has. */
static void
delete_by_key(struct informer *inf, const char *key)
{
    const char *slash = strchr(key, '/');
    json_t *md = slash ? json_pack("{s:s%, s:s}", "namespace", key, (size_t)(slash - key),
                                   "name", slash + 1)
                       : json_pack("{s:s}", "name", key);
    json_t *obj = json_pack("{s:o}", "metadata", md);
    struct pxerr e;
    if (inf_delete(inf, obj, &e) < 0)
        log_warn("cluster %s: %s", inf->kc->name, e.msg);
    json_decref(obj);
}

static void
set_rv_from(struct informer *inf, json_t *obj)
{
    const char *rv = json_str(json_object_get(obj, "metadata"), "resourceVersion");
    if (rv[0])
        snprintf(inf->rv, sizeof inf->rv, "%s", rv);
}

/* --------------------------------------------------------------- informers */

static const char *
inf_what(const struct informer *inf)
{
    return inf->res == KUBE_RES_ISTIOD ? "pods (app=istiod)" : res_names[inf->res];
}

static void
inf_set_err(struct informer *inf, const char *msg)
{
    if (strcmp(inf->err, msg ? msg : "") == 0)
        return;
    snprintf(inf->err, sizeof inf->err, "%s", msg ? msg : "");
    update_cluster_error(inf->kc);
}

/* The server could not be reached: it may have restarted with other resource versions (a
 * watch from our version would then wait for events that never come) or lost objects, so
 * what every informer knows is no longer a safe base for a watch. Each relists at its next
 * start; one LIST per resource per outage is cheap next to a silently stale view. */
static void
mark_outage(struct kube_client *kc)
{
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct informer *inf = kc->informers.items[i];
        inf->need_relist = true;
    }
}

static void
on_retry(uv_timer_t *t)
{
    struct informer *inf = t->data;
    if (inf->rv[0] && !inf->need_relist)
        inf_watch(inf);
    else
        inf_list(inf);
}

static void
inf_first_done(struct informer *inf, bool ok)
{
    if (inf->first_done)
        return;
    inf->first_done = true;
    inf->first_ok = ok;
    maybe_report_synced(inf->kc);
}

/* A failed list or watch: record, then retry after the backoff (or give up in LIST_ONCE). */
static void
inf_fail(struct informer *inf, const struct pxerr *e, int retry_after_s)
{
    struct kube_client *kc = inf->kc;
    kc->n_errors++;
    inf_set_err(inf, e->msg);
    log_warn("cluster %s: %s", kc->name, e->msg);
    if (kc->mode == KUBE_MODE_LIST_ONCE && !inf->first_done) {
        /* status: retry only a throttle that says when, a few times. */
        if (e->code == PXE_THROTTLED && retry_after_s <= 10 && inf->n_429++ < LIST_ONCE_MAX_429) {
            uv_timer_start(&inf->retry, on_retry,
                           (uint64_t)(retry_after_s > 0 ? retry_after_s : 1) * 1000, 0);
            return;
        }
        inf_first_done(inf, false);
        return;
    }
    inf_first_done(inf, false);
    uint32_t d = backoff_next(&inf->bo, clock_mono_ms(), retry_after_s);
    uv_timer_start(&inf->retry, on_retry, d, 0);
}

static void
job_free(struct page_job *job)
{
    strbuf_fini(&job->items);
    free(job->lens);
    if (job->root)
        json_decref(job->root);
    for (size_t i = 0; i < job->n_pods; i++)
        kobj_pod_fini(&job->pods[i]);
    free(job->pods);
    free(job->cont);
    free(job);
}

static void
job_unlink(struct kube_client *kc, struct page_job *job)
{
    for (struct page_job **pp = &kc->jobs; *pp; pp = &(*pp)->next)
        if (*pp == job) {
            *pp = job->next;
            return;
        }
}

/* Worker thread: decode a LIST page. Touches nothing but the job. Items are parsed one at a
 * time (kube__list_split), so a page never exists as one big tree: pods go straight to
 * struct kobj_pod and their tree is freed at once; other kinds (few objects) are kept as
 * trees for the loop to apply. */
static int
on_page_item(const char *item, size_t len, void *arg)
{
    struct page_job *job = arg;
    json_error_t je;
    json_t *obj = json_loadb(item, len, 0, &je);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        if (job->n_bad++ == 0)
            pxerr_set(&job->first_bad, PXE_PARSE, "item %zu: %s", job->n_pods + job->n_items,
                      obj ? "not an object" : je.text);
        return 0;
    }
    if (job->res == KUBE_RES_PODS) {
        if (job->n_pods == job->cap) {
            job->cap = job->cap ? job->cap * 2 : 64;
            job->pods = xreallocarray(job->pods, job->cap, sizeof *job->pods);
        }
        struct pxerr e;
        if (kobj_pod_parse(obj, &job->pods[job->n_pods], &e) == 0)
            job->n_pods++;
        else if (job->n_bad++ == 0)
            job->first_bad = e;
        json_decref(obj);
    } else {
        json_array_append_new(job->root, obj);
        job->n_items++;
    }
    return 0;
}

static void
work_parse(uv_work_t *w)
{
    struct page_job *job = w->data;
    job->root = job->res == KUBE_RES_PODS ? NULL : json_array();
    size_t at = 0;
    for (size_t k = 0; k < job->n_lens; k++) {
        on_page_item(job->items.s + at, job->lens[k], job);
        at += job->lens[k];
    }
    strbuf_fini(&job->items); /* the bytes are done with: free them on the worker */
}

static void
inf_list_finished(struct informer *inf, const char *rv)
{
    struct kube_client *kc = inf->kc;
    /* Whatever the previous set had and this list did not is gone. */
    size_t it = 0;
    const char *key;
    void *val;
    struct vec gone;
    vec_init(&gone, free);
    while (hmap_next(&inf->keys, &it, &key, &val))
        if (hmap_get(inf->seen, key) == NULL)
            vec_push(&gone, xstrdup(key));
    for (size_t i = 0; i < gone.n; i++) {
        delete_by_key(inf, gone.items[i]);
        key_del(inf, gone.items[i]);
    }
    vec_fini(&gone);
    hmap_fini(inf->seen);
    free(inf->seen);
    inf->seen = NULL;
    if (inf->res == KUBE_RES_NAMESPACES || inf->res == KUBE_RES_PODS)
        kobj_recompute_sidecars(kc->m, kc->cluster); /* pods may have come before namespaces */
#ifdef __GLIBC__
    /* A big list leaves freed pages in malloc's arenas (the worker threads' too); hand them
     * back so that the steady RSS is the model's, not the relist's peak. */
    if (inf->keys.n > 1000)
        malloc_trim(0);
#endif
    snprintf(inf->rv, sizeof inf->rv, "%s", rv);
    inf->need_relist = false;
    inf->n_429 = 0;
    backoff_success(&inf->bo, clock_mono_ms());
    inf_set_err(inf, NULL);
    inf_first_done(inf, true);
    if (kc->mode == KUBE_MODE_WATCH)
        inf_watch(inf);
}

static void job_dispatch(struct informer *inf, struct page_job *job);

/* The batch waiting on the loop goes to a worker if none is busy and it is worth it. */
static void
batch_maybe_dispatch(struct informer *inf)
{
    struct page_job *b = inf->batch;
    if (b == NULL || inf->job != NULL || (!b->final && b->items.len < LIST_BATCH_BYTES))
        return;
    inf->batch = NULL;
    job_dispatch(inf, b);
}

static void
after_parse(uv_work_t *w, int status)
{
    struct page_job *job = w->data;
    struct informer *inf = job->inf;
    (void)status;
    if (inf == NULL) { /* the client went away */
        job_free(job);
        return;
    }
    struct kube_client *kc = inf->kc;
    inf->job = NULL;
    job_unlink(kc, job);
    if (job->discard) { /* the list failed while this batch was decoded */
        job_free(job);
        if (inf->list_pending) {
            inf->list_pending = false;
            inf_list(inf);
        }
        return;
    }
    if (inf->seen == NULL) {
        inf->seen = xmalloc(sizeof *inf->seen);
        hmap_init(inf->seen);
    }
    char key[512];
    if (job->n_bad) {
        kc->n_errors += (uint64_t)job->n_bad;
        log_warn("cluster %s: %d of the %s listed were skipped: %s", kc->name, job->n_bad,
                 inf_what(inf), job->first_bad.msg);
    }
    if (job->res == KUBE_RES_PODS) {
        for (size_t i = 0; i < job->n_pods; i++) {
            struct kobj_pod *kp = &job->pods[i];
            kobj_pod_commit(kc->m, kc->cluster, kp);
            snprintf(key, sizeof key, "%s/%s", kp->ns, kp->name);
            key_put(inf, inf->seen, key, KEY_PLAIN);
        }
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(job->root, i, it) {
            struct pxerr e;
            void *marker;
            if (inf_apply(inf, it, &marker, &e) < 0) {
                kc->n_errors++;
                log_warn("cluster %s: %s", kc->name, e.msg);
                continue;
            }
            make_key(it, key, sizeof key);
            key_put(inf, inf->seen, key, marker);
        }
    }
    if (!job->final) {
        job_free(job);
        batch_maybe_dispatch(inf);
        if (inf->list_paused) {
            inf->list_paused = false;
            kube__call_resume(inf->call); /* may feed (and dispatch) more at once */
        }
        return;
    }
    char *cont = job->cont;
    job->cont = NULL;
    char rv[64];
    snprintf(rv, sizeof rv, "%s", job->rv);
    job_free(job);
    if (cont) {
        free(inf->cont);
        inf->cont = cont;
        inf_list(inf); /* the next page: the loop is free until it arrives */
        return;
    }
    free(inf->cont);
    inf->cont = NULL;
    inf_list_finished(inf, rv);
}

static void
job_dispatch(struct informer *inf, struct page_job *job)
{
    struct kube_client *kc = inf->kc;
    job->work.data = job;
    job->next = kc->jobs;
    kc->jobs = job;
    inf->job = job;
    if (uv_queue_work(kc->loop, &job->work, work_parse, after_parse) != 0) {
        /* No thread pool: decode here (slower frames, same result). */
        work_parse(&job->work);
        after_parse(&job->work, 0);
    }
}

static struct page_job *
inf_batch(struct informer *inf)
{
    if (inf->batch == NULL) {
        inf->batch = xcalloc(1, sizeof *inf->batch);
        inf->batch->inf = inf;
        inf->batch->res = inf->res;
        strbuf_init(&inf->batch->items);
    }
    return inf->batch;
}

/* Forget a list in progress: its undecoded items, the batch being decoded (it will apply
 * nothing) and the keys seen so far. */
static void
list_abandon(struct informer *inf)
{
    if (inf->batch) {
        job_free(inf->batch);
        inf->batch = NULL;
    }
    if (inf->job)
        inf->job->discard = true;
    free(inf->cont);
    inf->cont = NULL;
    if (inf->seen) {
        hmap_fini(inf->seen);
        free(inf->seen);
        inf->seen = NULL;
    }
}

/* Loop thread, from the decoder: one item of the page in flight. */
static int
on_list_item(const char *item, size_t len, void *arg)
{
    struct page_job *b = inf_batch(arg);
    if (b->n_lens == b->cap_lens) {
        b->cap_lens = b->cap_lens ? b->cap_lens * 2 : 32;
        b->lens = xreallocarray(b->lens, b->cap_lens, sizeof *b->lens);
    }
    b->lens[b->n_lens++] = len;
    strbuf_appendn(&b->items, item, len);
    return 0;
}

static int
on_list_data(struct kube_call *call, const char *data, size_t len, void *arg)
{
    struct informer *inf = arg;
    (void)call;
    if (inf->job != NULL && inf->batch != NULL && inf->batch->items.len >= LIST_BATCH_BYTES) {
        /* The worker is behind the network: hold the transfer rather than the page. */
        inf->list_paused = true;
        return HTTP_DATA_PAUSE;
    }
    if (kube_list_dec_feed(&inf->ldec, data, len, on_list_item, inf, &inf->lerr) != 0)
        return -1; /* on_list_done reports lerr */
    batch_maybe_dispatch(inf);
    return 0;
}

static void
list_parse_failed(struct informer *inf, const struct pxerr *why)
{
    struct pxerr e;
    pxerr_set(&e, PXE_PARSE, "cannot list %s%s%s: %s", inf_what(inf),
              inf->ns ? " in namespace " : "", inf->ns ? inf->ns : "", why->msg);
    list_abandon(inf);
    inf->need_relist = true;
    inf_fail(inf, &e, -1);
}

static void
on_list_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct informer *inf = arg;
    struct kube_client *kc = inf->kc;
    (void)call;
    inf->call = NULL;
    inf->list_paused = false;
    if (inf->lerr.code) {
        struct pxerr why = inf->lerr;
        inf->lerr.code = 0;
        list_parse_failed(inf, &why);
        return;
    }
    if (res->status != 0 || res->code < 200 || res->code >= 300) {
        struct pxerr e;
        kube__http_error(kc, res, "list", inf_what(inf), inf->ns, &e);
        bool cont_expired = res->status == 0 && res->code == 410 && inf->cont;
        list_abandon(inf);
        if (cont_expired) {
            inf_list(inf); /* the continue token expired mid-list: start over, now */
            return;
        }
        if (res->status != 0 && res->code == 0)
            mark_outage(kc);
        inf_fail(inf, &e, res->retry_after_s);
        return;
    }
    const char *meta;
    size_t meta_len;
    struct pxerr why;
    if (kube_list_dec_finish(&inf->ldec, &meta, &meta_len, &why) != 0) {
        list_parse_failed(inf, &why);
        return;
    }
    struct page_job *b = inf_batch(inf);
    b->final = true;
    json_t *md = meta ? json_loadb(meta, meta_len, 0, NULL) : NULL;
    const char *cont = json_str(md, "continue");
    b->cont = cont[0] ? xstrdup(cont) : NULL;
    snprintf(b->rv, sizeof b->rv, "%s", json_str(md, "resourceVersion"));
    json_decref(md);
    kube_list_dec_reset(&inf->ldec);
    batch_maybe_dispatch(inf); /* or after the batch being decoded */
}

static void
add_selector(struct strbuf *p, const struct informer *inf)
{
    if (inf->selector) {
        strbuf_append(p, "&labelSelector=");
        kube__urlenc(p, inf->selector);
    }
    if (inf->field_selector) {
        strbuf_append(p, "&fieldSelector=");
        kube__urlenc(p, inf->field_selector);
    }
}

static void
inf_list(struct informer *inf)
{
    struct kube_client *kc = inf->kc;
    if (inf->call)
        return;
    if (inf->job || inf->batch) { /* a failed list's batch is still being decoded */
        inf->list_pending = true;
        return;
    }
    struct strbuf p;
    strbuf_init(&p);
    strbuf_appendf(&p, "%s?limit=%d", inf->path, KUBE_PAGE_LIMIT);
    if (inf->cont) {
        strbuf_append(&p, "&continue=");
        kube__urlenc(&p, inf->cont);
    } else {
        kc->n_lists++;
    }
    add_selector(&p, inf);
    kube_list_dec_reset(&inf->ldec);
    inf->lerr.code = 0;
    struct kube_call_opts o = {
        .path = p.s, .on_data = on_list_data, .http1 = true, .on_done = on_list_done, .arg = inf};
    struct pxerr e;
    int rc = kube__call(kc, &o, &inf->call, &e);
    strbuf_fini(&p);
    if (rc < 0 && !kc->freeing)
        inf_fail(inf, &e, -1);
}

static int
on_watch_event(const char *type, json_t *obj, void *arg)
{
    struct informer *inf = arg;
    struct kube_client *kc = inf->kc;
    char key[512];
    struct pxerr e;
    kc->n_events++;
    inf->watch_events++;
    if (strcmp(type, "BOOKMARK") == 0) {
        set_rv_from(inf, obj);
        return 0;
    }
    if (strcmp(type, "ERROR") == 0) {
        json_int_t code = json_integer_value(json_object_get(obj, "code"));
        if (code == 410) {
            inf->gone = true;
        } else {
            pxerr_set(&inf->werr, PXE_HTTP, "watch of %s%s%s failed (%lld from %s): %s",
                      inf_what(inf), inf->ns ? " in namespace " : "", inf->ns ? inf->ns : "",
                      (long long)code, kc->a.server, json_str(obj, "message"));
            inf->watch_failed = true;
        }
        return -1;
    }
    make_key(obj, key, sizeof key);
    if (strcmp(type, "DELETED") == 0) {
        if (inf_delete(inf, obj, &e) < 0)
            log_warn("cluster %s: %s", kc->name, e.msg);
        key_del(inf, key);
    } else if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
        void *marker;
        if (inf_apply(inf, obj, &marker, &e) < 0) {
            kc->n_errors++;
            log_warn("cluster %s: %s", kc->name, e.msg);
        } else {
            key_put(inf, &inf->keys, key, marker);
        }
    } else {
        log_warn("cluster %s: watch of %s: unknown event type '%s' ignored", kc->name,
                 inf_what(inf), type);
    }
    set_rv_from(inf, obj);
    return 0;
}

static int
on_watch_data(struct kube_call *call, const char *data, size_t len, void *arg)
{
    struct informer *inf = arg;
    (void)call;
    struct pxerr e;
    int rc = kube_watch_dec_feed(&inf->dec, data, len, on_watch_event, inf, &e);
    if (rc < 0 && !inf->gone && !inf->watch_failed) {
        pxerr_set(&inf->werr, PXE_PARSE, "watch of %s from %s: %s", inf_what(inf),
                  inf->kc->a.server, e.msg);
        inf->watch_failed = true;
    }
    if (rc == 0 && inf->err[0])
        inf_set_err(inf, NULL); /* events flow again */
    return rc < 0 ? -1 : 0;
}

static void
on_watch_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct informer *inf = arg;
    struct kube_client *kc = inf->kc;
    (void)call;
    inf->call = NULL;
    uint64_t now = clock_mono_ms();
    log_debug("cluster %s: watch of %s ended after %llu ms, %zu events, HTTP %ld, %s", kc->name,
              inf_what(inf), (unsigned long long)(now - inf->watch_start_ms), inf->watch_events,
              res->code, res->status ? res->err->msg : "ok");
    if (inf->gone || (res->status == 0 && res->code == 410)) {
        /* The version we watch from was compacted: client-go relists from scratch. */
        kc->n_relists_410++;
        inf->gone = false;
        inf->rv[0] = '\0';
        inf->need_relist = true;
        inf_list(inf);
        return;
    }
    if (inf->watch_failed) {
        inf->watch_failed = false;
        inf_fail(inf, &inf->werr, -1);
        return;
    }
    /* A 2xx watch that ends, is cut (the server dropped it: "transfer closed with
     * outstanding read data") or goes quiet past the idle limit is a normal end for a
     * watch, as for client-go: resume from the last version. */
    bool stream_ok = res->code >= 200 && res->code < 300 &&
                     (res->status == 0 || res->status == PXE_TIMEOUT || res->status == PXE_CONN);
    if (stream_ok) {
        /* The server ended the watch (timeoutSeconds) or it went quiet: watch again from the
         * last version. A stream that ends at once without events is a failing server. */
        if (inf->watch_events == 0 && now - inf->watch_start_ms < 1000) {
            struct pxerr e;
            pxerr_set(&e, PXE_HTTP, "watch of %s on %s ended at once without events",
                      inf_what(inf), kc->a.server);
            inf_fail(inf, &e, -1);
            return;
        }
        backoff_success(&inf->bo, now);
        if (inf->need_relist)
            inf_list(inf); /* the server was unreachable meanwhile */
        else
            inf_watch(inf);
        return;
    }
    struct pxerr e;
    kube__http_error(kc, res, "watch", inf_what(inf), inf->ns, &e);
    if (res->status != 0 && res->code == 0)
        mark_outage(kc);
    inf_fail(inf, &e, res->retry_after_s);
}

static void
inf_watch(struct informer *inf)
{
    struct kube_client *kc = inf->kc;
    if (inf->call || inf->job)
        return;
    uint32_t t = backoff_rand_range(&inf->bo, KUBE_WATCH_MIN_S, KUBE_WATCH_MAX_S);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_appendf(&p, "%s?watch=1&allowWatchBookmarks=true&timeoutSeconds=%u", inf->path, t);
    if (inf->rv[0]) {
        strbuf_append(&p, "&resourceVersion=");
        kube__urlenc(&p, inf->rv);
    }
    add_selector(&p, inf);
    kube_watch_dec_reset(&inf->dec);
    inf->watch_start_ms = clock_mono_ms();
    inf->watch_events = 0;
    inf->gone = inf->watch_failed = false;
    kc->n_watches++;
    struct kube_call_opts o = {
        .path = p.s,
        .timeout_ms = (int)(t + 60) * 1000,
        .idle_timeout_s = WATCH_IDLE_S,
        .on_data = on_watch_data,
        .on_done = on_watch_done,
        .arg = inf,
    };
    struct pxerr e;
    int rc = kube__call(kc, &o, &inf->call, &e);
    strbuf_fini(&p);
    if (rc < 0 && !kc->freeing)
        inf_fail(inf, &e, -1);
}

static void
add_informer(struct kube_client *kc, enum kube_res res, const char *ns, const char *path,
             const char *selector)
{
    struct informer *inf = xcalloc(1, sizeof *inf);
    inf->kc = kc;
    inf->res = res;
    inf->ns = xstrdup_or_null(ns);
    inf->path = xstrdup(path);
    inf->selector = xstrdup_or_null(selector);
    hmap_init(&inf->keys);
    kube_watch_dec_init(&inf->dec, KUBE_LINE_MAX);
    kube_list_dec_init(&inf->ldec, KUBE_LINE_MAX);
    backoff_init(&inf->bo, 0, 0,
                 clock_mono_ms() ^ (uint64_t)(uintptr_t)inf ^ ((uint64_t)res << 32));
    uv_timer_init(kc->loop, &inf->retry);
    inf->retry.data = inf;
    kc->n_handles++;
    vec_push(&kc->informers, inf);
}

/* One informer per namespaced resource per configured namespace (or one for all). */
static void
add_namespaced(struct kube_client *kc, enum kube_res res, const char *prefix, const char *plural)
{
    char path[512];
    if (kc->n_namespaces == 0) {
        snprintf(path, sizeof path, "%s/%s", prefix, plural);
        add_informer(kc, res, NULL, path, NULL);
        return;
    }
    for (size_t i = 0; i < kc->n_namespaces; i++) {
        snprintf(path, sizeof path, "%s/namespaces/%s/%s", prefix, kc->namespaces[i], plural);
        add_informer(kc, res, kc->namespaces[i], path, NULL);
    }
}

static void
start_informers(struct kube_client *kc)
{
    char pfx[160];
    add_informer(kc, KUBE_RES_NAMESPACES, NULL, "/api/v1/namespaces", NULL);
    add_namespaced(kc, KUBE_RES_PODS, "/api/v1", "pods");
    add_namespaced(kc, KUBE_RES_SERVICES, "/api/v1", "services");
    add_informer(kc, KUBE_RES_NODES, NULL, "/api/v1/nodes", NULL);
    add_namespaced(kc, KUBE_RES_STATEFULSETS, "/apis/apps/v1", "statefulsets");
    if (kc->pxc_gv[0]) {
        size_t first = kc->informers.n;
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->pxc_gv);
        add_namespaced(kc, KUBE_RES_PXC, pfx, "perconaxtradbclusters");
        /* config pxcCluster: only that CR (the server filters, the model never sees others) */
        for (size_t i = first; kc->pxc_cluster && i < kc->informers.n; i++) {
            struct informer *inf = kc->informers.items[i];
            inf->field_selector = xasprintf("metadata.name=%s", kc->pxc_cluster);
        }
    }
    if (kc->se_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->se_gv);
        add_namespaced(kc, KUBE_RES_SENTRIES, pfx, "serviceentries");
    }
    if (kc->dr_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->dr_gv);
        add_namespaced(kc, KUBE_RES_DRULES, pfx, "destinationrules");
    }
    if (kc->pa_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->pa_gv);
        add_namespaced(kc, KUBE_RES_PEERAUTHS, pfx, "peerauthentications");
    }
    add_informer(kc, KUBE_RES_WEBHOOKS, NULL,
                 "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", NULL);
    add_informer(kc, KUBE_RES_ISTIOD, "istio-system", "/api/v1/namespaces/istio-system/pods",
                 "app=istiod");
    for (size_t i = 0; i < kc->informers.n; i++)
        inf_list(kc->informers.items[i]);
}

/* --------------------------------------------------------------- discovery */

static void disc_next(struct kube_client *kc);

static void
on_disc_timer(uv_timer_t *t)
{
    disc_next(t->data);
}

/* Pick the first version of group that the server serves, in order of preference. */
static void
pick_version(json_t *groups, const char *group, const char *const *prefs, char *out, size_t n)
{
    out[0] = '\0';
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
        if (strcmp(json_str(g, "name"), group) != 0)
            continue;
        json_t *vers = json_object_get(g, "versions");
        for (const char *const *p = prefs; *p; p++) {
            size_t j;
            json_t *v;
            json_array_foreach(vers, j, v) {
                if (strcmp(json_str(v, "version"), *p) == 0) {
                    snprintf(out, n, "%s/%s", group, *p);
                    return;
                }
            }
        }
        /* None we know: take the preferred one (same spec for these CRDs so far). */
        const char *gv = json_str(json_object_get(g, "preferredVersion"), "groupVersion");
        if (gv[0])
            snprintf(out, n, "%s", gv);
        return;
    }
}

static void
on_disc_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_client *kc = arg;
    (void)call;
    kc->disc_call = NULL;
    const char *path = kc->disc_step == DISC_STEP_VERSION ? "/version" : "/apis";
    json_t *body = NULL;
    struct pxerr e = {0};
    if (res->status != 0 || res->code != 200) {
        kube__http_error(kc, res, "get", path, NULL, &e);
    } else {
        json_error_t je;
        body = json_loadb(res->body, res->body_len, 0, &je);
        if (!json_is_object(body))
            pxerr_set(&e, PXE_PARSE, "cannot read %s%s: not a JSON object (%s)", kc->a.server,
                      path, je.text);
    }
    if (e.code) {
        json_decref(body);
        snprintf(kc->disc_err, sizeof kc->disc_err, "%s", e.msg);
        update_cluster_error(kc);
        log_warn("cluster %s: %s", kc->name, e.msg);
        kc->n_errors++;
        if (kc->mode != KUBE_MODE_WATCH && e.code == PXE_THROTTLED &&
            res->retry_after_s <= 10 && kc->disc_429++ < LIST_ONCE_MAX_429) {
            uv_timer_start(&kc->disc_timer, on_disc_timer,
                           (uint64_t)(res->retry_after_s > 0 ? res->retry_after_s : 1) * 1000, 0);
            return;
        }
        if (kc->mode != KUBE_MODE_WATCH) {
            kc->disc_failed = true;
            maybe_report_synced(kc);
            return;
        }
        /* Watching: report the first sync as failed now (nobody waits on a dead cluster),
         * and keep trying in the background. */
        kc->disc_first_failed = true;
        maybe_report_synced(kc);
        uv_timer_start(&kc->disc_timer, on_disc_timer,
                       backoff_next(&kc->disc_bo, clock_mono_ms(), res->retry_after_s), 0);
        return;
    }
    if (kc->disc_step == DISC_STEP_VERSION) {
        snprintf(kc->server_version, sizeof kc->server_version, "%s",
                 json_str(body, "gitVersion"));
        kc->disc_step = DISC_STEP_APIS;
        json_decref(body);
        disc_next(kc);
        return;
    }
    json_t *groups = json_object_get(body, "groups");
    static const char *const istio_net[] = {"v1", "v1beta1", "v1alpha3", NULL};
    static const char *const istio_sec[] = {"v1", "v1beta1", NULL};
    static const char *const pxc[] = {"v1", NULL};
    pick_version(groups, "networking.istio.io", istio_net, kc->se_gv, sizeof kc->se_gv);
    snprintf(kc->dr_gv, sizeof kc->dr_gv, "%s", kc->se_gv);
    pick_version(groups, "security.istio.io", istio_sec, kc->pa_gv, sizeof kc->pa_gv);
    pick_version(groups, "pxc.percona.com", pxc, kc->pxc_gv, sizeof kc->pxc_gv);
    json_decref(body);
    kc->disc_err[0] = '\0';
    kc->disc_done = true;
    update_cluster_error(kc);
    log_info("cluster %s: %s, serviceentries %s, pxc %s", kc->name, kc->server_version,
             kc->se_gv[0] ? kc->se_gv : "not served", kc->pxc_gv[0] ? kc->pxc_gv : "not served");
    if (kc->mode == KUBE_MODE_DISCOVER)
        maybe_report_synced(kc);
    else
        start_informers(kc);
}

static void
disc_next(struct kube_client *kc)
{
    struct kube_call_opts o = {
        .path = kc->disc_step == DISC_STEP_VERSION ? "/version" : "/apis",
        .on_done = on_disc_done,
        .arg = kc,
    };
    struct pxerr e;
    if (kube__call(kc, &o, &kc->disc_call, &e) < 0)
        log_error("cluster %s: %s", kc->name, e.msg);
}

/* ------------------------------------------------------------ construction */

int
kube_client_new(uv_loop_t *loop, struct http *h, struct kcfg_cred_cache *creds,
                struct model *m, const struct kube_client_opts *opts, struct kube_client **out,
                struct pxerr *err)
{
    const struct kcfg_target *t = opts ? opts->target : NULL;
    if (opts == NULL || opts->name == NULL || t == NULL || t->server == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: client needs a name and a resolved target");
    if (strncmp(t->server, "https://", 8) != 0 && strncmp(t->server, "http://", 7) != 0)
        return pxerr_set(err, PXE_INVAL, "cluster %s: server '%s' is not an http(s) URL; fix "
                         "clusters[].cluster.server in the kubeconfig", opts->name, t->server);
    if (t->exec && creds == NULL)
        return pxerr_set(err, PXE_INVAL, "cluster %s: exec plugin without a credential cache",
                         opts->name);
    struct kube_client *kc = xcalloc(1, sizeof *kc);
    kc->loop = loop;
    kc->http = h;
    kc->creds = creds;
    kc->m = m;
    kc->name = xstrdup(opts->name);
    struct auth *a = &kc->a;
    a->server = xstrdup(t->server);
    size_t sl = strlen(a->server);
    while (sl > 0 && a->server[sl - 1] == '/')
        a->server[--sl] = '\0';
    a->ca_pem = dupn(t->ca_pem, t->ca_pem_len);
    a->ca_len = t->ca_pem_len;
    a->insecure = t->insecure;
    a->tls_server_name = xstrdup_or_null(t->tls_server_name);
    a->proxy_url = xstrdup_or_null(t->proxy_url);
    a->cert_pem = dupn(t->client_cert_pem, t->client_cert_len);
    a->cert_len = t->client_cert_len;
    a->key_pem = dupn(t->client_key_pem, t->client_key_len);
    a->key_len = t->client_key_len;
    a->token = xstrdup_or_null(t->token);
    a->token_file = xstrdup_or_null(t->token_file);
    a->username = xstrdup_or_null(t->username);
    a->password = xstrdup_or_null(t->password);
    a->user_name = xstrdup_or_null(t->user_name);
    a->exec = t->exec ? kcfg_exec_dup(t->exec) : NULL;
    if (opts->n_namespaces) {
        kc->namespaces = xcalloc(opts->n_namespaces, sizeof *kc->namespaces);
        for (size_t i = 0; i < opts->n_namespaces; i++)
            kc->namespaces[i] = xstrdup(opts->namespaces[i]);
        kc->n_namespaces = opts->n_namespaces;
    }
    kc->pxc_cluster = xstrdup_or_null(opts->pxc_cluster);
    kc->mode = opts->mode;
    kc->readonly = opts->readonly;
    kc->timeout_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms
                                                  : KUBE_REQUEST_TIMEOUT_MS_DEFAULT;
    kc->on_synced = opts->on_synced;
    kc->arg = opts->arg;
    vec_init(&kc->informers, inf_free);
    kc->life = xcalloc(1, sizeof *kc->life);
    kc->life->refs = 1;
    kc->life->kc = kc;
    backoff_init(&kc->disc_bo, 0, 0, clock_mono_ms() ^ (uint64_t)(uintptr_t)kc);
    uv_timer_init(loop, &kc->disc_timer);
    kc->disc_timer.data = kc;
    kc->n_handles = 1;

    kc->cluster = model_cluster_find(m, opts->name);
    if (kc->cluster == NULL)
        kc->cluster = model_cluster_add(m, opts->name, t->context, a->server);
    model_set_str(&kc->cluster->server, a->server);
    if (kc->cluster->insecure != t->insecure) {
        kc->cluster->insecure = t->insecure;
        model_touch(m, DIRTY_CLUSTERS);
    }
    *out = kc;
    return 0;
}

void
kube_client_start(struct kube_client *kc)
{
    kc->disc_step = DISC_STEP_VERSION;
    disc_next(kc);
}

void
kube_client_free(struct kube_client *kc)
{
    if (kc == NULL || kc->freeing)
        return;
    kc->freeing = true;
    kc->life->dead = true;
    for (struct page_job *j = kc->jobs; j; j = j->next)
        j->inf = NULL; /* after_parse frees them */
    kc->jobs = NULL;
    for (struct kube_req *r = kc->reqs, *next; r; r = next) {
        next = r->next;
        kube_req_cancel(r);
    }
    for (struct kube_call *c = kc->calls, *next; c; c = next) {
        next = c->next;
        kube__call_cancel(c); /* a call inside its on_done stays: freed when that returns */
    }
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct informer *inf = kc->informers.items[i];
        inf->call = NULL;
        inf->job = NULL;
        uv_timer_stop(&inf->retry);
        uv_close((uv_handle_t *)&inf->retry, on_inf_timer_closed);
    }
    uv_timer_stop(&kc->disc_timer);
    uv_close((uv_handle_t *)&kc->disc_timer, on_disc_timer_closed);
    auth_fini(&kc->a);
    for (size_t i = 0; i < kc->n_namespaces; i++)
        free(kc->namespaces[i]);
    free(kc->namespaces);
    kc->namespaces = NULL;
    kc->n_namespaces = 0;
    free(kc->pxc_cluster);
    kc->pxc_cluster = NULL;
    free(kc->name);
    kc->name = xstrdup("(stopped)");
}

struct m_cluster *
kube_client_cluster(struct kube_client *kc)
{
    return kc->cluster;
}

const char *
kube_client_name(const struct kube_client *kc)
{
    return kc->name;
}

const char *
kube_client_sentry_version(const struct kube_client *kc)
{
    return kc->se_gv;
}

const char *
kube_client_server_version(const struct kube_client *kc)
{
    return kc->server_version;
}

void
kube_client_stats(const struct kube_client *kc, struct kube_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int r = 0; r < KUBE_RES__COUNT; r++)
        out->synced[r] = true;
    for (size_t i = 0; i < kc->informers.n; i++) {
        const struct informer *inf = kc->informers.items[i];
        out->n_objects[inf->res] += inf->keys.n;
        out->active[inf->res] = true;
        if (!inf->first_ok)
            out->synced[inf->res] = false;
    }
    for (int r = 0; r < KUBE_RES__COUNT; r++)
        if (!out->active[r])
            out->synced[r] = false;
    out->n_lists = kc->n_lists;
    out->n_relists_410 = kc->n_relists_410;
    out->n_watches = kc->n_watches;
    out->n_events = kc->n_events;
    out->n_errors = kc->n_errors;
}

/* --------------------------------------------------------- generic requests */

static void
req_free(struct kube_req *r)
{
    struct kube_client *kc = r->kc;
    if (r->prev)
        r->prev->next = r->next;
    else if (kc->reqs == r)
        kc->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    free(r->verb);
    free(r->what);
    free(r->ns);
    free(r->list_path);
    if (r->acc)
        json_decref(r->acc);
    free(r->secret_key);
    free(r);
}

void
kube_req_cancel(struct kube_req *req)
{
    if (req == NULL || req->in_cb)
        return; /* on_req_page frees it when the callback returns */
    if (req->call)
        kube__call_cancel(req->call);
    req_free(req);
}

static struct kube_req *
req_new(struct kube_client *kc, const char *verb, const char *what, const char *ns,
        kube_resp_cb *cb, void *arg)
{
    struct kube_req *r = xcalloc(1, sizeof *r);
    r->kc = kc;
    r->verb = xstrdup(verb);
    r->what = xstrdup(what);
    r->ns = xstrdup_or_null(ns);
    r->cb = cb;
    r->arg = arg;
    r->next = kc->reqs;
    if (kc->reqs)
        kc->reqs->prev = r;
    kc->reqs = r;
    return r;
}

/* Zero every string value under data (a Secret's), before the JSON is freed. */
static void
zero_strings(json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (json_is_string(v))
            explicit_bzero((char *)json_string_value(v), json_string_length(v));
    }
}

static int
b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decode base64 into a new buffer (owned, NUL-terminated); NULL when malformed. */
static char *
b64_decode(const char *s, size_t n, size_t *out_len)
{
    char *out = xmalloc(n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '=' || isspace(c))
            continue;
        int v = b64val(c);
        if (v < 0) {
            free_secret_n(out, n / 4 * 3 + 4);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static void
deliver_secret(struct kube_req *r, json_t *body)
{
    json_t *data = json_object_get(body, "data");
    json_t *v = json_object_get(data, r->secret_key);
    struct pxerr e;
    if (!json_is_string(v)) {
        char keys[160] = "";
        size_t k = 0;
        const char *name;
        json_t *x;
        json_object_foreach(data, name, x) {
            k += (size_t)snprintf(keys + k, k < sizeof keys ? sizeof keys - k : 0, "%s%s",
                                  k ? ", " : "", name);
            if (k >= sizeof keys)
                break;
        }
        pxerr_set(&e, PXE_NOTFOUND, "secret %s/%s has no key '%s' (keys: %s)",
                  r->ns ? r->ns : "", r->what + 7, r->secret_key, keys[0] ? keys : "none");
        r->scb(e.code, NULL, 0, &e, r->arg);
        return;
    }
    size_t len = 0;
    char *val = b64_decode(json_string_value(v), json_string_length(v), &len);
    if (val == NULL) {
        pxerr_set(&e, PXE_PARSE, "secret %s/%s: key '%s' is not valid base64", r->ns ? r->ns : "",
                  r->what + 7, r->secret_key);
        r->scb(e.code, NULL, 0, &e, r->arg);
        return;
    }
    r->scb(0, val, len, NULL, r->arg);
    free_secret_n(val, len);
}

static void
on_req_page(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_req *r = arg;
    struct kube_client *kc = r->kc;
    (void)call;
    r->call = NULL;
    r->in_cb = true;
    json_t *body = NULL;
    if (res->body_len > 0)
        body = json_loadb(res->body, res->body_len, 0, NULL);
    bool ok = res->status == 0 && res->code >= 200 && res->code < 300;
    struct pxerr e = {0};
    if (!ok) {
        kube__http_error(kc, res, r->verb, r->what, r->ns, &e);
    } else if (body == NULL && res->body_len > 0) {
        pxerr_set(&e, PXE_PARSE, "cannot %s %s: the answer from %s is not JSON", r->verb,
                  r->what, kc->a.server);
        ok = false;
    }
    if (ok && r->list_path) {
        /* Accumulate the page, follow continue. */
        json_t *items = json_object_get(body, "items");
        if (r->acc == NULL) {
            r->acc = json_object();
            const char *kind = json_str(body, "kind");
            json_object_set_new(r->acc, "apiVersion", json_string(json_str(body, "apiVersion")));
            json_object_set_new(r->acc, "kind", json_string(kind[0] ? kind : "List"));
            json_object_set_new(r->acc, "metadata", json_object());
            json_object_set_new(r->acc, "items", json_array());
        }
        json_array_extend(json_object_get(r->acc, "items"), items);
        json_t *md = json_object_get(body, "metadata");
        json_object_set_new(json_object_get(r->acc, "metadata"), "resourceVersion",
                            json_string(json_str(md, "resourceVersion")));
        const char *cont = json_str(md, "continue");
        if (cont[0]) {
            struct strbuf p;
            strbuf_init(&p);
            strbuf_appendf(&p, "%s%climit=%d&continue=", r->list_path,
                           strchr(r->list_path, '?') ? '&' : '?', KUBE_PAGE_LIMIT);
            kube__urlenc(&p, cont);
            json_decref(body);
            struct kube_call_opts o = {.path = p.s, .on_done = on_req_page, .arg = r};
            int rc = kube__call(kc, &o, &r->call, &e);
            strbuf_fini(&p);
            if (rc == 0) {
                r->in_cb = false;
                return;
            }
            r->cb(e.code, 0, NULL, &e, r->arg);
            req_free(r);
            return;
        }
        r->cb(0, res->code, r->acc, NULL, r->arg);
    } else if (r->scb) {
        if (ok)
            deliver_secret(r, body);
        else
            r->scb(e.code, NULL, 0, &e, r->arg);
        if (body)
            zero_strings(json_object_get(body, "data"));
    } else {
        r->cb(ok ? 0 : e.code, res->code, body, ok ? NULL : &e, r->arg);
    }
    if (body)
        json_decref(body);
    req_free(r);
}

int
kube__json_request(struct kube_client *kc, const char *method, const char *path,
                   const char *content_type, const char *body, size_t body_len,
                   const char *verb, const char *what, const char *ns, kube_resp_cb *cb,
                   void *arg, struct kube_req **reqp, struct pxerr *err)
{
    if (cb == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: request without a callback");
    struct kube_req *r = req_new(kc, verb, what, ns, cb, arg);
    struct kube_call_opts o = {.method = method, .path = path, .content_type = content_type,
                               .body = body, .body_len = body_len, .on_done = on_req_page,
                               .arg = r};
    int rc = kube__call(kc, &o, &r->call, err);
    if (rc < 0) {
        req_free(r);
        return rc;
    }
    if (reqp)
        *reqp = r;
    return 0;
}

int
kube_get(struct kube_client *kc, const char *path, kube_resp_cb *cb, void *arg,
         struct kube_req **reqp, struct pxerr *err)
{
    return kube__json_request(kc, "GET", path, NULL, NULL, 0, "get", path, NULL, cb, arg, reqp,
                              err);
}

int
kube_list(struct kube_client *kc, const char *path, kube_resp_cb *cb, void *arg,
          struct kube_req **reqp, struct pxerr *err)
{
    if (cb == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: request without a callback");
    struct kube_req *r = req_new(kc, "list", path, NULL, cb, arg);
    r->list_path = xstrdup(path);
    char *first = xasprintf("%s%climit=%d", path, strchr(path, '?') ? '&' : '?',
                            KUBE_PAGE_LIMIT);
    struct kube_call_opts o = {.path = first, .on_done = on_req_page, .arg = r};
    int rc = kube__call(kc, &o, &r->call, err);
    free(first);
    if (rc < 0) {
        req_free(r);
        return rc;
    }
    if (reqp)
        *reqp = r;
    return 0;
}

int
kube_secret_get(struct kube_client *kc, const char *ns, const char *name, const char *key,
                kube_secret_cb *cb, void *arg, struct kube_req **reqp, struct pxerr *err)
{
    if (cb == NULL || ns == NULL || name == NULL || key == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: secret request needs namespace, name, key, cb");
    char *what = xasprintf("secret %s", name);
    struct kube_req *r = req_new(kc, "get", what, ns, NULL, arg);
    free(what);
    r->scb = cb;
    r->secret_key = xstrdup(key);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/api/v1/namespaces/");
    kube__urlenc(&p, ns);
    strbuf_append(&p, "/secrets/");
    kube__urlenc(&p, name);
    struct kube_call_opts o = {.path = p.s, .on_done = on_req_page, .arg = r};
    int rc = kube__call(kc, &o, &r->call, err);
    strbuf_fini(&p);
    if (rc < 0) {
        req_free(r);
        return rc;
    }
    if (reqp)
        *reqp = r;
    return 0;
}
