/* kube_relay: a loopback listener whose connections each become one port-forward stream. It
 * is the glue between a blocking client that wants host:port (the MySQL worker) and the API
 * server's streams: libuv TCP on one side, kube_pf on the other, on the same loop. It keeps
 * no per-pod state beyond the names: every connection asks the API server for the pod again.
 *
 * Back-pressure: bytes read from the client go into the stream's queue; above
 * KUBE_WS_HIGH_WATER the client is no longer read until the queue drains. Bytes from the pod
 * go into libuv's write queue; above the same mark the stream is paused. So one connection
 * holds at most a few MB however fast either side is. */
#include "kube/kube_relay.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"
#include "kube/kube_pf.h"
#include "kube/kube_ws.h"

#define READ_BUF (64u << 10)

struct rconn {
    struct kube_relay *r;
    uv_tcp_t tcp;
    struct kube_pf *pf;   /* NULL once its stream ended */
    size_t write_pending; /* bytes in libuv's write queue */
    bool pf_paused;       /* the pod's bytes wait for the client to read */
    bool local_paused;    /* the client's bytes wait for the stream's queue */
    bool local_eof;
    bool ready;     /* the stream is upgraded and the pod's port announced */
    uint64_t t0_ms; /* accepted at (mono) */
    bool closing;
    struct rconn *prev, *next;
};

struct rwrite {
    uv_write_t req;
    struct rconn *c;
    size_t len;
    char data[]; /* the bytes, owned */
};

struct kube_relay {
    struct kube_client *kc;
    struct kube_life *life; /* a reference: kc may go first (then life->dead) */
    uv_loop_t *loop;
    char *ns, *pod;
    int port;
    int open_timeout_ms;
    kube_relay_error_cb *on_error;
    void *arg;
    uv_tcp_t listener;
    int local_port;
    struct rconn *conns;
    struct kube_relay_stats st;
    char err[256];
    int err_code;
    int n_handles; /* listener + connections */
    bool freeing;
};

static void
relay_release(struct kube_relay *r)
{
    if (r->freeing && r->n_handles == 0) {
        if (--r->life->refs == 0)
            free(r->life);
        free(r->ns);
        free(r->pod);
        free(r);
    }
}

/* ------------------------------------------------------------ connections */

static void
on_conn_closed(uv_handle_t *h)
{
    struct rconn *c = h->data;
    struct kube_relay *r = c->r;
    if (c->prev)
        c->prev->next = c->next;
    else
        r->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
    r->n_handles--;
    relay_release(r);
}

static void
conn_close(struct rconn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    c->r->st.n_open--;
    if (c->pf != NULL && !c->r->life->dead) /* the client frees its streams when it goes */
        kube_pf_abort(c->pf);
    c->pf = NULL;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void
on_write(uv_write_t *req, int status)
{
    struct rwrite *w = (struct rwrite *)req;
    struct rconn *c = w->c;
    c->write_pending -= w->len;
    free(w);
    if (c->closing)
        return;
    if (status < 0) { /* the client went away */
        conn_close(c);
        return;
    }
    if (c->pf_paused && c->write_pending < KUBE_WS_LOW_WATER && c->pf != NULL &&
        !c->r->life->dead) {
        c->pf_paused = false;
        kube_pf_pause(c->pf, false);
    }
    if (c->pf == NULL && c->write_pending == 0)
        conn_close(c); /* the pod's side ended and everything it sent is written */
}

static void
on_pf_data(struct kube_pf *pf, const uint8_t *data, size_t len, void *arg)
{
    struct rconn *c = arg;
    struct kube_relay *r = c->r;
    (void)pf;
    r->st.bytes_from_pod += len;
    r->st.last_ok_ms = (int64_t)clock_mono_ms();
    r->err[0] = '\0';
    r->err_code = 0;
    struct rwrite *w = xmalloc(sizeof *w + len);
    w->c = c;
    w->len = len;
    memcpy(w->data, data, len);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
    c->write_pending += len;
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (rc != 0) {
        c->write_pending -= len;
        free(w);
        conn_close(c);
        return;
    }
    if (c->write_pending > KUBE_WS_HIGH_WATER && !c->pf_paused) {
        c->pf_paused = true;
        kube_pf_pause(c->pf, true);
    }
}

static void on_local_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

static void
local_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = xmalloc(READ_BUF);
    buf->len = READ_BUF;
}

static void
on_pf_drain(struct kube_pf *pf, void *arg)
{
    struct rconn *c = arg;
    (void)pf;
    if (c->local_paused && !c->local_eof && !c->closing) {
        c->local_paused = false;
        uv_read_start((uv_stream_t *)&c->tcp, local_alloc, on_local_read);
    }
}

static void
on_pf_ready(struct kube_pf *pf, void *arg)
{
    struct rconn *c = arg;
    (void)pf;
    c->ready = true;
}

static void
record_error(struct kube_relay *r, int code, const char *msg)
{
    r->st.n_failed++;
    r->st.last_error_ms = (int64_t)clock_mono_ms();
    snprintf(r->err, sizeof r->err, "%s", msg);
    r->err_code = code;
}

/* The client left before the API server opened its stream: a hung or overloaded API server
 * shows up as nothing else (the client only sees its own timeout). */
static void
gave_up(struct rconn *c)
{
    struct kube_relay *r = c->r;
    if (c->ready || c->pf == NULL)
        return;
    char msg[256];
    snprintf(msg, sizeof msg,
             "no answer from the API server for pods/portforward of pod %s/%s "
             "within %llu ms (the client gave up): is the API server hung or overloaded?",
             r->ns, r->pod, (unsigned long long)(clock_mono_ms() - c->t0_ms));
    record_error(r, PXE_TIMEOUT, msg);
    if (r->on_error)
        r->on_error(r, PXE_TIMEOUT, r->err, r->arg);
}

static void
on_pf_end(struct kube_pf *pf, int status, const struct pxerr *err, void *arg)
{
    struct rconn *c = arg;
    struct kube_relay *r = c->r;
    (void)pf;
    c->pf = NULL;
    if (status != 0 && status != PXE_CANCELLED) {
        record_error(r, status, err->msg);
        conn_close(c); /* the client sees its connection lost; the relay says why */
        if (r->on_error)
            r->on_error(r, status, r->err, r->arg);
        return;
    }
    if (c->write_pending == 0)
        conn_close(c);
}

static void
on_local_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct rconn *c = s->data;
    if (c->r->life->dead) { /* the client was stopped under the relay: its streams are gone */
        free(buf->base);
        c->pf = NULL;
        conn_close(c);
        return;
    }
    if (n > 0 && c->pf != NULL) {
        struct pxerr e;
        c->r->st.bytes_to_pod += (uint64_t)n;
        if (kube_pf_write(c->pf, buf->base, (size_t)n, &e) < 0) {
            free(buf->base);
            conn_close(c);
            return;
        }
        if (kube_pf_queued(c->pf) > KUBE_WS_HIGH_WATER) {
            c->local_paused = true;
            uv_read_stop(s);
        }
    }
    free(buf->base);
    if (n < 0)
        gave_up(c);
    if (n == UV_EOF) {
        /* The client closed its side: end the stream once its bytes are written. */
        c->local_eof = true;
        uv_read_stop(s);
        if (c->pf != NULL)
            kube_pf_close(c->pf);
        else if (c->write_pending == 0)
            conn_close(c);
    } else if (n < 0) {
        conn_close(c);
    }
}

static void
on_accept(uv_stream_t *server, int status)
{
    struct kube_relay *r = server->data;
    if (status < 0 || r->freeing)
        return;
    struct rconn *c = xcalloc(1, sizeof *c);
    c->r = r;
    uv_tcp_init(r->loop, &c->tcp);
    c->tcp.data = c;
    r->n_handles++;
    c->next = r->conns;
    if (r->conns)
        r->conns->prev = c;
    r->conns = c;
    r->st.n_open++;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    r->st.n_accepted++;
    c->t0_ms = clock_mono_ms();
    if (r->life->dead) { /* the client was stopped first: no stream can be opened */
        record_error(r, PXE_CANCELLED, "port-forward: the cluster's client is stopped");
        conn_close(c);
        return;
    }
    (void)uv_tcp_nodelay(&c->tcp, 1); /* best effort: a status round is many small packets */
    struct kube_pf_opts po = {
        .ns = r->ns,
        .pod = r->pod,
        .port = r->port,
        .open_timeout_ms = r->open_timeout_ms,
        .on_ready = on_pf_ready,
        .on_data = on_pf_data,
        .on_drain = on_pf_drain,
        .on_end = on_pf_end,
        .arg = c,
    };
    struct pxerr e;
    if (kube_pf_open(r->kc, &po, &c->pf, &e) < 0) {
        c->pf = NULL;
        record_error(r, e.code, e.msg);
        conn_close(c);
        if (r->on_error)
            r->on_error(r, e.code, r->err, r->arg);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, local_alloc, on_local_read);
}

/* ------------------------------------------------------------ public */

static void
on_listener_closed(uv_handle_t *h)
{
    struct kube_relay *r = h->data;
    r->n_handles--;
    relay_release(r);
}

int
kube_relay_start(struct kube_client *kc, const struct kube_relay_opts *o, struct kube_relay **out,
                 struct pxerr *err)
{
    if (o->ns == NULL || o->pod == NULL || o->port < 1 || o->port > 65535 || o->local_port < 0 ||
        o->local_port > 65535)
        return pxerr_set(err, PXE_INVAL, "kube_relay: namespace, pod and a port are needed");
    if (kube_name_check_ns(o->ns, err) < 0 || kube_name_check(o->pod, err) < 0)
        return PXE_INVAL;
    struct kube_relay *r = xcalloc(1, sizeof *r);
    r->kc = kc;
    r->life = kc->life;
    r->life->refs++;
    r->loop = kc->loop;
    r->ns = xstrdup(o->ns);
    r->pod = xstrdup(o->pod);
    r->port = o->port;
    r->open_timeout_ms = o->open_timeout_ms;
    r->on_error = o->on_error;
    r->arg = o->arg;
    uv_tcp_init(r->loop, &r->listener);
    r->listener.data = r;
    r->n_handles = 1;
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", o->local_port, &sa);
    int rc = uv_tcp_bind(&r->listener, (const struct sockaddr *)&sa, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&r->listener, 64, on_accept);
    if (rc != 0) {
        pxerr_set(err, PXE_CONN, "port-forward to pod %s/%s: cannot listen on 127.0.0.1:%d: %s",
                  o->ns, o->pod, o->local_port, uv_strerror(rc));
        r->freeing = true;
        uv_close((uv_handle_t *)&r->listener, on_listener_closed);
        return PXE_CONN;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&r->listener, (struct sockaddr *)&ss, &len);
    r->local_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    *out = r;
    return 0;
}

void
kube_relay_free(struct kube_relay *r)
{
    if (r == NULL || r->freeing)
        return;
    r->freeing = true;
    for (struct rconn *c = r->conns; c; c = c->next)
        conn_close(c);
    uv_close((uv_handle_t *)&r->listener, on_listener_closed);
}

int
kube_relay_port(const struct kube_relay *r)
{
    return r->local_port;
}

void
kube_relay_stats(const struct kube_relay *r, struct kube_relay_stats *out)
{
    *out = r->st;
}

const char *
kube_relay_error(const struct kube_relay *r, int *code)
{
    if (code)
        *code = r->err_code;
    return r->err;
}
