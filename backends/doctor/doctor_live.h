/* doctor_live: the doctor on the console's loop. Every model change (but the doctor's own,
 * and events and probe results, which no check reads) asks for a run; runs are coalesced:
 * the first change arms a one-shot timer, later changes ride on it, and two runs are at
 * least gap_ms apart, so a burst of 20,000 pod events is a handful of runs. A run replaces
 * the model's findings only when they differ (DIRTY_FINDINGS then), and a memo keeps each
 * finding's first-seen time across runs by (code, cluster, object).
 *
 * Latency: a change is judged within delay_ms + gap_ms (defaults 100 + 400 ms), well
 * inside the 2 s the console promises between a fault reaching the model and its finding.
 *
 * Ownership: loop and m borrowed, must outlive it; cfg and limits borrowed for its life.
 * Loop thread only. */
#ifndef PXC_BACKENDS_DOCTOR_DOCTOR_LIVE_H
#define PXC_BACKENDS_DOCTOR_DOCTOR_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "doctor/health.h"
#include "model/model.h"

struct config;
struct doctor_live;

/* After each run: how long it took (wall µs, on the loop), the model changes it answered,
 * the findings it made, whether they differed from the model's. */
typedef void doctor_live_run_cb(int64_t run_us, uint64_t changes, size_t n_findings, bool changed,
                                void *arg);

struct doctor_live_opts {
    const struct config *cfg;           /* may be NULL (printed commands use --context) */
    const struct health_limits *limits; /* NULL: the config's, else the defaults */
    int delay_ms;                       /* first change to run; 0: 100 */
    int gap_ms;                         /* between runs; 0: 400 */
    doctor_live_run_cb *on_run;         /* may be NULL */
    void *arg;
};

struct doctor_live_stats {
    uint64_t runs, changes;
    int64_t total_us, max_us, last_us;
};

/* Owned: doctor_live_free. Nothing runs until the first doctor_live_changed. */
struct doctor_live *doctor_live_new(uv_loop_t *loop, struct model *m,
                                    const struct doctor_live_opts *o);
/* Stop; the timer closes on the next loop run, which frees the rest. NULL does nothing. */
void doctor_live_free(struct doctor_live *dl);
/* The model changed: call from its dirty hook (m->touched says what changed). */
void doctor_live_changed(struct doctor_live *dl);
/* Run now, whatever the timer (tests, and an explicit ask). */
void doctor_live_run(struct doctor_live *dl);
void doctor_live_stats(const struct doctor_live *dl, struct doctor_live_stats *out);

#endif
