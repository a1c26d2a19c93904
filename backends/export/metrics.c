/* metrics: the model in Prometheus' text format. Each family is one pass over the part of
 * the model it describes, so that its samples stay together as the format asks; the pods
 * are walked once per cluster for the counts, never once per family and pod. What is
 * deliberately not here: serving the text (backends/serve), and judging what is wrong
 * (the doctor's findings are exposed as they are, one gauge each). */
#include "export/metrics.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "doctor/mesh.h"

struct lbl {
    const char *k, *v;
};

#define NLBL(...) (sizeof((const struct lbl[]){__VA_ARGS__}) / sizeof(struct lbl))
/* One sample: S(out, "name", value, {"label", value}, ...). */
#define S(o, name, val, ...)                                                                       \
    sample((o), (name), (val), (const struct lbl[]){__VA_ARGS__}, NLBL(__VA_ARGS__))

void
metrics_label_escape(struct strbuf *out, const char *s)
{
    for (const char *p = s != NULL ? s : ""; *p != '\0'; p++) {
        if (*p == '\\')
            strbuf_append(out, "\\\\");
        else if (*p == '"')
            strbuf_append(out, "\\\"");
        else if (*p == '\n')
            strbuf_append(out, "\\n");
        else
            strbuf_appendc(out, *p);
    }
}

static void
fam(struct strbuf *o, const char *name, const char *type, const char *help)
{
    strbuf_appendf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
value(struct strbuf *o, double v)
{
    if (isnan(v))
        strbuf_append(o, "NaN");
    else if (isinf(v))
        strbuf_append(o, v > 0 ? "+Inf" : "-Inf");
    else if (v == (double)(int64_t)v && fabs(v) < 1e15)
        strbuf_appendf(o, "%lld", (long long)v);
    else
        strbuf_appendf(o, "%.15g", v);
}

static void
sample(struct strbuf *o, const char *name, double v, const struct lbl *l, size_t n)
{
    strbuf_append(o, name);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (l[i].k == NULL)
            continue;
        strbuf_append(o, any ? "," : "{");
        any = true;
        strbuf_append(o, l[i].k);
        strbuf_append(o, "=\"");
        metrics_label_escape(o, l[i].v);
        strbuf_appendc(o, '"');
    }
    if (any)
        strbuf_appendc(o, '}');
    strbuf_appendc(o, ' ');
    value(o, v);
    strbuf_appendc(o, '\n');
}

static double
ts_s(int64_t ms)
{
    return ms > 0 ? (double)ms / 1000.0 : NAN;
}

/* Age of a wall-ms time at now: +Inf for never, so that "older than" holds for it. */
static double
age_s(int64_t ms, int64_t now_ms)
{
    if (ms <= 0)
        return INFINITY;
    return ms > now_ms ? 0.0 : (double)(now_ms - ms) / 1000.0;
}

static double
thread_running(enum thread_state t)
{
    return t == THR_UNKNOWN ? NAN : t == THR_YES ? 1 : 0;
}

static const char *
thread_word(enum thread_state t)
{
    switch (t) {
    case THR_YES:
        return "yes";
    case THR_NO:
        return "no";
    case THR_CONNECTING:
        return "connecting";
    case THR_UNKNOWN:
        break;
    }
    return "unknown";
}

static bool
is_pxc_pod(const struct m_pod *p)
{
    return p->component != NULL && strcmp(p->component, "pxc") == 0;
}

/* ------------------------------------------------------------------ clusters */

static void
clusters(struct strbuf *o, const struct model *m)
{
    fam(o, "pxcmesh_cluster_api_reachable", "gauge",
        "Whether the cluster's Kubernetes API answered (1) or not (0).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        S(o, "pxcmesh_cluster_api_reachable", c->reachable ? 1 : 0, {"cluster", c->name});
    }
    fam(o, "pxcmesh_cluster_istio_info", "gauge",
        "Istio in the cluster: installed (0 or 1 as the value) and its version (\"\" unknown).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        S(o, "pxcmesh_cluster_istio_info", c->istio_installed ? 1 : 0, {"cluster", c->name},
          {"version", c->istio_version != NULL ? c->istio_version : ""});
    }
    /* Counts by sidecar state, and PXC pods by name: both from one walk of the pods. */
    fam(o, "pxcmesh_cluster_pods", "gauge",
        "Pods of the cluster by sidecar state: injected, missing (namespace labelled, pod "
        "has none) or disabled (nothing expected).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        int n[3] = {0, 0, 0};
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            if ((unsigned)p->sidecar < 3)
                n[p->sidecar]++;
        }
        S(o, "pxcmesh_cluster_pods", n[SIDECAR_INJECTED], {"cluster", c->name},
          {"sidecar", "injected"});
        S(o, "pxcmesh_cluster_pods", n[SIDECAR_MISSING], {"cluster", c->name},
          {"sidecar", "missing"});
        S(o, "pxcmesh_cluster_pods", n[SIDECAR_DISABLED], {"cluster", c->name},
          {"sidecar", "disabled"});
    }
    fam(o, "pxcmesh_cluster_pods_restart_needed", "gauge",
        "Pods created without a sidecar in a namespace labelled for injection: they need a "
        "restart to get one.");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        int n = 0;
        for (size_t k = 0; k < c->pods.n; k++)
            n += ((const struct m_pod *)c->pods.items[k])->restart_needed;
        S(o, "pxcmesh_cluster_pods_restart_needed", n, {"cluster", c->name});
    }
    fam(o, "pxcmesh_pxc_pod_sidecar_missing", "gauge",
        "A PXC pod (component pxc) without the sidecar its namespace asks for (1), or with "
        "what it needs (0).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            if (is_pxc_pod(p))
                S(o, "pxcmesh_pxc_pod_sidecar_missing", p->sidecar == SIDECAR_MISSING ? 1 : 0,
                  {"cluster", c->name}, {"namespace", p->ns}, {"pod", p->name});
        }
    }
    fam(o, "pxcmesh_pxc_size", "gauge",
        "The size a PerconaXtraDBCluster asks for (spec.pxc.size).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->pxcs.n; k++) {
            const struct m_pxc *x = c->pxcs.items[k];
            S(o, "pxcmesh_pxc_size", x->size, {"cluster", c->name}, {"namespace", x->ns},
              {"pxc", x->name});
        }
    }
}

/* ------------------------------------------------------------------ ServiceEntries */

static bool
sentry_has_host(const struct m_cluster *c, const char *host)
{
    for (size_t i = 0; i < c->sentries.n; i++) {
        const struct m_sentry *se = c->sentries.items[i];
        for (int h = 0; h < se->n_hosts; h++)
            if (strcasecmp(se->hosts[h], host) == 0)
                return true;
    }
    return false;
}

/* The mesh hosts (NAME.X.global) the cluster's replicas read from: its channels' and its
 * PXC CRs' replica channels' sources, each once. Calls fn for each. */
static void
expected_hosts(const struct m_cluster *c,
               void (*fn)(const struct m_cluster *, const char *, void *), void *arg)
{
    const char *seen[64];
    size_t n = 0;
    for (size_t i = 0; i < c->channels.n + c->pxcs.n; i++) {
        const char *hosts[16];
        size_t nh = 0;
        if (i < c->channels.n) {
            hosts[nh++] = ((const struct m_channel *)c->channels.items[i])->source_host;
        } else {
            const struct m_pxc *x = c->pxcs.items[i - c->channels.n];
            for (size_t k = 0; k < x->channels.n; k++) {
                const struct m_pxc_channel *pc = x->channels.items[k];
                for (int s = 0; !pc->is_source && s < pc->n_sources && nh < 16; s++)
                    hosts[nh++] = pc->sources[s].host;
            }
        }
        for (size_t h = 0; h < nh; h++) {
            if (hosts[h] == NULL || !mesh_host_parse(hosts[h], NULL, 0, NULL, 0))
                continue;
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = strcasecmp(seen[k], hosts[h]) == 0;
            if (dup || n == sizeof seen / sizeof seen[0])
                continue;
            seen[n++] = hosts[h];
            fn(c, hosts[h], arg);
        }
    }
}

static void
emit_expected(const struct m_cluster *c, const char *host, void *arg)
{
    /* While the cluster's first lists are in flight, a ServiceEntry not yet in the model
     * is unknown, not absent. */
    S((struct strbuf *)arg, "pxcmesh_serviceentry_present",
      sentry_has_host(c, host) ? 1
      : c->listing             ? NAN
                               : 0,
      {"cluster", c->name}, {"host", host});
}

static void
sentries(struct strbuf *o, const struct model *m)
{
    fam(o, "pxcmesh_serviceentry_present", "gauge",
        "Whether a ServiceEntry of the cluster defines a mesh host (NAME.X.global) that a "
        "replication channel or a PXC replica channel there reads from; NaN while the "
        "cluster's first lists are in flight.");
    for (size_t i = 0; i < m->clusters.n; i++)
        expected_hosts(m->clusters.items[i], emit_expected, o);
    fam(o, "pxcmesh_serviceentry_endpoints", "gauge",
        "Endpoints a ServiceEntry lists, with its resolution (STATIC needs at least one).");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            S(o, "pxcmesh_serviceentry_endpoints", se->n_endpoints, {"cluster", c->name},
              {"namespace", se->ns}, {"serviceentry", se->name},
              {"resolution", se->resolution != NULL ? se->resolution : ""});
        }
    }
    fam(o, "pxcmesh_serviceentry_endpoints_unmatched", "gauge",
        "Endpoints of a ServiceEntry for a remote cluster's host (NAME.X.global) that are "
        "no node InternalIP of cluster X; only for X known here with its nodes listed.");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *se = c->sentries.items[k];
            char remote[128];
            if (se->n_hosts < 1 || !mesh_host_parse(se->hosts[0], NULL, 0, remote, sizeof remote))
                continue;
            const struct m_cluster *rc = model_cluster_find((struct model *)m, remote);
            if (rc == NULL || rc->nodes.n == 0 || rc->listing)
                continue;
            int bad = 0;
            for (int e = 0; e < se->n_endpoints; e++)
                bad += !mesh_is_endpoint(rc, se->endpoints[e].address);
            S(o, "pxcmesh_serviceentry_endpoints_unmatched", bad, {"cluster", c->name},
              {"namespace", se->ns}, {"serviceentry", se->name}, {"remote", remote});
        }
    }
}

/* ------------------------------------------------------------------ channels */

#define FOR_CHANNELS(m, c, ch)                                                                     \
    for (size_t ci_ = 0; ci_ < (m)->clusters.n; ci_++)                                             \
        for (const struct m_cluster *c = (m)->clusters.items[ci_]; c != NULL; c = NULL)            \
            for (size_t k_ = 0; k_ < c->channels.n; k_++)                                          \
                for (const struct m_channel *ch = c->channels.items[k_]; ch != NULL; ch = NULL)

#define CH_LABELS(c, ch)                                                                           \
    {"cluster", (c)->name}, {"server", (ch)->server},                                              \
    {                                                                                              \
        "channel", (ch)->name                                                                      \
    }

static void
channels(struct strbuf *o, const struct model *m, int64_t now)
{
    fam(o, "pxcmesh_channel_io_running", "gauge",
        "The channel's IO thread runs (1) or not (0: stopped or connecting); NaN unknown.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_io_running", thread_running(ch->io), CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_sql_running", "gauge",
        "The channel's SQL thread runs (1) or not (0); NaN unknown.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_sql_running", thread_running(ch->sql), CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_state_info", "gauge",
        "The channel's thread states in words (yes, no, connecting, unknown); always 1.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_state_info", 1, CH_LABELS(c, ch), {"io", thread_word(ch->io)},
      {"sql", thread_word(ch->sql)});
    fam(o, "pxcmesh_channel_lag_seconds", "gauge",
        "Replication lag; NaN unknown (IO thread reconnecting, SQL thread stopped, server "
        "unread).");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_lag_seconds", ch->lag_s < 0 ? NAN : ch->lag_s, CH_LABELS(c, ch),
      {"lag_source", ch->lag_source != NULL ? ch->lag_source : ""});
    fam(o, "pxcmesh_channel_lag_reliable", "gauge",
        "Whether the lag comes from a heartbeat or performance_schema (1) rather than "
        "Seconds_Behind_Source (0), which is 0 while the SQL thread waits; NaN unknown.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_lag_reliable",
      ch->lag_s < 0        ? NAN
      : ch->lag_unreliable ? 0
                           : 1,
      CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_heartbeat_age_seconds", "gauge",
        "Time since the source's last heartbeat reached the channel (MySQL 8 "
        "performance_schema); NaN where the server does not say.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_heartbeat_age_seconds",
      ch->last_heartbeat_ms > 0 ? age_s(ch->last_heartbeat_ms, now) : NAN, CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_last_io_errno", "gauge", "The IO thread's last error number, 0 none.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_last_io_errno", ch->last_io_errno, CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_last_sql_errno", "gauge",
        "The SQL thread's last error number, 0 none.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_last_sql_errno", ch->last_sql_errno, CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_gtid_gap_transactions", "gauge",
        "Transactions retrieved but not yet executed; NaN unknown.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_gtid_gap_transactions", ch->gtid_gap < 0 ? NAN : (double)ch->gtid_gap,
      CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_source_info", "gauge",
        "Where the channel reads from: the host and port it was given, and the server that "
        "serves its binlog dump now (source_cluster, source_server, source_address; \"\" "
        "unknown); always 1.");
    FOR_CHANNELS(m, c, ch)
    {
        char port[16];
        snprintf(port, sizeof port, "%d", ch->source_port);
        S(o, "pxcmesh_channel_source_info", 1, CH_LABELS(c, ch), {"source_host", ch->source_host},
          {"source_port", port}, {"source_cluster", ch->src_cluster},
          {"source_server", ch->src_server}, {"source_address", ch->src_address});
    }
    fam(o, "pxcmesh_channel_last_read_timestamp_seconds", "gauge",
        "When the channel's server was last read successfully (Unix time); NaN never.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_last_read_timestamp_seconds", ts_s(ch->updated_ms), CH_LABELS(c, ch));
    fam(o, "pxcmesh_channel_last_read_age_seconds", "gauge",
        "Age of the values above: time since the last good read of the channel's server; "
        "+Inf never.");
    FOR_CHANNELS(m, c, ch)
    S(o, "pxcmesh_channel_last_read_age_seconds", age_s(ch->updated_ms, now), CH_LABELS(c, ch));
}

/* ------------------------------------------------------------------ Galera */

#define FOR_GALERA(m, c, p)                                                                        \
    for (size_t ci_ = 0; ci_ < (m)->clusters.n; ci_++)                                             \
        for (const struct m_cluster *c = (m)->clusters.items[ci_]; c != NULL; c = NULL)            \
            for (size_t k_ = 0; k_ < c->pods.n; k_++)                                              \
                for (const struct m_pod *p = c->pods.items[k_]; p != NULL; p = NULL)               \
                    if (p->galera.known)

#define POD_LABELS(c, p)                                                                           \
    {"cluster", (c)->name}, {"namespace", (p)->ns},                                                \
        {"pxc", (p)->instance != NULL ? (p)->instance : ""},                                       \
    {                                                                                              \
        "pod", (p)->name                                                                           \
    }

static void
galera(struct strbuf *o, const struct model *m, int64_t now)
{
    fam(o, "pxcmesh_galera_node_synced", "gauge",
        "The node's wsrep_local_state_comment is Synced (1) or not (0).");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_node_synced",
      p->galera.state != NULL && strcmp(p->galera.state, "Synced") == 0 ? 1 : 0, POD_LABELS(c, p));
    fam(o, "pxcmesh_galera_node_state_info", "gauge",
        "The node's Galera state and cluster status in words; always 1.");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_node_state_info", 1, POD_LABELS(c, p),
      {"state", p->galera.state != NULL ? p->galera.state : ""},
      {"status", p->galera.status != NULL ? p->galera.status : ""});
    fam(o, "pxcmesh_galera_node_ready", "gauge", "wsrep_ready of the node (1 ON, 0 OFF).");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_node_ready", p->galera.ready ? 1 : 0, POD_LABELS(c, p));
    fam(o, "pxcmesh_galera_cluster_size", "gauge",
        "wsrep_cluster_size as the node sees it; NaN unknown.");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_cluster_size",
      p->galera.cluster_size < 0 ? NAN : (double)p->galera.cluster_size, POD_LABELS(c, p));
    fam(o, "pxcmesh_galera_flow_control_paused_ratio", "gauge",
        "wsrep_flow_control_paused: the fraction of time replication was paused by flow "
        "control since the last FLUSH STATUS (0 to 1).");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_flow_control_paused_ratio", p->galera.fc_paused, POD_LABELS(c, p));
    fam(o, "pxcmesh_galera_last_read_age_seconds", "gauge",
        "Age of the node's Galera values: time since its last good read; +Inf never.");
    FOR_GALERA(m, c, p)
    S(o, "pxcmesh_galera_last_read_age_seconds", age_s(p->galera.updated_ms, now),
      POD_LABELS(c, p));
}

/* ------------------------------------------------------------------ findings, backends */

static void
findings(struct strbuf *o, const struct model *m)
{
    fam(o, "pxcmesh_doctor_finding", "gauge",
        "A finding of the doctor that holds now, by code (docs/doctor.md), severity, cluster "
        "and object; always 1.");
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        S(o, "pxcmesh_doctor_finding", 1, {"code", f->code},
          {"severity", model_severity_name(f->severity)}, {"cluster", f->cluster},
          {"object", f->object});
    }
    fam(o, "pxcmesh_doctor_finding_since_timestamp_seconds", "gauge",
        "Since when a finding holds (Unix time); NaN unknown.");
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        S(o, "pxcmesh_doctor_finding_since_timestamp_seconds", ts_s(f->since_ms), {"code", f->code},
          {"severity", model_severity_name(f->severity)}, {"cluster", f->cluster},
          {"object", f->object});
    }
}

static void
backends(struct strbuf *o, const struct model *m, int64_t now)
{
    static const char *const names[] = {"pxcmesh_backend_last_success_timestamp_seconds",
                                        "pxcmesh_backend_last_success_age_seconds"};
    static const char *const helps[] = {
        "When a backend last read well (Unix time): the cluster's Kubernetes API, or one "
        "MySQL server; NaN never.",
        "Time since a backend last read well, the age of every value it gave; +Inf never."};
    for (int which = 0; which < 2; which++) {
        fam(o, names[which], "gauge", helps[which]);
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = m->clusters.items[i];
            int64_t t = c->updated_ms;
            S(o, names[which], which == 0 ? ts_s(t) : age_s(t, now), {"cluster", c->name},
              {"backend", "kubernetes"}, {"server", ""});
            for (size_t k = 0; k < c->servers.n; k++) {
                const struct m_server *s = c->servers.items[k];
                S(o, names[which], which == 0 ? ts_s(s->updated_ms) : age_s(s->updated_ms, now),
                  {"cluster", c->name}, {"backend", "mysql"}, {"server", s->name});
            }
        }
    }
    fam(o, "pxcmesh_mysql_server_up", "gauge",
        "Whether the newest read of a MySQL server succeeded (1) or failed (0); NaN not "
        "read yet.");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *s = c->servers.items[k];
            S(o, "pxcmesh_mysql_server_up",
              s->as_of_ms == 0 ? NAN
              : s->error[0]    ? 0
                               : 1,
              {"cluster", c->name}, {"server", s->name});
        }
    }
    fam(o, "pxcmesh_mysql_server_binlog_dumps", "gauge",
        "Binlog dump threads on a MySQL server (replicas reading from it); NaN unknown.");
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *s = c->servers.items[k];
            S(o, "pxcmesh_mysql_server_binlog_dumps",
              s->binlog_dumps < 0 ? NAN : (double)s->binlog_dumps, {"cluster", c->name},
              {"server", s->name});
        }
    }
}

static void
process(struct strbuf *o, const struct metrics_opts *mo, const struct health_limits *lim)
{
    fam(o, "pxcmesh_build_info", "gauge", "pxcmesh's version; always 1.");
    S(o, "pxcmesh_build_info", 1, {"version", mo->version != NULL ? mo->version : ""});
    fam(o, "pxcmesh_lag_threshold_seconds", "gauge",
        "The configured lag thresholds: warning (lagWarnSeconds) and critical "
        "(lagCritSeconds).");
    S(o, "pxcmesh_lag_threshold_seconds", lim->lag_warn_s, {"level", "warning"});
    S(o, "pxcmesh_lag_threshold_seconds", lim->lag_crit_s, {"level", "critical"});
    static const struct {
        const char *name, *help;
        size_t off;
    } ctr[] = {
        {"pxcmesh_doctor_runs_total", "Runs of the live doctor.",
         offsetof(struct metrics_opts, doctor_runs)},
        {"pxcmesh_model_changes_total", "Changes of the model (what the backends reported).",
         offsetof(struct metrics_opts, model_changes)},
        {"pxcmesh_events_total", "Events appended to the event log.",
         offsetof(struct metrics_opts, events)},
    };
    for (size_t i = 0; i < sizeof ctr / sizeof ctr[0]; i++) {
        int64_t v = *(const int64_t *)((const char *)mo + ctr[i].off);
        fam(o, ctr[i].name, "counter", ctr[i].help);
        if (v >= 0)
            sample(o, ctr[i].name, (double)v, NULL, 0);
    }
}

void
metrics_render(const struct model *m, const struct metrics_opts *o, struct strbuf *out)
{
    struct metrics_opts def = {.doctor_runs = -1, .model_changes = -1, .events = -1};
    if (o == NULL)
        o = &def;
    int64_t now = o->now_ms > 0 ? o->now_ms : clock_wall_ms();
    struct health_limits lim = o->limits != NULL ? *o->limits : health_limits_from_config(NULL);
    clusters(out, m);
    sentries(out, m);
    channels(out, m, now);
    galera(out, m, now);
    findings(out, m);
    backends(out, m, now);
    process(out, o, &lim);
}
