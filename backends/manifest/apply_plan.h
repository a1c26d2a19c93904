/* apply_plan: one manifest on its way to one cluster, whole or not at all. Every object is
 * validated against the CRD schemas; then every object is previewed: the live object is
 * read, a server-side dry run is made and the diff of live against intended is computed;
 * then, when the caller has asked the operator and only if every object passed both, the
 * objects are applied in order with server-side apply (fieldManager=pxcmesh). A step does
 * not stop at the first object that fails it: each object carries its own outcome, so the
 * operator learns everything that is wrong at once. If the server refuses an apply midway
 * (a dry run passed, the write did not), the apply stops there and apply_plan_outcome
 * says which objects were applied, which was not and why, and which were not attempted.
 * The console (one confirmation between the whole preview and the apply) and `pxcmesh
 * apply` drive the same steps.
 *
 * Asynchronous: each step returns at once and calls back exactly once, on the loop, when
 * it is done; a plan runs one step at a time. The CRD schemas (about 1 MB of YAML) are
 * parsed and the objects validated on a libuv worker.
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
#include "strbuf.h"

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
    bool valid;        /* it passed the validation (false until one ran) */
    bool previewed;    /* its last preview succeeded: exists, n_changed and diff hold */
    bool exists;       /* the live object existed at the preview */
    int n_changed;     /* diff lines that change (a new object: all of them) */
    const char *diff;  /* "- removed", "+ added", "  same" lines (ydiff_apply); "" before */
    const char *note;  /* "" or what the preview could not check, in words */
    const char *error; /* "" or why failed_at failed on this object (the schema's, the
                          server's or the connection's words) */
    enum apply_step failed_at;
    bool applied;      /* the last apply wrote it */
    bool skipped;      /* the last apply left it alone: the preview found no change */
};

/* status 0: the step is done for every object; else err (borrowed for the call) says
 * what, naming the object, and step where: the first object that failed, with a count
 * when several did ("2 of 3 objects failed the dry run; first: ServiceEntry pxc/b: ...").
 * The items say the rest. The callback may free the plan. */
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
 * worker; each item's valid and error say how it went. schemas: taken (NULL: loaded from
 * the default places, crdreg_load(NULL)); the plan keeps them for apply_plan_take_schemas.
 * 0 (cb follows) or PXE_* with err (no cb: the plan is busy, or the work could not be
 * queued). */
int apply_plan_validate(struct apply_plan *p, struct crdreg *schemas, apply_plan_cb *cb, void *arg,
                        struct pxerr *err) PXC_MUST_CHECK;
/* The schemas once a validation ended (owned by the caller now), for the next plan's
 * apply_plan_validate; NULL when none are loaded or a step is running. */
struct crdreg *apply_plan_take_schemas(struct apply_plan *p);

/* Preview objects [from, to) in order on the cluster named cluster of lv (lv borrowed
 * until the step ends or the plan is freed, cluster copied; the client is looked up before
 * each request, so a cluster dropped meanwhile fails the objects left): read the live
 * object, dry-run the apply, diff (ydiff_apply). An object the server refuses does not stop
 * the others. An object whose namespace a new Namespace earlier in the plan creates cannot
 * be dry-run before that Namespace exists: its diff is the manifest's and its note says so.
 * 0 (cb follows) or PXE_* with err (no cb). */
int apply_plan_preview(struct apply_plan *p, struct live *lv, const char *cluster, size_t from,
                       size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;
/* Apply objects [from, to) in order: those new or changed at the preview (the others are
 * skipped), stopping at the first the server refuses. Refused at once (PXE_INVAL, no cb,
 * nothing written) unless every object in the range is valid and previewed without error.
 * As preview otherwise; when no object needs a write, cb runs before the call returns. */
int apply_plan_apply(struct apply_plan *p, struct live *lv, const char *cluster, size_t from,
                     size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;

/* What the last apply of [from, to) did, object by object, joined by sep (a sep with a
 * newline also starts the first object on its own line):
 * "applied 1 of 3: ServiceEntry pxc/a applied; ServiceEntry pxc/b NOT applied: <why>;
 * ServiceEntry pxc/c not attempted" (objects without change: "unchanged"). */
void apply_plan_outcome(const struct apply_plan *p, size_t from, size_t to, const char *sep,
                        struct strbuf *out);

#endif
