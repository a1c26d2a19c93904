/* mesh: the one rule for a remote cluster's ServiceEntry endpoints (see mesh.h).
 *
 * Why node InternalIPs and nothing else: the seed's approach 1 takes them from `kubectl get
 * nodes -o wide` in the remote cluster, and its prerequisite is network connectivity between
 * the clusters' nodes. Pod IPs are routable only inside their own cluster's network, so a
 * ServiceEntry built on them validates, applies and carries no traffic; ExternalIPs are not
 * what the seed lists. When no node address is known (the nodes are not listed yet, or the
 * user may not list nodes) the answer is "none", and the caller says so and asks for
 * --endpoint, rather than guessing.
 *
 * The order is by address, not by the API server's listing order, so that a regenerated
 * manifest diffs clean against the applied one. */
#include "doctor/mesh.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

/* An address as a sort key: IPv4 first (numerically), then IPv6, then any other text. */
struct addr_key {
    int rank; /* 0 IPv4, 1 IPv6, 2 not an IP address */
    unsigned char bytes[16];
    const char *text; /* borrowed */
};

static void
addr_key_init(struct addr_key *k, const char *text)
{
    memset(k, 0, sizeof *k);
    k->text = text;
    if (inet_pton(AF_INET, text, k->bytes) == 1)
        k->rank = 0;
    else if (inet_pton(AF_INET6, text, k->bytes) == 1)
        k->rank = 1;
    else
        k->rank = 2;
}

static int
addr_key_cmp(const void *a, const void *b)
{
    const struct addr_key *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->rank == 2)
        return strcmp(x->text, y->text);
    int c = memcmp(x->bytes, y->bytes, x->rank == 0 ? 4 : 16);
    /* The same address written two ways (IPv6): the text decides, so the order is total. */
    return c != 0 ? c : strcmp(x->text, y->text);
}

static bool
addr_key_same(const struct addr_key *x, const struct addr_key *y)
{
    if (x->rank != y->rank)
        return false;
    if (x->rank == 2)
        return strcmp(x->text, y->text) == 0;
    return memcmp(x->bytes, y->bytes, x->rank == 0 ? 4 : 16) == 0;
}

int
mesh_endpoints(const struct m_cluster *remote, const char **out, int max)
{
    size_t n_nodes = remote->nodes.n;
    if (n_nodes == 0)
        return 0;
    struct addr_key *keys = xcalloc(n_nodes, sizeof *keys);
    size_t n = 0;
    for (size_t i = 0; i < n_nodes; i++) {
        const struct m_node *nd = remote->nodes.items[i];
        if (nd->internal_ip[0] != '\0')
            addr_key_init(&keys[n++], nd->internal_ip);
    }
    if (n > 1)
        qsort(keys, n, sizeof *keys, addr_key_cmp);
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        /* Two nodes reporting one address (a misconfigured cluster) give one endpoint. */
        if (i > 0 && addr_key_same(&keys[i - 1], &keys[i]))
            continue;
        if (total < max)
            out[total] = keys[i].text;
        total++;
    }
    free(keys);
    return total;
}

bool
mesh_address_equal(const char *a, const char *b)
{
    struct addr_key x, y;
    addr_key_init(&x, a);
    addr_key_init(&y, b);
    return addr_key_same(&x, &y);
}

bool
mesh_is_endpoint(const struct m_cluster *remote, const char *address)
{
    if (address == NULL || address[0] == '\0')
        return false;
    for (size_t i = 0; i < remote->nodes.n; i++) {
        const struct m_node *nd = remote->nodes.items[i];
        if (nd->internal_ip[0] != '\0' && mesh_address_equal(nd->internal_ip, address))
            return true;
    }
    return false;
}

bool
mesh_host_parse(const char *host, char *name, size_t name_n, char *cluster, size_t cluster_n)
{
    if (host == NULL)
        return false;
    const char *d1 = strchr(host, '.');
    const char *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
    if (d1 == NULL || d2 == NULL || d1 == host || d2 == d1 + 1 || strcasecmp(d2 + 1, "global") != 0)
        return false;
    size_t ln = (size_t)(d1 - host), lc = (size_t)(d2 - d1 - 1);
    if ((name != NULL && ln >= name_n) || (cluster != NULL && lc >= cluster_n))
        return false;
    if (name != NULL) {
        memcpy(name, host, ln);
        name[ln] = '\0';
    }
    if (cluster != NULL) {
        memcpy(cluster, d1 + 1, lc);
        cluster[lc] = '\0';
    }
    return true;
}

/* ---- who uses a ServiceEntry, and which are missing ---- */

static bool
sentry_has_host(const struct m_sentry *se, const char *host)
{
    for (int h = 0; host != NULL && h < se->n_hosts; h++)
        if (strcasecmp(se->hosts[h], host) == 0)
            return true;
    return false;
}

int
mesh_sentry_users(const struct m_cluster *c, const struct m_sentry *se, struct strbuf *out)
{
    int n = 0;
    for (size_t i = 0; i < c->channels.n; i++) {
        const struct m_channel *ch = c->channels.items[i];
        if (sentry_has_host(se, ch->source_host)) {
            strbuf_appendf(out, "channel %s on %s reads from %s\n",
                           ch->name[0] ? ch->name : "''", ch->server, ch->source_host);
            n++;
            continue;
        }
        /* MySQL 8's asynchronous connection failover: a host of its source list */
        for (int f = 0; f < ch->n_failover && f < 8; f++)
            if (sentry_has_host(se, ch->failover[f].host)) {
                strbuf_appendf(out, "channel %s on %s has %s in its source list\n",
                               ch->name[0] ? ch->name : "''", ch->server, ch->failover[f].host);
                n++;
                break;
            }
    }
    for (size_t i = 0; i < c->pxcs.n; i++) {
        const struct m_pxc *x = c->pxcs.items[i];
        for (size_t k = 0; k < x->channels.n; k++) {
            const struct m_pxc_channel *pc = x->channels.items[k];
            for (int s = 0; s < pc->n_sources; s++) {
                if (!sentry_has_host(se, pc->sources[s].host))
                    continue;
                strbuf_appendf(out, "channel %s of PerconaXtraDBCluster %s/%s has source %s\n",
                               pc->name, x->ns, x->name, pc->sources[s].host);
                n++;
            }
        }
    }
    return n;
}

static bool
host_declared(const struct m_cluster *c, const char *host)
{
    for (size_t i = 0; i < c->sentries.n; i++)
        if (sentry_has_host(c->sentries.items[i], host))
            return true;
    return false;
}

/* c's namespace for a ServiceEntry: the one of the pod that runs server (a channel's),
 * else of c's first PXC, else "pxc". */
static void
local_ns(const struct m_cluster *c, const char *server, char *buf, size_t n)
{
    for (size_t i = 0; server != NULL && i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        if (strcmp(p->name, server) == 0 || strcmp(p->ip, server) == 0) {
            snprintf(buf, n, "%s", p->ns);
            return;
        }
    }
    const struct m_pxc *x = c->pxcs.n > 0 ? c->pxcs.items[0] : NULL;
    snprintf(buf, n, "%s", x != NULL ? x->ns : "pxc");
}

/* Add host (NAME.REMOTE.global) once; a channel (may be NULL) that uses it counts. */
static int
missing_add(const struct m_cluster *c, struct mesh_missing *out, int max, int n, const char *name,
            const char *remote, const struct m_channel *user)
{
    char host[300];
    snprintf(host, sizeof host, "%s.%s.global", name, remote);
    for (int i = 0; i < n && i < max; i++)
        if (strcasecmp(out[i].host, host) == 0) {
            if (user != NULL) {
                if (out[i].n_users == 0)
                    local_ns(c, user->server, out[i].ns, sizeof out[i].ns);
                out[i].n_users++;
            }
            return n;
        }
    if (n < max) {
        struct mesh_missing *w = &out[n];
        memset(w, 0, sizeof *w);
        snprintf(w->remote, sizeof w->remote, "%s", remote);
        snprintf(w->name, sizeof w->name, "%s", name);
        snprintf(w->host, sizeof w->host, "%s", host);
        local_ns(c, user != NULL ? user->server : NULL, w->ns, sizeof w->ns);
        w->n_users = user != NULL;
    }
    return n + 1;
}

static int
missing_cmp(const void *x, const void *y)
{
    return strcasecmp(((const struct mesh_missing *)x)->host,
                      ((const struct mesh_missing *)y)->host);
}

int
mesh_missing(const struct model *m, const struct m_cluster *c, struct mesh_missing *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *rc = m->clusters.items[i];
        if (rc == c)
            continue;
        for (size_t k = 0; k < rc->pxcs.n; k++) {
            const struct m_pxc *x = rc->pxcs.items[k];
            char host[300];
            snprintf(host, sizeof host, "%s.%s.global", x->name, rc->name);
            if (!host_declared(c, host))
                n = missing_add(c, out, max, n, x->name, rc->name, NULL);
        }
    }
    for (size_t i = 0; i < c->channels.n; i++) {
        const struct m_channel *ch = c->channels.items[i];
        char name[128], remote[128];
        if (ch->source_host == NULL ||
            !mesh_host_parse(ch->source_host, name, sizeof name, remote, sizeof remote) ||
            host_declared(c, ch->source_host) || strcmp(remote, c->name) == 0)
            continue;
        bool known = false;
        for (size_t k = 0; k < m->clusters.n && !known; k++)
            known = strcmp(((const struct m_cluster *)m->clusters.items[k])->name, remote) == 0;
        if (known)
            n = missing_add(c, out, max, n, name, remote, ch);
    }
    qsort(out, (size_t)(n < max ? n : max), sizeof *out, missing_cmp);
    return n;
}
