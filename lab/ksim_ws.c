/* ksim_ws: the server side of one WebSocket connection (RFC 6455) on the socket that
 * libmicrohttpd hands over after the 101. Framing, masking checks, fragmentation, ping/pong
 * and the close handshake are wslay's (libwslay, framing only); this file does the I/O:
 * non-blocking reads and writes driven by the caller's poll(), so that one thread can relay
 * a socket and a process or a TCP connection at once. A malformed client frame makes wslay
 * queue a close with 1002 (protocol error), which is what a real API server's Go websocket
 * library sends; the session then ends and kubesim keeps serving. */
#include "ksim_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "base64.h"
#include "clock.h"
#include "xmalloc.h"

/* Largest message accepted from a client: stdin and port-forward data come in pieces of
 * at most 32 KiB from kubectl; anything much larger is not a client we know. */
#define WS_MAX_MSG (16u << 20)

struct ksim_ws {
    int fd;
    wslay_event_context_ptr ctx;
    char *extra; /* owned: bytes read by libmicrohttpd past the request */
    size_t extra_len, extra_off;
    bool broken; /* reset, EOF before the close handshake, or a failed write */
    /* wslay sends control frames ahead of queued messages: a close waits here until
     * every message before it is written */
    bool close_pending;
    uint16_t close_code;
    char close_reason[64];
    ksim_ws_msg_cb *cb;
    void *arg;
};

void
ksim_ws_accept_key(const char *key, char *out, size_t n)
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; /* RFC 6455 1.3 */
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", key, guid);
    unsigned char sha[20];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA1, buf, strlen(buf), sha) != 0) {
        snprintf(out, n, "%s", "");
        return;
    }
    char *b64 = base64_encode(sha, sizeof sha, 0);
    snprintf(out, n, "%s", b64);
    free(b64);
}

static ssize_t
on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    struct ksim_ws *ws = user;
    if (ws->extra_off < ws->extra_len) {
        size_t n = ws->extra_len - ws->extra_off;
        if (n > len)
            n = len;
        memcpy(buf, ws->extra + ws->extra_off, n);
        ws->extra_off += n;
        return (ssize_t)n;
    }
    ssize_t r;
    do
        r = recv(ws->fd, buf, len, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (r <= 0) {
        ws->broken = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return r;
}

static ssize_t
on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    struct ksim_ws *ws = user;
    ssize_t r;
    do
        r = send(ws->fd, data, len, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (r < 0) {
        ws->broken = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return r;
}

static void
on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a, void *user)
{
    (void)ctx;
    struct ksim_ws *ws = user;
    if (ws->cb != NULL && (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME))
        ws->cb(ws, a->opcode, a->msg, a->msg_length, ws->arg);
}

struct ksim_ws *
ksim_ws_new(int fd, const char *extra, size_t extra_len, ksim_ws_msg_cb *cb, void *arg)
{
    struct ksim_ws *ws = xcalloc(1, sizeof *ws);
    ws->fd = fd;
    ws->cb = cb;
    ws->arg = arg;
    if (extra_len > 0) {
        ws->extra = xmalloc(extra_len);
        memcpy(ws->extra, extra, extra_len);
        ws->extra_len = extra_len;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK); /* on failure poll() still paces us */
    struct wslay_event_callbacks cbs = {
        .recv_callback = on_recv,
        .send_callback = on_send,
        .on_msg_recv_callback = on_msg,
    };
    if (wslay_event_context_server_init(&ws->ctx, &cbs, ws) != 0) {
        free(ws->extra);
        free(ws);
        return NULL;
    }
    wslay_event_config_set_max_recv_msg_length(ws->ctx, WS_MAX_MSG);
    return ws;
}

void
ksim_ws_set_handler(struct ksim_ws *ws, ksim_ws_msg_cb *cb, void *arg)
{
    ws->cb = cb;
    ws->arg = arg;
}

void
ksim_ws_free(struct ksim_ws *ws)
{
    if (ws == NULL)
        return;
    wslay_event_context_free(ws->ctx);
    free(ws->extra);
    free(ws);
}

void
ksim_ws_pollfd(struct ksim_ws *ws, struct pollfd *pfd)
{
    pfd->fd = ws->fd;
    pfd->events = 0;
    pfd->revents = 0;
    if (ws->broken)
        return;
    if (ws->close_pending)
        pfd->events |= POLLOUT;
    if (wslay_event_want_read(ws->ctx))
        pfd->events |= POLLIN;
    if (wslay_event_want_write(ws->ctx))
        pfd->events |= POLLOUT;
}

int
ksim_ws_io(struct ksim_ws *ws, short revents)
{
    if (ws->broken)
        return -1;
    /* Bytes libmicrohttpd already read count as readable. */
    if ((revents & (POLLIN | POLLHUP | POLLERR)) || ws->extra_off < ws->extra_len) {
        if (wslay_event_recv(ws->ctx) != 0)
            ws->broken = true;
    }
    if (!ws->broken && wslay_event_want_write(ws->ctx) && wslay_event_send(ws->ctx) != 0)
        ws->broken = true;
    if (!ws->broken && ws->close_pending && wslay_event_get_queued_msg_count(ws->ctx) == 0) {
        ws->close_pending = false;
        (void)wslay_event_queue_close(ws->ctx, ws->close_code, (const uint8_t *)ws->close_reason,
                                      strlen(ws->close_reason));
        if (wslay_event_send(ws->ctx) != 0)
            ws->broken = true;
    }
    if (ws->broken)
        return -1;
    if (!wslay_event_want_read(ws->ctx) && !wslay_event_want_write(ws->ctx))
        return -1; /* the close handshake is over */
    return 0;
}

void
ksim_ws_send(struct ksim_ws *ws, int opcode, const void *prefix, size_t prefix_len,
             const void *data, size_t len)
{
    if (ws->broken || ws->close_pending || wslay_event_get_close_sent(ws->ctx))
        return;
    uint8_t stackbuf[4096];
    size_t total = prefix_len + len;
    uint8_t *buf = total <= sizeof stackbuf ? stackbuf : xmalloc(total);
    if (prefix_len > 0)
        memcpy(buf, prefix, prefix_len);
    if (len > 0)
        memcpy(buf + prefix_len, data, len);
    struct wslay_event_msg m = {.opcode = (uint8_t)opcode, .msg = buf, .msg_length = total};
    (void)wslay_event_queue_msg(ws->ctx, &m); /* it copies; fails only after close */
    if (buf != stackbuf)
        free(buf);
}

void
ksim_ws_close(struct ksim_ws *ws, uint16_t code, const char *reason)
{
    if (ws->broken || ws->close_pending || wslay_event_get_close_sent(ws->ctx))
        return;
    ws->close_pending = true;
    ws->close_code = code;
    snprintf(ws->close_reason, sizeof ws->close_reason, "%s", reason ? reason : "");
}

size_t
ksim_ws_backlog(const struct ksim_ws *ws)
{
    return wslay_event_get_queued_msg_length(ws->ctx);
}

void
ksim_ws_finish(struct ksim_ws *ws, int timeout_ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
    for (;;) {
        struct pollfd pfd;
        ksim_ws_pollfd(ws, &pfd);
        if (pfd.events == 0 || ws->broken)
            return;
        uint64_t now = clock_mono_ms();
        if (now >= end)
            return;
        if (poll(&pfd, 1, (int)(end - now)) < 0 && errno != EINTR)
            return;
        if (ksim_ws_io(ws, pfd.revents) != 0)
            return;
    }
}
