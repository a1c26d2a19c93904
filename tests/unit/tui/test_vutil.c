/* test_vutil: the display rules views share: which cluster a replication source host
 * names (Istio's *.CLUSTER.global convention, then any label), channel status text by
 * thread state and error, lag colours by the thresholds (the defaults, and the loaded
 * config's lagWarnSeconds / lagCritSeconds through the app's health limits), stale reads,
 * lag formatting, the sparkline text, and which events belong to a channel's history. The
 * health judgement itself is tested in tests/unit/backends/test_health.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "config/config.h"
#include "glyph.h"
#include "model/model.h"
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
test_status(void **state)
{
    struct model *m = two_clusters();
    char buf[128];
    struct m_channel *ch = channel(m, THR_YES, THR_YES, 0.4);
    vutil_channel_status(ch, buf, sizeof buf);
    assert_string_equal(buf, "lag 0.4s");
    assert_string_equal(vutil_channel_error(ch), "");

    ch->io = THR_CONNECTING;
    ch->last_io_errno = 2005;
    model_set_str(&ch->last_io_error, "Unknown MySQL server host");
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
        assert_int_equal(vutil_lag_elem(cases[i].lag, NULL), cases[i].elem);
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

/* Thresholds come from a config file as loaded, not from the compiled-in defaults. */
static void
test_lag_from_config(void **state)
{
    char path[] = "/tmp/pxc-vutil-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char yaml[] = "refreshSeconds: 3\n"
                               "lagWarnSeconds: 5\n"
                               "lagCritSeconds: 20\n"
                               "clusters:\n"
                               "  - name: cluster-a\n"
                               "    context: ctx-a\n";
    assert_int_equal(write(fd, yaml, sizeof yaml - 1), (ssize_t)(sizeof yaml - 1));
    close(fd);
    struct config *cfg = NULL;
    struct pxerr err = {0};
    int rc = config_load(path, &cfg, &err);
    unlink(path);
    if (rc != 0)
        fail_msg("config_load: %s", err.msg);

    struct health_limits lag = health_limits_from_config(cfg);
    assert_true(lag.lag_warn_s == 5 && lag.lag_crit_s == 20);
    static const struct {
        double lag;
        enum th_elem with_cfg, with_defaults;
    } cases[] = {
        {-1, TH_STATE_UNKNOWN, TH_STATE_UNKNOWN}, {4.9, TH_STATE_OK, TH_STATE_OK},
        {5, TH_STATE_WARN, TH_STATE_OK},          {19, TH_STATE_WARN, TH_STATE_OK},
        {20, TH_STATE_BAD, TH_STATE_OK},          {61, TH_STATE_BAD, TH_STATE_WARN},
        {600, TH_STATE_BAD, TH_STATE_BAD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(vutil_lag_elem(cases[i].lag, &lag), cases[i].with_cfg);
        assert_int_equal(vutil_lag_elem(cases[i].lag, NULL), cases[i].with_defaults);
    }

    /* No app (and no config, as in a replay): the documented defaults. */
    lag = vutil_app_lag(NULL);
    assert_true(lag.lag_warn_s == 60 && lag.lag_crit_s == 600);
    config_free(cfg);
}

static void
test_stale(void **state)
{
    struct model *m = two_clusters();
    struct m_channel *ch = channel(m, THR_YES, THR_YES, 0.4);
    int64_t age = -1;
    ch->updated_ms = 0; /* never read: not stale, nothing old shown */
    assert_false(vutil_channel_stale(ch, 100000, 2000, &age));
    assert_int_equal(age, 0);
    ch->updated_ms = 100000;
    assert_false(vutil_channel_stale(ch, 106000, 2000, &age)); /* exactly 3 intervals */
    assert_int_equal(age, 6000);
    assert_true(vutil_channel_stale(ch, 106001, 2000, &age));
    assert_int_equal(age, 6001);
    assert_false(vutil_channel_stale(ch, 106001, 3000, NULL)); /* a slower refresh */
    assert_false(vutil_channel_stale(ch, 90000, 2000, &age));  /* clock behind the read */
    assert_int_equal(age, 0);
    model_free(m);
}

static void
test_event_is_channel(void **state)
{
    struct model *m = two_clusters();
    model_event(m, "cluster-b", 2, "channel cluster_a_source on pxc-0: SQL stopped, error 1062");
    model_event(m, "cluster-a", 2, "channel cluster_a_source on pxc-0: other cluster");
    model_event(m, "cluster-b", 0, "channel cluster_a_source_2 on pxc-0: a longer name");
    model_event(m, "cluster-b", 2, "mysql pxc-0: cannot connect to 127.0.0.1:3306");
    model_event(m, "cluster-b", 2, "mysql pxc-1: another server");
    model_event(m, "cluster-b", 0, "console: START channel cluster_a_source on pxc-0 (cluster-b)");
    model_event(m, "cluster-b", 0, "action on pxc-0: START REPLICA FOR CHANNEL 'x'");
    model_event(m, "cluster-b", 0, "channel '' on pxc-0: IO Yes, SQL Yes");
    /* i = 0 is the newest: the list above, reversed. */
    static const bool want_named[] = {false, true, true, false, true, false, false, true};
    static const bool want_default[] = {true, true, false, false, true, false, false, false};
    assert_int_equal(m->ev_len, 8);
    for (int i = 0; i < m->ev_len; i++) {
        const struct m_event *e = model_event_at(m, i);
        if (vutil_event_is_channel(e, "cluster-b", "pxc-0", "cluster_a_source") != want_named[i])
            fail_msg("named channel, event %d: %s", i, e->what);
        if (vutil_event_is_channel(e, "cluster-b", "pxc-0", "") != want_default[i])
            fail_msg("default channel, event %d: %s", i, e->what);
    }
    assert_false(vutil_event_is_channel(NULL, "cluster-b", "pxc-0", "x"));
    model_free(m);
}

static void
findings_set(struct model *m, const char *const *spec) /* "cluster sev object" */
{
    struct vec set;
    vec_init(&set, model_finding_free);
    for (; *spec != NULL; spec++) {
        char cl[64], obj[128];
        int sev;
        assert_int_equal(sscanf(*spec, "%63s %d %127s", cl, &sev, obj), 3);
        vec_push(&set, model_finding_new((enum finding_severity)sev, "X", cl, obj, "m", "h"));
    }
    model_findings_replace(m, &set);
    vec_fini(&set);
}

static uint64_t
pod_sig(struct model *m, const char *cluster)
{
    struct vutil_marks mk;
    vutil_marks_build(&mk, m, cluster);
    uint64_t s = vutil_marks_sig(&mk, "pod");
    vutil_marks_fini(&mk);
    return s;
}

/* The pod marks' number moves with the pod marks only: not with other kinds' findings, other
 * clusters' or the order; it does with a pod's severity or another pod. */
static void
test_marks_sig(void **state)
{
    (void)state;
    struct model *m = two_clusters();
    findings_set(m, (const char *const[]){"cluster-a 1 pod/pxc/p-0", "cluster-a 2 pod/pxc/p-1", NULL});
    uint64_t base = pod_sig(m, "cluster-a");
    assert_true(base != 0);
    assert_int_equal(pod_sig(m, "cluster-b"), 0);
    findings_set(m, (const char *const[]){"cluster-a 2 pod/pxc/p-1", "cluster-a 2 channel/x",
                                          "cluster-b 2 pod/pxc/p-9", "cluster-a 1 pod/pxc/p-0",
                                          "cluster-a 1 podx/pxc/p-0", NULL});
    assert_true(pod_sig(m, "cluster-a") == base);
    findings_set(m, (const char *const[]){"cluster-a 2 pod/pxc/p-0", "cluster-a 2 pod/pxc/p-1", NULL});
    assert_true(pod_sig(m, "cluster-a") != base);
    findings_set(m, (const char *const[]){"cluster-a 1 pod/pxc/p-0", NULL});
    assert_true(pod_sig(m, "cluster-a") != base);
    /* The worst severity of one pod's findings is its mark. */
    findings_set(m, (const char *const[]){"cluster-a 1 pod/pxc/p-0", "cluster-a 2 pod/pxc/p-1",
                                          "cluster-a 0 pod/pxc/p-1", NULL});
    assert_true(pod_sig(m, "cluster-a") == base);
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_cluster),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_spark_text),
        cmocka_unit_test(test_lag_from_config),
        cmocka_unit_test(test_stale),
        cmocka_unit_test(test_event_is_channel),
        cmocka_unit_test(test_marks_sig),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
