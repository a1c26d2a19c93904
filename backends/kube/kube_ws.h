/* kube_ws: one WebSocket to a cluster's API server, on the libuv loop, for the pods' connect
 * subresources (portforward, exec, attach). It uses the client's credentials exactly as every
 * other request does: the kubeconfig's CA or insecure-skip-tls-verify, tls-server-name,
 * proxy-url, the client certificate (curl does TCP, the proxy tunnel and TLS), and the bearer
 * token, token file, basic auth or exec plugin (written into the upgrade request). A 401 is
 * retried once with a renewed credential, as kube_call.c does; any other refusal of the
 * upgrade ends the stream with its words (kube_wsproto_refusal: 403 names the RBAC verb, 404
 * the pod gone, 400 the server's reason).
 *
 * After the 101 it carries binary messages (framing by wslay, RFC 6455) until either side
 * closes. Higher layers give the messages their meaning: kube_pf.c (port-forward), kube_exec.c.
 *
 * Threads: loop thread only. Every callback runs on the loop. */
#ifndef PXC_BACKENDS_KUBE_KUBE_WS_H
#define PXC_BACKENDS_KUBE_KUBE_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pxerr.h"
#include "kube/kube.h"

#define KUBE_WS_MAX_MSG_DEFAULT (16u << 20) /* a larger message ends the stream (1009) */
#define KUBE_WS_HIGH_WATER (1u << 20)       /* queued bytes above which a producer should pause */
#define KUBE_WS_LOW_WATER (256u << 10)      /* on_drain fires when the queue falls below this */

struct kube_ws; /* borrowed until on_end returns or kube_ws_abort */

/* The upgrade succeeded; protocol (borrowed for the call) is the subprotocol chosen, "" none. */
typedef void kube_ws_open_cb(struct kube_ws *ws, const char *protocol, void *arg);
/* One whole message (binary or text) from the server; data borrowed for the call. */
typedef void kube_ws_msg_cb(struct kube_ws *ws, const uint8_t *data, size_t len, void *arg);
/* The queue fell below KUBE_WS_LOW_WATER after it had been above KUBE_WS_HIGH_WATER. */
typedef void kube_ws_drain_cb(struct kube_ws *ws, void *arg);
/* The stream is over, exactly once per kube_ws_open that returned 0 (unless aborted): status
 * 0 when it was closed with 1000 (normal) or 1005 by either side; otherwise a PXE_* code and
 * err (borrowed for the call) in words: the connection failed (PXE_CONN, PXE_TLS, PXE_DNS),
 * the upgrade was refused (PXE_AUTH, PXE_FORBIDDEN, PXE_NOTFOUND, PXE_HTTP), timed out
 * (PXE_TIMEOUT), the server broke the framing (PXE_PARSE: closed with 1002) or closed with
 * another code or without a close (PXE_CONN). ws is freed after the call. */
typedef void kube_ws_end_cb(struct kube_ws *ws, int status, const struct pxerr *err, void *arg);

struct kube_ws_opts {
    const char *path;             /* "/api/v1/namespaces/pxc/pods/p/portforward?ports=3306",
                                     query encoded; copied */
    const char *const *protocols; /* subprotocols offered, in order (NULL-terminated) */
    bool allow_no_protocol;       /* accept a 101 that names no subprotocol */
    const char *resource;         /* "pods/portforward", for the words of a refusal */
    const char *ns, *pod;         /* for the words; copied */
    int open_timeout_ms;          /* connect, TLS and the upgrade; 0: the client's request
                                     timeout */
    size_t max_msg;               /* largest message accepted; 0: KUBE_WS_MAX_MSG_DEFAULT */
    kube_ws_open_cb *on_open;     /* may be NULL */
    kube_ws_msg_cb *on_msg;       /* required */
    kube_ws_drain_cb *on_drain;   /* may be NULL */
    kube_ws_end_cb *on_end;       /* required */
    void *arg;
};

/* Start the stream: waits for an exec plugin's credential if needed, connects, upgrades. On
 * success *out (may be NULL) is borrowed until on_end returns or kube_ws_abort; no callback
 * runs before this returns. <0 with err only for bad options or a stopped client. */
int kube_ws_open(struct kube_client *kc, const struct kube_ws_opts *o, struct kube_ws **out,
                 struct pxerr *err) PXC_MUST_CHECK;

/* Queue one binary message: the channel byte ch, then len bytes of data (borrowed, copied).
 * Before on_open the message waits for the upgrade. PXE_CANCELLED once the stream is closing. */
int kube_ws_send(struct kube_ws *ws, uint8_t ch, const void *data, size_t len,
                 struct pxerr *err) PXC_MUST_CHECK;
/* Bytes queued and not yet written (back-pressure: pause the producer above
 * KUBE_WS_HIGH_WATER, resume in on_drain). */
size_t kube_ws_queued(const struct kube_ws *ws);
/* Stop (true) or resume reading from the server (back-pressure toward the server). */
void kube_ws_pause(struct kube_ws *ws, bool paused);
/* Close normally (1000) once what is queued is written; on_end follows when the server has
 * answered the close, or after a short grace period. Before the upgrade is done, the
 * attempt is dropped and on_end follows on the next loop turn with PXE_CANCELLED. */
void kube_ws_close(struct kube_ws *ws);
/* Drop the stream now: no callback runs after this and ws is invalid. NULL does nothing. */
void kube_ws_abort(struct kube_ws *ws);

/* The subprotocol chosen ("" none or not open yet); borrowed while ws is. */
const char *kube_ws_protocol(const struct kube_ws *ws);
/* Bytes of messages received and sent so far (stats, tests). */
uint64_t kube_ws_bytes_in(const struct kube_ws *ws);
uint64_t kube_ws_bytes_out(const struct kube_ws *ws);

#endif
