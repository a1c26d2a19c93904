/* test_health: the one judgement of a replication channel (doctor/health.h), table-driven:
 * each row a channel as the MySQL poller fills it, the thresholds (the defaults or a
 * config's), and the level and reason expected; then the lag rule alone at and around its
 * edges, and the thresholds read from a config file as loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <math.h>
#include <unistd.h>

#include "config/config.h"
#include "doctor/health.h"
#include "model/model.h"

static const struct health_limits cfg_5_20 = {.lag_warn_s = 5, .lag_crit_s = 20};

static const struct {
    const char *what;
    enum thread_state io, sql;
    double lag_s;
    const char *read_error; /* ch->error: the status could not be read */
    int io_errno;
    const char *io_error;
    int sql_errno;
    const char *sql_error;
    const struct health_limits *lim; /* NULL: the defaults, 60 s / 600 s */
    enum health_level want;
    const char *why; /* the reason, exactly */
} cases[] = {
    {"running", THR_YES, THR_YES, 0.4, NULL, 0, NULL, 0, NULL, NULL, HEALTH_OK,
     "running, lag 0.4 s"},
    {"just under the warning", THR_YES, THR_YES, 59.9, NULL, 0, NULL, 0, NULL, NULL, HEALTH_OK,
     "running, lag 59.9 s"},
    {"at the warning", THR_YES, THR_YES, 60, NULL, 0, NULL, 0, NULL, NULL, HEALTH_WARN,
     "lag 60 s, at or over the warning threshold of 60 s (lagWarnSeconds)"},
    {"at the critical", THR_YES, THR_YES, 600, NULL, 0, NULL, 0, NULL, NULL, HEALTH_BAD,
     "lag 600 s, at or over the critical threshold of 600 s (lagCritSeconds)"},
    {"config: 8 s is a warning", THR_YES, THR_YES, 8, NULL, 0, NULL, 0, NULL, &cfg_5_20,
     HEALTH_WARN, "lag 8 s, at or over the warning threshold of 5 s (lagWarnSeconds)"},
    {"config: 25 s is critical", THR_YES, THR_YES, 25, NULL, 0, NULL, 0, NULL, &cfg_5_20,
     HEALTH_BAD, "lag 25 s, at or over the critical threshold of 20 s (lagCritSeconds)"},
    {"unknown lag is not fine", THR_YES, THR_YES, -1, NULL, 0, NULL, 0, NULL, NULL, HEALTH_WARN,
     "running, lag unknown"},
    {"never read", THR_UNKNOWN, THR_UNKNOWN, -1, NULL, 0, NULL, 0, NULL, NULL, HEALTH_WARN,
     "IO thread state unknown"},
    {"connecting", THR_CONNECTING, THR_YES, -1, NULL, 0, NULL, 0, NULL, NULL, HEALTH_WARN,
     "IO thread Connecting"},
    {"connecting with an error", THR_CONNECTING, THR_YES, -1, NULL, 2005,
     "Unknown MySQL server host 'pxc-cluster.cluster-b.global'", 0, NULL, NULL, HEALTH_BAD,
     "IO thread Connecting, error 2005: Unknown MySQL server host "
     "'pxc-cluster.cluster-b.global'"},
    {"IO stopped", THR_NO, THR_YES, -1, NULL, 1236, "Could not find first log file name", 0, NULL,
     NULL, HEALTH_BAD, "IO thread stopped, error 1236: Could not find first log file name"},
    {"SQL stopped on a duplicate", THR_YES, THR_NO, -1, NULL, 0, NULL, 1062,
     "Duplicate entry '1' for key 'PRIMARY'", NULL, HEALTH_BAD,
     "SQL thread stopped, error 1062: Duplicate entry '1' for key 'PRIMARY'"},
    {"both stopped by hand", THR_NO, THR_NO, -1, NULL, 0, NULL, 0, NULL, NULL, HEALTH_BAD,
     "stopped (IO and SQL threads No)"},
    {"an error outranks the lag", THR_YES, THR_NO, 900, NULL, 0, NULL, 1062, "Duplicate entry",
     NULL, HEALTH_BAD, "SQL thread stopped, error 1062: Duplicate entry"},
    {"unreadable outranks everything", THR_NO, THR_NO, -1, "cannot connect to 10.42.0.10:3306",
     2003, "refused", 0, NULL, NULL, HEALTH_BAD,
     "status unreadable: cannot connect to 10.42.0.10:3306"},
    {"critical lag outranks a connecting thread", THR_CONNECTING, THR_YES, 700, NULL, 0, NULL, 0,
     NULL, NULL, HEALTH_BAD,
     "lag 700 s, at or over the critical threshold of 600 s (lagCritSeconds)"},
};

static void
test_channel(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct model *m = model_new();
        struct m_cluster *c = model_cluster_add(m, "cluster-a", "cluster-a", "https://a");
        struct m_channel *ch = model_channel_upsert(m, c, "pxc-cluster-pxc-0", "cluster_b_source");
        ch->io = cases[i].io;
        ch->sql = cases[i].sql;
        ch->lag_s = cases[i].lag_s;
        if (cases[i].read_error != NULL)
            snprintf(ch->error, sizeof ch->error, "%s", cases[i].read_error);
        ch->last_io_errno = cases[i].io_errno;
        model_set_str(&ch->last_io_error, cases[i].io_error ? cases[i].io_error : "");
        ch->last_sql_errno = cases[i].sql_errno;
        model_set_str(&ch->last_sql_error, cases[i].sql_error ? cases[i].sql_error : "");

        char why[400];
        enum health_level h = health_channel(ch, cases[i].lim, why, sizeof why);
        if (h != cases[i].want || strcmp(why, cases[i].why) != 0)
            fail_msg("%s: got %s \"%s\", want %s \"%s\"", cases[i].what, health_level_name(h), why,
                     health_level_name(cases[i].want), cases[i].why);
        /* The level alone, without a buffer for the words. */
        assert_int_equal(health_channel(ch, cases[i].lim, NULL, 0), cases[i].want);
        model_free(m);
    }
}

static void
test_lag(void **state)
{
    (void)state;
    static const struct {
        double lag_s;
        enum health_level defaults, with_cfg;
    } lags[] = {
        {-1, HEALTH_UNKNOWN, HEALTH_UNKNOWN}, {0, HEALTH_OK, HEALTH_OK},
        {4.9, HEALTH_OK, HEALTH_OK},          {5, HEALTH_OK, HEALTH_WARN},
        {19.9, HEALTH_OK, HEALTH_WARN},       {20, HEALTH_OK, HEALTH_BAD},
        {59.9, HEALTH_OK, HEALTH_BAD},        {60, HEALTH_WARN, HEALTH_BAD},
        {599, HEALTH_WARN, HEALTH_BAD},       {600, HEALTH_BAD, HEALTH_BAD},
    };
    for (size_t i = 0; i < sizeof lags / sizeof lags[0]; i++) {
        assert_int_equal(health_lag(lags[i].lag_s, NULL), lags[i].defaults);
        assert_int_equal(health_lag(lags[i].lag_s, &cfg_5_20), lags[i].with_cfg);
    }
    assert_int_equal(health_lag(NAN, NULL), HEALTH_UNKNOWN);
    assert_string_equal(health_level_name(HEALTH_OK), "ok");
    assert_string_equal(health_level_name(HEALTH_WARN), "warning");
    assert_string_equal(health_level_name(HEALTH_BAD), "broken");
    assert_string_equal(health_level_name(HEALTH_UNKNOWN), "unknown");
}

/* The thresholds come from the config file as loaded; without one, the defaults. */
static void
test_limits_from_config(void **state)
{
    (void)state;
    char path[] = "/tmp/pxc-health-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char yaml[] = "lagWarnSeconds: 5\n"
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
    struct health_limits l = health_limits_from_config(cfg);
    assert_true(l.lag_warn_s == 5 && l.lag_crit_s == 20);
    config_free(cfg);
    l = health_limits_from_config(NULL);
    assert_true(l.lag_warn_s == 60 && l.lag_crit_s == 600);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channel),
        cmocka_unit_test(test_lag),
        cmocka_unit_test(test_limits_from_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
