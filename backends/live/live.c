/* live: wires the config to running kube clients. It owns the loop's http multi, the exec
 * credential cache and one kube client per cluster; the model owns what they report. It
 * resolves each cluster's context separately so that one bad context (missing, unreadable
 * certificate) is that cluster's error on screen while the others run.
 *
 * Each client feeds its model cluster through a live_sink (live_sink.c: the objects through
 * kobj, reachability and error). It deliberately holds no Kubernetes logic of its own
 * (kube.c) and no MySQL logic (mysql_poll.c): one MySQL poller per cluster starts here,
 * reading once the cluster's first Kubernetes sync is done (PXC pods and Secret names
 * known). */
#include "live/live.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "kube/kcfg.h"
#include "live/live_sink.h"
#include "mysql/mysql_poll.h"

struct live_cluster {
    struct live *lv;
    char *name;
    struct kube_client *kc; /* NULL: context did not resolve */
    struct live_sink *sink; /* kc's, NULL with it */
    struct mysql_poll *mp;  /* #07: the cluster's MySQL poller, NULL: none */
    bool mysql_done;        /* its first round is done */
    bool synced;
    bool failed;
};

struct live {
    uv_loop_t *loop;
    struct model *m;
    struct live_opts opts;
    char *kubeconfig;   /* owned copy of the path used, NULL: default search */
    struct kcfg *kcfg;  /* NULL: could not load (then every cluster carries that error) */
    char kcfg_err[256];
    struct http *http;
    struct kcfg_cred_cache *creds;
    struct vec clusters; /* owned struct live_cluster * */
    bool synced_reported;
    bool stopped;
    uv_timer_t report_timer; /* reports the first complete sync from the loop */
    int refresh_s; /* #07: config refreshSeconds for the MySQL pollers */
};

static void
lc_free(void *p)
{
    struct live_cluster *lc = p;
    mysql_poll_free(lc->mp);
    kube_client_free(lc->kc);
    live_sink_free(lc->sink);
    free(lc->name);
    free(lc);
}

/* Whether every cluster's first sync is done; *bad counts the failed ones. */
static bool
all_synced(const struct live *lv, int *bad)
{
    *bad = 0;
    for (size_t i = 0; i < lv->clusters.n; i++) {
        const struct live_cluster *lc = lv->clusters.items[i];
        if (!lc->synced || (lc->mp != NULL && !lc->mysql_done))
            return false;
        if (lc->failed)
            (*bad)++;
    }
    return true;
}

static void
on_report_timer(uv_timer_t *t)
{
    struct live *lv = t->data;
    int bad;
    if (lv->synced_reported || lv->stopped || !all_synced(lv, &bad))
        return;
    lv->synced_reported = true;
    lv->opts.on_synced(lv, bad, lv->opts.arg);
}

/* The report is made from a timer, never from the call that completed the sync: that call
 * may be live_start itself (no cluster resolved; a MySQL round with nothing to read ends at
 * once), and a caller's on_synced that calls uv_stop() before its uv_run() would leave the
 * stop for the run that closes the handles, which then closes none of them ("libuv
 * handles left open at exit"). */
static void
check_synced(struct live *lv)
{
    int bad;
    if (lv->synced_reported || lv->opts.on_synced == NULL || lv->stopped || !all_synced(lv, &bad))
        return;
    if (!uv_is_active((uv_handle_t *)&lv->report_timer))
        uv_timer_start(&lv->report_timer, on_report_timer, 0, 0);
}

static void
on_client_synced(struct kube_client *kc, int n_failed, void *arg)
{
    struct live_cluster *lc = arg;
    struct m_cluster *c = live_sink_cluster(lc->sink);
    (void)kc;
    lc->synced = true;
    model_cluster_set_listing(lc->lv->m, c, false);
    lc->failed = n_failed > 0 && (!c->reachable || c->error[0]);
    if (lc->mp) {
        /* pods and Secret names are known now: the synced report waits for a round whose
         * answers arrive from here on (so they land on the pods) */
        lc->mysql_done = false;
        mysql_poll_kick(lc->mp);
    }
    check_synced(lc->lv);
}

static void
on_mysql_round(struct mysql_poll *mp, int round, void *arg)
{
    struct live_cluster *lc = arg;
    (void)mp;
    (void)round;
    lc->mysql_done = true;
    check_synced(lc->lv);
}

/* #07: one MySQL poller per cluster; its first round waits for the Kubernetes sync. */
static void
start_mysql(struct live *lv, struct live_cluster *lc, const struct config_cluster *cc)
{
    if (lv->opts.no_mysql)
        return;
    struct config one = {.readonly = lv->opts.readonly, .refresh_s = lv->refresh_s};
    struct mysql_poll_opts mo = {.once = lv->opts.mode == KUBE_MODE_LIST_ONCE,
                                 .deferred = true,
                                 .readonly = lv->opts.readonly,
                                 .kc = lc->kc,
                                 .on_round = on_mysql_round,
                                 .arg = lc};
    struct pxerr e = {0};
    if (mysql_poll_start(lv->loop, lv->m, &one, cc, &mo, &lc->mp, &e) < 0) {
        lc->mp = NULL;
        model_event(lv->m, cc->name, 1, "mysql: %s", e.msg);
        log_warn("cluster %s: %s", cc->name, e.msg);
        return;
    }
    /* Servers listed in the config, with a password not in a Secret, need nothing from
     * Kubernetes: read them now, even while the API server is unreachable. */
    if (cc->mysql.mode == CONFIG_MYSQL_DIRECT &&
        cc->mysql.password_from.kind != CONFIG_PW_SECRET)
        mysql_poll_kick(lc->mp);
}

static int
add_cluster(struct live *lv, const struct config_cluster *cc, struct pxerr *err)
{
    for (size_t i = 0; i < lv->clusters.n; i++) {
        struct live_cluster *o = lv->clusters.items[i];
        if (strcmp(o->name, cc->name) == 0)
            return pxerr_set(err, PXE_EXISTS, "cluster '%s' is already shown", cc->name);
    }
    struct live_cluster *lc = xcalloc(1, sizeof *lc);
    lc->lv = lv;
    lc->name = xstrdup(cc->name);
    vec_push(&lv->clusters, lc);
    const char *ctx = cc->context ? cc->context : cc->name;

    struct pxerr e = {0};
    struct kcfg_target *t = NULL;
    if (lv->kcfg == NULL)
        pxerr_set(&e, PXE_NOTFOUND, "%s", lv->kcfg_err);
    else if (kcfg_resolve(lv->kcfg, ctx, &t, &e) < 0)
        t = NULL; /* e says why */
    if (t != NULL) {
        struct m_cluster *c = model_cluster_find(lv->m, cc->name);
        if (c == NULL)
            c = model_cluster_add(lv->m, cc->name, t->context, NULL);
        lc->sink = live_sink_new(lv->m, c);
        struct kube_client_opts ko = {
            .name = cc->name,
            .target = t,
            .namespaces = (const char *const *)cc->namespaces,
            .n_namespaces = cc->n_namespaces,
            .pxc_cluster = cc->pxc_cluster,
            .mode = lv->opts.mode,
            .readonly = lv->opts.readonly,
            .request_timeout_ms = lv->opts.request_timeout_ms,
            .sink = live_sink_kube(lc->sink),
            .on_synced = on_client_synced,
            .arg = lc,
        };
        if (kube_client_new(lv->loop, lv->http, lv->creds, &ko, &lc->kc, &e) == 0) {
            model_cluster_set_listing(lv->m, c, true);
            model_set_str(&c->server, kube_client_server(lc->kc));
            if (c->insecure != t->insecure) {
                c->insecure = t->insecure;
                model_touch(lv->m, DIRTY_CLUSTERS);
            }
        } else {
            lc->kc = NULL;
            live_sink_free(lc->sink);
            lc->sink = NULL;
        }
        kcfg_target_free(t);
    }
    start_mysql(lv, lc, cc);
    if (lc->kc == NULL) {
        /* The cluster is shown with its error; the others go on. */
        struct m_cluster *c = model_cluster_find(lv->m, cc->name);
        if (c == NULL)
            c = model_cluster_add(lv->m, cc->name, ctx, NULL);
        model_cluster_set_reachable(lv->m, c, false);
        model_cluster_set_error(lv->m, c, "%s", e.msg);
        log_warn("cluster %s: %s", cc->name, e.msg);
        lc->synced = true;
        lc->failed = true;
        if (lc->mp)
            mysql_poll_kick(lc->mp); /* direct MySQL needs no Kubernetes */
        return 0;
    }
    kube_client_start(lc->kc);
    return 0;
}

int
live_start_opts(uv_loop_t *loop, struct model *m, const struct config *cfg,
                const struct live_opts *opts, struct live **out, struct pxerr *err)
{
    if (cfg == NULL || cfg->n_clusters == 0)
        return pxerr_set(err, PXE_INVAL, "no clusters to watch: give --context or a config "
                         "file with clusters");
    struct live *lv = xcalloc(1, sizeof *lv);
    lv->loop = loop;
    lv->m = m;
    if (opts)
        lv->opts = *opts;
    lv->opts.readonly = lv->opts.readonly || cfg->readonly;
    const char *kpath = lv->opts.kubeconfig ? lv->opts.kubeconfig : cfg->kubeconfig;
    lv->kubeconfig = xstrdup_or_null(kpath);
    lv->opts.kubeconfig = lv->kubeconfig;
    struct pxerr ke = {0};
    if (kcfg_load(lv->kubeconfig, &lv->kcfg, &ke) < 0) {
        /* Nothing can connect: fail as a whole, the caller prints it. */
        int rc = pxerr_set(err, ke.code, "%s", ke.msg);
        free(lv->kubeconfig);
        free(lv);
        return rc;
    }
    lv->http = http_new(loop);
    lv->creds = kcfg_cred_cache_new(loop);
    uv_timer_init(loop, &lv->report_timer);
    lv->report_timer.data = lv;
    vec_init(&lv->clusters, lc_free);
    lv->refresh_s = cfg->refresh_s;
    for (size_t i = 0; i < cfg->n_clusters; i++) {
        struct pxerr e;
        if (add_cluster(lv, &cfg->clusters[i], &e) < 0)
            log_warn("config: %s", e.msg);
    }
    *out = lv;
    check_synced(lv); /* every cluster may have failed to resolve */
    return 0;
}

int
live_start(uv_loop_t *loop, struct model *m, const struct config *cfg, bool readonly,
           struct live **out, struct pxerr *err)
{
    struct live_opts o = {.readonly = readonly, .mode = KUBE_MODE_WATCH};
    return live_start_opts(loop, m, cfg, &o, out, err);
}

int
live_add_cluster(struct live *lv, const struct config_cluster *cc, struct pxerr *err)
{
    if (lv->stopped)
        return pxerr_set(err, PXE_CANCELLED, "live data is stopped");
    return add_cluster(lv, cc, err);
}

int
live_drop_cluster(struct live *lv, const char *name, struct pxerr *err)
{
    for (size_t i = 0; i < lv->clusters.n; i++) {
        struct live_cluster *lc = lv->clusters.items[i];
        if (strcmp(lc->name, name) == 0) {
            struct m_cluster *c = model_cluster_find(lv->m, name);
            vec_remove(&lv->clusters, i); /* stops its client first */
            if (c)
                model_cluster_remove(lv->m, c);
            return 0;
        }
    }
    return pxerr_set(err, PXE_NOTFOUND, "no cluster named '%s'", name);
}

struct kube_client *
live_client(struct live *lv, const char *name)
{
    for (size_t i = 0; i < lv->clusters.n; i++) {
        struct live_cluster *lc = lv->clusters.items[i];
        if (strcmp(lc->name, name) == 0)
            return lc->kc;
    }
    return NULL;
}

struct mysql_poll *
live_mysql(struct live *lv, const char *name)
{
    for (size_t i = 0; i < lv->clusters.n; i++) {
        struct live_cluster *lc = lv->clusters.items[i];
        if (strcmp(lc->name, name) == 0)
            return lc->mp;
    }
    return NULL;
}

int
live_refresh(struct live *lv, int *n_relists)
{
    int n = 0, lists = 0;
    for (size_t i = 0; lv != NULL && !lv->stopped && i < lv->clusters.n; i++) {
        struct live_cluster *lc = lv->clusters.items[i];
        if (lc->kc == NULL && lc->mp == NULL)
            continue;
        lists += kube_client_relist(lc->kc);
        if (lc->mp != NULL)
            mysql_poll_kick(lc->mp);
        n++;
    }
    if (n_relists != NULL)
        *n_relists = lists;
    return n;
}

bool
live_readonly(const struct live *lv)
{
    return lv->opts.readonly;
}

void
live_stop(struct live *lv)
{
    if (lv == NULL || lv->stopped)
        return;
    lv->stopped = true;
    uv_timer_stop(&lv->report_timer);
    for (size_t i = 0; i < lv->clusters.n; i++) {
        struct live_cluster *lc = lv->clusters.items[i];
        mysql_poll_free(lc->mp);
        lc->mp = NULL;
        kube_client_free(lc->kc);
        lc->kc = NULL;
    }
}

static void
on_report_timer_closed(uv_handle_t *h)
{
    free(h->data);
}

void
live_free(struct live *lv)
{
    if (lv == NULL)
        return;
    live_stop(lv);
    vec_fini(&lv->clusters);
    kcfg_cred_cache_free(lv->creds);
    http_free(lv->http);
    kcfg_free(lv->kcfg);
    free(lv->kubeconfig);
    uv_close((uv_handle_t *)&lv->report_timer, on_report_timer_closed); /* frees lv */
}
