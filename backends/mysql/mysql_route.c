/* mysql_route: the decision pod IP or port-forward, per pod, and the relays it needs. The
 * decision is a plain TCP connect to the pod IP with a short timeout (a laptop's route to a
 * cluster's pod network either accepts at once, refuses, or drops the SYN until the
 * timeout); it is made once per pod IP, because a refused connect cannot tell a missing route
 * from a stopped server, and flipping a healthy cluster's pods to port-forward whenever one
 * server restarts would be wrong. A re-created pod gets a new IP and a new decision.
 *
 * The probe opens a TCP connection and closes it before the MySQL handshake, which MySQL
 * counts as one aborted connect per decision: a handful per pod's life, far below
 * max_connect_errors.
 *
 * Deliberately not here: reading MySQL (mysql_poll.c, mysqlc.c) and the streams themselves
 * (backends/kube/kube_relay.c, kube_pf.c). */
#include "mysql/mysql_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vec.h"
#include "xmalloc.h"
#include "kube/kube_relay.h"

struct probe;

struct rentry {
    struct mysql_route *r;
    char *ns, *name;
    char ip[46];
    int port;
    const char *route;        /* decided, NULL: not yet */
    struct probe *probe;      /* the pod IP being tried, NULL none */
    struct kube_relay *relay; /* port-forward, NULL none */
    char host[64];
    int hport;
    char ip_why[64]; /* why the pod IP was passed over (auto), "" when it was not */
    bool seen;       /* picked since the last sweep */
};

struct probe {
    uv_tcp_t tcp;
    uv_connect_t conn;
    uv_timer_t timer;
    struct rentry *e; /* NULL once its entry went away */
    int n_open;       /* handles not closed yet */
    bool done;
};

struct mysql_route {
    uv_loop_t *loop;
    enum config_mysql_mode mode;
    struct kube_client *kc;
    int probe_ms;
    int open_timeout_ms;
    int local_port;
    char *cluster;
    mysql_route_ready_cb *on_ready;
    void *arg;
    struct vec entries; /* owned struct rentry * */
};

/* ------------------------------------------------------------ probes */

static void
on_probe_closed(uv_handle_t *h)
{
    struct probe *p = h->data;
    if (--p->n_open == 0)
        free(p);
}

static void
probe_close(struct probe *p)
{
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->tcp, on_probe_closed);
    uv_close((uv_handle_t *)&p->timer, on_probe_closed);
}

static void ensure_relay(struct rentry *e);

/* The pod IP answered (ok) or not: decide, and tell the poller. */
static void
probe_done(struct probe *p, bool ok, const char *why)
{
    if (p->done)
        return;
    p->done = true;
    struct rentry *e = p->e;
    probe_close(p);
    if (e == NULL)
        return; /* the pod went away meanwhile */
    e->probe = NULL;
    struct mysql_route *r = e->r;
    snprintf(e->ip_why, sizeof e->ip_why, "%s", ok ? "" : why);
    if (ok) {
        e->route = MYSQL_ROUTE_POD_IP;
        snprintf(e->host, sizeof e->host, "%s", e->ip);
        e->hport = e->port;
    } else {
        log_info("cluster %s: pod %s/%s: %s:%d %s: MySQL through port-forward", r->cluster, e->ns,
                 e->name, e->ip, e->port, why);
        ensure_relay(e);
    }
    if (r->on_ready)
        r->on_ready(r->arg);
}

static void
on_probe_connect(uv_connect_t *req, int status)
{
    struct probe *p = req->data;
    if (status == UV_ECANCELED)
        return; /* closed by the timer or the route */
    /* uv_strerror of a code it does not know (0 included) leaks its text: ask only on a
     * failure. */
    probe_done(p, status == 0, status == 0 ? "accepts" : uv_strerror(status));
}

static void
on_probe_timer(uv_timer_t *t)
{
    probe_done(t->data, false, "does not accept within the probe timeout");
}

static void
probe_start(struct rentry *e)
{
    struct mysql_route *r = e->r;
    struct probe *p = xcalloc(1, sizeof *p);
    p->e = e;
    uv_tcp_init(r->loop, &p->tcp);
    uv_timer_init(r->loop, &p->timer);
    p->tcp.data = p->timer.data = p->conn.data = p;
    p->n_open = 2;
    e->probe = p;
    struct sockaddr_storage ss;
    int rc = strchr(e->ip, ':') ? uv_ip6_addr(e->ip, e->port, (struct sockaddr_in6 *)&ss)
                                : uv_ip4_addr(e->ip, e->port, (struct sockaddr_in *)&ss);
    if (rc == 0)
        rc = uv_tcp_connect(&p->conn, &p->tcp, (const struct sockaddr *)&ss, on_probe_connect);
    if (rc != 0) {
        /* Not even a connect to try (a malformed address): the relay it is, decided now;
         * the poller learns it at its next pick. */
        p->done = true;
        e->probe = NULL;
        probe_close(p);
        ensure_relay(e);
        return;
    }
    uv_timer_start(&p->timer, on_probe_timer, (uint64_t)r->probe_ms, 0);
}

/* ------------------------------------------------------------ relays */

static void
ensure_relay(struct rentry *e)
{
    struct mysql_route *r = e->r;
    e->route = MYSQL_ROUTE_PORT_FORWARD;
    if (e->relay != NULL)
        return;
    struct pxerr err;
    struct kube_relay_opts o = {
        .ns = e->ns, .pod = e->name, .port = e->port, .open_timeout_ms = r->open_timeout_ms};
    int rc;
    /* portForward.localPort: the first free port from there (several pods, several
     * clusters, a kubectl port-forward of the user's own may hold some). */
    int tries = r->local_port > 0 ? 256 : 1;
    do {
        o.local_port = r->local_port > 0 ? r->local_port + 256 - tries : 0;
        rc = o.local_port <= 65535
                 ? kube_relay_start(r->kc, &o, &e->relay, &err)
                 : pxerr_set(&err, PXE_CONN, "no free port from %d", r->local_port);
    } while (rc == PXE_CONN && --tries > 0);
    if (rc < 0) {
        /* No local port to offer: the pod IP is all there is. */
        log_warn("cluster %s: %s", r->cluster, err.msg);
        e->relay = NULL;
        e->route = MYSQL_ROUTE_POD_IP;
        snprintf(e->host, sizeof e->host, "%s", e->ip);
        e->hport = e->port;
        return;
    }
    snprintf(e->host, sizeof e->host, "127.0.0.1");
    e->hport = kube_relay_port(e->relay);
}

/* ------------------------------------------------------------ entries */

static void
entry_free(void *ptr)
{
    struct rentry *e = ptr;
    if (e->probe != NULL) {
        e->probe->e = NULL;
        if (!e->probe->done) {
            e->probe->done = true;
            probe_close(e->probe);
        }
    }
    kube_relay_free(e->relay);
    free(e->ns);
    free(e->name);
    free(e);
}

static struct rentry *
entry_find(const struct mysql_route *r, const char *name)
{
    for (size_t i = 0; i < r->entries.n; i++) {
        struct rentry *e = r->entries.items[i];
        if (strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

/* ------------------------------------------------------------ public */

struct mysql_route *
mysql_route_new(uv_loop_t *loop, const struct mysql_route_opts *o)
{
    struct mysql_route *r = xcalloc(1, sizeof *r);
    r->loop = loop;
    r->mode = o->mode;
    r->kc = o->kc;
    r->probe_ms = o->probe_timeout_ms > 0 ? o->probe_timeout_ms : MYSQL_ROUTE_PROBE_MS_DEFAULT;
    r->open_timeout_ms = o->open_timeout_ms;
    r->local_port = o->local_port;
    r->cluster = xstrdup(o->cluster ? o->cluster : "?");
    r->on_ready = o->on_ready;
    r->arg = o->arg;
    vec_init(&r->entries, entry_free);
    return r;
}

void
mysql_route_free(struct mysql_route *r)
{
    if (r == NULL)
        return;
    vec_fini(&r->entries);
    free(r->cluster);
    free(r);
}

int
mysql_route_pick(struct mysql_route *r, const char *ns, const char *name, const char *pod_ip,
                 int port, struct mysql_route_pick *out)
{
    struct rentry *e = entry_find(r, name);
    if (e != NULL && (strcmp(e->ip, pod_ip) != 0 || e->port != port || strcmp(e->ns, ns) != 0)) {
        /* A re-created pod (a new IP): decide again. */
        for (size_t i = 0; i < r->entries.n; i++)
            if (r->entries.items[i] == e) {
                vec_remove(&r->entries, i);
                break;
            }
        e = NULL;
    }
    if (e == NULL) {
        e = xcalloc(1, sizeof *e);
        e->r = r;
        e->ns = xstrdup(ns);
        e->name = xstrdup(name);
        snprintf(e->ip, sizeof e->ip, "%s", pod_ip);
        e->port = port;
        vec_push(&r->entries, e);
    }
    e->seen = true;
    if (e->route == NULL && e->probe == NULL) {
        if (r->kc == NULL) {
            e->route = MYSQL_ROUTE_POD_IP; /* no API server to forward through */
            snprintf(e->host, sizeof e->host, "%s", e->ip);
            e->hport = e->port;
        } else if (r->mode == CONFIG_MYSQL_PORT_FORWARD) {
            ensure_relay(e);
        } else {
            probe_start(e);
        }
    }
    if (e->route == NULL)
        return MYSQL_ROUTE_WAIT;
    out->route = e->route;
    out->host = e->host;
    out->port = e->hport;
    return 0;
}

bool
mysql_route_explain(const struct mysql_route *r, const char *name, char *buf, size_t n)
{
    const struct rentry *e = entry_find(r, name);
    if (e == NULL || e->relay == NULL)
        return false;
    const char *msg = kube_relay_error(e->relay, NULL);
    if (msg[0] == '\0')
        return false;
    snprintf(buf, n, "%s", msg);
    return true;
}

bool
mysql_route_passed_over(const struct mysql_route *r, const char *name, char *buf, size_t n)
{
    const struct rentry *e = entry_find(r, name);
    if (e == NULL || e->ip_why[0] == '\0')
        return false;
    snprintf(buf, n, "the pod IP %s:%d: %s", e->ip, e->port, e->ip_why);
    return true;
}

void
mysql_route_sweep(struct mysql_route *r)
{
    for (size_t i = r->entries.n; i-- > 0;) {
        struct rentry *e = r->entries.items[i];
        if (!e->seen)
            vec_remove(&r->entries, i);
        else
            e->seen = false;
    }
}

int
mysql_route_relay_port(const struct mysql_route *r, const char *name)
{
    const struct rentry *e = entry_find(r, name);
    return e != NULL && e->relay != NULL ? kube_relay_port(e->relay) : 0;
}

void
mysql_route_mark(struct model *m, struct m_cluster *c, const char *server, const char *route,
                 const char *err)
{
    unsigned dirty = 0;
    struct m_server *ms = model_server_find(c, server);
    if (ms != NULL) {
        const char *e = err != NULL && err[0] ? intern_str(&m->strings, err) : NULL;
        if (ms->route != route || ms->route_error != e) {
            ms->route = route;
            ms->route_error = e;
            dirty |= DIRTY_SERVERS;
        }
    }
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, server) == 0 && ch->route != route) {
            ch->route = route;
            dirty |= DIRTY_CHANNELS;
        }
    }
    if (dirty)
        model_touch(m, dirty);
}
