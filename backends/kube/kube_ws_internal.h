/* kube_ws_internal: what kube_ws.c (a stream's life: connect, upgrade, teardown) and
 * kube_ws_frames.c (its frames after the 101) share, and nobody else sees. Loop thread. */
#ifndef PXC_BACKENDS_KUBE_KUBE_WS_INTERNAL_H
#define PXC_BACKENDS_KUBE_KUBE_WS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>
#include <wslay/wslay.h>

#include "strbuf.h"
#include "kube/http.h"
#include "kube/kube_ws.h"
#include "kube/kube_wsproto.h"

#define OBUF_CAP ((16u << 10) + 16) /* a frame header and the start of its payload */

enum ws_state {
    ST_CRED,      /* waiting for the exec plugin's credential */
    ST_CONNECT,   /* curl connects (TCP, proxy, TLS) */
    ST_SEND_REQ,  /* writing the upgrade request */
    ST_READ_HEAD, /* reading the answer's head */
    ST_READ_BODY, /* a refusal: reading its Status body */
    ST_OPEN,      /* frames */
    ST_DONE,
};

struct ws_poll {
    uv_poll_t h;        /* first: the handle's address is the struct's */
    struct kube_ws *ws; /* NULL once closing */
};

struct kube_ws {
    struct kube_client *kc; /* NULL once torn down */
    struct kube_ws *prev, *next;
    uv_loop_t *loop;
    char *path, *resource, *ns, *pod, *url;
    char **protocols; /* NULL-terminated copy */
    bool allow_none;
    int open_timeout_ms;
    size_t max_msg;
    kube_ws_open_cb *on_open;
    kube_ws_msg_cb *on_msg;
    kube_ws_drain_cb *on_drain;
    kube_ws_end_cb *on_end;
    void *arg;

    enum ws_state st;
    struct http *http;    /* this stream's own multi */
    struct http_req *req; /* the connection, NULL between attempts */
    struct ws_poll *poll; /* on the connection's socket, NULL none */
    int poll_events;
    uv_timer_t timer; /* open deadline, then the close grace */
    uv_timer_t kick;  /* zero timer: read after a resume, and the teardown */
    int n_handles;
    char key[KUBE_WS_KEY_LEN + 1];
    struct strbuf out; /* the upgrade request (holds the credential: zeroed) */
    size_t out_off;
    struct strbuf in; /* the answer's head and a refusal's body */
    struct kube_ws_head head;
    uint8_t *obuf;     /* bytes accepted from wslay and not yet written, OBUF_CAP */
    size_t olen, ooff; /* obuf[ooff..olen) waits for the socket */
    size_t held;       /* obuf[0..held) is a frame header held for its payload */
    uint8_t *pre;      /* frame bytes that came with the head */
    size_t pre_len, pre_off;
    wslay_event_context_ptr ctx;
    char protocol[64];
    bool retried; /* after a 401 */
    bool paused;
    bool eof;
    bool io_failed;
    struct pxerr ioerr;
    bool bad_frame; /* wslay refused the server's framing and queued a close */
    bool we_closed;
    bool above_high;
    uint16_t peer_code;
    char peer_reason[124];
    bool early_close; /* kube_ws_close before the upgrade: on_end on the next turn */
    bool dead;        /* no callback any more; teardown pending or done */
    bool teardown_started;
    bool in_http; /* inside its http's connect callback */
    int in_io;
    uint64_t bytes_in, bytes_out;
};

/* kube_ws.c */
/* "pods/portforward of pod NS/NAME", for messages. */
void kube__ws_what(const struct kube_ws *ws, char *buf, size_t n);
/* The stream is over: on_end once (unless aborted), then the teardown on the next turn. */
void kube__ws_end(struct kube_ws *ws, int status, const struct pxerr *err);
void kube__ws_fail(struct kube_ws *ws, int code, const char *fmt, ...) PXC_PRINTF(3, 4);

/* kube_ws_frames.c */
extern const struct wslay_event_callbacks kube__ws_cbs;
/* Move frames both ways as far as the socket lets (events: UV_READABLE, UV_WRITABLE), then
 * end the stream if it is over. ws may be dead afterwards. */
void kube__ws_open_io(struct kube_ws *ws, int events);

#endif
