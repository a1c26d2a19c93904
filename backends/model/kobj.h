/* kobj: derive model state from Kubernetes objects. Pure functions over a decoded
 * object (jansson json_t *, always borrowed and never kept): they copy out only what the
 * model holds, interning repeated strings, and derive what the console shows:
 *
 *   namespace injection mode (labels):
 *     istio-injection=enabled   -> INJ_ENABLED   (wins over istio.io/rev)
 *     istio-injection=disabled  -> INJ_DISABLED  (wins over everything)
 *     istio-injection=<other>   -> INJ_DISABLED  (no Istio webhook matches then)
 *     istio.io/rev=REV          -> INJ_REVISION, revision REV
 *     none of these             -> INJ_NONE
 *   pod sidecar (see kobj_sidecar_state):
 *     istio-proxy in spec.containers, or in spec.initContainers with
 *     restartPolicy: Always (native sidecar)                       -> SIDECAR_INJECTED
 *     else injection expected for it (namespace enabled/revision, or unlabelled
 *     namespace with pod label sidecar.istio.io/inject=true or istio.io/rev), and the
 *     pod does not opt out (label sidecar.istio.io/inject: "false", or the annotation
 *     false as Go's ParseBool reads it), is not hostNetwork, and is not in a namespace
 *     Istio never injects (kube-system, kube-public, kube-node-lease,
 *     local-path-storage)            -> SIDECAR_MISSING, restart_needed = true
 *     else                           -> SIDECAR_DISABLED
 *   (These are the selectors of Istio's injector webhooks, see the shared fixture
 *   istio/default-injector.yaml.)
 *
 * Objects: metadata.name is required; metadata.namespace defaults to "default" as
 * kubectl does for namespaced kinds. Missing optional fields take the documented
 * default; a field present with the wrong type is an error naming the object and the
 * field, e.g. "pod pxc/pxc-cluster-pxc-0: status.containerStatuses[1].restartCount:
 * expected integer, got string" (PXE_SCHEMA). Every apply is transactional: the object
 * is parsed completely before the model changes, so on error the model is untouched.
 *
 * Cost: an apply is O(size of the object) plus an O(1) hash lookup for pods and an
 * O(n) scan of the small collections (namespaces, PXC CRs, ServiceEntries, nodes: tens).
 * A namespace apply whose injection mode changed re-derives that namespace's pods,
 * O(pods of the cluster). 20,000 pod applies are linear.
 *
 * Istio's presence (kobj_set_istio): a MutatingWebhookConfiguration of Istio's injector
 * (kobj_is_istio_webhook) or an istiod pod exists; istiod's version is the tag of its
 * discovery image (kobj_istiod_version), else its operator.istio.io/version label, else
 * istio.io/rev.
 *
 * Thread: kobj_apply_* / kobj_delete_* / kobj_pod_commit / kobj_recompute_sidecars /
 * kobj_set_istio change the model: loop thread only. kobj_pod_parse / kobj_pod_fini and
 * the Istio readers touch no model and may run on any thread (the informer may decode
 * pages off the loop and hand over parsed pods). */
#ifndef PXC_BACKENDS_MODEL_KOBJ_H
#define PXC_BACKENDS_MODEL_KOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "pxerr.h"
#include "model/model.h"

/* Upsert from a v1 Namespace: injection mode, revision, creationTimestamp. When the
 * injection mode or revision changed, the pods of that namespace are re-derived. */
int kobj_apply_namespace(struct model *m, struct m_cluster *c, json_t *obj,
                         struct pxerr *err) PXC_MUST_CHECK;

/* Upsert from a v1 Pod: status.phase (default "Pending"), Ready condition, status.podIP,
 * spec.nodeName, labels app.kubernetes.io/instance and app.kubernetes.io/component,
 * percona.com/replicationPod=="true", restarts (sum of containerStatuses[].restartCount
 * plus those of native-sidecar init containers, as kubectl's RESTARTS column),
 * metadata.creationTimestamp, and the sidecar facts and state described above. */
int kobj_apply_pod(struct model *m, struct m_cluster *c, json_t *obj,
                   struct pxerr *err) PXC_MUST_CHECK;

/* Upsert from a pxc.percona.com PerconaXtraDBCluster: status.state (default "unknown",
 * the operator's own word), spec.pxc.size, status.pxc.ready (default 0),
 * spec.pxc.expose.enabled, spec.secretsName (default "<name>-secrets", the operator's
 * default), spec.pxc.replicationChannels[] {name, isSource, sourcesList[] {host, port
 * (default 3306), weight (default 100)}}. The channel list is replaced whole. */
int kobj_apply_pxc(struct model *m, struct m_cluster *c, json_t *obj,
                   struct pxerr *err) PXC_MUST_CHECK;

/* Upsert from a networking.istio.io ServiceEntry (v1, v1beta1 or v1alpha3: same spec):
 * spec.hosts[], addresses[], ports[] {number, name, protocol}, location (default
 * MESH_EXTERNAL), resolution (default NONE), endpoints[] {address, ports map}. An
 * endpoint's port is its ports-map entry for the first service port's name, else its
 * first entry, else 0 (= the service port). The spec is replaced whole. */
int kobj_apply_sentry(struct model *m, struct m_cluster *c, json_t *obj,
                      struct pxerr *err) PXC_MUST_CHECK;

/* Upsert from a v1 Node: status.addresses[] InternalIP and ExternalIP ("" if none). */
int kobj_apply_node(struct model *m, struct m_cluster *c, json_t *obj,
                    struct pxerr *err) PXC_MUST_CHECK;

/* Remove by metadata (name, and namespace where namespaced). Deleting what the model
 * does not hold is not an error (a DELETED event after a relist). The only error is an
 * object without metadata.name. Deleting a namespace re-derives its remaining pods. */
int kobj_delete_namespace(struct model *m, struct m_cluster *c, json_t *obj,
                          struct pxerr *err) PXC_MUST_CHECK;
int kobj_delete_pod(struct model *m, struct m_cluster *c, json_t *obj,
                    struct pxerr *err) PXC_MUST_CHECK;
int kobj_delete_pxc(struct model *m, struct m_cluster *c, json_t *obj,
                    struct pxerr *err) PXC_MUST_CHECK;
int kobj_delete_sentry(struct model *m, struct m_cluster *c, json_t *obj,
                       struct pxerr *err) PXC_MUST_CHECK;
int kobj_delete_node(struct model *m, struct m_cluster *c, json_t *obj,
                     struct pxerr *err) PXC_MUST_CHECK;

/* Re-derive sidecar and restart_needed of every pod of c from the stored pod facts and
 * the current namespaces: O(pods). Needed when pods arrived before their namespace
 * (the apply calls do it themselves when a namespace's mode changes). Marks DIRTY_PODS
 * only if some pod changed. */
void kobj_recompute_sidecars(struct model *m, struct m_cluster *c);

/* The derivation itself. ns (borrowed) may be NULL (namespace not seen yet: treated as
 * unlabelled). *restart_needed (may be NULL) is set true exactly for SIDECAR_MISSING. */
enum sidecar_state kobj_sidecar_state(const struct m_namespace *ns, const struct m_pod *p,
                                      bool *restart_needed);

/* ---- two-step pod apply, for informers that decode off the loop ---- */

/* A pod reduced to what the model keeps. Strings are owned (kobj_pod_fini frees them);
 * NULL means absent. */
struct kobj_pod {
    char *ns, *name; /* name required; ns defaults to "default" */
    char *phase;     /* never NULL after a successful parse */
    char *node, *instance, *component;
    bool ready;
    bool replication_pod;
    char ip[46];
    int restarts;
    int64_t created_ms; /* 0 unknown */
    bool has_proxy;
    signed char inject_opt; /* as struct m_pod */
    bool rev_label;
};

/* Parse obj (borrowed) into *out (caller-owned storage; fully overwritten). On error
 * *out holds nothing to free. Any thread. */
int kobj_pod_parse(json_t *obj, struct kobj_pod *out, struct pxerr *err) PXC_MUST_CHECK;
/* Where a pod's metadata.namespace and metadata.name sit in its JSON text (borrowed from
 * it, not NUL-terminated): ns_len 0 when the object has none (kobj_pod.ns then says
 * "default"). */
struct kobj_pod_id {
    const char *ns, *name;
    size_t ns_len, name_len;
};
/* The same as json_loadb and kobj_pod_parse, read straight from the pod's JSON text s[0..n)
 * (borrowed) without building a tree (kobj_text.c). true: *out is filled exactly as they
 * would fill it and *id says where the pod's names are. false: the text is not certainly a
 * valid pod in the plain shape the API server writes (an escape in a key or a field read, a
 * number that is not a small integer, a field of another type, malformed JSON): *out holds
 * nothing to free, and the caller takes the tree road, which words any error. Any thread. */
bool kobj_pod_parse_text(const char *s, size_t n, struct kobj_pod *out,
                         struct kobj_pod_id *id) PXC_MUST_CHECK;
/* Upsert the parsed pod (borrowed; strings are copied or interned). Loop thread. */
void kobj_pod_commit(struct model *m, struct m_cluster *c, const struct kobj_pod *kp);
void kobj_pod_fini(struct kobj_pod *kp); /* frees the strings; NULL-safe */

/* ---- Istio's presence ---- */

/* Whether a MutatingWebhookConfiguration (obj borrowed) is Istio's sidecar injector: named
 * istio-sidecar-injector* or istio-revision-tag*, or holding a webhook named
 * *sidecar-injector.istio.io. Any thread. */
bool kobj_is_istio_webhook(json_t *obj);
/* istiod's version from its pod (obj borrowed) into buf: the image tag of its first
 * container or of the one named discovery (the first of them that has a tag), else the label
 * operator.istio.io/version, else istio.io/rev; "" when none says. Any thread. */
void kobj_istiod_version(json_t *obj, char *buf, size_t n);
/* The cluster's istio_installed, and istio_version unless version is NULL or "" (a known
 * version is kept). DIRTY_CLUSTERS only on a change. Loop thread. */
void kobj_set_istio(struct model *m, struct m_cluster *c, bool installed, const char *version);

#endif
