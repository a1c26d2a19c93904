/* runfix: one change through the fix runner (doctor/fixrun.h) on a collected look at the
 * clusters kept open (collect.h, COLLECT_KEEP): previewed (the exact object diff, or the
 * SQL and the MySQL user that runs it), printed, asked for on the terminal (cmd_confirm:
 * --yes skips it, no terminal refuses it), then made. `doctor --fix` runs each finding's
 * fix through it; inject, restart and serviceentry run theirs. Main thread (runs the
 * collect's loop). */
#ifndef PXC_CLI_RUNFIX_H
#define PXC_CLI_RUNFIX_H

#include <stdbool.h>

#include "collect.h"
#include "model/model.h"

struct crdreg;

enum runfix_outcome {
    RUNFIX_DONE,      /* the change was made */
    RUNFIX_NO_CHANGE, /* the preview found nothing to change */
    RUNFIX_DRY,       /* previewed only (--dry-run) */
    RUNFIX_DECLINED,  /* not confirmed, or no terminal without --yes */
    RUNFIX_FAILED,    /* the preview or the change failed: printed */
};

/* Run fix (borrowed) for verb ("doctor", "inject"...). *schemas (in/out, may be NULL) are
 * the CRD schemas, loaded once and kept across runs. The preview's lines are printed with
 * indent before each. */
enum runfix_outcome runfix_one(struct collect_result *res, const struct m_fix *fix,
                               const char *verb, const char *indent, bool dry, bool yes,
                               struct crdreg **schemas);

/* A write verb from its flags to its exit code: select and read the clusters once (collect,
 * kept open), pick the one cluster acted on, let build describe the change as a fix, run
 * it (runfix_one). */
struct runfix_req {
    const char *verb;        /* "inject" */
    int timeout_s;           /* for the look at the clusters */
    bool dry, yes;
    unsigned collect_flags;  /* COLLECT_NO_MYSQL when no MySQL server matters */
    const char *also;        /* another cluster to read but not to act on (the remote whose
                                nodes a ServiceEntry lists), or NULL */
    /* Fill fix (its kind and arguments, through model_fix_set) for cluster c, from the look
     * in m. 0, or the exit code after saying why on stderr. */
    int (*build)(struct model *m, struct m_cluster *c, struct m_fix *fix, void *arg);
    void *arg;
};

/* 0 done (or nothing to change, or --dry-run), 1 failed or declined, 2 usage. */
int runfix_verb(const struct cmd_opts *opts, const struct runfix_req *rq);

#endif
