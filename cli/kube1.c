/* kube1: what exec, logs and port-forward share: one cluster, one client, one loop. The
 * client runs in KUBE_MODE_DISCOVER, so the API server is asked for its version and groups
 * only; a cluster that cannot be reached fails the verb with the cluster's error. */
#include "kube1.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "cmd.h"
#include "config/config.h"
#include "kube/kcfg.h"
#include "live/live.h"
#include "model/model.h"

#define READY_TIMEOUT_MS 30000

static void
on_ready(struct live *lv, int n_bad, void *arg)
{
    struct kube1 *k = arg;
    (void)lv;
    k->ready = 1;
    k->n_bad = n_bad;
}

static void
on_deadline(uv_timer_t *t)
{
    (void)t;
}

/* Ready, or the deadline passed (its timer is no longer active). */
static bool
kube1_waited(void *arg)
{
    struct kube1 *k = arg;
    return k->ready || !uv_is_active((uv_handle_t *)&k->deadline);
}

/* The context's namespace, as kubectl takes it; "" when it sets none. */
static void
context_ns(const struct config *cfg, const struct cmd_opts *opts, const char *context, char *out,
           size_t n)
{
    out[0] = '\0';
    struct kcfg *kf = NULL;
    struct kcfg_target *t = NULL;
    struct pxerr e;
    const char *path = opts->kubeconfig ? opts->kubeconfig : cfg->kubeconfig;
    if (kcfg_load(path, &kf, &e) == 0 && kcfg_resolve(kf, context, &t, &e) == 0 && t->namespace)
        snprintf(out, n, "%s", t->namespace);
    kcfg_target_free(t);
    kcfg_free(kf);
}

int
kube1_open(struct kube1 *k, const struct cmd_opts *opts, const char *cluster, const char *ns_flag,
           struct pxerr *err)
{
    memset(k, 0, sizeof *k);
    int rc = cmd_kube_config(opts, &k->cfg, err);
    if (rc != 0)
        return rc;
    const struct config_cluster *cc = NULL;
    if (cluster != NULL) {
        cc = config_cluster_find(k->cfg, cluster);
    } else if (k->cfg->n_clusters == 1) {
        cc = &k->cfg->clusters[0];
    }
    if (cc == NULL) {
        char names[200] = "";
        size_t off = 0;
        for (size_t i = 0; i < k->cfg->n_clusters && off < sizeof names; i++)
            off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "",
                                    k->cfg->clusters[i].name);
        rc = cluster != NULL ? pxerr_set(err, PXE_USAGE,
                                         "no cluster '%s' in the configuration (clusters: "
                                         "%s)",
                                         cluster, names)
                             : pxerr_set(err, PXE_USAGE,
                                         "the configuration names %zu clusters (%s); say "
                                         "which with --cluster NAME",
                                         k->cfg->n_clusters, names);
        config_free(k->cfg);
        memset(k, 0, sizeof *k);
        return rc;
    }
    k->cluster = cc->name;
    if (ns_flag != NULL)
        snprintf(k->ns, sizeof k->ns, "%s", ns_flag);
    else if (cc->n_namespaces > 0)
        snprintf(k->ns, sizeof k->ns, "%s", cc->namespaces[0]);
    else
        context_ns(k->cfg, opts, cc->context ? cc->context : cc->name, k->ns, sizeof k->ns);
    if (k->ns[0] == '\0')
        snprintf(k->ns, sizeof k->ns, "default");
    /* That cluster alone (a shallow view; cfg keeps ownership). */
    struct config one = *k->cfg;
    one.clusters = (struct config_cluster *)cc;
    one.n_clusters = 1;
    uv_loop_init(&k->loop);
    k->m = model_new();
    struct live_opts lo = {.readonly = opts->readonly,
                           .mode = KUBE_MODE_DISCOVER,
                           .kubeconfig = opts->kubeconfig,
                           .no_mysql = true,
                           .on_synced = on_ready,
                           .arg = k};
    if (live_start_opts(&k->loop, k->m, &one, &lo, &k->lv, err) < 0) {
        model_free(k->m);
        (void)uv_loop_close(&k->loop);
        config_free(k->cfg);
        memset(k, 0, sizeof *k);
        return err->code ? err->code : PXE_INTERNAL;
    }
    uv_timer_init(&k->loop, &k->deadline);
    uv_timer_start(&k->deadline, on_deadline, READY_TIMEOUT_MS, 0);
    cmd_run_until(&k->loop, kube1_waited, k);
    uv_timer_stop(&k->deadline);
    k->kc = live_client(k->lv, k->cluster);
    struct m_cluster *c = model_cluster_find(k->m, k->cluster);
    if (!k->ready || k->kc == NULL || k->n_bad > 0) {
        rc = pxerr_set(err, PXE_CONN, "cluster %s: %s", k->cluster,
                       c && c->error[0] ? c->error
                       : !k->ready      ? "no answer from the API server within 30 s"
                                        : "cannot connect");
        kube1_close(k);
        return rc;
    }
    return 0;
}

void
kube1_close(struct kube1 *k)
{
    if (k->cfg == NULL)
        return;
    live_free(k->lv);
    uv_close((uv_handle_t *)&k->deadline, NULL);
    uv_run(&k->loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&k->loop);
    model_free(k->m);
    config_free(k->cfg);
    memset(k, 0, sizeof *k);
}
