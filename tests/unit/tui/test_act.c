/* test_act: the pure part of the console's actions: the statements shown before a
 * channel is created (the set-up's SQL fix) are in the replica's dialect, never hold a
 * password, and refuse a bad channel name or host with the reason. (The writes and probes
 * themselves run against the lab: tests/lab/test_setup_walkthrough.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "act.h"
#include "strbuf.h"

static void
check_sql(const char *dialect, const char *want_change, const char *want_start)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct pxerr err = {0};
    assert_int_equal(act_create_channel_sql(dialect, "cluster_b_source",
                                            "pxc-cluster.cluster-b.global", &sb, &err),
                     0);
    if (strstr(sb.s, want_change) == NULL || strstr(sb.s, want_start) == NULL)
        fail_msg("dialect %s: want '%s' and '%s' in:\n%s", dialect ? dialect : "(null)",
                 want_change, want_start, sb.s);
    assert_non_null(strstr(sb.s, "'********'"));
    assert_non_null(strstr(sb.s, "pxc-cluster.cluster-b.global"));
    assert_non_null(strstr(sb.s, "3306"));
    /* the placeholder the text is built with never shows */
    assert_null(strstr(sb.s, "'-'"));
    strbuf_fini(&sb);
}

static void
test_dialects(void **state)
{
    (void)state;
    check_sql("mariadb", "CHANGE MASTER 'cluster_b_source'", "'cluster_b_source'");
    check_sql("mysql", "CHANGE REPLICATION SOURCE", "START REPLICA");
    check_sql(NULL, "CHANGE REPLICATION SOURCE", "FOR CHANNEL 'cluster_b_source'");
    check_sql("mysql-old", "CHANGE MASTER", "START SLAVE");
}

static void
test_bad_input(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    struct pxerr err = {0};
    assert_true(act_create_channel_sql("mariadb", "a'b", "h.global", &sb, &err) < 0);
    assert_non_null(strstr(err.msg, "a'b"));
    assert_string_equal(sb.s, "");
    memset(&err, 0, sizeof err);
    assert_true(act_create_channel_sql("mysql", "ch", "bad host; DROP", &sb, &err) < 0);
    assert_non_null(strstr(err.msg, "bad host; DROP"));
    strbuf_fini(&sb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialects),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
