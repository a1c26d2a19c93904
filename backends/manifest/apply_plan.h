/* apply_plan: one manifest on its way to one cluster. Every object is validated against
 * the CRD schemas; then, object by object, the live object is read, a server-side dry run
 * is made and the diff of live against intended is computed (the preview); then, when the
 * caller has asked the operator, the objects are applied with server-side apply
 * (fieldManager=pxcmesh). The console (one confirmation between the whole preview and the
 * apply) and `pxcmesh apply` (preview, print, ask and apply object by object) drive the
 * same steps.
 *
 * Asynchronous: each step returns at once and calls back exactly once, on the loop, when
 * it is done or at the first failure; a plan runs one step at a time. The CRD schemas
 * (about 1 MB of YAML) are parsed and the objects validated on a libuv worker.
 *
 * Ownership: the caller owns the plan (apply_plan_free, which may be called from the
 * plan's own callback); the plan owns a copy of the documents and, once loaded or given,
 * the schemas. Loop thread only. */
#ifndef PXC_BACKENDS_MANIFEST_APPLY_PLAN_H
#define PXC_BACKENDS_MANIFEST_APPLY_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "pxerr.h"

struct apply_plan;
struct crdreg;
struct live;

/* Where a step stopped: on failure the part that failed, on success the last part run. */
enum apply_step {
    APPLY_LOAD_SCHEMAS, /* the CRD schemas could not be loaded */
    APPLY_VALIDATE,     /* an object is not valid against its CRD */
    APPLY_READ_LIVE,    /* the live object could not be read */
    APPLY_DRY_RUN,      /* the server refuses the object (dry run) */
    APPLY_APPLY,        /* the apply itself */
};

#define APPLY_FORCE 0x1u /* take over fields other managers own (kube KUBE_FORCE) */

struct apply_opts {
    unsigned flags; /* APPLY_* */
    int context;    /* unchanged diff lines around each change */
};

/* One object of the plan. Read-only; borrowed until apply_plan_free. */
struct apply_item {
    const json_t *doc; /* the object (the plan's copy) */
    char desc[300];    /* "ServiceEntry pxc/pxc-cluster-cluster-b" */
    bool previewed;    /* the preview of this object is done */
    bool exists;       /* the live object existed at the preview */
    int n_changed;     /* diff lines that change (a new object: all of them) */
    const char *diff;  /* "- removed", "+ added", "  same" lines; "" before the preview */
    bool applied;
};

/* status 0: the step is done; else the step stopped at step and err (borrowed for the
 * call) says what, naming the object: "ServiceEntry pxc/x: the server refuses it (dry
 * run): ...". The callback may free the plan. */
typedef void apply_plan_cb(struct apply_plan *p, int status, enum apply_step step,
                           const struct pxerr *err, void *arg);

/* docs: a JSON array of objects, borrowed for the call (deep-copied). o NULL: no flags,
 * 3 lines of context. Owned by the caller (apply_plan_free). */
struct apply_plan *apply_plan_new(uv_loop_t *loop, const json_t *docs, const struct apply_opts *o);
/* Cancel the step in flight: no callback runs afterwards. The live of a preview or apply
 * step must still be alive. A validation already on a worker finishes there and is then
 * dropped. NULL does nothing. */
void apply_plan_free(struct apply_plan *p);

size_t apply_plan_count(const struct apply_plan *p);
/* i < apply_plan_count(p). Borrowed until apply_plan_free. */
const struct apply_item *apply_plan_item(const struct apply_plan *p, size_t i);

/* Validate every object against its CRD (objects of core kinds: their metadata), on a
 * worker. schemas: taken (NULL: loaded from the default places, crdreg_load(NULL)); the
 * plan keeps them for apply_plan_take_schemas. 0 (cb follows) or PXE_* with err (no cb:
 * the plan is busy, or the work could not be queued). */
int apply_plan_validate(struct apply_plan *p, struct crdreg *schemas, apply_plan_cb *cb, void *arg,
                        struct pxerr *err) PXC_MUST_CHECK;
/* The schemas once a validation ended (owned by the caller now), for the next plan's
 * apply_plan_validate; NULL when none are loaded or a step is running. */
struct crdreg *apply_plan_take_schemas(struct apply_plan *p);

/* Preview objects [from, to) in order on the cluster named cluster of lv (lv borrowed
 * until the step ends or the plan is freed, cluster copied; the client is looked up before each
 * request, so a cluster dropped meanwhile fails the step): read the live object, dry-run the apply,
 * diff. 0 (cb follows) or PXE_* with err (no cb). */
int apply_plan_preview(struct apply_plan *p, struct live *lv, const char *cluster, size_t from,
                       size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;
/* Apply objects [from, to) in order, stopping at the first refusal. As preview. */
int apply_plan_apply(struct apply_plan *p, struct live *lv, const char *cluster, size_t from,
                     size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;

#endif
