/* kube_relay: a local TCP port that reaches one pod's port through the API server, what
 * `kubectl port-forward pod/P :3306` gives, inside pxcmesh. It listens on 127.0.0.1 (a port
 * the system picks) and opens one port-forward stream (kube_pf.h) per accepted connection,
 * naming the pod afresh each time, so a re-created pod is reached by the next connection.
 * Bytes are relayed both ways with back-pressure (a slow side pauses the other); a stream
 * that fails closes its local connection, and the failure in words stays readable as the
 * relay's error until a later stream succeeds, so that the caller can tell why a client that
 * connected here lost its connection (an RBAC refusal, the pod gone, the dial refused).
 *
 * Threads: loop thread only. */
#ifndef PXC_BACKENDS_KUBE_KUBE_RELAY_H
#define PXC_BACKENDS_KUBE_KUBE_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"
#include "kube/kube.h"

struct kube_relay; /* owned: kube_relay_free */

/* A stream of the relay failed; msg (borrowed for the call) is its error in words, code its
 * PXE_*. The client's connection has been closed. */
typedef void kube_relay_error_cb(struct kube_relay *r, int code, const char *msg, void *arg);

struct kube_relay_opts {
    const char *ns, *pod;          /* required; copied */
    int port;                      /* the pod's port */
    int local_port;                /* 0: any free port (the default); else this one */
    int open_timeout_ms;           /* per stream; 0: the client's request timeout */
    kube_relay_error_cb *on_error; /* may be NULL */
    void *arg;
};

/* Listen and relay. kc is borrowed and must outlive the relay (free the relay first). *out
 * owned. Fails (PXE_CONN) when the local port cannot be bound. */
int kube_relay_start(struct kube_client *kc, const struct kube_relay_opts *o,
                     struct kube_relay **out, struct pxerr *err) PXC_MUST_CHECK;
/* Close the listener and every relayed connection at once (no callbacks exist). The memory is
 * released from the handles' close callbacks: run the loop afterwards. NULL does nothing. */
void kube_relay_free(struct kube_relay *r);

/* The local port clients connect to (127.0.0.1). */
int kube_relay_port(const struct kube_relay *r);

struct kube_relay_stats {
    uint64_t n_accepted; /* connections accepted */
    uint64_t n_failed;   /* streams that ended in an error */
    int n_open;          /* connections being relayed now */
    uint64_t bytes_to_pod, bytes_from_pod;
    int64_t last_ok_ms;    /* mono ms when a stream last delivered the pod's bytes, 0 never */
    int64_t last_error_ms; /* mono ms of the last stream error, 0 never */
};
void kube_relay_stats(const struct kube_relay *r, struct kube_relay_stats *out);

/* The last stream's error in words when no stream has delivered the pod's bytes since, ""
 * otherwise; *code (may be NULL) gets its PXE_* (0: none). Borrowed until the next loop turn. */
const char *kube_relay_error(const struct kube_relay *r, int *code);

#endif
