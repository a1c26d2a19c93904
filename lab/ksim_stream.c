/* ksim_stream: the pods' connect subresources up to the 101. Checks as the API server makes
 * them (the pod exists, the container is one of the pod's, the pod is running), the exec
 * options, the upgrade itself (WebSocket with subprotocol negotiation, or plain SPDY/3.1 for
 * port-forward), and the thread that serves the upgraded connection. What runs after the
 * 101 lives in ksim_exec.c and ksim_portforward.c.
 *
 * Upstream: the API server's streaming handlers proxy to the kubelet, which serves exec and
 * port-forward over WebSocket (pkg/kubelet/cri/streaming/remotecommand/websocket.go,
 * portforward/websocket.go) or SPDY; since 1.30 the API server itself answers WebSocket exec
 * with v5.channel.k8s.io and translates to SPDY upstream
 * (staging/src/k8s.io/apiserver/pkg/util/proxy/streamtranslator.go), and answers kubectl's
 * port-forward WebSocket, which carries SPDY/3.1 frames in binary messages
 * (proxy/streamtunnel.go, subprotocol SPDY/3.1+portforward.k8s.io). kubesim plays both the
 * API server and the kubelet, so each protocol ends here. */
#include "ksim_stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

void
ksim_stream_free(struct ksim_stream *s)
{
    if (s == NULL)
        return;
    free(s->ns);
    free(s->pod);
    free(s->container);
    json_decref(s->pod_obj);
    vec_fini(&s->argv);
    vec_fini(&s->ports);
    free(s);
}

bool
ksim_stream_stopping(const struct ksim_stream *s)
{
    struct ksim_store *st = s->srv->st;
    pthread_mutex_lock(&st->mu);
    bool stop = st->stopping;
    pthread_mutex_unlock(&st->mu);
    return stop;
}

struct qargs {
    const char *key;
    struct vec *out; /* char *, owned */
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct qargs *q = cls;
    if (key != NULL && strcasecmp(key, q->key) == 0)
        vec_push(q->out, xstrdup(value ? value : ""));
    return MHD_YES;
}

/* Every value of a repeated query argument or header, in order. */
static void
all_values(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key, struct vec *out)
{
    struct qargs q = {.key = key, .out = out};
    MHD_get_connection_values(c, kind, collect_arg, &q);
}

static bool
boolarg(struct MHD_Connection *c, const char *k)
{
    const char *v = ksim_qarg(c, k);
    return v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

static bool
header_has_token(struct MHD_Connection *c, const char *name, const char *token)
{
    struct vec vals;
    vec_init(&vals, free);
    all_values(c, MHD_HEADER_KIND, name, &vals);
    bool found = false;
    for (size_t i = 0; i < vals.n && !found; i++) {
        char *save = NULL;
        for (char *p = strtok_r(vec_at(&vals, i), ", ", &save); p && !found;
             p = strtok_r(NULL, ", ", &save))
            found = strcasecmp(p, token) == 0;
    }
    vec_fini(&vals);
    return found;
}

/* The first of the client's subprotocols (in its order) that we serve, as the Go
 * websocket handshake does (wsstream.handshake); "" when the client offers none and ""
 * is acceptable; NULL when nothing matches. */
static const char *
negotiate(struct MHD_Connection *c, const char *const *supported, char *buf, size_t n)
{
    struct vec vals;
    vec_init(&vals, free);
    all_values(c, MHD_HEADER_KIND, "Sec-WebSocket-Protocol", &vals);
    const char *pick = NULL;
    bool offered = false;
    for (size_t i = 0; i < vals.n && pick == NULL; i++) {
        char *save = NULL;
        for (char *p = strtok_r(vec_at(&vals, i), ", ", &save); p && pick == NULL;
             p = strtok_r(NULL, ", ", &save)) {
            offered = true;
            for (size_t k = 0; supported[k] && pick == NULL; k++)
                if (strcmp(p, supported[k]) == 0) {
                    snprintf(buf, n, "%s", p);
                    pick = buf;
                }
        }
    }
    vec_fini(&vals);
    if (!offered) {
        buf[0] = '\0';
        return buf;
    }
    return pick;
}

static const char *
container_state(const json_t *pod, const char *name)
{
    static const char *const lists[] = {"containerStatuses", "initContainerStatuses"};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *cs;
        json_array_foreach(json_object_get(json_object_get(pod, "status"), lists[l]), i, cs)
        {
            const char *n = json_string_value(json_object_get(cs, "name"));
            if (n == NULL || strcmp(n, name) != 0)
                continue;
            json_t *state = json_object_get(cs, "state");
            if (json_object_get(state, "running") != NULL)
                return "running";
            if (json_object_get(state, "waiting") != NULL)
                return "waiting";
            if (json_object_get(state, "terminated") != NULL)
                return "terminated";
            return "unknown";
        }
    }
    return NULL;
}

static void
names_of(const json_t *list, struct strbuf *out)
{
    size_t i;
    json_t *c;
    json_array_foreach((json_t *)list, i, c)
        strbuf_appendf(out, "%s%s", i ? " " : "", json_string_value(json_object_get(c, "name")));
}

static bool
pod_has_container(const json_t *pod, const char *name)
{
    static const char *const lists[] = {"spec.containers", "spec.initContainers",
                                        "spec.ephemeralContainers"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(ksim_path_get((json_t *)pod, lists[l]), i, c)
        {
            const char *n = json_string_value(json_object_get(c, "name"));
            if (n && strcmp(n, name) == 0)
                return true;
        }
    }
    return false;
}

/* The container a request means, or NULL with stt filled, worded as the API server's
 * validateContainer (pkg/registry/core/pod/strategy.go). */
static char *
pick_container(const json_t *pod, const char *name, const char *want, struct ksim_status *stt)
{
    json_t *cs = ksim_path_get((json_t *)pod, "spec.containers");
    if (want == NULL || *want == '\0') {
        if (json_array_size(cs) == 1)
            return xstrdup(json_string_value(json_object_get(json_array_get(cs, 0), "name")));
        if (json_array_size(cs) == 0) {
            ksim_status_set(stt, 400, "BadRequest", "pod %s does not have a container", name);
            return NULL;
        }
        struct strbuf a, b;
        strbuf_init(&a);
        strbuf_init(&b);
        names_of(cs, &a);
        names_of(ksim_path_get((json_t *)pod, "spec.initContainers"), &b);
        ksim_status_set(stt, 400, "BadRequest",
                        "a container name must be specified for pod %s, choose one of: [%s]%s%s%s",
                        name, a.s, b.len ? " or one of the init containers: [" : "", b.s,
                        b.len ? "]" : "");
        strbuf_fini(&a);
        strbuf_fini(&b);
        return NULL;
    }
    if (!pod_has_container(pod, want)) {
        ksim_status_set(stt, 400, "BadRequest", "container %s is not valid for pod %s", want, name);
        return NULL;
    }
    return xstrdup(want);
}

static void
on_upgrade(void *cls, struct MHD_Connection *c, void *con_cls, const char *extra, size_t extra_len,
           MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)cls;
    (void)c;
    struct ksim_req *req = con_cls;
    struct ksim_stream *s = req ? req->stream : NULL;
    if (req != NULL)
        req->stream = NULL;
    if (s == NULL) {
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        return;
    }
    ksim_stream_spawn(s, extra, extra_len, sock, urh);
}

static enum MHD_Result
queue_upgrade(struct MHD_Connection *c, struct ksim_req *req, struct ksim_stream *s,
              const char *upgrade, const char *accept, const char *proto, const char *spdy_proto)
{
    req->stream = s;
    struct MHD_Response *r = MHD_create_response_for_upgrade(on_upgrade, NULL);
    MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, upgrade);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "Upgrade");
    if (accept != NULL)
        MHD_add_response_header(r, "Sec-WebSocket-Accept", accept);
    if (proto != NULL && *proto)
        MHD_add_response_header(r, "Sec-WebSocket-Protocol", proto);
    if (spdy_proto != NULL)
        MHD_add_response_header(r, "X-Stream-Protocol-Version", spdy_proto);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_SWITCHING_PROTOCOLS, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result
ksim_stream_reply(struct ksim_server *srv, struct MHD_Connection *c, const char *method,
                  const struct ksim_target *t, struct ksim_req *req)
{
    struct ksim_store *st = srv->st;
    enum ksim_stream_kind kind = strcmp(t->sub, "exec") == 0     ? KSIM_STREAM_EXEC
                                 : strcmp(t->sub, "attach") == 0 ? KSIM_STREAM_ATTACH
                                                                 : KSIM_STREAM_PF_WS;
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        return ksim_reply_err(c, 405, "MethodNotAllowed", "%s is not supported on pods/%s", method,
                              t->sub);
    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    json_t *pod = o ? ksim_blob_parse(o->blob) : NULL;
    pthread_mutex_unlock(&st->mu);
    if (pod == NULL)
        return ksim_reply_err(c, 404, "NotFound", "pods \"%s\" not found", t->name);

    struct ksim_status stt = {0};
    struct ksim_stream *s = xcalloc(1, sizeof *s);
    s->kind = kind;
    s->srv = srv;
    s->ns = xstrdup(t->ns);
    s->pod = xstrdup(t->name);
    s->pod_obj = pod;
    vec_init(&s->argv, free);
    vec_init(&s->ports, NULL);

    bool ws = strcasecmp(ksim_hdr(c, "Upgrade") ? ksim_hdr(c, "Upgrade") : "", "websocket") == 0 &&
              header_has_token(c, "Connection", "upgrade");
    bool spdy = !ws && ksim_hdr(c, "Upgrade") != NULL &&
                strcasecmp(ksim_hdr(c, "Upgrade"), "SPDY/3.1") == 0;
    const char *phase = json_string_value(ksim_path_get(pod, "status.phase"));
    if (ksim_path_get(pod, "spec.nodeName") == NULL) {
        ksim_status_set(&stt, 400, "BadRequest", "pod %s does not have a host assigned", t->name);
        goto fail;
    }
    if (kind != KSIM_STREAM_PF_WS) {
        s->container = pick_container(pod, t->name, ksim_qarg(c, "container"), &stt);
        if (s->container == NULL)
            goto fail;
        s->in = boolarg(c, "stdin");
        s->out = boolarg(c, "stdout");
        s->err = boolarg(c, "stderr");
        s->tty = boolarg(c, "tty");
        if (s->tty && s->err)
            s->err = false; /* no stderr with a tty: it is the same stream */
        if (kind == KSIM_STREAM_EXEC) {
            all_values(c, MHD_GET_ARGUMENT_KIND, "command", &s->argv);
            if (s->argv.n == 0) {
                ksim_status_set(&stt, 422, "Invalid",
                                "PodExecOptions \"\" is invalid: command: Required value");
                goto fail;
            }
        }
        if (!s->in && !s->out && !s->err) {
            ksim_status_set(&stt, 400, "BadRequest",
                            "you must specify at least 1 of stdin, stdout, stderr");
            goto fail;
        }
        const char *state = container_state(pod, s->container);
        /* attach replays a probe's output, also once it ended (a kubelet would refuse;
         * kubectl run would then fall back to the log) */
        bool attach_done = kind == KSIM_STREAM_ATTACH && state && strcmp(state, "terminated") == 0;
        if (!attach_done && (phase == NULL || strcmp(phase, "Running") != 0 || state == NULL ||
                             strcmp(state, "running") != 0)) {
            /* the kubelet's answer, passed on by the API server */
            ksim_status_set(&stt, 400, "BadRequest",
                            "unable to upgrade connection: container not found (\"%s\")",
                            s->container);
            goto fail;
        }
    } else {
        struct vec pv;
        vec_init(&pv, free);
        all_values(c, MHD_GET_ARGUMENT_KIND, "ports", &pv);
        for (size_t i = 0; i < pv.n; i++) {
            char *save = NULL;
            for (char *p = strtok_r(vec_at(&pv, i), ",", &save); p;
                 p = strtok_r(NULL, ",", &save)) {
                char *end;
                long port = strtol(p, &end, 10);
                if (*end != '\0' || port < 1 || port > 65535) {
                    ksim_status_set(&stt, 400, "BadRequest",
                                    "unable to parse \"%s\" as a port: must be 1-65535", p);
                    vec_fini(&pv);
                    goto fail;
                }
                vec_push(&s->ports, (void *)(intptr_t)port);
            }
        }
        vec_fini(&pv);
        if (phase == NULL || strcmp(phase, "Running") != 0) {
            ksim_status_set(&stt, 400, "BadRequest",
                            "unable to upgrade connection: pod %s is not running (phase %s)",
                            t->name, phase ? phase : "unknown");
            goto fail;
        }
    }
    pthread_mutex_lock(&st->mu);
    ksim_podnet_lookup(st, pod, &s->net);
    pthread_mutex_unlock(&st->mu);

    if (spdy) {
        /* Plain SPDY: kubectl's fallback when a WebSocket upgrade fails; port-forward only
         * (kubesim serves exec over WebSocket). */
        if (kind != KSIM_STREAM_PF_WS) {
            ksim_status_set(&stt, 400, "BadRequest",
                            "kubesim serves pods/%s over WebSocket (v5.channel.k8s.io) only, "
                            "not SPDY; use a client that speaks WebSocket (kubectl >= 1.30)",
                            t->sub);
            goto fail;
        }
        if (!header_has_token(c, "X-Stream-Protocol-Version", "portforward.k8s.io")) {
            ksim_status_set(&stt, 400, "BadRequest",
                            "unable to upgrade: unable to negotiate protocol: client supports "
                            "no protocol the server supports (portforward.k8s.io)");
            goto fail;
        }
        s->kind = KSIM_STREAM_PF_SPDY;
        s->websocket = false;
        return queue_upgrade(c, req, s, "SPDY/3.1", NULL, NULL, "portforward.k8s.io");
    }
    if (!ws) {
        ksim_status_set(&stt, 400, "BadRequest", "Upgrade request required");
        goto fail;
    }
    const char *key = ksim_hdr(c, "Sec-WebSocket-Key");
    const char *ver = ksim_hdr(c, "Sec-WebSocket-Version");
    if (key == NULL || ver == NULL || strcmp(ver, "13") != 0) {
        ksim_status_set(&stt, 400, "BadRequest",
                        "websocket: not a websocket handshake: 'Sec-WebSocket-Key' or "
                        "'Sec-WebSocket-Version: 13' missing");
        goto fail;
    }
    static const char *const exec_protos[] = {"v5.channel.k8s.io",        "v4.channel.k8s.io",
                                              "v4.base64.channel.k8s.io", "channel.k8s.io",
                                              "base64.channel.k8s.io",    NULL};
    static const char *const pf_protos[] = {"SPDY/3.1+portforward.k8s.io", "v4.channel.k8s.io",
                                            "v4.base64.channel.k8s.io", NULL};
    char pbuf[64];
    const char *proto =
        negotiate(c, kind == KSIM_STREAM_PF_WS ? pf_protos : exec_protos, pbuf, sizeof pbuf);
    if (proto == NULL) {
        ksim_status_set(&stt, 400, "BadRequest",
                        "requested protocol(s) are not supported: %s; supports [%s %s %s]",
                        ksim_hdr(c, "Sec-WebSocket-Protocol"),
                        kind == KSIM_STREAM_PF_WS ? pf_protos[0] : exec_protos[0],
                        kind == KSIM_STREAM_PF_WS ? pf_protos[1] : exec_protos[1],
                        kind == KSIM_STREAM_PF_WS ? pf_protos[2] : exec_protos[2]);
        goto fail;
    }
    s->websocket = true;
    s->base64 = strstr(proto, "base64") != NULL;
    s->proto_version = strncmp(proto, "v5.", 3) == 0 ? 5 : strncmp(proto, "v4.", 3) == 0 ? 4 : 1;
    if (kind == KSIM_STREAM_PF_WS) {
        if (strncmp(proto, "SPDY/3.1+", 9) == 0) {
            s->kind = KSIM_STREAM_PF_SPDY;
        } else if (s->ports.n == 0) {
            /* kubelet's NewV4Options: WebSocket port-forward names its ports up front */
            ksim_status_set(&stt, 400, "BadRequest", "query parameter \"port\" is required");
            goto fail;
        }
    }
    char accept[64];
    ksim_ws_accept_key(key, accept, sizeof accept);
    return queue_upgrade(c, req, s, "websocket", accept, proto, NULL);
fail:
    ksim_stream_free(s);
    return ksim_reply_status(c, &stt, 0);
}

/* ---- the thread that serves one upgraded connection ---- */

struct stream_run {
    struct ksim_stream *s;
    char *extra;
    size_t extra_len;
    int fd;
    struct MHD_UpgradeResponseHandle *urh;
};

static void
ignore_msg(struct ksim_ws *ws, int opcode, const uint8_t *msg, size_t len, void *arg)
{
    (void)ws, (void)opcode, (void)msg, (void)len, (void)arg;
}

static void *
stream_main(void *arg)
{
    struct stream_run *r = arg;
    struct ksim_stream *s = r->s;
    struct ksim_server *srv = s->srv;
    if (s->kind == KSIM_STREAM_PF_SPDY && !s->websocket) {
        ksim_pf_spdy_run(s, NULL, r->fd, r->extra, r->extra_len);
    } else {
        struct ksim_ws *ws = ksim_ws_new(r->fd, r->extra, r->extra_len, ignore_msg, NULL);
        if (ws != NULL) {
            switch (s->kind) {
            case KSIM_STREAM_EXEC:
            case KSIM_STREAM_ATTACH:
                ksim_exec_run(s, ws);
                break;
            case KSIM_STREAM_PF_WS:
                ksim_pf_ws_run(s, ws);
                break;
            case KSIM_STREAM_PF_SPDY:
                ksim_pf_spdy_run(s, ws, r->fd, NULL, 0);
                break;
            }
            ksim_ws_finish(ws, 2000);
            ksim_ws_free(ws);
        }
    }
    MHD_upgrade_action(r->urh, MHD_UPGRADE_ACTION_CLOSE);
    ksim_stream_free(s);
    free(r->extra);
    free(r);
    pthread_mutex_lock(&srv->st->mu);
    srv->n_streams--;
    pthread_cond_broadcast(&srv->st->cond);
    pthread_mutex_unlock(&srv->st->mu);
    return NULL;
}

void
ksim_stream_spawn(struct ksim_stream *s, const char *extra, size_t extra_len, int fd,
                  struct MHD_UpgradeResponseHandle *urh)
{
    struct stream_run *r = xcalloc(1, sizeof *r);
    r->s = s;
    r->fd = fd;
    r->urh = urh;
    if (extra_len > 0) {
        r->extra = xmalloc(extra_len);
        memcpy(r->extra, extra, extra_len);
        r->extra_len = extra_len;
    }
    pthread_mutex_lock(&s->srv->st->mu);
    s->srv->n_streams++;
    pthread_mutex_unlock(&s->srv->st->mu);
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, stream_main, r) != 0) {
        fprintf(stderr, "kubesim: cannot start a thread for pods/%s/%s\n", s->pod,
                s->kind == KSIM_STREAM_EXEC ? "exec" : "portforward");
        pthread_mutex_lock(&s->srv->st->mu);
        s->srv->n_streams--;
        pthread_mutex_unlock(&s->srv->st->mu);
        MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
        ksim_stream_free(s);
        free(r->extra);
        free(r);
    }
    pthread_attr_destroy(&attr);
}
