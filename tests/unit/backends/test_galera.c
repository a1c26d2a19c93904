/* test_galera: wsrep status rows captured from a real single-node MariaDB Galera cluster
 * (tests/fixtures/mysql/mariadb-wsrep-status.tsv), the two-node checks of MariaDB's own
 * galera_status_cluster.result, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "mysql/galera.h"

static struct mysqlc_rows *
load_text(const char *path)
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
    struct mysqlc_rows *r = NULL;
    struct pxerr err = {0};
    if (mysqlc_rows_parse_tsv(sb.s, sb.len, path, &r, &err) != 0)
        fail_msg("%s", err.msg);
    strbuf_fini(&sb);
    return r;
}

static void
test_captured_single_node(void **state)
{
    (void)state;
    char path[1024];
    const char *dir = getenv("PXC_FIXTURES");
    snprintf(path, sizeof path, "%s/mysql/mariadb-wsrep-status.tsv", dir ? dir : "tests/fixtures");
    struct mysqlc_rows *r = load_text(path);
    struct galera_status g;
    struct pxerr err = {0};
    assert_int_equal(galera_parse(r, &g, &err), 0);
    assert_string_equal(g.state, "Synced");
    assert_int_equal(g.local_state, 4);
    assert_int_equal(g.cluster_size, 1);
    assert_string_equal(g.status, "Primary");
    assert_true(g.ready);
    assert_true(g.connected);
    assert_true(g.fc_paused >= 0 && g.fc_paused <= 1);
    assert_int_equal(g.recv_queue, 0);
    assert_int_equal(g.send_queue, 0);
    assert_true(g.last_committed >= 0);
    assert_int_equal(strlen(g.cluster_uuid), 36);
    assert_non_null(strstr(g.incoming, "127.0.77.3:3306"));
    char sum[128];
    galera_summary(&g, sum, sizeof sum);
    assert_string_equal(sum, "Synced, Primary, 1 node");

    /* into the model: interned strings, change detection */
    struct model *m = model_new();
    struct m_galera mg;
    memset(&mg, 0, sizeof mg);
    assert_true(galera_to_model(m, &g, 1000, &mg));
    assert_true(mg.known);
    assert_string_equal(mg.state, "Synced");
    assert_ptr_equal(mg.state, intern_str(&m->strings, "Synced"));
    assert_int_equal(mg.updated_ms, 1000);
    assert_false(galera_to_model(m, &g, 2000, &mg)); /* nothing the operator sees changed */
    assert_int_equal(mg.updated_ms, 2000);
    g.cluster_size = 2;
    assert_true(galera_to_model(m, &g, 3000, &mg));
    model_free(m);
    mysqlc_rows_free(r);
}

/* Rows shaped like a desynced donor of a 3-node cluster that lost quorum. */
static void
test_states(void **state)
{
    (void)state;
    const char text[] = "Variable_name\tValue\n"
                        "wsrep_local_state_comment\tDonor/Desynced\n"
                        "wsrep_local_state\t2\n"
                        "wsrep_cluster_size\t3\n"
                        "wsrep_cluster_status\tnon-Primary\n"
                        "wsrep_ready\tOFF\n"
                        "wsrep_connected\tON\n"
                        "wsrep_flow_control_paused\t0.25\n"
                        "wsrep_local_recv_queue\t17\n"
                        "wsrep_local_send_queue\t2\n"
                        "wsrep_some_new_variable\tx\n";
    struct mysqlc_rows *r = NULL;
    assert_int_equal(mysqlc_rows_parse_tsv(text, sizeof text - 1, "t", &r, NULL), 0);
    struct galera_status g;
    assert_int_equal(galera_parse(r, &g, NULL), 0);
    assert_string_equal(g.state, "Donor/Desynced");
    assert_string_equal(g.status, "non-Primary");
    assert_false(g.ready);
    assert_true(g.fc_paused > 0.24 && g.fc_paused < 0.26);
    assert_int_equal(g.recv_queue, 17);
    assert_int_equal(g.send_queue, 2);
    char sum[128];
    galera_summary(&g, sum, sizeof sum);
    assert_string_equal(sum, "Donor/Desynced, non-Primary, 3 nodes, not ready");
    mysqlc_rows_free(r);
}

static void
test_bad_input(void **state)
{
    (void)state;
    struct galera_status g;
    memset(&g, 0x5a, sizeof g);
    struct pxerr err = {0};
    const char notwsrep[] = "Variable_name\tValue\nUptime\t100\n";
    struct mysqlc_rows *r = NULL;
    assert_int_equal(mysqlc_rows_parse_tsv(notwsrep, sizeof notwsrep - 1, "t", &r, NULL), 0);
    assert_int_equal(galera_parse(r, &g, &err), PXE_PARSE);
    assert_string_equal(err.msg,
                        "wsrep status: no wsrep_cluster_status row; is the wsrep provider loaded?");
    assert_int_equal((unsigned char)g.state[0], 0x5a); /* untouched */
    mysqlc_rows_free(r);

    const char other[] = "VERSION()\tx\n1\t2\n";
    assert_int_equal(mysqlc_rows_parse_tsv(other, sizeof other - 1, "t", &r, NULL), 0);
    assert_int_equal(galera_parse(r, &g, &err), PXE_PARSE);
    assert_string_equal(err.msg,
                        "wsrep status: want columns Variable_name and Value (got: VERSION(), x)");
    mysqlc_rows_free(r);
}

/* MariaDB's galera_status_cluster.result checks size and status on two nodes through
 * INFORMATION_SCHEMA; the values it expects must read the same through our parser. */
static void
test_shared_result(void **state)
{
    (void)state;
    char path[1024];
    const char *dir = getenv("PXC_FIXTURES");
    snprintf(path, sizeof path, "%s/mariadb/galera_status_cluster.result",
             dir ? dir : PXC_SOURCE_DIR "/tests/fixtures");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int sizes = 0, primaries = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "VARIABLE_NAME = 'wsrep_cluster_size'") && strstr(line, "= 2 "))
            sizes++;
        if (strstr(line, "VARIABLE_NAME = 'wsrep_cluster_status'") && strstr(line, "= 'Primary'"))
            primaries++;
    }
    fclose(f);
    assert_true(sizes >= 1 && primaries >= 1);
    const char text[] =
        "Variable_name\tValue\nwsrep_cluster_size\t2\nwsrep_cluster_status\tPrimary\n";
    struct mysqlc_rows *r = NULL;
    assert_int_equal(mysqlc_rows_parse_tsv(text, sizeof text - 1, "t", &r, NULL), 0);
    struct galera_status g;
    assert_int_equal(galera_parse(r, &g, NULL), 0);
    assert_int_equal(g.cluster_size, 2);
    assert_string_equal(g.status, "Primary");
    assert_int_equal(g.recv_queue, -1); /* absent: unknown */
    mysqlc_rows_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_single_node),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_shared_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
