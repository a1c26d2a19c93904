/* kube_log: pods/log answers text/plain, which kube_get (JSON) cannot carry, so this goes
 * through the client's authenticated call directly and hands the raw body on. */
#include "kube/kube_log.h"

#include <stdio.h>
#include <stdlib.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

struct kube_log_req {
    struct kube_client *kc;
    struct kube_call *call;
    kube_log_cb *cb;
    void *arg;
    char *ns, *name;
};

static void
on_log_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_log_req *r = arg;
    (void)call;
    if (res->status == 0 && res->code >= 200 && res->code < 300) {
        r->cb(0, res->body, res->body_len, NULL, r->arg);
    } else {
        struct pxerr err = {0};
        char what[300];
        snprintf(what, sizeof what, "log of pod %s", r->name);
        int rc = kube__http_error(r->kc, res, "get", what, r->ns, &err);
        r->cb(rc ? rc : PXE_HTTP, NULL, 0, &err, r->arg);
    }
    free(r->ns);
    free(r->name);
    free(r);
}

int
kube_pod_log(struct kube_client *kc, const char *ns, const char *name, const char *container,
             int tail_lines, kube_log_cb *cb, void *arg, struct kube_log_req **out,
             struct pxerr *err)
{
    if (ns == NULL || name == NULL || cb == NULL)
        return pxerr_set(err, PXE_INVAL, "kube_pod_log: namespace and pod name needed");
    if (kube_name_check_ns(ns, err) < 0 || kube_name_check(name, err) < 0)
        return PXE_INVAL;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_append(&path, "/api/v1/namespaces/");
    kube__name_append(&path, ns);
    strbuf_append(&path, "/pods/");
    kube__name_append(&path, name);
    strbuf_append(&path, "/log");
    char sep = '?';
    if (container != NULL) {
        strbuf_append(&path, "?container=");
        kube__urlenc(&path, container);
        sep = '&';
    }
    if (tail_lines > 0)
        strbuf_appendf(&path, "%ctailLines=%d", sep, tail_lines);
    struct kube_log_req *r = xcalloc(1, sizeof *r);
    r->kc = kc;
    r->cb = cb;
    r->arg = arg;
    r->ns = xstrdup(ns);
    r->name = xstrdup(name);
    struct kube_call_opts o = {.method = "GET", .path = path.s, .on_done = on_log_done, .arg = r};
    int rc = kube__call(kc, &o, &r->call, err);
    strbuf_fini(&path);
    if (rc != 0) {
        free(r->ns);
        free(r->name);
        free(r);
        return rc;
    }
    if (out != NULL)
        *out = r;
    return 0;
}

void
kube_pod_log_cancel(struct kube_log_req *r)
{
    if (r == NULL)
        return;
    kube__call_cancel(r->call);
    free(r->ns);
    free(r->name);
    free(r);
}
