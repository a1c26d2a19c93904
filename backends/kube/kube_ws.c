/* kube_ws: a WebSocket to the API server. curl 7.88 (Debian 12) has no WebSocket support, so
 * the I/O is split: curl's CONNECT_ONLY does what it already does for every other request
 * (TCP, the proxy's CONNECT tunnel, TLS with the kubeconfig's CA or insecure-skip-tls-verify,
 * tls-server-name, the client certificate) and then hands the connection over; from there
 * this file writes the HTTP/1.1 upgrade itself (with the bearer token or basic auth), reads
 * the answer, and moves wslay's frames with curl_easy_send/recv, driven by a uv_poll on the
 * socket curl reports (CURLINFO_ACTIVESOCKET). wslay does the framing only (masking,
 * fragments, ping/pong, the close handshake); no thread, no second TLS stack.
 *
 * Each stream has an http (a curl multi) of its own: curl counts a connect-only connection
 * as idle and prunes idle connections of its multi when another transfer connects, which
 * would cut a live stream if the streams shared the client's multi.
 *
 * Teardown is deferred to a zero timer so that it never runs inside curl, wslay or a
 * callback of the owner: a stream ended or aborted anywhere stops at once (no callback) and
 * releases its handles on the next loop turn.
 *
 * This file is the stream's life: connecting, the upgrade, polling, teardown, the public
 * calls; what happens to the frames after the 101 is kube_ws_frames.c's. */
#include "kube/kube_ws.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <uv.h>
#include <wslay/wslay.h>

#include "base64.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"
#include "kube/kube_ws_internal.h"
#include "kube/kube_wsproto.h"

#define READ_CHUNK (64u << 10)
#define ERROR_BODY_MAX (64u << 10)
#define CLOSE_GRACE_MS 2000

static void ws_io(struct kube_ws *ws, int events);
static void ws_connect(struct kube_ws *ws);

void
kube__ws_what(const struct kube_ws *ws, char *buf, size_t n)
{
    snprintf(buf, n, "%s of pod %s/%s", ws->resource, ws->ns, ws->pod);
}

/* ------------------------------------------------------------ teardown */

static void
release_http(struct kube_ws *ws)
{
    if (ws->req != NULL)
        http_cancel(ws->req);
    ws->req = NULL;
    http_free(ws->http);
    ws->http = NULL;
}

/* The last of the stream's handles has closed: we are in libuv's close phase, outside curl,
 * wslay and every callback of the owner, so the rest can go. */
static void
ws_release(struct kube_ws *ws)
{
    if (ws->http != NULL)
        release_http(ws); /* killed inside its own connect callback: not then */
    if (ws->ctx != NULL)
        wslay_event_context_free(ws->ctx);
    explicit_bzero(ws->out.s, ws->out.len);
    strbuf_fini(&ws->out);
    strbuf_fini(&ws->in);
    free(ws->pre);
    free(ws->obuf);
    free(ws->path);
    free(ws->url);
    free(ws->resource);
    free(ws->ns);
    free(ws->pod);
    for (size_t i = 0; ws->protocols && ws->protocols[i]; i++)
        free(ws->protocols[i]);
    free(ws->protocols);
    free(ws);
}

static void
on_handle_closed(uv_handle_t *h)
{
    struct kube_ws *ws = h->data;
    if (--ws->n_handles == 0)
        ws_release(ws);
}

static void
on_poll_closed(uv_handle_t *h)
{
    free((struct ws_poll *)h);
}

/* Stop watching the socket; before curl closes it (libuv drops the fd from epoll in
 * uv_close, which must not hit a reused descriptor). */
static void
poll_close(struct kube_ws *ws)
{
    if (ws->poll == NULL)
        return;
    ws->poll->ws = NULL;
    uv_close((uv_handle_t *)&ws->poll->h, on_poll_closed);
    ws->poll = NULL;
    ws->poll_events = 0;
}

static void
conn_drop(struct kube_ws *ws)
{
    poll_close(ws);
    if (ws->req != NULL) {
        http_cancel(ws->req);
        ws->req = NULL;
    }
}

static void
unlink_kc(struct kube_ws *ws)
{
    struct kube_client *kc = ws->kc;
    if (kc == NULL)
        return;
    if (ws->prev)
        ws->prev->next = ws->next;
    else if (kc->wss == ws)
        kc->wss = ws->next;
    if (ws->next)
        ws->next->prev = ws->prev;
    ws->prev = ws->next = NULL;
    ws->kc = NULL;
}

static void
on_kick(uv_timer_t *t)
{
    struct kube_ws *ws = t->data;
    if (ws->dead)
        return;
    if (ws->early_close) {
        char what[200];
        kube__ws_what(ws, what, sizeof what);
        kube__ws_fail(ws, PXE_CANCELLED, "%s: closed before the upgrade finished", what);
        return;
    }
    if (ws->st == ST_CONNECT && ws->req == NULL) {
        ws_connect(ws); /* the first attempt, off kube_ws_open's stack */
        return;
    }
    ws_io(ws, UV_READABLE); /* a resume: TLS may hold bytes the socket no longer signals */
}

/* No callback from here on. Every handle is closed now, with our callbacks (an owner that
 * closes every handle of the loop next, as the console does when it quits, finds them
 * closing already), the connection and its curl multi go at once unless curl is on the
 * stack, and the memory goes when the handles have closed (ws_release): never inside
 * curl, wslay or the owner's callback that asked for it. */
static void
ws_kill(struct kube_ws *ws)
{
    if (ws->teardown_started)
        return;
    ws->dead = true;
    ws->teardown_started = true;
    ws->st = ST_DONE;
    unlink_kc(ws);
    poll_close(ws);
    if (!ws->in_http)
        release_http(ws);
    uv_timer_stop(&ws->timer);
    uv_timer_stop(&ws->kick);
    uv_close((uv_handle_t *)&ws->timer, on_handle_closed);
    uv_close((uv_handle_t *)&ws->kick, on_handle_closed);
}

/* The stream is over: tell the owner once, then tear down. */
void
kube__ws_end(struct kube_ws *ws, int status, const struct pxerr *err)
{
    if (ws->dead || ws->st == ST_DONE)
        return;
    ws->st = ST_DONE;
    if (ws->poll != NULL)
        uv_poll_stop(&ws->poll->h);
    uv_timer_stop(&ws->timer);
    struct pxerr ok = {0};
    ws->on_end(ws, status, err ? err : &ok, ws->arg);
    ws_kill(ws);
}

void
kube__ws_fail(struct kube_ws *ws, int code, const char *fmt, ...)
{
    struct pxerr e;
    va_list ap;
    va_start(ap, fmt);
    pxerr_vset(&e, code, fmt, ap);
    va_end(ap);
    kube__ws_end(ws, code, &e);
}

/* ------------------------------------------------------------ polling */

static void on_poll(uv_poll_t *h, int status, int events);

static void
poll_update(struct kube_ws *ws)
{
    if (ws->poll == NULL || ws->dead || ws->st == ST_DONE || ws->early_close)
        return;
    int ev = 0;
    switch (ws->st) {
    case ST_SEND_REQ:
        ev = UV_WRITABLE;
        break;
    case ST_READ_HEAD:
    case ST_READ_BODY:
        ev = UV_READABLE;
        break;
    case ST_OPEN:
        if (!ws->paused && wslay_event_want_read(ws->ctx))
            ev |= UV_READABLE;
        if (wslay_event_want_write(ws->ctx) || ws->ooff < ws->olen)
            ev |= UV_WRITABLE;
        break;
    default:
        break;
    }
    if (ev == ws->poll_events)
        return;
    ws->poll_events = ev;
    if (ev == 0)
        uv_poll_stop(&ws->poll->h);
    else
        uv_poll_start(&ws->poll->h, ev, on_poll);
}

static void
on_poll(uv_poll_t *h, int status, int events)
{
    struct ws_poll *wp = (struct ws_poll *)h;
    struct kube_ws *ws = wp->ws;
    if (ws == NULL || ws->dead)
        return;
    if (status < 0)
        events = UV_READABLE | UV_WRITABLE; /* let the read or write say what broke */
    ws_io(ws, events);
}

/* ------------------------------------------------------------ the upgrade */
static void
upgraded(struct kube_ws *ws)
{
    struct pxerr e;
    const char *const *offered = (const char *const *)ws->protocols;
    if (kube_wsproto_check_101(&ws->head, ws->key, offered, ws->allow_none, ws->url, &e) < 0) {
        kube__ws_end(ws, e.code, &e);
        return;
    }
    snprintf(ws->protocol, sizeof ws->protocol, "%s", ws->head.protocol);
    /* What came after the head is the server's first frames. */
    size_t extra = ws->in.len - ws->head.head_len;
    if (extra > 0) {
        ws->pre = xmalloc(extra);
        memcpy(ws->pre, ws->in.s + ws->head.head_len, extra);
        ws->pre_len = extra;
    }
    strbuf_fini(&ws->in);
    strbuf_init(&ws->in);
    explicit_bzero(ws->out.s, ws->out.len);
    strbuf_fini(&ws->out);
    strbuf_init(&ws->out);
    ws->st = ST_OPEN;
    uv_timer_stop(&ws->timer);
    if (ws->on_open)
        ws->on_open(ws, ws->protocol, ws->arg);
    if (ws->dead)
        return;
    kube__ws_open_io(ws, UV_READABLE | UV_WRITABLE);
}

/* A refusal's body is complete (or the connection ended): retry a 401 once, else words. */
static void
refused(struct kube_ws *ws)
{
    const char *body = ws->in.s + ws->head.head_len;
    size_t blen = ws->in.len - ws->head.head_len;
    int renew = 0;
    struct pxerr re;
    if (ws->head.code == 401 && !ws->retried && ws->kc != NULL &&
        (renew = kube__auth_renew(ws->kc, &re)) < 0) {
        kube__ws_end(ws, renew, &re); /* the new token cannot be sent: that is the error */
        return;
    }
    if (renew > 0) {
        /* The credential may have rotated: once more with the renewed one, as kube_call.c. */
        ws->retried = true;
        conn_drop(ws);
        strbuf_fini(&ws->in);
        strbuf_init(&ws->in);
        explicit_bzero(ws->out.s, ws->out.len);
        strbuf_fini(&ws->out);
        strbuf_init(&ws->out);
        ws->out_off = 0;
        ws_connect(ws);
        return;
    }
    struct kube_ws_what w = {.resource = ws->resource,
                             .ns = ws->ns,
                             .pod = ws->pod,
                             .server = ws->kc ? ws->kc->a.server : NULL,
                             .user = ws->kc ? ws->kc->a.user_name : NULL};
    struct pxerr e;
    int code = kube_wsproto_refusal(ws->head.code, body, blen, &w, &e);
    kube__ws_end(ws, code, &e);
}

static void
handshake_io(struct kube_ws *ws, int events)
{
    char what[200];
    kube__ws_what(ws, what, sizeof what);
    if (ws->st == ST_SEND_REQ) {
        while (ws->out_off < ws->out.len) {
            size_t sent = 0;
            int rc = http_conn_send(ws->req, ws->out.s + ws->out_off, ws->out.len - ws->out_off,
                                    &sent, &ws->ioerr);
            if (rc == HTTP_AGAIN)
                return;
            if (rc < 0) {
                kube__ws_fail(ws, PXE_CONN, "cannot send the upgrade for %s: %s", what,
                              ws->ioerr.msg);
                return;
            }
            ws->out_off += sent;
        }
        ws->st = ST_READ_HEAD;
        events |= UV_READABLE; /* the answer may already be there */
    }
    if (!(events & UV_READABLE))
        return;
    char buf[READ_CHUNK];
    for (;;) {
        size_t got = 0;
        int rc = http_conn_recv(ws->req, buf, sizeof buf, &got, &ws->ioerr);
        if (rc == HTTP_AGAIN)
            return;
        if (rc < 0) {
            kube__ws_fail(ws, PXE_CONN, "the connection broke during the upgrade for %s: %s", what,
                          ws->ioerr.msg);
            return;
        }
        if (got == 0) { /* EOF */
            if (ws->st == ST_READ_BODY) {
                refused(ws);
                return;
            }
            kube__ws_fail(ws, PXE_CONN,
                          "the API server closed the connection without answering the "
                          "upgrade for %s",
                          what);
            return;
        }
        if (ws->st == ST_READ_BODY) {
            size_t room = ws->head.head_len + ERROR_BODY_MAX - ws->in.len;
            strbuf_appendn(&ws->in, buf, got < room ? got : room);
        } else {
            strbuf_appendn(&ws->in, buf, got);
        }
        if (ws->st == ST_READ_HEAD) {
            struct pxerr e;
            int hr = kube_wsproto_head(ws->in.s, ws->in.len, &ws->head, &e);
            if (hr < 0) {
                kube__ws_fail(ws, PXE_HTTP, "%s: %s", ws->url, e.msg);
                return;
            }
            if (hr == 0)
                continue;
            if (ws->head.code == 101) {
                upgraded(ws);
                return;
            }
            ws->st = ST_READ_BODY;
        }
        /* A refusal: its Status body, as long as announced (or up to the cap). */
        size_t blen = ws->in.len - ws->head.head_len;
        if ((ws->head.content_length >= 0 && blen >= (size_t)ws->head.content_length) ||
            blen >= ERROR_BODY_MAX || (ws->head.content_length < 0 && !ws->head.chunked)) {
            refused(ws);
            return;
        }
        if (ws->head.chunked && blen >= 5 &&
            memcmp(ws->in.s + ws->in.len - 5, "0\r\n\r\n", 5) == 0) {
            refused(ws);
            return;
        }
    }
}

static void
ws_io(struct kube_ws *ws, int events)
{
    if (ws->dead || ws->st == ST_DONE || ws->early_close)
        return;
    ws->in_io++;
    if (ws->st == ST_OPEN)
        kube__ws_open_io(ws, events);
    else if (ws->st == ST_SEND_REQ || ws->st == ST_READ_HEAD || ws->st == ST_READ_BODY)
        handshake_io(ws, events);
    ws->in_io--;
    poll_update(ws);
}

/* ------------------------------------------------------------ connecting */

/* "host[:port]" and the path prefix of the server URL. */
static void
server_parts(const char *server, char *host, size_t hn, const char **prefix)
{
    const char *p = strstr(server, "://");
    p = p ? p + 3 : server;
    size_t n = strcspn(p, "/");
    snprintf(host, hn, "%.*s", (int)n, p);
    *prefix = p + n;
}

static void connected(struct kube_ws *ws, struct http_req *req, const struct http_result *res);

static void
on_connected(struct http_req *req, const struct http_result *res, void *arg)
{
    struct kube_ws *ws = arg;
    if (ws->dead)
        return;
    /* Inside an http callback its http must not be freed: a kill meanwhile leaves it to
     * ws_release. */
    ws->in_http = true;
    connected(ws, req, res);
    ws->in_http = false;
}

static void
connected(struct kube_ws *ws, struct http_req *req, const struct http_result *res)
{
    char what[200];
    kube__ws_what(ws, what, sizeof what);
    if (res->status != 0) {
        ws->req = NULL; /* http frees a failed request */
        kube__ws_fail(ws, res->status, "cannot reach the API server for %s: %s", what,
                      res->err->msg);
        return;
    }
    int fd = http_conn_socket(req);
    ws->poll = xcalloc(1, sizeof *ws->poll);
    ws->poll->ws = ws;
    int rc = fd < 0 ? UV_EBADF : uv_poll_init_socket(ws->loop, &ws->poll->h, fd);
    if (rc != 0) {
        free(ws->poll);
        ws->poll = NULL;
        kube__ws_fail(ws, PXE_INTERNAL, "%s: cannot watch the connection's socket %d: %s", what, fd,
                      uv_strerror(rc));
        return;
    }
    /* curl sets it too; a frame is one record, and nothing should wait for an ACK */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ws->st = ST_SEND_REQ;
    ws->out_off = 0;
    ws_io(ws, UV_WRITABLE);
}

static void
ws_connect(struct kube_ws *ws)
{
    struct kube_client *kc = ws->kc;
    struct pxerr e = {0};
    const struct kcfg_cred *cred = NULL;
    int rc = kube__auth_cred(kc, &cred, &e);
    if (rc > 0) {
        ws->st = ST_CRED; /* kube__ws_cred_done goes on */
        return;
    }
    if (rc < 0) {
        kube__ws_end(ws, rc, &e);
        return;
    }
    struct http_tls_auth t;
    kube__auth_tls(kc, cred, &t);
    /* The token goes into our own request line by line: the same last check as http.c's (a
     * CR or LF would start a header of the token's choosing). */
    struct pxerr te;
    if (t.bearer_token != NULL && kcfg_token_check(t.bearer_token, &te) < 0) {
        kube__ws_fail(ws, PXE_AUTH, "%s: the bearer token %s; refusing to send it", ws->url,
                      te.msg);
        return;
    }
    char host[256];
    const char *prefix;
    server_parts(kc->a.server, host, sizeof host, &prefix);
    char *full = xasprintf("%s%s", prefix, ws->path);
    struct kube_ws_auth wa = {
        .bearer_token = t.bearer_token, .username = t.username, .password = t.password};
    uint8_t raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        free(full);
        kube__ws_fail(ws, PXE_INTERNAL, "getrandom failed: %s", strerror(errno));
        return;
    }
    char *k = base64_encode(raw, sizeof raw, 0);
    snprintf(ws->key, sizeof ws->key, "%s", k);
    free(k);
    kube_wsproto_request(&ws->out, host, full, ws->key, (const char *const *)ws->protocols, &wa);
    free(full);
    /* curl needs only the scheme, host and port; the request line is ours. */
    char *url = xasprintf("%s/", kc->a.server);
    t.bearer_token = NULL; /* written by us, not by curl */
    t.username = t.password = NULL;
    struct http_req_opts o = {
        .url = url,
        .tls = &t,
        .timeout_ms = ws->open_timeout_ms,
        .connect_timeout_ms = ws->open_timeout_ms,
        .connect_only = true,
        .on_done = on_connected,
        .arg = ws,
    };
    ws->st = ST_CONNECT;
    rc = http_start(ws->http, &o, &ws->req, &e);
    free(url);
    if (rc < 0) {
        ws->req = NULL;
        kube__ws_end(ws, rc, &e);
    }
}

static void
on_timer(uv_timer_t *t)
{
    struct kube_ws *ws = t->data;
    if (ws->dead)
        return;
    char what[200];
    kube__ws_what(ws, what, sizeof what);
    if (ws->st == ST_OPEN) { /* the close grace is over */
        if (ws->we_closed)
            kube__ws_end(ws, 0, NULL);
        return;
    }
    kube__ws_fail(ws, PXE_TIMEOUT, "timed out after %d ms waiting for the API server to open %s%s",
                  ws->open_timeout_ms, what,
                  ws->st == ST_CRED        ? " (the exec credential plugin has not answered)"
                  : ws->st == ST_CONNECT   ? " (connecting)"
                  : ws->st == ST_READ_HEAD ? " (no answer to the upgrade)"
                                           : "");
}

void
kube__ws_cred_done(struct kube_client *kc, int status, const struct pxerr *err)
{
    /* Walk a snapshot: ending a stream may run its owner, which may open or abort others.
     * A stream stays allocated until the next loop turn even when it ends meanwhile. */
    struct kube_ws *waiting[256];
    size_t n = 0;
    for (struct kube_ws *w = kc->wss; w && n < 256; w = w->next)
        if (w->st == ST_CRED && !w->dead)
            waiting[n++] = w;
    for (size_t i = 0; i < n; i++) {
        struct kube_ws *w = waiting[i];
        if (w->dead || w->st != ST_CRED)
            continue;
        if (status == 0)
            ws_connect(w);
        else
            kube__ws_fail(w, PXE_AUTH, "cluster %s: %s", kc->name, err ? err->msg : "exec failed");
    }
}

void
kube__ws_abort_all(struct kube_client *kc)
{
    while (kc->wss)
        ws_kill(kc->wss);
}

/* ------------------------------------------------------------ public */

int
kube_ws_open(struct kube_client *kc, const struct kube_ws_opts *o, struct kube_ws **out,
             struct pxerr *err)
{
    if (kc->freeing)
        return pxerr_set(err, PXE_CANCELLED, "cluster %s: client stopped", kc->name);
    if (o->path == NULL || o->path[0] != '/' || o->on_msg == NULL || o->on_end == NULL)
        return pxerr_set(err, PXE_INVAL, "kube_ws_open: a path and on_msg/on_end are needed");
    struct kube_ws *ws = xcalloc(1, sizeof *ws);
    ws->kc = kc;
    ws->loop = kc->loop;
    ws->path = xstrdup(o->path);
    ws->url = xasprintf("%s%s", kc->a.server, o->path);
    ws->resource = xstrdup(o->resource ? o->resource : "the stream");
    ws->ns = xstrdup(o->ns ? o->ns : "");
    ws->pod = xstrdup(o->pod ? o->pod : "");
    size_t np = 0;
    while (o->protocols && o->protocols[np])
        np++;
    ws->protocols = xcalloc(np + 1, sizeof *ws->protocols);
    for (size_t i = 0; i < np; i++)
        ws->protocols[i] = xstrdup(o->protocols[i]);
    ws->allow_none = o->allow_no_protocol;
    ws->open_timeout_ms = o->open_timeout_ms > 0 ? o->open_timeout_ms : kc->timeout_ms;
    ws->max_msg = o->max_msg ? o->max_msg : KUBE_WS_MAX_MSG_DEFAULT;
    ws->on_open = o->on_open;
    ws->on_msg = o->on_msg;
    ws->on_drain = o->on_drain;
    ws->on_end = o->on_end;
    ws->arg = o->arg;
    strbuf_init(&ws->out);
    strbuf_init(&ws->in);
    if (wslay_event_context_client_init(&ws->ctx, &kube__ws_cbs, ws) != 0)
        pxc_fatal("kube_ws: out of memory (wslay)");
    wslay_event_config_set_max_recv_msg_length(ws->ctx, ws->max_msg);
    ws->http = http_new(kc->loop);
    uv_timer_init(kc->loop, &ws->timer);
    ws->timer.data = ws;
    uv_timer_init(kc->loop, &ws->kick);
    ws->kick.data = ws;
    ws->n_handles = 2;
    ws->next = kc->wss;
    if (kc->wss)
        kc->wss->prev = ws;
    kc->wss = ws;
    uv_timer_start(&ws->timer, on_timer, (uint64_t)ws->open_timeout_ms, 0);
    /* Connect on the next loop turn, so that a failure at once (an exec plugin that cannot
     * start) reaches on_end after this returns, never inside it. */
    ws->st = ST_CONNECT;
    uv_timer_start(&ws->kick, on_kick, 0, 0);
    if (out)
        *out = ws;
    return 0;
}

int
kube_ws_send(struct kube_ws *ws, uint8_t ch, const void *data, size_t len, struct pxerr *err)
{
    if (ws->dead || ws->st == ST_DONE || ws->we_closed)
        return pxerr_set(err, PXE_CANCELLED, "%s: the stream is closing", ws->url);
    uint8_t stackbuf[4096];
    uint8_t *buf = len + 1 <= sizeof stackbuf ? stackbuf : xmalloc(len + 1);
    buf[0] = ch;
    if (len)
        memcpy(buf + 1, data, len);
    struct wslay_event_msg m = {.opcode = WSLAY_BINARY_FRAME, .msg = buf, .msg_length = len + 1};
    int rc = wslay_event_queue_msg(ws->ctx, &m);
    if (buf != stackbuf)
        free(buf);
    if (rc != 0)
        return pxerr_set(err, PXE_CANCELLED, "%s: the stream takes no more messages (%d)", ws->url,
                         rc);
    ws->bytes_out += len;
    if (wslay_event_get_queued_msg_length(ws->ctx) > KUBE_WS_HIGH_WATER)
        ws->above_high = true;
    if (ws->in_io == 0)
        poll_update(ws); /* written when the socket is writable, on this loop turn's poll */
    return 0;
}

size_t
kube_ws_queued(const struct kube_ws *ws)
{
    return ws->ctx ? wslay_event_get_queued_msg_length(ws->ctx) : 0;
}

void
kube_ws_pause(struct kube_ws *ws, bool paused)
{
    if (ws->dead || ws->paused == paused)
        return;
    ws->paused = paused;
    if (!paused && ws->st == ST_OPEN)
        uv_timer_start(&ws->kick, on_kick, 0, 0);
    if (ws->in_io == 0)
        poll_update(ws);
}

void
kube_ws_close(struct kube_ws *ws)
{
    if (ws->dead || ws->st == ST_DONE)
        return;
    if (ws->st != ST_OPEN) {
        /* Not upgraded yet: nothing to close politely; end it from the loop. */
        ws->early_close = true;
        if (ws->poll != NULL)
            uv_poll_stop(&ws->poll->h);
        ws->poll_events = 0;
        uv_timer_start(&ws->kick, on_kick, 0, 0);
        return;
    }
    if (ws->we_closed)
        return;
    ws->we_closed = true;
    (void)wslay_event_queue_close(ws->ctx, WSLAY_CODE_NORMAL_CLOSURE, NULL, 0); /* fails only
                                                    when a close is already queued: fine */
    uv_timer_start(&ws->timer, on_timer, CLOSE_GRACE_MS, 0);
    if (ws->in_io == 0)
        poll_update(ws);
}

void
kube_ws_abort(struct kube_ws *ws)
{
    if (ws != NULL)
        ws_kill(ws);
}

const char *
kube_ws_protocol(const struct kube_ws *ws)
{
    return ws->protocol;
}

uint64_t
kube_ws_bytes_in(const struct kube_ws *ws)
{
    return ws->bytes_in;
}

uint64_t
kube_ws_bytes_out(const struct kube_ws *ws)
{
    return ws->bytes_out;
}
