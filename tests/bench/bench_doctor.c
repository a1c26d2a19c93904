/* bench_doctor: the doctor's run time at the bench's scale, for `make bench`
 * (scripts/bench.sh). The model is shaped as the bench's clusters are: per cluster N
 * generated pods with their sidecar, 100 to a labelled namespace (kubesim --gen-pods N
 * --gen-injected), plus the lab's PXC cluster (three pods with Galera state, three nodes,
 * three MySQL servers), the ServiceEntry for the other cluster and, in cluster-a, the
 * channel. It runs doctor_collect (every check, the findings built afresh) RUNS times and
 * prints one JSON object: the median, p99 and maximum wall time of a run in ms. A healthy
 * model: what the console pays after every change that is no finding of its own.
 *
 * usage: bench_doctor [PODS_PER_CLUSTER (10000)] [RUNS (200)] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"
#include "doctor/doctor.h"
#include "model/model.h"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
sentry(struct model *m, struct m_cluster *c, const char *remote, int net)
{
    char name[64], host[128];
    snprintf(name, sizeof name, "pxc-cluster-%s", remote);
    snprintf(host, sizeof host, "pxc-cluster.%s.global", remote);
    struct m_sentry *se = model_sentry_upsert(m, c, "pxc", name);
    se->n_hosts = 1;
    se->hosts = xcalloc(1, sizeof *se->hosts);
    se->hosts[0] = xstrdup(host);
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
        snprintf(se->endpoints[i].address, sizeof se->endpoints[i].address, "127.0.%d.%d", net,
                 i + 1);
}

static struct m_cluster *
cluster(struct model *m, const char *name, int net, int n_pods)
{
    struct m_cluster *c = model_cluster_add(m, name, name, "http://127.0.0.1:6443");
    c->reachable = true;
    c->istio_installed = true;
    model_ns_upsert(m, c, "pxc")->injection = INJ_ENABLED;
    struct m_pxc *x = model_pxc_upsert(m, c, "pxc", "pxc-cluster");
    x->size = x->ready = 3;
    x->state = intern_str(&m->strings, "ready");
    for (int i = 0; i < 3; i++) {
        char pn[64], ip[32], nn[64];
        snprintf(pn, sizeof pn, "pxc-cluster-pxc-%d", i);
        snprintf(ip, sizeof ip, "127.0.%d.%d", net, i + 1);
        struct m_pod *p = model_pod_upsert(m, c, "pxc", pn);
        p->phase = intern_str(&m->strings, "Running");
        p->ready = true;
        snprintf(p->ip, sizeof p->ip, "%s", ip);
        p->sidecar = SIDECAR_INJECTED;
        p->component = intern_str(&m->strings, "pxc");
        p->instance = intern_str(&m->strings, "pxc-cluster");
        p->galera.known = p->galera.seen = true;
        p->galera.state = intern_str(&m->strings, "Synced");
        p->galera.status = intern_str(&m->strings, "Primary");
        p->galera.cluster_size = 3;
        snprintf(nn, sizeof nn, "node-%d", i);
        snprintf(model_node_upsert(m, c, nn)->internal_ip, 46, "%s", ip);
        struct m_server *s = model_server_upsert(m, c, pn);
        snprintf(s->host, sizeof s->host, "%s", ip);
        s->port = 3306;
        s->updated_ms = 1;
    }
    for (int i = 0; i < n_pods; i++) {
        char ns[32], pn[64];
        snprintf(ns, sizeof ns, "bench-%d", i / 100);
        snprintf(pn, sizeof pn, "bench-pod-%05d", i);
        if (i % 100 == 0)
            model_ns_upsert(m, c, ns)->injection = INJ_ENABLED;
        struct m_pod *p = model_pod_upsert(m, c, ns, pn);
        p->phase = intern_str(&m->strings, "Running");
        p->ready = true;
        p->sidecar = SIDECAR_INJECTED;
        p->has_proxy = true;
        p->component = intern_str(&m->strings, "bench");
        p->instance = intern_str(&m->strings, ns);
    }
    return c;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    int n_pods = argc > 1 ? atoi(argv[1]) : 10000;
    int runs = argc > 2 ? atoi(argv[2]) : 200;
    if (n_pods < 0 || runs < 1) {
        fprintf(stderr, "usage: bench_doctor [PODS_PER_CLUSTER] [RUNS]\n");
        return 2;
    }
    struct model *m = model_new();
    struct m_cluster *a = cluster(m, "cluster-a", 10, n_pods);
    struct m_cluster *b = cluster(m, "cluster-b", 20, n_pods);
    sentry(m, a, "cluster-b", 20);
    sentry(m, b, "cluster-a", 10);
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "cluster_b_source");
    model_set_str(&ch->source_host, "pxc-cluster.cluster-b.global");
    ch->source_port = 3306;
    ch->io = ch->sql = THR_YES;
    ch->lag_s = 0;
    ch->gtid_mode = 2;
    ch->updated_ms = 1;
    struct doctor_memo *memo = doctor_memo_new();
    struct doctor_opts o = {.memo = memo};
    double *ms = xcalloc((size_t)runs, sizeof *ms);
    size_t n_findings = 0;
    for (int i = 0; i < runs; i++) {
        struct vec set;
        vec_init(&set, model_finding_free);
        double t0 = now_ms();
        (void)doctor_collect(m, &o, &set);
        ms[i] = now_ms() - t0;
        n_findings = set.n;
        vec_fini(&set);
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    printf("{\"pods_per_cluster\": %d, \"runs\": %d, \"findings\": %zu, \"run_ms_median\": %.3f, "
           "\"run_ms_p99\": %.3f, \"run_ms_max\": %.3f}\n",
           n_pods, runs, n_findings, ms[runs / 2], ms[(runs * 99) / 100], ms[runs - 1]);
    free(ms);
    doctor_memo_free(memo);
    model_free(m);
    return 0;
}
