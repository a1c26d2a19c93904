/* probe_tcp: resolve (system resolver, off the loop through uv_getaddrinfo) and connect,
 * timing the connect alone. Refused (nothing listens), unreachable (no route) and
 * timeout (packets dropped, e.g. a listener whose backlog is full or a firewall) are
 * told apart, because each points somewhere else. The MySQL probe reuses the connect. */
#include "probe/probe_internal.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

void probe__mysql_connected(struct probe *p); /* probe_mysql.c */

static void
on_connect(uv_connect_t *req, int status)
{
    struct probe *p = req->data;
    if (p->done)
        return;
    /* start_ms was reset when the connect began: this is the connect time alone. */
    double ms = (double)(clock_mono_ms() - p->start_ms);
    if (status == 0) {
        if (p->r.kind == PROBE_MYSQL) {
            probe__mysql_connected(p);
            return;
        }
        snprintf(p->r.detail, sizeof p->r.detail, "connected to %s:%d in %.1f ms", p->r.addr_used,
                 p->port, ms);
        probe__finish(p, PROBE_OK, "open (connect %.1f ms)", ms);
        return;
    }
    const char *kind = "error", *words = uv_strerror(status);
    if (status == UV_ECONNREFUSED) {
        kind = "refused";
        words = "connection refused: nothing listens on that port";
    } else if (status == UV_ENETUNREACH || status == UV_EHOSTUNREACH) {
        kind = "unreachable";
        words = "no route to the address";
    } else if (status == UV_ETIMEDOUT) {
        kind = "timeout";
        words = "connect timed out";
    } else if (status == UV_ECANCELED) {
        return;
    }
    snprintf(p->r.error_kind, sizeof p->r.error_kind, "%s", kind);
    snprintf(p->r.detail, sizeof p->r.detail, "%s:%d: %s (%s)", p->r.addr_used, p->port, words,
             uv_err_name(status));
    probe__finish(p, PROBE_FAIL, "%s", words);
}

void
probe__tcp_connect(struct probe *p)
{
    /* addr_used holds the numeric address by now. */
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (uv_ip4_addr(p->r.addr_used, p->port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(p->r.addr_used, p->port, (struct sockaddr_in6 *)&ss) != 0) {
        probe__finish(p, PROBE_FAIL, "'%s' is not an address", p->r.addr_used);
        return;
    }
    uv_tcp_init(p->loop, &p->tcp);
    p->tcp.data = p;
    p->tcp_init = true;
    p->open_handles++;
    p->conn.data = p;
    p->start_ms = clock_mono_ms(); /* time the connect alone */
    int rc = uv_tcp_connect(&p->conn, &p->tcp, (const struct sockaddr *)&ss, on_connect);
    if (rc != 0) {
        snprintf(p->r.error_kind, sizeof p->r.error_kind, "%s",
                 rc == UV_ENETUNREACH ? "unreachable" : "error");
        probe__finish(p, PROBE_FAIL, "cannot connect to %s:%d: %s", p->r.addr_used, p->port,
                      uv_strerror(rc));
    }
}

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct probe *p = req->data;
    p->gai_pending = false;
    if (p->done) {
        uv_freeaddrinfo(res);
        probe__maybe_free(p);
        return;
    }
    if (status != 0 || res == NULL) {
        snprintf(p->r.error_kind, sizeof p->r.error_kind, "resolve");
        snprintf(p->r.detail, sizeof p->r.detail, "resolving %s: %s", p->host,
                 uv_strerror(status));
        probe__finish(p, PROBE_FAIL, "%s does not resolve (%s)", p->host,
                      status == UV_EAI_NONAME ? "unknown host" : uv_err_name(status));
        uv_freeaddrinfo(res);
        return;
    }
    uv_ip_name(res->ai_addr, p->r.addr_used, sizeof p->r.addr_used);
    uv_freeaddrinfo(res);
    probe__tcp_connect(p);
}

/* Shared by TCP and MySQL: resolve if needed, then connect. */
int
probe__tcp_begin(struct probe *p, struct pxerr *err)
{
    struct sockaddr_in6 a6;
    struct sockaddr_in a4;
    if (uv_ip4_addr(p->host, p->port, &a4) == 0 || uv_ip6_addr(p->host, p->port, &a6) == 0) {
        snprintf(p->r.addr_used, sizeof p->r.addr_used, "%s", p->host);
        probe__tcp_connect(p);
        return 0;
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    p->gai.data = p;
    int rc = uv_getaddrinfo(p->loop, &p->gai, on_resolved, p->host, NULL, &hints);
    if (rc != 0)
        return pxerr_set(err, PXE_DNS, "cannot resolve '%s': %s", p->host, uv_strerror(rc));
    p->gai_pending = true;
    return 0;
}

int
probe__connect_start(uv_loop_t *loop, enum probe_kind kind, int dflt_port, const char *target,
                     const struct probe_opts *o, probe_cb *cb, void *arg, struct probe **out,
                     struct pxerr *err)
{
    char host[256];
    int port, rc;
    if ((rc = probe_split_target(target, dflt_port, host, sizeof host, &port, err)) != 0)
        return rc;
    struct probe *p = probe__new(loop, kind, target, o, cb, arg);
    snprintf(p->host, sizeof p->host, "%s", host);
    p->port = port;
    if ((rc = probe__tcp_begin(p, err)) != 0) {
        probe__abort(p);
        return rc;
    }
    if (out != NULL)
        *out = p;
    return 0;
}

int
probe_tcp_start(uv_loop_t *loop, const char *target, const struct probe_opts *o, probe_cb *cb,
                void *arg, struct probe **out, struct pxerr *err)
{
    return probe__connect_start(loop, PROBE_TCP, 0, target, o, cb, arg, out, err);
}
