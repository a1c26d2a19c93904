/* collect: one complete look at every configured cluster for the one-shot commands
 * (status, doctor): connect, list every resource once, read every MySQL server once,
 * and hand back the model. Blocking for the caller (it runs a private loop), never on
 * the console's loop. `doctor --fix` keeps the loop and the live backends open after the
 * look (COLLECT_KEEP), to act through them. */
#ifndef PXC_CLI_COLLECT_H
#define PXC_CLI_COLLECT_H

#include <uv.h>

#include "pxerr.h"
#include "cmd.h"
#include "config/config.h"
#include "model/model.h"

struct live;

struct collect_result {
    struct model *model; /* owned by the caller (model_free) */
    struct config *cfg;  /* owned by the caller (config_free) */
    int n_unreachable;   /* clusters that could not be reached or answered an error */
    bool complete;       /* every cluster answered before the deadline */
    /* COLLECT_KEEP only, else NULL: the loop (owned: collect_result_fini closes it) and the
     * live backends on it (owned), writable unless read-only mode. */
    uv_loop_t *loop;
    struct live *live;
};

/* 0 and *out filled, or PXE_USAGE / PXE_* when nothing could start (bad config, no
 * kubeconfig); err says what. Cluster failures are not errors: they are in the model. */
enum {
    COLLECT_NO_MYSQL = 1u << 0, /* Kubernetes objects only */
    COLLECT_KEEP = 1u << 1,     /* keep the loop and the live backends (not read-only) */
};
int collect_once(const struct cmd_opts *opts, int timeout_s, unsigned flags,
                 struct collect_result *out, struct pxerr *err) PXC_MUST_CHECK;
/* Stops the live backends and closes the loop (COLLECT_KEEP), frees the model and config. */
void collect_result_fini(struct collect_result *r);

#endif
