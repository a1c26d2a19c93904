/* fixrun: runs a finding's fix (struct m_fix, made by the doctor) when pxcmesh can do it
 * itself: label a namespace, restart a StatefulSet, generate the ServiceEntry from the
 * remote cluster's nodes and apply it, start a channel, repoint its source host, set its
 * replication password from the source's Secret; and the changes the doctor never proposes
 * that the command line makes through it (remove the injection label, delete a
 * ServiceEntry). The console's fix key (tui/act_fix.c), `pxcmesh doctor --fix` and the
 * write verbs (inject, restart, serviceentry) drive the same two steps:
 *
 *   fixrun_preview ─▶ the exact change, in lines: what, where, and the SQL (password
 *                     masked, and the MySQL user that runs it) or the object diff
 *                     (validated, read live, server dry run; a deletion: the object)
 *   (the caller asks the operator, showing those lines)
 *   fixrun_apply   ─▶ the change, through the live backends (kube client, MySQL poller),
 *                     reported once; the live informers and pollers show the effect
 *
 * Each step calls back exactly once, later, on the loop (never from inside the call), and
 * a run does one step at a time. Ownership: the caller owns the run (fixrun_free, which may
 * be called from its callback); loop, m and lv are borrowed and must outlive it. Loop
 * thread only. */
#ifndef PXC_BACKENDS_DOCTOR_FIXRUN_H
#define PXC_BACKENDS_DOCTOR_FIXRUN_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "pxerr.h"
#include "strbuf.h"
#include "model/model.h"

struct crdreg;
struct fixrun;
struct live;

/* status 0: the step is done; else err (borrowed for the call) says what failed, where. */
typedef void fixrun_cb(struct fixrun *fr, int status, const struct pxerr *err, void *arg);

/* Can pxcmesh run fixes of kind k itself? (Else the command is the operator's to run.) */
bool fixrun_can(enum fix_kind k);

/* A run of fix (copied). Owned: fixrun_free. */
struct fixrun *fixrun_new(uv_loop_t *loop, struct model *m, struct live *lv,
                          const struct m_fix *fix);
/* Cancel what is in flight (no callback afterwards); run the loop afterwards so that its
 * timer can close. NULL does nothing. */
void fixrun_free(struct fixrun *fr);

/* Prepare the change and say it: schemas (taken, NULL: loaded when needed) validate a
 * ServiceEntry. 0 (cb follows) or PXE_* with err and no cb: PXE_UNSUPPORTED (a kind
 * pxcmesh does not run), PXE_NOTFOUND (no client or poller for the cluster). */
int fixrun_preview(struct fixrun *fr, struct crdreg *schemas, fixrun_cb *cb, void *arg,
                   struct pxerr *err) PXC_MUST_CHECK;
/* The preview's lines, "\n"-separated: what, where, then the exact change. Borrowed until
 * fixrun_free; "" before the preview is done. */
const char *fixrun_text(const struct fixrun *fr);
/* The title of the change in one line ("label namespace pxc istio-injection=enabled in
 * cluster-a"), for reports. Borrowed. */
const char *fixrun_what(const struct fixrun *fr);
/* Did the preview find nothing to change (the live object already matches)? */
bool fixrun_no_change(const struct fixrun *fr);
/* The CRD schemas a preview loaded (owned by the caller now), or NULL. */
struct crdreg *fixrun_take_schemas(struct fixrun *fr);

/* Make the change the preview showed. 0 (cb follows) or PXE_* with err and no cb. */
int fixrun_apply(struct fixrun *fr, fixrun_cb *cb, void *arg, struct pxerr *err) PXC_MUST_CHECK;

#endif
