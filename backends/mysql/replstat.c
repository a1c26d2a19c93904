/* replstat: turns replica status rows into channel records. Every column is looked up by
 * name through a list of aliases (Source_Host / Master_Host, Replica_IO_Running /
 * Slave_IO_Running, Channel_Name / Connection_name), because the column order differs between
 * versions and vendors and the names changed in MySQL 8.0.22. It does not decide anything
 * about state changes or lag colours: mysql_poll does, from these records. */
#include "mysql/replstat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "mysql/gtid.h"

#define N(...)                                                                                     \
    (const char *const[])                                                                          \
    {                                                                                              \
        __VA_ARGS__, NULL                                                                          \
    }

void
replstat_channel_free(struct replstat_channel *ch)
{
    if (ch == NULL)
        return;
    free(ch->name);
    free(ch->source_host);
    free(ch->source_user);
    free(ch->io_state);
    free(ch->sql_state);
    free(ch->last_io_error);
    free(ch->last_sql_error);
    free(ch->retrieved_gtid);
    free(ch->executed_gtid);
    free(ch->service_state);
    free(ch);
}

void
replstat_channel_free_v(void *p)
{
    replstat_channel_free(p);
}

enum thread_state
replstat_thread(const char *v)
{
    if (v == NULL)
        return THR_UNKNOWN;
    if (strcasecmp(v, "Yes") == 0)
        return THR_YES;
    if (strcasecmp(v, "No") == 0)
        return THR_NO;
    if (strcasecmp(v, "Connecting") == 0)
        return THR_CONNECTING;
    return THR_UNKNOWN;
}

int64_t
replstat_parse_ts(const char *s)
{
    if (s == NULL || s[0] == '\0' || strncmp(s, "0000-00-00", 10) == 0)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int us = 0;
    const char *rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
    if (rest == NULL) {
        /* Last_IO_Error_Timestamp: "YYMMDD hh:mm:ss" */
        memset(&tm, 0, sizeof tm);
        rest = strptime(s, "%y%m%d %H:%M:%S", &tm);
        if (rest == NULL)
            return 0;
    } else if (*rest == '.') {
        char frac[7] = "000000";
        size_t n = strspn(rest + 1, "0123456789");
        memcpy(frac, rest + 1, n > 6 ? 6 : n);
        us = atoi(frac);
    }
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return 0;
    return (int64_t)t * 1000 + us / 1000;
}

static char *
dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

static int64_t
to_i64(const char *s, int64_t dflt)
{
    if (s == NULL || *s == '\0')
        return dflt;
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end == '\0' || *end == '.' ? (int64_t)v : dflt;
}

static double
to_double(const char *s, double dflt)
{
    if (s == NULL || *s == '\0')
        return dflt;
    char *end;
    double v = strtod(s, &end);
    return end != s ? v : dflt;
}

/* Collapse "a,\nb" (SHOW REPLICA STATUS wraps GTID sets) into "a,b". */
static char *
gtid_text(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (const char *p = s ? s : ""; *p; p++)
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            strbuf_appendc(&sb, *p);
    return strbuf_detach(&sb);
}

int
replstat_parse(const struct mysqlc_rows *rows, struct vec *out, struct pxerr *err)
{
    if (rows == NULL)
        return pxerr_set(err, PXE_PARSE, "replica status: no result set");
    if (mysqlc_rows_col(rows, "Slave_IO_Running") < 0 &&
        mysqlc_rows_col(rows, "Replica_IO_Running") < 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; i < rows->n_cols && i < 6; i++)
            strbuf_appendf(&sb, "%s%s", i ? ", " : "", rows->cols[i]);
        pxerr_set(err, PXE_PARSE,
                  "replica status: no Slave_IO_Running or Replica_IO_Running column (got: %s%s)",
                  sb.s, rows->n_cols > 6 ? ", ..." : "");
        strbuf_fini(&sb);
        return PXE_PARSE;
    }
    for (size_t r = 0; r < rows->n_rows; r++) {
        struct replstat_channel *ch = xcalloc(1, sizeof *ch);
#define G(...) mysqlc_rows_getn(rows, r, N(__VA_ARGS__), NULL)
        ch->name = dup_or_empty(G("Channel_Name", "Connection_name"));
        ch->source_host = dup_or_empty(G("Source_Host", "Master_Host"));
        ch->source_port = (int)to_i64(G("Source_Port", "Master_Port"), 0);
        ch->source_user = dup_or_empty(G("Source_User", "Master_User"));
        ch->source_server_id = to_i64(G("Source_Server_Id", "Master_Server_Id"), 0);
        ch->io = replstat_thread(G("Replica_IO_Running", "Slave_IO_Running"));
        ch->sql = replstat_thread(G("Replica_SQL_Running", "Slave_SQL_Running"));
        ch->io_state = dup_or_empty(G("Replica_IO_State", "Slave_IO_State"));
        ch->sql_state = dup_or_empty(G("Replica_SQL_Running_State", "Slave_SQL_Running_State"));
        /* NULL while the IO thread reconnects or the SQL thread is stopped: unknown, not 0. */
        ch->sbs_s = to_double(G("Seconds_Behind_Source", "Seconds_Behind_Master"), -1);
        ch->ps_lag_s = -1;
        ch->last_io_errno = (int)to_i64(G("Last_IO_Errno"), 0);
        ch->last_io_error = dup_or_empty(G("Last_IO_Error"));
        ch->last_io_error_ms = replstat_parse_ts(G("Last_IO_Error_Timestamp"));
        ch->last_sql_errno = (int)to_i64(G("Last_SQL_Errno"), 0);
        ch->last_sql_error = dup_or_empty(G("Last_SQL_Error"));
        ch->last_sql_error_ms = replstat_parse_ts(G("Last_SQL_Error_Timestamp"));
        bool mysql_sets = false;
        const char *ret = mysqlc_rows_getn(rows, r, N("Retrieved_Gtid_Set"), &mysql_sets);
        if (mysql_sets) {
            ch->retrieved_gtid = gtid_text(ret);
            ch->executed_gtid = gtid_text(G("Executed_Gtid_Set"));
            ch->auto_position = to_i64(G("Auto_Position"), 0) == 1;
        } else {
            ch->gtid_mariadb = true;
            ch->retrieved_gtid = gtid_text(G("Gtid_IO_Pos"));
            ch->executed_gtid = gtid_text(G("Gtid_Slave_Pos"));
            const char *ug = G("Using_Gtid");
            ch->auto_position = ug != NULL && *ug != '\0' && strcasecmp(ug, "No") != 0;
        }
        ch->connect_retry_s = (int)to_i64(G("Connect_Retry"), -1);
        ch->retry_limit = to_i64(G("Source_Retry_Count", "Master_Retry_Count"), -1);
        ch->retried_transactions = to_i64(G("Retried_transactions"), -1);
        ch->received_heartbeats = to_i64(G("Slave_received_heartbeats"), -1);
        ch->service_state = xstrdup("");
#undef G
        vec_push(out, ch);
    }
    return 0;
}

static struct replstat_channel *
find(struct vec *out, const char *name)
{
    for (size_t i = 0; i < out->n; i++) {
        struct replstat_channel *ch = out->items[i];
        if (strcmp(ch->name, name ? name : "") == 0)
            return ch;
    }
    return NULL;
}

void
replstat_merge_ps(struct vec *out, const struct mysqlc_rows *cs, const struct mysqlc_rows *wk,
                  const struct mysqlc_rows *cf, int64_t now_ms)
{
    for (size_t r = 0; cs && r < cs->n_rows; r++) {
        struct replstat_channel *ch = find(out, mysqlc_rows_getn(cs, r, N("CHANNEL_NAME"), NULL));
        if (ch == NULL)
            continue;
        const char *st = mysqlc_rows_getn(cs, r, N("SERVICE_STATE"), NULL);
        model_set_str(&ch->service_state, st ? st : "");
        ch->last_heartbeat_ms =
            replstat_parse_ts(mysqlc_rows_getn(cs, r, N("LAST_HEARTBEAT_TIMESTAMP"), NULL));
        ch->received_heartbeats =
            to_i64(mysqlc_rows_getn(cs, r, N("COUNT_RECEIVED_HEARTBEATS"), NULL), -1);
        /* p_s keeps the error timestamp with a fraction, SHOW only to the second. */
        int64_t ts = replstat_parse_ts(mysqlc_rows_getn(cs, r, N("LAST_ERROR_TIMESTAMP"), NULL));
        if (ts > 0 && ch->last_io_errno != 0)
            ch->last_io_error_ms = ts;
    }
    /* Lag from the applier: while a worker applies a transaction, lag is now minus its
     * original commit time on the source; with every worker idle the channel is caught up
     * (0) if anything was applied, else unknown. */
    for (size_t i = 0; wk && i < out->n; i++) {
        struct replstat_channel *ch = out->items[i];
        double lag = -1;
        bool any_applied = false;
        int64_t retries = -1;
        for (size_t r = 0; r < wk->n_rows; r++) {
            const char *cn = mysqlc_rows_getn(wk, r, N("CHANNEL_NAME"), NULL);
            if (strcmp(cn ? cn : "", ch->name) != 0)
                continue;
            int64_t applying = replstat_parse_ts(
                mysqlc_rows_getn(wk, r, N("APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP"), NULL));
            int64_t applied = replstat_parse_ts(mysqlc_rows_getn(
                wk, r, N("LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP"), NULL));
            int64_t rc = to_i64(
                mysqlc_rows_getn(wk, r, N("LAST_APPLIED_TRANSACTION_RETRIES_COUNT"), NULL), -1);
            if (rc >= 0)
                retries = (retries < 0 ? 0 : retries) + rc;
            if (applied > 0)
                any_applied = true;
            if (applying > 0) {
                double l = (double)(now_ms - applying) / 1000.0;
                if (l < 0)
                    l = 0;
                if (l > lag)
                    lag = l;
            }
        }
        if (lag < 0 && any_applied && ch->sql == THR_YES)
            lag = 0;
        ch->ps_lag_s = lag;
        if (ch->retried_transactions < 0)
            ch->retried_transactions = retries;
    }
    for (size_t r = 0; cf && r < cf->n_rows; r++) {
        struct replstat_channel *ch = find(out, mysqlc_rows_getn(cf, r, N("CHANNEL_NAME"), NULL));
        if (ch == NULL)
            continue;
        ch->failover_enabled =
            to_i64(mysqlc_rows_getn(cf, r, N("SOURCE_CONNECTION_AUTO_FAILOVER"), NULL), 0) == 1;
        if (ch->retry_limit < 0)
            ch->retry_limit =
                to_i64(mysqlc_rows_getn(cf, r, N("CONNECTION_RETRY_COUNT"), NULL), -1);
        if (ch->connect_retry_s < 0)
            ch->connect_retry_s =
                (int)to_i64(mysqlc_rows_getn(cf, r, N("CONNECTION_RETRY_INTERVAL"), NULL), -1);
    }
}

void
replstat_merge_failover(struct vec *out, const struct mysqlc_rows *fo)
{
    for (size_t r = 0; fo && r < fo->n_rows; r++) {
        struct replstat_channel *ch = find(out, mysqlc_rows_getn(fo, r, N("Channel_name"), NULL));
        if (ch == NULL || ch->n_failover == REPLSTAT_MAX_FAILOVER)
            continue;
        struct replstat_source *s = &ch->failover[ch->n_failover++];
        const char *h = mysqlc_rows_getn(fo, r, N("Host"), NULL);
        snprintf(s->host, sizeof s->host, "%s", h ? h : "");
        s->port = (int)to_i64(mysqlc_rows_getn(fo, r, N("Port"), NULL), 0);
        s->weight = (int)to_i64(mysqlc_rows_getn(fo, r, N("Weight"), NULL), 0);
        s->in_use = strcasecmp(s->host, ch->source_host) == 0 && s->port == ch->source_port;
    }
    /* Highest weight first, as the failover mechanism tries them. */
    for (size_t i = 0; i < out->n; i++) {
        struct replstat_channel *ch = out->items[i];
        for (int a = 1; a < ch->n_failover; a++) {
            struct replstat_source t = ch->failover[a];
            int b = a;
            while (b > 0 && ch->failover[b - 1].weight < t.weight) {
                ch->failover[b] = ch->failover[b - 1];
                b--;
            }
            ch->failover[b] = t;
        }
    }
}

int64_t
replstat_gtid_gap(const struct replstat_channel *ch)
{
    if (ch->retrieved_gtid[0] == '\0')
        return -1;
    int64_t gap = -1;
    int rc = ch->gtid_mariadb ? gtid_mpos_gap(ch->retrieved_gtid, ch->executed_gtid, &gap, NULL)
                              : gtid_set_gap(ch->retrieved_gtid, ch->executed_gtid, &gap, NULL);
    return rc == 0 ? gap : -1;
}
