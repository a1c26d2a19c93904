/* probe_pod: create (server-side apply), wait for the probe container to terminate (not
 * the pod to succeed: an Istio sidecar keeps a pod Running), read the log, delete. A
 * deadline bounds the whole; whatever happens, the pod is deleted. */
#include "probe/probe_pod.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_log.h"

struct probe_pod {
    uv_loop_t *loop;
    struct kube_client *kc;
    probe_cb *cb;
    void *arg;
    struct probe_result r;
    enum probe_kind kind;
    char host[256];
    int port;
    char ns[64];
    char name[64];
    uint64_t start_ms;
    uv_timer_t poll, deadline;
    int open_handles;
    bool done;          /* result delivered */
    bool created;       /* the pod may exist: delete it */
    bool deleting;      /* the delete is in flight */
    struct kube_req *req;       /* apply / get / delete in flight */
    void (*on_cleanup)(void *arg);
    void *cleanup_arg;
    struct kube_log_req *logreq;
};

static void
pp_maybe_free(struct probe_pod *p)
{
    if (p->done && p->open_handles == 0 && p->req == NULL && p->logreq == NULL && !p->deleting) {
        void (*cleanup)(void *) = p->on_cleanup;
        void *arg = p->cleanup_arg;
        free(p);
        if (cleanup != NULL)
            cleanup(arg);
    }
}

static void
on_closed(uv_handle_t *h)
{
    struct probe_pod *p = h->data;
    p->open_handles--;
    pp_maybe_free(p);
}

static void
on_deleted(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct probe_pod *p = arg;
    (void)status, (void)code, (void)body, (void)err;
    p->deleting = false;
    p->req = NULL;
    pp_maybe_free(p);
}

static void
finish(struct probe_pod *p, enum probe_status st)
{
    if (p->done)
        return;
    p->done = true;
    p->r.status = st;
    p->r.elapsed_ms = (double)(clock_mono_ms() - p->start_ms);
    if (p->logreq != NULL) {
        kube_pod_log_cancel(p->logreq);
        p->logreq = NULL;
    }
    if (p->req != NULL) {
        kube_req_cancel(p->req);
        p->req = NULL;
    }
    if (p->cb != NULL)
        p->cb(&p->r, p->arg);
    uv_close((uv_handle_t *)&p->poll, on_closed);
    uv_close((uv_handle_t *)&p->deadline, on_closed);
    if (p->created) {
        struct pxerr err;
        /* Best effort: a pod left behind is labelled managed-by=pxcmesh and has no restarts. */
        if (kube_delete(p->kc, "v1", "Pod", p->ns, p->name, 0, on_deleted, p, &p->req, &err) == 0)
            p->deleting = true;
    }
    pp_maybe_free(p);
}

static void
on_deadline(uv_timer_t *t)
{
    struct probe_pod *p = t->data;
    snprintf(p->r.summary, sizeof p->r.summary, "the probe pod gave no result within %.0f s",
             (double)(clock_mono_ms() - p->start_ms) / 1000);
    snprintf(p->r.error_kind, sizeof p->r.error_kind, "timeout");
    finish(p, PROBE_TIMEOUT);
}

static void
on_log(int status, const char *text, size_t len, const struct pxerr *err, void *arg)
{
    struct probe_pod *p = arg;
    (void)len;
    p->logreq = NULL;
    if (p->done)
        return;
    if (status != 0) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot read the probe pod's log");
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err ? err->msg : "");
        finish(p, PROBE_FAIL);
        return;
    }
    struct probe_result *r = &p->r;
    switch (p->kind) {
    case PROBE_DNS:
        probe_pod_parse_nslookup(text, r);
        break;
    case PROBE_TCP:
        probe_pod_parse_nc(text, r);
        break;
    case PROBE_ENVOY:
        probe_pod_parse_envoy(text, p->host, p->port, r);
        break;
    case PROBE_MYSQL:
        break;
    }
    finish(p, r->status);
}

static bool
probe_container_terminated(json_t *pod)
{
    json_t *st = json_object_get(json_object_get(pod, "status"), "containerStatuses");
    size_t i;
    json_t *cs;
    json_array_foreach(st, i, cs) {
        const char *n = json_string_value(json_object_get(cs, "name"));
        if (n != NULL && strcmp(n, "probe") == 0 &&
            json_object_get(json_object_get(cs, "state"), "terminated") != NULL)
            return true;
    }
    const char *phase =
        json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
    return phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0);
}

static void poll_pod(struct probe_pod *p);

static void
on_pod(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct probe_pod *p = arg;
    (void)code;
    p->req = NULL;
    if (p->done)
        return;
    if (status == 0 && probe_container_terminated(body)) {
        struct pxerr e;
        if (kube_pod_log(p->kc, p->ns, p->name, "probe", 0, on_log, p, &p->logreq, &e) != 0) {
            snprintf(p->r.summary, sizeof p->r.summary, "cannot read the probe pod's log");
            snprintf(p->r.detail, sizeof p->r.detail, "%s", e.msg);
            finish(p, PROBE_FAIL);
        }
        return;
    }
    if (status != 0 && status != PXE_NOTFOUND) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot read the probe pod");
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err ? err->msg : "");
        finish(p, PROBE_FAIL);
        return;
    }
    poll_pod(p);
}

static void
on_poll_timer(uv_timer_t *t)
{
    struct probe_pod *p = t->data;
    struct strbuf path; /* names checked and encoded by the client's kind table */
    strbuf_init(&path);
    struct pxerr err;
    int rc = kube_kind_path(p->kc, "pods", p->ns, p->name, &path, &err);
    if (rc == 0)
        rc = kube_get(p->kc, path.s, on_pod, p, &p->req, &err);
    strbuf_fini(&path);
    if (rc != 0) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot read the probe pod");
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err.msg);
        finish(p, PROBE_FAIL);
    }
}

static void
poll_pod(struct probe_pod *p)
{
    uv_timer_start(&p->poll, on_poll_timer, 300, 0);
}

static void
on_created(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct probe_pod *p = arg;
    (void)code, (void)body;
    p->req = NULL;
    if (p->done)
        return;
    if (status != 0) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot create the probe pod");
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err ? err->msg : "");
        p->created = false;
        finish(p, PROBE_FAIL);
        return;
    }
    poll_pod(p);
}

static json_t *
pod_spec(const struct probe_pod *p, const char *image)
{
    json_t *cmd = json_array();
    char port[16];
    snprintf(port, sizeof port, "%d", p->port);
    switch (p->kind) {
    case PROBE_DNS:
        json_array_append_new(cmd, json_string("nslookup"));
        json_array_append_new(cmd, json_string(p->host));
        break;
    case PROBE_TCP:
    case PROBE_MYSQL:
        json_array_append_new(cmd, json_string("nc"));
        json_array_append_new(cmd, json_string("-zv"));
        json_array_append_new(cmd, json_string("-w"));
        json_array_append_new(cmd, json_string("3"));
        json_array_append_new(cmd, json_string(p->host));
        json_array_append_new(cmd, json_string(port));
        break;
    case PROBE_ENVOY:
        json_array_append_new(cmd, json_string("curl"));
        json_array_append_new(cmd, json_string("-s"));
        json_array_append_new(cmd, json_string("localhost:15000/clusters"));
        break;
    }
    return json_pack("{s:s, s:s, s:{s:s, s:s, s:{s:s, s:s}}, s:{s:s, s:i, s:[{s:s, s:s, s:o}]}}",
                     "apiVersion", "v1", "kind", "Pod", "metadata", "name", p->name, "namespace",
                     p->ns, "labels", "app.kubernetes.io/name", "pxcmesh-probe",
                     "app.kubernetes.io/managed-by", "pxcmesh", "spec", "restartPolicy", "Never",
                     "terminationGracePeriodSeconds", 0, "containers", "name", "probe", "image",
                     image, "command", cmd);
}

int
probe_pod_start(uv_loop_t *loop, struct kube_client *kc, enum probe_kind kind,
                const char *target, const struct probe_pod_opts *o, probe_cb *cb, void *arg,
                struct probe_pod **out, struct pxerr *err)
{
    char host[256];
    int port = 0, rc;
    if (o == NULL || o->ns == NULL)
        return pxerr_set(err, PXE_USAGE, "in-mesh probe: the namespace to run the pod in is "
                                         "needed");
    if (kind == PROBE_DNS) {
        if (target == NULL || target[0] == '\0' || strlen(target) >= sizeof host ||
            strspn(target, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
                strlen(target))
            return pxerr_set(err, PXE_INVAL, "in-mesh DNS probe: '%s' is not a host name",
                             target ? target : "");
        snprintf(host, sizeof host, "%s", target);
    } else if ((rc = probe_split_target(target, kind == PROBE_MYSQL ? 3306 : 0, host, sizeof host,
                                        &port, err)) != 0) {
        return rc;
    } else if (strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") !=
               strlen(host)) {
        return pxerr_set(err, PXE_INVAL, "in-mesh probe: '%s' is not a host name or address",
                         host);
    }
    struct probe_pod *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    p->kc = kc;
    p->cb = cb;
    p->arg = arg;
    p->kind = kind == PROBE_MYSQL ? PROBE_TCP : kind;
    snprintf(p->host, sizeof p->host, "%s", host);
    p->port = port;
    snprintf(p->ns, sizeof p->ns, "%s", o->ns);
    snprintf(p->name, sizeof p->name, "pxcmesh-probe-%08x", (unsigned)(clock_wall_ms() ^
                                                                       (uintptr_t)p) & 0xffffffffu);
    p->r.kind = kind;
    p->r.ttl_s = -1;
    snprintf(p->r.target, sizeof p->r.target, "%s", target);
    snprintf(p->r.from, sizeof p->r.from, "%s/%s (pod %s)", o->cluster ? o->cluster : "mesh",
             p->ns, p->name);
    p->r.ran_wall_ms = clock_wall_ms();
    p->start_ms = clock_mono_ms();
    uv_timer_init(loop, &p->poll);
    uv_timer_init(loop, &p->deadline);
    p->poll.data = p->deadline.data = p;
    p->open_handles = 2;
    p->on_cleanup = o->on_cleanup;
    p->cleanup_arg = o->cleanup_arg;
    uv_timer_start(&p->deadline, on_deadline, (uint64_t)(o->timeout_ms > 0 ? o->timeout_ms : 60000),
                   0);
    json_t *pod = pod_spec(p, o->image ? o->image : PROBE_POD_IMAGE_DEFAULT);
    rc = kube_apply(kc, pod, 0, on_created, p, &p->req, err);
    json_decref(pod);
    if (rc != 0) {
        p->cb = NULL;
        p->on_cleanup = NULL;
        p->done = true;
        uv_close((uv_handle_t *)&p->poll, on_closed);
        uv_close((uv_handle_t *)&p->deadline, on_closed);
        return rc;
    }
    p->created = true;
    if (out != NULL)
        *out = p;
    return 0;
}

void
probe_pod_cancel(struct probe_pod *p)
{
    if (p == NULL)
        return;
    if (!p->done) {
        snprintf(p->r.summary, sizeof p->r.summary, "cancelled");
        finish(p, PROBE_CANCELLED);
        return;
    }
    if (p->deleting) {
        kube_req_cancel(p->req);
        p->req = NULL;
        p->deleting = false;
        pp_maybe_free(p);
    }
}

/* ---- the tools' output ---- */

void
probe_pod_parse_nslookup(const char *out, struct probe_result *r)
{
    r->n_addrs = 0;
    const char *s;
    if ((s = strstr(out, "Server:")) != NULL)
        sscanf(s, "Server: %63s", r->server);
    snprintf(r->detail, sizeof r->detail, "%s", out);
    if (strstr(out, "NXDOMAIN") != NULL) {
        snprintf(r->rcode, sizeof r->rcode, "NXDOMAIN");
        snprintf(r->summary, sizeof r->summary, "the name does not exist in the mesh (NXDOMAIN)");
        r->status = PROBE_FAIL;
        return;
    }
    if (strstr(out, "SERVFAIL") != NULL) {
        snprintf(r->rcode, sizeof r->rcode, "SERVFAIL");
        snprintf(r->summary, sizeof r->summary, "the mesh DNS failed to answer (SERVFAIL)");
        r->status = PROBE_FAIL;
        return;
    }
    if (strstr(out, "timed out") != NULL || strstr(out, "no servers could be reached") != NULL) {
        snprintf(r->rcode, sizeof r->rcode, "TIMEOUT");
        snprintf(r->summary, sizeof r->summary, "no DNS server answered inside the pod");
        r->status = PROBE_TIMEOUT;
        return;
    }
    /* Addresses after "Name:"; the "Address: IP#53" line before it is the server. */
    const char *name = strstr(out, "Name:");
    struct strbuf sb;
    strbuf_init(&sb);
    for (const char *l = name; l != NULL && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char ip[46];
        if (sscanf(l, "Address: %45s", ip) == 1 && strchr(ip, '#') == NULL &&
            r->n_addrs < PROBE_MAX_ADDRS) {
            snprintf(r->addrs[r->n_addrs++], sizeof r->addrs[0], "%s", ip);
            strbuf_appendf(&sb, "%s%s", sb.len ? ", " : "", ip);
        }
    }
    if (r->n_addrs > 0) {
        snprintf(r->rcode, sizeof r->rcode, "NOERROR");
        snprintf(r->summary, sizeof r->summary, "resolves in the mesh to %s", sb.s);
        r->status = PROBE_OK;
    } else {
        snprintf(r->summary, sizeof r->summary, "nslookup gave no address");
        r->status = PROBE_FAIL;
    }
    strbuf_fini(&sb);
}

void
probe_pod_parse_nc(const char *out, struct probe_result *r)
{
    snprintf(r->detail, sizeof r->detail, "%s", out);
    if (strstr(out, "succeeded") != NULL || strstr(out, " open") != NULL) {
        snprintf(r->summary, sizeof r->summary, "open from inside the mesh");
        r->status = PROBE_OK;
    } else if (strstr(out, "refused") != NULL) {
        snprintf(r->error_kind, sizeof r->error_kind, "refused");
        snprintf(r->summary, sizeof r->summary, "connection refused from inside the mesh");
        r->status = PROBE_FAIL;
    } else if (strstr(out, "timed out") != NULL) {
        snprintf(r->error_kind, sizeof r->error_kind, "timeout");
        snprintf(r->summary, sizeof r->summary, "connect timed out from inside the mesh");
        r->status = PROBE_TIMEOUT;
    } else if (strstr(out, "getaddrinfo") != NULL || strstr(out, "resolve") != NULL) {
        snprintf(r->error_kind, sizeof r->error_kind, "resolve");
        snprintf(r->summary, sizeof r->summary, "the host does not resolve inside the mesh");
        r->status = PROBE_FAIL;
    } else {
        snprintf(r->summary, sizeof r->summary, "nc gave no verdict");
        r->status = PROBE_FAIL;
    }
}

void
probe_pod_parse_envoy(const char *out, const char *host, int port, struct probe_result *r)
{
    char prefix[400];
    snprintf(prefix, sizeof prefix, "outbound|%d||%s::", port, host);
    if (strstr(out, "Failed to connect") != NULL || out[0] == '\0') {
        snprintf(r->summary, sizeof r->summary,
                 "no Envoy admin on localhost:15000: the probe pod has no sidecar");
        snprintf(r->detail, sizeof r->detail, "%s", out);
        r->status = PROBE_FAIL;
        return;
    }
    int endpoints = 0;
    bool known = false;
    struct strbuf sb;
    strbuf_init(&sb);
    /* Lines: outbound|3306||HOST::ADDR:PORT::STAT::VALUE; count each endpoint once. */
    for (const char *l = strstr(out, prefix); l != NULL; l = strstr(l + 1, prefix)) {
        known = true;
        const char *addr = l + strlen(prefix);
        const char *sep = strstr(addr, "::");
        const char *eol = strchr(addr, '\n');
        if (sep == NULL || (eol != NULL && sep > eol))
            continue;
        if (strncmp(sep, "::cx_active::", 13) == 0) {
            endpoints++;
            strbuf_appendf(&sb, "%s%.*s", sb.len ? ", " : "", (int)(sep - addr), addr);
        }
    }
    if (known) {
        snprintf(r->summary, sizeof r->summary, "Envoy knows outbound|%d||%s (%d endpoint%s)",
                 port, host, endpoints, endpoints == 1 ? "" : "s");
        snprintf(r->detail, sizeof r->detail, "endpoints: %s", sb.len ? sb.s : "(none)");
        r->status = endpoints > 0 ? PROBE_OK : PROBE_FAIL;
    } else {
        snprintf(r->summary, sizeof r->summary,
                 "Envoy has no cluster outbound|%d||%s: no ServiceEntry for it reached the "
                 "sidecar",
                 port, host);
        r->status = PROBE_FAIL;
    }
    strbuf_fini(&sb);
}
