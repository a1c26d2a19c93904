/* collect: one complete look at every configured cluster for the one-shot commands
 * (status, doctor): connect, list every resource once, read every MySQL server once,
 * and hand back the model. Blocking for the caller (it runs a private loop), never on
 * the console's loop. */
#ifndef PXC_CLI_COLLECT_H
#define PXC_CLI_COLLECT_H

#include "pxerr.h"
#include "cmd.h"
#include "config/config.h"
#include "model/model.h"

struct collect_result {
    struct model *model; /* owned by the caller (model_free) */
    struct config *cfg;  /* owned by the caller (config_free) */
    int n_unreachable;   /* clusters that could not be reached or answered an error */
    bool complete;       /* every cluster answered before the deadline */
};

/* 0 and *out filled, or PXE_USAGE / PXE_* when nothing could start (bad config, no
 * kubeconfig); err says what. Cluster failures are not errors: they are in the model. */
enum { COLLECT_NO_MYSQL = 1u << 0 /* Kubernetes objects only */ };
int collect_once(const struct cmd_opts *opts, int timeout_s, unsigned flags,
                 struct collect_result *out, struct pxerr *err) PXC_MUST_CHECK;
void collect_result_fini(struct collect_result *r);

#endif
