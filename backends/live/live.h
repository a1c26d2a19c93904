/* live: the app's entry to live data. Given the config, it loads the kubeconfig, creates one
 * http multi for the loop, one exec-credential cache, and one kube client per configured
 * cluster (added to the model in config order), and starts their informers, and one MySQL
 * poller per cluster (mysql_poll.h; live_synced_cb waits for its first round too). One
 * cluster that cannot be resolved or reached gets its error in the model and never stops
 * the others.
 *
 * Threads: loop thread only. live_start reads the kubeconfig files synchronously (start-up
 * only; a failed read becomes the cluster's error, not a failure of live_start). */
#ifndef PXC_BACKENDS_LIVE_LIVE_H
#define PXC_BACKENDS_LIVE_LIVE_H

#include <stdbool.h>

#include <uv.h>

#include "pxerr.h"
#include "config/config.h"
#include "kube/kube.h"
#include "model/model.h"

struct live; /* opaque */
struct mysql_poll;

/* Every cluster's first sync is done (ok or failed); n_unreachable counts the clusters that
 * could not be reached or resolved. Called once, always from the loop on its own turn (never
 * from inside live_start or another callback, even when no cluster could be resolved). */
typedef void live_synced_cb(struct live *lv, int n_unreachable, void *arg);

struct live_opts {
    bool readonly;           /* every write refused (config->readonly also sets it) */
    enum kube_mode mode;     /* KUBE_MODE_WATCH for the console, LIST_ONCE for status */
    const char *kubeconfig;  /* borrowed; overrides config->kubeconfig; NULL: the config's or
                                the default search ($KUBECONFIG, ~/.kube/config) */
    int request_timeout_ms;  /* 0: KUBE_REQUEST_TIMEOUT_MS_DEFAULT */
    bool no_mysql;           /* #07: start no MySQL pollers (the caller runs its own) */
    live_synced_cb *on_synced; /* may be NULL */
    void *arg;
};

/* Start watching every cluster of cfg (borrowed for the call; what is needed is copied).
 * loop and m are borrowed and must outlive the live. On success *out is owned (live_free).
 * Fails (PXE_*) only when nothing can run at all: the kubeconfig cannot be loaded. A context
 * that does not resolve is that cluster's error in the model. */
int live_start(uv_loop_t *loop, struct model *m, const struct config *cfg, bool readonly,
               struct live **out, struct pxerr *err) PXC_MUST_CHECK;
int live_start_opts(uv_loop_t *loop, struct model *m, const struct config *cfg,
                    const struct live_opts *opts, struct live **out,
                    struct pxerr *err) PXC_MUST_CHECK;

/* Add a cluster at runtime (`:ctx`); cc borrowed. PXE_EXISTS if the name is taken. */
int live_add_cluster(struct live *lv, const struct config_cluster *cc,
                     struct pxerr *err) PXC_MUST_CHECK;
/* Stop and forget a cluster and remove it from the model. PXE_NOTFOUND if unknown. */
int live_drop_cluster(struct live *lv, const char *name, struct pxerr *err) PXC_MUST_CHECK;

/* The client of a cluster, for reads and writes: borrowed until that cluster is dropped or
 * live_free; NULL when unknown or its context did not resolve. */
struct kube_client *live_client(struct live *lv, const char *name);
bool live_readonly(const struct live *lv);
/* Read everything again now (the console's Ctrl-R): each cluster's informers LIST afresh
 * (kube_client_relist) and its MySQL poller starts a round (mysql_poll_kick). Returns how
 * many clusters were asked; *n_relists (may be NULL) gets how many informers re-list. */
int live_refresh(struct live *lv, int *n_relists);
/* #07: the MySQL poller of a cluster (channel actions: mysql_poll_action): borrowed until
 * that cluster is dropped or live_stop; NULL when unknown or its mysql config is unusable. */
struct mysql_poll *live_mysql(struct live *lv, const char *name);

/* Stop every client and request (no callbacks afterwards). The clusters stay in the model. */
void live_stop(struct live *lv);
/* live_stop, then release everything; run the loop afterwards so that handle close callbacks
 * can free their memory (before uv_loop_close). NULL does nothing. */
void live_free(struct live *lv);

#endif
