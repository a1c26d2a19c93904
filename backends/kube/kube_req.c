/* kube_req: the client's one-shot requests. kube_get hands over the decoded answer,
 * kube_list follows every continue token and hands over one list of all pages, and
 * kube_secret_get reads one key of one Secret on demand (never watched): only that key is
 * taken out of the answer (kube_secret.c; no JSON tree holds the others), its decoded value
 * lives only for the callback and is zeroed right after it, and the transport zeroes the
 * answer. The writes (kube_apply.c) go through the same
 * request. A request can be cancelled until its callback runs; afterwards no callback runs.
 *
 * It deliberately does not retry: the caller shows the error and decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "kube/kube_internal.h"

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

static const char *
json_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

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

void
kube__req_cancel_all(struct kube_client *kc)
{
    for (struct kube_req *r = kc->reqs, *next; r; r = next) {
        next = r->next;
        kube_req_cancel(r);
    }
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

/* The Secret's answer: only the wanted key is decoded (kube_secret.c), handed over and
 * zeroed; the body is never parsed into a tree. */
static void
deliver_secret(struct kube_req *r, const struct http_result *res)
{
    struct pxerr e = {0};
    const char *ns = r->ns ? r->ns : "";
    const char *name = r->what + 7; /* "secret NAME" */
    if (res->status != 0 || res->code < 200 || res->code >= 300) {
        kube__http_error(r->kc, res, r->verb, r->what, r->ns, &e);
        r->scb(e.code, NULL, 0, &e, r->arg);
        return;
    }
    char *val = NULL;
    size_t len = 0;
    struct strbuf keys;
    strbuf_init(&keys);
    int rc = kube__secret_value(res->body, res->body_len, r->secret_key, &val, &len, &keys, &e);
    if (rc == PXE_NOTFOUND)
        pxerr_set(&e, PXE_NOTFOUND, "secret %s/%s has no key '%s' (keys: %s)", ns, name,
                  r->secret_key, keys.len ? keys.s : "none");
    else if (rc != 0)
        pxerr_set(&e, rc, "secret %s/%s from %s: %s", ns, name, r->kc->a.server, e.msg);
    strbuf_fini(&keys);
    if (rc != 0) {
        r->scb(e.code, NULL, 0, &e, r->arg);
        return;
    }
    r->scb(0, val, len, NULL, r->arg);
    explicit_bzero(val, len);
    free(val);
}

static void on_req_page(struct kube_call *call, const struct http_result *res, void *arg);

/* Accumulate a page of kube_list and follow continue. Returns true when the next page was
 * requested (the request lives on), false when r is done (its callback ran). */
static bool
list_page(struct kube_req *r, json_t *body, long code)
{
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
    if (!cont[0]) {
        r->cb(0, code, r->acc, NULL, r->arg);
        return false;
    }
    struct strbuf p;
    strbuf_init(&p);
    strbuf_appendf(&p, "%s%climit=%d&continue=", r->list_path,
                   strchr(r->list_path, '?') ? '&' : '?', KUBE_PAGE_LIMIT);
    kube__urlenc(&p, cont);
    struct kube_call_opts o = {.path = p.s, .on_done = on_req_page, .arg = r};
    struct pxerr e;
    int rc = kube__call(r->kc, &o, &r->call, &e);
    strbuf_fini(&p);
    if (rc == 0)
        return true;
    r->cb(e.code, 0, NULL, &e, r->arg);
    return false;
}

static void
on_req_page(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_req *r = arg;
    struct kube_client *kc = r->kc;
    (void)call;
    r->call = NULL;
    r->in_cb = true;
    if (r->scb) {
        deliver_secret(r, res);
        req_free(r);
        return;
    }
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
        if (list_page(r, body, res->code)) {
            json_decref(body);
            r->in_cb = false;
            return;
        }
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
    if (kube_name_check_ns(ns, err) < 0 || kube_name_check(name, err) < 0)
        return PXE_INVAL;
    char *what = xasprintf("secret %s", name);
    struct kube_req *r = req_new(kc, "get", what, ns, NULL, arg);
    free(what);
    r->scb = cb;
    r->secret_key = xstrdup(key);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/api/v1/namespaces/");
    kube__name_append(&p, ns);
    strbuf_append(&p, "/secrets/");
    kube__name_append(&p, name);
    struct kube_call_opts o = {.path = p.s, .secret = true, .on_done = on_req_page, .arg = r};
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
