/* live_sink: the sink (kube.h, struct kube_sink) that feeds one model cluster from one
 * Kubernetes client through kobj: namespaces, pods, nodes, PXC CRs and ServiceEntries go to
 * kobj_apply_* / kobj_delete_*, with pods decoded off the loop (kobj_pod_parse on the page
 * worker, kobj_pod_commit on the loop); Istio's injector webhook configurations and istiod
 * pods set the cluster's istio_installed and istio_version; the client's reachability and
 * error become the cluster's. Services, StatefulSets, DestinationRules and
 * PeerAuthentications have no hooks: the client only counts them.
 *
 * Threads: the hooks run where kube.h says (parse/free on a worker, the rest on the loop);
 * these functions on the loop thread. */
#ifndef PXC_BACKENDS_LIVE_LIVE_SINK_H
#define PXC_BACKENDS_LIVE_LIVE_SINK_H

#include "kube/kube.h"
#include "model/model.h"

struct live_sink; /* opaque */

/* m and c are borrowed and must outlive the sink. Owned (live_sink_free). */
struct live_sink *live_sink_new(struct model *m, struct m_cluster *c);
/* The table for kube_client_opts.sink: borrowed until live_sink_free, which must come after
 * kube_client_free of the client it was given to. */
const struct kube_sink *live_sink_kube(const struct live_sink *s);
/* The model cluster it feeds: borrowed. */
struct m_cluster *live_sink_cluster(const struct live_sink *s);
void live_sink_free(struct live_sink *s); /* NULL does nothing */

#endif
