/* probe_exec: choose the pod (the one named, else the first Running pod of the namespace with
 * a `pxc` container), run the probe's command there through kube_exec, read what it printed,
 * and where exec cannot run hand over to probe_pod, keeping its answer but saying why. It
 * has no timer of its own: kube_exec bounds the command, the client bounds the pod list, and
 * probe_pod bounds its pod. The commands use only what a percona-xtradb-cluster 8.0 image
 * (Oracle Linux: sh, bash, getent, timeout, the mysql client; no nslookup) and an
 * istio/proxyv2 image (curl) hold. */
#include "probe/probe_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_exec.h"
#include "probe/probe_pod.h"

#define OUT_MAX (4u << 20) /* Envoy's clusters of a large mesh fit; more is dropped */
#define EXEC_TIMEOUT_MS_DEFAULT 10000
#define HANDSHAKE_USER "pxcmesh-handshake"

struct probe_exec {
    uv_loop_t *loop;
    struct kube_client *kc;
    probe_cb *cb;
    void *arg;
    struct probe_result r;
    enum probe_kind kind;
    char target[300];
    char host[256];
    int port;
    char ns[64], pod[254], cluster[128];
    char *user, *password; /* owned; the password zeroed before free */
    int timeout_ms;
    bool pod_fallback;
    char no_fallback_why[128];
    char *image;
    int pod_timeout_ms;
    uint64_t start_ms;
    struct strbuf out, errout;
    struct kube_req *req; /* the pod list in flight */
    struct kube_exec *ex; /* the command in flight */
    struct probe_pod *pp; /* the fallback, until its cleanup */
    bool done;            /* cb ran */
    void (*on_cleanup)(void *arg);
    void *cleanup_arg;
};

static void
pe_maybe_free(struct probe_exec *p)
{
    if (!p->done || p->req != NULL || p->ex != NULL || p->pp != NULL)
        return;
    void (*cleanup)(void *) = p->on_cleanup;
    void *arg = p->cleanup_arg;
    if (p->password != NULL) {
        explicit_bzero(p->password, strlen(p->password));
        free(p->password);
    }
    free(p->user);
    free(p->image);
    strbuf_fini(&p->out);
    strbuf_fini(&p->errout);
    free(p);
    if (cleanup != NULL)
        cleanup(arg);
}

static void
pe_finish(struct probe_exec *p, enum probe_status st)
{
    if (p->done)
        return;
    p->done = true;
    p->r.status = st;
    p->r.elapsed_ms = (double)(clock_mono_ms() - p->start_ms);
    if (p->req != NULL) {
        kube_req_cancel(p->req);
        p->req = NULL;
    }
    if (p->ex != NULL) {
        kube_exec_cancel(p->ex);
        p->ex = NULL;
    }
    if (p->cb != NULL)
        p->cb(&p->r, p->arg);
    pe_maybe_free(p);
}

static void
on_pod_done(const struct probe_result *r, void *arg)
{
    struct probe_exec *p = arg;
    char via[sizeof p->r.via];
    memcpy(via, p->r.via, sizeof via);
    p->r = *r;
    memcpy(p->r.via, via, sizeof via);
    p->done = true;
    if (p->cb != NULL)
        p->cb(&p->r, p->arg);
    /* the pod is being deleted: on_pod_cleanup frees */
}

static void
on_pod_cleanup(void *arg)
{
    struct probe_exec *p = arg;
    p->pp = NULL;
    pe_maybe_free(p);
}

/* Exec cannot run here (why): a probe pod if allowed, else a failure saying both. */
static void
fallback(struct probe_exec *p, const char *why)
{
    if (!p->pod_fallback) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot probe through exec: %.120s", why);
        snprintf(p->r.detail, sizeof p->r.detail, "%s\nno probe pod either: %s", why,
                 p->no_fallback_why[0] ? p->no_fallback_why : "not allowed here");
        snprintf(p->r.via, sizeof p->r.via,
                 "none (exec not possible: %.200s; no probe pod: %.127s)", why,
                 p->no_fallback_why[0] ? p->no_fallback_why : "not allowed here");
        pe_finish(p, PROBE_FAIL);
        return;
    }
    snprintf(p->r.via, sizeof p->r.via, "probe pod (exec not possible: %.330s)", why);
    struct probe_pod_opts o = {.ns = p->ns,
                               .image = p->image,
                               .timeout_ms = p->pod_timeout_ms,
                               .cluster = p->cluster,
                               .on_cleanup = on_pod_cleanup,
                               .cleanup_arg = p};
    struct pxerr err = {0};
    if (probe_pod_start(p->loop, p->kc, p->kind, p->target, &o, on_pod_done, p, &p->pp, &err) !=
        0) {
        p->pp = NULL;
        snprintf(p->r.summary, sizeof p->r.summary, "neither exec nor a probe pod could run");
        snprintf(p->r.detail, sizeof p->r.detail, "exec: %s\nprobe pod: %s", why, err.msg);
        pe_finish(p, PROBE_FAIL);
    }
}

static void
collect(struct strbuf *sb, const char *data, size_t len)
{
    if (sb->len + len > OUT_MAX)
        len = sb->len < OUT_MAX ? OUT_MAX - sb->len : 0;
    if (len > 0)
        strbuf_appendn(sb, data, len);
}

static void
on_stdout(struct kube_exec *ex, const char *data, size_t len, void *arg)
{
    (void)ex;
    collect(&((struct probe_exec *)arg)->out, data, len);
}

static void
on_stderr(struct kube_exec *ex, const char *data, size_t len, void *arg)
{
    (void)ex;
    collect(&((struct probe_exec *)arg)->errout, data, len);
}

static void
on_exec_exit(struct kube_exec *ex, int status, int exit_code, const struct pxerr *err, void *arg)
{
    struct probe_exec *p = arg;
    (void)ex;
    p->ex = NULL;
    if (p->done)
        return;
    if (status == PXE_FORBIDDEN || status == PXE_NOTFOUND || status == PXE_HTTP) {
        fallback(p, err->msg);
        return;
    }
    if (status == PXE_TIMEOUT) {
        snprintf(p->r.summary, sizeof p->r.summary, "no answer within %.1f s from the command",
                 p->timeout_ms / 1000.0);
        snprintf(p->r.error_kind, sizeof p->r.error_kind, "timeout");
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err->msg);
        pe_finish(p, PROBE_TIMEOUT);
        return;
    }
    if (status != 0) {
        snprintf(p->r.summary, sizeof p->r.summary, "exec failed: %.140s", err->msg);
        snprintf(p->r.detail, sizeof p->r.detail, "%s", err->msg);
        pe_finish(p, PROBE_FAIL);
        return;
    }
    /* What the tools print on stderr (errors) belongs with what they print on stdout. */
    struct strbuf all;
    strbuf_init(&all);
    strbuf_appendn(&all, p->out.s, p->out.len);
    strbuf_appendn(&all, p->errout.s, p->errout.len);
    struct probe_result *r = &p->r;
    switch (p->kind) {
    case PROBE_DNS:
        probe_exec_parse_dns(all.s, exit_code, r);
        break;
    case PROBE_TCP:
        probe_exec_parse_tcp(all.s, exit_code, r);
        break;
    case PROBE_MYSQL:
        probe_exec_parse_mysql(all.s, exit_code, p->user != NULL, r);
        break;
    case PROBE_ENVOY:
        if (exit_code != 0) {
            snprintf(r->summary, sizeof r->summary,
                     "the sidecar's Envoy admin (localhost:15000) did not answer: curl exit %d",
                     exit_code);
            snprintf(r->detail, sizeof r->detail, "%s", all.s);
            r->status = PROBE_FAIL;
        } else {
            probe_pod_parse_envoy(p->out.s, p->host, p->port, r);
        }
        break;
    }
    strbuf_fini(&all);
    pe_finish(p, r->status);
}

const char *
probe_exec_container(enum probe_kind kind)
{
    return kind == PROBE_ENVOY ? "istio-proxy" : "pxc";
}

void
probe_exec_describe(enum probe_kind kind, const char *target, bool login, char *buf, size_t len)
{
    switch (kind) {
    case PROBE_DNS:
        snprintf(buf, len, "getent hosts %s", target);
        break;
    case PROBE_TCP:
        snprintf(buf, len, "bash: connect to %s (/dev/tcp)", target);
        break;
    case PROBE_MYSQL:
        snprintf(buf, len, "mysql to %s: %s", target,
                 login ? "log in and SELECT VERSION() (the password on stdin)"
                       : "the handshake, no login");
        break;
    case PROBE_ENVOY:
        snprintf(buf, len, "curl -s localhost:15000/clusters, for %s", target);
        break;
    }
}

/* Start the command; <0 with err when it cannot start (nothing called back). */
static int
run_exec(struct probe_exec *p, struct pxerr *err)
{
    char port[16], secs[16];
    snprintf(port, sizeof port, "%d", p->port);
    /* The tools' own timeouts, half the exec's: the tool says why before the exec gives up. */
    int tool_s = p->timeout_ms / 2000 > 0 ? p->timeout_ms / 2000 : 1;
    snprintf(secs, sizeof secs, "%d", tool_s);
    const char *container = probe_exec_container(p->kind);
    /* Arguments go in as $1.. of a fixed script: nothing of the target is parsed by a shell. */
    static const char dns_sh[] =
        "command -v getent >/dev/null 2>&1 && exec getent hosts \"$1\"; exec nslookup \"$1\"";
    static const char tcp_sh[] =
        "T=; command -v timeout >/dev/null 2>&1 && T=\"timeout $3\"; "
        "exec $T bash -c 'exec 3<>\"/dev/tcp/$0/$1\" && echo connected' \"$1\" \"$2\"";
    static const char mysql_sh[] =
        "IFS= read -r MYSQL_PWD; export MYSQL_PWD; "
        "exec mysql --no-defaults --connect-timeout=\"$4\" -h \"$1\" -P \"$2\" -u \"$3\" -N -B "
        "-e 'SELECT VERSION(), @@version_comment'";
    const char *argv[10];
    struct strbuf in;
    strbuf_init(&in);
    switch (p->kind) {
    case PROBE_DNS:
        argv[0] = "sh", argv[1] = "-c", argv[2] = dns_sh, argv[3] = "sh", argv[4] = p->host;
        argv[5] = NULL;
        break;
    case PROBE_TCP:
        argv[0] = "sh", argv[1] = "-c", argv[2] = tcp_sh, argv[3] = "sh", argv[4] = p->host;
        argv[5] = port, argv[6] = secs, argv[7] = NULL;
        break;
    case PROBE_MYSQL:
        argv[0] = "sh", argv[1] = "-c", argv[2] = mysql_sh, argv[3] = "sh", argv[4] = p->host;
        argv[5] = port, argv[6] = p->user ? p->user : HANDSHAKE_USER, argv[7] = secs;
        argv[8] = NULL;
        strbuf_append(&in, p->password ? p->password : "");
        strbuf_append(&in, "\n");
        break;
    case PROBE_ENVOY:
        argv[0] = "curl", argv[1] = "-s", argv[2] = "localhost:15000/clusters", argv[3] = NULL;
        break;
    }
    snprintf(p->r.from, sizeof p->r.from, "%.60s/%.63s (pod %.120s)", p->cluster, p->ns, p->pod);
    snprintf(p->r.via, sizeof p->r.via, "exec pod/%s/%s container %s", p->ns, p->pod, container);
    struct kube_exec_opts eo = {.ns = p->ns,
                                .pod = p->pod,
                                .container = container,
                                .argv = argv,
                                .stdin_data = in.len > 0 ? in.s : NULL,
                                .stdin_len = in.len,
                                .timeout_ms = p->timeout_ms,
                                .on_stdout = on_stdout,
                                .on_stderr = on_stderr,
                                .on_exit = on_exec_exit,
                                .arg = p};
    int rc = kube_exec_start(p->kc, &eo, &p->ex, err);
    explicit_bzero(in.s, in.len);
    strbuf_fini(&in);
    if (rc != 0)
        p->ex = NULL;
    return rc;
}

static bool
has_container(json_t *pod, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(pod, "spec"), "containers"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

static void
on_pods(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct probe_exec *p = arg;
    (void)code;
    p->req = NULL;
    if (p->done)
        return;
    if (status != 0) {
        char why[300];
        snprintf(why, sizeof why, "cannot list the pods of %s: %.200s", p->ns, err ? err->msg : "");
        fallback(p, why);
        return;
    }
    /* The first by name, so that reruns ask the same pod. */
    const char *best = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(body, "items"), i, it)
    {
        json_t *md = json_object_get(it, "metadata");
        const char *name = json_string_value(json_object_get(md, "name"));
        const char *phase =
            json_string_value(json_object_get(json_object_get(it, "status"), "phase"));
        if (name == NULL || phase == NULL || strcmp(phase, "Running") != 0 ||
            json_object_get(md, "deletionTimestamp") != NULL || !has_container(it, "pxc"))
            continue;
        if (best == NULL || strcmp(name, best) < 0)
            best = name;
    }
    if (best == NULL || strlen(best) >= sizeof p->pod) {
        char why[200];
        snprintf(why, sizeof why, "no Running pod with a pxc container in namespace %s", p->ns);
        fallback(p, why);
        return;
    }
    snprintf(p->pod, sizeof p->pod, "%s", best);
    struct pxerr e = {0};
    if (run_exec(p, &e) != 0) {
        snprintf(p->r.summary, sizeof p->r.summary, "cannot start exec: %.140s", e.msg);
        snprintf(p->r.detail, sizeof p->r.detail, "%s", e.msg);
        pe_finish(p, PROBE_FAIL);
    }
}

static bool
host_ok(const char *h, const char *extra)
{
    static const char base[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    for (const char *c = h; *c; c++)
        if (strchr(base, *c) == NULL && strchr(extra, *c) == NULL)
            return false;
    return h[0] != '\0' && h[0] != '-';
}

int
probe_exec_start(uv_loop_t *loop, struct kube_client *kc, enum probe_kind kind, const char *target,
                 const struct probe_exec_opts *o, probe_cb *cb, void *arg, struct probe_exec **out,
                 struct pxerr *err)
{
    char host[256];
    int port = 0, rc;
    if (o == NULL || o->ns == NULL || o->ns[0] == '\0')
        return pxerr_set(err, PXE_USAGE, "in-mesh probe: the namespace to probe from is needed");
    if ((rc = kube_name_check_ns(o->ns, err)) != 0)
        return rc;
    if (o->pod != NULL && (rc = kube_name_check(o->pod, err)) != 0)
        return rc;
    if (kind == PROBE_DNS) {
        if (target == NULL || strlen(target) >= sizeof host || !host_ok(target, ""))
            return pxerr_set(err, PXE_INVAL, "in-mesh DNS probe: '%s' is not a host name",
                             target ? target : "");
        snprintf(host, sizeof host, "%s", target);
    } else if ((rc = probe_split_target(target, kind == PROBE_MYSQL ? 3306 : 0, host, sizeof host,
                                        &port, err)) != 0) {
        return rc;
    } else if (!host_ok(host, ":")) {
        return pxerr_set(err, PXE_INVAL, "in-mesh probe: '%s' is not a host name or address", host);
    }
    if (o->user != NULL && (o->user[0] == '\0' || o->user[0] == '-' || strlen(o->user) > 80))
        return pxerr_set(err, PXE_INVAL, "in-mesh MySQL probe: '%s' is not a MySQL user name",
                         o->user);
    struct probe_exec *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    p->kc = kc;
    p->cb = cb;
    p->arg = arg;
    p->kind = kind;
    snprintf(p->target, sizeof p->target, "%s", target);
    snprintf(p->host, sizeof p->host, "%s", host);
    p->port = port;
    snprintf(p->ns, sizeof p->ns, "%s", o->ns);
    snprintf(p->cluster, sizeof p->cluster, "%s", o->cluster ? o->cluster : "mesh");
    if (kind == PROBE_MYSQL && o->user != NULL) {
        p->user = xstrdup(o->user);
        p->password = xstrdup(o->password ? o->password : "");
    }
    p->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : EXEC_TIMEOUT_MS_DEFAULT;
    p->pod_fallback = o->pod_fallback;
    snprintf(p->no_fallback_why, sizeof p->no_fallback_why, "%s",
             o->no_fallback_why ? o->no_fallback_why : "");
    p->image = o->image ? xstrdup(o->image) : NULL;
    p->pod_timeout_ms = o->pod_timeout_ms;
    p->on_cleanup = o->on_cleanup;
    p->cleanup_arg = o->cleanup_arg;
    strbuf_init(&p->out);
    strbuf_init(&p->errout);
    p->r.kind = kind;
    p->r.ttl_s = -1;
    snprintf(p->r.target, sizeof p->r.target, "%s", target);
    snprintf(p->r.from, sizeof p->r.from, "%s/%s", p->cluster, p->ns);
    p->r.ran_wall_ms = clock_wall_ms();
    p->start_ms = clock_mono_ms();
    if (o->pod != NULL) {
        snprintf(p->pod, sizeof p->pod, "%s", o->pod);
        rc = run_exec(p, err);
    } else {
        struct strbuf path;
        strbuf_init(&path);
        rc = kube_kind_path(kc, "pods", p->ns, NULL, &path, err);
        if (rc == 0)
            rc = kube_list(kc, path.s, on_pods, p, &p->req, err);
        strbuf_fini(&path);
    }
    if (rc != 0) { /* nothing is in flight: free without a callback */
        p->cb = NULL;
        p->on_cleanup = NULL;
        p->done = true;
        pe_maybe_free(p);
        return rc;
    }
    if (out != NULL)
        *out = p;
    return 0;
}

void
probe_exec_cancel(struct probe_exec *p)
{
    if (p == NULL)
        return;
    if (p->pp != NULL) {
        /* before its cb: it runs now (on_pod_done); after: the delete is given up, and its
         * cleanup frees p */
        probe_pod_cancel(p->pp);
        return;
    }
    if (!p->done) {
        snprintf(p->r.summary, sizeof p->r.summary, "cancelled");
        pe_finish(p, PROBE_CANCELLED);
    }
}
