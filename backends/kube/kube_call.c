/* kube_call: the authenticated request under every API request of the client (informers,
 * discovery, one-shot reads, writes, logs). A call is an http request plus what it needs to
 * be sent again: it waits for an exec credential when the plugin is still running, and after
 * a 401 it is retried once with a renewed credential (kube_auth.c). What each answer says
 * about the server goes to kube_health.c (a 2xx is contact, no answer at all is
 * unreachable), and a failed answer becomes words that say what, where and what to do
 * (kube__http_error).
 *
 * It deliberately does not retry anything else: informers have their backoff, and writes are
 * never retried. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "kube/kube_internal.h"

struct kube_call {
    struct kube_client *kc;
    char *method, *path, *ctype, *body;
    size_t body_len;
    int timeout_ms, connect_timeout_ms, idle_s;
    kube_call_data_fn *on_data;
    kube_call_done_fn *on_done;
    void *arg;
    bool http1;
    bool secret;
    struct http_req *req; /* NULL while waiting for a credential */
    bool retried;         /* already retried after a 401 */
    bool in_done;
    struct kube_call *prev, *next;
};

static int call_send(struct kube_call *call, struct pxerr *err);

/* ------------------------------------------------------------ error words */

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

/* What an answer says about the server (kube_health.c): a 2xx is contact (a stream's is
 * its bytes, counted as they arrive: a watch that ends at once without any is not); no
 * answer at all is unreachable. An HTTP error, or a stream cut or gone quiet after its
 * headers, says nothing either way: the health probe decides. */
static void
note_answer(struct kube_call *call, const struct http_result *res)
{
    struct kube_client *kc = call->kc;
    if (res->status == 0 && res->code >= 200 && res->code < 300) {
        if (call->on_data == NULL)
            kube__contact(kc);
    } else if (res->code == 0 && (res->status == PXE_CONN || res->status == PXE_TIMEOUT ||
                                  res->status == PXE_DNS || res->status == PXE_TLS)) {
        struct pxerr e;
        pxerr_set(&e, res->status, "cannot reach the API server: %s", res->err->msg);
        kube__unreachable(kc, &e);
    }
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
kube__call_cancel_all(struct kube_client *kc)
{
    for (struct kube_call *c = kc->calls, *next; c; c = next) {
        next = c->next;
        kube__call_cancel(c); /* a call inside its on_done stays: freed when that returns */
    }
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
    if (len > 0)
        kube__contact(call->kc);
    return call->on_data(call, data, len, call->arg);
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
call_send_or_fail(struct kube_call *call)
{
    struct pxerr e;
    if (call_send(call, &e) < 0)
        fail_call(call, &e);
}

static void
on_call_done(struct http_req *req, const struct http_result *res, void *arg)
{
    struct kube_call *call = arg;
    struct kube_client *kc = call->kc;
    (void)req;
    call->req = NULL;
    if (res->status == 0 && res->code == 401 && !call->retried) {
        /* The credential may have rotated: try once more with the renewed one. */
        struct pxerr e;
        int rc = kube__auth_renew(kc, &e);
        if (rc < 0) { /* the new token cannot be sent: that is the error, not the 401 */
            fail_call(call, &e);
            return;
        }
        if (rc > 0) {
            call->retried = true;
            call_send_or_fail(call);
            return;
        }
    }
    note_answer(call, res);
    call->in_done = true;
    call->on_done(call, res, call->arg);
    call_unlink_free(call);
}

void
kube__call_cred_done(struct kube_client *kc, int status, const struct pxerr *err)
{
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
    const struct kcfg_cred *cred;
    int rc = kube__auth_cred(kc, &cred, err);
    if (rc != 0)
        return rc > 0 ? 0 : rc; /* > 0: waits (call->req stays NULL) until the plugin answers */
    struct http_tls_auth t;
    kube__auth_tls(kc, cred, &t);
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
        .connect_timeout_ms = call->connect_timeout_ms,
        .idle_timeout_s = call->idle_s,
        .on_data = call->on_data ? on_call_data : NULL,
        .http1 = call->http1,
        .secret = call->secret,
        .on_done = on_call_done,
        .arg = call,
    };
    rc = http_start(kc->http, &o, &call->req, err);
    free(url);
    return rc;
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
    call->body = o->body ? kube__dupn(o->body, o->body_len) : NULL;
    call->body_len = o->body_len;
    call->timeout_ms = o->timeout_ms ? o->timeout_ms : kc->timeout_ms;
    call->connect_timeout_ms = o->connect_timeout_ms;
    call->idle_s = o->idle_timeout_s;
    call->on_data = o->on_data;
    call->http1 = o->http1;
    call->secret = o->secret;
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
