/* kube_pf: the port-forward protocol on top of kube_ws. The framing rules (channels, the port
 * announcement) are kube_wsproto.c's kube_pf_demux; this file wires them to a stream: it
 * offers v4.channel.k8s.io (and accepts a 101 without a subprotocol, which the kubelet's
 * handler treats as the same binary protocol), sends the client's bytes on data channel 0,
 * and turns text on error channel 1 into the connection's error in words. It deliberately
 * handles one port per stream: one TCP connection of the relay is one stream. */
#include "kube/kube_pf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"
#include "kube/kube_ws.h"
#include "kube/kube_wsproto.h"

#define ERRTEXT_MAX 1024

struct kube_pf {
    struct kube_owned own; /* on the client: dropped if it is freed first */
    struct kube_client *kc;
    struct kube_ws *ws;
    struct kube_pf_demux dx;
    char *ns, *pod;
    struct strbuf errtext; /* what the error channel said, "" nothing */
    struct pxerr perr;     /* a protocol violation by the server */
    bool bad;
    kube_pf_ready_cb *on_ready;
    kube_pf_data_cb *on_data;
    kube_pf_drain_cb *on_drain;
    kube_pf_end_cb *on_end;
    void *arg;
    bool ready_told;
};

static void
pf_free(struct kube_pf *pf)
{
    kube__disown(pf->kc, &pf->own);
    free(pf->ns);
    free(pf->pod);
    strbuf_fini(&pf->errtext);
    free(pf);
}

static void
on_ws_msg(struct kube_ws *ws, const uint8_t *data, size_t len, void *arg)
{
    struct kube_pf *pf = arg;
    if (pf->bad)
        return;
    const uint8_t *p;
    size_t n;
    int kind = kube_pf_demux_feed(&pf->dx, data, len, &p, &n, &pf->perr);
    if (kind < 0) {
        pf->bad = true;
        kube_ws_close(ws);
        return;
    }
    if (!pf->ready_told && pf->dx.data_port && pf->dx.error_port) {
        pf->ready_told = true;
        if (pf->on_ready)
            pf->on_ready(pf, pf->arg);
    }
    if (kind == KUBE_PF_DATA && n > 0)
        pf->on_data(pf, p, n, pf->arg);
    else if (kind == KUBE_PF_ERROR && n > 0 && pf->errtext.len < ERRTEXT_MAX)
        strbuf_appendn(&pf->errtext, (const char *)p,
                       n < ERRTEXT_MAX - pf->errtext.len ? n : ERRTEXT_MAX - pf->errtext.len);
}

static void
on_ws_drain(struct kube_ws *ws, void *arg)
{
    struct kube_pf *pf = arg;
    (void)ws;
    if (pf->on_drain)
        pf->on_drain(pf, pf->arg);
}

/* The container runtime wraps its dial error in the sandbox's id and network namespace
 * ("error forwarding port 3306 to pod 0123...ef, uid : failed to execute portforward in
 * network namespace \"/var/run/netns/cni-...\": failed to connect to localhost:3306 inside
 * namespace \"...\", IPv4: dial tcp4 127.0.0.1:3306: connect: connection refused IPv6 dial
 * tcp6 [::1]:3306: ..."); keep the IPv4 dial, which says what failed. NUL-terminates text
 * where the kept part ends. */
static const char *
dial_reason(char *text)
{
    char *p = strstr(text, "dial tcp4 ");
    if (p == NULL)
        p = strstr(text, "dial tcp");
    if (p == NULL)
        return text;
    char *v6 = strstr(p, " IPv6");
    if (v6 != NULL)
        *v6 = '\0';
    return p;
}

static void
on_ws_end(struct kube_ws *ws, int status, const struct pxerr *err, void *arg)
{
    struct kube_pf *pf = arg;
    (void)ws;
    struct pxerr e = {0};
    if (pf->bad) {
        status = pxerr_set(&e, PXE_PARSE, "port-forward to pod %s/%s port %d: %s", pf->ns, pf->pod,
                           pf->dx.port, pf->perr.msg);
    } else if (pf->errtext.len > 0) {
        /* The kubelet reports a failed dial (or copy) on the error channel, then closes
         * normally: the connection failed all the same. */
        while (pf->errtext.len > 0 && (pf->errtext.s[pf->errtext.len - 1] == '\n' ||
                                       pf->errtext.s[pf->errtext.len - 1] == ' '))
            pf->errtext.s[--pf->errtext.len] = '\0';
        const char *why = dial_reason(pf->errtext.s);
        status =
            pxerr_set(&e, PXE_CONN, "port-forward to pod %s/%s port %d failed%s: %s", pf->ns,
                      pf->pod, pf->dx.port, why != pf->errtext.s ? " (the pod's side)" : "", why);
    } else if (status != 0) {
        e = *err;
    }
    pf->on_end(pf, status, &e, pf->arg);
    pf_free(pf);
}

/* The client is being freed: go without a callback. */
static void
pf_drop(struct kube_owned *o)
{
    struct kube_pf *pf = (struct kube_pf *)((char *)o - offsetof(struct kube_pf, own));
    kube_ws_abort(pf->ws);
    pf_free(pf);
}

int
kube_pf_open(struct kube_client *kc, const struct kube_pf_opts *o, struct kube_pf **out,
             struct pxerr *err)
{
    if (o->ns == NULL || o->pod == NULL || o->port < 1 || o->port > 65535 || o->on_data == NULL ||
        o->on_end == NULL)
        return pxerr_set(err, PXE_INVAL,
                         "kube_pf_open: namespace, pod, port 1-65535, on_data "
                         "and on_end are needed");
    /* Names go into the path: checked first, as every other request checks them. */
    if (kube_name_check_ns(o->ns, err) < 0 || kube_name_check(o->pod, err) < 0)
        return PXE_INVAL;
    struct kube_pf *pf = xcalloc(1, sizeof *pf);
    pf->kc = kc;
    pf->dx.port = o->port;
    pf->ns = xstrdup(o->ns);
    pf->pod = xstrdup(o->pod);
    strbuf_init(&pf->errtext);
    pf->on_ready = o->on_ready;
    pf->on_data = o->on_data;
    pf->on_drain = o->on_drain;
    pf->on_end = o->on_end;
    pf->arg = o->arg;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_append(&path, "/api/v1/namespaces/");
    kube__name_append(&path, o->ns);
    strbuf_append(&path, "/pods/");
    kube__name_append(&path, o->pod);
    strbuf_appendf(&path, "/portforward?ports=%d", o->port);
    static const char *const protos[] = {"v4.channel.k8s.io", NULL};
    struct kube_ws_opts wo = {
        .path = path.s,
        .protocols = protos,
        .allow_no_protocol = true,
        .resource = "pods/portforward",
        .ns = o->ns,
        .pod = o->pod,
        .open_timeout_ms = o->open_timeout_ms,
        .on_msg = on_ws_msg,
        .on_drain = on_ws_drain,
        .on_end = on_ws_end,
        .arg = pf,
    };
    int rc = kube_ws_open(kc, &wo, &pf->ws, err);
    strbuf_fini(&path);
    if (rc < 0) {
        pf_free(pf);
        return rc;
    }
    kube__own(kc, &pf->own, pf_drop);
    if (out)
        *out = pf;
    return 0;
}

int
kube_pf_write(struct kube_pf *pf, const void *data, size_t len, struct pxerr *err)
{
    return kube_ws_send(pf->ws, 0, data, len, err);
}

size_t
kube_pf_queued(const struct kube_pf *pf)
{
    return kube_ws_queued(pf->ws);
}

void
kube_pf_pause(struct kube_pf *pf, bool paused)
{
    kube_ws_pause(pf->ws, paused);
}

void
kube_pf_close(struct kube_pf *pf)
{
    kube_ws_close(pf->ws);
}

void
kube_pf_abort(struct kube_pf *pf)
{
    if (pf == NULL)
        return;
    kube_ws_abort(pf->ws);
    pf_free(pf);
}
