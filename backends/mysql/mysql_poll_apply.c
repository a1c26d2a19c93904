/* mysql_poll_apply: what the answers of a MySQL server mean for the model. The poller
 * (mysql_poll.c) decides what to read and when; here a replica status becomes channels with
 * their lag and state-change events, wsrep status becomes the pod's Galera state, and a
 * failed read is shown where the operator looks (the server's channels and pod).
 *
 * Lag: a pt-heartbeat table when one is configured (its row from the channel's source server,
 * else its only row); else, on MySQL 8, the applier's performance_schema timestamps; else
 * Seconds_Behind_Source, flagged unreliable: NULL while the IO thread reconnects (kept as
 * unknown, -1, never 0) and 0 while the SQL thread waits for the IO thread.
 *
 * Deliberately not here: connections, passwords, rounds (mysql_poll.c), and parsing the
 * result sets (replstat.c, galera.c). */
#include "mysql/mysql_poll_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mysql/galera.h"
#include "mysql/replstat.h"

/* The pod a server is (same name). Called for every server every refresh: a scan of
 * 10,000 pods each time was most of an idle console's CPU, so the pod's namespace is
 * remembered (then it is a hash lookup) and a miss is not searched again until pods come
 * or go. */
static struct m_pod *
server_pod(struct m_cluster *c, struct mp_server *s)
{
    struct m_pod *pod;
    if (s->pod_ns != NULL && (pod = model_pod_find(c, s->pod_ns, s->name)) != NULL)
        return pod;
    if (s->pod_miss_gen == c->pod_names_gen + 1)
        return NULL;
    for (size_t i = 0; i < c->pods.n; i++) {
        pod = c->pods.items[i];
        if (strcmp(pod->name, s->name) == 0) {
            s->pod_ns = pod->ns; /* interned: lives as long as the model */
            return pod;
        }
    }
    s->pod_miss_gen = c->pod_names_gen + 1;
    return NULL;
}

static void
chan_event(const struct mp_apply *ap, int level, const struct m_channel *ch, const char *what)
{
    model_event(ap->m, ap->cluster, level, "channel %s on %s: %s", ch->name[0] ? ch->name : "''",
                ch->server, what);
}

static void
describe(const struct m_channel *ch, char *buf, size_t n)
{
    if (ch->last_io_errno != 0)
        snprintf(buf, n, "IO %s, error %d: %.150s", model_thread_name(ch->io), ch->last_io_errno,
                 ch->last_io_error);
    else if (ch->last_sql_errno != 0)
        snprintf(buf, n, "SQL %s, error %d: %.150s", model_thread_name(ch->sql), ch->last_sql_errno,
                 ch->last_sql_error);
    else
        snprintf(buf, n, "IO %s, SQL %s", model_thread_name(ch->io), model_thread_name(ch->sql));
}

/* Events on a state change: started, stopped, error, recovered. */
static void
channel_events(const struct mp_apply *ap, struct m_channel *ch, bool is_new, enum thread_state io0,
               enum thread_state sql0, int ioe0, int sqle0)
{
    char d[256];
    describe(ch, d, sizeof d);
    bool err_now = ch->last_io_errno != 0 || ch->last_sql_errno != 0;
    bool err_before = ioe0 != 0 || sqle0 != 0;
    bool running = ch->io == THR_YES && ch->sql == THR_YES;
    bool was_running = io0 == THR_YES && sql0 == THR_YES;
    if (is_new) {
        if (err_now || !running)
            chan_event(ap, err_now ? 2 : 1, ch, d);
        return;
    }
    if (err_now && (ch->last_io_errno != ioe0 || ch->last_sql_errno != sqle0)) {
        char w[300];
        snprintf(w, sizeof w, "error: %s", d);
        chan_event(ap, 2, ch, w);
    } else if (running && !was_running) {
        chan_event(ap, 0, ch,
                   err_before ? "recovered (IO Yes, SQL Yes)" : "started (IO Yes, SQL Yes)");
    } else if (running && err_before && !err_now) {
        chan_event(ap, 0, ch, "recovered (IO Yes, SQL Yes)");
    } else if (!running && was_running && !err_now) {
        char w[300];
        snprintf(w, sizeof w, "stopped (%s)", d);
        chan_event(ap, 1, ch, w);
    } else if (!running && (io0 != ch->io || sql0 != ch->sql) && !err_now) {
        char w[300];
        snprintf(w, sizeof w, "now %s", d);
        chan_event(ap, 1, ch, w);
    }
}

/* The heartbeat row for a channel: the one written by its source server, else the only one. */
static double
heartbeat_lag(const struct mysqlc_rows *hb, int64_t source_server_id)
{
    if (hb == NULL || hb->n_rows == 0)
        return -1;
    int sc = mysqlc_rows_col(hb, "server_id"), lc = mysqlc_rows_col(hb, "lag_s");
    for (size_t r = 0; r < hb->n_rows; r++) {
        const char *sid = mysqlc_rows_get(hb, r, sc), *lag = mysqlc_rows_get(hb, r, lc);
        if (sid && lag && source_server_id > 0 && strtoll(sid, NULL, 10) == source_server_id)
            return strtod(lag, NULL) < 0 ? 0 : strtod(lag, NULL);
    }
    if (hb->n_rows == 1) {
        const char *lag = mysqlc_rows_get(hb, 0, lc);
        if (lag)
            return strtod(lag, NULL) < 0 ? 0 : strtod(lag, NULL);
    }
    return -1;
}

static void
apply_channel(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s,
              const struct replstat_channel *rc, const struct mysqlc_result *res)
{
    /* One kept unread for its CR (updated_ms 0) is new too: its first read says started. */
    const struct m_channel *known = model_channel_find(c, s->name, rc->name);
    bool is_new = known == NULL || known->updated_ms == 0;
    struct m_channel *ch = model_channel_upsert(ap->m, c, s->name, rc->name);
    enum thread_state io0 = ch->io, sql0 = ch->sql;
    int ioe0 = ch->last_io_errno, sqle0 = ch->last_sql_errno;
    model_set_str(&ch->source_host, rc->source_host);
    ch->source_port = rc->source_port;
    ch->io = rc->io;
    ch->sql = rc->sql;
    model_set_str(&ch->io_state, rc->io_state);
    model_set_str(&ch->sql_state, rc->sql_state);
    ch->last_io_errno = rc->last_io_errno;
    model_set_str(&ch->last_io_error, rc->last_io_error);
    /* MariaDB gives no error timestamps: the first read that saw the error stands in. */
    if (rc->last_io_errno == 0)
        ch->last_io_error_ms = 0;
    else if (rc->last_io_error_ms > 0)
        ch->last_io_error_ms = rc->last_io_error_ms;
    else if (rc->last_io_errno != ioe0 || ch->last_io_error_ms == 0)
        ch->last_io_error_ms = res->wall_ms;
    ch->last_sql_errno = rc->last_sql_errno;
    model_set_str(&ch->last_sql_error, rc->last_sql_error);
    if (rc->last_sql_errno == 0)
        ch->last_sql_error_ms = 0;
    else if (rc->last_sql_error_ms > 0)
        ch->last_sql_error_ms = rc->last_sql_error_ms;
    else if (rc->last_sql_errno != sqle0 || ch->last_sql_error_ms == 0)
        ch->last_sql_error_ms = res->wall_ms;
    model_set_str(&ch->retrieved_gtid, rc->retrieved_gtid);
    model_set_str(&ch->executed_gtid, rc->executed_gtid);
    ch->gtid_gap = replstat_gtid_gap(rc);
    ch->auto_position = rc->auto_position;
    ch->gtid_mode = rc->auto_position ? 2 : 1;
    ch->retry_count = rc->retried_transactions < 0 ? 0 : (int)rc->retried_transactions;
    ch->last_heartbeat_ms = rc->last_heartbeat_ms;
    ch->source_server_id = rc->source_server_id;
    ch->dialect = sqlq_dialect_name(ap->want_override ? ap->override : res->server.dialect);
    ch->n_failover = 0;
    for (int i = 0; i < rc->n_failover && i < (int)(sizeof ch->failover / sizeof ch->failover[0]);
         i++) {
        struct m_failover_source *f = &ch->failover[ch->n_failover++];
        snprintf(f->host, sizeof f->host, "%s", rc->failover[i].host);
        f->port = rc->failover[i].port;
        f->weight = rc->failover[i].weight;
        f->in_use = rc->failover[i].in_use;
    }
    /* Lag: heartbeat, else performance_schema, else Seconds_Behind_Source (unreliable). */
    double hb = heartbeat_lag(res->heartbeat, rc->source_server_id);
    if (hb >= 0) {
        ch->lag_s = hb;
        ch->lag_from_heartbeat = true;
        ch->lag_source = "heartbeat";
        ch->lag_unreliable = false;
    } else if (rc->ps_lag_s >= 0) {
        ch->lag_s = rc->ps_lag_s;
        ch->lag_from_heartbeat = false;
        ch->lag_source = "performance_schema";
        ch->lag_unreliable = false;
    } else {
        /* NULL while the IO thread reconnects or the SQL thread is stopped: unknown. And 0
         * only means "caught up with what the IO thread has", which says nothing when the IO
         * thread is not running. */
        ch->lag_s = rc->sbs_s;
        if (rc->sbs_s == 0 && rc->io != THR_YES)
            ch->lag_s = -1;
        ch->lag_from_heartbeat = false;
        ch->lag_source = ch->lag_s >= 0 ? "Seconds_Behind_Source" : NULL;
        ch->lag_unreliable = true;
    }
    model_channel_push_lag(ch, ch->lag_s);
    if (io0 != ch->io || sql0 != ch->sql || is_new)
        ch->state_since_ms = res->wall_ms;
    ch->updated_ms = res->wall_ms;
    ch->as_of_ms = res->wall_ms;
    ch->error[0] = '\0';
    channel_events(ap, ch, is_new, io0, sql0, ioe0, sqle0);
    model_touch(ap->m, DIRTY_CHANNELS);
}

/* The failure of s's newest read on its pod: the last good state stays, with the error
 * and when it was seen. */
static void
fail_on_pod(const struct mp_apply *ap, struct m_pod *pod, const char *msg, int64_t wall_ms)
{
    /* Touch only on a new error: the same failure every round would redraw every pod of
     * the cluster each refresh (1% of a core idle with 2 x 10,000 pods). */
    const char *e = intern_strn(&ap->m->strings, msg, strnlen(msg, 159));
    pod->galera.as_of_ms = wall_ms;
    if (e != pod->galera.error || !pod->galera.seen) { /* interned: equal text, equal pointer */
        pod->galera.error = e;
        pod->galera.seen = true;
        model_touch(ap->m, DIRTY_GALERA | DIRTY_PODS);
    }
}

void
mysql_poll__apply_failure(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s,
                          const struct mysqlc_result *res)
{
    bool changed = s->status != res->status || !s->read_once;
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, s->name) != 0)
            continue;
        snprintf(ch->error, sizeof ch->error, "%.159s", res->err.msg);
        ch->lag_s = -1;
        ch->lag_source = NULL;
        ch->as_of_ms = res->wall_ms;
        model_channel_push_lag(ch, -1);
        model_touch(ap->m, DIRTY_CHANNELS);
    }
    s->fail_ms = res->wall_ms;
    struct m_pod *pod = server_pod(c, s);
    s->fail_unplaced = pod == NULL;
    if (pod != NULL)
        fail_on_pod(ap, pod, res->err.msg, res->wall_ms);
    if (changed)
        model_event(ap->m, ap->cluster, 2, "mysql %s: %s", s->name, res->err.msg);
}

void
mysql_poll__place(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s)
{
    if (!s->g_unplaced && !s->fail_unplaced)
        return;
    struct m_pod *pod = server_pod(c, s);
    if (pod == NULL)
        return;
    if (s->g_unplaced && galera_to_model(ap->m, &s->galera_last, s->galera_ms, &pod->galera))
        model_touch(ap->m, DIRTY_GALERA | DIRTY_PODS);
    if (s->fail_unplaced && s->fail_ms >= s->galera_ms)
        fail_on_pod(ap, pod, s->msg, s->fail_ms);
    s->g_unplaced = s->fail_unplaced = false;
}

void
mysql_poll__apply_server(const struct mp_apply *ap, struct m_cluster *c, const struct mp_server *s,
                         const struct mysqlc_result *res)
{
    struct m_server *ms = model_server_upsert(ap->m, c, s->name);
    snprintf(ms->host, sizeof ms->host, "%s", s->host);
    ms->port = s->port;
    ms->as_of_ms = res->wall_ms;
    bool shown = false;
    if (res->status == 0) {
        shown = ms->error[0] != '\0';
        ms->updated_ms = res->wall_ms;
        ms->error[0] = '\0';
        ms->error_since_ms = 0;
        ms->hung = false;
        int n = 0;
        for (size_t i = 0; i < c->channels.n; i++)
            n += strcmp(((struct m_channel *)c->channels.items[i])->server, s->name) == 0;
        shown = shown || n != ms->n_channels;
        ms->n_channels = n;
        const struct mysqlc_rows *ss = res->source_side;
        const char *id = NULL, *dumps = NULL;
        if (ss != NULL) {
            id = mysqlc_rows_get(ss, 0, mysqlc_rows_col(ss, "server_id"));
            dumps = mysqlc_rows_get(ss, 0, mysqlc_rows_col(ss, "binlog_dumps"));
        }
        ms->server_id = id != NULL ? strtoll(id, NULL, 10) : 0;
        ms->binlog_dumps = dumps != NULL ? atoi(dumps) : -1;
    } else {
        bool hung = res->status == PXE_TIMEOUT;
        if (ms->error[0] == '\0')
            ms->error_since_ms = res->wall_ms;
        shown = strncmp(ms->error, res->err.msg, sizeof ms->error - 1) != 0 || ms->hung != hung;
        snprintf(ms->error, sizeof ms->error, "%s", res->err.msg);
        ms->hung = hung;
    }
    if (shown)
        model_touch(ap->m, DIRTY_SERVERS);
}

/* The server the operator labelled to run x's replica channels (percona.com/replicationPod),
 * among servers, or NULL. */
static const struct mp_server *
replication_server(struct m_cluster *c, const struct m_pxc *x, const struct vec *servers)
{
    for (size_t i = 0; i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        if (!p->replication_pod || p->ns != x->ns || p->instance == NULL ||
            strcmp(p->instance, x->name) != 0)
            continue;
        for (size_t k = 0; k < servers->n; k++) {
            const struct mp_server *s = servers->items[k];
            if (strcmp(s->name, p->name) == 0 || (p->ip[0] && strcmp(s->host, p->ip) == 0))
                return s;
        }
    }
    return NULL;
}

static bool
runs_elsewhere(const struct m_cluster *c, const char *name, const char *server)
{
    for (size_t j = 0; j < c->channels.n; j++) {
        const struct m_channel *ch = c->channels.items[j];
        if (strcmp(ch->name, name) == 0 && strcmp(ch->server, server) != 0)
            return true;
    }
    return false;
}

void
mysql_poll__hidden_channels(const struct mp_apply *ap, struct m_cluster *c,
                            const struct vec *servers)
{
    for (size_t i = 0; i < c->pxcs.n; i++) {
        const struct m_pxc *x = c->pxcs.items[i];
        const struct mp_server *s = replication_server(c, x, servers);
        if (s == NULL || !s->read_once || s->status == 0)
            continue;
        for (size_t k = 0; k < x->channels.n; k++) {
            const struct m_pxc_channel *pc = x->channels.items[k];
            if (pc->is_source)
                continue;
            struct m_channel *ch = model_channel_find(c, s->name, pc->name);
            if (ch != NULL && ch->updated_ms != 0)
                continue; /* read before: apply_failure keeps its last good state */
            if (ch == NULL) {
                if (runs_elsewhere(c, pc->name, s->name))
                    continue;
                ch = model_channel_upsert(ap->m, c, s->name, pc->name);
                ch->io = ch->sql = THR_UNKNOWN;
                if (pc->n_sources > 0) {
                    model_set_str(&ch->source_host, pc->sources[0].host);
                    ch->source_port = pc->sources[0].port;
                }
            }
            char e[sizeof ch->error];
            snprintf(e, sizeof e, "not read: %.140s", s->msg);
            if (strcmp(e, ch->error) != 0) {
                snprintf(ch->error, sizeof ch->error, "%s", e);
                model_touch(ap->m, DIRTY_CHANNELS);
            }
            ch->as_of_ms = s->fail_ms;
        }
    }
}

void
mysql_poll__apply_status(const struct mp_apply *ap, struct m_cluster *c, struct mp_server *s,
                         const struct mysqlc_result *res)
{
    if (res->status != 0) {
        mysql_poll__apply_failure(ap, c, s, res);
        return;
    }
    if (s->read_once && s->status != 0)
        model_event(ap->m, ap->cluster, 0, "mysql %s: answering again (%s %s)", s->name,
                    sqlq_flavor_name(res->server.flavor), res->server.version_text);
    struct vec chans;
    vec_init(&chans, replstat_channel_free_v);
    struct pxerr e = {0};
    if (replstat_parse(res->replica, &chans, &e) < 0) {
        struct mysqlc_result r2 = *res;
        r2.status = e.code;
        snprintf(r2.err.msg, sizeof r2.err.msg, "%s: %.200s", s->name, e.msg);
        mysql_poll__apply_failure(ap, c, s, &r2);
        vec_fini(&chans);
        return;
    }
    replstat_merge_ps(&chans, res->ps_conn, res->ps_workers, res->ps_config, res->wall_ms);
    replstat_merge_failover(&chans, res->failover);
    for (size_t i = 0; i < chans.n; i++)
        apply_channel(ap, c, s, chans.items[i], res);
    /* channels the server no longer has (RESET REPLICA ALL) */
    for (size_t i = c->channels.n; i-- > 0;) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, s->name) != 0)
            continue;
        bool present = false;
        for (size_t k = 0; k < chans.n && !present; k++)
            present = strcmp(((struct replstat_channel *)chans.items[k])->name, ch->name) == 0;
        if (!present) {
            if (ch->updated_ms != 0) /* not one kept unread for its CR */
                chan_event(ap, 1, ch, "removed from the server");
            model_channel_remove(ap->m, c, s->name, ch->name);
        }
    }
    vec_fini(&chans);
    struct m_pod *pod = server_pod(c, s);
    s->fail_unplaced = false;
    if (res->wsrep != NULL) {
        struct galera_status g;
        if (galera_parse(res->wsrep, &g, &e) == 0) {
            if (pod == NULL) {
                /* The pods are not listed yet (direct mode reads before the Kubernetes
                 * sync): kept until the pod is known, never dropped. */
                s->galera_last = g;
                s->galera_ms = res->wall_ms;
                s->g_unplaced = true;
            } else {
                s->g_unplaced = false;
                const char *old = pod->galera.known ? pod->galera.state : NULL;
                if (galera_to_model(ap->m, &g, res->wall_ms, &pod->galera)) {
                    model_touch(ap->m, DIRTY_GALERA | DIRTY_PODS);
                    if (old != NULL && old != pod->galera.state) {
                        char sum[128];
                        galera_summary(&g, sum, sizeof sum);
                        model_event(ap->m, ap->cluster, strcmp(g.state, "Synced") ? 1 : 0,
                                    "galera %s: %s", s->name, sum);
                    }
                }
            }
        } else if (pod != NULL) {
            pod->galera.error = intern_strn(&ap->m->strings, e.msg, strnlen(e.msg, 159));
            pod->galera.seen = true;
            pod->galera.as_of_ms = res->wall_ms;
            model_touch(ap->m, DIRTY_GALERA);
        }
    } else if (pod != NULL && pod->galera.error != NULL) {
        pod->galera.error = NULL;
        pod->galera.as_of_ms = res->wall_ms;
        model_touch(ap->m, DIRTY_GALERA);
    }
    if (res->note[0])
        log_info("mysql_poll: %s: %s", s->name, res->note);
}
