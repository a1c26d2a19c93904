/* test_vutil: the display rules views share: which cluster a replication source host
 * names (Istio's *.CLUSTER.global convention, then any label), channel health and status
 * text by thread state, error and lag thresholds, lag formatting, and the sparkline text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "glyph.h"
#include "model.h"
#include "vutil.h"

static struct model *
two_clusters(void)
{
    struct model *m = model_new();
    model_cluster_add(m, "cluster-a", "k3d-cluster-a", "https://a");
    model_cluster_add(m, "cluster-b", "k3d-cluster-b", "https://b");
    model_cluster_add(m, "pxc", "pxc", "https://c"); /* a name that is also a namespace */
    return m;
}

static void
test_source_cluster(void **state)
{
    struct model *m = two_clusters();
    static const struct {
        const char *host, *want;
    } cases[] = {
        {"pxc-cluster.cluster-b.global", "cluster-b"},
        {"pxc-cluster-haproxy.pxc.svc.cluster-b.global", "cluster-b"}, /* not "pxc" */
        {"pxc-source.cluster-a.global", "cluster-a"},
        {"cluster-a", "cluster-a"},
        {"db.k3d-cluster-b.example", "cluster-b"}, /* the context as a label */
        {"10.0.0.5", "10.0.0.5"},
        {"mysql.example.com", "mysql.example.com"},
        {"cluster-bb.global", "cluster-bb.global"}, /* labels, not substrings */
        {"", "?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(vutil_source_cluster(m, cases[i].host), cases[i].want);
    assert_string_equal(vutil_source_cluster(m, NULL), "?");
    model_free(m);
}

static struct m_channel *
channel(struct model *m, enum thread_state io, enum thread_state sql, double lag)
{
    struct m_cluster *c = vec_at(&m->clusters, 0);
    struct m_channel *ch = model_channel_upsert(m, c, "pxc-cluster-pxc-0", "cluster_b_source");
    ch->io = io;
    ch->sql = sql;
    ch->lag_s = lag;
    return ch;
}

static void
test_health_and_status(void **state)
{
    struct model *m = two_clusters();
    char buf[128];
    struct m_channel *ch = channel(m, THR_YES, THR_YES, 0.4);
    assert_int_equal(vutil_channel_health(ch), 0);
    vutil_channel_status(ch, buf, sizeof buf);
    assert_string_equal(buf, "lag 0.4s");
    assert_string_equal(vutil_channel_error(ch), "");

    ch->lag_s = 90;
    assert_int_equal(vutil_channel_health(ch), 1); /* over the 60 s warning */
    ch->lag_s = 900;
    assert_int_equal(vutil_channel_health(ch), 2); /* over the 600 s critical */
    ch->lag_s = -1;
    assert_int_equal(vutil_channel_health(ch), 1); /* unknown lag is not fine */

    ch->io = THR_CONNECTING;
    ch->last_io_errno = 2005;
    model_set_str(&ch->last_io_error, "Unknown MySQL server host");
    assert_int_equal(vutil_channel_health(ch), 2);
    vutil_channel_status(ch, buf, sizeof buf);
    assert_string_equal(buf, "IO Connecting, error 2005");
    assert_string_equal(vutil_channel_error(ch), "Unknown MySQL server host");

    ch->io = THR_YES;
    model_set_str(&ch->last_io_error, "");
    ch->last_io_errno = 0;
    ch->sql = THR_NO;
    ch->last_sql_errno = 1062;
    model_set_str(&ch->last_sql_error, "Duplicate entry");
    vutil_channel_status(ch, buf, sizeof buf);
    assert_string_equal(buf, "SQL No, error 1062");
    assert_string_equal(vutil_channel_error(ch), "Duplicate entry");

    snprintf(ch->error, sizeof ch->error, "cannot connect to 10.42.0.10:3306");
    vutil_channel_status(ch, buf, sizeof buf);
    assert_string_equal(buf, "unreachable");
    assert_string_equal(vutil_channel_error(ch), "cannot connect to 10.42.0.10:3306");
    model_free(m);
}

static void
test_lag(void **state)
{
    static const struct {
        double lag;
        const char *text;
        enum th_elem elem;
    } cases[] = {
        {-1, "-", TH_STATE_UNKNOWN},   {0, "0.0s", TH_STATE_OK},   {0.4, "0.4s", TH_STATE_OK},
        {42, "42s", TH_STATE_OK},      {61, "61s", TH_STATE_WARN}, {720, "12m", TH_STATE_BAD},
        {12600, "3.5h", TH_STATE_BAD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        vutil_fmt_lag(cases[i].lag, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(vutil_lag_elem(cases[i].lag), cases[i].elem);
    }
}

static void
test_spark_text(void **state)
{
    struct model *m = two_clusters();
    struct m_channel *ch = channel(m, THR_YES, THR_YES, 0);
    struct glyphs g;
    glyphs_init(&g, true);
    char buf[64];
    vutil_spark_text(ch, 4, &g, buf, sizeof buf);
    assert_string_equal(buf, "    "); /* no history: gaps */
    model_channel_push_lag(ch, 0);
    model_channel_push_lag(ch, 8);
    vutil_spark_text(ch, 4, &g, buf, sizeof buf);
    assert_string_equal(buf, "  .@"); /* newest at the right, scaled to the maximum */
    model_channel_push_lag(ch, -1);
    vutil_spark_text(ch, 4, &g, buf, sizeof buf);
    assert_string_equal(buf, " .@ "); /* an unknown sample is a gap */
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_cluster),
        cmocka_unit_test(test_health_and_status),
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_spark_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
