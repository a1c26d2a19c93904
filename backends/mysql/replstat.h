/* replstat: replica status rows -> channel records, for every dialect, by column name.
 *
 * Inputs are row sets (mysqlc_rows) from:
 *   MariaDB  SHOW ALL REPLICAS STATUS / SHOW ALL SLAVES STATUS (Connection_name, Master_*,
 *            Slave_*, Gtid_IO_Pos, Gtid_Slave_Pos, Retried_transactions)
 *   MySQL    8.0.22+ SHOW REPLICA STATUS (Source_*, Replica_*, Channel_Name, Retrieved_Gtid_Set,
 *            Executed_Gtid_Set) and < 8.0.22 SHOW SLAVE STATUS (Master_*, Slave_*)
 *   MySQL 8  performance_schema.replication_connection_status, replication_applier_status_by_
 *            worker, replication_connection_configuration, and the failover list
 *            mysql.replication_asynchronous_connection_failover (replstat_merge_*).
 * Columns are never read by position, so new columns in a newer server change nothing.
 *
 * Pure: any thread. Records are owned by the caller (replstat_channel_free / vec). */
#ifndef PXC_BACKENDS_MYSQL_REPLSTAT_H
#define PXC_BACKENDS_MYSQL_REPLSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "pxerr.h"
#include "vec.h"
#include "model/model.h"
#include "mysql/mysqlc.h"

#define REPLSTAT_MAX_FAILOVER 8

struct replstat_source {
    char host[256];
    int port;
    int weight;
    bool in_use; /* the channel's current source */
};

struct replstat_channel {
    char *name;        /* owned; "" default channel */
    char *source_host; /* owned, "" unknown */
    int source_port;
    char *source_user;        /* owned */
    int64_t source_server_id; /* Master_Server_Id / Source_Server_Id, 0 unknown */
    enum thread_state io, sql;
    char *io_state;  /* owned: Slave_IO_State / Replica_IO_State */
    char *sql_state; /* owned: Slave_SQL_Running_State / Replica_SQL_Running_State */
    double sbs_s;    /* Seconds_Behind_Source/Master; -1 when NULL */
    double ps_lag_s; /* from performance_schema timestamps, -1 unknown */
    int last_io_errno;
    char *last_io_error;      /* owned, "" none */
    int64_t last_io_error_ms; /* wall ms, 0 unknown (MariaDB has no timestamp) */
    int last_sql_errno;
    char *last_sql_error; /* owned */
    int64_t last_sql_error_ms;
    char *retrieved_gtid;         /* owned: Retrieved_Gtid_Set, or MariaDB Gtid_IO_Pos */
    char *executed_gtid;          /* owned: Executed_Gtid_Set, or MariaDB Gtid_Slave_Pos */
    bool gtid_mariadb;            /* the two above are MariaDB positions, not MySQL sets */
    bool auto_position;           /* Auto_Position=1, or MariaDB Using_Gtid != No */
    int connect_retry_s;          /* Connect_Retry, -1 unknown */
    int64_t retry_limit;          /* Source_Retry_Count / Master_Retry_Count, -1 unknown */
    int64_t retried_transactions; /* MariaDB Retried_transactions / p_s count, -1 unknown */
    int64_t received_heartbeats;  /* -1 unknown */
    int64_t last_heartbeat_ms;    /* p_s LAST_HEARTBEAT_TIMESTAMP, 0 unknown */
    char *service_state;          /* owned p_s SERVICE_STATE (ON/OFF/CONNECTING), "" unknown */
    bool failover_enabled;        /* p_s SOURCE_CONNECTION_AUTO_FAILOVER = 1 */
    int n_failover;
    struct replstat_source failover[REPLSTAT_MAX_FAILOVER];
};

void replstat_channel_free(struct replstat_channel *ch); /* NULL does nothing */
/* vec free function for vecs of struct replstat_channel *. */
void replstat_channel_free_v(void *p);

/* Parse the replica status rows (any dialect: decided by the columns present) and append
 * one owned record per row to out (a vec that owns its items). A row set with none of the
 * thread columns (Slave_IO_Running / Replica_IO_Running) is not replica status: PXE_PARSE,
 * "replica status: no Slave_IO_Running or Replica_IO_Running column (got: a, b, ...)".
 * On failure out is unchanged. */
int replstat_parse(const struct mysqlc_rows *rows, struct vec *out,
                   struct pxerr *err) PXC_MUST_CHECK;

/* MySQL 8 extras, merged into the records of out by channel name (rows may be NULL).
 * now_ms: the wall clock used for lag from applier timestamps. */
void replstat_merge_ps(struct vec *out, const struct mysqlc_rows *conn_status,
                       const struct mysqlc_rows *workers, const struct mysqlc_rows *config,
                       int64_t now_ms);
/* The failover list: rows of Channel_name, Host, Port, Weight; the one matching the
 * channel's source_host:source_port is marked in use. */
void replstat_merge_failover(struct vec *out, const struct mysqlc_rows *failover);

/* "Yes" -> THR_YES, "No" -> THR_NO, "Connecting" -> THR_CONNECTING, else THR_UNKNOWN. */
enum thread_state replstat_thread(const char *v);
/* MySQL timestamps as wall ms (UTC assumed): "2026-11-25 08:00:01.123456" (p_s) or
 * "261125 08:00:01" (Last_IO_Error_Timestamp). 0 for "", "0000-00-00 ..." or garbage. */
int64_t replstat_parse_ts(const char *s);

/* Transactions retrieved but not executed (GTID sets, or MariaDB positions), -1 when the
 * sets are empty or cannot be parsed. */
int64_t replstat_gtid_gap(const struct replstat_channel *ch);

#endif
