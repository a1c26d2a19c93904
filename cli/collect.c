/* collect: the live backends in list-once mode on a private loop, stopped at the first
 * complete sync or the deadline, whichever comes first. */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>

#include <uv.h>

#include "xmalloc.h"
#include "cmd.h"
#include "live/live.h"

struct collect_run {
    uv_loop_t *loop;
    bool synced;
    int n_bad;
};

static void
on_collect_synced(struct live *lv, int n_unreachable, void *arg)
{
    struct collect_run *r = arg;
    (void)lv;
    r->synced = true;
    r->n_bad = n_unreachable;
    uv_stop(r->loop);
}

static void
on_collect_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

int
collect_once(const struct cmd_opts *opts, int timeout_s, unsigned flags,
             struct collect_result *out, struct pxerr *err)
{
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, err);
    if (rc != 0)
        return rc;
    bool keep = (flags & COLLECT_KEEP) != 0;
    uv_loop_t *loop = xcalloc(1, sizeof *loop);
    uv_loop_init(loop);
    struct model *m = model_new();
    struct collect_run r = {.loop = loop};
    struct live_opts lo = {
        .readonly = !keep || opts->readonly || cfg->readonly, /* a look never writes */
        .mode = KUBE_MODE_LIST_ONCE,
        .kubeconfig = opts->kubeconfig,
        .on_synced = on_collect_synced,
        .arg = &r,
        .no_mysql = (flags & COLLECT_NO_MYSQL) != 0,
    };
    struct live *lv = NULL;
    if ((rc = live_start_opts(loop, m, cfg, &lo, &lv, err)) < 0) {
        config_free(cfg);
        model_free(m);
        uv_loop_close(loop);
        free(loop);
        return rc;
    }
    uv_timer_t deadline;
    uv_timer_init(loop, &deadline);
    uv_timer_start(&deadline, on_collect_deadline, (uint64_t)timeout_s * 1000, 0);
    if (!r.synced)
        uv_run(loop, UV_RUN_DEFAULT);
    out->n_unreachable = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        if (!r.synced && c->error[0] == '\0' && !c->reachable)
            model_cluster_set_error(m, c,
                                    "no complete answer within %d s from %s; check the server "
                                    "address and network",
                                    timeout_s, c->server);
        if (!c->reachable || c->error[0] != '\0')
            out->n_unreachable++;
    }
    uv_close((uv_handle_t *)&deadline, NULL);
    out->model = m;
    out->cfg = cfg;
    out->complete = r.synced;
    out->loop = NULL;
    out->live = NULL;
    if (keep) {
        uv_run(loop, UV_RUN_NOWAIT); /* the deadline's close */
        out->loop = loop;
        out->live = lv;
        return 0;
    }
    live_free(lv);
    uv_run(loop, UV_RUN_DEFAULT);
    if (uv_loop_close(loop) != 0)
        fprintf(stderr, "pxcmesh: internal: handles left open after collecting\n");
    free(loop);
    return 0;
}

void
collect_result_fini(struct collect_result *r)
{
    if (r->loop != NULL) {
        live_free(r->live);
        uv_run(r->loop, UV_RUN_DEFAULT);
        if (uv_loop_close(r->loop) != 0)
            fprintf(stderr, "pxcmesh: internal: handles left open after collecting\n");
        free(r->loop);
    }
    r->loop = NULL;
    r->live = NULL;
    model_free(r->model);
    config_free(r->cfg);
    r->model = NULL;
    r->cfg = NULL;
}
