/* probe_dns: one A-record query through c-ares, driven by the libuv loop (c-ares tells
 * which sockets to watch through its socket-state callback; a timer covers its own
 * retransmission timeouts). A query rather than getaddrinfo, so the result carries the
 * TTL, the server asked and the DNS answer code: NXDOMAIN (the name does not exist),
 * SERVFAIL, REFUSED and no answer at all are different problems at 3 a.m. */
#include "probe/probe_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

#ifdef PXC_HAVE_CARES
#include <ares_nameser.h>

static void ares_process_and_rearm(struct probe *p);

static void
on_sock_poll(uv_poll_t *h, int status, int events)
{
    struct probe *p = h->data;
    int fd = -1;
    for (int i = 0; i < PROBE_MAX_SOCKS; i++)
        if (&p->socks[i].poll == h)
            fd = p->socks[i].fd;
    if (fd < 0 || !p->ares_live)
        return;
    ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
    if (status < 0 || (events & UV_READABLE))
        rfd = fd;
    if (status < 0 || (events & UV_WRITABLE))
        wfd = fd;
    p->in_ares = true;
    ares_process_fd(p->ares, rfd, wfd);
    probe__ares_leave(p);
    ares_process_and_rearm(p);
}

static void
on_ares_timer(uv_timer_t *t)
{
    struct probe *p = t->data;
    if (!p->ares_live)
        return;
    p->in_ares = true;
    ares_process_fd(p->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    probe__ares_leave(p);
    ares_process_and_rearm(p);
}

static void
ares_process_and_rearm(struct probe *p)
{
    if (!p->ares_live || p->done)
        return;
    struct timeval tv, *tvp = ares_timeout(p->ares, NULL, &tv);
    if (tvp != NULL)
        uv_timer_start(&p->ares_timer, on_ares_timer,
                       (uint64_t)tvp->tv_sec * 1000 + (uint64_t)tvp->tv_usec / 1000 + 1, 0);
}

static void
on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct probe *p = data;
    int slot = -1;
    for (int i = 0; i < PROBE_MAX_SOCKS; i++)
        if (p->socks[i].fd == fd)
            slot = i;
    if (!readable && !writable) {
        if (slot >= 0) {
            uv_poll_stop(&p->socks[slot].poll);
            p->socks[slot].active = false;
        }
        return;
    }
    if (slot < 0) {
        for (int i = 0; i < PROBE_MAX_SOCKS && slot < 0; i++)
            if (p->socks[i].fd < 0 && p->socks[i].poll.loop == NULL)
                slot = i;
        if (slot < 0)
            return; /* more sockets than a single query uses; c-ares times it out */
        uv_poll_init_socket(p->loop, &p->socks[slot].poll, fd);
        p->socks[slot].poll.data = p;
        p->socks[slot].fd = fd;
        p->open_handles++;
    }
    p->socks[slot].active = true;
    uv_poll_start(&p->socks[slot].poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0),
                  on_sock_poll);
}

static const char *
rcode_of(int status)
{
    switch (status) {
    case ARES_SUCCESS:
        return "NOERROR";
    case ARES_ENOTFOUND:
        return "NXDOMAIN";
    case ARES_ENODATA:
        return "NODATA";
    case ARES_ESERVFAIL:
        return "SERVFAIL";
    case ARES_EREFUSED:
        return "REFUSED";
    case ARES_ETIMEOUT:
        return "TIMEOUT";
    case ARES_ECONNREFUSED:
        return "CONNREFUSED";
    }
    return "ERROR";
}

static void
on_query(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct probe *p = arg;
    (void)timeouts;
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || p->done)
        return;
    snprintf(p->r.rcode, sizeof p->r.rcode, "%s", rcode_of(status));
    if (status != ARES_SUCCESS) {
        const char *why;
        switch (status) {
        case ARES_ENOTFOUND:
            why = "the name does not exist (NXDOMAIN)";
            break;
        case ARES_ENODATA:
            why = "the name exists but has no IPv4 address (NODATA)";
            break;
        case ARES_ESERVFAIL:
            why = "the server failed to answer (SERVFAIL)";
            break;
        case ARES_EREFUSED:
            why = "the server refused the query (REFUSED)";
            break;
        case ARES_ETIMEOUT:
        case ARES_ECONNREFUSED:
            why = "no DNS server answered";
            break;
        default:
            why = ares_strerror(status);
        }
        snprintf(p->r.detail, sizeof p->r.detail, "server %s: %s", p->r.server, why);
        probe__finish(p, status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED ? PROBE_TIMEOUT
                                                                                : PROBE_FAIL,
                      "%s", why);
        return;
    }
    struct ares_addrttl ttls[PROBE_MAX_ADDRS];
    int n = PROBE_MAX_ADDRS;
    int rc = ares_parse_a_reply(abuf, alen, NULL, ttls, &n);
    if (rc != ARES_SUCCESS) {
        snprintf(p->r.rcode, sizeof p->r.rcode, "%s", rc == ARES_ENODATA ? "NODATA" : "ERROR");
        probe__finish(p, PROBE_FAIL, "%s",
                      rc == ARES_ENODATA ? "the name exists but has no IPv4 address (NODATA)"
                                         : ares_strerror(rc));
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    p->r.n_addrs = n;
    for (int i = 0; i < n; i++) {
        inet_ntop(AF_INET, &ttls[i].ipaddr, p->r.addrs[i], sizeof p->r.addrs[i]);
        if (p->r.ttl_s < 0 || ttls[i].ttl < p->r.ttl_s)
            p->r.ttl_s = ttls[i].ttl;
        strbuf_appendf(&sb, "%s%s", i ? ", " : "", p->r.addrs[i]);
    }
    snprintf(p->r.detail, sizeof p->r.detail, "server %s answered A %s (TTL %d s)", p->r.server,
             sb.s, p->r.ttl_s);
    probe__finish(p, PROBE_OK, "resolves to %s", sb.s);
    strbuf_fini(&sb);
}

int
probe_dns_start(uv_loop_t *loop, const char *host, const struct probe_opts *o, probe_cb *cb,
                void *arg, struct probe **out, struct pxerr *err)
{
    if (host == NULL || host[0] == '\0' || strlen(host) > 253)
        return pxerr_set(err, PXE_USAGE, "DNS probe: give a host name (at most 253 characters)");
    struct ares_options ao;
    memset(&ao, 0, sizeof ao);
    int timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 3000;
    struct probe *p = probe__new(loop, PROBE_DNS, host, o, cb, arg);
    ao.sock_state_cb = on_sock_state;
    ao.sock_state_cb_data = p;
    ao.timeout = timeout_ms / 3 > 200 ? timeout_ms / 3 : 200;
    ao.tries = 3;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    int rc = ares_init_options(&p->ares, &ao, mask);
    if (rc != ARES_SUCCESS) {
        probe__abort(p);
        return pxerr_set(err, PXE_DNS, "DNS probe: cannot initialise the resolver: %s",
                         ares_strerror(rc));
    }
    p->ares_live = true;
    uv_timer_init(loop, &p->ares_timer);
    p->ares_timer.data = p;
    p->open_handles++;
    if (o != NULL && o->dns_server != NULL) {
        rc = ares_set_servers_ports_csv(p->ares, o->dns_server);
        if (rc != ARES_SUCCESS) {
            probe__abort(p);
            return pxerr_set(err, PXE_INVAL, "DNS probe: --server '%s' is not IP[:PORT]",
                             o->dns_server);
        }
        snprintf(p->r.server, sizeof p->r.server, "%s", o->dns_server);
    } else {
        struct ares_addr_port_node *servers = NULL;
        if (ares_get_servers_ports(p->ares, &servers) == ARES_SUCCESS && servers != NULL) {
            char ip[46] = "";
            if (servers->family == AF_INET)
                inet_ntop(AF_INET, &servers->addr.addr4, ip, sizeof ip);
            else
                inet_ntop(AF_INET6, &servers->addr.addr6, ip, sizeof ip);
            snprintf(p->r.server, sizeof p->r.server, "%s (system resolver)", ip);
        } else {
            snprintf(p->r.server, sizeof p->r.server, "system resolver");
        }
        ares_free_data(servers);
    }
    if (out != NULL)
        *out = p;
    p->in_ares = true;
    ares_query(p->ares, host, ns_c_in, ns_t_a, on_query, p);
    probe__ares_leave(p);
    if (!p->done)
        ares_process_and_rearm(p);
    return 0;
}

#else

int
probe_dns_start(uv_loop_t *loop, const char *host, const struct probe_opts *o, probe_cb *cb,
                void *arg, struct probe **out, struct pxerr *err)
{
    (void)loop, (void)host, (void)o, (void)cb, (void)arg, (void)out;
    return pxerr_set(err, PXE_UNSUPPORTED,
                     "DNS probe: this build has no c-ares (install libc-ares-dev and rebuild)");
}

#endif
