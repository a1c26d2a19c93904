/* test_metrics: the model as Prometheus text (export/metrics.h). A model built by hand:
 * label values escaped as the format asks (backslash, quote, line feed), unknowns as NaN
 * and never-read ages as +Inf, every family with HELP and TYPE even when it has no sample,
 * each family's samples together, counters only when counted, ServiceEntry presence and
 * unmatched endpoints by the mesh rule (and neither claimed while the first lists are in
 * flight), the source in use as labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "export/metrics.h"
#include "model/model.h"

#define NOW 1700000000000LL

static void
assert_has(const char *text, const char *line)
{
    if (strstr(text, line) == NULL) {
        fprintf(stderr, "missing line:\n%s\nin:\n%s\n", line, text);
        fail();
    }
}

static struct model *
lab_model(void)
{
    struct model *m = model_new();
    struct m_cluster *a = model_cluster_add(m, "cluster-a", NULL, NULL);
    struct m_cluster *b = model_cluster_add(m, "cluster-b", NULL, NULL);
    a->reachable = true;
    a->updated_ms = NOW - 1500;
    struct m_pod *p = model_pod_upsert(m, a, "pxc", "pxc-cluster-pxc-0");
    p->component = intern_str(&m->strings, "pxc");
    p->instance = intern_str(&m->strings, "pxc-cluster");
    p->sidecar = SIDECAR_MISSING;
    p->galera.known = true;
    p->galera.state = intern_str(&m->strings, "Donor/Desynced");
    p->galera.cluster_size = 2;
    p->galera.updated_ms = NOW - 2000;
    struct m_pod *q = model_pod_upsert(m, a, "app", "web");
    q->sidecar = SIDECAR_INJECTED;
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    model_set_str(&ch->source_host, "pxc-cluster.cluster-b.global");
    ch->source_port = 3306;
    ch->io = THR_CONNECTING;
    ch->sql = THR_YES;
    ch->last_io_errno = 2005;
    ch->lag_s = -1;
    ch->updated_ms = NOW - 3000;
    model_set_str(&ch->src_cluster, "cluster-b");
    model_set_str(&ch->src_server, "pxc-cluster-pxc-1");
    model_set_str(&ch->src_address, "10.0.0.2:3306");
    /* A ServiceEntry with one endpoint that is a node of cluster-b and one that is not. */
    struct m_node *n = model_node_upsert(m, b, "node-1");
    snprintf(n->internal_ip, sizeof n->internal_ip, "10.0.0.2");
    struct m_sentry *se = model_sentry_upsert(m, a, "pxc", "pxc-cluster-cluster-b");
    se->n_hosts = 1;
    se->hosts = calloc(1, sizeof *se->hosts);
    se->hosts[0] = strdup("pxc-cluster.cluster-b.global");
    se->n_endpoints = 2;
    se->endpoints = calloc(2, sizeof *se->endpoints);
    snprintf(se->endpoints[0].address, sizeof se->endpoints[0].address, "10.0.0.2");
    snprintf(se->endpoints[1].address, sizeof se->endpoints[1].address, "10.9.9.9");
    struct m_server *s = model_server_upsert(m, a, "pxc-cluster-pxc-0");
    s->as_of_ms = NOW - 1000;
    s->updated_ms = 0; /* never read well */
    snprintf(s->error, sizeof s->error, "refused");
    struct m_finding *f = model_finding_add(m, SEV_ERROR, "CH_IO_ERROR", "cluster-a",
                                            "channel/with \"quote\"\\back\nline", "msg", "hint");
    f->since_ms = NOW - 60000;
    return m;
}

static void
test_render(void **state)
{
    (void)state;
    struct model *m = lab_model();
    struct strbuf sb;
    strbuf_init(&sb);
    struct metrics_opts o = {
        .now_ms = NOW, .version = "9.9", .doctor_runs = 7, .model_changes = -1, .events = 3};
    metrics_render(m, &o, &sb);
    const char *t = sb.s;
    assert_has(t, "# HELP pxcmesh_cluster_api_reachable ");
    assert_has(t, "# TYPE pxcmesh_cluster_api_reachable gauge\n");
    assert_has(t, "pxcmesh_cluster_api_reachable{cluster=\"cluster-a\"} 1\n");
    assert_has(t, "pxcmesh_cluster_api_reachable{cluster=\"cluster-b\"} 0\n");
    assert_has(t, "pxcmesh_cluster_pods{cluster=\"cluster-a\",sidecar=\"missing\"} 1\n");
    assert_has(t, "pxcmesh_cluster_pods{cluster=\"cluster-a\",sidecar=\"injected\"} 1\n");
    assert_has(t, "pxcmesh_pxc_pod_sidecar_missing{cluster=\"cluster-a\",namespace=\"pxc\","
                  "pod=\"pxc-cluster-pxc-0\"} 1\n");
    /* Only the PXC pod: the app pod has no such sample. */
    assert_null(
        strstr(t, "pxcmesh_pxc_pod_sidecar_missing{cluster=\"cluster-a\",namespace=\"app\""));
    assert_has(t, "pxcmesh_channel_io_running{cluster=\"cluster-a\",server=\"pxc-cluster-pxc-0\","
                  "channel=\"cluster_b_source\"} 0\n");
    assert_has(t, "pxcmesh_channel_sql_running{cluster=\"cluster-a\",server=\"pxc-cluster-pxc-0\","
                  "channel=\"cluster_b_source\"} 1\n");
    assert_has(t, "channel=\"cluster_b_source\",io=\"connecting\",sql=\"yes\"} 1\n");
    assert_has(t, "pxcmesh_channel_lag_seconds{cluster=\"cluster-a\",server=\"pxc-cluster-pxc-0\","
                  "channel=\"cluster_b_source\",lag_source=\"\"} NaN\n");
    assert_has(t,
               "pxcmesh_channel_last_io_errno{cluster=\"cluster-a\",server=\"pxc-cluster-pxc-0\","
               "channel=\"cluster_b_source\"} 2005\n");
    assert_has(t, "pxcmesh_channel_last_read_age_seconds{cluster=\"cluster-a\","
                  "server=\"pxc-cluster-pxc-0\",channel=\"cluster_b_source\"} 3\n");
    assert_has(t, "source_cluster=\"cluster-b\",source_server=\"pxc-cluster-pxc-1\","
                  "source_address=\"10.0.0.2:3306\"} 1\n");
    assert_has(t, "pxcmesh_serviceentry_present{cluster=\"cluster-a\","
                  "host=\"pxc-cluster.cluster-b.global\"} 1\n");
    assert_has(t,
               "pxcmesh_serviceentry_endpoints_unmatched{cluster=\"cluster-a\",namespace=\"pxc\","
               "serviceentry=\"pxc-cluster-cluster-b\",remote=\"cluster-b\"} 1\n");
    assert_has(t, "pxcmesh_galera_cluster_size{cluster=\"cluster-a\",namespace=\"pxc\","
                  "pxc=\"pxc-cluster\",pod=\"pxc-cluster-pxc-0\"} 2\n");
    assert_has(t, "pxcmesh_galera_node_synced{cluster=\"cluster-a\",namespace=\"pxc\","
                  "pxc=\"pxc-cluster\",pod=\"pxc-cluster-pxc-0\"} 0\n");
    assert_has(t, "pxcmesh_galera_last_read_age_seconds{cluster=\"cluster-a\",namespace=\"pxc\","
                  "pxc=\"pxc-cluster\",pod=\"pxc-cluster-pxc-0\"} 2\n");
    /* Escaping: backslash, quote and line feed in a label value. */
    assert_has(t, "object=\"channel/with \\\"quote\\\"\\\\back\\nline\"} 1\n");
    assert_has(t, "pxcmesh_doctor_finding_since_timestamp_seconds{code=\"CH_IO_ERROR\"");
    /* Ages: 1.5 s for the API; +Inf for a server never read well, and up 0 (it failed). */
    assert_has(t, "pxcmesh_backend_last_success_age_seconds{cluster=\"cluster-a\","
                  "backend=\"kubernetes\",server=\"\"} 1.5\n");
    assert_has(t, "pxcmesh_backend_last_success_age_seconds{cluster=\"cluster-b\","
                  "backend=\"kubernetes\",server=\"\"} +Inf\n");
    assert_has(t, "pxcmesh_backend_last_success_age_seconds{cluster=\"cluster-a\","
                  "backend=\"mysql\",server=\"pxc-cluster-pxc-0\"} +Inf\n");
    assert_has(t,
               "pxcmesh_mysql_server_up{cluster=\"cluster-a\",server=\"pxc-cluster-pxc-0\"} 0\n");
    assert_has(t, "pxcmesh_build_info{version=\"9.9\"} 1\n");
    assert_has(t, "pxcmesh_lag_threshold_seconds{level=\"warning\"} 60\n");
    assert_has(t, "pxcmesh_lag_threshold_seconds{level=\"critical\"} 600\n");
    assert_has(t, "# TYPE pxcmesh_doctor_runs_total counter\npxcmesh_doctor_runs_total 7\n");
    assert_has(t, "pxcmesh_events_total 3\n");
    /* Not counted: the family, no sample. */
    assert_has(t, "# TYPE pxcmesh_model_changes_total counter\n# HELP");
    assert_null(strstr(t, "\npxcmesh_model_changes_total "));
    assert_int_equal(t[sb.len - 1], '\n');
    strbuf_fini(&sb);
    model_free(m);
}

/* Each family: HELP, then TYPE, then its samples, and no name again after another family. */
static void
test_grouping(void **state)
{
    (void)state;
    struct model *m = lab_model();
    struct strbuf sb;
    strbuf_init(&sb);
    metrics_render(m, NULL, &sb);
    char done[64][96];
    int n_done = 0;
    char cur[96] = "";
    for (char *line = strtok(sb.s, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char name[96];
        if (strncmp(line, "# HELP ", 7) == 0) {
            sscanf(line + 7, "%95s", name);
            for (int i = 0; i < n_done; i++)
                assert_string_not_equal(done[i], name);
            if (cur[0] != '\0' && n_done < 64)
                snprintf(done[n_done++], sizeof done[0], "%s", cur);
            snprintf(cur, sizeof cur, "%s", name);
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            sscanf(line + 7, "%95s", name);
            assert_string_equal(name, cur);
            continue;
        }
        size_t k = strcspn(line, "{ ");
        assert_true(k < sizeof name);
        memcpy(name, line, k);
        name[k] = '\0';
        assert_string_equal(name, cur);
    }
    assert_true(n_done > 30);
    strbuf_fini(&sb);
    model_free(m);
}

/* While a cluster's first lists are in flight (m_cluster.listing), a ServiceEntry missing
 * from the model proves nothing: its presence is unknown (NaN), never 0, which would fire
 * an alert for half a second at every start. The same for endpoints judged against the
 * nodes of a remote cluster still listing. */
static void
test_listing(void **state)
{
    (void)state;
    struct model *m = lab_model();
    struct m_cluster *a = model_cluster_find(m, "cluster-a");
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    model_sentry_remove(m, a, "pxc", "pxc-cluster-cluster-b");
    model_cluster_set_listing(m, a, true);
    model_cluster_set_listing(m, b, true);
    struct strbuf sb;
    strbuf_init(&sb);
    metrics_render(m, NULL, &sb);
    assert_has(sb.s, "pxcmesh_serviceentry_present{cluster=\"cluster-a\","
                     "host=\"pxc-cluster.cluster-b.global\"} NaN\n");
    strbuf_reset(&sb);
    /* Listed: now its absence is a fact. */
    model_cluster_set_listing(m, a, false);
    metrics_render(m, NULL, &sb);
    assert_has(sb.s, "pxcmesh_serviceentry_present{cluster=\"cluster-a\","
                     "host=\"pxc-cluster.cluster-b.global\"} 0\n");
    strbuf_fini(&sb);
    model_free(m);

    m = lab_model();
    model_cluster_set_listing(m, model_cluster_find(m, "cluster-b"), true);
    strbuf_init(&sb);
    metrics_render(m, NULL, &sb);
    assert_null(strstr(sb.s, "\npxcmesh_serviceentry_endpoints_unmatched{"));
    strbuf_fini(&sb);
    model_free(m);
}

/* An empty model: every family is still declared. */
static void
test_empty(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct strbuf sb;
    strbuf_init(&sb);
    metrics_render(m, NULL, &sb);
    assert_has(sb.s, "# TYPE pxcmesh_channel_source_info gauge\n");
    assert_has(sb.s, "# TYPE pxcmesh_galera_cluster_size gauge\n");
    assert_has(sb.s, "# TYPE pxcmesh_doctor_finding gauge\n");
    assert_null(strstr(sb.s, "pxcmesh_channel_io_running{"));
    strbuf_fini(&sb);
    model_free(m);
}

static void
test_escape(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    metrics_label_escape(&sb, "a\\b\"c\nd\te");
    assert_string_equal(sb.s, "a\\\\b\\\"c\\nd\te");
    strbuf_reset(&sb);
    metrics_label_escape(&sb, NULL);
    assert_string_equal(sb.s, "");
    strbuf_fini(&sb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_listing),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
