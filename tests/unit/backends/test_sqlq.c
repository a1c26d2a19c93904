/* test_sqlq: validation, quoting (injection attempts rejected or made inert) and the
 * statement builders of every dialect, with the masked rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mysql/sqlq.h"

static void
test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *ver, *comment;
        enum sqlq_flavor flavor;
        int version;
        enum sqlq_dialect d;
    } cases[] = {
        {"10.11.19-MariaDB-0+deb12u1-log", "Debian 12", SQLQ_FLAVOR_MARIADB, 101119, SQLQ_MARIADB},
        {"10.5.0-MariaDB", "mariadb.org binary distribution", SQLQ_FLAVOR_MARIADB, 100500,
         SQLQ_MARIADB_OLD},
        {"10.5.1-MariaDB", NULL, SQLQ_FLAVOR_MARIADB, 100501, SQLQ_MARIADB},
        {"8.0.32-24.2",
         "Percona XtraDB Cluster (GPL), Release rel24, Revision 2119e75, WSREP "
         "version 26.1.4.3",
         SQLQ_FLAVOR_PERCONA, 80032, SQLQ_MYSQL},
        {"8.0.21", "MySQL Community Server - GPL", SQLQ_FLAVOR_MYSQL, 80021, SQLQ_MYSQL_OLD},
        {"8.0.22", "MySQL Community Server - GPL", SQLQ_FLAVOR_MYSQL, 80022, SQLQ_MYSQL},
        {"5.7.44-log", "MySQL Community Server (GPL)", SQLQ_FLAVOR_MYSQL, 50744, SQLQ_MYSQL_OLD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sqlq_server s;
        assert_int_equal(sqlq_detect(cases[i].ver, cases[i].comment, &s, NULL), 0);
        assert_int_equal(s.flavor, cases[i].flavor);
        assert_int_equal(s.version, cases[i].version);
        assert_int_equal(s.dialect, cases[i].d);
    }
    struct sqlq_server s;
    struct pxerr err = {0};
    assert_int_equal(sqlq_detect("garbage", "", &s, &err), PXE_PARSE);
    assert_string_equal(err.msg,
                        "server version 'garbage' has no major.minor.patch: is this MySQL or "
                        "MariaDB?");
    assert_string_equal(sqlq_replica_status_sql(SQLQ_MARIADB), "SHOW ALL REPLICAS STATUS");
    assert_string_equal(sqlq_replica_status_sql(SQLQ_MARIADB_OLD), "SHOW ALL SLAVES STATUS");
    assert_string_equal(sqlq_replica_status_sql(SQLQ_MYSQL), "SHOW REPLICA STATUS");
    assert_string_equal(sqlq_replica_status_sql(SQLQ_MYSQL_OLD), "SHOW SLAVE STATUS");
}

static void
test_validation(void **state)
{
    (void)state;
    struct pxerr err = {0};
    assert_int_equal(sqlq_check_channel("cluster_b_source", &err), 0);
    assert_int_equal(sqlq_check_channel("", &err), 0);
    assert_int_equal(sqlq_check_channel("a.b-c_1", &err), 0);
    static const char *const bad_channels[] = {
        "a'b",
        "x' ; DROP TABLE t; --",
        "a b",
        "a\\",
        "a`b",
        "a\"b",
        "a\nb",
        "ü",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
    };
    for (size_t i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++)
        assert_int_equal(sqlq_check_channel(bad_channels[i], &err), PXE_INVAL);
    assert_int_equal(sqlq_check_channel("a'b", &err), PXE_INVAL);
    assert_string_equal(err.msg, "channel name 'a'b': only letters, digits, '_', '-' and '.' "
                                 "are allowed (at most 64)");
    assert_int_equal(sqlq_check_channel("a\nb", &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "'a\\x0ab'")); /* control bytes never printed raw */

    static const char *const good_hosts[] = {"127.1.10.1", "pxc-0.pxc.svc.cluster.local", "::1",
                                             "fe80::1", "pxc_source.global"};
    for (size_t i = 0; i < sizeof good_hosts / sizeof good_hosts[0]; i++)
        assert_int_equal(sqlq_check_host(good_hosts[i], &err), 0);
    static const char *const bad_hosts[] = {"", "h'; DROP", "a b", "-x", "h\\", "::g", "a/b"};
    for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++)
        assert_int_equal(sqlq_check_host(bad_hosts[i], &err), PXE_INVAL);
    assert_int_equal(sqlq_check_host("h'; DROP", &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "host 'h'; DROP': want a DNS name"));

    assert_int_equal(sqlq_check_user("repl", &err), 0);
    assert_int_equal(sqlq_check_user("r'x", &err), PXE_INVAL);
    assert_int_equal(sqlq_check_user("", &err), PXE_INVAL);
    assert_int_equal(sqlq_check_table("percona.heartbeat", &err), 0);
    assert_int_equal(sqlq_check_table("heartbeat", &err), PXE_INVAL);
    assert_int_equal(sqlq_check_table("a.b;drop", &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "table 'a.b;drop': want db.table"));
}

static void
test_quoting(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain", "'plain'"},
        {"it's", "'it''s'"},
        {"x' OR '1'='1", "'x'' OR ''1''=''1'"},
        {"back\\slash", "'back\\\\slash'"},
        {"\\'; DROP TABLE t; --", "'\\\\''; DROP TABLE t; --'"},
        {"line\nbreak\r\032", "'line\\nbreak\\r\\Z'"},
        {"", "''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        sqlq_quote_string(&sb, cases[i].in);
        assert_string_equal(sb.s, cases[i].want);
        strbuf_fini(&sb);
    }
    struct strbuf sb;
    strbuf_init(&sb);
    sqlq_quote_ident(&sb, "we`ird");
    assert_string_equal(sb.s, "`we``ird`");
    strbuf_reset(&sb);
    assert_int_equal(sqlq_quote_table(&sb, "percona.heartbeat", NULL), 0);
    assert_string_equal(sb.s, "`percona`.`heartbeat`");
    strbuf_reset(&sb);
    assert_int_equal(sqlq_quote_table(&sb, "a`.b", NULL), PXE_INVAL);
    assert_string_equal(sb.s, "");
    strbuf_fini(&sb);
}

struct build_case {
    enum sqlq_dialect d;
    struct sqlq_action a;
    const char *sql;
    const char *masked; /* NULL: same as sql */
};

static void
test_builders(void **state)
{
    (void)state;
    const struct sqlq_source src = {.host = "pxc-b.global",
                                    .port = 3306,
                                    .user = "repl",
                                    .password = "s3cr'et",
                                    .auto_position = 1,
                                    .ssl = 1,
                                    .connect_retry_s = 10,
                                    .retry_count = -1};
    const struct sqlq_source src_retry = {NULL, 0, NULL, NULL, -1, -1, -1, 5};
    const struct build_case cases[] = {
        {SQLQ_MARIADB,
         {SQLQ_START, "cluster_b_source", SQLQ_BOTH, NULL},
         "START REPLICA 'cluster_b_source'",
         NULL},
        {SQLQ_MARIADB, {SQLQ_STOP, "c1", SQLQ_IO, NULL}, "STOP REPLICA 'c1' IO_THREAD", NULL},
        {SQLQ_MARIADB_OLD, {SQLQ_STOP, "c1", SQLQ_SQL, NULL}, "STOP SLAVE 'c1' SQL_THREAD", NULL},
        {SQLQ_MARIADB, {SQLQ_START, "", SQLQ_BOTH, NULL}, "START REPLICA", NULL},
        {SQLQ_MYSQL, {SQLQ_START, "c1", SQLQ_BOTH, NULL}, "START REPLICA FOR CHANNEL 'c1'", NULL},
        {SQLQ_MYSQL,
         {SQLQ_STOP, "c1", SQLQ_IO, NULL},
         "STOP REPLICA IO_THREAD FOR CHANNEL 'c1'",
         NULL},
        {SQLQ_MYSQL_OLD,
         {SQLQ_START, "c1", SQLQ_SQL, NULL},
         "START SLAVE SQL_THREAD FOR CHANNEL 'c1'",
         NULL},
        {SQLQ_MYSQL, {SQLQ_START, "", SQLQ_BOTH, NULL}, "START REPLICA FOR CHANNEL ''", NULL},
        {SQLQ_MYSQL,
         {SQLQ_RESET_ALL, "c1", SQLQ_BOTH, NULL},
         "RESET REPLICA ALL FOR CHANNEL 'c1'",
         NULL},
        {SQLQ_MYSQL_OLD, {SQLQ_RESET, "c1", SQLQ_BOTH, NULL}, "RESET SLAVE FOR CHANNEL 'c1'", NULL},
        {SQLQ_MARIADB, {SQLQ_RESET_ALL, "c1", SQLQ_BOTH, NULL}, "RESET REPLICA 'c1' ALL", NULL},
        {SQLQ_MYSQL,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &src},
         "CHANGE REPLICATION SOURCE TO SOURCE_HOST='pxc-b.global', SOURCE_PORT=3306, "
         "SOURCE_USER='repl', SOURCE_PASSWORD='s3cr''et', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, "
         "SOURCE_CONNECT_RETRY=10 FOR CHANNEL 'c1'",
         "CHANGE REPLICATION SOURCE TO SOURCE_HOST='pxc-b.global', SOURCE_PORT=3306, "
         "SOURCE_USER='repl', SOURCE_PASSWORD='********', SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, "
         "SOURCE_CONNECT_RETRY=10 FOR CHANNEL 'c1'"},
        {SQLQ_MYSQL_OLD,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &src_retry},
         "CHANGE MASTER TO MASTER_RETRY_COUNT=5 FOR CHANNEL 'c1'",
         NULL},
        {SQLQ_MARIADB,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &src},
         "CHANGE MASTER 'c1' TO MASTER_HOST='pxc-b.global', MASTER_PORT=3306, "
         "MASTER_USER='repl', MASTER_PASSWORD='s3cr''et', MASTER_USE_GTID=slave_pos, "
         "MASTER_SSL=1, MASTER_CONNECT_RETRY=10",
         "CHANGE MASTER 'c1' TO MASTER_HOST='pxc-b.global', MASTER_PORT=3306, "
         "MASTER_USER='repl', MASTER_PASSWORD='********', MASTER_USE_GTID=slave_pos, "
         "MASTER_SSL=1, MASTER_CONNECT_RETRY=10"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sql, m;
        strbuf_init(&sql);
        strbuf_init(&m);
        struct pxerr err = {0};
        int rc = sqlq_build(cases[i].d, &cases[i].a, &sql, &m, &err);
        if (rc != 0)
            fail_msg("case %zu: %s", i, err.msg);
        assert_string_equal(sql.s, cases[i].sql);
        assert_string_equal(m.s, cases[i].masked ? cases[i].masked : cases[i].sql);
        strbuf_fini(&sql);
        strbuf_fini(&m);
    }
}

static void
test_builder_rejects(void **state)
{
    (void)state;
    const struct sqlq_source evil_host = {
        "x'; DROP DATABASE mysql; --", 0, NULL, NULL, -1, -1, -1, -1};
    const struct sqlq_source evil_user = {NULL, 0, "u'--", NULL, -1, -1, -1, -1};
    const struct sqlq_source retry = {NULL, 0, NULL, NULL, -1, -1, -1, 3};
    const struct sqlq_source nothing = SQLQ_SOURCE_UNCHANGED;
    const struct sqlq_source badport = {NULL, 70000, NULL, NULL, -1, -1, -1, -1};
    const struct {
        enum sqlq_dialect d;
        struct sqlq_action a;
        int code;
        const char *msg;
    } cases[] = {
        {SQLQ_MARIADB,
         {SQLQ_START, "c'; DROP TABLE x; --", SQLQ_BOTH, NULL},
         PXE_INVAL,
         "channel name 'c'; DROP TABLE x; --'"},
        {SQLQ_MYSQL,
         {SQLQ_STOP, "c1 FOR CHANNEL x", SQLQ_BOTH, NULL},
         PXE_INVAL,
         "only letters, digits"},
        {SQLQ_MYSQL,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &evil_host},
         PXE_INVAL,
         "host 'x'; DROP DATABASE mysql; --'"},
        {SQLQ_MYSQL, {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &evil_user}, PXE_INVAL, "user 'u'--'"},
        {SQLQ_MARIADB,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &retry},
         PXE_UNSUPPORTED,
         "MariaDB has no per-channel retry count"},
        {SQLQ_MYSQL,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &nothing},
         PXE_INVAL,
         "no settings given"},
        {SQLQ_MYSQL, {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, NULL}, PXE_INVAL, "no settings given"},
        {SQLQ_MYSQL,
         {SQLQ_CHANGE_SOURCE, "c1", SQLQ_BOTH, &badport},
         PXE_INVAL,
         "port 70000: want 1..65535"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sql, m;
        strbuf_init(&sql);
        strbuf_init(&m);
        struct pxerr err = {0};
        assert_int_equal(sqlq_build(cases[i].d, &cases[i].a, &sql, &m, &err), cases[i].code);
        if (strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("case %zu: '%s' not in '%s'", i, cases[i].msg, err.msg);
        assert_string_equal(sql.s, ""); /* nothing appended on failure */
        assert_string_equal(m.s, "");
        strbuf_fini(&sql);
        strbuf_fini(&m);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),          cmocka_unit_test(test_validation),
        cmocka_unit_test(test_quoting),         cmocka_unit_test(test_builders),
        cmocka_unit_test(test_builder_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
