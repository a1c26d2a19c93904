/* kube_wsproto: the Kubernetes streaming protocols as pure functions, apart from any I/O, so
 * that each rule is tested by a table (tests/unit/backends/test_kube_wsproto.c):
 *
 * - the WebSocket opening handshake of RFC 6455 4.1/4.2 as an API server answers it: the
 *   request a client sends, the response head (status, Upgrade, Connection,
 *   Sec-WebSocket-Accept, the subprotocol chosen), and a refused upgrade in words;
 * - the channel protocols carried in binary messages, each message starting with its
 *   channel byte (k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go):
 *   port-forward v4.channel.k8s.io, and exec/attach v4/v5.channel.k8s.io with the status
 *   channel's metav1.Status (the exit code).
 *
 * Any thread; nothing here allocates except where a function says so. */
#ifndef PXC_BACKENDS_KUBE_KUBE_WSPROTO_H
#define PXC_BACKENDS_KUBE_KUBE_WSPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pxerr.h"
#include "strbuf.h"

#define KUBE_WS_KEY_LEN 24           /* base64 of 16 random bytes */
#define KUBE_WS_ACCEPT_LEN 28        /* base64 of a SHA-1 digest */
#define KUBE_WS_HEAD_MAX (16u << 10) /* a response head longer than this is refused */

/* Sec-WebSocket-Accept for key (RFC 6455 4.2.2: base64(SHA-1(key + GUID))) into out. */
void kube_wsproto_accept(const char *key, char out[KUBE_WS_ACCEPT_LEN + 1]);

/* Authentication written into the upgrade request (curl does TLS and client certificates;
 * the headers are ours on a raw connection). All borrowed, NULL: unused. */
struct kube_ws_auth {
    const char *bearer_token; /* secret */
    const char *username;     /* basic */
    const char *password;     /* secret */
};

/* Append the upgrade request: GET path, Host host (the server URL's host[:port]), the key,
 * the subprotocols offered in order (NULL-terminated, may be NULL), the credential.
 * out holds a secret afterwards: zero it (explicit_bzero) before strbuf_fini. */
void kube_wsproto_request(struct strbuf *out, const char *host, const char *path, const char *key,
                          const char *const *protocols, const struct kube_ws_auth *auth);

/* The response head as parsed. Strings are NUL-terminated copies, cut to their buffers. */
struct kube_ws_head {
    int code;                /* HTTP status code */
    size_t head_len;         /* bytes up to and including the blank line */
    bool upgrade_websocket;  /* Upgrade: websocket */
    bool connection_upgrade; /* Connection: ... upgrade ... */
    char accept[64];         /* Sec-WebSocket-Accept, "" none */
    char protocol[64];       /* Sec-WebSocket-Protocol chosen, "" none */
    long content_length;     /* -1: none */
    bool chunked;            /* Transfer-Encoding: chunked */
    char content_type[64];
};

/* Parse the response head at the start of buf (len bytes, not NUL-terminated). Returns 0
 * when the blank line has not arrived yet (read more), 1 with *h filled, or <0 with err
 * filled: not HTTP, a bad status line, or a head over KUBE_WS_HEAD_MAX. */
int kube_wsproto_head(const char *buf, size_t len, struct kube_ws_head *h, struct pxerr *err);

/* Check a 101 against the request: Upgrade and Connection, the accept value for key, and a
 * subprotocol among those offered (or none when allow_none). 0, or PXE_HTTP with err in words
 * naming url. */
int kube_wsproto_check_101(const struct kube_ws_head *h, const char *key,
                           const char *const *protocols, bool allow_none, const char *url,
                           struct pxerr *err) PXC_MUST_CHECK;

/* What a refused upgrade is about, for its words. All borrowed. */
struct kube_ws_what {
    const char *resource; /* "pods/portforward", "pods/exec", "pods/log" */
    const char *ns;
    const char *pod;
    const char *server; /* the API server URL */
    const char *user;   /* the kubeconfig user, NULL: unknown */
};

/* A non-101 answer in words, from its code and body (the Status, or text; body_len bytes,
 * may be 0). Returns and sets err's code: PXE_AUTH (401), PXE_FORBIDDEN (403, naming the RBAC
 * verb 'create' on the resource), PXE_NOTFOUND (404: the pod is gone), PXE_HTTP (400: the pod
 * or container is not running, with the server's message; any other code). */
int kube_wsproto_refusal(long code, const char *body, size_t body_len, const struct kube_ws_what *w,
                         struct pxerr *err);

/* ---- port-forward, v4.channel.k8s.io ----
 * The kubelet's WebSocket handler (pkg/kubelet/cri/streaming/portforward/websocket.go,
 * handleWebSocketStreams) gives port i of ?ports= the data channel 2i and the error channel
 * 2i+1; before anything else it writes the port, 2 bytes little-endian, as the first message
 * on each of the two channels. The client sends [channel 2i] + bytes and no port prefix. One
 * port per WebSocket here. */
enum kube_pf_kind {
    KUBE_PF_PORT,  /* the port announcement on a channel: nothing to deliver */
    KUBE_PF_DATA,  /* bytes of the forwarded connection */
    KUBE_PF_ERROR, /* text on the error channel: the forward failed (e.g. the dial) */
};

struct kube_pf_demux {
    int port;        /* the port asked for */
    bool data_port;  /* its announcement arrived on the data channel */
    bool error_port; /* ... and on the error channel */
};

/* One binary message (borrowed). Returns its kind with *payload and *plen pointing into msg
 * (after the channel byte and, on an announcement, the port), or <0 with err in words: an
 * empty message, a channel other than 0 and 1, data before the port announcement, a port
 * other than d->port. */
int kube_pf_demux_feed(struct kube_pf_demux *d, const uint8_t *msg, size_t len,
                       const uint8_t **payload, size_t *plen, struct pxerr *err);

/* ---- exec and attach, v4/v5.channel.k8s.io ----
 * Channels (k8s.io/apimachinery/pkg/util/remotecommand/constants.go, and the kubelet's
 * pkg/kubelet/cri/streaming/remotecommand/websocket.go): 0 stdin, 1 stdout, 2 stderr, 3 the
 * error channel (a metav1.Status in v4 and v5), 4 resize; v5 adds 255, the close signal of a
 * client stream ([255, 0] closes stdin). */
enum {
    KUBE_EXEC_STDIN = 0,
    KUBE_EXEC_STDOUT = 1,
    KUBE_EXEC_STDERR = 2,
    KUBE_EXEC_STATUS = 3,
    KUBE_EXEC_RESIZE = 4,
    KUBE_EXEC_CLOSE = 255,
};

/* The outcome in the status channel's metav1.Status (json, len bytes, borrowed): 0 with
 * *exit_code 0 for Success; 0 with the code of the ExitCode cause for a NonZeroExitCode
 * Failure; PXE_HTTP with err holding the Status message for any other Failure (the command
 * did not run: an executable missing from the image, a container gone); PXE_PARSE when it is
 * not a Status. msg (may be NULL) gets the Status message in every case. */
int kube_exec_status_parse(const char *json, size_t len, int *exit_code, char *msg, size_t msg_n,
                           struct pxerr *err);

#endif
