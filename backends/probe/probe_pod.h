/* probe_pod: probes from inside the mesh, as the seed does with `kubectl run`: a short-lived
 * pod in the PXC namespace runs nslookup / nc / curl against the remote `.global` host,
 * pxcmesh reads its result from pods/log and deletes it. The pod gets the namespace's
 * sidecar, so its DNS and connections go through Istio exactly as replication does.
 * Loop thread. */
#ifndef PXC_BACKENDS_PROBE_PROBE_POD_H
#define PXC_BACKENDS_PROBE_PROBE_POD_H

#include <uv.h>

#include "kube/kube.h"
#include "probe/probe.h"

#define PROBE_POD_IMAGE_DEFAULT "nicolaka/netshoot:v0.13"

struct probe_pod_opts {
    const char *ns;         /* where the pod runs, e.g. "pxc" (required) */
    const char *image;      /* NULL: PROBE_POD_IMAGE_DEFAULT */
    int timeout_ms;         /* whole probe, pod start included; 0: 60000 */
    const char *cluster;    /* display name for the result's "from" */
    /* Optional: called once when the probe is over entirely (its pod deleted or the delete
     * failed) and the probe freed; a CLI waits for it before exiting. */
    void (*on_cleanup)(void *arg);
    void *cleanup_arg;
};

struct probe_pod;

/* kind: PROBE_DNS (target "host"), PROBE_TCP (target "host:port"), PROBE_ENVOY (target
 * "host:port": is there an outbound|port||host cluster in the sidecar's Envoy). cb runs once
 * on the loop; the pod is deleted afterwards in every case. kc borrowed; it must outlive the
 * probe (cancel it first). *out (optional) borrowed until cb runs. */
int probe_pod_start(uv_loop_t *loop, struct kube_client *kc, enum probe_kind kind,
                    const char *target, const struct probe_pod_opts *o, probe_cb *cb, void *arg,
                    struct probe_pod **out, struct pxerr *err) PXC_MUST_CHECK;
/* Before cb: cancel (cb runs with PROBE_CANCELLED, the pod is deleted). After cb, while the
 * delete is in flight: give up on the delete (the pod, labelled managed-by=pxcmesh, may be
 * left behind) and free now, e.g. when the console quits. */
void probe_pod_cancel(struct probe_pod *p);

/* Parsers of the tools' output, into r (status, summary, addrs...). Pure; tested alone. */
void probe_pod_parse_nslookup(const char *out, struct probe_result *r);
void probe_pod_parse_nc(const char *out, struct probe_result *r);
void probe_pod_parse_envoy(const char *out, const char *host, int port, struct probe_result *r);

#endif
