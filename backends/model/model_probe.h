/* model_probe: the probe results of the console as model state. Every probe run from the
 * console (locally or in-mesh) keeps its latest result here, keyed by (kind, target, from
 * where), with the channel it was run for, whether a run is in flight and since when. The
 * Probes view renders it; the guided set-up reads its in-mesh results. Every change
 * touches DIRTY_PROBES.
 *
 * It also judges whether a result still describes the present: a result is outdated once
 * the ServiceEntry declaring the target's host appears, goes or changes its spec (not its
 * changed_ms: every watch event or relist bumps that, changed or not), or the channel it
 * was run for stops using the host.
 *
 * Ownership: the model owns the entries (struct model.probes); pointers are borrowed until
 * model_free (entries are never removed). Loop thread only. */
#ifndef PXC_BACKENDS_MODEL_MODEL_PROBE_H
#define PXC_BACKENDS_MODEL_MODEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "probe/probe.h"

struct m_probe {
    uint64_t id; /* stable, from 1 */
    enum probe_kind kind;
    char target[300];
    char cluster[128]; /* "" local */
    char ns[128];      /* in-mesh: the probe pod's namespace; "" local */
    char owner[256];   /* the channel it was run for, "cluster/channel", or "" */
    bool running;      /* a run is in flight (the last result, if any, is older) */
    bool has_result;
    struct probe_result r; /* the last finished run */
    int64_t started_ms;    /* wall ms the running run started */
    /* The ServiceEntry declaring the target's host when the last finished run started,
     * "cluster/ns/name" ("" none), and a fingerprint of its spec. */
    char se_ref[300];
    uint64_t se_spec;
    char run_se_ref[300]; /* private: the same for the run in flight */
    uint64_t run_se_spec;
};

/* The entry for (kind, target, cluster, ns); added (at the end) when there is none.
 * cluster NULL or "": local (ns is then ignored). owner NULL or "": the entry keeps its
 * channel; else it is keyed to that channel now. Strings borrowed for the call. */
struct m_probe *model_probe_upsert(struct model *m, enum probe_kind kind, const char *target,
                                   const char *cluster, const char *ns, const char *owner);
size_t model_probe_count(const struct model *m);
/* In the order first run; NULL past the end. */
const struct m_probe *model_probe_at(const struct model *m, size_t i);
struct m_probe *model_probe_find_id(struct model *m, uint64_t id);

/* A run of p starts at wall ms now_ms: running, and the target's ServiceEntry noted. */
void model_probe_start(struct model *m, struct m_probe *p, int64_t now_ms);
/* The run of p ended with r (copied): not running, r its result. A cancelled run keeps
 * the result before it, if there was one. */
void model_probe_finish(struct model *m, struct m_probe *p, const struct probe_result *r);

/* Why p's result no longer describes the present, into buf (truncated to n): "ServiceEntry
 * c/ns/x changed after the probe ran", "channel c/ch no longer uses h"... Returns false
 * with buf "" when it still does or there is no result. A channel that is gone says
 * nothing about the path to the host: the result still holds (the set-up's last step may
 * be re-creating that channel). */
bool model_probe_outdated(const struct model *m, const struct m_probe *p, char *buf, size_t n);

#endif
