/* ksim_portforward: pods/NAME/portforward after the 101. Each forwarded connection is
 * relayed to the address that really serves the pod's port (ksim_podnet: the lab's
 * mariadbd of that pod), as the container runtime relays it to localhost inside the pod's
 * network namespace.
 *
 * Two wire protocols, as a real cluster serves them:
 * - v4.channel.k8s.io (and its base64 variant, and no subprotocol), the kubelet's WebSocket
 *   handler (pkg/kubelet/cri/streaming/portforward/websocket.go) that API servers pass on to
 *   non-SPDY clients such as the Python client: ?ports=P1,P2 names the ports up front; port i
 *   has data channel 2i and error channel 2i+1; the server's first message on each carries
 *   the port as 2 bytes little-endian; every message starts with its channel byte. One
 *   connection per WebSocket; when the pod's side ends, the WebSocket closes.
 * - SPDY/3.1 with X-Stream-Protocol-Version portforward.k8s.io, what kubectl speaks
 *   (client-go tools/portforward/portforward.go): per forwarded connection an error
 *   stream and a data stream carrying headers streamtype, port and requestid; raw after
 *   "Upgrade: SPDY/3.1", or tunnelled in WebSocket binary messages (subprotocol
 *   SPDY/3.1+portforward.k8s.io, apiserver util/proxy/streamtunnel.go). The kubelet's
 *   httpstream handler (portforward/httpstream.go) pairs the streams by requestid.
 * A port that refuses gets the runtime's dial error on the error channel or stream, worded
 * as containerd words it. */
#include "ksim_stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "base64.h"
#include "xmalloc.h"

#define CHUNK (32u << 10)
#define BACKLOG_MAX (1u << 20)

/* Connect to the pod's port; the socket (non-blocking) or -1 with errno set. */
static int
dial(const struct ksim_stream *s, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, s->net.addr, &sa.sin_addr) != 1) {
        errno = EHOSTUNREACH;
        return -1;
    }
    if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        /* the lab sends nothing off loopback; a real pod address would not answer either */
        errno = ETIMEDOUT;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static const char *
go_errno(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return "connection refused";
    case ETIMEDOUT:
        return "i/o timeout";
    case ECONNRESET:
        return "connection reset by peer";
    case EHOSTUNREACH:
        return "no route to host";
    default:
        return strerror(e);
    }
}

/* containerd's dial failure, as the kubelet writes it on the error stream. */
static void
dial_error(const struct ksim_stream *s, int port, int e, char *out, size_t n)
{
    const char *sb = s->net.sandbox;
    snprintf(out, n,
             "error forwarding port %d to pod %s, uid : failed to execute portforward in "
             "network namespace \"/var/run/netns/cni-%.8s-%.4s-%.4s-%.4s-%.12s\": failed to "
             "connect to localhost:%d inside namespace \"%s\", IPv4: dial tcp4 127.0.0.1:%d: "
             "connect: %s IPv6 dial tcp6 [::1]:%d: connect: connection refused ",
             port, sb, sb + 8, sb + 16, sb + 20, sb + 24, sb + 28, port, sb, port, go_errno(e),
             port);
}

static void
copy_error(const struct ksim_stream *s, int port, int e, char *out, size_t n)
{
    snprintf(out, n,
             "error forwarding port %d to pod %s, uid : failed to copy port forward output for "
             "port %d: read tcp4 127.0.0.1->127.0.0.1:%d: read: %s",
             port, s->net.sandbox, port, port, go_errno(e));
}

/* Write what is queued for a socket; false when the socket is gone. */
static bool
flush_sock(int fd, struct strbuf *q)
{
    while (q->len > 0) {
        ssize_t w = send(fd, q->s, q->len, MSG_NOSIGNAL);
        if (w > 0) {
            strbuf_consume(q, (size_t)w);
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return true;
        return false;
    }
    return true;
}

/* ---- v4.channel.k8s.io ---- */

struct wsport {
    int port;
    int fd; /* -1: done */
    struct strbuf tosock;
};

struct pfws {
    struct ksim_stream *s;
    struct ksim_ws *ws;
    struct wsport *p;
    size_t n;
};

static void
ws_chan_send(struct pfws *x, int chan, const void *data, size_t len)
{
    if (x->s->base64) {
        char c = (char)('0' + chan);
        char *b = base64_encode(data, len, 0);
        ksim_ws_send(x->ws, WSLAY_TEXT_FRAME, &c, 1, b, strlen(b));
        free(b);
    } else {
        uint8_t c = (uint8_t)chan;
        ksim_ws_send(x->ws, WSLAY_BINARY_FRAME, &c, 1, data, len);
    }
}

static void
on_ws_msg(struct ksim_ws *ws, int opcode, const uint8_t *msg, size_t len, void *arg)
{
    (void)ws;
    struct pfws *x = arg;
    if (len == 0)
        return;
    char *dec = NULL;
    size_t dlen = len - 1;
    const uint8_t *data = msg + 1;
    int chan = msg[0];
    if (x->s->base64) {
        if (opcode != WSLAY_TEXT_FRAME)
            return;
        chan = msg[0] - '0';
        if (base64_decode((const char *)msg + 1, len - 1, 0, &dec, &dlen) != 0)
            return;
        data = (const uint8_t *)dec;
    }
    /* wsstream drops a message for a channel it does not have, or a write-only one */
    if (chan >= 0 && (size_t)chan < 2 * x->n && chan % 2 == 0 && x->p[chan / 2].fd >= 0)
        strbuf_appendn(&x->p[chan / 2].tosock, (const char *)data, dlen);
    free(dec);
}

void
ksim_pf_ws_run(struct ksim_stream *s, struct ksim_ws *ws)
{
    struct pfws x = {.s = s, .ws = ws, .n = s->ports.n};
    x.p = xcalloc(x.n, sizeof *x.p);
    ksim_ws_set_handler(ws, on_ws_msg, &x);
    for (size_t i = 0; i < x.n; i++) {
        x.p[i].port = (int)(intptr_t)vec_at(&s->ports, i);
        x.p[i].fd = -1;
        strbuf_init(&x.p[i].tosock);
        uint8_t le[2] = {(uint8_t)(x.p[i].port & 0xff), (uint8_t)(x.p[i].port >> 8)};
        ws_chan_send(&x, (int)(2 * i), le, 2);
        ws_chan_send(&x, (int)(2 * i + 1), le, 2);
    }
    size_t live = 0;
    for (size_t i = 0; i < x.n; i++) {
        x.p[i].fd = dial(s, x.p[i].port);
        if (x.p[i].fd < 0) {
            char msg[1024];
            dial_error(s, x.p[i].port, errno, msg, sizeof msg);
            ws_chan_send(&x, (int)(2 * i + 1), msg, strlen(msg));
        } else {
            live++;
        }
    }
    bool client_gone = false;
    while (live > 0) {
        struct pollfd p[1 + 16];
        int idx[16];
        nfds_t n = 0;
        ksim_ws_pollfd(ws, &p[n++]);
        bool room = ksim_ws_backlog(ws) < BACKLOG_MAX;
        for (size_t i = 0; i < x.n && n < 17; i++) {
            if (x.p[i].fd < 0)
                continue;
            short ev = (short)((room ? POLLIN : 0) | (x.p[i].tosock.len ? POLLOUT : 0));
            idx[n - 1] = (int)i;
            p[n++] = (struct pollfd){.fd = x.p[i].fd, .events = ev};
        }
        if (poll(p, n, 100) < 0 && errno != EINTR)
            break;
        if (ksim_ws_io(ws, p[0].revents) != 0) {
            client_gone = true;
            break;
        }
        for (nfds_t k = 1; k < n; k++) {
            struct wsport *wp = &x.p[idx[k - 1]];
            int e = 0;
            bool done = false;
            if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[CHUNK];
                ssize_t r = recv(wp->fd, buf, sizeof buf, 0);
                if (r > 0)
                    ws_chan_send(&x, 2 * idx[k - 1], buf, (size_t)r);
                else if (r == 0)
                    done = true; /* the pod's side ended: no error, as io.Copy sees EOF */
                else if (errno != EAGAIN && errno != EINTR)
                    e = errno, done = true;
            }
            if (!done && wp->tosock.len && !flush_sock(wp->fd, &wp->tosock))
                e = errno, done = true;
            if (done) {
                if (e != 0) {
                    char msg[1024];
                    copy_error(s, wp->port, e, msg, sizeof msg);
                    ws_chan_send(&x, 2 * idx[k - 1] + 1, msg, strlen(msg));
                }
                close(wp->fd);
                wp->fd = -1;
                live--;
            }
        }
        if (ksim_stream_stopping(s)) {
            ksim_ws_close(ws, 1001, "server shutting down");
            client_gone = true;
            break;
        }
    }
    for (size_t i = 0; i < x.n; i++) {
        if (x.p[i].fd >= 0)
            close(x.p[i].fd);
        strbuf_fini(&x.p[i].tosock);
    }
    free(x.p);
    if (!client_gone)
        ksim_ws_close(ws, 1000, "");
    ksim_ws_set_handler(ws, NULL, NULL);
}

/* ---- SPDY ---- */

struct pair {
    char reqid[64];
    int port;
    uint32_t data_id, err_id;
    int fd;          /* -1 before the dial and after the end */
    bool client_fin; /* the client will send no more data */
    bool ended;
    struct strbuf tosock;
};

struct pfspdy {
    struct ksim_stream *s;
    struct ksim_spdy *spdy;
    struct ksim_ws *ws; /* NULL: raw SPDY on fd */
    int fd;
    struct strbuf out; /* raw mode: bytes to write */
    struct vec pairs;  /* struct pair *, owned */
    bool goaway;
};

static void
pair_free(void *p)
{
    struct pair *pr = p;
    if (pr->fd >= 0)
        close(pr->fd);
    strbuf_fini(&pr->tosock);
    free(pr);
}

static void
spdy_out(const uint8_t *buf, size_t len, void *arg)
{
    struct pfspdy *x = arg;
    if (x->ws != NULL)
        ksim_ws_send(x->ws, WSLAY_BINARY_FRAME, NULL, 0, buf, len);
    else
        strbuf_appendn(&x->out, (const char *)buf, len);
}

static struct pair *
pair_by_stream(struct pfspdy *x, uint32_t id, bool *is_data)
{
    for (size_t i = 0; i < x->pairs.n; i++) {
        struct pair *p = vec_at(&x->pairs, i);
        if (p->data_id == id || p->err_id == id) {
            *is_data = p->data_id == id;
            return p;
        }
    }
    return NULL;
}

static void
pair_end(struct pfspdy *x, struct pair *p, const char *error_text)
{
    if (p->ended)
        return;
    p->ended = true;
    if (error_text != NULL && p->err_id)
        ksim_spdy_data(x->spdy, p->err_id, error_text, strlen(error_text), false);
    /* the kubelet's defers: close (half-close) the data stream, then the error stream */
    if (p->data_id)
        ksim_spdy_data(x->spdy, p->data_id, NULL, 0, true);
    if (p->err_id)
        ksim_spdy_data(x->spdy, p->err_id, NULL, 0, true);
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static void
pair_start(struct pfspdy *x, struct pair *p)
{
    p->fd = dial(x->s, p->port);
    if (p->fd < 0) {
        char msg[1024];
        dial_error(x->s, p->port, errno, msg, sizeof msg);
        pair_end(x, p, msg);
    }
}

static const char *
hdr(const struct ksim_spdy_hdr *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

static void
on_syn(uint32_t id, const struct ksim_spdy_hdr *h, size_t n, void *arg)
{
    struct pfspdy *x = arg;
    ksim_spdy_reply(x->spdy, id);
    const char *type = hdr(h, n, "streamtype");
    const char *port = hdr(h, n, "port");
    const char *req = hdr(h, n, "requestid");
    long pn = port ? strtol(port, NULL, 10) : 0;
    if (type == NULL || (strcmp(type, "data") != 0 && strcmp(type, "error") != 0) || pn < 1 ||
        pn > 65535) {
        ksim_spdy_rst(x->spdy, id, 1 /* PROTOCOL_ERROR */);
        return;
    }
    char rid[64];
    if (req != NULL)
        snprintf(rid, sizeof rid, "%.63s", req);
    else /* an old client: the kubelet's stream-id guess */
        snprintf(rid, sizeof rid, "%u", strcmp(type, "error") == 0 ? id : id - 2);
    struct pair *p = NULL;
    for (size_t i = 0; i < x->pairs.n && p == NULL; i++) {
        struct pair *q = vec_at(&x->pairs, i);
        if (!q->ended && strcmp(q->reqid, rid) == 0)
            p = q;
    }
    if (p == NULL) {
        p = xcalloc(1, sizeof *p);
        memcpy(p->reqid, rid, sizeof rid);
        p->fd = -1;
        p->port = (int)pn;
        strbuf_init(&p->tosock);
        vec_push(&x->pairs, p);
    }
    if (strcmp(type, "data") == 0)
        p->data_id = id;
    else
        p->err_id = id;
    if (p->data_id && p->err_id)
        pair_start(x, p);
}

static void
on_data(uint32_t id, const uint8_t *buf, size_t len, bool fin, void *arg)
{
    struct pfspdy *x = arg;
    bool is_data = false;
    struct pair *p = pair_by_stream(x, id, &is_data);
    if (p == NULL || !is_data || p->ended)
        return;
    if (len > 0)
        strbuf_appendn(&p->tosock, (const char *)buf, len);
    if (fin)
        p->client_fin = true;
}

static void
on_rst(uint32_t id, void *arg)
{
    struct pfspdy *x = arg;
    bool is_data = false;
    struct pair *p = pair_by_stream(x, id, &is_data);
    if (p != NULL && is_data && p->fd >= 0) {
        /* kubectl resets the data stream once it is done with a connection */
        close(p->fd);
        p->fd = -1;
        p->ended = true;
    }
}

static void
on_goaway(void *arg)
{
    ((struct pfspdy *)arg)->goaway = true;
}

static void
on_tunnel_msg(struct ksim_ws *ws, int opcode, const uint8_t *msg, size_t len, void *arg)
{
    struct pfspdy *x = arg;
    struct pxerr err = {0};
    if (opcode != WSLAY_BINARY_FRAME || x->goaway)
        return;
    if (ksim_spdy_feed(x->spdy, msg, len, &err) != 0) {
        fprintf(stderr, "kubesim: port-forward %s/%s: %s\n", x->s->ns, x->s->pod, err.msg);
        ksim_spdy_goaway(x->spdy);
        ksim_ws_close(ws, 1002, "malformed SPDY frame");
        x->goaway = true;
    }
}

static void
reap_pairs(struct pfspdy *x)
{
    for (size_t i = 0; i < x->pairs.n;) {
        struct pair *p = vec_at(&x->pairs, i);
        if (p->ended && p->fd < 0)
            pair_free(vec_take(&x->pairs, i));
        else
            i++;
    }
}

void
ksim_pf_spdy_run(struct ksim_stream *s, struct ksim_ws *ws, int fd, const char *extra,
                 size_t extra_len)
{
    static const struct ksim_spdy_events ev = {
        .syn_stream = on_syn, .data = on_data, .rst = on_rst, .goaway = on_goaway};
    struct pfspdy x = {.s = s, .ws = ws, .fd = fd};
    strbuf_init(&x.out);
    vec_init(&x.pairs, pair_free);
    x.spdy = ksim_spdy_new(&ev, spdy_out, &x);
    struct pxerr err = {0};
    if (ws != NULL) {
        ksim_ws_set_handler(ws, on_tunnel_msg, &x);
    } else {
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (extra_len > 0 && ksim_spdy_feed(x.spdy, (const uint8_t *)extra, extra_len, &err) != 0)
            x.goaway = true;
    }
    bool client_gone = false;
    while (!x.goaway) {
        struct pollfd p[1 + 64];
        struct pair *who[64];
        nfds_t n = 0;
        if (ws != NULL) {
            ksim_ws_pollfd(ws, &p[n++]);
        } else {
            p[n++] =
                (struct pollfd){.fd = fd, .events = (short)(POLLIN | (x.out.len ? POLLOUT : 0))};
        }
        size_t backlog = ws ? ksim_ws_backlog(ws) : x.out.len;
        for (size_t i = 0; i < x.pairs.n && n < 65; i++) {
            struct pair *pr = vec_at(&x.pairs, i);
            if (pr->fd < 0)
                continue;
            short evs =
                (short)((backlog < BACKLOG_MAX ? POLLIN : 0) | (pr->tosock.len ? POLLOUT : 0));
            who[n - 1] = pr;
            p[n++] = (struct pollfd){.fd = pr->fd, .events = evs};
        }
        if (poll(p, n, 100) < 0 && errno != EINTR)
            break;
        if (ws != NULL) {
            if (ksim_ws_io(ws, p[0].revents) != 0) {
                client_gone = true;
                break;
            }
        } else {
            if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                uint8_t buf[CHUNK];
                ssize_t r = recv(fd, buf, sizeof buf, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                    client_gone = true;
                    break;
                }
                if (r > 0 && ksim_spdy_feed(x.spdy, buf, (size_t)r, &err) != 0) {
                    fprintf(stderr, "kubesim: port-forward %s/%s: %s\n", s->ns, s->pod, err.msg);
                    ksim_spdy_goaway(x.spdy);
                    x.goaway = true;
                }
            }
            if (x.out.len && !flush_sock(fd, &x.out)) {
                client_gone = true;
                break;
            }
        }
        for (nfds_t k = 1; k < n; k++) {
            struct pair *pr = who[k - 1];
            if (pr->fd < 0)
                continue; /* reset while we polled */
            if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[CHUNK];
                ssize_t r = recv(pr->fd, buf, sizeof buf, 0);
                if (r > 0) {
                    ksim_spdy_data(x.spdy, pr->data_id, buf, (size_t)r, false);
                } else if (r == 0) {
                    pair_end(&x, pr, NULL); /* EOF from the pod: the streams just close */
                    continue;
                } else if (errno != EAGAIN && errno != EINTR) {
                    char msg[1024];
                    copy_error(s, pr->port, errno, msg, sizeof msg);
                    pair_end(&x, pr, msg);
                    continue;
                }
            }
            if (pr->tosock.len && !flush_sock(pr->fd, &pr->tosock)) {
                char msg[1024];
                copy_error(s, pr->port, errno, msg, sizeof msg);
                pair_end(&x, pr, msg);
                continue;
            }
            if (pr->client_fin && pr->tosock.len == 0)
                shutdown(pr->fd, SHUT_WR);
        }
        /* data that came in for pairs without a socket yet has nowhere to go */
        for (size_t i = 0; i < x.pairs.n; i++) {
            struct pair *pr = vec_at(&x.pairs, i);
            if (pr->fd >= 0 && pr->tosock.len)
                (void)flush_sock(pr->fd, &pr->tosock);
        }
        reap_pairs(&x);
        if (ksim_stream_stopping(s)) {
            ksim_spdy_goaway(x.spdy);
            if (ws)
                ksim_ws_close(ws, 1001, "server shutting down");
            client_gone = ws != NULL;
            break;
        }
    }
    if (ws == NULL && x.out.len)
        (void)flush_sock(fd, &x.out); /* a last GOAWAY, best effort */
    if (ws != NULL && !client_gone)
        ksim_ws_close(ws, 1000, "");
    if (ws != NULL)
        ksim_ws_set_handler(ws, NULL, NULL);
    vec_fini(&x.pairs);
    ksim_spdy_free(x.spdy);
    strbuf_fini(&x.out);
}
