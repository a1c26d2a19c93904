/* doctor_probe: `doctor --probe`, the doctor's in-mesh checks. For every channel whose IO
 * thread is not running or that reports an IO error, it runs from the pod that runs the
 * channel, through exec (probe_exec.h), the DNS lookup of its source host, a MySQL handshake
 * with it and the sidecar's Envoy cluster for it, and prints what each found. The doctor
 * writes nothing without --fix, so it creates no probe pod: where exec cannot run, the
 * check says why and how to run it from one. Blocking for the caller: it runs the collect's
 * kept loop until every probe is over. Main thread of the CLI. */
#ifndef PXC_CLI_DOCTOR_PROBE_H
#define PXC_CLI_DOCTOR_PROBE_H

#include <jansson.h>

#include "strbuf.h"
#include "collect.h"

/* res: a COLLECT_KEEP result (borrowed). Appends the checks as text to text, and to arr
 * (borrowed, may be NULL) one JSON object per check: the probe result with "cluster" and
 * "channel". Returns how many checks did not pass (0 when no channel needed one). */
int doctor_probe_channels(struct collect_result *res, int timeout_ms, struct strbuf *text,
                          json_t *arr);

#endif
