/* test_mysqlc: the MySQL client on a real uv loop against real local mariadbd servers that
 * the test starts itself (one a single-node Galera cluster). It checks callback counts, the
 * detected server and Galera session, a wrong password (1045 in words), a server stopped with
 * SIGSTOP that times out within its read timeout while the other server keeps answering,
 * reconnection after SIGCONT, stale results after an epoch bump, string quoting round trips
 * through the server, and ends with uv_loop_close() == 0. The last test runs mysql_poll, the
 * console's poller, over a real named-connection replication between the two servers: model
 * channels, lag samples per round, stop/start actions and their events, refusals.
 * Skips with a message only when mariadbd is not installed (scripts/deps.sh installs it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <uv.h>

#include "clock.h"
#include "strbuf.h"
#include "mysql/galera.h"
#include "mysql/mysqlc.h"
#include "config/config.h"
#include "model/model.h"
#include "mysql/mysql_poll.h"
#include "mysql/sqlq.h"

extern char **environ;

#define MONITOR_PW "mon'it\"or\\pw"

struct srv {
    char ip[32];
    int port;
    char dir[512];
    pid_t pid;
};

struct fixture {
    char root[256];
    struct srv s[2];
    bool galera;
};

static const char *
find_exe(const char *name, char *buf, size_t n)
{
    static const char *const dirs[] = {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin",
                                       NULL};
    for (const char *const *d = dirs; *d; d++) {
        snprintf(buf, n, "%s/%s", *d, name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

static int
run_wait(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
port_open(const char *ip, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* A free TCP port on ip: bind port 0 and ask. Another process could take it before mariadbd
 * does; fixture_setup then notices that its own server died. */
static int
free_port(const char *ip)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, ip, &a.sin_addr);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        fail_msg("cannot find a free port on %s: %s", ip, strerror(errno));
    close(fd);
    return ntohs(a.sin_port);
}

/* Stop what the setup started (cmocka runs no teardown after a failed group setup), then
 * fail with the message: no orphaned mariadbd. */
static void setup_abort(struct fixture *fx, const char *fmt, ...) PXC_PRINTF(2, 3);

static void
kill_servers(struct fixture *fx)
{
    for (int i = 0; i < 2; i++) {
        if (fx->s[i].pid > 0) {
            kill(fx->s[i].pid, SIGCONT);
            kill(fx->s[i].pid, SIGKILL);
            waitpid(fx->s[i].pid, NULL, 0);
            fx->s[i].pid = 0;
        }
    }
}

static void
setup_abort(struct fixture *fx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kill_servers(fx); /* the data dir stays for the logs the message points at */
    fail_msg("%s", msg);
}

static int
fixture_setup(void **state)
{
    char mariadbd[256], installdb[256];
    if (find_exe("mariadbd", mariadbd, sizeof mariadbd) == NULL ||
        find_exe("mariadb-install-db", installdb, sizeof installdb) == NULL) {
        fprintf(stderr, "test_mysqlc: SKIPPED: mariadbd / mariadb-install-db not installed "
                        "(run scripts/deps.sh)\n");
        *state = NULL;
        return 0;
    }
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/pxc-mysqlc-XXXXXX");
    assert_non_null(mkdtemp(fx->root));
    /* Addresses of our own (several test runs may overlap: make check, a developer's build). */
    int net = (int)(getpid() % 250) + 1;
    char galera[] = "/usr/lib/galera/libgalera_smm.so";
    fx->galera = access(galera, R_OK) == 0;
    for (int i = 0; i < 2; i++) {
        struct srv *s = &fx->s[i];
        snprintf(s->ip, sizeof s->ip, "127.78.%d.%d", net, i + 1);
        s->port = free_port(s->ip);
        snprintf(s->dir, sizeof s->dir, "%s/s%d", fx->root, i);
        mkdir(s->dir, 0755);
        char datadir[600], log[600], init[600], sock[600], pidf[600];
        snprintf(datadir, sizeof datadir, "--datadir=%s/data", s->dir);
        /* a private tmpdir: concurrent installs in /tmp can collide on temporary tables */
        char tmpdir[600], a_tmp[640];
        snprintf(tmpdir, sizeof tmpdir, "%s/tmp", s->dir);
        mkdir(tmpdir, 0755);
        snprintf(a_tmp, sizeof a_tmp, "--tmpdir=%s", tmpdir);
        snprintf(log, sizeof log, "%s/install.log", s->dir);
        char *iargv[] = {installdb,
                         "--no-defaults",
                         "--user=root",
                         datadir,
                         a_tmp,
                         "--auth-root-authentication-method=normal",
                         "--skip-test-db",
                         NULL};
        if (run_wait(iargv, log) != 0)
            setup_abort(fx, "mariadb-install-db failed, see %s", log);
        snprintf(init, sizeof init, "%s/init.sql", s->dir);
        FILE *f = fopen(init, "w");
        struct strbuf sb;
        strbuf_init(&sb);
        sqlq_quote_string(&sb, MONITOR_PW);
        fprintf(f,
                "SET sql_log_bin=0;\n"
                "CREATE USER IF NOT EXISTS 'monitor'@'%%' IDENTIFIED BY %s;\n"
                "GRANT REPLICATION CLIENT, REPLICA MONITOR, PROCESS, SELECT ON *.* TO "
                "'monitor'@'%%';\n"
                "CREATE USER IF NOT EXISTS 'operator'@'%%' IDENTIFIED BY 'op-pw';\n"
                "GRANT ALL ON *.* TO 'operator'@'%%';\n"
                "CREATE USER IF NOT EXISTS 'repl'@'%%' IDENTIFIED BY 'repl-pw';\n"
                "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%%';\n",
                sb.s);
        strbuf_fini(&sb);
        fclose(f);
        char a_init[640], a_bind[64], a_port[32], a_sock[640], a_pid[640], a_log[640], a_id[32];
        snprintf(a_init, sizeof a_init, "--init-file=%s", init);
        snprintf(a_bind, sizeof a_bind, "--bind-address=%s", s->ip);
        snprintf(a_port, sizeof a_port, "--port=%d", s->port);
        snprintf(sock, sizeof sock, "%s/sock", s->dir);
        snprintf(a_sock, sizeof a_sock, "--socket=%s", sock);
        snprintf(pidf, sizeof pidf, "%s/pid", s->dir);
        snprintf(a_pid, sizeof a_pid, "--pid-file=%s", pidf);
        snprintf(a_log, sizeof a_log, "--log-error=%s/err.log", s->dir);
        snprintf(a_id, sizeof a_id, "--server-id=%d", i + 1);
        char a_gm[160];
        snprintf(a_gm, sizeof a_gm,
                 "--wsrep-provider-options=gmcast.listen_addr=tcp://%s:%d;ist.recv_addr=%s:%d",
                 s->ip, free_port(s->ip), s->ip, free_port(s->ip));
        char a_na[64];
        snprintf(a_na, sizeof a_na, "--wsrep-node-address=%s", s->ip);
        char *argv[32] = {mariadbd,
                          "--no-defaults",
                          "--user=root",
                          datadir,
                          a_init,
                          a_bind,
                          a_port,
                          a_sock,
                          a_pid,
                          a_log,
                          a_id,
                          a_tmp,
                          "--skip-name-resolve",
                          "--innodb-buffer-pool-size=16M",
                          i == 0 ? "--log-bin=bin" : "--skip-log-bin",
                          NULL};
        int n = 15;
        if (i == 0 && fx->galera) {
            argv[n++] = "--wsrep-on=ON";
            argv[n++] = "--wsrep-provider=/usr/lib/galera/libgalera_smm.so";
            argv[n++] = "--wsrep-cluster-address=gcomm://";
            argv[n++] = "--binlog-format=ROW";
            argv[n++] = a_na;
            argv[n++] = a_gm;
        }
        argv[n] = NULL;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        int src = posix_spawn(&s->pid, mariadbd, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (src != 0) {
            s->pid = 0;
            setup_abort(fx, "cannot run %s: %s", mariadbd, strerror(src));
        }
    }
    for (int i = 0; i < 2; i++) {
        uint64_t t0 = clock_mono_ms();
        while (!port_open(fx->s[i].ip, fx->s[i].port) ||
               waitpid(fx->s[i].pid, NULL, WNOHANG) != 0) {
            if (waitpid(fx->s[i].pid, NULL, WNOHANG) != 0) {
                fx->s[i].pid = 0;
                setup_abort(fx, "mariadbd for %s:%d exited at start (see %s/err.log)", fx->s[i].ip,
                            fx->s[i].port, fx->s[i].dir);
            }
            if (clock_mono_ms() - t0 > 60000)
                setup_abort(fx, "mariadbd on %s:%d did not start within 60 s (see %s/err.log)",
                            fx->s[i].ip, fx->s[i].port, fx->s[i].dir);
            usleep(100 * 1000);
        }
    }
    *state = fx;
    return 0;
}

static int
fixture_teardown(void **state)
{
    struct fixture *fx = *state;
    if (fx == NULL)
        return 0;
    kill_servers(fx);
    char *argv[] = {"/bin/rm", "-rf", fx->root, NULL};
    (void)run_wait(argv, "/dev/null"); /* best effort: a leftover dir in /tmp harms nothing */
    free(fx);
    return 0;
}

/* ------------------------------------------------------------------ loop helpers */

struct rec {
    int calls;
    int status;
    unsigned mysql_errno;
    char msg[256];
    int64_t elapsed_ms;
    struct sqlq_server server;
    bool galera;
    struct mysqlc_rows *rows;    /* stolen QUERY set */
    struct mysqlc_rows *replica; /* stolen STATUS set */
    struct mysqlc_rows *wsrep;
    struct mysqlc_rows *source_side;
    int round_trips;
    char note[160];
};

static void
on_done(struct mysqlc_conn *c, struct mysqlc_result *res, void *arg)
{
    (void)c;
    struct rec *r = arg;
    r->calls++;
    r->status = res->status;
    r->mysql_errno = res->mysql_errno;
    snprintf(r->msg, sizeof r->msg, "%s", res->err.msg);
    r->elapsed_ms = res->elapsed_ms;
    r->server = res->server;
    r->galera = res->galera;
    mysqlc_rows_free(r->rows);
    mysqlc_rows_free(r->replica);
    mysqlc_rows_free(r->wsrep);
    r->rows = res->rows;
    res->rows = NULL;
    r->replica = res->replica;
    res->replica = NULL;
    r->wsrep = res->wsrep;
    res->wsrep = NULL;
    mysqlc_rows_free(r->source_side);
    r->source_side = res->source_side;
    res->source_side = NULL;
    r->round_trips = res->round_trips;
    snprintf(r->note, sizeof r->note, "%s", res->note);
}

/* As on_done, then closes its own connection from inside the callback (as mysql_poll does
 * after an access-denied error): the conn must survive until the callback returns. */
static void
on_done_close(struct mysqlc_conn *c, struct mysqlc_result *res, void *arg)
{
    on_done(c, res, arg);
    mysqlc_conn_close(c);
    assert_string_equal(mysqlc_conn_name(c), "badpw"); /* still valid here */
}

static void
rec_fini(struct rec *r)
{
    mysqlc_rows_free(r->rows);
    mysqlc_rows_free(r->replica);
    mysqlc_rows_free(r->wsrep);
    mysqlc_rows_free(r->source_side);
    memset(r, 0, sizeof *r);
}

/* Run the loop until *calls reaches want or timeout_ms passes. */
static void
run_until(uv_loop_t *loop, int *calls, int want, int timeout_ms)
{
    uint64_t t0 = clock_mono_ms();
    while (*calls < want && clock_mono_ms() - t0 < (uint64_t)timeout_ms)
        uv_run(loop, UV_RUN_NOWAIT) == 0 ? usleep(5000) : usleep(2000);
    if (*calls < want)
        fail_msg("callback not called within %d ms (%d of %d)", timeout_ms, *calls, want);
}

static struct mysqlc_opts
opts_for(const struct srv *s, const char *pw)
{
    struct mysqlc_opts o = {.name = s == NULL ? "?" : s->ip,
                            .host = s->ip,
                            .port = s->port,
                            .user = "monitor",
                            .password = pw,
                            .connect_timeout_s = 2,
                            .read_timeout_s = 2,
                            .write_timeout_s = 2};
    return o;
}

static void
query(struct mysqlc_conn *c, const char *sql, struct rec *r)
{
    struct mysqlc_req q = {.kind = MYSQLC_QUERY, .sql = sql};
    assert_int_equal(mysqlc_start(c, &q, on_done, r, NULL), 0);
}

/* Stop pid and wait until every thread of it is stopped: kill() returns once the signal is
 * queued, and a server thread already handed a query could still answer it (seen in CI: the
 * query meant to hang answered, then the failed test left the server stopped for the next). */
static void
stop_server(pid_t pid)
{
    assert_int_equal(kill(pid, SIGSTOP), 0);
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    uint64_t t0 = clock_mono_ms();
    for (;;) {
        DIR *d = opendir(dir);
        assert_non_null(d);
        bool all = true;
        struct dirent *de;
        while (all && (de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char path[384], buf[512];
            snprintf(path, sizeof path, "%s/%s/stat", dir, de->d_name);
            FILE *f = fopen(path, "r");
            if (f == NULL)
                continue; /* a thread that ended */
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = '\0';
            const char *rp = strrchr(buf, ')'); /* "tid (comm) S ...": comm may hold spaces */
            all = rp != NULL && (rp[2] == 'T' || rp[2] == 't');
        }
        closedir(d);
        if (all)
            return;
        if (clock_mono_ms() - t0 > 5000)
            fail_msg("server %d not stopped 5 s after SIGSTOP", (int)pid);
        usleep(2000);
    }
}

static void
test_status_and_errors(void **state)
{
    struct fixture *fx = *state;
    if (fx == NULL)
        skip();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct mysqlc_hub *h = mysqlc_hub_new(&loop);
    struct mysqlc_opts oa = opts_for(&fx->s[0], MONITOR_PW);
    struct mysqlc_opts ob = opts_for(&fx->s[1], MONITOR_PW);
    struct mysqlc_opts obad = opts_for(&fx->s[1], "wrong-password");
    obad.name = "badpw";
    struct pxerr err = {0};
    struct mysqlc_conn *a = mysqlc_conn_new(h, &oa, &err);
    struct mysqlc_conn *b = mysqlc_conn_new(h, &ob, &err);
    struct mysqlc_conn *bad = mysqlc_conn_new(h, &obad, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(bad);

    /* status on both, and a wrong password */
    struct rec ra = {0}, rb = {0}, rbad = {0};
    struct mysqlc_req st = {.kind = MYSQLC_STATUS};
    assert_int_equal(mysqlc_start(a, &st, on_done, &ra, NULL), 0);
    assert_int_equal(mysqlc_start(b, &st, on_done, &rb, NULL), 0);
    assert_int_equal(mysqlc_start(bad, &st, on_done_close, &rbad, NULL), 0);
    assert_int_equal(ra.calls + rb.calls + rbad.calls, 0); /* never from inside start */
    run_until(&loop, &ra.calls, 1, 15000);
    run_until(&loop, &rb.calls, 1, 15000);
    run_until(&loop, &rbad.calls, 1, 15000);
    assert_int_equal(ra.status, 0);
    assert_int_equal(rb.status, 0);
    assert_int_equal(ra.server.flavor, SQLQ_FLAVOR_MARIADB);
    assert_int_equal(ra.server.dialect, SQLQ_MARIADB);
    assert_non_null(ra.replica); /* SHOW ALL REPLICAS STATUS: no channels, but the columns */
    assert_int_equal(ra.replica->n_rows, 0);
    assert_true(mysqlc_rows_col(ra.replica, "Slave_IO_Running") >= 0);
    assert_false(rb.galera);
    assert_null(rb.wsrep);
    if (fx->galera) {
        assert_true(ra.galera);
        assert_non_null(ra.wsrep);
        struct galera_status g;
        assert_int_equal(galera_parse(ra.wsrep, &g, NULL), 0);
        assert_string_equal(g.status, "Primary");
        /* the monitoring session never waits on causality checks */
        struct rec rq = {0};
        query(a, "SELECT @@session.wsrep_sync_wait", &rq);
        run_until(&loop, &rq.calls, 1, 10000);
        assert_int_equal(rq.status, 0);
        assert_string_equal(mysqlc_rows_get(rq.rows, 0, 0), "0");
        rec_fini(&rq);
    }
    assert_int_equal(rbad.status, PXE_AUTH);
    assert_int_equal(rbad.mysql_errno, 1045);
    assert_non_null(strstr(rbad.msg, "access denied (wrong user or password)"));
    assert_non_null(strstr(rbad.msg, "errno 1045"));
    assert_non_null(strstr(rbad.msg, "check the user and where its password comes from"));
    assert_null(strstr(rbad.msg, "wrong-password")); /* the secret never shows */
    printf("# wrong password: %s\n", rbad.msg);

    /* quoting round trip through the server */
    static const char *const evil[] = {"it's",         "x' OR '1'='1", "back\\slash",
                                       "\\'; DROP --", "nl\nx",        MONITOR_PW};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_append(&sb, "SELECT ");
        sqlq_quote_string(&sb, evil[i]);
        struct rec rq = {0};
        query(a, sb.s, &rq);
        run_until(&loop, &rq.calls, 1, 10000);
        assert_int_equal(rq.status, 0);
        assert_int_equal(rq.rows->n_rows, 1);
        assert_string_equal(mysqlc_rows_get(rq.rows, 0, 0), evil[i]);
        rec_fini(&rq);
        strbuf_fini(&sb);
    }

    /* a server error keeps the connection; errno in words */
    struct rec rq = {0};
    query(a, "SELECT * FROM no_such_db.no_such_table", &rq);
    run_until(&loop, &rq.calls, 1, 10000);
    assert_int_equal(rq.status, PXE_MYSQL);
    assert_int_equal(rq.mysql_errno, 1146);
    assert_non_null(strstr(rq.msg, "table does not exist"));
    rec_fini(&rq);

    /* stale: a bumped epoch turns the in-flight result into PXE_CANCELLED */
    query(a, "SELECT SLEEP(0.3)", &rq);
    mysqlc_conn_bump(a, NULL);
    run_until(&loop, &rq.calls, 1, 10000);
    assert_int_equal(rq.status, PXE_CANCELLED);
    assert_null(rq.rows);
    rec_fini(&rq);
    assert_int_equal(mysqlc_conn_pending(a), 0);

    rec_fini(&ra);
    rec_fini(&rb);
    rec_fini(&rbad);
    mysqlc_hub_close(h);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A status-only connection reads the same status in one round trip (multi-statements), and
 * runs nothing else; a missing heartbeat table (1146) is no note, on either kind. */
static void
test_status_one_round_trip(void **state)
{
    struct fixture *fx = *state;
    if (fx == NULL)
        skip();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct mysqlc_hub *h = mysqlc_hub_new(&loop);
    struct mysqlc_opts os = opts_for(&fx->s[0], MONITOR_PW);
    struct mysqlc_opts ob = os;
    ob.status_only = true;
    ob.name = "batched";
    struct mysqlc_conn *seq = mysqlc_conn_new(h, &os, NULL);
    struct mysqlc_conn *bat = mysqlc_conn_new(h, &ob, NULL);
    assert_non_null(seq);
    assert_non_null(bat);
    struct mysqlc_req st = {.kind = MYSQLC_STATUS, .heartbeat_table = "no_such_db.heartbeat"};
    struct rec r[2][2];
    memset(r, 0, sizeof r);
    for (int round = 0; round < 2; round++) { /* the second: connected, no detection */
        assert_int_equal(mysqlc_start(seq, &st, on_done, &r[0][round], NULL), 0);
        assert_int_equal(mysqlc_start(bat, &st, on_done, &r[1][round], NULL), 0);
        run_until(&loop, &r[0][round].calls, 1, 15000);
        run_until(&loop, &r[1][round].calls, 1, 15000);
    }
    for (int k = 0; k < 2; k++) {
        struct rec *x = &r[k][1];
        assert_int_equal(x->status, 0);
        assert_string_equal(x->note, "");
        assert_non_null(x->replica);
        assert_true(mysqlc_rows_col(x->replica, "Slave_IO_Running") >= 0);
        assert_non_null(x->source_side);
        assert_true(mysqlc_rows_col(x->source_side, "binlog_dumps") >= 0);
        assert_int_equal(x->source_side->n_rows, 1);
        assert_int_equal(x->galera, fx->galera);
        if (fx->galera) {
            struct galera_status g;
            assert_int_equal(galera_parse(x->wsrep, &g, NULL), 0);
            assert_string_equal(g.status, "Primary");
        }
        assert_int_equal(x->replica->n_cols, r[0][1].replica->n_cols);
    }
    /* replica status, wsrep (Galera), source side, heartbeat: one statement each, or one */
    assert_int_equal(r[0][1].round_trips, fx->galera ? 4 : 3);
    assert_int_equal(r[1][1].round_trips, 1);
    struct rec rq = {0};
    struct pxerr err = {0};
    struct mysqlc_req q = {.kind = MYSQLC_QUERY, .sql = "SELECT 1"};
    assert_true(mysqlc_start(bat, &q, on_done, &rq, &err) < 0);
    assert_non_null(strstr(err.msg, "a status-only connection runs no query"));
    for (int k = 0; k < 2; k++)
        for (int round = 0; round < 2; round++)
            rec_fini(&r[k][round]);
    mysqlc_hub_close(h);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* Ticks of the healthy server while the other one hangs. */
struct ticker {
    struct mysqlc_conn *c;
    struct rec r;
    int ok;
    bool in_flight;
};

static void
on_tick_done(struct mysqlc_conn *c, struct mysqlc_result *res, void *arg)
{
    (void)c;
    struct ticker *t = arg;
    t->in_flight = false;
    if (res->status == 0)
        t->ok++;
}

static void
on_tick(uv_timer_t *tm)
{
    struct ticker *t = tm->data;
    if (t->in_flight)
        return;
    struct mysqlc_req st = {.kind = MYSQLC_STATUS};
    if (mysqlc_start(t->c, &st, on_tick_done, t, NULL) == 0)
        t->in_flight = true;
}

static void
test_hung_server(void **state)
{
    struct fixture *fx = *state;
    if (fx == NULL)
        skip();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct mysqlc_hub *h = mysqlc_hub_new(&loop);
    struct mysqlc_opts oa = opts_for(&fx->s[0], MONITOR_PW);
    struct mysqlc_opts ob = opts_for(&fx->s[1], MONITOR_PW);
    struct mysqlc_conn *a = mysqlc_conn_new(h, &oa, NULL);
    struct mysqlc_conn *b = mysqlc_conn_new(h, &ob, NULL);
    struct rec rb = {0};
    query(b, "SELECT 1", &rb); /* connected before the hang */
    run_until(&loop, &rb.calls, 1, 10000);
    assert_int_equal(rb.status, 0);

    struct ticker t = {.c = a};
    uv_timer_t tm;
    uv_timer_init(&loop, &tm);
    tm.data = &t;
    uv_timer_start(&tm, on_tick, 0, 100);

    stop_server(fx->s[1].pid);
    /* an established connection: the read timeout (2 s) ends the query */
    rec_fini(&rb);
    uint64_t t0 = clock_mono_ms();
    query(b, "SELECT 2", &rb);
    run_until(&loop, &rb.calls, 1, 15000);
    uint64_t took = clock_mono_ms() - t0;
    assert_int_equal(rb.status, PXE_TIMEOUT);
    assert_int_equal(rb.mysql_errno, 2013);
    assert_non_null(strstr(rb.msg, "no answer within 2 s"));
    if (took < 1800 || took > 2000 * 3 + 1500)
        fail_msg("hung read took %llu ms; want about the 2 s read timeout",
                 (unsigned long long)took);
    int ok_during_hang = t.ok;
    printf("# hung read ended after %llu ms: %s\n", (unsigned long long)took, rb.msg);
    /* a new connection to the stopped server: the connect timeout (2 s) ends it */
    rec_fini(&rb);
    t0 = clock_mono_ms();
    query(b, "SELECT 3", &rb);
    run_until(&loop, &rb.calls, 1, 15000);
    took = clock_mono_ms() - t0;
    assert_true(rb.status == PXE_TIMEOUT || rb.status == PXE_CONN);
    assert_true(rb.mysql_errno == 2013 || rb.mysql_errno == 2003 || rb.mysql_errno == 2002);
    if (took > 2000 * 3 + 1500)
        fail_msg("connect to a hung server took %llu ms; want about the 2 s connect timeout",
                 (unsigned long long)took);
    ok_during_hang = t.ok;
    printf("# connect to the hung server ended after %llu ms: %s\n", (unsigned long long)took,
           rb.msg);
    printf("# the healthy server answered %d status reads meanwhile\n", ok_during_hang);
    /* the healthy server kept answering the whole time (100 ms ticks) */
    if (ok_during_hang < 10)
        fail_msg("healthy server answered only %d times while the other hung", ok_during_hang);

    /* back: the next request reconnects by itself */
    assert_int_equal(kill(fx->s[1].pid, SIGCONT), 0);
    rec_fini(&rb);
    query(b, "SELECT 4", &rb);
    run_until(&loop, &rb.calls, 1, 15000);
    assert_int_equal(rb.status, 0);
    assert_string_equal(mysqlc_rows_get(rb.rows, 0, 0), "4");
    rec_fini(&rb);

    /* closing while a request hangs: the blocked read is woken, the callback says cancelled */
    stop_server(fx->s[1].pid);
    query(b, "SELECT 5", &rb);
    usleep(300 * 1000);
    uv_timer_stop(&tm);
    uv_close((uv_handle_t *)&tm, NULL);
    t0 = clock_mono_ms();
    mysqlc_hub_close(h);
    took = clock_mono_ms() - t0;
    assert_int_equal(rb.calls, 1);
    assert_int_equal(rb.status, PXE_CANCELLED);
    if (took > 1000)
        fail_msg("closing the hub with a hung read took %llu ms", (unsigned long long)took);
    assert_int_equal(kill(fx->s[1].pid, SIGCONT), 0);
    rec_fini(&rb);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* ------------------------------------------------------------------ mysql_poll */

struct poll_obs {
    int rounds;
    int actions;
    int action_status;
    char sql[256];
};

static void
on_poll_round(struct mysql_poll *p, int round, void *arg)
{
    (void)p;
    ((struct poll_obs *)arg)->rounds = round;
}

static void
on_poll_action(int status, const char *server, const char *sql_masked, const struct pxerr *err,
               void *arg)
{
    struct poll_obs *o = arg;
    (void)server;
    o->actions++;
    o->action_status = status;
    snprintf(o->sql, sizeof o->sql, "%s", status == 0 ? sql_masked : err->msg);
}

static bool
has_event(const struct model *m, const char *needle)
{
    for (int i = 0; i < m->ev_len; i++)
        if (strstr(model_event_at(m, i)->what, needle) != NULL)
            return true;
    return false;
}

static const struct m_channel *
wait_channel(uv_loop_t *loop, struct model *m, struct poll_obs *o, enum thread_state io,
             enum thread_state sql)
{
    uint64_t t0 = clock_mono_ms();
    for (;;) {
        int want = o->rounds + 1;
        run_until(loop, &o->rounds, want, 10000);
        struct m_cluster *c = model_cluster_find(m, "test");
        const struct m_channel *ch = c ? model_channel_find(c, "s2", "c1") : NULL;
        if (ch && ch->io == io && ch->sql == sql)
            return ch;
        if (clock_mono_ms() - t0 > 20000)
            fail_msg("channel c1 on s2 not %s/%s within 20 s (now %s/%s)", model_thread_name(io),
                     model_thread_name(sql), ch ? model_thread_name(ch->io) : "-",
                     ch ? model_thread_name(ch->sql) : "-");
    }
}

static void
test_poller(void **state)
{
    struct fixture *fx = *state;
    if (fx == NULL)
        skip();
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    /* replication: s2 replicates from s1 through the named connection c1 */
    struct mysqlc_hub *h = mysqlc_hub_new(&loop);
    struct mysqlc_opts oo = opts_for(&fx->s[1], "op-pw");
    oo.user = "operator";
    struct mysqlc_conn *op = mysqlc_conn_new(h, &oo, NULL);
    char sql[512];
    snprintf(sql, sizeof sql,
             "CHANGE MASTER 'c1' TO MASTER_HOST='%s', MASTER_PORT=%d, MASTER_USER='repl', "
             "MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
             fx->s[0].ip, fx->s[0].port);
    struct rec rq = {0};
    query(op, sql, &rq);
    run_until(&loop, &rq.calls, 1, 10000);
    assert_int_equal(rq.status, 0);
    rec_fini(&rq);
    mysqlc_hub_close(h);

    /* a config as config_load would give it: direct servers, the status user's password from
     * the environment, the action user's from an option file (read on a worker) */
    setenv("PXC_TEST_MON_PW", MONITOR_PW, 1);
    char optfile[] = "/tmp/pxc-test-my.cnf.XXXXXX";
    int ofd = mkstemp(optfile);
    assert_true(ofd >= 0);
    static const char optcnf[] = "[client]\nuser = ignored\n[pxcmesh]\npassword = op-pw\n";
    assert_int_equal(write(ofd, optcnf, sizeof optcnf - 1), (ssize_t)(sizeof optcnf - 1));
    close(ofd);
    struct config_server servers[2] = {
        {.name = "s1", .host = fx->s[0].ip, .port = fx->s[0].port},
        {.name = "s2", .host = fx->s[1].ip, .port = fx->s[1].port},
    };
    struct config_cluster cc = {
        .name = "test",
        .context = "test",
        .mysql = {.mode = CONFIG_MYSQL_DIRECT,
                  .servers = servers,
                  .n_servers = 2,
                  .user = "monitor",
                  .password_from = {.kind = CONFIG_PW_ENV, .env = "PXC_TEST_MON_PW"},
                  .action_user = "operator",
                  .action_password_from = {.kind = CONFIG_PW_OPTION_FILE,
                                           .option_file = optfile,
                                           .option_group = "pxcmesh"},
                  .connect_timeout_s = 2,
                  .read_timeout_s = 2,
                  .write_timeout_s = 2,
                  .heartbeat_table = "hb.heartbeat"},
    };
    struct config cfg = {.refresh_s = 1, .clusters = &cc, .n_clusters = 1};
    struct model *m = model_new();
    struct poll_obs o = {0};
    struct mysql_poll_opts po = {.on_round = on_poll_round, .arg = &o};
    struct mysql_poll *p = NULL;
    struct pxerr err = {0};
    assert_int_equal(mysql_poll_start(&loop, m, &cfg, &cc, &po, &p, &err), 0);
    assert_non_null(model_cluster_find(m, "test"));

    /* not started yet: the first read shows it stopped */
    const struct m_channel *ch = wait_channel(&loop, m, &o, THR_NO, THR_NO);
    assert_string_equal(ch->source_host, fx->s[0].ip);
    assert_int_equal(ch->source_port, fx->s[0].port);
    assert_string_equal(ch->dialect, "mariadb");
    assert_int_equal(ch->gtid_mode, 2); /* MASTER_USE_GTID=slave_pos */
    assert_true(ch->lag_s < 0);
    assert_int_equal(mysql_poll_n_servers(p), 2);

    /* start through the action user; the poller reads again at once */
    assert_int_equal(mysql_poll_action(p, "s2",
                                       &(struct sqlq_action){.verb = SQLQ_START, .channel = "c1"},
                                       on_poll_action, &o, &err),
                     0);
    run_until(&loop, &o.actions, 1, 10000);
    assert_int_equal(o.action_status, 0);
    assert_string_equal(o.sql, "START REPLICA 'c1'");
    ch = wait_channel(&loop, m, &o, THR_YES, THR_YES);
    assert_true(has_event(m, "channel c1 on s2: started (IO Yes, SQL Yes)"));
    assert_true(has_event(m, "action on s2: START REPLICA 'c1'"));
    int len0 = ch->lag_len;
    run_until(&loop, &o.rounds, o.rounds + 2, 10000);
    ch = model_channel_find(model_cluster_find(m, "test"), "s2", "c1");
    assert_true(ch->lag_len >= len0 + 2); /* one sample per round */
    assert_true(ch->lag_s >= 0);
    assert_string_equal(ch->lag_source, "Seconds_Behind_Source");
    assert_true(ch->lag_unreliable);
    assert_int_equal(ch->last_io_errno, 0);
    assert_true(ch->updated_ms > 0);

    /* a pt-heartbeat table appears on the source (written 30 s ago, replicated): its lag wins */
    h = mysqlc_hub_new(&loop);
    struct mysqlc_opts os1 = opts_for(&fx->s[0], "op-pw");
    os1.user = "operator";
    struct mysqlc_conn *s1c = mysqlc_conn_new(h, &os1, NULL);
    static const char *const hb_sql[] = {
        "CREATE DATABASE hb",
        "CREATE TABLE hb.heartbeat (ts VARCHAR(26) NOT NULL, server_id INT UNSIGNED NOT NULL "
        "PRIMARY KEY, file VARCHAR(255), position BIGINT UNSIGNED, relay_master_log_file "
        "VARCHAR(255), exec_master_log_pos BIGINT UNSIGNED)",
        "INSERT INTO hb.heartbeat (ts, server_id) VALUES (DATE_FORMAT(UTC_TIMESTAMP(6) - "
        "INTERVAL 30 SECOND, '%Y-%m-%dT%H:%i:%s.%f'), 1)",
    };
    for (size_t i = 0; i < sizeof hb_sql / sizeof hb_sql[0]; i++) {
        query(s1c, hb_sql[i], &rq);
        run_until(&loop, &rq.calls, 1, 10000);
        if (rq.status != 0)
            fail_msg("%s: %s", hb_sql[i], rq.msg);
        rec_fini(&rq);
    }
    mysqlc_hub_close(h);
    uint64_t hb0 = clock_mono_ms();
    for (;;) {
        run_until(&loop, &o.rounds, o.rounds + 1, 10000);
        ch = model_channel_find(model_cluster_find(m, "test"), "s2", "c1");
        if (ch->lag_from_heartbeat || clock_mono_ms() - hb0 > 15000)
            break;
    }
    assert_true(ch->lag_from_heartbeat);
    assert_string_equal(ch->lag_source, "heartbeat");
    assert_false(ch->lag_unreliable);
    if (ch->lag_s < 29 || ch->lag_s > 60)
        fail_msg("heartbeat lag %.1f s, want about 30", ch->lag_s);

    /* what the confirmation dialog shows, in the server's dialect, password masked */
    struct strbuf shown;
    strbuf_init(&shown);
    const struct sqlq_source src = {.host = "h.example",
                                    .password = "pw",
                                    .auto_position = -1,
                                    .ssl = -1,
                                    .connect_retry_s = -1,
                                    .retry_count = -1};
    assert_int_equal(
        mysql_poll_render(
            p, "s2",
            &(struct sqlq_action){.verb = SQLQ_CHANGE_SOURCE, .channel = "c1", .src = &src}, &shown,
            &err),
        0);
    assert_string_equal(shown.s, "CHANGE MASTER 'c1' TO MASTER_HOST='h.example', "
                                 "MASTER_PASSWORD='********'");
    strbuf_fini(&shown);

    /* stop only the SQL thread */
    assert_int_equal(
        mysql_poll_action(
            p, "s2", &(struct sqlq_action){.verb = SQLQ_STOP, .channel = "c1", .threads = SQLQ_SQL},
            on_poll_action, &o, &err),
        0);
    run_until(&loop, &o.actions, 2, 10000);
    assert_string_equal(o.sql, "STOP REPLICA 'c1' SQL_THREAD");
    wait_channel(&loop, m, &o, THR_YES, THR_NO);
    assert_true(has_event(m, "channel c1 on s2: stopped (IO Yes, SQL No)"));

    /* refusals, without a callback */
    assert_int_equal(mysql_poll_action(p, "s9",
                                       &(struct sqlq_action){.verb = SQLQ_START, .channel = "c1"},
                                       on_poll_action, &o, &err),
                     PXE_NOTFOUND);
    assert_string_equal(err.msg, "cluster test has no MySQL server 's9' (servers: s1, s2)");
    assert_int_equal(mysql_poll_action(p, "s2",
                                       &(struct sqlq_action){.verb = SQLQ_START, .channel = "c'1"},
                                       on_poll_action, &o, &err),
                     PXE_INVAL);
    assert_int_equal(o.actions, 2);
    mysql_poll_free(p);

    struct mysql_poll_opts ro = {.readonly = true};
    assert_int_equal(mysql_poll_start(&loop, m, &cfg, &cc, &ro, &p, &err), 0);
    assert_int_equal(mysql_poll_action(p, "s2",
                                       &(struct sqlq_action){.verb = SQLQ_STOP, .channel = "c1"},
                                       on_poll_action, &o, &err),
                     PXE_READONLY);
    assert_non_null(strstr(err.msg, "read-only mode"));
    mysql_poll_free(p);

    /* a password that cannot be found says where it was looked for */
    unsetenv("PXC_TEST_MON_PW");
    struct poll_obs o2 = {0};
    struct mysql_poll_opts po2 = {.on_round = on_poll_round, .arg = &o2, .once = true};
    assert_int_equal(mysql_poll_start(&loop, m, &cfg, &cc, &po2, &p, &err), 0);
    run_until(&loop, &o2.rounds, 1, 10000);
    assert_string_equal(mysql_poll_error(p), "status user 'monitor': environment variable "
                                             "PXC_TEST_MON_PW is not set (passwordFrom.env)");
    mysql_poll_free(p);

    /* an option file that is a FIFO: refused (never waited on), the error says which */
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s.fifo", optfile);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    cc.mysql.password_from =
        (struct config_pw_from){.kind = CONFIG_PW_OPTION_FILE, .option_file = fifo};
    struct poll_obs o3 = {0};
    struct mysql_poll_opts po3 = {.on_round = on_poll_round, .arg = &o3, .once = true};
    assert_int_equal(mysql_poll_start(&loop, m, &cfg, &cc, &po3, &p, &err), 0);
    run_until(&loop, &o3.rounds, 1, 10000);
    char want[200];
    snprintf(want, sizeof want,
             "s1: status user 'monitor': %s: not a regular file (a FIFO); give a file", fifo);
    const char *msg = NULL;
    assert_true(mysql_poll_server_status(p, 0, &msg) != 0);
    assert_string_equal(msg, want);
    mysql_poll_free(p);
    /* freed while the read is on its worker: no callback comes, the loop closes clean */
    cc.mysql.password_from.option_file = optfile;
    cc.mysql.password_from.option_group = "pxcmesh";
    assert_int_equal(mysql_poll_start(&loop, m, &cfg, &cc, &po3, &p, &err), 0);
    mysql_poll_kick(p);
    mysql_poll_free(p);
    unlink(fifo);
    unlink(optfile);

    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_errors),
        cmocka_unit_test(test_status_one_round_trip),
        cmocka_unit_test(test_hung_server),
        cmocka_unit_test(test_poller),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
