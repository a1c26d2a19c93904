/* setup: the guided set-up of "replication from cluster SOURCE to cluster REPLICA" (the
 * seed's approach 1), as an ordered list of steps. Each step checks the current state in
 * the model (and the latest in-mesh probe results), says done / missing / unknown in
 * words, and, when missing, names its fix: a manifest to apply (generated here), a label
 * or restart, or SQL. The console's Setup view renders the steps and runs the fixes; this
 * module decides nothing on the network. Pure; loop thread (it reads the model). */
#ifndef PXC_BACKENDS_DOCTOR_SETUP_H
#define PXC_BACKENDS_DOCTOR_SETUP_H

#include <stdbool.h>

#include <jansson.h>

#include "strbuf.h"
#include "doctor/health.h"
#include "model/model.h"
#include "probe/probe.h"

enum setup_state { SETUP_UNKNOWN, SETUP_DONE, SETUP_MISSING, SETUP_BLOCKED };

enum setup_fix {
    SETUP_FIX_NONE,
    SETUP_FIX_LABEL_NAMESPACE, /* kube_label_namespace(cluster, ns, istio-injection=enabled) */
    SETUP_FIX_RESTART_STS,     /* kube_restart_statefulset(cluster, ns, sts) */
    SETUP_FIX_APPLY,           /* apply fix_docs to cluster */
    SETUP_FIX_PROBE,           /* the step's probe from inside the mesh (target: fix_target) */
    SETUP_FIX_SQL,             /* run fix_sql on the source or replica (fix_on_source) */
    SETUP_FIX_START_CHANNEL,   /* START the channel on the replica */
};

#define SETUP_MAX_STEPS 16

struct setup_step {
    const char *id;          /* stable: "ns-injected-replica" */
    char title[384];         /* "cluster-a: namespace pxc labelled for injection" */
    enum setup_state state;
    char detail[640];        /* why not done / what was seen */
    enum setup_fix fix;
    char fix_cluster[128];   /* where the fix runs */
    char fix_target[320];   /* namespace, statefulset, probe target */
    char fix_text[640];      /* the fix in words for the confirmation dialog */
    json_t *fix_docs;        /* SETUP_FIX_APPLY: owned array of manifests */
    char *fix_sql;           /* SETUP_FIX_SQL: owned; password placeholder masked for display */
    bool fix_on_source;
};

struct setup_params {
    const char *source;      /* cluster name (model) of the replication source, "cluster-b" */
    const char *replica;     /* "cluster-a" */
    const char *ns;          /* "pxc" */
    const char *pxc;         /* the PXC CR / service name, "pxc-cluster" */
    const char *channel;     /* "cluster_b_source" */
    /* Latest in-mesh probe results from the replica's namespace, or NULL if not run. */
    const struct probe_result *dns_probe;
    const struct probe_result *tcp_probe;
    int dialect;             /* enum mf_dialect of the replica's servers (SQL fixes) */
    const char *repl_user;   /* NULL: "replication" */
    /* The config's lag thresholds, for the channel step's words; NULL: the defaults. */
    const struct health_limits *limits;
};

struct setup_plan {
    int n_steps;
    struct setup_step steps[SETUP_MAX_STEPS];
    char host[256];          /* NAME.SOURCE.global */
};

/* Evaluate every step (fills plan; setup_plan_fini frees the fixes). Steps after a
 * missing one they depend on are BLOCKED, not MISSING, so the first thing to do is clear. */
void setup_evaluate(const struct model *m, const struct setup_params *p, struct setup_plan *plan);
void setup_plan_fini(struct setup_plan *plan);
/* Index of the first step that is not done, or -1 when everything is. */
int setup_next(const struct setup_plan *plan);
const char *setup_state_name(enum setup_state s); /* "done", "missing", "blocked", "?" */

#endif
