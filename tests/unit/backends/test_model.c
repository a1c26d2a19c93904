/* test_model: the model's bookkeeping. Pods are hash-indexed with swap-remove, so the
 * index and the slots must agree after any sequence of upserts and removes; dirty bits and
 * seq must move on every change and only then; the event and lag rings must drop the
 * oldest. */
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

static int
setup(void **state)
{
    *state = model_new();
    return 0;
}

static int
teardown(void **state)
{
    model_free(*state);
    return 0;
}

static void
test_clusters(void **state)
{
    struct model *m = *state;
    assert_int_equal(m->dirty, DIRTY_ALL); /* a new model draws everything once */
    m->dirty = 0;
    uint64_t seq = m->seq;
    struct m_cluster *a = model_cluster_add(m, "cluster-a", NULL, NULL);
    assert_string_equal(a->context, "cluster-a"); /* context defaults to the name */
    assert_string_equal(a->server, "");
    struct m_cluster *b = model_cluster_add(m, "cluster-b", "k3d-cluster-b", "https://x:6443");
    assert_true(m->seq > seq);
    assert_int_equal(m->dirty, DIRTY_ALL);
    assert_ptr_equal(model_cluster_find(m, "cluster-b"), b);
    assert_null(model_cluster_find(m, "nope"));

    m->dirty = 0;
    seq = m->seq;
    model_cluster_set_error(m, a, "GET %s: %s", "/api", "connection refused");
    assert_string_equal(a->error, "GET /api: connection refused");
    assert_int_equal(m->dirty, DIRTY_CLUSTERS);
    m->dirty = 0;
    model_cluster_set_error(m, a, "GET %s: %s", "/api", "connection refused"); /* same */
    assert_int_equal(m->dirty, 0);
    assert_int_equal(m->seq, seq + 1);
    model_cluster_set_error(m, a, "%s", "");
    assert_string_equal(a->error, "");
    /* Over-long messages are cut to the buffer. */
    char big[400];
    memset(big, 'e', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    model_cluster_set_error(m, a, "%s", big);
    assert_int_equal(strlen(a->error), sizeof a->error - 1);

    m->dirty = 0;
    model_cluster_set_reachable(m, a, true);
    assert_true(a->reachable);
    assert_true(a->updated_ms > 0);
    assert_int_equal(m->dirty, DIRTY_CLUSTERS);
    m->dirty = 0;
    model_cluster_set_reachable(m, a, true);
    assert_int_equal(m->dirty, 0);

    model_cluster_remove(m, a);
    assert_int_equal(m->clusters.n, 1);
    assert_ptr_equal(m->clusters.items[0], b);
}

static void
test_namespaces(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_add(m, "c", NULL, NULL);
    struct m_namespace *ns = model_ns_upsert(m, c, "pxc");
    assert_int_equal(ns->injection, INJ_NONE);
    ns->injection = INJ_ENABLED;
    assert_ptr_equal(model_ns_upsert(m, c, "pxc"), ns); /* existing, untouched */
    assert_int_equal(ns->injection, INJ_ENABLED);
    assert_ptr_equal(model_ns_find(c, "pxc"), ns);
    model_ns_upsert(m, c, "default");
    m->dirty = 0;
    model_ns_remove(m, c, "pxc");
    assert_null(model_ns_find(c, "pxc"));
    assert_int_equal(m->dirty, DIRTY_NAMESPACES);
    m->dirty = 0;
    model_ns_remove(m, c, "pxc"); /* absent: no change */
    assert_int_equal(m->dirty, 0);
    assert_int_equal(c->namespaces.n, 1);
}

/* The pod index (hash map "ns/name") and the slots (swap-remove) must agree. */
static void
check_pods(struct m_cluster *c)
{
    assert_int_equal(c->pod_idx.n, c->pods.n);
    for (size_t i = 0; i < c->pods.n; i++) {
        struct m_pod *p = c->pods.items[i];
        assert_int_equal(p->slot, i);
        assert_ptr_equal(model_pod_find(c, p->ns, p->name), p);
    }
}

static void
test_pods_index_and_swap_remove(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_add(m, "c", NULL, NULL);
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "pod-%d", i);
        struct m_pod *p = model_pod_upsert(m, c, i % 2 ? "pxc" : "other", name);
        assert_int_equal(p->galera.cluster_size, -1);
        assert_false(p->galera.known);
    }
    check_pods(c);
    /* Namespace strings are interned: one pointer for all pods of a namespace. */
    assert_ptr_equal(((struct m_pod *)c->pods.items[1])->ns,
                     ((struct m_pod *)c->pods.items[3])->ns);
    /* Upsert of an existing pod returns it, and the set of names has not changed. */
    uint64_t gen = c->pod_names_gen;
    assert_true(gen >= 1000);
    struct m_pod *p7 = model_pod_find(c, "pxc", "pod-7");
    p7->ready = true;
    assert_ptr_equal(model_pod_upsert(m, c, "pxc", "pod-7"), p7);
    assert_true(p7->ready);
    assert_int_equal(c->pod_names_gen, gen);
    assert_null(model_pod_find(c, "other", "pod-7")); /* namespace is part of the key */
    model_pod_remove(m, c, "other", "pod-7"); /* absent: nothing changes */
    assert_int_equal(c->pod_names_gen, gen);
    /* Remove in a scattered order, including the last slot and absent pods. */
    unsigned r = 7;
    int removed = 0;
    for (int k = 0; k < 2000; k++) {
        r = r * 1103515245u + 12345u;
        int i = (int)((r >> 16) % 1000);
        snprintf(name, sizeof name, "pod-%d", i);
        const char *ns = i % 2 ? "pxc" : "other";
        if (model_pod_find(c, ns, name) != NULL)
            removed++;
        model_pod_remove(m, c, ns, name);
    }
    assert_int_equal(c->pods.n, 1000 - removed);
    assert_int_equal(c->pod_names_gen, gen + (uint64_t)removed);
    check_pods(c);
    /* Re-add after remove. */
    model_pod_upsert(m, c, "pxc", "pod-1");
    check_pods(c);
    while (c->pods.n > 0) {
        struct m_pod *p = c->pods.items[c->pods.n / 2];
        char ns[32];
        snprintf(ns, sizeof ns, "%s", p->ns);
        snprintf(name, sizeof name, "%s", p->name);
        model_pod_remove(m, c, ns, name);
        check_pods(c);
    }
}

static void
test_ns_name_collections(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_add(m, "c", NULL, NULL);
    struct m_pxc *x = model_pxc_upsert(m, c, "pxc", "pxc-cluster");
    assert_ptr_equal(model_pxc_upsert(m, c, "pxc", "pxc-cluster"), x);
    assert_ptr_not_equal(model_pxc_upsert(m, c, "other", "pxc-cluster"), x);
    /* A PXC CR owns its channel list; freed with it (ASan checks). */
    struct m_pxc_channel *ch = xcalloc(1, sizeof *ch);
    ch->name = xstrdup("cluster_b_source");
    ch->n_sources = 1;
    ch->sources = xcalloc(1, sizeof *ch->sources);
    ch->sources[0].host = xstrdup("pxc-cluster.cluster-b.global");
    vec_push(&x->channels, ch);
    x->secrets_name = xstrdup("pxc-secrets");
    model_pxc_remove(m, c, "pxc", "pxc-cluster");
    assert_null(model_pxc_find(c, "pxc", "pxc-cluster"));
    assert_non_null(model_pxc_find(c, "other", "pxc-cluster"));

    struct m_sentry *se = model_sentry_upsert(m, c, "pxc", "pxc-cluster-cluster-b");
    assert_true(se->changed_ms > 0);
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup("pxc-cluster.cluster-b.global");
    se->n_ports = 1;
    se->ports = xcalloc(1, sizeof *se->ports);
    model_sentry_clear_spec(se);
    assert_int_equal(se->n_hosts, 0);
    assert_null(se->hosts);
    assert_null(se->ports);
    se->n_addresses = 1;
    se->addresses = xcalloc(1, sizeof *se->addresses);
    se->addresses[0] = xstrdup("240.0.0.2");
    assert_ptr_equal(model_sentry_find(c, "pxc", "pxc-cluster-cluster-b"), se);
    model_sentry_remove(m, c, "pxc", "pxc-cluster-cluster-b"); /* frees addresses too */
    assert_int_equal(c->sentries.n, 0);

    struct m_node *n = model_node_upsert(m, c, "k3d-a-server-0");
    assert_ptr_equal(model_node_upsert(m, c, "k3d-a-server-0"), n);
    model_node_upsert(m, c, "k3d-a-agent-0");
    model_node_remove(m, c, "k3d-a-server-0");
    assert_int_equal(c->nodes.n, 1);
}

static void
test_channels_and_lag_ring(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_add(m, "c", NULL, NULL);
    struct m_channel *ch = model_channel_upsert(m, c, "pxc-cluster-pxc-0", "cluster_b_source");
    /* Fresh channel: every string valid and empty, numbers at their "unknown" sentinels. */
    assert_string_equal(ch->source_host, "");
    assert_string_equal(ch->last_io_error, "");
    assert_string_equal(ch->executed_gtid, "");
    assert_true(ch->lag_s < 0);
    assert_int_equal(ch->gtid_gap, -1);
    assert_int_equal(ch->io, THR_UNKNOWN);
    assert_ptr_equal(model_channel_upsert(m, c, "pxc-cluster-pxc-0", "cluster_b_source"), ch);
    assert_null(model_channel_find(c, "pxc-cluster-pxc-1", "cluster_b_source"));
    model_channel_upsert(m, c, "pxc-cluster-pxc-0", ""); /* MySQL's default channel */
    assert_int_equal(c->channels.n, 2);

    assert_true(model_set_str(&ch->last_io_error, "Unknown MySQL server host"));
    assert_false(model_set_str(&ch->last_io_error, "Unknown MySQL server host"));
    assert_true(model_set_str(&ch->last_io_error, NULL)); /* NULL means "" */
    assert_string_equal(ch->last_io_error, "");
    assert_false(model_set_str(&ch->last_io_error, ""));

    for (int i = 0; i < 10; i++)
        model_channel_push_lag(ch, i);
    assert_int_equal(ch->lag_len, 10);
    assert_true(model_channel_lag_at(ch, 0) == 0.0f);
    assert_true(model_channel_lag_at(ch, 9) == 9.0f);
    model_channel_push_lag(ch, -7); /* any negative: unknown */
    assert_true(model_channel_lag_at(ch, 10) == -1.0f);
    for (int i = 11; i < LAG_HISTORY + 50; i++)
        model_channel_push_lag(ch, i);
    assert_int_equal(ch->lag_len, LAG_HISTORY);
    /* Oldest first: the first 50 samples were dropped. */
    assert_true(model_channel_lag_at(ch, 0) == 50.0f);
    assert_true(model_channel_lag_at(ch, LAG_HISTORY - 1) == (float)(LAG_HISTORY + 49));

    model_channel_remove(m, c, "pxc-cluster-pxc-0", "cluster_b_source");
    assert_null(model_channel_find(c, "pxc-cluster-pxc-0", "cluster_b_source"));
    assert_int_equal(c->channels.n, 1);
}

static unsigned seen_touched;
static void
note_touched(struct model *m, void *arg)
{
    (void)arg;
    seen_touched = m->touched;
}

/* A set equal to the model's findings is not news; a different one replaces them, and the
 * dirty hook learns which bits changed. */
static void
test_findings_replace(void **state)
{
    struct model *m = *state;
    struct vec set;
    vec_init(&set, model_finding_free);
    vec_push(&set, model_finding_new(SEV_ERROR, "A", "c", "o", "msg", "h"));
    model_set_dirty_cb(m, note_touched, NULL);
    assert_true(model_findings_replace(m, &set));
    assert_int_equal(seen_touched, DIRTY_FINDINGS);
    assert_int_equal(set.n, 0);
    assert_int_equal(m->findings.n, 1);
    uint64_t seq = m->seq;
    struct m_finding *f = model_finding_new(SEV_ERROR, "A", "c", "o", "msg", "h");
    vec_push(&set, f);
    assert_false(model_findings_replace(m, &set));
    assert_int_equal(m->seq, seq);
    f = model_finding_new(SEV_ERROR, "A", "c", "o", "msg", "h");
    f->fix.kind = FIX_COMMAND;
    model_fix_set(&f->fix.command, "kubectl --context c delete pod p -n ns");
    vec_push(&set, f);
    assert_true(model_findings_replace(m, &set));
    assert_string_equal(((struct m_finding *)m->findings.items[0])->fix.command,
                        "kubectl --context c delete pod p -n ns");
    model_touch(m, DIRTY_PODS | DIRTY_GALERA);
    assert_int_equal(seen_touched, DIRTY_PODS | DIRTY_GALERA);
    assert_int_equal(m->touched, 0);
    model_set_dirty_cb(m, NULL, NULL);
    vec_fini(&set);
    assert_string_equal(model_fix_kind_name(FIX_REPOINT_SOURCE), "repoint-source");
}

static void
test_findings_and_events(void **state)
{
    struct model *m = *state;
    m->dirty = 0;
    model_findings_clear(m); /* empty: no change */
    assert_int_equal(m->dirty, 0);
    struct m_finding *f = model_finding_add(m, SEV_ERROR, "CHANNEL_IO_ERROR", "cluster-a",
                                            "channel/cluster_b_source", "IO Connecting", NULL);
    assert_int_equal(f->cause, -1);
    assert_string_equal(f->hint, "");
    assert_int_equal(m->dirty, DIRTY_FINDINGS);
    model_findings_clear(m);
    assert_int_equal(m->findings.n, 0);

    for (int i = 0; i < MODEL_MAX_EVENTS + 5; i++)
        model_event(m, i % 2 ? "cluster-a" : NULL, i % 3, "event %d", i);
    assert_int_equal(m->ev_len, MODEL_MAX_EVENTS);
    const struct m_event *e = model_event_at(m, 0);
    char want[32];
    snprintf(want, sizeof want, "event %d", MODEL_MAX_EVENTS + 4);
    assert_string_equal(e->what, want); /* newest first */
    e = model_event_at(m, MODEL_MAX_EVENTS - 1);
    assert_string_equal(e->what, "event 5"); /* the five oldest dropped */
    assert_string_equal(e->cluster, "cluster-a");
    assert_string_equal(model_event_at(m, 1)->cluster, "cluster-a");
    assert_string_equal(model_event_at(m, 0)->cluster, ""); /* NULL cluster */
    assert_null(model_event_at(m, MODEL_MAX_EVENTS));
    assert_null(model_event_at(m, -1));
}

static void
test_names(void **state)
{
    assert_string_equal(model_injection_name(INJ_NONE), "none");
    assert_string_equal(model_injection_name(INJ_ENABLED), "enabled");
    assert_string_equal(model_injection_name(INJ_DISABLED), "disabled");
    assert_string_equal(model_injection_name(INJ_REVISION), "revision");
    assert_string_equal(model_sidecar_name(SIDECAR_INJECTED), "injected");
    assert_string_equal(model_sidecar_name(SIDECAR_MISSING), "missing");
    assert_string_equal(model_sidecar_name(SIDECAR_DISABLED), "disabled");
    assert_string_equal(model_thread_name(THR_YES), "Yes");
    assert_string_equal(model_thread_name(THR_NO), "No");
    assert_string_equal(model_thread_name(THR_CONNECTING), "Connecting");
    assert_string_equal(model_thread_name(THR_UNKNOWN), "?");
    assert_string_equal(model_severity_name(SEV_INFO), "info");
    assert_string_equal(model_severity_name(SEV_WARNING), "warning");
    assert_string_equal(model_severity_name(SEV_ERROR), "error");
    model_free(NULL);
}

/* Views listing thousands of pods refill them by pods_seq: a channel sample must not bump
 * it, a pod, namespace or Galera change must. */
static void
test_pods_seq(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    uint64_t s0 = m->pods_seq;
    assert_true(s0 >= 1);
    struct m_channel *ch = model_channel_upsert(m, c, "pod-0", "ch");
    model_channel_push_lag(ch, 0.5);
    model_touch(m, DIRTY_CHANNELS);
    assert_int_equal(m->pods_seq, s0);
    model_pod_upsert(m, c, "pxc", "pod-0");
    assert_true(m->pods_seq > s0);
    uint64_t s1 = m->pods_seq;
    model_touch(m, DIRTY_GALERA);
    assert_true(m->pods_seq > s1);
    uint64_t s2 = m->pods_seq;
    model_ns_upsert(m, c, "pxc");
    assert_true(m->pods_seq > s2);
    model_free(m);
}

/* One cluster's pods streaming in move that cluster's model_cluster_pods_seq only; what is
 * not confined to one cluster's pods moves every cluster's. */
static void
test_cluster_pods_seq(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = model_cluster_add(m, "a", "a", "");
    struct m_cluster *b = model_cluster_add(m, "b", "b", "");
    uint64_t a0 = model_cluster_pods_seq(m, a), b0 = model_cluster_pods_seq(m, b);
    model_pod_upsert(m, a, "pxc", "pod-0");
    assert_true(model_cluster_pods_seq(m, a) > a0);
    assert_int_equal(model_cluster_pods_seq(m, b), b0);
    uint64_t a1 = model_cluster_pods_seq(m, a);
    model_pod_remove(m, b, "pxc", "absent"); /* nothing removed: nothing changed */
    assert_int_equal(model_cluster_pods_seq(m, b), b0);
    model_pod_upsert(m, b, "pxc", "pod-0");
    model_pod_remove(m, b, "pxc", "pod-0");
    assert_true(model_cluster_pods_seq(m, b) > b0);
    assert_int_equal(model_cluster_pods_seq(m, a), a1);
    uint64_t b1 = model_cluster_pods_seq(m, b);
    model_touch(m, DIRTY_GALERA | DIRTY_PODS); /* a Galera state: which cluster is not said */
    assert_true(model_cluster_pods_seq(m, a) > a1);
    assert_true(model_cluster_pods_seq(m, b) > b1);
    uint64_t a2 = model_cluster_pods_seq(m, a);
    model_touch(m, DIRTY_CHANNELS);
    assert_int_equal(model_cluster_pods_seq(m, a), a2);
    model_free(m);
}

/* A channel's server is named by its pod, its pod's IP, or IP:PORT; an IP that only starts
 * another's (10.0.0.5 of 10.0.0.50) is not it, and a pod without an IP matches by name. */
static void
test_channel_pod(void **state)
{
    struct model *m = *state;
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    struct m_pod *p0 = model_pod_upsert(m, c, "pxc", "pod-0");
    struct m_pod *p1 = model_pod_upsert(m, c, "db", "pod-1");
    model_pod_upsert(m, c, "pxc", "pod-2"); /* no IP yet */
    snprintf(p0->ip, sizeof p0->ip, "10.0.0.5");
    snprintf(p1->ip, sizeof p1->ip, "10.0.0.50");
    static const struct {
        const char *server, *pod; /* pod NULL: none */
    } cases[] = {
        {"pod-0", "pod-0"},         {"10.0.0.5", "pod-0"},
        {"10.0.0.5:3306", "pod-0"}, {"10.0.0.50:3306", "pod-1"},
        {"10.0.0.50", "pod-1"},     {"pod-2", "pod-2"},
        {"10.0.0.6", NULL},         {"", NULL},
        {"10.0.0.5x", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "ch%zu", i);
        const struct m_channel *ch = model_channel_upsert(m, c, cases[i].server, name);
        const struct m_pod *got = model_channel_pod(c, ch);
        if (cases[i].pod == NULL)
            assert_null(got);
        else
            assert_string_equal(got != NULL ? got->name : "(none)", cases[i].pod);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pods_seq),
        cmocka_unit_test(test_cluster_pods_seq),
        cmocka_unit_test_setup_teardown(test_clusters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pods_index_and_swap_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ns_name_collections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channels_and_lag_ring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_findings_and_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_findings_replace, setup, teardown),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_channel_pod, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
