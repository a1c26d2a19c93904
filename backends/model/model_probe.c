/* model_probe: the store is a plain vector searched linearly: an operator runs tens of
 * probes in a session, not thousands. What a probe result depends on is kept as a
 * fingerprint of the ServiceEntry that routed it, so that "outdated" is a comparison at
 * render time, not a subscription to ServiceEntry events. */
#include "model/model_probe.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

static const char *
or_empty(const char *s)
{
    return s != NULL ? s : "";
}

struct m_probe *
model_probe_upsert(struct model *m, enum probe_kind kind, const char *target, const char *cluster,
                   const char *ns, const char *owner)
{
    const char *cl = or_empty(cluster);
    const char *where = cl[0] != '\0' ? or_empty(ns) : "";
    struct m_probe *p = NULL;
    for (size_t i = 0; i < m->probes.n && p == NULL; i++) {
        struct m_probe *e = m->probes.items[i];
        if (e->kind == kind && strcmp(e->target, target) == 0 && strcmp(e->cluster, cl) == 0 &&
            strcmp(e->ns, where) == 0)
            p = e;
    }
    if (p == NULL) {
        p = xcalloc(1, sizeof *p);
        p->id = ++m->probe_next_id;
        p->kind = kind;
        snprintf(p->target, sizeof p->target, "%s", target);
        snprintf(p->cluster, sizeof p->cluster, "%s", cl);
        snprintf(p->ns, sizeof p->ns, "%s", where);
        vec_push(&m->probes, p);
        model_touch(m, DIRTY_PROBES);
    }
    if (owner != NULL && owner[0] != '\0')
        snprintf(p->owner, sizeof p->owner, "%s", owner);
    return p;
}

size_t
model_probe_count(const struct model *m)
{
    return m->probes.n;
}

const struct m_probe *
model_probe_at(const struct model *m, size_t i)
{
    return i < m->probes.n ? m->probes.items[i] : NULL;
}

struct m_probe *
model_probe_find_id(struct model *m, uint64_t id)
{
    for (size_t i = 0; i < m->probes.n; i++) {
        struct m_probe *e = m->probes.items[i];
        if (e->id == id)
            return e;
    }
    return NULL;
}

/* "host:port" -> "host"; a bare IPv6 address (several colons) stays whole. */
static void
host_of(const char *target, char *buf, size_t n)
{
    snprintf(buf, n, "%s", target);
    char *colon = strrchr(buf, ':');
    if (colon != NULL && strchr(buf, ':') == colon)
        *colon = '\0';
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s != NULL ? s : "", s != NULL ? strlen(s) + 1 : 1);
}

/* What routing depends on: hosts, addresses, ports, location, resolution, endpoints. */
static uint64_t
sentry_spec_hash(const struct m_sentry *se)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < se->n_hosts; i++)
        h = fnv_str(h, se->hosts[i]);
    for (int i = 0; i < se->n_addresses; i++)
        h = fnv_str(h, se->addresses[i]);
    for (int i = 0; i < se->n_ports; i++) {
        h = fnv(h, &se->ports[i].number, sizeof se->ports[i].number);
        h = fnv_str(h, se->ports[i].name);
        h = fnv_str(h, se->ports[i].protocol);
    }
    h = fnv_str(h, se->location);
    h = fnv_str(h, se->resolution);
    for (int i = 0; i < se->n_endpoints; i++) {
        h = fnv_str(h, se->endpoints[i].address);
        h = fnv(h, &se->endpoints[i].port, sizeof se->endpoints[i].port);
    }
    return h;
}

/* The ServiceEntry declaring target's host, in cluster ("": any cluster), as
 * "cluster/ns/name" into ref ("" none) and its spec's fingerprint. */
static void
sentry_for(const struct model *m, const char *target, const char *cluster, char *ref, size_t n,
           uint64_t *spec)
{
    char host[300];
    host_of(target, host, sizeof host);
    ref[0] = '\0';
    *spec = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (cluster[0] != '\0' && strcmp(c->name, cluster) != 0)
            continue;
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            for (int h = 0; h < se->n_hosts; h++)
                if (strcasecmp(se->hosts[h], host) == 0) {
                    snprintf(ref, n, "%s/%s/%s", c->name, se->ns, se->name);
                    *spec = sentry_spec_hash(se);
                    return;
                }
        }
    }
}

void
model_probe_start(struct model *m, struct m_probe *p, int64_t now_ms)
{
    p->running = true;
    p->started_ms = now_ms;
    sentry_for(m, p->target, p->cluster, p->run_se_ref, sizeof p->run_se_ref, &p->run_se_spec);
    model_touch(m, DIRTY_PROBES);
}

void
model_probe_finish(struct model *m, struct m_probe *p, const struct probe_result *r)
{
    p->running = false;
    if (r->status != PROBE_CANCELLED || !p->has_result) {
        p->r = *r;
        p->has_result = true;
        memcpy(p->se_ref, p->run_se_ref, sizeof p->se_ref);
        p->se_spec = p->run_se_spec;
    }
    model_touch(m, DIRTY_PROBES);
}

/* Whether the channel named by owner ("cluster/channel") still reads from host; true
 * when the channel is gone or unknown. */
static bool
owner_uses(const struct model *m, const char *owner, const char *host)
{
    const char *slash = strchr(owner, '/');
    if (slash == NULL)
        return true;
    size_t cl_len = (size_t)(slash - owner);
    const char *chname = slash + 1;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (strlen(c->name) != cl_len || strncmp(c->name, owner, cl_len) != 0)
            continue;
        bool found = false;
        for (size_t k = 0; k < c->channels.n; k++) {
            const struct m_channel *ch = c->channels.items[k];
            if (strcmp(ch->name, chname) != 0)
                continue;
            found = true;
            if (ch->source_host != NULL && strcasecmp(ch->source_host, host) == 0)
                return true;
            for (int f = 0; f < ch->n_failover && f < 8; f++)
                if (strcasecmp(ch->failover[f].host, host) == 0)
                    return true;
        }
        return !found;
    }
    return true;
}

bool
model_probe_outdated(const struct model *m, const struct m_probe *p, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!p->has_result)
        return false;
    char host[300];
    host_of(p->target, host, sizeof host);
    /* The ServiceEntry declaring the host (in the probe's cluster, or any when local):
     * appeared, went, or changed since the run started. */
    char ref[300];
    uint64_t spec;
    sentry_for(m, p->target, p->cluster, ref, sizeof ref, &spec);
    if (p->se_ref[0] == '\0' && ref[0] != '\0')
        snprintf(buf, n, "ServiceEntry %s declares %s since the probe ran", ref, host);
    else if (p->se_ref[0] != '\0' && ref[0] == '\0')
        snprintf(buf, n, "ServiceEntry %s was deleted after the probe ran", p->se_ref);
    else if (ref[0] != '\0' && (strcmp(ref, p->se_ref) != 0 || spec != p->se_spec))
        snprintf(buf, n, "ServiceEntry %s changed after the probe ran", ref);
    else if (p->owner[0] != '\0' && !owner_uses(m, p->owner, host))
        snprintf(buf, n, "channel %s no longer uses %s", p->owner, host);
    return buf[0] != '\0';
}
