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
        if (!sentry_has_host(se, ch->source_host))
            continue;
        strbuf_appendf(out, "channel %s on %s reads from %s\n", ch->name[0] ? ch->name : "''",
                       ch->server, ch->source_host);
        n++;
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
