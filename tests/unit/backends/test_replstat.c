/* test_replstat: replica status parsing by column name for every dialect, from real MariaDB
 * captures (tests/fixtures/mysql/mariadb-*.tsv), MariaDB's own mysql-test output
 * (tests/fixtures/mariadb/multi_source-simple.result) and MySQL 8 rows built from the
 * reference manual's column lists (mysql80-*.tsv, mysql57-*.tsv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "mysql/replstat.h"

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    struct strbuf sb;
    strbuf_init(&sb);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&sb, buf, n);
    fclose(f);
    *len = sb.len;
    return strbuf_detach(&sb);
}

static struct mysqlc_rows *
load(const char *name)
{
    const char *dir = getenv("PXC_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/mysql/%s", dir ? dir : "tests/fixtures", name);
    size_t len;
    char *text = slurp(path, &len);
    struct mysqlc_rows *r = NULL;
    struct pxerr err = {0};
    if (mysqlc_rows_parse_tsv(text, len, name, &r, &err) != 0)
        fail_msg("%s", err.msg);
    free(text);
    return r;
}

static void
parse_file(const char *name, struct vec *out)
{
    struct mysqlc_rows *r = load(name);
    vec_init(out, replstat_channel_free_v);
    struct pxerr err = {0};
    if (replstat_parse(r, out, &err) != 0)
        fail_msg("%s: %s", name, err.msg);
    mysqlc_rows_free(r);
}

static struct replstat_channel *
ch_named(struct vec *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++) {
        struct replstat_channel *c = v->items[i];
        if (strcmp(c->name, name) == 0)
            return c;
    }
    fail_msg("no channel '%s'", name);
    return NULL;
}

static void
test_mariadb_running(void **state)
{
    (void)state;
    static const char *const files[] = {"mariadb-running.tsv", "mariadb-slaves-running.tsv"};
    for (size_t f = 0; f < 2; f++) {
        struct vec v;
        parse_file(files[f], &v);
        assert_int_equal(v.n, 2);
        struct replstat_channel *a = ch_named(&v, "chan_a");
        assert_int_equal(a->io, THR_YES);
        assert_int_equal(a->sql, THR_YES);
        assert_string_equal(a->source_host, "127.0.77.1");
        assert_int_equal(a->source_port, 3306);
        assert_string_equal(a->source_user, "repl");
        assert_true(a->sbs_s == 0);
        assert_int_equal(a->last_io_errno, 0);
        assert_string_equal(a->last_io_error, "");
        assert_true(a->gtid_mariadb);
        assert_true(a->auto_position);
        assert_string_equal(a->retrieved_gtid, "1-1-9,3-3-6");
        assert_string_equal(a->executed_gtid, "1-1-9,2-2-6,3-3-9");
        assert_int_equal(replstat_gtid_gap(a), 0);
        assert_int_equal(a->connect_retry_s, 2);
        assert_int_equal(a->retried_transactions, 0);
        assert_int_equal(a->source_server_id, 1);
        assert_string_equal(a->io_state, "Waiting for master to send event");
        struct replstat_channel *b = ch_named(&v, "chan_b");
        assert_string_equal(b->source_host, "127.0.77.3");
        vec_fini(&v);
    }
}

static void
test_mariadb_faults(void **state)
{
    (void)state;
    struct vec v;
    parse_file("mariadb-stopped.tsv", &v);
    struct replstat_channel *a = ch_named(&v, "chan_a");
    assert_int_equal(a->io, THR_NO);
    assert_int_equal(a->sql, THR_NO);
    assert_true(a->sbs_s < 0); /* NULL: unknown, never 0 */
    assert_int_equal(ch_named(&v, "chan_b")->io, THR_YES);
    vec_fini(&v);

    parse_file("mariadb-sql-1062.tsv", &v);
    a = ch_named(&v, "chan_a");
    assert_int_equal(a->io, THR_YES);
    assert_int_equal(a->sql, THR_NO);
    assert_int_equal(a->last_sql_errno, 1062);
    assert_non_null(strstr(a->last_sql_error, "Duplicate entry '100' for key 'PRIMARY'"));
    assert_int_equal(a->last_sql_error_ms, 0); /* MariaDB gives no timestamp */
    assert_int_equal(replstat_gtid_gap(a), 1); /* 1-1-12 received, 1-1-11 applied */
    vec_fini(&v);

    parse_file("mariadb-io-2003.tsv", &v);
    a = ch_named(&v, "chan_a");
    assert_int_equal(a->io, THR_CONNECTING);
    assert_int_equal(a->sql, THR_YES);
    assert_int_equal(a->last_io_errno, 2003);
    assert_non_null(strstr(a->last_io_error, "Can't connect to server on '127.0.77.1'"));
    assert_true(a->sbs_s < 0);
    vec_fini(&v);

    parse_file("mariadb-io-1045.tsv", &v);
    struct replstat_channel *b = ch_named(&v, "chan_b");
    assert_int_equal(b->io, THR_CONNECTING);
    assert_int_equal(b->last_io_errno, 1045);
    assert_non_null(strstr(b->last_io_error, "Access denied for user 'repl'"));
    vec_fini(&v);

    parse_file("mariadb-io-2005.tsv", &v);
    b = ch_named(&v, "chan_b");
    assert_int_equal(b->last_io_errno, 2005);
    assert_string_equal(b->source_host, "no-such-host.invalid");
    vec_fini(&v);

    parse_file("mariadb-lagging.tsv", &v);
    a = ch_named(&v, "chan_a");
    assert_true(a->sbs_s >= 5 && a->sbs_s <= 7);
    vec_fini(&v);

    parse_file("mariadb-recovered.tsv", &v);
    a = ch_named(&v, "chan_a");
    assert_int_equal(a->io, THR_YES);
    assert_int_equal(a->sql, THR_YES);
    vec_fini(&v);
}

/* The SHOW ALL SLAVES STATUS blocks of MariaDB's multi_source/simple.result: the header line
 * starts with "Connection_name\t", rows follow with the same number of fields. */
static void
test_mysql_test_result(void **state)
{
    (void)state;
    const char *dir = getenv("PXC_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/mariadb/multi_source-simple.result",
             dir ? dir : PXC_SOURCE_DIR "/tests/fixtures");
    size_t len;
    char *text = slurp(path, &len);
    int blocks = 0;
    const char *p = text;
    while ((p = strstr(p, "\nConnection_name\t")) != NULL) {
        p++;
        size_t tabs = 0;
        const char *e = strchr(p, '\n');
        for (const char *q = p; q < e; q++)
            tabs += *q == '\t';
        /* the block ends at the first line with another field count */
        const char *end = e + 1;
        for (;;) {
            const char *nl = strchr(end, '\n');
            if (nl == NULL)
                break;
            size_t t = 0;
            for (const char *q = end; q < nl; q++)
                t += *q == '\t';
            if (t != tabs)
                break;
            end = nl + 1;
        }
        struct mysqlc_rows *r = NULL;
        struct pxerr err = {0};
        assert_int_equal(mysqlc_rows_parse_tsv(p, (size_t)(end - p), "simple.result", &r, &err), 0);
        struct vec v;
        vec_init(&v, replstat_channel_free_v);
        assert_int_equal(replstat_parse(r, &v, &err), 0);
        mysqlc_rows_free(r);
        /* What the test script did before each SHOW ALL SLAVES STATUS. */
        static const struct {
            size_t n;
            const char *name;
            enum thread_state io, sql;
        } want[] = {
            {2, "slave1", THR_YES, THR_YES}, /* both started */
            {2, "slave1", THR_NO, THR_NO},   /* stop slave 'slave1'; reset slave 'slave1' */
            {1, "slave2", THR_YES, THR_YES}, /* reset slave 'slave1' all */
            {1, "slave2", THR_NO, THR_NO},   /* stop all slaves */
        };
        assert_true(blocks < 4);
        assert_int_equal(v.n, want[blocks].n);
        struct replstat_channel *c = ch_named(&v, want[blocks].name);
        assert_int_equal(c->io, want[blocks].io);
        assert_int_equal(c->sql, want[blocks].sql);
        assert_string_equal(c->source_host, "127.0.0.1");
        assert_string_equal(c->source_user, "root");
        assert_int_equal(c->source_port, 0); /* "MYPORT_1": not a number */
        assert_false(c->auto_position);      /* Using_Gtid No */
        if (c->io == THR_NO)
            assert_true(c->sbs_s < 0); /* NULL */
        else
            assert_true(c->sbs_s == 0);
        if (blocks == 0)
            assert_int_equal(ch_named(&v, "slave2")->source_server_id, 2);
        blocks++;
        vec_fini(&v);
        p = end;
    }
    assert_int_equal(blocks, 4);
    free(text);
}

static void
test_mysql80(void **state)
{
    (void)state;
    struct vec v;
    parse_file("mysql80-replica-status.tsv", &v);
    assert_int_equal(v.n, 2);
    struct replstat_channel *b = ch_named(&v, "cluster_b_source");
    assert_int_equal(b->io, THR_YES);
    assert_int_equal(b->sql, THR_YES);
    assert_string_equal(b->source_host, "pxc-b-haproxy.pxc.svc.cluster-b.global");
    assert_int_equal(b->source_port, 3306);
    assert_true(b->sbs_s == 42);
    assert_false(b->gtid_mariadb);
    assert_true(b->auto_position);
    assert_string_equal(b->executed_gtid, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-97,"
                                          "b5d7e3a0-aa3b-11ee-8c2e-0242ac120004:1-5");
    assert_int_equal(replstat_gtid_gap(b), 3);
    assert_int_equal(b->retry_limit, 86400);
    assert_string_equal(b->sql_state, "Waiting for dependent transaction to commit");
    struct replstat_channel *d = ch_named(&v, "dr_source");
    assert_int_equal(d->io, THR_CONNECTING);
    assert_int_equal(d->last_io_errno, 2003);
    assert_true(d->sbs_s < 0);
    assert_int_equal(d->last_io_error_ms, 1795596067000LL); /* 261125 08:41:07 UTC */
    assert_int_equal(replstat_gtid_gap(d), -1);             /* nothing retrieved */

    /* performance_schema and the failover list */
    struct mysqlc_rows *cs = load("mysql80-ps-connection-status.tsv");
    struct mysqlc_rows *wk = load("mysql80-ps-applier-by-worker.tsv");
    struct mysqlc_rows *cf = load("mysql80-ps-connection-configuration.tsv");
    struct mysqlc_rows *fo = load("mysql80-failover.tsv");
    int64_t now = replstat_parse_ts("2026-11-25 08:42:00");
    replstat_merge_ps(&v, cs, wk, cf, now);
    replstat_merge_failover(&v, fo);
    assert_string_equal(b->service_state, "ON");
    assert_int_equal(b->received_heartbeats, 1206);
    assert_int_equal(b->last_heartbeat_ms, replstat_parse_ts("2026-11-25 08:41:58.503"));
    assert_true(b->ps_lag_s > 41.9 && b->ps_lag_s < 42.1); /* 08:42:00 - 08:41:18 */
    assert_int_equal(b->retried_transactions, 3); /* worker 1 retried twice, worker 2 once */
    assert_true(b->failover_enabled);
    assert_int_equal(b->n_failover, 3);
    assert_string_equal(b->failover[0].host, "pxc-b-haproxy.pxc.svc.cluster-b.global");
    assert_int_equal(b->failover[0].weight, 100);
    assert_true(b->failover[0].in_use);
    assert_int_equal(b->failover[1].weight, 50);
    assert_false(b->failover[1].in_use);
    assert_int_equal(b->failover[2].weight, 25);
    assert_string_equal(d->service_state, "CONNECTING");
    assert_int_equal(d->last_io_error_ms, replstat_parse_ts("2026-11-25 08:41:07.441"));
    assert_true(d->ps_lag_s < 0); /* nothing applied yet: unknown */
    assert_false(d->failover_enabled);
    assert_int_equal(d->n_failover, 0);
    mysqlc_rows_free(cs);
    mysqlc_rows_free(wk);
    mysqlc_rows_free(cf);
    mysqlc_rows_free(fo);
    vec_fini(&v);
}

static void
test_mysql_old(void **state)
{
    (void)state;
    struct vec v;
    parse_file("mysql57-slave-status.tsv", &v);
    assert_int_equal(v.n, 1);
    struct replstat_channel *c = ch_named(&v, "");
    assert_int_equal(c->io, THR_YES);
    assert_int_equal(c->sql, THR_NO);
    assert_string_equal(c->source_host, "192.168.1.10");
    assert_int_equal(c->last_sql_errno, 1062);
    assert_non_null(strstr(c->last_sql_error, "Duplicate entry '100' for key 't.PRIMARY'"));
    assert_int_equal(c->last_sql_error_ms, replstat_parse_ts("2026-11-25 08:30:00"));
    assert_int_equal(replstat_gtid_gap(c), 2);
    assert_int_equal(c->retry_limit, 86400);
    assert_true(c->sbs_s < 0);
    vec_fini(&v);
}

static void
test_bad_input(void **state)
{
    (void)state;
    struct mysqlc_rows *r = load("mariadb-version.tsv");
    struct vec v;
    vec_init(&v, replstat_channel_free_v);
    struct pxerr err = {0};
    assert_int_equal(replstat_parse(r, &v, &err), PXE_PARSE);
    assert_string_equal(err.msg, "replica status: no Slave_IO_Running or Replica_IO_Running "
                                 "column (got: VERSION(), @@version_comment)");
    assert_int_equal(v.n, 0);
    mysqlc_rows_free(r);
    assert_int_equal(replstat_parse(NULL, &v, &err), PXE_PARSE);
    vec_fini(&v);

    const char bad[] = "# header\na\tb\n1\t2\n3\n";
    assert_int_equal(mysqlc_rows_parse_tsv(bad, sizeof bad - 1, "bad.tsv", &r, &err), PXE_PARSE);
    assert_string_equal(err.msg, "bad.tsv:4: 1 fields, want 2 (the header's count)");
    assert_int_equal(mysqlc_rows_parse_tsv("# only\n", 7, "empty.tsv", &r, &err), PXE_PARSE);
    assert_string_equal(err.msg, "empty.tsv: no header line (column names)");

    const char esc[] = "a\tb\nx\\ty\\\\z\tNULL\n";
    assert_int_equal(mysqlc_rows_parse_tsv(esc, sizeof esc - 1, "esc", &r, &err), 0);
    assert_string_equal(mysqlc_rows_get(r, 0, 0), "x\ty\\z");
    assert_null(mysqlc_rows_get(r, 0, 1));
    assert_int_equal(mysqlc_rows_col(r, "B"), 1);
    assert_int_equal(mysqlc_rows_col(r, "c"), -1);
    mysqlc_rows_free(r);

    assert_int_equal(replstat_thread("Preparing"), THR_UNKNOWN);
    assert_int_equal(replstat_parse_ts("garbage"), 0);
    assert_int_equal(replstat_parse_ts("0000-00-00 00:00:00.000000"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mariadb_running),
        cmocka_unit_test(test_mariadb_faults),
        cmocka_unit_test(test_mysql_test_result),
        cmocka_unit_test(test_mysql80),
        cmocka_unit_test(test_mysql_old),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
