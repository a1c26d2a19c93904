/* kube_ws_frames: a stream after its 101, where wslay's frames meet the connection curl made.
 * The I/O callbacks wslay calls (reads through the TLS curl keeps; writes with a frame's
 * header held back so that header and payload go out as one TLS record), and the settling
 * of a stream once the frames have moved: a close answered, the server gone without one, a
 * framing error wslay refused. The stream's life (connect, upgrade, teardown) is kube_ws.c's. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <wslay/wslay.h>

#include "xmalloc.h"
#include "kube/kube_ws_internal.h"

/* Acknowledge at once what was just read. A server that writes a frame's header and payload
 * in two segments without TCP_NODELAY (Nagle's algorithm) holds the payload until the header
 * is acknowledged, and Linux delays that ACK by up to 40 ms: 40 ms per message of a
 * request/response protocol such as MySQL's. TCP_QUICKACK is not sticky: set it after each
 * read. Best effort (not TCP, or not Linux: nothing happens). */
static void
quickack(struct kube_ws *ws)
{
#ifdef TCP_QUICKACK
    int fd = ws->req ? http_conn_socket(ws->req) : -1;
    int one = 1;
    if (fd >= 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
#else
    (void)ws;
#endif
}

static ssize_t
wsl_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    struct kube_ws *ws = user;
    (void)flags;
    if (ws->paused || ws->dead) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (ws->pre_off < ws->pre_len) {
        size_t n = ws->pre_len - ws->pre_off;
        if (n > len)
            n = len;
        memcpy(buf, ws->pre + ws->pre_off, n);
        ws->pre_off += n;
        return (ssize_t)n;
    }
    size_t got = 0;
    int rc = http_conn_recv(ws->req, buf, len, &got, &ws->ioerr);
    if (rc == HTTP_AGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (rc < 0 || got == 0) {
        if (rc < 0)
            ws->io_failed = true;
        else
            ws->eof = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    quickack(ws);
    return (ssize_t)got;
}

/* Write what waits in obuf: 0 all of it, 1 the socket would block, -1 broken (ioerr). */
static int
out_flush(struct kube_ws *ws)
{
    while (ws->ooff < ws->olen) {
        size_t sent = 0;
        int rc =
            http_conn_send(ws->req, ws->obuf + ws->ooff, ws->olen - ws->ooff, &sent, &ws->ioerr);
        if (rc == HTTP_AGAIN)
            return 1;
        if (rc < 0) {
            ws->io_failed = true;
            return -1;
        }
        ws->ooff += sent;
    }
    ws->ooff = ws->olen = 0;
    return 0;
}

/* wslay hands a frame over as its header (flagged WSLAY_MSG_MORE) and then its payload. Each
 * curl_easy_send is one TLS record and, with TCP_NODELAY, one segment: the header is held
 * back and written together with its payload, one record per frame. */
static ssize_t
wsl_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    struct kube_ws *ws = user;
    if (ws->req == NULL || ws->st != ST_OPEN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (ws->held > 0) {
        size_t n = len < OBUF_CAP - ws->held ? len : OBUF_CAP - ws->held;
        memcpy(ws->obuf + ws->held, data, n);
        ws->olen = ws->held + n;
        ws->ooff = 0;
        ws->held = 0;
        if (out_flush(ws) < 0) { /* what the socket did not take now is written later */
            wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
            return -1;
        }
        return (ssize_t)n;
    }
    int fr = out_flush(ws);
    if (fr != 0) {
        wslay_event_set_error(ctx, fr > 0 ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    if ((flags & WSLAY_MSG_MORE) && len <= 64) {
        if (ws->obuf == NULL)
            ws->obuf = xmalloc(OBUF_CAP);
        memcpy(ws->obuf, data, len);
        ws->held = len;
        return (ssize_t)len;
    }
    size_t sent = 0;
    int rc = http_conn_send(ws->req, data, len, &sent, &ws->ioerr);
    if (rc == HTTP_AGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (rc < 0) {
        ws->io_failed = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)sent;
}

static int
wsl_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    (void)user;
    size_t off = 0;
    while (off < len) {
        ssize_t n = getrandom(buf + off, len - off, 0);
        if (n < 0 && errno != EINTR) {
            wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
            return -1;
        }
        if (n > 0)
            off += (size_t)n;
    }
    return 0;
}

static void
wsl_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a, void *user)
{
    struct kube_ws *ws = user;
    (void)ctx;
    if (ws->dead)
        return;
    if (a->opcode == WSLAY_CONNECTION_CLOSE) {
        ws->peer_code = a->status_code;
        size_t n = a->msg_length > 2 ? a->msg_length - 2 : 0;
        if (n >= sizeof ws->peer_reason)
            n = sizeof ws->peer_reason - 1;
        if (n > 0)
            memcpy(ws->peer_reason, a->msg + 2, n);
        ws->peer_reason[n] = '\0';
        return;
    }
    if (a->opcode != WSLAY_BINARY_FRAME && a->opcode != WSLAY_TEXT_FRAME)
        return; /* ping and pong: wslay answers pings itself */
    ws->bytes_in += a->msg_length;
    ws->on_msg(ws, a->msg, a->msg_length, ws->arg);
}

/* The frames have been moved as far as they go; decide whether the stream is over. */
static void
open_settle(struct kube_ws *ws)
{
    char what[200];
    kube__ws_what(ws, what, sizeof what);
    /* wslay fails the connection on a framing error (1002), a message over the limit (1009)
     * or bad UTF-8 in a text message (1007) by queueing a close of its own: a close sent
     * that neither side asked for. */
    if (!ws->bad_frame && !ws->we_closed && !wslay_event_get_close_received(ws->ctx) &&
        wslay_event_get_close_sent(ws->ctx))
        ws->bad_frame = true;
    if (ws->eof && !wslay_event_get_close_received(ws->ctx)) {
        if (ws->we_closed) {
            kube__ws_end(ws, 0, NULL);
            return;
        }
        if (ws->bad_frame) {
            kube__ws_fail(ws, PXE_PARSE,
                          "the API server sent a malformed WebSocket frame (%s); the "
                          "stream was closed with %u",
                          what, (unsigned)wslay_event_get_status_code_sent(ws->ctx));
            return;
        }
        kube__ws_fail(ws, PXE_CONN,
                      "the API server closed the connection without ending the stream "
                      "(%s): did it restart?",
                      what);
        return;
    }
    if (ws->io_failed && !wslay_event_get_close_received(ws->ctx)) {
        kube__ws_fail(ws, ws->ioerr.code ? ws->ioerr.code : PXE_CONN,
                      "the connection to the API server broke (%s): %s", what, ws->ioerr.msg);
        return;
    }
    if (wslay_event_want_write(ws->ctx) || ws->ooff < ws->olen)
        return; /* a close (ours or the answer to the server's) is still being written */
    if (ws->bad_frame && wslay_event_get_close_sent(ws->ctx)) {
        uint16_t c = wslay_event_get_status_code_sent(ws->ctx);
        if (c == WSLAY_CODE_MESSAGE_TOO_BIG)
            kube__ws_fail(ws, PXE_PARSE,
                          "the API server sent a message over %zu bytes (%s); the "
                          "stream was closed with 1009",
                          ws->max_msg, what);
        else
            kube__ws_fail(ws, PXE_PARSE,
                          "the API server sent a malformed WebSocket frame (%s); the "
                          "stream was closed with %u (protocol error)",
                          what, (unsigned)c);
        return;
    }
    if (wslay_event_get_close_received(ws->ctx) && wslay_event_get_close_sent(ws->ctx)) {
        uint16_t c = ws->peer_code;
        if (c == 0 || c == WSLAY_CODE_NORMAL_CLOSURE || c == WSLAY_CODE_NO_STATUS_RCVD)
            kube__ws_end(ws, 0, NULL);
        else if (c == WSLAY_CODE_GOING_AWAY)
            kube__ws_fail(ws, PXE_CONN,
                          "the API server is going away (1001%s%s): it shut down or "
                          "restarts (%s)",
                          ws->peer_reason[0] ? ": " : "", ws->peer_reason, what);
        else
            kube__ws_fail(ws, PXE_CONN, "the API server closed the stream with code %u%s%s (%s)",
                          (unsigned)c, ws->peer_reason[0] ? ": " : "", ws->peer_reason, what);
    }
}

void
kube__ws_open_io(struct kube_ws *ws, int events)
{
    if ((events & UV_READABLE) && !ws->paused && wslay_event_want_read(ws->ctx)) {
        int rc = wslay_event_recv(ws->ctx);
        if (ws->dead)
            return;
        if (rc < 0 && !ws->eof && !ws->io_failed)
            pxerr_set(&ws->ioerr, PXE_INTERNAL, "wslay: receive failed (%d)", rc),
                ws->io_failed = true;
    }
    if (!ws->io_failed && !ws->eof && ws->ooff < ws->olen)
        (void)out_flush(ws); /* would block: later; broken: io_failed says so */
    if (!ws->io_failed && !ws->eof && wslay_event_want_write(ws->ctx)) {
        int rc = wslay_event_send(ws->ctx);
        if (rc < 0 && !ws->io_failed)
            pxerr_set(&ws->ioerr, PXE_INTERNAL, "wslay: send failed (%d)", rc),
                ws->io_failed = true;
        if (ws->held > 0 && !ws->io_failed) { /* a header whose payload did not follow */
            ws->olen = ws->held;
            ws->ooff = 0;
            ws->held = 0;
            (void)out_flush(ws); /* as above */
        }
        if (ws->above_high && wslay_event_get_queued_msg_length(ws->ctx) < KUBE_WS_LOW_WATER) {
            ws->above_high = false;
            if (ws->on_drain)
                ws->on_drain(ws, ws->arg);
            if (ws->dead)
                return;
        }
    }
    open_settle(ws);
}

const struct wslay_event_callbacks kube__ws_cbs = {
    .recv_callback = wsl_recv,
    .send_callback = wsl_send,
    .genmask_callback = wsl_genmask,
    .on_msg_recv_callback = wsl_on_msg,
};
