/* test_model_probe: the probe results as model state. An entry is keyed by (kind,
 * target, cluster, namespace) and never duplicated; every change touches DIRTY_PROBES; a
 * cancelled run keeps the result before it. A result is outdated, with the reason in
 * words, once the ServiceEntry that declared its host changes its spec, goes, or appears,
 * or the channel it was run for stops reading from the host; and not when the ServiceEntry
 * is merely seen again unchanged, or the channel is gone (it may be being re-created). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xmalloc.h"
#include "model/model.h"
#include "model/model_probe.h"

#define HOST "pxc-cluster.cluster-b.global"

static int
setup(void **state)
{
    struct model *m = model_new();
    model_cluster_add(m, "cluster-a", "ctx-a", "https://a");
    model_cluster_add(m, "cluster-b", "ctx-b", "https://b");
    *state = m;
    return 0;
}

static int
teardown(void **state)
{
    model_free(*state);
    return 0;
}

/* A ServiceEntry declaring HOST on port in cluster's namespace pxc. */
static struct m_sentry *
add_sentry(struct model *m, const char *cluster, int port)
{
    struct m_cluster *c = model_cluster_find(m, cluster);
    struct m_sentry *se = model_sentry_upsert(m, c, "pxc", "pxc-cluster-cluster-b");
    model_sentry_clear_spec(se);
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup(HOST);
    se->n_ports = 1;
    se->ports = xcalloc(1, sizeof *se->ports);
    se->ports[0].number = port;
    snprintf(se->ports[0].name, sizeof se->ports[0].name, "tcp-mysql");
    return se;
}

static struct probe_result
result(enum probe_status st, const char *summary)
{
    struct probe_result r = {.kind = PROBE_TCP, .status = st};
    snprintf(r.summary, sizeof r.summary, "%s", summary);
    return r;
}

/* Run p once to completion with status st. */
static void
run(struct model *m, struct m_probe *p, enum probe_status st)
{
    model_probe_start(m, p, 1000);
    assert_true(p->running);
    struct probe_result r = result(st, st == PROBE_OK ? "connected" : "refused");
    model_probe_finish(m, p, &r);
    assert_false(p->running);
}

static void
test_keys(void **state)
{
    struct model *m = *state;
    m->dirty = 0;
    struct m_probe *a = model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", NULL);
    assert_true(m->dirty & DIRTY_PROBES);
    assert_int_equal(a->id, 1);
    assert_ptr_equal(model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", NULL), a);
    /* Another namespace, kind, or place is another entry; locally the namespace is moot. */
    struct m_probe *b = model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "other", NULL);
    struct m_probe *c = model_probe_upsert(m, PROBE_DNS, HOST, "cluster-a", "pxc", NULL);
    struct m_probe *l = model_probe_upsert(m, PROBE_TCP, HOST ":3306", NULL, "pxc", NULL);
    assert_ptr_equal(model_probe_upsert(m, PROBE_TCP, HOST ":3306", "", NULL, NULL), l);
    assert_string_equal(l->ns, "");
    assert_true(a != b && b != c && c != l);
    assert_int_equal(model_probe_count(m), 4);
    assert_ptr_equal(model_probe_at(m, 3), l);
    assert_null(model_probe_at(m, 4));
    assert_ptr_equal(model_probe_find_id(m, b->id), b);
    assert_null(model_probe_find_id(m, 99));
    /* The owner is taken when given and kept when not. */
    model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", "cluster-a/ch");
    assert_string_equal(a->owner, "cluster-a/ch");
    model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", NULL);
    assert_string_equal(a->owner, "cluster-a/ch");
}

static void
test_runs(void **state)
{
    struct model *m = *state;
    struct m_probe *p = model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", NULL);
    /* Cancelled with nothing before: the cancellation is the result. */
    model_probe_start(m, p, 1000);
    struct probe_result cancelled = result(PROBE_CANCELLED, "cancelled");
    model_probe_finish(m, p, &cancelled);
    assert_true(p->has_result);
    assert_int_equal(p->r.status, PROBE_CANCELLED);
    run(m, p, PROBE_OK);
    assert_int_equal(p->r.status, PROBE_OK);
    /* Cancelled after a result: the result stays. */
    m->dirty = 0;
    model_probe_start(m, p, 2000);
    assert_int_equal(p->started_ms, 2000);
    model_probe_finish(m, p, &cancelled);
    assert_true(m->dirty & DIRTY_PROBES);
    assert_int_equal(p->r.status, PROBE_OK);
    assert_string_equal(p->r.summary, "connected");
}

static void
assert_outdated(const struct model *m, const struct m_probe *p, const char *want)
{
    char why[256];
    bool out = model_probe_outdated(m, p, why, sizeof why);
    if (want == NULL) {
        if (out)
            fail_msg("not outdated expected, got: %s", why);
        assert_string_equal(why, "");
    } else {
        assert_true(out);
        assert_string_equal(why, want);
    }
}

static void
test_outdated_by_sentry(void **state)
{
    struct model *m = *state;
    struct m_probe *p = model_probe_upsert(m, PROBE_TCP, HOST ":3306", "cluster-a", "pxc", NULL);
    assert_outdated(m, p, NULL); /* no result: nothing to outdate */
    struct m_sentry *se = add_sentry(m, "cluster-a", 3306);
    run(m, p, PROBE_OK);
    assert_outdated(m, p, NULL);
    /* Seen again with the same spec (a relist): still current. */
    add_sentry(m, "cluster-a", 3306);
    se->changed_ms = 12345;
    assert_outdated(m, p, NULL);
    /* Its spec changes. */
    add_sentry(m, "cluster-a", 3307);
    assert_outdated(m, p,
                    "ServiceEntry cluster-a/pxc/pxc-cluster-cluster-b changed after the "
                    "probe ran");
    run(m, p, PROBE_OK);
    assert_outdated(m, p, NULL);
    /* It goes. */
    model_sentry_remove(m, model_cluster_find(m, "cluster-a"), "pxc", "pxc-cluster-cluster-b");
    assert_outdated(m, p,
                    "ServiceEntry cluster-a/pxc/pxc-cluster-cluster-b was deleted after "
                    "the probe ran");
    /* A ServiceEntry in another cluster says nothing about a probe from cluster-a... */
    run(m, p, PROBE_FAIL);
    add_sentry(m, "cluster-b", 3306);
    assert_outdated(m, p, NULL);
    /* ...but one that appears in cluster-a does. */
    add_sentry(m, "cluster-a", 3306);
    assert_outdated(m, p,
                    "ServiceEntry cluster-a/pxc/pxc-cluster-cluster-b declares " HOST
                    " since the probe ran");
}

static void
test_local_sees_any_cluster(void **state)
{
    struct model *m = *state;
    struct m_probe *p = model_probe_upsert(m, PROBE_DNS, HOST, NULL, NULL, NULL);
    run(m, p, PROBE_FAIL);
    add_sentry(m, "cluster-b", 3306);
    assert_outdated(m, p,
                    "ServiceEntry cluster-b/pxc/pxc-cluster-cluster-b declares " HOST
                    " since the probe ran");
}

static void
test_outdated_by_channel(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_find(m, "cluster-a");
    struct m_channel *ch = model_channel_upsert(m, c, "pxc-0", "cluster_b_source");
    model_set_str(&ch->source_host, HOST);
    struct m_probe *p =
        model_probe_upsert(m, PROBE_DNS, HOST, "cluster-a", "pxc", "cluster-a/cluster_b_source");
    run(m, p, PROBE_OK);
    assert_outdated(m, p, NULL);
    /* A failover source counts as using the host. */
    model_set_str(&ch->source_host, "other.global");
    ch->n_failover = 1;
    snprintf(ch->failover[0].host, sizeof ch->failover[0].host, "%s", HOST);
    assert_outdated(m, p, NULL);
    ch->n_failover = 0;
    assert_outdated(m, p, "channel cluster-a/cluster_b_source no longer uses " HOST);
    /* The channel gone: no verdict on the path (the set-up may be re-creating it). */
    model_channel_remove(m, c, "pxc-0", "cluster_b_source");
    assert_outdated(m, p, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outdated_by_sentry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_sees_any_cluster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outdated_by_channel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
