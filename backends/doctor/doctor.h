/* doctor: every check of the seed's troubleshooting section, run over what the backends
 * put in the model, giving findings with a stable code, a severity, the cluster, the
 * object, a message, advice in words (hint), since when it holds, and its fix as data
 * (struct m_fix: what, where and the exact command, runnable as printed; for the kinds
 * pxcmesh can do itself, the arguments its fix runner needs: doctor/fixrun.h). Findings
 * link to their causes (finding->cause), so a channel that cannot resolve its source
 * points at the missing ServiceEntry that explains it.
 *
 * Cost: one pass over each cluster's pods per run, the rest over the few PXC pods,
 * ServiceEntries and channels; the console runs it on the loop after model changes
 * (doctor/doctor_live.h). Loop thread (it reads the model), or a one-shot command's. */
#ifndef PXC_BACKENDS_DOCTOR_DOCTOR_H
#define PXC_BACKENDS_DOCTOR_DOCTOR_H

#include <stdint.h>

#include <jansson.h>

#include "strbuf.h"
#include "vec.h"
#include "doctor/health.h"
#include "model/model.h"

struct config;
struct doctor_memo;

struct doctor_opts {
    /* CH_LAG's thresholds, the config's (health_limits_from_config); borrowed for the call.
     * NULL: the defaults. */
    const struct health_limits *limits;
    /* The config the doctor's clusters were selected with (borrowed for the call): printed
     * commands select the same clusters (config_select_flags), kubectl lines name its
     * kubeconfig, SQL lines its MySQL users and where their passwords are. NULL (a
     * replay): --context and kubectl --context from the model. */
    const struct config *cfg;
    /* First-seen times across runs (borrowed, may be NULL: since is the onset the model
     * knows, else now). */
    struct doctor_memo *memo;
    int64_t now_ms; /* wall ms of the run; 0: the clock's */
};

/* Replace m->findings with the findings for the model as it is now (touching
 * DIRTY_FINDINGS only when they differ). Returns how many are errors. o may be NULL. */
int doctor_run(struct model *m, const struct doctor_opts *o);

/* The findings for the model as it is now into out (a vec owning struct m_finding *,
 * appended), the model untouched: for callers that compare before they replace. Returns
 * how many are errors. */
int doctor_collect(const struct model *m, const struct doctor_opts *o, struct vec *out);

/* First-seen times by (code, cluster, object). Owned: doctor_memo_free. A run through a
 * memo forgets the findings it no longer produces. */
struct doctor_memo *doctor_memo_new(void);
void doctor_memo_free(struct doctor_memo *mm); /* NULL does nothing */

/* The findings as text, each chain root first ("cause → effect"), for the CLI: the
 * message, then "fix: COMMAND" (or the advice), the advice under a command, a warning. */
void doctor_format(const struct model *m, struct strbuf *out);

/* The findings as a JSON array (owned), each {severity, code, cluster, object, message,
 * hint, cause, since, fix: {action, command, what, where, warning}}. */
json_t *doctor_findings_json(const struct model *m);
/* {"findings": [...]} as in docs/status-json.md (plus "cause": the index of the finding
 * that explains this one, or null), pretty-printed, appended to out. */
void doctor_json(const struct model *m, struct strbuf *out);

/* What an IO errno means for a channel, in words; NULL for an unknown errno. Static. */
const char *doctor_io_errno_cause(int err);

#endif
