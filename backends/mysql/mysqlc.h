/* mysqlc: the MySQL/MariaDB client of the console. mysql.h blocks, so every server gets one
 * worker thread that owns its connection (the 4-thread uv threadpool would be exhausted by
 * a few hung servers). Results travel back through one mutex-protected queue per hub and one
 * uv_async; the async callback drains the whole queue (libuv coalesces sends) and calls each
 * request's callback on the loop thread.
 *
 * Connections: connect, read and write timeouts always set; reconnect is ours (never
 * MYSQL_OPT_RECONNECT, whose deprecation warning goes to stderr): after an error the
 * connection is closed and the next request connects again. At connect the worker detects
 * the server (SELECT VERSION(), @@version_comment) and, on Galera, runs
 * SET SESSION wsrep_sync_wait=0 so a status read never waits on causality checks.
 *
 * Generations: every request carries its connection's epoch; mysqlc_conn_bump() starts a new
 * epoch (new credentials, server moved), and results of older epochs reach their callback as
 * PXE_CANCELLED with no data, so nothing stale lands in the model.
 *
 * Threads: everything here is loop-thread only, except the mysqlc_rows_* helpers (pure, any
 * thread). Callbacks run on the loop thread. */
#ifndef PXC_BACKENDS_MYSQL_MYSQLC_H
#define PXC_BACKENDS_MYSQL_MYSQLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"
#include "mysql/sqlq.h"

/* ------------------------------------------------------------------ row sets */

/* One result set, columns read by name. Cells are owned copies; NULL is SQL NULL. */
struct mysqlc_rows {
    size_t n_cols;
    char **cols; /* owned names */
    size_t n_rows;
    char **cells; /* owned, n_rows * n_cols, row-major; NULL: SQL NULL */
};

void mysqlc_rows_free(struct mysqlc_rows *r); /* NULL does nothing */
/* Column index by name, case-insensitive; -1 when absent. */
int mysqlc_rows_col(const struct mysqlc_rows *r, const char *name);
/* Cell (borrowed from r), or NULL for SQL NULL, col < 0 or row out of range. */
const char *mysqlc_rows_get(const struct mysqlc_rows *r, size_t row, int col);
/* Cell by column name: the first of the names (NULL-terminated list) that exists.
 * *present (may be NULL) says whether any of the columns exists. */
const char *mysqlc_rows_getn(const struct mysqlc_rows *r, size_t row, const char *const *names,
                             bool *present);

/* Parse `mariadb --batch` output (borrowed text): first line column names, then rows, all
 * tab-separated; "NULL" is SQL NULL; \t \n \\ \0 escapes undone. Leading lines starting with
 * '#' are comments (fixture headers). name (borrowed) labels errors:
 *   fixtures/x.tsv:7: 3 fields, want 58 (the header's count)
 * *out owned (mysqlc_rows_free). Pure. */
int mysqlc_rows_parse_tsv(const char *text, size_t len, const char *name, struct mysqlc_rows **out,
                          struct pxerr *err) PXC_MUST_CHECK;

/* ------------------------------------------------------------------ the client */

struct mysqlc_hub;  /* one uv_async + result queue; owns its connections */
struct mysqlc_conn; /* one server: a worker thread and its connection */

struct mysqlc_opts {
    const char *name; /* display name for messages ("pxc-a-0", "127.1.10.1:3306") */
    const char *host;
    int port;
    const char *user;
    const char *password;  /* secret: copied, zeroed on free */
    int connect_timeout_s; /* each > 0 */
    int read_timeout_s;
    int write_timeout_s;
    bool status_only; /* only STATUS requests: the connection is opened with multi-statements
                         and a status read is one round trip, not one per statement; ACTION
                         and QUERY are refused on it (no SQL but ours is ever stacked) */
};

/* What to do on the server. */
enum mysqlc_kind {
    MYSQLC_STATUS, /* replica status (+ performance_schema and failover on MySQL 8),
                      wsrep status, heartbeat table, @@server_id and binlog dump threads */
    MYSQLC_ACTION, /* one sqlq action rendered for the server's dialect */
    MYSQLC_QUERY,  /* one statement as given (tests, tools): its result set, if any */
};

struct mysqlc_req {
    enum mysqlc_kind kind;
    /* STATUS */
    const char *heartbeat_table; /* "db.table" (pt-heartbeat), NULL none; copied */
    bool want_dialect_override;
    enum sqlq_dialect dialect_override;
    /* ACTION: copied (strings too; the password is zeroed after use) */
    const struct sqlq_action *action;
    /* QUERY: copied */
    const char *sql;
};

struct mysqlc_result {
    int status;                /* 0, or PXE_*: CONN, AUTH, TIMEOUT, MYSQL, CANCELLED, ... */
    struct pxerr err;          /* what, where, what to do; "" when status == 0 */
    unsigned mysql_errno;      /* the server's or client's errno (1045, 2003, 2013...), 0 none */
    struct sqlq_server server; /* valid when connected (server.version > 0) */
    bool galera;               /* wsrep_on = ON */
    int64_t wall_ms;           /* when the request finished */
    int64_t elapsed_ms;        /* how long it took on the worker */
    int round_trips;           /* statements sent to the server (batches count once) */
    /* STATUS: each owned by the result, NULL when not read. */
    struct mysqlc_rows *replica;    /* SHOW ... REPLICA/SLAVE STATUS */
    struct mysqlc_rows *wsrep;      /* SHOW GLOBAL STATUS LIKE 'wsrep%' (Galera only) */
    struct mysqlc_rows *heartbeat;  /* server_id, lag_s per pt-heartbeat row */
    struct mysqlc_rows *ps_conn;    /* performance_schema.replication_connection_status */
    struct mysqlc_rows *ps_workers; /* ..._applier_status_by_worker */
    struct mysqlc_rows *ps_config;  /* ..._connection_configuration */
    struct mysqlc_rows *failover;   /* mysql.replication_asynchronous_connection_failover */
    struct mysqlc_rows *source_side; /* server_id, binlog_dumps: this server as a source */
    char note[160];                 /* a secondary read that failed (heartbeat table missing) */
    /* ACTION: the masked SQL that ran (or would have) */
    char *sql_masked; /* owned */
    /* QUERY */
    struct mysqlc_rows *rows; /* owned, NULL when the statement returned no set */
};

/* Called once per started request, on the loop thread. res is borrowed: valid during the
 * call only; steal a row set by setting the field to NULL. */
typedef void mysqlc_done_cb(struct mysqlc_conn *c, struct mysqlc_result *res, void *arg);

/* Owned (mysqlc_hub_close). loop borrowed, must outlive the hub. Loop thread. */
struct mysqlc_hub *mysqlc_hub_new(uv_loop_t *loop);
/* Stop every worker (a blocked read is woken by shutting its socket down; a connect in
 * progress ends within its connect timeout), join them, answer queued requests with
 * PXE_CANCELLED, then close the async handle; the hub frees itself in the close callback,
 * so run the loop until it has no handles before uv_loop_close. NULL does nothing. */
void mysqlc_hub_close(struct mysqlc_hub *h);

/* A connection to one server. Borrowed from the hub (freed by mysqlc_hub_close or
 * mysqlc_conn_close). opts copied. Starts the worker thread (no connection yet). Fails
 * (NULL, err) only when a thread cannot be created or opts are invalid. */
struct mysqlc_conn *mysqlc_conn_new(struct mysqlc_hub *h, const struct mysqlc_opts *opts,
                                    struct pxerr *err);
/* Stop this worker and forget the conn (its pending callbacks run with PXE_CANCELLED). */
void mysqlc_conn_close(struct mysqlc_conn *c);
/* New epoch: in-flight and queued results come back as PXE_CANCELLED; when opts is not
 * NULL the connection is re-made with them (copied). */
void mysqlc_conn_bump(struct mysqlc_conn *c, const struct mysqlc_opts *opts);
const char *mysqlc_conn_name(const struct mysqlc_conn *c); /* borrowed */
/* Requests queued or running on this connection. */
int mysqlc_conn_pending(const struct mysqlc_conn *c);

/* Queue req (copied) on c's worker; cb runs later on the loop, never from inside this
 * call. Requests on one connection run in order. PXE_INVAL for a bad request (cb not
 * called). Loop thread. */
int mysqlc_start(struct mysqlc_conn *c, const struct mysqlc_req *req, mysqlc_done_cb *cb, void *arg,
                 struct pxerr *err) PXC_MUST_CHECK;

/* Words for a client/server errno: 1045 "access denied (wrong user or password)", ... */
const char *mysqlc_errno_words(unsigned e);

#endif
