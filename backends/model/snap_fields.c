/* snap_fields: the status JSON described once. Each table below is one object of
 * docs/status-json.md, its rows in the order the writer emits them; snap_read.c and
 * snap_write.c interpret the same rows, so the two directions cannot drift apart. A row
 * says where the value lives in the model struct, its type, and how absence and null read
 * and write; the defaults and ranges are those the document lists.
 *
 * Hooks, next to their table, do what a row cannot: make the object in the model (and
 * refuse a duplicate), check one field against another, and the few encodings of their
 * own (a namespace's "revision:REV", the lag history ring, the finding cause chain).
 * Deliberately not here: parsing or printing JSON, which the interpreters own. */
#include "model/snap_internal.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "model/snap.h"
#include "xmalloc.h"

#define AT(T, m) .off = offsetof(struct T, m)
#define SIZE(T, m) sizeof(((struct T *)0)->m)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Rows for the common shapes; anything else is written out in full. */
/* clang-format off */
#define KEY(k, T, m) {.key = (k), .type = T_STR, AT(T, m), .flags = F_BORROW | F_REQ}
#define STR(k, T, m, fl, d) {.key = (k), .type = T_STR, AT(T, m), .flags = (fl), .dflt_s = (d)}
#define INTERNED(k, T, m, d, wfl) \
    {.key = (k), .type = T_STR, AT(T, m), .flags = F_INTERN | F_NULL | (wfl), .dflt_s = (d)}
#define OWNED(k, T, m) {.key = (k), .type = T_STR, AT(T, m), .flags = F_NULL, .dflt_s = ""}
#define BUF(k, T, m, fl) \
    {.key = (k), .type = T_BUF, AT(T, m), .size = SIZE(T, m), .flags = (fl), .dflt_s = ""}
#define BOOL(k, T, m) {.key = (k), .type = T_BOOL, AT(T, m)}
#define INT(k, T, m, fl, lo, hi, d) \
    {.key = (k), .type = T_INT, AT(T, m), .flags = (fl), .min = (lo), .max = (hi), .dflt_i = (d)}
#define TIME(k, T, m) {.key = (k), .type = T_TIME, AT(T, m), .flags = F_NULL}
#define NUM(k, T, m, fl, d) {.key = (k), .type = T_NUM, AT(T, m), .flags = (fl), .dflt_d = (d)}
#define TRI(k, T, m) {.key = (k), .type = T_TRI, AT(T, m), .flags = F_NULL}
#define ENUM(k, T, m, fl, e, d) \
    {.key = (k), .type = T_ENUM, AT(T, m), .flags = (fl), .en = &(e), .dflt_s = (d)}
#define OBJ(k, off_, fl, K, kn) \
    {.key = (k), .type = T_OBJ, .off = (off_), .flags = (fl), .kind = &(K), .n_off = (kn)}
#define LIST(k, T, m, fl, K, c) \
    {.key = (k), .type = T_LIST, AT(T, m), .flags = (fl), .kind = &(K), .cmp = (c)}
#define ARR(k, T, m, n, K) \
    {.key = (k), .type = T_ARR, AT(T, m), .flags = F_NULL, .n_off = offsetof(struct T, n), \
     .kind = &(K)}
#define FIX(k, T, m, n, K) \
    {.key = (k), .type = T_FIX, AT(T, m), .flags = F_NULL, .size = N_OF(((struct T *)0)->m), \
     .n_off = offsetof(struct T, n), .kind = &(K)}
#define STRS(k, T, m, n) \
    {.key = (k), .type = T_STRS, AT(T, m), .flags = F_NULL, .n_off = offsetof(struct T, n)}
#define CUSTOM(k, fl, c) {.key = (k), .type = T_CUSTOM, .flags = (fl), .custom = &(c)}
#define KIND(nm, T, tbl) \
    .name = (nm), .fields = (tbl), .n_fields = N_OF(tbl), .size = sizeof(struct T)
/* clang-format on */

/* ------------------------------------------------------------------ enumerations */

/* In enum order. Out-of-range values (a broken model) are written as names[0]. */
static const char *const sidecar_names[] = {[SIDECAR_DISABLED] = "disabled",
                                            [SIDECAR_INJECTED] = "injected",
                                            [SIDECAR_MISSING] = "missing"};
static const struct snap_enum sidecar_enum = {sidecar_names, N_OF(sidecar_names),
                                              "injected, missing or disabled"};

static const char *const thread_names[] = {
    [THR_UNKNOWN] = NULL, [THR_NO] = "No", [THR_YES] = "Yes", [THR_CONNECTING] = "Connecting"};
static const struct snap_enum thread_enum = {thread_names, N_OF(thread_names),
                                             "\"Yes\", \"No\", \"Connecting\" or null"};

static const char *const severity_names[] = {
    [SEV_INFO] = "info", [SEV_WARNING] = "warning", [SEV_ERROR] = "error"};
static const struct snap_enum severity_enum = {severity_names, N_OF(severity_names),
                                               "info, warning or error"};

static const struct snap_enum fix_enum = {
    model_fix_kind_names, FIX__COUNT,
    "none, command, label-namespace, restart-statefulset, apply-serviceentry, start-channel, "
    "repoint-source or source-password"};

_Static_assert(sizeof(enum sidecar_state) == sizeof(int) &&
                   sizeof(enum thread_state) == sizeof(int) &&
                   sizeof(enum finding_severity) == sizeof(int) &&
                   sizeof(enum fix_kind) == sizeof(int),
               "T_ENUM stores an int");

/* ------------------------------------------------------------------ order of arrays */

static int
cmp_ns_name(const char *ans, const char *an, const char *bns, const char *bn)
{
    int r = strcmp(ans ? ans : "", bns ? bns : "");
    return r != 0 ? r : strcmp(an, bn);
}

static int
cmp_pod(const void *a, const void *b)
{
    const struct m_pod *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_namespace(const void *a, const void *b)
{
    const struct m_namespace *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static int
cmp_pxc(const void *a, const void *b)
{
    const struct m_pxc *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_sentry(const void *a, const void *b)
{
    const struct m_sentry *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_server(const void *a, const void *b)
{
    return strcmp(((const struct m_server *)a)->name, ((const struct m_server *)b)->name);
}

static int
cmp_channel(const void *a, const void *b)
{
    const struct m_channel *x = a, *y = b;
    return cmp_ns_name(x->server, x->name, y->server, y->name);
}

static int
cmp_node(const void *a, const void *b)
{
    const struct m_node *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* ------------------------------------------------------------------ namespace */

static int
namespace_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
               void **obj)
{
    const struct m_namespace *k = stage;
    if (model_ns_find(parent, k->name) != NULL)
        return snap__fail(rd, "namespace \"%s\" listed twice", k->name);
    *obj = model_ns_upsert(snap__model(rd), parent, k->name);
    return 0;
}

/* "enabled", "disabled", "none", or "revision:REV" (istio.io/rev=REV). */
static int
injection_read(struct snap_rd *rd, const struct snap_val *v, void *obj, const struct snap_pos *pos)
{
    struct m_namespace *ns = obj;
    const char *s = v->t == SV_STR ? v->s : "none";
    const char *rev = NULL;
    if (strcmp(s, "enabled") == 0) {
        ns->injection = INJ_ENABLED;
    } else if (strcmp(s, "disabled") == 0) {
        ns->injection = INJ_DISABLED;
    } else if (strcmp(s, "none") == 0) {
        ns->injection = INJ_NONE;
    } else if (strncmp(s, "revision:", 9) == 0 && s[9] != '\0') {
        ns->injection = INJ_REVISION;
        rev = s + 9;
    } else {
        return snap__fail(
            rd, "unknown value \"%.40s\" (expected enabled, disabled, none or revision:REV)", s);
    }
    ns->revision = intern_str(&snap__model(rd)->strings, rev);
    return 0;
}

static void
injection_write(struct snap_wr *w, const void *obj)
{
    const struct m_namespace *ns = obj;
    if (ns->injection != INJ_REVISION) {
        snap__w_str(w, model_injection_name(ns->injection));
        return;
    }
    char buf[300];
    snprintf(buf, sizeof buf, "revision:%s", ns->revision ? ns->revision : "");
    snap__w_str(w, buf);
}

static const struct snap_custom injection = {W_STR, injection_read, injection_write};

static const struct snap_field namespace_fields[] = {
    KEY("name", m_namespace, name),
    CUSTOM("injection", 0, injection),
    TIME("createdAt", m_namespace, created_ms),
};
static const struct snap_kind namespace_kind = {KIND("namespace", m_namespace, namespace_fields),
                                                .open = namespace_open};

/* ------------------------------------------------------------------ pod */

static int
galera_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    struct m_galera *g = obj;
    if (g->error != NULL && g->error[0] == '\0')
        g->error = NULL; /* the model says "no error" with NULL */
    /* An object with only an error (the server never answered) has no state to show. */
    g->known = (g->state != NULL && g->state[0] != '\0') || g->updated_ms != 0;
    return 0;
}

static const struct snap_field galera_fields[] = {
    INTERNED("state", m_galera, state, "", 0),
    INT("clusterSize", m_galera, cluster_size, F_NULL | F_W_NULL_NEG, -1, 1000000, -1),
    INTERNED("status", m_galera, status, "", 0),
    BOOL("ready", m_galera, ready),
    BOOL("connected", m_galera, connected),
    NUM("flowControlPaused", m_galera, fc_paused, F_MS, 0),
    INT("recvQueue", m_galera, recv_queue, 0, 0, 1 << 30, 0),
    INT("sendQueue", m_galera, send_queue, 0, 0, 1 << 30, 0),
    TIME("updatedAt", m_galera, updated_ms),
    INTERNED("error", m_galera, error, "", 0),
    TIME("asOf", m_galera, as_of_ms),
};
static const struct snap_kind galera_kind = {KIND("galera", m_galera, galera_fields),
                                             .close = galera_close};

static int
pod_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
         void **obj)
{
    const struct m_pod *k = stage;
    if (model_pod_find(parent, k->ns, k->name) != NULL)
        return snap__fail(rd, "pod %s/%s listed twice", k->ns, k->name);
    *obj = model_pod_upsert(snap__model(rd), parent, k->ns, k->name);
    return 0;
}

static int
pod_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    struct m_pod *p = obj;
    p->has_proxy = p->sidecar == SIDECAR_INJECTED; /* what kobj derived it from */
    return 0;
}

static const struct snap_field pod_fields[] = {
    KEY("namespace", m_pod, ns),
    KEY("name", m_pod, name),
    INTERNED("phase", m_pod, phase, "Unknown", 0),
    BOOL("ready", m_pod, ready),
    BUF("ip", m_pod, ip, F_NULL | F_W_NULL_EMPTY),
    INTERNED("node", m_pod, node, NULL, F_W_NULL_PTR),
    ENUM("sidecar", m_pod, sidecar, 0, sidecar_enum, "disabled"),
    BOOL("restartNeeded", m_pod, restart_needed),
    INTERNED("instance", m_pod, instance, NULL, F_W_NULL_PTR),
    INTERNED("component", m_pod, component, NULL, F_W_NULL_PTR),
    BOOL("replicationPod", m_pod, replication_pod),
    INT("restarts", m_pod, restarts, 0, 0, 1 << 30, 0),
    TIME("createdAt", m_pod, created_ms),
    TRI("readOnly", m_pod, read_only),
    OBJ("galera", offsetof(struct m_pod, galera), F_NULL | F_KNOWN, galera_kind,
        offsetof(struct m_galera, seen)),
};
static const struct snap_kind pod_kind = {KIND("pod", m_pod, pod_fields), .open = pod_open,
                                          .close = pod_close};

/* ------------------------------------------------------------------ PXC custom resources */

static const struct snap_field pxc_source_fields[] = {
    STR("host", m_pxc_source, host, F_REQ, NULL),
    INT("port", m_pxc_source, port, 0, 0, 65535, 3306),
    INT("weight", m_pxc_source, weight, 0, 0, 1000000, 100),
};
static const struct snap_kind pxc_source_kind = {
    KIND("pxc source", m_pxc_source, pxc_source_fields)};

static int
pxc_channel_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
                 void **obj)
{
    struct m_pxc *x = parent;
    struct m_pxc_channel *ch = xcalloc(1, sizeof *ch);
    ch->name = xstrdup(((const struct m_pxc_channel *)stage)->name);
    vec_push(&x->channels, ch); /* owned by x from here, so an error later frees it */
    *obj = ch;
    return 0;
}

static const struct snap_field pxc_channel_fields[] = {
    KEY("name", m_pxc_channel, name),
    BOOL("isSource", m_pxc_channel, is_source),
    ARR("sources", m_pxc_channel, sources, n_sources, pxc_source_kind),
};
static const struct snap_kind pxc_channel_kind = {
    KIND("replicationChannels[]", m_pxc_channel, pxc_channel_fields), .open = pxc_channel_open};

static int
pxc_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
         void **obj)
{
    const struct m_pxc *k = stage;
    if (model_pxc_find(parent, k->ns, k->name) != NULL)
        return snap__fail(rd, "PXC cluster %s/%s listed twice", k->ns, k->name);
    *obj = model_pxc_upsert(snap__model(rd), parent, k->ns, k->name);
    return 0;
}

static const struct snap_field pxc_fields[] = {
    KEY("namespace", m_pxc, ns),
    KEY("name", m_pxc, name),
    INTERNED("state", m_pxc, state, "unknown", 0),
    INT("size", m_pxc, size, 0, 0, 1000, 0),
    INT("ready", m_pxc, ready, 0, 0, 1000, 0),
    BOOL("expose", m_pxc, expose),
    STR("secretsName", m_pxc, secrets_name, F_NULL | F_W_NULL_PTR, NULL),
    LIST("replicationChannels", m_pxc, channels, F_NULL, pxc_channel_kind, NULL),
};
static const struct snap_kind pxc_kind = {KIND("pxcCluster", m_pxc, pxc_fields), .open = pxc_open};

/* ------------------------------------------------------------------ ServiceEntries */

static const struct snap_field port_fields[] = {
    INT("number", m_port, number, F_REQ, 0, 65535, 0),
    BUF("name", m_port, name, F_NULL),
    BUF("protocol", m_port, protocol, F_NULL),
};
static const struct snap_kind port_kind = {KIND("port", m_port, port_fields)};

static const struct snap_field endpoint_fields[] = {
    BUF("address", m_endpoint, address, F_REQ),
    INT("port", m_endpoint, port, F_NULL | F_W_NULL_ZERO, 0, 65535, 0),
};
static const struct snap_kind endpoint_kind = {KIND("endpoint", m_endpoint, endpoint_fields)};

static int
sentry_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
            void **obj)
{
    const struct m_sentry *k = stage;
    if (model_sentry_find(parent, k->ns, k->name) != NULL)
        return snap__fail(rd, "ServiceEntry %s/%s listed twice", k->ns, k->name);
    *obj = model_sentry_upsert(snap__model(rd), parent, k->ns, k->name);
    return 0;
}

static const struct snap_field sentry_fields[] = {
    KEY("namespace", m_sentry, ns),
    KEY("name", m_sentry, name),
    STRS("hosts", m_sentry, hosts, n_hosts),
    STRS("addresses", m_sentry, addresses, n_addresses),
    ARR("ports", m_sentry, ports, n_ports, port_kind),
    INTERNED("location", m_sentry, location, "MESH_EXTERNAL", 0),
    INTERNED("resolution", m_sentry, resolution, "NONE", 0),
    ARR("endpoints", m_sentry, endpoints, n_endpoints, endpoint_kind),
    TIME("changedAt", m_sentry, changed_ms),
};
static const struct snap_kind sentry_kind = {KIND("serviceEntry", m_sentry, sentry_fields),
                                             .open = sentry_open};

/* ------------------------------------------------------------------ replication channels */

static const struct snap_field failover_fields[] = {
    BUF("host", m_failover_source, host, F_REQ),
    INT("port", m_failover_source, port, 0, 0, 65535, 3306),
    INT("weight", m_failover_source, weight, 0, 0, 1000000, 0),
    BOOL("inUse", m_failover_source, in_use),
};
static const struct snap_kind failover_kind = {
    KIND("failover source", m_failover_source, failover_fields), .noun = "sources"};

/* Samples oldest first; null is unknown. Loading keeps the newest LAG_HISTORY, as the
 * ring does live. */
static int
lag_history_read(struct snap_rd *rd, const struct snap_val *v, void *obj,
                 const struct snap_pos *pos)
{
    struct m_channel *ch = obj;
    size_t n = snap__arr_len(v);
    for (size_t i = 0; i < n; i++) {
        struct snap_val e;
        size_t mark = snap__arr_at(rd, v, i, &e);
        if (e.t == SV_NULL)
            model_channel_push_lag(ch, -1);
        else if (e.t == SV_INT || e.t == SV_REAL)
            model_channel_push_lag(ch, e.t == SV_INT ? (double)e.i : e.d);
        else
            return snap__fail(rd, "expected number or null, got %s", snap__type_name(&e));
        snap__arr_pop(rd, mark);
    }
    return 0;
}

static void
lag_history_write(struct snap_wr *w, const void *obj)
{
    const struct m_channel *ch = obj;
    snap__w_open(w, '[');
    for (int i = 0; i < ch->lag_len; i++) {
        float v = model_channel_lag_at(ch, i);
        if (v < 0)
            snap__w_null(w);
        else
            snap__w_ms(w, v);
    }
    snap__w_close(w, ']');
}

static const struct snap_custom lag_history = {W_ARR, lag_history_read, lag_history_write};

static int
channel_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
             void **obj)
{
    const struct m_channel *k = stage;
    if (model_channel_find(parent, k->server, k->name) != NULL)
        return snap__fail(rd, "channel \"%s\" on %s listed twice", k->name, k->server);
    *obj = model_channel_upsert(snap__model(rd), parent, k->server, k->name);
    return 0;
}

static int
channel_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    struct m_channel *ch = obj;
    if (ch->lag_s < 0)
        ch->lag_s = -1; /* the model's one "unknown" */
    return 0;
}

#define THREAD(k, m) ENUM(k, m_channel, m, F_NULL, thread_enum, NULL)
#define ERRNO(k, m) INT(k, m_channel, m, F_NULL, 0, 1 << 30, 0)

static const struct snap_field channel_fields[] = {
    KEY("name", m_channel, name),
    KEY("server", m_channel, server),
    OWNED("sourceHost", m_channel, source_host),
    INT("sourcePort", m_channel, source_port, F_NULL, 0, 65535, 0),
    THREAD("ioRunning", io),
    THREAD("sqlRunning", sql),
    OWNED("ioState", m_channel, io_state),
    OWNED("sqlState", m_channel, sql_state),
    NUM("lagSeconds", m_channel, lag_s, F_NULL | F_W_NULL_NEG, -1),
    BOOL("lagFromHeartbeat", m_channel, lag_from_heartbeat),
    ERRNO("lastIoErrno", last_io_errno),
    OWNED("lastIoError", m_channel, last_io_error),
    TIME("lastIoErrorAt", m_channel, last_io_error_ms),
    ERRNO("lastSqlErrno", last_sql_errno),
    OWNED("lastSqlError", m_channel, last_sql_error),
    TIME("lastSqlErrorAt", m_channel, last_sql_error_ms),
    OWNED("retrievedGtidSet", m_channel, retrieved_gtid),
    OWNED("executedGtidSet", m_channel, executed_gtid),
    {.key = "gtidGap",
     .type = T_I64,
     AT(m_channel, gtid_gap),
     .flags = F_NULL | F_W_NULL_NEG,
     .min = -1,
     .max = INT64_MAX,
     .dflt_i = -1},
    BOOL("autoPosition", m_channel, auto_position),
    INT("retryCount", m_channel, retry_count, 0, 0, 1 << 30, 0),
    TIME("stateSince", m_channel, state_since_ms),
    TIME("updatedAt", m_channel, updated_ms),
    BUF("error", m_channel, error, F_NULL | F_CUT),
    TIME("asOf", m_channel, as_of_ms),
    TRI("gtid", m_channel, gtid_mode),
    INTERNED("lagSource", m_channel, lag_source, NULL, F_W_NULL_PTR),
    BOOL("lagUnreliable", m_channel, lag_unreliable),
    TIME("lastHeartbeatAt", m_channel, last_heartbeat_ms),
    INTERNED("dialect", m_channel, dialect, NULL, F_W_NULL_PTR),
    INTERNED("route", m_channel, route, NULL, F_W_NULL_PTR),
    FIX("failoverSources", m_channel, failover, n_failover, failover_kind),
    CUSTOM("lagHistory", F_NULL, lag_history),
};
static const struct snap_kind channel_kind = {KIND("channel", m_channel, channel_fields),
                                              .open = channel_open, .close = channel_close};

/* ------------------------------------------------------------------ nodes */

static int
node_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
          void **obj)
{
    const struct m_cluster *c = parent;
    const char *name = ((const struct m_node *)stage)->name;
    for (size_t k = 0; k < c->nodes.n; k++)
        if (strcmp(((struct m_node *)c->nodes.items[k])->name, name) == 0)
            return snap__fail(rd, "node \"%s\" listed twice", name);
    *obj = model_node_upsert(snap__model(rd), parent, name);
    return 0;
}

static const struct snap_field node_fields[] = {
    KEY("name", m_node, name),
    BUF("internalIP", m_node, internal_ip, F_NULL),
    BUF("externalIP", m_node, external_ip, F_NULL),
};
static const struct snap_kind node_kind = {KIND("node", m_node, node_fields), .open = node_open};

/* ------------------------------------------------------------------ MySQL servers */

static int
server_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
            void **obj)
{
    const char *name = ((const struct m_server *)stage)->name;
    if (model_server_find(parent, name) != NULL)
        return snap__fail(rd, "MySQL server \"%s\" listed twice", name);
    *obj = model_server_upsert(snap__model(rd), parent, name);
    return 0;
}

static const struct snap_field server_fields[] = {
    KEY("name", m_server, name),
    BUF("host", m_server, host, F_NULL),
    INT("port", m_server, port, F_NULL, 0, 65535, 3306),
    TIME("updatedAt", m_server, updated_ms),
    TIME("asOf", m_server, as_of_ms),
    TIME("errorSince", m_server, error_since_ms),
    BUF("error", m_server, error, F_NULL | F_CUT),
    BOOL("hung", m_server, hung),
    INT("channels", m_server, n_channels, 0, 0, 1 << 20, 0),
    INTERNED("route", m_server, route, NULL, F_W_NULL_PTR),
    INTERNED("routeError", m_server, route_error, NULL, F_W_NULL_PTR),
};
static const struct snap_kind server_kind = {KIND("mysqlServer", m_server, server_fields),
                                             .open = server_open};

/* ------------------------------------------------------------------ clusters */

static int
cluster_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
             void **obj)
{
    const struct m_cluster *k = stage;
    struct model *m = parent;
    if (k->name[0] == '\0')
        return snap__fail(rd, "name is empty; every cluster needs a display name");
    if (model_cluster_find(m, k->name) != NULL)
        return snap__fail(rd, "cluster \"%s\" listed twice", k->name);
    *obj = model_cluster_add(m, k->name, k->context, k->server);
    return 0;
}

/* Not an object of the model: two of the cluster's own fields, grouped. */
static const struct snap_field istio_fields[] = {
    BOOL("installed", m_cluster, istio_installed),
    INTERNED("version", m_cluster, istio_version, NULL, F_W_NULL_PTR),
};
static const struct snap_kind istio_kind = {KIND("istio", m_cluster, istio_fields)};

static const struct snap_field cluster_fields[] = {
    KEY("name", m_cluster, name),
    STR("context", m_cluster, context, F_BORROW | F_NULL, NULL), /* NULL: the name */
    STR("server", m_cluster, server, F_BORROW | F_NULL, ""),
    BOOL("reachable", m_cluster, reachable),
    BUF("error", m_cluster, error, F_NULL | F_CUT | F_W_NULL_EMPTY),
    BOOL("insecure", m_cluster, insecure),
    TIME("updatedAt", m_cluster, updated_ms),
    OBJ("istio", 0, F_NULL, istio_kind, 0), /* fields of the cluster itself */
    LIST("namespaces", m_cluster, namespaces, F_NULL, namespace_kind, cmp_namespace),
    LIST("pods", m_cluster, pods, F_NULL | F_BULK, pod_kind, cmp_pod),
    LIST("pxcClusters", m_cluster, pxcs, F_NULL, pxc_kind, cmp_pxc),
    LIST("serviceEntries", m_cluster, sentries, F_NULL, sentry_kind, cmp_sentry),
    LIST("channels", m_cluster, channels, F_NULL, channel_kind, cmp_channel),
    LIST("nodes", m_cluster, nodes, F_NULL, node_kind, cmp_node),
    LIST("mysqlServers", m_cluster, servers, F_NULL, server_kind, cmp_server),
};
static const struct snap_kind cluster_kind = {KIND("cluster", m_cluster, cluster_fields),
                                              .open = cluster_open};

/* ------------------------------------------------------------------ findings */

static int
finding_open(struct snap_rd *rd, void *parent, const void *stage, const struct snap_pos *pos,
             void **obj)
{
    *obj = model_finding_add(parent, SEV_INFO, "", "", "", "", "");
    return 0;
}

/* An index into findings[], or null. */
static int
cause_read(struct snap_rd *rd, const struct snap_val *v, void *obj, const struct snap_pos *pos)
{
    struct m_finding *f = obj;
    if (v->t == SV_ABSENT) {
        f->cause = -1;
        return 0;
    }
    long long max = (long long)pos->n - 1;
    if (v->i < 0 || v->i > max)
        return snap__fail(rd, "%lld is out of range (0..%lld)", v->i, max);
    f->cause = (int)v->i;
    return 0;
}

static void
cause_write(struct snap_wr *w, const void *obj)
{
    const struct m_finding *f = obj;
    if (f->cause < 0)
        snap__w_null(w);
    else
        snap__w_int(w, f->cause);
}

static const struct snap_custom cause = {W_INT, cause_read, cause_write};

static int
finding_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    const struct m_finding *f = obj;
    if (f->cause >= 0 && (size_t)f->cause == pos->i)
        return snap__fail(rd, "cause %d is the finding itself", f->cause);
    return 0;
}

static const struct snap_field fix_fields[] = {
    ENUM("action", m_fix, kind, F_NULL, fix_enum, "none"),
    OWNED("command", m_fix, command),
    OWNED("what", m_fix, what),
    OWNED("where", m_fix, where),
    OWNED("warning", m_fix, warning),
};
static const struct snap_kind fix_kind = {KIND("fix", m_fix, fix_fields)};

static const struct snap_field finding_fields[] = {
    ENUM("severity", m_finding, severity, F_REQ, severity_enum, NULL),
    STR("code", m_finding, code, F_REQ, NULL),
    OWNED("cluster", m_finding, cluster),
    OWNED("object", m_finding, object),
    OWNED("message", m_finding, message),
    OWNED("hint", m_finding, hint),
    CUSTOM("cause", F_NULL, cause),
    TIME("since", m_finding, since_ms),
    OBJ("fix", offsetof(struct m_finding, fix), F_NULL, fix_kind, 0),
};
static const struct snap_kind finding_kind = {KIND("finding", m_finding, finding_fields),
                                              .open = finding_open, .close = finding_close};

/* ------------------------------------------------------------------ events */

/* Read whole, then appended: model_event keeps the ring (and cuts the text) as it does
 * live; the recorded time replaces the one it stamps. */
static int
event_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    const struct m_event *e = obj;
    struct model *m = parent;
    model_event(m, e->cluster, e->level, "%s", e->what);
    m->events[(m->ev_head + m->ev_len - 1) % MODEL_MAX_EVENTS].wall_ms = e->wall_ms;
    return 0;
}

static const struct snap_field event_fields[] = {
    {.key = "at", .type = T_TIME, AT(m_event, wall_ms), .flags = F_REQ | F_NULL},
    STR("cluster", m_event, cluster, F_BORROW | F_NULL, ""),
    INT("level", m_event, level, 0, 0, 2, 0),
    STR("what", m_event, what, F_BORROW | F_REQ, NULL),
};
static const struct snap_kind event_kind = {KIND("event", m_event, event_fields),
                                            .close = event_close};

static size_t
events_count(const void *obj)
{
    return (size_t)((const struct model *)obj)->ev_len;
}

static const void *
events_at(const void *obj, size_t i)
{
    const struct model *m = obj;
    return model_event_at(m, m->ev_len - 1 - (int)i); /* oldest first */
}

static const struct snap_seq events = {events_count, events_at};

/* ------------------------------------------------------------------ the document */

static int
version_read(struct snap_rd *rd, const struct snap_val *v, void *obj, const struct snap_pos *pos)
{
    if (v->i > SNAP_SCHEMA_VERSION)
        return snap__fail_doc(rd,
                              "schemaVersion %lld is newer than this pxcmesh understands (%d); "
                              "use a newer pxcmesh to open it",
                              v->i, SNAP_SCHEMA_VERSION);
    if (v->i < 1)
        return snap__fail_doc(rd, "schemaVersion %lld is not valid (expected %d)", v->i,
                              SNAP_SCHEMA_VERSION);
    return 0;
}

static void
version_write(struct snap_wr *w, const void *obj)
{
    snap__w_int(w, SNAP_SCHEMA_VERSION);
}

static const struct snap_custom version = {W_INT, version_read, version_write};

/* Views follow cause chains to their root: a cycle would never end. */
static int
root_close(struct snap_rd *rd, void *parent, void *obj, const struct snap_pos *pos)
{
    const struct model *m = obj;
    size_t n = m->findings.n;
    for (size_t i = 0; i < n; i++) {
        int c = ((const struct m_finding *)m->findings.items[i])->cause;
        for (size_t steps = 0; c >= 0; steps++) {
            if (steps >= n)
                return snap__fail_doc(
                    rd, "findings[%zu].cause: the chain of causes loops back on itself", i);
            c = ((const struct m_finding *)m->findings.items[c])->cause;
        }
    }
    return 0;
}

static const struct snap_field root_fields[] = {
    CUSTOM("schemaVersion", F_REQ, version),
    {.key = "generatedAt",
     .type = T_TIME,
     AT(model, generated_ms),
     .flags = F_REQ | F_NULL | F_W_NOW},
    LIST("clusters", model, clusters, F_REQ, cluster_kind, NULL),
    LIST("findings", model, findings, F_NULL, finding_kind, NULL),
    {.key = "events", .type = T_LIST, .flags = F_NULL, .kind = &event_kind, .seq = &events},
};
const struct snap_kind snap__root = {KIND("Top level", model, root_fields), .close = root_close};

_Static_assert(sizeof(struct m_cluster) <= SNAP_STAGE_MAX &&
                   sizeof(struct m_channel) <= SNAP_STAGE_MAX &&
                   sizeof(struct m_pod) <= SNAP_STAGE_MAX,
               "a kind read through a stage is larger than the stage");

const struct snap_kind *
snap__object_kind(int obj)
{
    switch ((enum snap_obj)obj) {
    case SNAP_OBJ_POD:
        return &pod_kind;
    case SNAP_OBJ_PXC:
        return &pxc_kind;
    case SNAP_OBJ_SENTRY:
        return &sentry_kind;
    case SNAP_OBJ_NAMESPACE:
        return &namespace_kind;
    case SNAP_OBJ_CHANNEL:
        return &channel_kind;
    }
    return NULL;
}
