/* model: the console's state and its change bits. Updates are O(1) for pods (the
 * informer path: a hash index and swap-remove) and linear for the small collections
 * (namespaces, PXC CRs, ServiceEntries, channels), where n is tens. Nothing here
 * draws or talks to the network. */
#include "model/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

static void
ns_free(void *p)
{
    free(p);
}

static void
pod_free(void *p)
{
    struct m_pod *pod = p;
    free(pod->name);
    free(pod);
}

static void
pxc_channel_free(void *p)
{
    struct m_pxc_channel *ch = p;
    for (int i = 0; i < ch->n_sources; i++)
        free(ch->sources[i].host);
    free(ch->sources);
    free(ch->name);
    free(ch);
}

static void
pxc_free(void *p)
{
    struct m_pxc *x = p;
    free(x->name);
    free(x->secrets_name);
    vec_fini(&x->channels);
    free(x);
}

void
model_sentry_clear_spec(struct m_sentry *se)
{
    for (int i = 0; i < se->n_hosts; i++)
        free(se->hosts[i]);
    for (int i = 0; i < se->n_addresses; i++)
        free(se->addresses[i]);
    free(se->hosts);
    free(se->addresses);
    free(se->ports);
    free(se->endpoints);
    se->hosts = se->addresses = NULL;
    se->ports = NULL;
    se->endpoints = NULL;
    se->n_hosts = se->n_addresses = se->n_ports = se->n_endpoints = 0;
}

static void
sentry_free(void *p)
{
    struct m_sentry *se = p;
    model_sentry_clear_spec(se);
    free(se->name);
    free(se);
}

static void
node_free(void *p)
{
    struct m_node *n = p;
    free(n->name);
    free(n);
}

static void
channel_free(void *p)
{
    struct m_channel *ch = p;
    free(ch->name);
    free(ch->server);
    free(ch->source_host);
    free(ch->io_state);
    free(ch->sql_state);
    free(ch->last_io_error);
    free(ch->last_sql_error);
    free(ch->retrieved_gtid);
    free(ch->executed_gtid);
    free(ch->src_cluster);
    free(ch->src_server);
    free(ch->src_address);
    free(ch->src_last);
    free(ch);
}

static void
server_free(void *p)
{
    struct m_server *s = p;
    free(s->name);
    free(s);
}

static void
cluster_free(void *p)
{
    struct m_cluster *c = p;
    vec_fini(&c->namespaces);
    vec_fini(&c->pods);
    vec_fini(&c->pxcs);
    vec_fini(&c->sentries);
    vec_fini(&c->channels);
    vec_fini(&c->nodes);
    vec_fini(&c->servers);
    hmap_fini(&c->pod_idx);
    free(c->name);
    free(c->context);
    free(c->server);
    free(c);
}

void
model_finding_free(void *p)
{
    struct m_finding *f = p;
    if (f == NULL)
        return;
    free(f->code);
    free(f->cluster);
    free(f->object);
    free(f->message);
    free(f->hint);
    model_fix_fini(&f->fix);
    free(f);
}

struct model *
model_new(void)
{
    struct model *m = xcalloc(1, sizeof *m);
    vec_init(&m->clusters, cluster_free);
    vec_init(&m->findings, model_finding_free);
    vec_init(&m->probes, free); /* struct m_probe owns no pointers */
    m->events = xcalloc(MODEL_MAX_EVENTS, sizeof *m->events);
    intern_init(&m->strings);
    m->dirty = DIRTY_ALL;
    m->pods_seq = 1;
    m->findings_seq = 1;
    return m;
}

void
model_free(struct model *m)
{
    if (m == NULL)
        return;
    vec_fini(&m->clusters);
    vec_fini(&m->findings);
    vec_fini(&m->probes);
    for (int i = 0; i < m->ev_len; i++)
        free(m->events[(m->ev_head + i) % MODEL_MAX_EVENTS].what);
    free(m->events);
    intern_fini(&m->strings);
    free(m);
}

/* A change; c: confined to c's pods (an upsert or a removal), NULL: anything. */
static void
touch(struct model *m, unsigned bits, struct m_cluster *c)
{
    m->dirty |= bits;
    m->seq++;
    if (bits & (DIRTY_PODS | DIRTY_NAMESPACES | DIRTY_GALERA | DIRTY_CLUSTERS)) {
        m->pods_seq++;
        if (c != NULL)
            c->pods_seq = m->pods_seq;
        else
            m->pods_seq_shared = m->pods_seq;
    }
    if (bits & DIRTY_FINDINGS)
        m->findings_seq++;
    unsigned outer = m->touched; /* a hook may touch the model in turn */
    m->touched = bits;
    if (m->on_dirty != NULL)
        m->on_dirty(m, m->on_dirty_arg);
    m->touched = outer;
}

void
model_touch(struct model *m, unsigned bits)
{
    touch(m, bits, NULL);
}

uint64_t
model_cluster_pods_seq(const struct model *m, const struct m_cluster *c)
{
    return c->pods_seq > m->pods_seq_shared ? c->pods_seq : m->pods_seq_shared;
}

void
model_set_dirty_cb(struct model *m, void (*cb)(struct model *m, void *arg), void *arg)
{
    m->on_dirty = cb;
    m->on_dirty_arg = arg;
}

bool
model_set_str(char **field, const char *value)
{
    if (value == NULL)
        value = "";
    if (*field != NULL && strcmp(*field, value) == 0)
        return false;
    free(*field);
    *field = xstrdup(value);
    return true;
}

struct m_cluster *
model_cluster_add(struct model *m, const char *name, const char *context, const char *server)
{
    struct m_cluster *c = xcalloc(1, sizeof *c);
    c->name = xstrdup(name);
    c->context = xstrdup(context ? context : name);
    c->server = xstrdup(server ? server : "");
    vec_init(&c->namespaces, ns_free);
    vec_init(&c->pods, pod_free);
    vec_init(&c->pxcs, pxc_free);
    vec_init(&c->sentries, sentry_free);
    vec_init(&c->channels, channel_free);
    vec_init(&c->nodes, node_free);
    vec_init(&c->servers, server_free);
    hmap_init(&c->pod_idx);
    vec_push(&m->clusters, c);
    model_touch(m, DIRTY_ALL);
    return c;
}

struct m_cluster *
model_cluster_find(struct model *m, const char *name)
{
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

void
model_cluster_remove(struct model *m, struct m_cluster *c)
{
    for (size_t i = 0; i < m->clusters.n; i++) {
        if (m->clusters.items[i] == c) {
            vec_remove(&m->clusters, i);
            model_touch(m, DIRTY_ALL);
            return;
        }
    }
}

void
model_cluster_set_error(struct model *m, struct m_cluster *c, const char *fmt, ...)
{
    char buf[sizeof c->error];
    if (fmt == NULL) {
        buf[0] = '\0';
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
    }
    if (strcmp(buf, c->error) == 0)
        return;
    memcpy(c->error, buf, sizeof buf);
    model_touch(m, DIRTY_CLUSTERS);
}

void
model_cluster_set_reachable(struct model *m, struct m_cluster *c, bool reachable)
{
    if (reachable)
        c->updated_ms = clock_wall_ms();
    if (c->reachable == reachable)
        return;
    c->reachable = reachable;
    model_touch(m, DIRTY_CLUSTERS);
}

void
model_cluster_set_listing(struct model *m, struct m_cluster *c, bool listing)
{
    if (c->listing == listing)
        return;
    c->listing = listing;
    model_touch(m, DIRTY_CLUSTERS);
}

/* ---- namespaces ---- */

struct m_namespace *
model_ns_find(struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->namespaces.n; i++) {
        struct m_namespace *ns = c->namespaces.items[i];
        if (strcmp(ns->name, name) == 0)
            return ns;
    }
    return NULL;
}

struct m_namespace *
model_ns_upsert(struct model *m, struct m_cluster *c, const char *name)
{
    struct m_namespace *ns = model_ns_find(c, name);
    if (ns == NULL) {
        ns = xcalloc(1, sizeof *ns);
        ns->name = intern_str(&m->strings, name);
        vec_push(&c->namespaces, ns);
    }
    model_touch(m, DIRTY_NAMESPACES);
    return ns;
}

void
model_ns_remove(struct model *m, struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->namespaces.n; i++) {
        struct m_namespace *ns = c->namespaces.items[i];
        if (strcmp(ns->name, name) == 0) {
            vec_remove(&c->namespaces, i);
            model_touch(m, DIRTY_NAMESPACES);
            return;
        }
    }
}

/* ---- pods: hash-indexed, swap-remove ---- */

static void
pod_key(char *buf, size_t n, const char *ns, const char *name)
{
    /* Once per pod of a 20,000-pod list: no printf. */
    size_t nl = strlen(ns), ml = strlen(name);
    if (nl + 1 + ml < n) {
        memcpy(buf, ns, nl);
        buf[nl] = '/';
        memcpy(buf + nl + 1, name, ml + 1);
    } else {
        snprintf(buf, n, "%s/%s", ns, name);
    }
}

struct m_pod *
model_pod_find(struct m_cluster *c, const char *ns, const char *name)
{
    char key[512];
    pod_key(key, sizeof key, ns, name);
    return hmap_get(&c->pod_idx, key);
}

const struct m_pod *
model_channel_pod(const struct m_cluster *c, const struct m_channel *ch)
{
    for (size_t i = 0; ch->server != NULL && i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        size_t ip_len = strlen(p->ip);
        if (strcmp(p->name, ch->server) == 0 || (ip_len > 0 && strcmp(p->ip, ch->server) == 0) ||
            (ip_len > 0 && strncmp(ch->server, p->ip, ip_len) == 0 && ch->server[ip_len] == ':'))
            return p;
    }
    return NULL;
}

struct m_pod *
model_pod_upsert(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    char key[512];
    pod_key(key, sizeof key, ns, name);
    struct m_pod *p = hmap_get(&c->pod_idx, key);
    if (p == NULL) {
        p = xcalloc(1, sizeof *p);
        p->ns = intern_str(&m->strings, ns);
        p->name = xstrdup(name);
        p->galera.cluster_size = -1;
        p->slot = c->pods.n;
        vec_push(&c->pods, p);
        hmap_put(&c->pod_idx, key, p);
        c->pod_names_gen++;
    }
    touch(m, DIRTY_PODS, c);
    return p;
}

void
model_pod_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    char key[512];
    pod_key(key, sizeof key, ns, name);
    struct m_pod *p = hmap_del(&c->pod_idx, key);
    if (p == NULL)
        return;
    size_t i = p->slot, last = c->pods.n - 1;
    if (i != last) {
        struct m_pod *moved = c->pods.items[last];
        c->pods.items[i] = moved;
        moved->slot = i;
    }
    c->pods.n--;
    c->pod_names_gen++;
    pod_free(p);
    touch(m, DIRTY_PODS, c);
}

/* ---- generic linear collections keyed by (ns, name) ---- */

#define FIND_NS_NAME(vecp, type)                                                                   \
    for (size_t i = 0; i < (vecp)->n; i++) {                                                       \
        type *o = (vecp)->items[i];                                                                \
        if (strcmp(o->ns, ns) == 0 && strcmp(o->name, name) == 0)                                  \
            return o;                                                                              \
    }                                                                                              \
    return NULL

struct m_pxc *
model_pxc_find(struct m_cluster *c, const char *ns, const char *name)
{
    FIND_NS_NAME(&c->pxcs, struct m_pxc);
}

struct m_pxc *
model_pxc_upsert(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    struct m_pxc *x = model_pxc_find(c, ns, name);
    if (x == NULL) {
        x = xcalloc(1, sizeof *x);
        x->ns = intern_str(&m->strings, ns);
        x->name = xstrdup(name);
        vec_init(&x->channels, pxc_channel_free);
        vec_push(&c->pxcs, x);
    }
    model_touch(m, DIRTY_PXC);
    return x;
}

void
model_pxc_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    for (size_t i = 0; i < c->pxcs.n; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        if (strcmp(x->ns, ns) == 0 && strcmp(x->name, name) == 0) {
            vec_remove(&c->pxcs, i);
            model_touch(m, DIRTY_PXC);
            return;
        }
    }
}

struct m_sentry *
model_sentry_find(struct m_cluster *c, const char *ns, const char *name)
{
    FIND_NS_NAME(&c->sentries, struct m_sentry);
}

struct m_sentry *
model_sentry_upsert(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    struct m_sentry *se = model_sentry_find(c, ns, name);
    if (se == NULL) {
        se = xcalloc(1, sizeof *se);
        se->ns = intern_str(&m->strings, ns);
        se->name = xstrdup(name);
        vec_push(&c->sentries, se);
    }
    se->changed_ms = clock_wall_ms();
    model_touch(m, DIRTY_SENTRIES);
    return se;
}

void
model_sentry_remove(struct model *m, struct m_cluster *c, const char *ns, const char *name)
{
    for (size_t i = 0; i < c->sentries.n; i++) {
        struct m_sentry *se = c->sentries.items[i];
        if (strcmp(se->ns, ns) == 0 && strcmp(se->name, name) == 0) {
            vec_remove(&c->sentries, i);
            model_touch(m, DIRTY_SENTRIES);
            return;
        }
    }
}

struct m_node *
model_node_upsert(struct model *m, struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->nodes.n; i++) {
        struct m_node *n = c->nodes.items[i];
        if (strcmp(n->name, name) == 0) {
            model_touch(m, DIRTY_NODES);
            return n;
        }
    }
    struct m_node *n = xcalloc(1, sizeof *n);
    n->name = xstrdup(name);
    vec_push(&c->nodes, n);
    model_touch(m, DIRTY_NODES);
    return n;
}

void
model_node_remove(struct model *m, struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->nodes.n; i++) {
        struct m_node *n = c->nodes.items[i];
        if (strcmp(n->name, name) == 0) {
            vec_remove(&c->nodes, i);
            model_touch(m, DIRTY_NODES);
            return;
        }
    }
}

/* ---- channels, keyed by (server, name) ---- */

struct m_channel *
model_channel_find(struct m_cluster *c, const char *server, const char *name)
{
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, server) == 0 && strcmp(ch->name, name) == 0)
            return ch;
    }
    return NULL;
}

struct m_channel *
model_channel_upsert(struct model *m, struct m_cluster *c, const char *server, const char *name)
{
    struct m_channel *ch = model_channel_find(c, server, name);
    if (ch == NULL) {
        ch = xcalloc(1, sizeof *ch);
        ch->name = xstrdup(name);
        ch->server = xstrdup(server);
        ch->source_host = xstrdup("");
        ch->io_state = xstrdup("");
        ch->sql_state = xstrdup("");
        ch->last_io_error = xstrdup("");
        ch->last_sql_error = xstrdup("");
        ch->retrieved_gtid = xstrdup("");
        ch->executed_gtid = xstrdup("");
        ch->src_cluster = xstrdup("");
        ch->src_server = xstrdup("");
        ch->src_address = xstrdup("");
        ch->src_last = xstrdup("");
        ch->lag_s = -1;
        ch->gtid_gap = -1;
        vec_push(&c->channels, ch);
    }
    model_touch(m, DIRTY_CHANNELS);
    return ch;
}

void
model_channel_remove(struct model *m, struct m_cluster *c, const char *server, const char *name)
{
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, server) == 0 && strcmp(ch->name, name) == 0) {
            vec_remove(&c->channels, i);
            model_touch(m, DIRTY_CHANNELS);
            return;
        }
    }
}

void
model_channel_push_lag(struct m_channel *ch, double lag_s)
{
    float v = lag_s < 0 ? -1.0f : (float)lag_s;
    if (ch->lag_len < LAG_HISTORY) {
        ch->lag_hist[(ch->lag_head + ch->lag_len) % LAG_HISTORY] = v;
        ch->lag_len++;
    } else {
        ch->lag_hist[ch->lag_head] = v;
        ch->lag_head = (ch->lag_head + 1) % LAG_HISTORY;
    }
}

float
model_channel_lag_at(const struct m_channel *ch, int i)
{
    return ch->lag_hist[(ch->lag_head + i) % LAG_HISTORY];
}

/* ---- MySQL servers ---- */

struct m_server *
model_server_find(struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->servers.n; i++) {
        struct m_server *s = c->servers.items[i];
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

struct m_server *
model_server_upsert(struct model *m, struct m_cluster *c, const char *name)
{
    (void)m;
    struct m_server *s = model_server_find(c, name);
    if (s == NULL) {
        s = xcalloc(1, sizeof *s);
        s->name = xstrdup(name);
        s->binlog_dumps = -1;
        vec_push(&c->servers, s);
    }
    return s;
}

void
model_server_remove(struct model *m, struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->servers.n; i++) {
        struct m_server *s = c->servers.items[i];
        if (strcmp(s->name, name) == 0) {
            vec_remove(&c->servers, i);
            model_touch(m, DIRTY_SERVERS);
            return;
        }
    }
}

/* ---- findings and events ---- */

void
model_findings_clear(struct model *m)
{
    if (m->findings.n == 0)
        return;
    vec_clear(&m->findings);
    model_touch(m, DIRTY_FINDINGS);
}

struct m_finding *
model_finding_new(enum finding_severity sev, const char *code, const char *cluster,
                  const char *object, const char *message, const char *hint)
{
    struct m_finding *f = xcalloc(1, sizeof *f);
    f->severity = sev;
    f->code = xstrdup(code ? code : "");
    f->cluster = xstrdup(cluster ? cluster : "");
    f->object = xstrdup(object ? object : "");
    f->message = xstrdup(message ? message : "");
    f->hint = xstrdup(hint ? hint : "");
    f->cause = -1;
    f->fix.command = xstrdup("");
    f->fix.what = xstrdup("");
    f->fix.where = xstrdup("");
    f->fix.warning = xstrdup("");
    return f;
}

struct m_finding *
model_finding_add(struct model *m, enum finding_severity sev, const char *code, const char *cluster,
                  const char *object, const char *message, const char *hint)
{
    struct m_finding *f = model_finding_new(sev, code, cluster, object, message, hint);
    vec_push(&m->findings, f);
    model_touch(m, DIRTY_FINDINGS);
    return f;
}

static bool
str_eq(const char *a, const char *b)
{
    return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

bool
model_finding_equal(const struct m_finding *a, const struct m_finding *b)
{
    const struct m_fix *x = &a->fix, *y = &b->fix;
    return a->severity == b->severity && a->cause == b->cause && a->since_ms == b->since_ms &&
           str_eq(a->code, b->code) && str_eq(a->cluster, b->cluster) &&
           str_eq(a->object, b->object) && str_eq(a->message, b->message) &&
           str_eq(a->hint, b->hint) && x->kind == y->kind && str_eq(x->command, y->command) &&
           str_eq(x->what, y->what) && str_eq(x->where, y->where) &&
           str_eq(x->warning, y->warning) && str_eq(x->cluster, y->cluster) &&
           str_eq(x->ns, y->ns) && str_eq(x->name, y->name) && str_eq(x->object, y->object) &&
           str_eq(x->server, y->server) && str_eq(x->channel, y->channel) &&
           str_eq(x->host, y->host) && str_eq(x->remote, y->remote) &&
           str_eq(x->address, y->address);
}

bool
model_findings_replace(struct model *m, struct vec *set)
{
    bool same = set->n == m->findings.n;
    for (size_t i = 0; same && i < set->n; i++)
        same = model_finding_equal(set->items[i], m->findings.items[i]);
    if (same) {
        vec_clear(set);
        return false;
    }
    vec_clear(&m->findings);
    for (size_t i = 0; i < set->n; i++)
        vec_push(&m->findings, set->items[i]);
    set->n = 0; /* handed over: the items are the model's now */
    model_touch(m, DIRTY_FINDINGS);
    return true;
}

void
model_fix_set(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? xstrdup(value) : NULL;
}

void
model_fix_fini(struct m_fix *x)
{
    char **strs[] = {&x->command, &x->what,   &x->where,  &x->warning, &x->cluster,
                     &x->ns,      &x->name,   &x->object, &x->server,  &x->channel,
                     &x->host,    &x->remote, &x->address};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
}

void
model_fix_copy(struct m_fix *d, const struct m_fix *s)
{
    d->kind = s->kind;
    d->command = xstrdup_or_null(s->command);
    d->what = xstrdup_or_null(s->what);
    d->where = xstrdup_or_null(s->where);
    d->warning = xstrdup_or_null(s->warning);
    d->cluster = xstrdup_or_null(s->cluster);
    d->ns = xstrdup_or_null(s->ns);
    d->name = xstrdup_or_null(s->name);
    d->object = xstrdup_or_null(s->object);
    d->server = xstrdup_or_null(s->server);
    d->channel = xstrdup_or_null(s->channel);
    d->host = xstrdup_or_null(s->host);
    d->remote = xstrdup_or_null(s->remote);
    d->address = xstrdup_or_null(s->address);
}

const char *const model_fix_kind_names[FIX__COUNT] = {
    [FIX_NONE] = "none",
    [FIX_COMMAND] = "command",
    [FIX_LABEL_NAMESPACE] = "label-namespace",
    [FIX_RESTART_STS] = "restart-statefulset",
    [FIX_APPLY_SENTRY] = "apply-serviceentry",
    [FIX_START_CHANNEL] = "start-channel",
    [FIX_REPOINT_SOURCE] = "repoint-source",
    [FIX_SOURCE_PASSWORD] = "source-password",
    [FIX_UNLABEL_NAMESPACE] = "unlabel-namespace",
    [FIX_DELETE_SENTRY] = "delete-serviceentry",
};

const char *
model_fix_kind_name(enum fix_kind k)
{
    return (unsigned)k < FIX__COUNT ? model_fix_kind_names[k] : "none";
}

void
model_event(struct model *m, const char *cluster, int level, const char *fmt, ...)
{
    struct m_event *e;
    if (m->ev_len == MODEL_MAX_EVENTS) {
        e = &m->events[m->ev_head];
        free(e->what);
        m->ev_head = (m->ev_head + 1) % MODEL_MAX_EVENTS;
        m->ev_len--;
    }
    e = &m->events[(m->ev_head + m->ev_len) % MODEL_MAX_EVENTS];
    m->ev_len++;
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    e->what = xstrdup(buf);
    e->wall_ms = clock_wall_ms();
    e->cluster = intern_str(&m->strings, cluster ? cluster : "");
    e->level = level;
    model_touch(m, DIRTY_EVENTS);
}

const struct m_event *
model_event_at(const struct model *m, int i)
{
    if (i < 0 || i >= m->ev_len)
        return NULL;
    return &m->events[(m->ev_head + m->ev_len - 1 - i) % MODEL_MAX_EVENTS];
}

const char *
model_injection_name(enum injection_mode inj)
{
    switch (inj) {
    case INJ_ENABLED:
        return "enabled";
    case INJ_DISABLED:
        return "disabled";
    case INJ_REVISION:
        return "revision";
    case INJ_NONE:
        break;
    }
    return "none";
}

const char *
model_sidecar_name(enum sidecar_state s)
{
    switch (s) {
    case SIDECAR_INJECTED:
        return "injected";
    case SIDECAR_MISSING:
        return "missing";
    case SIDECAR_DISABLED:
        break;
    }
    return "disabled";
}

const char *
model_thread_name(enum thread_state t)
{
    switch (t) {
    case THR_YES:
        return "Yes";
    case THR_NO:
        return "No";
    case THR_CONNECTING:
        return "Connecting";
    case THR_UNKNOWN:
        break;
    }
    return "?";
}

const char *
model_severity_name(enum finding_severity s)
{
    switch (s) {
    case SEV_WARNING:
        return "warning";
    case SEV_ERROR:
        return "error";
    case SEV_INFO:
        break;
    }
    return "info";
}
