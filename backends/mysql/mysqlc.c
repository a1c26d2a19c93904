/* mysqlc: one worker thread per MySQL server, results handed to the loop through one queue.
 *
 * Why a thread per server and not the uv threadpool: the pool has 4 threads, and a server
 * that hangs holds a thread for its whole read timeout; four hung servers would stall every
 * other uv_queue_work user. A worker owns its MYSQL handle and its request until the result
 * is on the hub's queue; it never touches the model or another worker's data.
 *
 * What this module deliberately does not do: decide what to poll or when (mysql_poll), or
 * parse replication columns (replstat, galera). It runs statements and returns row sets.
 *
 * Nothing the library prints may reach the terminal: we never set MYSQL_OPT_RECONNECT (its
 * deprecation warning is printed to stderr), never read option files, never enable
 * LOAD DATA LOCAL, and reconnect ourselves after a client error. */
#include "mysql/mysqlc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <mysql.h>

#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"

/* ------------------------------------------------------------------ row sets */

void
mysqlc_rows_free(struct mysqlc_rows *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_cols; i++)
        free(r->cols[i]);
    for (size_t i = 0; i < r->n_rows * r->n_cols; i++)
        free(r->cells[i]);
    free(r->cols);
    free(r->cells);
    free(r);
}

int
mysqlc_rows_col(const struct mysqlc_rows *r, const char *name)
{
    if (r == NULL)
        return -1;
    for (size_t i = 0; i < r->n_cols; i++)
        if (strcasecmp(r->cols[i], name) == 0)
            return (int)i;
    return -1;
}

const char *
mysqlc_rows_get(const struct mysqlc_rows *r, size_t row, int col)
{
    if (r == NULL || col < 0 || (size_t)col >= r->n_cols || row >= r->n_rows)
        return NULL;
    return r->cells[row * r->n_cols + (size_t)col];
}

const char *
mysqlc_rows_getn(const struct mysqlc_rows *r, size_t row, const char *const *names, bool *present)
{
    for (const char *const *n = names; *n; n++) {
        int c = mysqlc_rows_col(r, *n);
        if (c >= 0) {
            if (present)
                *present = true;
            return mysqlc_rows_get(r, row, c);
        }
    }
    if (present)
        *present = false;
    return NULL;
}

/* Undo mariadb --batch escaping of one field. */
static char *
unescape_field(const char *s, size_t n)
{
    if (n == 4 && memcmp(s, "NULL", 4) == 0)
        return NULL;
    char *o = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[++i];
            o[k++] = c == 't' ? '\t' : c == 'n' ? '\n' : c == '0' ? '\0' : c;
        } else {
            o[k++] = s[i];
        }
    }
    o[k] = '\0';
    return o;
}

int
mysqlc_rows_parse_tsv(const char *text, size_t len, const char *name, struct mysqlc_rows **out,
                      struct pxerr *err)
{
    const char *p = text, *end = text + len;
    int line = 0;
    struct mysqlc_rows *r = xcalloc(1, sizeof *r);
    size_t cap = 0;
    bool header = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        if (header && r->n_cols == 0 && le > p && *p == '#') {
            p = nl ? nl + 1 : end;
            continue;
        }
        if (le == p && r->n_cols > 0) { /* blank line: end of the set */
            p = nl ? nl + 1 : end;
            if (r->n_cols > 0)
                break;
            continue;
        }
        size_t nf = 1;
        for (const char *q = p; q < le; q++)
            nf += *q == '\t';
        if (header) {
            r->n_cols = nf;
            r->cols = xcalloc(nf, sizeof *r->cols);
            const char *f = p;
            for (size_t i = 0; i < nf; i++) {
                const char *t = memchr(f, '\t', (size_t)(le - f));
                if (t == NULL)
                    t = le;
                r->cols[i] = xstrndup(f, (size_t)(t - f));
                f = t + 1;
            }
            header = false;
        } else {
            if (nf != r->n_cols) {
                pxerr_set(err, PXE_PARSE, "%s:%d: %zu fields, want %zu (the header's count)",
                          name ? name : "<tsv>", line, nf, r->n_cols);
                mysqlc_rows_free(r);
                return PXE_PARSE;
            }
            if (r->n_rows == cap) {
                cap = cap ? cap * 2 : 8;
                r->cells = xreallocarray(r->cells, cap * r->n_cols, sizeof *r->cells);
            }
            const char *f = p;
            for (size_t i = 0; i < nf; i++) {
                const char *t = memchr(f, '\t', (size_t)(le - f));
                if (t == NULL)
                    t = le;
                r->cells[r->n_rows * r->n_cols + i] = unescape_field(f, (size_t)(t - f));
                f = t + 1;
            }
            r->n_rows++;
        }
        p = nl ? nl + 1 : end;
    }
    if (r->n_cols == 0) {
        mysqlc_rows_free(r);
        return pxerr_set(err, PXE_PARSE, "%s: no header line (column names)",
                         name ? name : "<tsv>");
    }
    *out = r;
    return 0;
}

static struct mysqlc_rows *
rows_from_res(MYSQL_RES *res)
{
    struct mysqlc_rows *r = xcalloc(1, sizeof *r);
    r->n_cols = mysql_num_fields(res);
    r->n_rows = (size_t)mysql_num_rows(res);
    MYSQL_FIELD *f = mysql_fetch_fields(res);
    if (r->n_cols > 0) {
        r->cols = xcalloc(r->n_cols, sizeof *r->cols);
        for (size_t i = 0; i < r->n_cols; i++)
            r->cols[i] = xstrdup(f[i].name);
    }
    if (r->n_rows > 0 && r->n_cols > 0)
        r->cells = xcalloc(r->n_rows * r->n_cols, sizeof *r->cells);
    MYSQL_ROW row;
    size_t k = 0;
    while (k < r->n_rows && (row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);
        for (size_t i = 0; i < r->n_cols; i++)
            r->cells[k * r->n_cols + i] = row[i] ? xstrndup(row[i], lens[i]) : NULL;
        k++;
    }
    r->n_rows = k;
    return r;
}

/* ------------------------------------------------------------------ errno words */

const char *
mysqlc_errno_words(unsigned e)
{
    switch (e) {
    case 1040:
        return "too many connections on the server";
    case 1044:
        return "access denied to the database";
    case 1045:
        return "access denied (wrong user or password)";
    case 1062:
        return "duplicate key";
    case 1130:
        return "this host is not allowed to connect";
    case 1142:
    case 1227:
        return "missing privilege";
    case 1146:
        return "table does not exist";
    case 1198:
    case 1199:
    case 1200:
        return "the replica is not in the state this needs";
    case 1236:
        return "the source cannot send its binary log from the replica's position";
    case 2002:
        return "cannot connect through the socket";
    case 2003:
        return "cannot connect (server down or port closed)";
    case 2005:
        return "unknown host (name does not resolve)";
    case 2006:
        return "server has gone away";
    case 2013:
        return "lost connection during a query (timed out or the server died)";
    case 2026:
        return "TLS error";
    case 2059:
        return "authentication plugin cannot be loaded";
    default:
        return e >= 2000 && e < 3000 ? "client error" : "server error";
    }
}

/* ------------------------------------------------------------------ hub and workers */

struct job {
    struct job *next;
    struct mysqlc_conn *conn;
    uint64_t epoch;
    enum mysqlc_kind kind;
    char *heartbeat_table;
    bool want_override;
    enum sqlq_dialect override;
    struct sqlq_action action;
    struct sqlq_source src;
    bool has_src;
    char *sql;
    mysqlc_done_cb *cb;
    void *arg;
    struct mysqlc_result res;
};

struct conn_opts {
    char *name, *host, *user, *password;
    int port;
    unsigned connect_timeout_s, read_timeout_s, write_timeout_s;
    bool status_only;
};

struct mysqlc_conn {
    struct mysqlc_hub *hub;
    uv_thread_t thread;
    bool thread_started;
    uv_mutex_t mu; /* guards todo, stop, opts/opts_changed, fd */
    uv_cond_t cv;
    struct job *todo_head, *todo_tail;
    bool stop;
    struct conn_opts opts;
    bool opts_changed;
    my_socket fd; /* socket of the live connection, for shutdown() from the loop */
    bool fd_valid;
    /* loop thread only */
    uint64_t epoch;
    int pending;
    int in_cb; /* a callback of this conn is running: close must not free it yet */
    bool closed;
    char *name;
    /* worker thread only */
    MYSQL *my;
    struct sqlq_server server;
    bool galera;
};

struct mysqlc_hub {
    uv_loop_t *loop;
    uv_async_t async;
    uv_mutex_t mu; /* guards done */
    struct job *done_head, *done_tail;
    struct mysqlc_conn **conns; /* owned */
    size_t n_conns;
    bool closing;
};

static uv_once_t lib_once = UV_ONCE_INIT;

static void
lib_init(void)
{
    /* Not thread-safe, so once, before any worker calls mysql_init. */
    if (mysql_library_init(0, NULL, NULL) != 0)
        log_error("mysqlc: mysql_library_init failed");
}

static void
opts_free(struct conn_opts *o)
{
    free(o->name);
    free(o->host);
    free(o->user);
    xfree_secret(o->password);
    memset(o, 0, sizeof *o);
}

static void
opts_copy(struct conn_opts *o, const struct mysqlc_opts *in)
{
    o->name = xstrdup(in->name ? in->name : in->host);
    o->host = xstrdup(in->host);
    o->user = xstrdup(in->user ? in->user : "");
    o->password = xstrdup(in->password ? in->password : "");
    o->port = in->port;
    o->connect_timeout_s = (unsigned)in->connect_timeout_s;
    o->read_timeout_s = (unsigned)in->read_timeout_s;
    o->write_timeout_s = (unsigned)in->write_timeout_s;
    o->status_only = in->status_only;
}

static void
result_clear(struct mysqlc_result *r)
{
    mysqlc_rows_free(r->replica);
    mysqlc_rows_free(r->wsrep);
    mysqlc_rows_free(r->heartbeat);
    mysqlc_rows_free(r->ps_conn);
    mysqlc_rows_free(r->ps_workers);
    mysqlc_rows_free(r->ps_config);
    mysqlc_rows_free(r->failover);
    mysqlc_rows_free(r->source_side);
    mysqlc_rows_free(r->rows);
    free(r->sql_masked);
    r->replica = r->wsrep = r->heartbeat = r->ps_conn = r->ps_workers = r->ps_config = NULL;
    r->failover = r->rows = r->source_side = NULL;
    r->sql_masked = NULL;
}

static void
job_free(struct job *j)
{
    result_clear(&j->res);
    free(j->heartbeat_table);
    free((char *)j->action.channel);
    free((char *)j->src.host);
    free((char *)j->src.user);
    xfree_secret((char *)j->src.password);
    free(j->sql);
    free(j);
}

/* Worker side: drop the connection (after a client error, or on stop). */
static void
w_disconnect(struct mysqlc_conn *c)
{
    if (c->my == NULL)
        return;
    uv_mutex_lock(&c->mu);
    c->fd_valid = false;
    uv_mutex_unlock(&c->mu);
    mysql_close(c->my);
    c->my = NULL;
    c->galera = false;
    memset(&c->server, 0, sizeof c->server);
}

static bool
stop_requested(struct mysqlc_conn *c)
{
    uv_mutex_lock(&c->mu);
    bool s = c->stop;
    uv_mutex_unlock(&c->mu);
    return s;
}

/* Fill res from the handle's last error; drop the connection after client errors (2xxx),
 * which leave it unusable. what: "connect", "SHOW REPLICA STATUS", ... */
static void
w_fail(struct mysqlc_conn *c, struct mysqlc_result *res, const struct conn_opts *o,
       const char *what, uint64_t t0)
{
    unsigned e = mysql_errno(c->my);
    const char *msg = mysql_error(c->my);
    uint64_t took = clock_mono_ms() - t0;
    res->mysql_errno = e;
    int code = PXE_MYSQL;
    const char *hint = "";
    if (e == 1045) {
        code = PXE_AUTH;
        hint = "; check the user and where its password comes from (secret, env, option file)";
    } else if (e == 1142 || e == 1227) {
        code = PXE_FORBIDDEN;
        hint = "; the status user needs REPLICATION CLIENT (MySQL) or REPLICA MONITOR (MariaDB)";
    } else if ((e == 2013 || e == 2006 || e == 2003 || e == 2002) && stop_requested(c)) {
        code = PXE_CANCELLED;
    } else if (e == 2013 || (e == 2003 && took + 200 >= o->connect_timeout_s * 1000ull &&
                             strstr(msg, "refused") == NULL)) {
        code = PXE_TIMEOUT;
        unsigned lim = strcmp(what, "connect") == 0 ? o->connect_timeout_s : o->read_timeout_s;
        hint = "; the server may be hung, overloaded or unreachable";
        pxerr_set(&res->err, code, "%s (%s:%d): %s: no answer within %u s (errno %u: %s)%s",
                  o->name, o->host, o->port, what, lim, e, msg, hint);
        res->status = code;
        if (e >= 2000)
            w_disconnect(c);
        return;
    } else if (e == 2003 || e == 2002 || e == 2005 || e == 2006) {
        code = PXE_CONN;
        hint = e == 2005 ? "; check the host name" : "; is the server running and the port right?";
    }
    pxerr_set(&res->err, code, "%s (%s:%d): %s: %s (errno %u: %s)%s", o->name, o->host, o->port,
              what, mysqlc_errno_words(e), e, msg, hint);
    res->status = code;
    if (e >= 2000 || e == 0)
        w_disconnect(c);
}

/* Run sql; *out gets its result set (NULL when it has none). 0 or <0 with res filled. */
static int
w_query(struct mysqlc_conn *c, struct mysqlc_result *res, const struct conn_opts *o,
        const char *sql, const char *what, struct mysqlc_rows **out)
{
    uint64_t t0 = clock_mono_ms();
    *out = NULL;
    res->round_trips++;
    if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0) {
        w_fail(c, res, o, what, t0);
        return res->status;
    }
    MYSQL_RES *r = mysql_store_result(c->my);
    if (r == NULL) {
        if (mysql_field_count(c->my) == 0)
            return 0;
        w_fail(c, res, o, what, t0);
        return res->status;
    }
    *out = rows_from_res(r);
    mysql_free_result(r);
    return 0;
}

/* A secondary read: a failure goes to res->note, the request still succeeds. Returns the
 * server errno (0 ok) so callers can tell "table missing" (1146) apart. */
static unsigned
w_query_soft(struct mysqlc_conn *c, struct mysqlc_result *res, const struct conn_opts *o,
             const char *sql, const char *what, struct mysqlc_rows **out)
{
    struct mysqlc_result tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = w_query(c, &tmp, o, sql, what, out);
    res->round_trips += tmp.round_trips;
    if (rc == 0)
        return 0;
    if (tmp.mysql_errno >= 2000) { /* the connection itself failed: that is the result */
        res->status = tmp.status;
        res->err = tmp.err;
        res->mysql_errno = tmp.mysql_errno;
        return tmp.mysql_errno;
    }
    if (tmp.mysql_errno != 1146 && res->note[0] == '\0')
        snprintf(res->note, sizeof res->note, "%.159s", tmp.err.msg);
    return tmp.mysql_errno;
}

static int
w_connect(struct mysqlc_conn *c, struct mysqlc_result *res, const struct conn_opts *o)
{
    if (c->my != NULL)
        return 0;
    uv_once(&lib_once, lib_init);
    c->my = mysql_init(NULL);
    if (c->my == NULL)
        return res->status = pxerr_set(&res->err, PXE_INTERNAL,
                                       "%s: mysql_init failed (out of "
                                       "memory?)",
                                       o->name);
    unsigned ct = o->connect_timeout_s, rt = o->read_timeout_s, wt = o->write_timeout_s;
    unsigned zero = 0;
    mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(c->my, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(c->my, MYSQL_OPT_WRITE_TIMEOUT, &wt);
    mysql_options(c->my, MYSQL_OPT_LOCAL_INFILE, &zero);
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    uint64_t t0 = clock_mono_ms();
    if (mysql_real_connect(c->my, o->host, o->user, o->password, NULL, (unsigned)o->port, NULL,
                           o->status_only ? CLIENT_MULTI_STATEMENTS : 0) == NULL) {
        w_fail(c, res, o, "connect", t0);
        w_disconnect(c);
        return res->status;
    }
    uv_mutex_lock(&c->mu);
    c->fd = mysql_get_socket(c->my);
    c->fd_valid = true;
    bool stop = c->stop;
    uv_mutex_unlock(&c->mu);
    if (stop) {
        w_disconnect(c);
        return res->status = pxerr_set(&res->err, PXE_CANCELLED, "%s: cancelled", o->name);
    }
    struct mysqlc_rows *v = NULL;
    if (w_query(c, res, o, "SELECT VERSION(), @@version_comment", "detect server", &v) < 0)
        return res->status;
    struct pxerr e;
    int rc = sqlq_detect(mysqlc_rows_get(v, 0, 0), mysqlc_rows_get(v, 0, 1), &c->server, &e);
    mysqlc_rows_free(v);
    if (rc < 0) {
        w_disconnect(c);
        return res->status =
                   pxerr_set(&res->err, rc, "%s (%s:%d): %s", o->name, o->host, o->port, e.msg);
    }
    /* Galera: a monitoring session must never wait on causality checks. */
    struct mysqlc_rows *w = NULL;
    if (w_query(c, res, o, "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'", "detect Galera", &w) < 0)
        return res->status;
    const char *on = mysqlc_rows_get(w, 0, 1);
    c->galera = on != NULL && strcasecmp(on, "ON") == 0;
    mysqlc_rows_free(w);
    if (c->galera) {
        struct mysqlc_rows *x = NULL;
        if (w_query(c, res, o, "SET SESSION wsrep_sync_wait=0", "SET SESSION wsrep_sync_wait", &x) <
            0)
            return res->status;
        mysqlc_rows_free(x);
    }
    log_info("mysqlc: %s: connected to %s %s%s", o->name, sqlq_flavor_name(c->server.flavor),
             c->server.version_text, c->galera ? " (Galera)" : "");
    return 0;
}

/* Only the variables galera_parse reads (galera.c): 13 rows where LIKE 'wsrep%' gave 74,
 * each copied, parsed and freed at every refresh of every server. */
static const char wsrep_status_sql[] =
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', "
    "'wsrep_local_state', 'wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_ready', "
    "'wsrep_connected', 'wsrep_flow_control_paused', 'wsrep_local_recv_queue', "
    "'wsrep_local_send_queue', 'wsrep_last_committed', 'wsrep_cluster_state_uuid', "
    "'wsrep_provider_version', 'wsrep_incoming_addresses')";

/* One statement of a status read. soft: its failure is a note, the read goes on. */
struct stmt {
    const char *sql, *what;
    struct mysqlc_rows **out;
    bool soft;
    unsigned err; /* its server errno when it failed */
};

/* Run st[0..n), in one round trip on a status-only (multi-statement) connection, else one
 * by one; each result set goes to *st[i].out. Returns n when all ran, else the index of the
 * one that failed (mysql_errno says why; those after it did not run: the server stops a
 * multi-statement at its first error). *broken: results may still be pending. */
static size_t
w_run(struct mysqlc_conn *c, const struct conn_opts *o, struct stmt *st, size_t n,
      struct mysqlc_result *res, bool *broken)
{
    *broken = false;
    if (!o->status_only || n == 1) {
        for (size_t i = 0; i < n; i++) {
            res->round_trips++;
            if (mysql_real_query(c->my, st[i].sql, (unsigned long)strlen(st[i].sql)) != 0)
                return i;
            MYSQL_RES *r = mysql_store_result(c->my);
            if (r == NULL && mysql_field_count(c->my) != 0)
                return i;
            if (r != NULL) {
                *st[i].out = rows_from_res(r);
                mysql_free_result(r);
            }
        }
        return n;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++)
        strbuf_appendf(&sb, "%s%s", i ? ";\n" : "", st[i].sql);
    res->round_trips++;
    int rc = mysql_real_query(c->my, sb.s, (unsigned long)sb.len);
    strbuf_fini(&sb);
    if (rc != 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r == NULL && mysql_field_count(c->my) != 0) {
            *broken = true;
            return i;
        }
        if (r != NULL) {
            *st[i].out = rows_from_res(r);
            mysql_free_result(r);
        }
        int next = mysql_next_result(c->my);
        if (next > 0)
            return i + 1;
        if (next < 0)
            return i + 1 < n ? i + 1 : n; /* fewer results than statements: say which */
    }
    return n;
}

/* Run the statements; a hard one's failure, or the connection's, fills res and returns <0;
 * a soft one's becomes res->note (not for 1146, a table this server does not have) and the
 * statements after it run still. */
static int
w_stmts(struct mysqlc_conn *c, struct mysqlc_result *res, const struct conn_opts *o,
        struct stmt *st, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t t0 = clock_mono_ms();
        bool broken;
        size_t k = i + w_run(c, o, st + i, n - i, res, &broken);
        if (k >= n)
            return 0;
        struct mysqlc_result tmp;
        memset(&tmp, 0, sizeof tmp);
        w_fail(c, &tmp, o, st[k].what, t0);
        st[k].err = tmp.mysql_errno;
        if (!st[k].soft || tmp.mysql_errno >= 2000 || tmp.mysql_errno == 0 || broken) {
            res->status = tmp.status;
            res->err = tmp.err;
            res->mysql_errno = tmp.mysql_errno;
            if (broken)
                w_disconnect(c);
            return -1;
        }
        if (tmp.mysql_errno != 1146 && res->note[0] == '\0')
            snprintf(res->note, sizeof res->note, "%.159s", tmp.err.msg);
        i = k + 1;
    }
    return 0;
}

/* A status read: what the replica says, Galera's state, MySQL 8's performance_schema views,
 * this server as a source, the heartbeat table. On a status-only connection it is one round
 * trip (six servers polled every 2 s: a third of the wakeups of an idle console were these
 * reads, one per statement). */
static void
w_status(struct mysqlc_conn *c, struct job *j, const struct conn_opts *o)
{
    struct mysqlc_result *res = &j->res;
    enum sqlq_dialect d = j->want_override ? j->override : c->server.dialect;
    const char *q = sqlq_replica_status_sql(d);
    struct stmt st[10];
    size_t n = 0, failover = 0;
    st[n++] = (struct stmt){q, q, &res->replica, false, 0};
    if (c->galera)
        st[n++] = (struct stmt){wsrep_status_sql, "wsrep status", &res->wsrep, true, 0};
    bool mysql8 = (d == SQLQ_MYSQL || d == SQLQ_MYSQL_OLD) && c->server.version >= 80000;
    if (mysql8) {
        static const char *const ps[] = {
            "SELECT * FROM performance_schema.replication_connection_status",
            "SELECT * FROM performance_schema.replication_applier_status_by_worker",
            "SELECT * FROM performance_schema.replication_connection_configuration",
            "SELECT * FROM performance_schema.replication_asynchronous_connection_failover",
        };
        struct mysqlc_rows **slot[] = {&res->ps_conn, &res->ps_workers, &res->ps_config,
                                       &res->failover};
        for (size_t i = 0; i < 4; i++)
            st[n++] = (struct stmt){ps[i], ps[i], slot[i], true, 0};
        failover = n - 1;
    }
    /* Which replicas read from this server: the replica's own status names only the host
     * it was given, a mesh name for every node (model_source.h). PROCESS shows every
     * thread; without it the count is of this user's own, and the source stays unknown. */
    st[n++] = (struct stmt){"SELECT @@server_id AS server_id, (SELECT COUNT(*) FROM "
                            "information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%') "
                            "AS binlog_dumps",
                            "binlog dump threads", &res->source_side, true, 0};
    struct strbuf hb;
    strbuf_init(&hb);
    if (j->heartbeat_table != NULL) {
        struct pxerr e;
        strbuf_append(&hb, "SELECT server_id, TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) / "
                           "1000000 AS lag_s, ts FROM ");
        if (sqlq_quote_table(&hb, j->heartbeat_table, &e) < 0)
            snprintf(res->note, sizeof res->note, "heartbeat: %.140s", e.msg);
        else
            st[n++] = (struct stmt){hb.s, "heartbeat table", &res->heartbeat, true, 0};
    }
    int rc = w_stmts(c, res, o, st, n);
    strbuf_fini(&hb);
    if (rc < 0)
        return;
    /* 8.0.22+ keep the failover list in the mysql schema; the p_s view came later. */
    if (mysql8 && st[failover].err == 1146)
        (void)w_query_soft(c, res, o, "SELECT * FROM mysql.replication_asynchronous_connection_failover",
                           "failover list", &res->failover);
}

static void
w_action(struct mysqlc_conn *c, struct job *j, const struct conn_opts *o)
{
    struct mysqlc_result *res = &j->res;
    enum sqlq_dialect d = j->want_override ? j->override : c->server.dialect;
    struct strbuf sql, masked;
    strbuf_init(&sql);
    strbuf_init(&masked);
    struct pxerr e;
    int rc = sqlq_build(d, &j->action, &sql, &masked, &e);
    if (rc < 0) {
        res->status = pxerr_set(&res->err, rc, "%s: %s", o->name, e.msg);
    } else {
        res->sql_masked = strbuf_detach(&masked);
        struct mysqlc_rows *x = NULL;
        if (w_query(c, res, o, sql.s, res->sql_masked, &x) == 0)
            mysqlc_rows_free(x);
    }
    if (sql.len > 0)
        explicit_bzero(sql.s, sql.len);
    strbuf_fini(&sql);
    strbuf_fini(&masked);
}

static void
worker_main(void *arg)
{
    struct mysqlc_conn *c = arg;
    struct conn_opts o;
    memset(&o, 0, sizeof o);
    uv_once(&lib_once, lib_init);
    mysql_thread_init();
    for (;;) {
        uv_mutex_lock(&c->mu);
        while (!c->stop && c->todo_head == NULL)
            uv_cond_wait(&c->cv, &c->mu);
        if (c->stop) {
            uv_mutex_unlock(&c->mu);
            break;
        }
        struct job *j = c->todo_head;
        c->todo_head = j->next;
        if (c->todo_head == NULL)
            c->todo_tail = NULL;
        bool changed = c->opts_changed;
        if (changed || o.host == NULL) {
            opts_free(&o);
            o.name = xstrdup(c->opts.name);
            o.host = xstrdup(c->opts.host);
            o.user = xstrdup(c->opts.user);
            o.password = xstrdup(c->opts.password);
            o.port = c->opts.port;
            o.connect_timeout_s = c->opts.connect_timeout_s;
            o.read_timeout_s = c->opts.read_timeout_s;
            o.write_timeout_s = c->opts.write_timeout_s;
            o.status_only = c->opts.status_only;
            c->opts_changed = false;
        }
        uv_mutex_unlock(&c->mu);
        if (changed)
            w_disconnect(c);

        uint64_t t0 = clock_mono_ms();
        j->next = NULL;
        if (w_connect(c, &j->res, &o) == 0) {
            j->res.server = c->server;
            j->res.galera = c->galera;
            if (j->kind == MYSQLC_STATUS)
                w_status(c, j, &o);
            else if (j->kind == MYSQLC_ACTION)
                w_action(c, j, &o);
            else
                (void)w_query(c, &j->res, &o, j->sql, "query", &j->res.rows);
        }
        j->res.elapsed_ms = (int64_t)(clock_mono_ms() - t0);
        j->res.wall_ms = clock_wall_ms();

        struct mysqlc_hub *h = c->hub;
        uv_mutex_lock(&h->mu);
        if (h->done_tail)
            h->done_tail->next = j;
        else
            h->done_head = j;
        h->done_tail = j;
        uv_mutex_unlock(&h->mu);
        uv_async_send(&h->async);
    }
    w_disconnect(c);
    opts_free(&o);
    mysql_thread_end();
}

static void
conn_free(struct mysqlc_conn *c)
{
    uv_mutex_destroy(&c->mu);
    uv_cond_destroy(&c->cv);
    opts_free(&c->opts);
    free(c->name);
    free(c);
}

static void
hub_forget(struct mysqlc_hub *h, struct mysqlc_conn *c)
{
    for (size_t i = 0; i < h->n_conns; i++) {
        if (h->conns[i] == c) {
            h->conns[i] = h->conns[--h->n_conns];
            return;
        }
    }
}

static void
deliver(struct mysqlc_hub *h, struct job *j, bool cancel)
{
    struct mysqlc_conn *c = j->conn;
    if (cancel || j->epoch != c->epoch || c->closed) {
        /* Stale (older epoch) or closing: the data must not reach the model. */
        result_clear(&j->res);
        j->res.status = PXE_CANCELLED;
        j->res.mysql_errno = 0;
        pxerr_set(&j->res.err, PXE_CANCELLED, "%s: request cancelled (stale result dropped)",
                  c->name);
    }
    c->pending--;
    c->in_cb++;
    if (j->cb)
        j->cb(c, &j->res, j->arg);
    c->in_cb--;
    job_free(j);
    if (c->closed && c->pending == 0 && c->in_cb == 0) {
        hub_forget(h, c);
        conn_free(c);
    }
}

static void
on_mysqlc_async(uv_async_t *a)
{
    struct mysqlc_hub *h = a->data;
    /* Drain the whole queue: uv_async_send calls coalesce. */
    uv_mutex_lock(&h->mu);
    struct job *list = h->done_head;
    h->done_head = h->done_tail = NULL;
    uv_mutex_unlock(&h->mu);
    while (list) {
        struct job *next = list->next;
        deliver(h, list, false);
        list = next;
    }
}

struct mysqlc_hub *
mysqlc_hub_new(uv_loop_t *loop)
{
    struct mysqlc_hub *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    if (uv_mutex_init(&h->mu) != 0)
        pxc_fatal("mysqlc: uv_mutex_init failed");
    if (uv_async_init(loop, &h->async, on_mysqlc_async) != 0)
        pxc_fatal("mysqlc: uv_async_init failed");
    h->async.data = h;
    uv_once(&lib_once, lib_init);
    return h;
}

/* Stop c's worker and wait for it; a blocked read returns once its socket is shut down. */
static void
conn_stop_join(struct mysqlc_conn *c)
{
    uv_mutex_lock(&c->mu);
    c->stop = true;
    if (c->fd_valid)
        shutdown((int)c->fd, SHUT_RDWR);
    uv_cond_signal(&c->cv);
    uv_mutex_unlock(&c->mu);
    if (c->thread_started)
        uv_thread_join(&c->thread);
    c->thread_started = false;
}

/* After the join: queued requests go to the done queue as cancelled. */
static void
conn_cancel_todo(struct mysqlc_conn *c)
{
    struct mysqlc_hub *h = c->hub;
    uv_mutex_lock(&c->mu);
    struct job *j = c->todo_head;
    c->todo_head = c->todo_tail = NULL;
    uv_mutex_unlock(&c->mu);
    uv_mutex_lock(&h->mu);
    while (j) {
        struct job *next = j->next;
        j->next = NULL;
        j->res.status = PXE_CANCELLED;
        if (h->done_tail)
            h->done_tail->next = j;
        else
            h->done_head = j;
        h->done_tail = j;
        j = next;
    }
    uv_mutex_unlock(&h->mu);
}

static void
on_hub_closed(uv_handle_t *hd)
{
    struct mysqlc_hub *h = hd->data;
    uv_mutex_destroy(&h->mu);
    free(h->conns);
    free(h);
}

void
mysqlc_hub_close(struct mysqlc_hub *h)
{
    if (h == NULL || h->closing)
        return;
    h->closing = true;
    for (size_t i = 0; i < h->n_conns; i++) {
        conn_stop_join(h->conns[i]);
        conn_cancel_todo(h->conns[i]);
        h->conns[i]->closed = true;
    }
    /* Every worker has exited: answer what is left, synchronously, as cancelled. */
    uv_mutex_lock(&h->mu);
    struct job *list = h->done_head;
    h->done_head = h->done_tail = NULL;
    uv_mutex_unlock(&h->mu);
    while (list) {
        struct job *next = list->next;
        deliver(h, list, true);
        list = next;
    }
    while (h->n_conns > 0) { /* conns with nothing pending */
        struct mysqlc_conn *c = h->conns[--h->n_conns];
        conn_free(c);
    }
    uv_close((uv_handle_t *)&h->async, on_hub_closed);
}

struct mysqlc_conn *
mysqlc_conn_new(struct mysqlc_hub *h, const struct mysqlc_opts *opts, struct pxerr *err)
{
    if (opts->host == NULL || opts->host[0] == '\0' || opts->port < 1 || opts->port > 65535 ||
        opts->connect_timeout_s < 1 || opts->read_timeout_s < 1 || opts->write_timeout_s < 1) {
        pxerr_set(err, PXE_INVAL,
                  "mysql server '%s': want a host, a port 1..65535 and timeouts of 1 s or more",
                  opts->name   ? opts->name
                  : opts->host ? opts->host
                               : "?");
        return NULL;
    }
    struct mysqlc_conn *c = xcalloc(1, sizeof *c);
    c->hub = h;
    opts_copy(&c->opts, opts);
    c->name = xstrdup(c->opts.name);
    if (uv_mutex_init(&c->mu) != 0 || uv_cond_init(&c->cv) != 0)
        pxc_fatal("mysqlc: mutex/cond init failed");
    int rc = uv_thread_create(&c->thread, worker_main, c);
    if (rc != 0) {
        pxerr_set(err, PXE_INTERNAL, "mysql server '%s': cannot start its worker thread: %s",
                  c->name, uv_strerror(rc));
        conn_free(c);
        return NULL;
    }
    c->thread_started = true;
    h->conns = xreallocarray(h->conns, h->n_conns + 1, sizeof *h->conns);
    h->conns[h->n_conns++] = c;
    return c;
}

void
mysqlc_conn_close(struct mysqlc_conn *c)
{
    if (c == NULL || c->closed)
        return;
    conn_stop_join(c);
    conn_cancel_todo(c);
    c->closed = true;
    if (c->in_cb > 0)
        return; /* closed from its own callback: deliver() frees it afterwards */
    if (c->pending == 0) {
        hub_forget(c->hub, c);
        conn_free(c);
    } else {
        uv_async_send(&c->hub->async); /* deliver the cancelled ones */
    }
}

void
mysqlc_conn_bump(struct mysqlc_conn *c, const struct mysqlc_opts *opts)
{
    c->epoch++;
    if (opts != NULL) {
        uv_mutex_lock(&c->mu);
        opts_free(&c->opts);
        opts_copy(&c->opts, opts);
        c->opts_changed = true;
        uv_mutex_unlock(&c->mu);
    }
}

const char *
mysqlc_conn_name(const struct mysqlc_conn *c)
{
    return c->name;
}

int
mysqlc_conn_pending(const struct mysqlc_conn *c)
{
    return c->pending;
}

int
mysqlc_start(struct mysqlc_conn *c, const struct mysqlc_req *req, mysqlc_done_cb *cb, void *arg,
             struct pxerr *err)
{
    if (c->closed || c->hub->closing)
        return pxerr_set(err, PXE_CANCELLED, "%s: connection is closing", c->name);
    if (req->kind == MYSQLC_ACTION && req->action == NULL)
        return pxerr_set(err, PXE_INVAL, "%s: action request without an action", c->name);
    if (req->kind == MYSQLC_QUERY && req->sql == NULL)
        return pxerr_set(err, PXE_INVAL, "%s: query request without SQL", c->name);
    if (req->kind != MYSQLC_STATUS && c->opts.status_only)
        return pxerr_set(err, PXE_INVAL, "%s: a status-only connection runs no %s", c->name,
                         req->kind == MYSQLC_ACTION ? "action" : "query");
    if (req->heartbeat_table != NULL) {
        int rc = sqlq_check_table(req->heartbeat_table, err);
        if (rc < 0)
            return rc;
    }
    struct job *j = xcalloc(1, sizeof *j);
    j->conn = c;
    j->epoch = c->epoch;
    j->kind = req->kind;
    j->heartbeat_table = xstrdup_or_null(req->heartbeat_table);
    j->want_override = req->want_dialect_override;
    j->override = req->dialect_override;
    if (req->action) {
        j->action = *req->action;
        j->action.channel = xstrdup(req->action->channel ? req->action->channel : "");
        if (req->action->src) {
            j->src = *req->action->src;
            j->src.host = xstrdup_or_null(req->action->src->host);
            j->src.user = xstrdup_or_null(req->action->src->user);
            j->src.password = xstrdup_or_null(req->action->src->password);
            j->action.src = &j->src;
        }
    }
    j->sql = xstrdup_or_null(req->sql);
    j->cb = cb;
    j->arg = arg;
    c->pending++;
    uv_mutex_lock(&c->mu);
    if (c->todo_tail)
        c->todo_tail->next = j;
    else
        c->todo_head = j;
    c->todo_tail = j;
    uv_cond_signal(&c->cv);
    uv_mutex_unlock(&c->mu);
    return 0;
}
