/* kube_logs: pods/log streamed through the client's authenticated call (kube_call.c: the same
 * credentials, the 401 retry, the error words), cut into lines as the bytes arrive. The
 * one-shot read of a whole log is kube_log.c's; this one never holds more than a line. */
#include "kube/kube_logs.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

/* With follow the stream has no end of its own; curl still wants a total deadline. */
#define FOLLOW_TIMEOUT_MS INT_MAX

struct kube_logs {
    struct kube_owned own; /* on the client: dropped if it is freed first */
    struct kube_client *kc;
    struct kube_call *call;
    char *ns, *pod, *container;
    size_t max_line;
    struct strbuf line; /* the unfinished line */
    bool cut;           /* pieces of the current line were delivered already */
    kube_logs_line_cb *on_line;
    kube_logs_end_cb *on_end;
    void *arg;
};

static void
logs_free(struct kube_logs *l)
{
    kube__disown(l->kc, &l->own);
    free(l->ns);
    free(l->pod);
    free(l->container);
    strbuf_fini(&l->line);
    free(l);
}

static int
on_data(struct kube_call *call, const char *data, size_t len, void *arg)
{
    struct kube_logs *l = arg;
    (void)call;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        while (l->line.len + n > l->max_line) {
            /* Too long for one line: deliver what fits as a piece. */
            size_t take = l->max_line - l->line.len;
            strbuf_appendn(&l->line, data, take);
            l->on_line(l, l->line.s, l->line.len, true, l->arg);
            strbuf_reset(&l->line);
            l->cut = true;
            data += take;
            len -= take;
            n -= take;
        }
        strbuf_appendn(&l->line, data, n);
        if (nl == NULL)
            break;
        size_t ll = l->line.len;
        if (ll > 0 && l->line.s[ll - 1] == '\r')
            l->line.s[--l->line.len] = '\0';
        l->on_line(l, l->line.s, l->line.len, false, l->arg);
        strbuf_reset(&l->line);
        l->cut = false;
        data += n + 1;
        len -= n + 1;
    }
    return 0;
}

static void
on_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_logs *l = arg;
    (void)call;
    l->call = NULL;
    if (l->line.len > 0)
        l->on_line(l, l->line.s, l->line.len, false, l->arg);
    struct pxerr e = {0};
    int status = 0;
    if (res->status != 0 || res->code < 200 || res->code >= 300) {
        char what[300];
        snprintf(what, sizeof what, "log of pod %s%s%s", l->pod, l->container ? " container " : "",
                 l->container ? l->container : "");
        status = kube__http_error(l->kc, res, "get", what, l->ns, &e);
        if (status == 0)
            status = pxerr_set(&e, PXE_HTTP, "cannot get %s in namespace %s", what, l->ns);
        if (res->code == 403) /* pods/log is its own RBAC resource: say so */
            status = pxerr_set(&e, PXE_FORBIDDEN,
                               "forbidden: cannot get pods/log in namespace "
                               "%s (the RBAC verb 'get' on 'pods/log' is needed)",
                               l->ns);
    }
    l->on_end(l, status, &e, l->arg);
    logs_free(l);
}

/* The client is being freed: go without a callback. */
static void
logs_drop(struct kube_owned *o)
{
    struct kube_logs *l = (struct kube_logs *)((char *)o - offsetof(struct kube_logs, own));
    kube__call_cancel(l->call);
    logs_free(l);
}

int
kube_logs_start(struct kube_client *kc, const struct kube_logs_opts *o, struct kube_logs **out,
                struct pxerr *err)
{
    if (o->ns == NULL || o->pod == NULL || o->on_line == NULL || o->on_end == NULL)
        return pxerr_set(err, PXE_INVAL,
                         "kube_logs_start: namespace, pod, on_line and on_end "
                         "are needed");
    /* Names go into the path: checked first, as every other request checks them. */
    if (kube_name_check_ns(o->ns, err) < 0 || kube_name_check(o->pod, err) < 0)
        return PXE_INVAL;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_append(&path, "/api/v1/namespaces/");
    kube__name_append(&path, o->ns);
    strbuf_append(&path, "/pods/");
    kube__name_append(&path, o->pod);
    strbuf_append(&path, "/log");
    char sep = '?';
    if (o->container != NULL) {
        strbuf_appendf(&path, "%ccontainer=", sep);
        kube__urlenc(&path, o->container);
        sep = '&';
    }
    if (o->follow)
        strbuf_appendf(&path, "%cfollow=true", sep), sep = '&';
    if (o->timestamps)
        strbuf_appendf(&path, "%ctimestamps=true", sep), sep = '&';
    if (o->since_s > 0)
        strbuf_appendf(&path, "%csinceSeconds=%d", sep, o->since_s), sep = '&';
    if (o->tail_lines >= 0)
        strbuf_appendf(&path, "%ctailLines=%d", sep, o->tail_lines);
    struct kube_logs *l = xcalloc(1, sizeof *l);
    l->kc = kc;
    l->ns = xstrdup(o->ns);
    l->pod = xstrdup(o->pod);
    l->container = xstrdup_or_null(o->container);
    l->max_line = o->max_line ? o->max_line : KUBE_LOGS_MAX_LINE_DEFAULT;
    strbuf_init(&l->line);
    l->on_line = o->on_line;
    l->on_end = o->on_end;
    l->arg = o->arg;
    struct kube_call_opts co = {
        .method = "GET",
        .path = path.s,
        .timeout_ms = o->follow ? FOLLOW_TIMEOUT_MS : o->timeout_ms,
        .on_data = on_data,
        .http1 = true,
        .on_done = on_done,
        .arg = l,
    };
    int rc = kube__call(kc, &co, &l->call, err);
    strbuf_fini(&path);
    if (rc < 0) {
        logs_free(l);
        return rc;
    }
    kube__own(kc, &l->own, logs_drop);
    if (out)
        *out = l;
    return 0;
}

void
kube_logs_cancel(struct kube_logs *l)
{
    if (l == NULL)
        return;
    kube__call_cancel(l->call);
    logs_free(l);
}
