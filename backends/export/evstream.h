/* evstream: the model's changes as an event stream, one JSON object per line, for
 * `pxcmesh watch -o json-lines` (docs/serve.md gives every field). Each call compares the
 * model with what the stream last saw and writes what happened since:
 *   type "cluster"  event reachable / unreachable (with the error)
 *   type "channel"  event state (IO/SQL thread or error number changed), source (the
 *                   server it reads from changed), added, removed
 *   type "finding"  event appeared / cleared (code, severity, cluster, object, message)
 *   type namespace, pod, pxc, serviceentry, node, server: event added / removed
 *   type "log"      each line of the console's event log, as it is appended
 * Every line has "time" (RFC 3339, UTC, milliseconds) and "type".
 *
 * The first call with baseline set records the objects without a line for each (a cluster
 * of 20,000 pods is one "synced" line with counts, and the channels' states); findings
 * and log lines are never part of a baseline: each is written once, when first seen.
 *
 * Cost: the pods are compared only when the model's pods_seq moved; everything else (tens
 * of objects) on every call. Ownership: m borrowed for the call; the stream owns its copies.
 * Loop thread (it reads the model). */
#ifndef PXC_BACKENDS_EXPORT_EVSTREAM_H
#define PXC_BACKENDS_EXPORT_EVSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"
#include "model/model.h"

struct evstream;

struct evstream *evstream_new(void);     /* owned: evstream_free */
void evstream_free(struct evstream *es); /* NULL does nothing */

/* Append the lines for what changed in m since the last call to out (each ending in "\n").
 * n_events: how many events the model's log has had appended since the start (the ring
 * keeps the last MODEL_MAX_EVENTS; older unseen ones are counted in a "log" line as
 * dropped). baseline: record without writing object lines, and write one "synced" line.
 * Returns how many lines it appended. */
int evstream_diff(struct evstream *es, const struct model *m, uint64_t n_events, bool baseline,
                  struct strbuf *out);

/* One line of the stream's shape, for what the caller itself reports (an exit): {"time",
 * "type": type, "event": event, "cluster": cluster (omitted when NULL), "message": msg}. */
void evstream_line(struct strbuf *out, const char *type, const char *event, const char *cluster,
                   const char *msg);

#endif
