/* doctor: every check of the seed's troubleshooting section, run over what the backends
 * put in the model, giving findings with a stable code, a severity, the cluster, the
 * object, a message and a hint with the exact fix. Findings link to their causes
 * (finding->cause), so a channel that cannot resolve its source points at the missing
 * ServiceEntry that explains it. Loop thread (it reads and writes the model). */
#ifndef PXC_BACKENDS_DOCTOR_DOCTOR_H
#define PXC_BACKENDS_DOCTOR_DOCTOR_H

#include <jansson.h>

#include "strbuf.h"
#include "doctor/health.h"
#include "model/model.h"

struct doctor_opts {
    /* CH_LAG's thresholds, the config's (health_limits_from_config); borrowed for the call.
     * NULL: the defaults. */
    const struct health_limits *limits;
};

/* Replace m->findings with the findings for the model as it is now. Returns how many
 * are errors. o may be NULL (the defaults). */
int doctor_run(struct model *m, const struct doctor_opts *o);

/* The findings as text, each chain root first ("cause → effect"), for the CLI. */
void doctor_format(const struct model *m, struct strbuf *out);

/* The findings as a JSON array (owned), each {severity, code, cluster, object, message,
 * hint, cause}. */
json_t *doctor_findings_json(const struct model *m);
/* {"findings": [...]} as in docs/status-json.md (plus "cause": the index of the finding
 * that explains this one, or null), pretty-printed, appended to out. */
void doctor_json(const struct model *m, struct strbuf *out);

/* What an IO errno means for a channel, in words; NULL for an unknown errno. Static. */
const char *doctor_io_errno_cause(int err);

#endif
