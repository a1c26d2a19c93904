/* test_setup: the guided set-up's steps on lab-shaped models: everything done; the lab
 * started without the ServiceEntry and the injection label (the walkthrough's scenario);
 * a stopped channel. The generated fixes validate against the real CRDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "manifest/crdreg.h"
#include "model/model.h"
#include "doctor/setup.h"

static struct m_cluster *
cluster(struct model *m, const char *name, int net, bool labelled)
{
    struct m_cluster *c = model_cluster_add(m, name, name, "https://127.0.0.1:6443");
    c->reachable = true;
    c->istio_installed = true;
    c->istio_version = intern_str(&m->strings, "1.20.3");
    struct m_namespace *ns = model_ns_upsert(m, c, "pxc");
    ns->injection = labelled ? INJ_ENABLED : INJ_NONE;
    for (int i = 0; i < 3; i++) {
        char name_[64], ip[32];
        snprintf(name_, sizeof name_, "pxc-cluster-pxc-%d", i);
        snprintf(ip, sizeof ip, "127.0.%d.%d", net, i + 1);
        struct m_pod *p = model_pod_upsert(m, c, "pxc", name_);
        snprintf(p->ip, sizeof p->ip, "%s", ip);
        p->component = intern_str(&m->strings, "pxc");
        p->instance = intern_str(&m->strings, "pxc-cluster");
        p->sidecar = labelled ? SIDECAR_INJECTED : SIDECAR_DISABLED;
        char nn[32];
        snprintf(nn, sizeof nn, "%s-node-%d", name, i);
        struct m_node *nd = model_node_upsert(m, c, nn);
        snprintf(nd->internal_ip, sizeof nd->internal_ip, "%s", ip);
    }
    struct m_pxc *x = model_pxc_upsert(m, c, "pxc", "pxc-cluster");
    x->state = intern_str(&m->strings, "ready");
    x->size = x->ready = 3;
    return c;
}

static void
add_sentry(struct model *m, struct m_cluster *a)
{
    struct m_sentry *se = model_sentry_upsert(m, a, "pxc", "pxc-cluster-cluster-b");
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup("pxc-cluster.cluster-b.global");
    se->n_endpoints = 3;
    se->endpoints = xcalloc(3, sizeof *se->endpoints);
    for (int i = 0; i < 3; i++)
        snprintf(se->endpoints[i].address, sizeof se->endpoints[i].address, "127.0.20.%d", i + 1);
}

static const struct setup_step *
find(const struct setup_plan *p, const char *id)
{
    for (int i = 0; i < p->n_steps; i++)
        if (strcmp(p->steps[i].id, id) == 0)
            return &p->steps[i];
    fail_msg("no step %s", id);
    return NULL;
}

static struct setup_params
params(void)
{
    return (struct setup_params){.source = "cluster-b", .replica = "cluster-a", .ns = "pxc",
                                 .pxc = "pxc-cluster", .channel = "cluster_b_source",
                                 .dialect = 2 /* MariaDB */};
}

static void
test_all_done(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10, true);
    cluster(m, "cluster-b", 20, true);
    add_sentry(m, a);
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    ch->io = ch->sql = THR_YES;
    ch->lag_s = 0.2;
    struct probe_result dns = {.status = PROBE_OK}, tcp = {.status = PROBE_OK};
    snprintf(dns.summary, sizeof dns.summary, "resolves in the mesh to 240.240.0.2");
    struct setup_params p = params();
    p.dns_probe = &dns;
    p.tcp_probe = &tcp;
    struct setup_plan plan;
    setup_evaluate(m, &p, &plan);
    for (int i = 0; i < plan.n_steps; i++)
        if (plan.steps[i].state != SETUP_DONE)
            fail_msg("step %s is %s: %s", plan.steps[i].id, setup_state_name(plan.steps[i].state),
                     plan.steps[i].detail);
    assert_int_equal(setup_next(&plan), -1);
    assert_string_equal(plan.host, "pxc-cluster.cluster-b.global");
    setup_plan_fini(&plan);
    model_free(m);
}

static void
test_lab_without_label_and_serviceentry(void **state)
{
    (void)state;
    struct model *m = model_new();
    cluster(m, "cluster-a", 10, false);
    cluster(m, "cluster-b", 20, true);
    struct setup_params p = params();
    struct setup_plan plan;
    setup_evaluate(m, &p, &plan);
    const struct setup_step *ns = find(&plan, "ns-replica");
    assert_int_equal(ns->state, SETUP_MISSING);
    assert_int_equal(ns->fix, SETUP_FIX_LABEL_NAMESPACE);
    assert_string_equal(ns->fix_cluster, "cluster-a");
    assert_string_equal(ns->fix_target, "pxc");
    assert_int_equal(find(&plan, "sidecars-replica")->state, SETUP_BLOCKED);
    assert_int_equal(find(&plan, "ns-source")->state, SETUP_DONE);
    /* The first thing to do is the label. */
    assert_string_equal(plan.steps[setup_next(&plan)].id, "ns-replica");
    /* The ServiceEntry fix points at cluster B's node addresses and validates. */
    const struct setup_step *se = find(&plan, "serviceentry");
    assert_int_equal(se->state, SETUP_MISSING);
    assert_int_equal(se->fix, SETUP_FIX_APPLY);
    json_t *spec = json_object_get(json_array_get(se->fix_docs, 0), "spec");
    assert_int_equal(json_array_size(json_object_get(spec, "endpoints")), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(spec, "endpoints"), 0), "address")),
                        "127.0.20.1");
    struct crdreg *reg = NULL;
    struct pxerr err;
    assert_int_equal(crdreg_load(NULL, &reg, &err), 0);
    size_t i;
    json_t *d;
    json_array_foreach(se->fix_docs, i, d) assert_int_equal(crdreg_validate(reg, d, &err), 0);
    crdreg_free(reg);
    /* Labelled now: the pods need a restart. */
    setup_plan_fini(&plan);
    struct m_cluster *a = model_cluster_find(m, "cluster-a");
    model_ns_find(a, "pxc")->injection = INJ_ENABLED;
    for (size_t k = 0; k < a->pods.n; k++) {
        struct m_pod *pod = a->pods.items[k];
        pod->sidecar = SIDECAR_MISSING;
    }
    setup_evaluate(m, &p, &plan);
    const struct setup_step *sc = find(&plan, "sidecars-replica");
    assert_int_equal(sc->fix, SETUP_FIX_RESTART_STS);
    assert_string_equal(sc->fix_target, "pxc/pxc-cluster-pxc");
    /* DNS waits for the ServiceEntry; the channel step has its SQL ready. */
    assert_int_equal(find(&plan, "dns-mesh")->state, SETUP_BLOCKED);
    setup_plan_fini(&plan);
    model_free(m);
}

static void
test_channel_fixes(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10, true);
    cluster(m, "cluster-b", 20, true);
    add_sentry(m, a);
    struct probe_result ok = {.status = PROBE_OK};
    struct setup_params p = params();
    p.dns_probe = &ok;
    p.tcp_probe = &ok;
    struct setup_plan plan;
    setup_evaluate(m, &p, &plan);
    const struct setup_step *ch = find(&plan, "channel");
    assert_int_equal(ch->state, SETUP_MISSING);
    assert_int_equal(ch->fix, SETUP_FIX_SQL);
    assert_non_null(strstr(ch->fix_sql, "CHANGE MASTER 'cluster_b_source' TO"));
    assert_non_null(strstr(ch->fix_sql, "MASTER_HOST='pxc-cluster.cluster-b.global'"));
    setup_plan_fini(&plan);

    struct m_channel *c = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    c->io = c->sql = THR_NO;
    setup_evaluate(m, &p, &plan);
    ch = find(&plan, "channel");
    assert_int_equal(ch->fix, SETUP_FIX_START_CHANNEL);
    assert_non_null(strstr(ch->fix_text, "START channel cluster_b_source"));
    setup_plan_fini(&plan);

    /* Probes not run: the DNS step says so and offers the probe. */
    p.dns_probe = p.tcp_probe = NULL;
    setup_evaluate(m, &p, &plan);
    const struct setup_step *dns = find(&plan, "dns-mesh");
    assert_int_equal(dns->state, SETUP_UNKNOWN);
    assert_int_equal(dns->fix, SETUP_FIX_PROBE);
    setup_plan_fini(&plan);
    model_free(m);
}

/* The ServiceEntry step follows the mesh rule (doctor/mesh.h): its fix lists the source's
 * node addresses in address order whatever order the nodes were listed in, and an entry
 * with an address that is no node of the source is not done. */
static void
test_serviceentry_rule(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10, true);
    struct m_cluster *b = cluster(m, "cluster-b", 20, true);
    /* A fourth node listed last with the lowest address, and pods elsewhere. */
    struct m_node *nd = model_node_upsert(m, b, "cluster-b-node-3");
    snprintf(nd->internal_ip, sizeof nd->internal_ip, "127.0.20.0");
    add_sentry(m, a);
    struct setup_params p = params();
    struct setup_plan plan;
    setup_evaluate(m, &p, &plan);
    const struct setup_step *se = find(&plan, "serviceentry");
    assert_int_equal(se->state, SETUP_MISSING);
    assert_non_null(strstr(se->detail, "lists 3 of cluster-b's 4 node addresses"));
    json_t *eps =
        json_object_get(json_object_get(json_array_get(se->fix_docs, 0), "spec"), "endpoints");
    static const char *const want[] = {"127.0.20.0", "127.0.20.1", "127.0.20.2", "127.0.20.3"};
    assert_int_equal(json_array_size(eps), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(eps, i), "address")),
                            want[i]);
    setup_plan_fini(&plan);

    /* All four listed, plus a pod address: not done, and the detail says so. */
    model_node_remove(m, b, "cluster-b-node-3");
    struct m_sentry *s = a->sentries.items[0];
    snprintf(s->endpoints[0].address, sizeof s->endpoints[0].address, "10.42.0.9");
    setup_evaluate(m, &p, &plan);
    se = find(&plan, "serviceentry");
    assert_int_equal(se->state, SETUP_MISSING);
    assert_non_null(strstr(se->detail, "lists 2 of cluster-b's 3 node addresses and 1 other"));
    assert_int_equal(se->fix, SETUP_FIX_APPLY);
    setup_plan_fini(&plan);
    model_free(m);
}

/* The channel step words the channel by its health, with the config's thresholds. */
static void
test_channel_health_words(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10, true);
    cluster(m, "cluster-b", 20, true);
    add_sentry(m, a);
    struct probe_result ok = {.status = PROBE_OK};
    static const struct health_limits lim = {.lag_warn_s = 5, .lag_crit_s = 20};
    struct setup_params p = params();
    p.dns_probe = p.tcp_probe = &ok;
    p.limits = &lim;
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    static const struct {
        enum thread_state io, sql;
        double lag_s;
        int sql_errno;
        enum setup_state state;
        const char *detail;
    } cases[] = {
        {THR_YES, THR_YES, 0.4, 0, SETUP_DONE, "running on pxc-cluster-pxc-0, lag 0.4 s"},
        {THR_YES, THR_YES, 8, 0, SETUP_DONE,
         "running on pxc-cluster-pxc-0, but lag 8 s, at or over the warning threshold of 5 s "
         "(lagWarnSeconds)"},
        {THR_YES, THR_NO, -1, 1062, SETUP_MISSING,
         "SQL thread stopped, error 1062: Duplicate entry on pxc-cluster-pxc-0"},
        {THR_CONNECTING, THR_YES, -1, 0, SETUP_MISSING,
         "IO thread Connecting on pxc-cluster-pxc-0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ch->io = cases[i].io;
        ch->sql = cases[i].sql;
        ch->lag_s = cases[i].lag_s;
        ch->last_sql_errno = cases[i].sql_errno;
        model_set_str(&ch->last_sql_error, cases[i].sql_errno ? "Duplicate entry" : "");
        struct setup_plan plan;
        setup_evaluate(m, &p, &plan);
        const struct setup_step *st = find(&plan, "channel");
        assert_int_equal(st->state, cases[i].state);
        assert_string_equal(st->detail, cases[i].detail);
        setup_plan_fini(&plan);
    }
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_done),
        cmocka_unit_test(test_lab_without_label_and_serviceentry),
        cmocka_unit_test(test_channel_fixes),
        cmocka_unit_test(test_serviceentry_rule),
        cmocka_unit_test(test_channel_health_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
