/* kube_pf: one forwarded TCP connection to a pod's port through the API server
 * (pods/NAME/portforward?ports=P over WebSocket, subprotocol v4.channel.k8s.io, as the API
 * server serves it to non-SPDY clients such as the official Python client). The pod is
 * named, not addressed: every kube_pf_open asks the API server afresh, so a re-created pod
 * is reached by the next stream without anything to restart.
 *
 * Threads: loop thread only; every callback runs on the loop. */
#ifndef PXC_BACKENDS_KUBE_KUBE_PF_H
#define PXC_BACKENDS_KUBE_KUBE_PF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pxerr.h"
#include "kube/kube.h"

struct kube_pf; /* borrowed until on_end returns or kube_pf_abort */

/* The server announced the port on both channels: the pod's side is being dialled. */
typedef void kube_pf_ready_cb(struct kube_pf *pf, void *arg);
/* Bytes from the pod's port; data borrowed for the call. */
typedef void kube_pf_data_cb(struct kube_pf *pf, const uint8_t *data, size_t len, void *arg);
/* The queue toward the pod fell below KUBE_WS_LOW_WATER (kube_ws.h) after it was above
 * KUBE_WS_HIGH_WATER: the producer may go on. */
typedef void kube_pf_drain_cb(struct kube_pf *pf, void *arg);
/* Over, exactly once unless aborted: status 0 when the pod's side ended the connection (or
 * kube_pf_close finished); else PXE_* and err (borrowed for the call) in words: the upgrade
 * refused (PXE_FORBIDDEN "forbidden: cannot create pods/portforward in namespace pxc (the
 * RBAC verb 'create' on 'pods/portforward' is needed)", PXE_NOTFOUND the pod gone, PXE_HTTP
 * the pod not running), the error channel's text (PXE_CONN "port-forward to pod pxc/p port
 * 3306 failed: error forwarding port 3306 to pod ...: connection refused"), the stream
 * broken (kube_ws.h). pf is freed after the call. */
typedef void kube_pf_end_cb(struct kube_pf *pf, int status, const struct pxerr *err, void *arg);

struct kube_pf_opts {
    const char *ns, *pod;       /* required; copied */
    int port;                   /* the pod's port, 1..65535 */
    int open_timeout_ms;        /* connect, TLS, upgrade; 0: the client's request timeout */
    kube_pf_ready_cb *on_ready; /* may be NULL */
    kube_pf_data_cb *on_data;   /* required */
    kube_pf_drain_cb *on_drain; /* may be NULL */
    kube_pf_end_cb *on_end;     /* required */
    void *arg;
};

/* Open the stream. *out (may be NULL) borrowed as above; no callback before this returns.
 * <0 with err only for bad options or a stopped client. */
int kube_pf_open(struct kube_client *kc, const struct kube_pf_opts *o, struct kube_pf **out,
                 struct pxerr *err) PXC_MUST_CHECK;
/* Send len bytes (borrowed, copied) to the pod's port; queued until the upgrade is done. */
int kube_pf_write(struct kube_pf *pf, const void *data, size_t len,
                  struct pxerr *err) PXC_MUST_CHECK;
size_t kube_pf_queued(const struct kube_pf *pf);
/* Stop (true) or resume delivering the pod's bytes. */
void kube_pf_pause(struct kube_pf *pf, bool paused);
/* End the connection once what is queued is written (the client closed its side); on_end
 * follows (PXE_CANCELLED when the upgrade was not done yet). */
void kube_pf_close(struct kube_pf *pf);
/* Drop it now; no callback afterwards. NULL does nothing. */
void kube_pf_abort(struct kube_pf *pf);

#endif
