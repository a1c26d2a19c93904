/* test_doctor: each check fires on a model that has the problem and stays quiet on the
 * healthy one; chains link the effect to its cause. Models are built the way the
 * backends fill them (model_* calls), shaped like the lab: cluster-a replicates from
 * cluster-b through pxc-cluster.cluster-b.global. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "config/config.h"
#include "doctor/doctor.h"
#include "model/model.h"

static struct m_pod *
pxc_pod(struct model *m, struct m_cluster *c, int i, const char *ip)
{
    char name[64];
    snprintf(name, sizeof name, "pxc-cluster-pxc-%d", i);
    struct m_pod *p = model_pod_upsert(m, c, "pxc", name);
    p->phase = intern_str(&m->strings, "Running");
    p->ready = true;
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    p->sidecar = SIDECAR_INJECTED;
    p->component = intern_str(&m->strings, "pxc");
    p->instance = intern_str(&m->strings, "pxc-cluster");
    p->galera.known = true;
    p->galera.state = intern_str(&m->strings, "Synced");
    p->galera.status = intern_str(&m->strings, "Primary");
    p->galera.cluster_size = 3;
    return p;
}

static struct m_cluster *
cluster(struct model *m, const char *name, int net)
{
    struct m_cluster *c = model_cluster_add(m, name, name, "https://127.0.0.1:6443");
    c->reachable = true;
    c->istio_installed = true;
    struct m_namespace *ns = model_ns_upsert(m, c, "pxc");
    ns->injection = INJ_ENABLED;
    for (int i = 0; i < 3; i++) {
        char ip[32];
        snprintf(ip, sizeof ip, "127.0.%d.%d", net, i + 1);
        pxc_pod(m, c, i, ip);
        char nn[32];
        snprintf(nn, sizeof nn, "node-%d", i);
        struct m_node *nd = model_node_upsert(m, c, nn);
        snprintf(nd->internal_ip, sizeof nd->internal_ip, "%s", ip);
    }
    struct m_pxc *x = model_pxc_upsert(m, c, "pxc", "pxc-cluster");
    x->size = 3;
    x->ready = 3;
    x->state = intern_str(&m->strings, "ready");
    return c;
}

static struct model *
healthy(void)
{
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10);
    cluster(m, "cluster-b", 20);
    struct m_sentry *se = model_sentry_upsert(m, a, "pxc", "pxc-cluster-cluster-b");
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup("pxc-cluster.cluster-b.global");
    se->n_addresses = 1;
    se->addresses = xcalloc(1, sizeof *se->addresses);
    se->addresses[0] = xstrdup("240.240.0.2");
    se->n_ports = 1;
    se->ports = xcalloc(1, sizeof *se->ports);
    se->ports[0].number = 3306;
    snprintf(se->ports[0].name, sizeof se->ports[0].name, "tcp-mysql");
    snprintf(se->ports[0].protocol, sizeof se->ports[0].protocol, "TCP");
    se->location = intern_str(&m->strings, "MESH_INTERNAL");
    se->resolution = intern_str(&m->strings, "STATIC");
    se->n_endpoints = 3;
    se->endpoints = xcalloc(3, sizeof *se->endpoints);
    for (int i = 0; i < 3; i++)
        snprintf(se->endpoints[i].address, sizeof se->endpoints[i].address, "127.0.20.%d", i + 1);
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    model_set_str(&ch->source_host, "pxc-cluster.cluster-b.global");
    ch->source_port = 3306;
    ch->io = ch->sql = THR_YES;
    ch->lag_s = 0.4;
    ch->gtid_mode = 2;
    ch->updated_ms = 1;
    return m;
}

static bool
has(const struct model *m, const char *code)
{
    for (size_t i = 0; i < m->findings.n; i++)
        if (strcmp(((struct m_finding *)m->findings.items[i])->code, code) == 0)
            return true;
    return false;
}

static const struct m_finding *
get(const struct model *m, const char *code)
{
    for (size_t i = 0; i < m->findings.n; i++)
        if (strcmp(((struct m_finding *)m->findings.items[i])->code, code) == 0)
            return m->findings.items[i];
    return NULL;
}

static void
test_healthy_is_quiet(void **state)
{
    (void)state;
    struct model *m = healthy();
    assert_int_equal(doctor_run(m, NULL), 0);
    if (m->findings.n != 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        doctor_format(m, &sb);
        fail_msg("healthy model has findings:\n%s", sb.s);
    }
    model_free(m);
}

/* One mutation per case, the code it must raise. */
typedef void mutate_fn(struct model *m);

static struct m_cluster *
A(struct model *m)
{
    return model_cluster_find(m, "cluster-a");
}

static struct m_channel *
CH(struct model *m)
{
    return A(m)->channels.items[0];
}

static void
mut_unlabel(struct model *m)
{
    model_ns_find(A(m), "pxc")->injection = INJ_NONE;
}
static void
mut_no_sidecar(struct model *m)
{
    struct m_pod *p = model_pod_find(A(m), "pxc", "pxc-cluster-pxc-0");
    p->sidecar = SIDECAR_MISSING;
    p->restart_needed = true;
}
static void
mut_expose(struct model *m)
{
    model_pxc_find(A(m), "pxc", "pxc-cluster")->expose = true;
}
static void
mut_delete_se(struct model *m)
{
    model_sentry_remove(m, A(m), "pxc", "pxc-cluster-cluster-b");
}
static void
mut_port_name(struct model *m)
{
    snprintf(((struct m_sentry *)A(m)->sentries.items[0])->ports[0].name, 64, "db");
}
static void
mut_protocol(struct model *m)
{
    snprintf(((struct m_sentry *)A(m)->sentries.items[0])->ports[0].protocol, 16, "HTTP");
}
static void
mut_no_addresses(struct model *m)
{
    struct m_sentry *se = A(m)->sentries.items[0];
    free(se->addresses[0]);
    se->n_addresses = 0;
}
static void
mut_no_endpoints(struct model *m)
{
    ((struct m_sentry *)A(m)->sentries.items[0])->n_endpoints = 0;
}
static void
mut_wrong_endpoint(struct model *m)
{
    snprintf(((struct m_sentry *)A(m)->sentries.items[0])->endpoints[0].address, 128,
             "127.0.99.9");
}
/* An endpoint at a PXC pod of cluster-b rather than a node: pods are not routable from
 * another cluster (doctor/mesh.h), so the doctor no longer accepts it. */
static void
mut_pod_endpoint(struct model *m)
{
    struct m_pod *p = model_pod_find(model_cluster_find(m, "cluster-b"), "pxc",
                                     "pxc-cluster-pxc-0");
    snprintf(p->ip, sizeof p->ip, "10.42.0.7");
    snprintf(((struct m_sentry *)A(m)->sentries.items[0])->endpoints[0].address, 128,
             "10.42.0.7");
}
static void
mut_missing_endpoint(struct model *m)
{
    ((struct m_sentry *)A(m)->sentries.items[0])->n_endpoints = 2;
}
static void
mut_dup_host(struct model *m)
{
    struct m_sentry *se = model_sentry_upsert(m, A(m), "pxc", "another");
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup("pxc-cluster.cluster-b.global");
}
static void
mut_io_dns(struct model *m)
{
    CH(m)->io = THR_CONNECTING;
    CH(m)->last_io_errno = 2005;
    model_set_str(&CH(m)->last_io_error,
                  "error connecting to master 'repl@pxc-cluster.cluster-b.global:3306' - "
                  "retry-time: 60 maximum-retries: 100000 message: Unknown server host");
}
static void
mut_sql_dup(struct model *m)
{
    CH(m)->sql = THR_NO;
    CH(m)->last_sql_errno = 1062;
    model_set_str(&CH(m)->last_sql_error, "Duplicate entry '1' for key 'PRIMARY'");
}
static void
mut_stopped(struct model *m)
{
    CH(m)->io = CH(m)->sql = THR_NO;
}
static void
mut_lag(struct model *m)
{
    CH(m)->lag_s = 700;
}
static void
mut_gtid_off(struct model *m)
{
    CH(m)->gtid_mode = 1;
}
static void
mut_not_primary(struct model *m)
{
    model_pod_find(A(m), "pxc", "pxc-cluster-pxc-1")->galera.status =
        intern_str(&m->strings, "non-Primary");
}
static void
mut_not_synced(struct model *m)
{
    model_pod_find(A(m), "pxc", "pxc-cluster-pxc-2")->galera.state =
        intern_str(&m->strings, "Donor/Desynced");
}
static void
mut_size(struct model *m)
{
    for (size_t i = 0; i < A(m)->pods.n; i++)
        ((struct m_pod *)A(m)->pods.items[i])->galera.cluster_size = 2;
}
static void
mut_fc(struct model *m)
{
    model_pod_find(A(m), "pxc", "pxc-cluster-pxc-1")->galera.fc_paused = 0.5;
}
static void
mut_unreachable(struct model *m)
{
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    b->reachable = false;
    snprintf(b->error, sizeof b->error, "connection refused (https://127.0.20.100:6443)");
}
static void
mut_cr_channel_missing(struct model *m)
{
    struct m_pxc *x = model_pxc_find(A(m), "pxc", "pxc-cluster");
    struct m_pxc_channel *pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("cluster_c_source");
    vec_push(&x->channels, pc);
    pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("cluster_b_source");
    vec_push(&x->channels, pc);
}
static void
mut_undeclared(struct model *m)
{
    struct m_pxc *x = model_pxc_find(A(m), "pxc", "pxc-cluster");
    struct m_pxc_channel *pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("some_other");
    vec_push(&x->channels, pc);
}
static void
mut_repl_pod(struct model *m)
{
    struct m_pxc *x = model_pxc_find(A(m), "pxc", "pxc-cluster");
    struct m_pxc_channel *pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("cluster_b_source");
    vec_push(&x->channels, pc);
    model_pod_find(A(m), "pxc", "pxc-cluster-pxc-2")->replication_pod = true;
}

static const struct {
    const char *code;
    mutate_fn *mutate;
} cases[] = {
    {"NS_NOT_INJECTED", mut_unlabel},
    {"POD_NO_SIDECAR", mut_no_sidecar},
    {"PXC_EXPOSE_ON", mut_expose},
    {"SE_MISSING", mut_delete_se},
    {"SE_PORT_NAME", mut_port_name},
    {"SE_PROTOCOL", mut_protocol},
    {"SE_NO_ADDRESSES", mut_no_addresses},
    {"SE_NO_ENDPOINTS", mut_no_endpoints},
    {"SE_ENDPOINT_UNKNOWN", mut_wrong_endpoint},
    {"SE_ENDPOINT_UNKNOWN", mut_pod_endpoint},
    {"SE_ENDPOINT_MISSING", mut_missing_endpoint},
    {"SE_HOST_DUP", mut_dup_host},
    {"CH_IO_ERROR", mut_io_dns},
    {"CH_SQL_ERROR", mut_sql_dup},
    {"CH_STOPPED", mut_stopped},
    {"CH_LAG", mut_lag},
    {"CH_GTID_OFF", mut_gtid_off},
    {"GALERA_NOT_PRIMARY", mut_not_primary},
    {"GALERA_NOT_SYNCED", mut_not_synced},
    {"GALERA_SIZE", mut_size},
    {"GALERA_FLOW_CONTROL", mut_fc},
    {"API_UNREACHABLE", mut_unreachable},
    {"DRIFT_CHANNEL_MISSING", mut_cr_channel_missing},
    {"DRIFT_CHANNEL_UNDECLARED", mut_undeclared},
    {"DRIFT_REPLICATION_POD", mut_repl_pod},
};

static void
test_each_check_fires(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct model *m = healthy();
        cases[i].mutate(m);
        doctor_run(m, NULL);
        if (!has(m, cases[i].code)) {
            struct strbuf sb;
            strbuf_init(&sb);
            doctor_format(m, &sb);
            fail_msg("case %s did not fire; findings:\n%s", cases[i].code, sb.s);
        }
        const struct m_finding *f = get(m, cases[i].code);
        assert_true(f->message[0] != '\0');
        assert_true(f->hint[0] != '\0');
        assert_true(f->cluster[0] != '\0');
        model_free(m);
    }
}

static void
test_chain_dns_to_serviceentry(void **state)
{
    (void)state;
    struct model *m = healthy();
    mut_delete_se(m);
    mut_io_dns(m);
    assert_true(doctor_run(m, NULL) >= 2);
    const struct m_finding *io = get(m, "CH_IO_ERROR");
    const struct m_finding *se = get(m, "SE_MISSING");
    assert_non_null(io);
    assert_non_null(se);
    assert_int_not_equal(io->cause, -1);
    assert_ptr_equal(m->findings.items[io->cause], se);
    assert_non_null(strstr(io->message, "errno 2005"));
    assert_non_null(strstr(io->message, "DNS"));
    assert_int_equal(se->fix.kind, FIX_APPLY_SENTRY);
    assert_non_null(strstr(se->fix.command, "pxcmesh generate serviceentry --name pxc-cluster "
                                            "--namespace pxc --remote-cluster cluster-b"));
    struct strbuf sb;
    strbuf_init(&sb);
    doctor_format(m, &sb);
    /* Root first, the effect indented under it. */
    char *root = strstr(sb.s, "SE_MISSING");
    char *eff = strstr(sb.s, "└─ error   CH_IO_ERROR");
    assert_non_null(root);
    assert_non_null(eff);
    assert_true(root < eff);
    strbuf_fini(&sb);
    model_free(m);
}

/* A channel read before its cluster's ServiceEntries were listed (seen in CI: SE_MISSING
 * for half a second at the console's start) claims nothing; once listed, the same model
 * is judged. An unreachable cluster is said even while another one lists. */
static void
test_listing_claims_nothing(void **state)
{
    (void)state;
    struct model *m = healthy();
    mut_delete_se(m);
    model_cluster_set_listing(m, A(m), true);
    assert_int_equal(doctor_run(m, NULL), 0);
    assert_int_equal(m->findings.n, 0);
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    assert_non_null(b);
    model_cluster_set_reachable(m, b, false);
    model_cluster_set_error(m, b, "connection refused");
    assert_int_equal(doctor_run(m, NULL), 1);
    assert_non_null(get(m, "API_UNREACHABLE"));
    assert_null(get(m, "SE_MISSING"));
    model_cluster_set_listing(m, A(m), false);
    doctor_run(m, NULL);
    assert_non_null(get(m, "SE_MISSING"));
    model_free(m);
}

static void
test_chain_dns_to_sidecar(void **state)
{
    (void)state;
    /* The ServiceEntry exists, but the pod running the channel has no sidecar, so no DNS
     * proxy answers *.global for it: the missing sidecar is the cause, not the entry. */
    struct model *m = healthy();
    mut_io_dns(m);
    struct m_pod *p = model_pod_find(A(m), "pxc", "pxc-cluster-pxc-0");
    p->sidecar = SIDECAR_MISSING;
    p->restart_needed = true;
    doctor_run(m, NULL);
    const struct m_finding *io = get(m, "CH_IO_ERROR");
    const struct m_finding *sc = get(m, "POD_NO_SIDECAR");
    assert_non_null(io);
    assert_non_null(sc);
    assert_null(get(m, "SE_MISSING"));
    assert_int_not_equal(io->cause, -1);
    assert_ptr_equal(m->findings.items[io->cause], sc);
    assert_null(strstr(io->hint, "SE_MISSING"));
    assert_non_null(strstr(io->hint, "sidecar"));
    model_free(m);
}

/* The endpoint checks follow the mesh rule: the message names the node addresses, the hint
 * regenerates the same object; with the remote's nodes unknown nothing is claimed. */
static void
test_endpoint_rule(void **state)
{
    (void)state;
    struct model *m = healthy();
    mut_missing_endpoint(m);
    doctor_run(m, NULL);
    const struct m_finding *f = get(m, "SE_ENDPOINT_MISSING");
    assert_non_null(f);
    assert_int_equal(f->severity, SEV_WARNING);
    assert_non_null(strstr(f->message, "lists 2 of cluster cluster-b's 3 node addresses (not "
                                       "127.0.20.3)"));
    assert_string_equal(f->fix.command,
                        "pxcmesh generate serviceentry --name pxc-cluster --namespace pxc "
                        "--remote-cluster cluster-b --address 240.240.0.2 "
                        "--endpoints-from-cluster cluster-b --context cluster-b | pxcmesh apply "
                        "-f - --context cluster-a --cluster cluster-a --yes");
    assert_string_equal(f->fix.cluster, "cluster-a");
    assert_string_equal(f->fix.remote, "cluster-b");
    assert_string_equal(f->fix.object, "pxc-cluster-cluster-b");
    assert_string_equal(f->fix.address, "240.240.0.2");
    model_free(m);

    m = healthy();
    mut_wrong_endpoint(m);
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    model_node_remove(m, b, "node-0");
    model_node_remove(m, b, "node-1");
    model_node_remove(m, b, "node-2");
    doctor_run(m, NULL);
    assert_false(has(m, "SE_ENDPOINT_UNKNOWN"));
    assert_false(has(m, "SE_ENDPOINT_MISSING"));
    model_free(m);
}

/* CH_LAG grades by the thresholds handed in (the config's), as the views colour. */
static void
test_lag_thresholds(void **state)
{
    (void)state;
    static const struct health_limits cfg = {.lag_warn_s = 5, .lag_crit_s = 20};
    static const struct {
        double lag_s;
        const struct health_limits *lim;
        int want; /* -1 no CH_LAG, else the severity */
        const char *threshold;
    } lags[] = {
        {8, NULL, -1, NULL},
        {8, &cfg, SEV_WARNING, "(threshold 5 s, lagWarnSeconds)"},
        {25, &cfg, SEV_ERROR, "(threshold 20 s, lagCritSeconds)"},
        {60, NULL, SEV_WARNING, "(threshold 60 s, lagWarnSeconds)"},
        {700, NULL, SEV_ERROR, "(threshold 600 s, lagCritSeconds)"},
        {-1, &cfg, -1, NULL},
    };
    for (size_t i = 0; i < sizeof lags / sizeof lags[0]; i++) {
        struct model *m = healthy();
        CH(m)->lag_s = lags[i].lag_s;
        struct doctor_opts o = {.limits = lags[i].lim};
        doctor_run(m, &o);
        const struct m_finding *f = get(m, "CH_LAG");
        if (lags[i].want < 0) {
            assert_null(f);
        } else {
            assert_non_null(f);
            assert_int_equal(f->severity, lags[i].want);
            assert_non_null(strstr(f->message, lags[i].threshold));
        }
        model_free(m);
    }
}

static void
test_errno_words(void **state)
{
    (void)state;
    assert_non_null(strstr(doctor_io_errno_cause(1045), "credentials"));
    assert_non_null(strstr(doctor_io_errno_cause(2005), "DNS"));
    assert_non_null(strstr(doctor_io_errno_cause(2003), "refused"));
    assert_non_null(strstr(doctor_io_errno_cause(2013), "lost"));
    assert_non_null(strstr(doctor_io_errno_cause(13114), "purged"));
    assert_null(doctor_io_errno_cause(9999));
}

/* ---- fixes runnable as printed ---- */

/* A word of the command that stands for a name instead of being one (NAME, C, NS,
 * REMOTE, CLUSTER ...): printed hints must run as printed. */
static bool
has_placeholder(const char *cmd)
{
    static const char *const words[] = {"NAME", "C", "NS", "REMOTE", "CLUSTER", "..."};
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", cmd);
    for (char *save = NULL, *w = strtok_r(buf, " |", &save); w != NULL;
         w = strtok_r(NULL, " |", &save))
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strcmp(w, words[i]) == 0)
                return true;
    return false;
}

static void
test_fix_commands_are_real(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct model *m = healthy();
        cases[i].mutate(m);
        doctor_run(m, NULL);
        for (size_t k = 0; k < m->findings.n; k++) {
            const struct m_finding *f = m->findings.items[k];
            if (f->fix.kind == FIX_NONE) {
                assert_string_equal(f->fix.command, "");
                continue;
            }
            if (has_placeholder(f->fix.command))
                fail_msg("%s: placeholder in '%s'", f->code, f->fix.command);
            assert_true(f->fix.what[0] != '\0');
            assert_non_null(strstr(f->fix.where, f->cluster));
        }
        model_free(m);
    }
}

/* kubectl lines name their context, so one fix per cluster is one line per cluster. */
static void
test_kubectl_names_context(void **state)
{
    (void)state;
    struct model *m = healthy();
    model_ns_find(A(m), "pxc")->injection = INJ_NONE;
    model_ns_find(model_cluster_find(m, "cluster-b"), "pxc")->injection = INJ_NONE;
    doctor_run(m, NULL);
    const char *cmd[2] = {NULL, NULL};
    for (size_t k = 0; k < m->findings.n; k++) {
        const struct m_finding *f = m->findings.items[k];
        if (strcmp(f->code, "NS_NOT_INJECTED") == 0)
            cmd[strcmp(f->cluster, "cluster-a") == 0 ? 0 : 1] = f->fix.command;
    }
    assert_non_null(cmd[0]);
    assert_non_null(cmd[1]);
    assert_string_equal(cmd[0], "kubectl --context cluster-a label namespace pxc "
                                "istio-injection=enabled --overwrite");
    assert_string_equal(cmd[1], "kubectl --context cluster-b label namespace pxc "
                                "istio-injection=enabled --overwrite");
    assert_int_equal(get(m, "NS_NOT_INJECTED")->fix.kind, FIX_LABEL_NAMESPACE);
    model_free(m);
}

/* With a config file, commands select the cluster as the doctor was run: --config FILE
 * --cluster C; kubectl gets the config's kubeconfig; SQL the config's action user. */
static void
test_fix_with_config(void **state)
{
    (void)state;
    struct config_cluster cc[2] = {
        {.name = "cluster-a", .context = "ctx-a"},
        {.name = "cluster-b", .context = "ctx-b"},
    };
    cc[0].mysql.action_user = "operator";
    cc[0].mysql.action_password_from.kind = CONFIG_PW_OPTION_FILE;
    cc[0].mysql.action_password_from.option_file = "/lab/a operator.cnf";
    struct config cfg = {.path = "/lab/pxcmesh.yaml",
                         .kubeconfig = "/lab/kubeconfig",
                         .clusters = cc,
                         .n_clusters = 2};
    struct model *m = healthy();
    /* The contexts differ from the names, as in a config file. */
    model_set_str(&A(m)->context, "ctx-a");
    model_set_str(&model_cluster_find(m, "cluster-b")->context, "ctx-b");
    struct m_server *sv = model_server_upsert(m, A(m), "pxc-cluster-pxc-0");
    snprintf(sv->host, sizeof sv->host, "127.0.10.1");
    sv->port = 3306;
    sv->updated_ms = 1;
    CH(m)->dialect = "mariadb";
    mut_stopped(m);
    mut_unlabel(m);
    mut_delete_se(m);
    mut_sql_dup(m);
    struct doctor_opts o = {.cfg = &cfg};
    doctor_run(m, &o);
    assert_string_equal(get(m, "NS_NOT_INJECTED")->fix.command,
                        "kubectl --kubeconfig /lab/kubeconfig --context ctx-a label namespace "
                        "pxc istio-injection=enabled --overwrite");
    assert_string_equal(get(m, "SE_MISSING")->fix.command,
                        "pxcmesh generate serviceentry --name pxc-cluster --namespace pxc "
                        "--remote-cluster cluster-b --endpoints-from-cluster cluster-b --config "
                        "/lab/pxcmesh.yaml | pxcmesh apply -f - --config /lab/pxcmesh.yaml "
                        "--cluster cluster-a --yes");
    const struct m_finding *sql = get(m, "CH_SQL_ERROR");
    assert_int_equal(sql->fix.kind, FIX_COMMAND);
    assert_string_equal(sql->fix.command,
                        "mariadb --defaults-file='/lab/a operator.cnf' -u operator -h "
                        "127.0.10.1 -P 3306 -e \"SET @@default_master_connection="
                        "'cluster_b_source'; SET GLOBAL sql_slave_skip_counter=1; START "
                        "REPLICA 'cluster_b_source';\"");
    assert_non_null(strstr(sql->fix.warning, "drifts the data"));
    model_free(m);

    m = healthy();
    mut_stopped(m);
    doctor_run(m, &o);
    const struct m_finding *st = get(m, "CH_STOPPED");
    assert_int_equal(st->fix.kind, FIX_START_CHANNEL);
    assert_string_equal(st->fix.command,
                        "pxcmesh channel start cluster_b_source --config /lab/pxcmesh.yaml "
                        "--cluster cluster-a --server pxc-cluster-pxc-0");
    assert_string_equal(st->fix.server, "pxc-cluster-pxc-0");
    assert_string_equal(st->fix.channel, "cluster_b_source");
    model_free(m);
}

/* 1062 and 1032: the dialect's way to skip the one transaction, with the warning. */
static void
test_skip_per_dialect(void **state)
{
    (void)state;
    static const struct {
        const char *dialect;
        signed char gtid;
        const char *error;
        const char *want;
    } rows[] = {
        {"mysql", 2,
         "Worker 1 failed executing transaction '3e11fa47-71ca-11e1-9e33-c80aa9429562:23' at "
         "source log binlog.000002; Duplicate entry '1' for key 'PRIMARY'",
         "SET GTID_NEXT='3e11fa47-71ca-11e1-9e33-c80aa9429562:23'; BEGIN; COMMIT; SET "
         "GTID_NEXT='AUTOMATIC'; START REPLICA FOR CHANNEL 'cluster_b_source';"},
        {"mysql", 1, "Duplicate entry '1' for key 'PRIMARY'",
         "SET GLOBAL sql_replica_skip_counter=1; START REPLICA FOR CHANNEL 'cluster_b_source';"},
        {"mysql-old", 1, "Duplicate entry '1' for key 'PRIMARY'",
         "SET GLOBAL sql_slave_skip_counter=1; START SLAVE FOR CHANNEL 'cluster_b_source';"},
        {"mariadb", 2, "Duplicate entry '1' for key 'PRIMARY'",
         "SET @@default_master_connection='cluster_b_source'; SET GLOBAL "
         "sql_slave_skip_counter=1; START REPLICA 'cluster_b_source';"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct model *m = healthy();
        CH(m)->sql = THR_NO;
        CH(m)->last_sql_errno = i == 1 ? 1032 : 1062;
        model_set_str(&CH(m)->last_sql_error, rows[i].error);
        CH(m)->dialect = rows[i].dialect;
        CH(m)->gtid_mode = rows[i].gtid;
        doctor_run(m, NULL);
        const struct m_finding *f = get(m, "CH_SQL_ERROR");
        assert_non_null(f);
        assert_string_equal(f->fix.what, rows[i].want);
        assert_non_null(strstr(f->fix.command, "-e \""));
        assert_non_null(strstr(f->fix.warning, "skipping drifts the data"));
        model_free(m);
    }
}

/* The wrong-host fault: the source host is a name of no known cluster. The root cause is
 * named (not SE_MISSING for an unknown cluster), and the fix repoints the channel. */
static void
test_source_unknown(void **state)
{
    (void)state;
    struct model *m = healthy();
    struct m_pxc *bx = model_pxc_find(model_cluster_find(m, "cluster-b"), "pxc", "pxc-cluster");
    struct m_pxc_channel *pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("cluster_b_source");
    pc->is_source = true;
    vec_push(&bx->channels, pc);
    model_set_str(&CH(m)->source_host, "pxc-cluster.cluster-x.global");
    mut_io_dns(m);
    CH(m)->dialect = "mariadb";
    doctor_run(m, NULL);
    assert_null(get(m, "SE_MISSING"));
    const struct m_finding *f = get(m, "CH_SOURCE_UNKNOWN");
    assert_non_null(f);
    assert_int_equal(f->severity, SEV_ERROR);
    assert_non_null(strstr(f->message, "pxc-cluster.cluster-x.global"));
    assert_int_equal(f->fix.kind, FIX_REPOINT_SOURCE);
    assert_string_equal(f->fix.host, "pxc-cluster.cluster-b.global");
    assert_string_equal(f->fix.what,
                        "STOP REPLICA 'cluster_b_source'; CHANGE MASTER 'cluster_b_source' TO "
                        "MASTER_HOST='pxc-cluster.cluster-b.global'; START REPLICA "
                        "'cluster_b_source';");
    const struct m_finding *io = get(m, "CH_IO_ERROR");
    assert_ptr_equal(m->findings.items[io->cause], f);
    model_free(m);

    /* MySQL's words, and a known cluster whose PXC has another name is unknown too. */
    m = healthy();
    model_set_str(&CH(m)->source_host, "other-pxc.cluster-b.global");
    CH(m)->dialect = "mysql";
    doctor_run(m, NULL);
    f = get(m, "CH_SOURCE_UNKNOWN");
    assert_non_null(f);
    assert_string_equal(f->fix.what,
                        "STOP REPLICA FOR CHANNEL 'cluster_b_source'; CHANGE REPLICATION "
                        "SOURCE TO SOURCE_HOST='pxc-cluster.cluster-b.global' FOR CHANNEL "
                        "'cluster_b_source'; START REPLICA FOR CHANNEL 'cluster_b_source';");
    model_free(m);
}

static struct m_server *
server(struct model *m, struct m_cluster *c, const char *name, const char *host, const char *error,
       bool hung)
{
    struct m_server *s = model_server_upsert(m, c, name);
    snprintf(s->host, sizeof s->host, "%s", host);
    s->port = 3306;
    snprintf(s->error, sizeof s->error, "%s", error);
    s->hung = hung;
    s->updated_ms = 1764057600000; /* 2025-11-25T08:00:00Z */
    s->error_since_ms = error[0] ? 1764057610000 : 0;
    return s;
}

/* Blind is not healthy: a hung node is an error naming the pod, its last good state and
 * what the others report; its stale state is not judged (GALERA_SIZE from the others). */
static void
test_hung_node(void **state)
{
    (void)state;
    struct model *m = healthy();
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    server(m, b, "pxc-cluster-pxc-0", "127.0.20.1", "", false);
    server(m, b, "pxc-cluster-pxc-1", "127.0.20.2",
           "pxc-cluster-pxc-1 (127.0.20.2:3306): connect: no answer within 3 s", true);
    server(m, b, "pxc-cluster-pxc-2", "127.0.20.3", "", false);
    struct m_pod *hung = model_pod_find(b, "pxc", "pxc-cluster-pxc-1");
    hung->galera.error = intern_str(&m->strings, "connect: no answer within 3 s");
    hung->galera.updated_ms = 1764057600000;
    model_pod_find(b, "pxc", "pxc-cluster-pxc-0")->galera.cluster_size = 2;
    model_pod_find(b, "pxc", "pxc-cluster-pxc-2")->galera.cluster_size = 2;
    assert_true(doctor_run(m, NULL) >= 2);
    const struct m_finding *f = get(m, "GALERA_NODE_HUNG");
    assert_non_null(f);
    assert_string_equal(f->object, "pod/pxc/pxc-cluster-pxc-1");
    assert_string_equal(f->cluster, "cluster-b");
    assert_non_null(strstr(f->message, "accepts connections but does not answer (connect: no "
                                       "answer within 3 s)"));
    assert_non_null(strstr(f->message, "last good state Synced, Primary, size 3, read at "
                                       "2025-11-25T08:00:00Z"));
    assert_non_null(strstr(f->message, "the other nodes report a cluster of 2 "
                                       "(pxc-cluster-pxc-0, pxc-cluster-pxc-2)"));
    assert_int_equal(f->since_ms, 1764057610000);
    assert_string_equal(f->fix.command, "kubectl --context cluster-b delete pod "
                                        "pxc-cluster-pxc-1 -n pxc");
    const struct m_finding *size = get(m, "GALERA_SIZE");
    assert_non_null(size);
    assert_ptr_equal(m->findings.items[size->cause], f);
    model_free(m);
}

static void
test_unreadable_servers(void **state)
{
    (void)state;
    /* A wrong monitor password on every server of cluster-b: three errors (the whole
     * cluster is hidden), each saying so. */
    struct model *m = healthy();
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    for (int i = 0; i < 3; i++) {
        char name[32], ip[32];
        snprintf(name, sizeof name, "pxc-cluster-pxc-%d", i);
        snprintf(ip, sizeof ip, "127.0.20.%d", i + 1);
        server(m, b, name, ip,
               "connect: access denied (wrong user or password) (errno 1045: Access denied)",
               false);
    }
    assert_int_equal(doctor_run(m, NULL), 3);
    for (size_t k = 0; k < m->findings.n; k++) {
        const struct m_finding *f = m->findings.items[k];
        assert_string_equal(f->code, "MYSQL_UNREADABLE");
        assert_int_equal(f->severity, SEV_ERROR);
        assert_non_null(strstr(f->message, "no server of cluster-b can be read"));
        assert_non_null(strstr(f->hint, "password"));
        assert_int_equal(f->fix.kind, FIX_NONE);
    }
    model_free(m);

    /* One node down of three, running no channel: a warning; the channel's node: an error,
     * and the channel it hides is unreadable, caused by it. */
    m = healthy();
    b = model_cluster_find(m, "cluster-b");
    server(m, b, "pxc-cluster-pxc-0", "127.0.20.1", "", false);
    server(m, b, "pxc-cluster-pxc-1", "127.0.20.2", "", false);
    server(m, b, "pxc-cluster-pxc-2", "127.0.20.3", "connect: cannot connect (errno 2003)", false);
    doctor_run(m, NULL);
    assert_int_equal(get(m, "MYSQL_UNREADABLE")->severity, SEV_WARNING);
    model_free(m);

    m = healthy();
    server(m, A(m), "pxc-cluster-pxc-0", "127.0.10.1", "connect: cannot connect (errno 2003)",
           false);
    server(m, A(m), "pxc-cluster-pxc-1", "127.0.10.2", "", false);
    snprintf(CH(m)->error, sizeof CH(m)->error, "connect: cannot connect (errno 2003)");
    doctor_run(m, NULL);
    const struct m_finding *srv = get(m, "MYSQL_UNREADABLE");
    assert_int_equal(srv->severity, SEV_ERROR);
    assert_non_null(strstr(srv->message, "it runs channel cluster_b_source"));
    const struct m_finding *ch = get(m, "CH_UNREADABLE");
    assert_non_null(ch);
    assert_ptr_equal(m->findings.items[ch->cause], srv);
    model_free(m);
}

/* A rotated replication password: the fix sets it from the source cluster's PXC Secret. */
static void
test_source_password(void **state)
{
    (void)state;
    struct model *m = healthy();
    CH(m)->io = THR_CONNECTING;
    CH(m)->last_io_errno = 1045;
    model_set_str(&CH(m)->last_io_error, "Access denied for user 'replication'");
    CH(m)->dialect = "mariadb";
    doctor_run(m, NULL);
    const struct m_finding *f = get(m, "CH_IO_ERROR");
    assert_int_equal(f->fix.kind, FIX_SOURCE_PASSWORD);
    assert_string_equal(f->fix.remote, "cluster-b");
    assert_string_equal(f->fix.name, "pxc-cluster-secrets");
    assert_non_null(strstr(f->fix.what, "MASTER_PASSWORD='********'"));
    assert_non_null(strstr(f->fix.command, "--context cluster-b get secret pxc-cluster-secrets "
                                           "-n pxc -o 'jsonpath={.data.replication}' | base64 "
                                           "-d"));
    assert_null(strstr(f->fix.command, " -e "));
    model_free(m);
}

/* Since when a finding holds: the model's onset when it knows one, else the first run that
 * saw it, kept across runs by (code, cluster, object) and forgotten once it clears. */
static void
test_since(void **state)
{
    (void)state;
    struct doctor_memo *memo = doctor_memo_new();
    struct model *m = healthy();
    mut_unlabel(m);
    struct doctor_opts o = {.memo = memo, .now_ms = 1000};
    doctor_run(m, &o);
    assert_int_equal(get(m, "NS_NOT_INJECTED")->since_ms, 1000);
    o.now_ms = 5000;
    mut_stopped(m);
    CH(m)->state_since_ms = 4000;
    doctor_run(m, &o);
    assert_int_equal(get(m, "NS_NOT_INJECTED")->since_ms, 1000);
    assert_int_equal(get(m, "CH_STOPPED")->since_ms, 4000);
    model_ns_find(A(m), "pxc")->injection = INJ_ENABLED;
    o.now_ms = 6000;
    doctor_run(m, &o);
    assert_null(get(m, "NS_NOT_INJECTED"));
    mut_unlabel(m);
    o.now_ms = 7000;
    doctor_run(m, &o);
    assert_int_equal(get(m, "NS_NOT_INJECTED")->since_ms, 7000);
    /* An unchanged diagnosis is no change of the model. */
    uint64_t seq = m->seq;
    o.now_ms = 8000;
    doctor_run(m, &o);
    assert_int_equal(m->seq, seq);
    model_free(m);
    doctor_memo_free(memo);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_is_quiet),
        cmocka_unit_test(test_each_check_fires),
        cmocka_unit_test(test_chain_dns_to_serviceentry),
        cmocka_unit_test(test_chain_dns_to_sidecar),
        cmocka_unit_test(test_endpoint_rule),
        cmocka_unit_test(test_lag_thresholds),
        cmocka_unit_test(test_errno_words),
        cmocka_unit_test(test_fix_commands_are_real),
        cmocka_unit_test(test_kubectl_names_context),
        cmocka_unit_test(test_fix_with_config),
        cmocka_unit_test(test_skip_per_dialect),
        cmocka_unit_test(test_source_unknown),
        cmocka_unit_test(test_hung_node),
        cmocka_unit_test(test_unreadable_servers),
        cmocka_unit_test(test_source_password),
        cmocka_unit_test(test_since),
        cmocka_unit_test(test_listing_claims_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
