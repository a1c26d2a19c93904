/* metrics: the model as Prometheus metrics, in the text exposition format 0.0.4
 * (docs/serve.md lists every family). Names follow Prometheus' conventions: the pxcmesh_
 * prefix, base units (seconds, ratios), _seconds and _total suffixes, one family's samples
 * together after its HELP and TYPE lines. Every family is written, with its HELP and TYPE,
 * even when it has no sample, so that a rule naming it is checkable on any model.
 *
 * A stale value is never shown as a live one: each backend's last good read is a
 * timestamp and an age (+Inf when there was none), and what a read could not say is NaN,
 * never 0. Nothing secret is in the model, so nothing secret is in the text.
 *
 * Thread: whichever owns the model (the loop). Pure: the text depends on the model and
 * the options only. */
#ifndef PXC_BACKENDS_EXPORT_METRICS_H
#define PXC_BACKENDS_EXPORT_METRICS_H

#include <stdint.h>

#include "strbuf.h"
#include "doctor/health.h"
#include "model/model.h"

/* The content type of the text (Prometheus' text format 0.0.4). Static. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_opts {
    int64_t now_ms;                     /* wall ms the ages are measured at; 0: the clock's */
    const struct health_limits *limits; /* the lag thresholds exposed; NULL: the defaults */
    const char *version;                /* pxcmesh's, for pxcmesh_build_info; NULL: "" */
    /* Counters of the process, -1 when not counted (then the family has no sample). */
    int64_t doctor_runs;   /* the live doctor's runs */
    int64_t model_changes; /* model changes (m->seq) */
    int64_t events;        /* events appended to the model's log since the start */
};

/* Append the metrics of m (borrowed, read only) to out. */
void metrics_render(const struct model *m, const struct metrics_opts *o, struct strbuf *out);

/* Append s to out as a label value: backslash, double quote and line feed escaped. */
void metrics_label_escape(struct strbuf *out, const char *s);

#endif
