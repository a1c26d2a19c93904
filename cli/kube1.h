/* kube1: one cluster's Kubernetes client on a private loop, for the verbs that talk to one
 * pod through the API server (exec, logs, port-forward). It selects the cluster as every verb
 * does (--config, --context, --cluster), starts the client in discovery mode (no informers:
 * nothing is listed) and waits, bounded, until the API server has answered. Main thread. */
#ifndef PXC_CLI_KUBE1_H
#define PXC_CLI_KUBE1_H

#include <uv.h>

#include "pxerr.h"
#include "cmd.h"
#include "kube/kube.h"

struct config;
struct live;
struct model;

struct kube1 {
    uv_loop_t loop;         /* read-only: run it for the verb's own requests */
    struct kube_client *kc; /* borrowed until kube1_close */
    const char *cluster;    /* the cluster's name, borrowed from cfg */
    char ns[254];           /* -n, else the cluster's first namespace, else the context's,
                               else "default" */
    /* private */
    struct config *cfg;
    struct model *m;
    struct live *lv;
    uv_timer_t deadline;
    int ready;
    int n_bad;
};

/* Open cluster (--cluster NAME; NULL: the only one selected) with ns_flag (-n NAMESPACE or
 * NULL). On failure err says why (PXE_USAGE: which cluster is ambiguous or unknown) and
 * nothing is left open. */
int kube1_open(struct kube1 *k, const struct cmd_opts *opts, const char *cluster,
               const char *ns_flag, struct pxerr *err) PXC_MUST_CHECK;
/* Stop the client, run the loop until every handle closed, free everything. */
void kube1_close(struct kube1 *k);

#endif
