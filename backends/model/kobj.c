/* kobj: Kubernetes objects in, model state out. This is the one place that knows the
 * shape of a Pod, a Namespace, a PerconaXtraDBCluster, a ServiceEntry and a Node, and
 * the rules Istio's injector applies, so that the live informers, `pxcmesh status` and
 * the tests all derive sidecar state the same way.
 *
 * Deliberately not here: fetching (kube_watch), judging (the doctor), and keeping the
 * JSON. Each object is read once, its few fields copied or interned, and forgotten.
 * Every apply parses the whole object into locals before it touches the model, so a
 * malformed object changes nothing and says which field was wrong. */
#include "model/kobj.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "codec/jsonu.h"

/* ---- reading JSON with errors that name the object and the field ---- */

struct kctx {
    const char *kind; /* "pod", "namespace", ... */
    char id[300];     /* "ns/name", "name", or "(no name)" until known */
    struct pxerr *err;
};

static int PXC_PRINTF(3, 4) kfail(struct kctx *k, const char *path, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pxerr_set(k->err, PXE_SCHEMA, "%s %s: %s: %s", k->kind, k->id, path, msg);
}

/* JSON_TRUE stands for "boolean" here. */
static const char *
want_word(json_type t)
{
    switch (t) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_TRUE:
        return "boolean";
    default:
        break;
    }
    return "value";
}

/* parent[key] when it has type t; *out NULL when parent is NULL or the key is absent or
 * null (the API server omits empty fields, and some tools write them as null). */
static int
kget(struct kctx *k, json_t *parent, const char *key, const char *path, json_type t, json_t **out)
{
    *out = NULL;
    if (parent == NULL)
        return 0;
    json_t *v = json_object_get(parent, key);
    if (v == NULL || json_is_null(v))
        return 0;
    bool ok = t == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == t;
    if (!ok)
        return kfail(k, path, "expected %s, got %s", want_word(t), jsonu_type_name(v));
    *out = v;
    return 0;
}

static int
kget_str(struct kctx *k, json_t *parent, const char *key, const char *path, const char **out)
{
    json_t *v;
    int rc = kget(k, parent, key, path, JSON_STRING, &v);
    *out = v ? json_string_value(v) : NULL;
    return rc;
}

static int
kget_int(struct kctx *k, json_t *parent, const char *key, const char *path, long long min,
         long long max, long long dflt, long long *out)
{
    json_t *v;
    int rc = kget(k, parent, key, path, JSON_INTEGER, &v);
    if (rc != 0)
        return rc;
    *out = dflt;
    if (v == NULL)
        return 0;
    long long x = json_integer_value(v);
    if (x < min || x > max)
        return kfail(k, path, "%lld is out of range (%lld..%lld)", x, min, max);
    *out = x;
    return 0;
}

static int
kget_bool(struct kctx *k, json_t *parent, const char *key, const char *path, bool *out)
{
    json_t *v;
    int rc = kget(k, parent, key, path, JSON_TRUE, &v);
    *out = v ? json_is_true(v) : false;
    return rc;
}

/* metadata: name (required), namespace (default "default" when namespaced), labels,
 * annotations. Sets k->id so that every later message names the object. */
struct meta {
    const char *name, *ns;
    json_t *labels, *annotations;
    int64_t created_ms;
};

static int
kmeta(struct kctx *k, json_t *obj, bool namespaced, struct meta *md)
{
    json_t *m;
    int rc;
    memset(md, 0, sizeof *md);
    snprintf(k->id, sizeof k->id, "(no name)");
    if (!json_is_object(obj))
        return kfail(k, "(object)", "expected object, got %s", obj ? jsonu_type_name(obj) : "nothing");
    if ((rc = kget(k, obj, "metadata", "metadata", JSON_OBJECT, &m)) != 0)
        return rc;
    if ((rc = kget_str(k, m, "name", "metadata.name", &md->name)) != 0)
        return rc;
    if (md->name == NULL || md->name[0] == '\0')
        return kfail(k, "metadata.name", "missing; every object needs a name");
    if (namespaced) {
        if ((rc = kget_str(k, m, "namespace", "metadata.namespace", &md->ns)) != 0)
            return rc;
        if (md->ns == NULL || md->ns[0] == '\0')
            md->ns = "default"; /* as kubectl does for a namespaced object without one */
        snprintf(k->id, sizeof k->id, "%s/%s", md->ns, md->name);
    } else {
        snprintf(k->id, sizeof k->id, "%s", md->name);
    }
    const char *ts;
    if ((rc = kget(k, m, "labels", "metadata.labels", JSON_OBJECT, &md->labels)) != 0 ||
        (rc = kget(k, m, "annotations", "metadata.annotations", JSON_OBJECT, &md->annotations)) !=
            0 ||
        (rc = kget_str(k, m, "creationTimestamp", "metadata.creationTimestamp", &ts)) != 0)
        return rc;
    if (ts != NULL && clock_parse_rfc3339(ts, &md->created_ms) != 0)
        return kfail(k, "metadata.creationTimestamp", "\"%.40s\" is not an RFC 3339 time", ts);
    return 0;
}

/* A label or annotation value; maps are string to string in Kubernetes. */
static int
kmap_str(struct kctx *k, json_t *map, const char *mapname, const char *key, const char **out)
{
    char path[160];
    snprintf(path, sizeof path, "metadata.%s[\"%s\"]", mapname, key);
    return kget_str(k, map, key, path, out);
}

/* ---- namespaces ---- */

/* Which pods of namespace ns (interned) need their sidecar state re-derived. */
static void
recompute_ns(struct model *m, struct m_cluster *c, const struct m_namespace *ns,
             const char *ns_name)
{
    bool changed = false;
    for (size_t i = 0; i < c->pods.n; i++) {
        struct m_pod *p = c->pods.items[i];
        if (p->ns != ns_name) /* both interned in m->strings: pointer equality */
            continue;
        bool restart;
        enum sidecar_state s = kobj_sidecar_state(ns, p, &restart);
        if (s != p->sidecar || restart != p->restart_needed) {
            p->sidecar = s;
            p->restart_needed = restart;
            changed = true;
        }
    }
    if (changed)
        model_touch(m, DIRTY_PODS);
}

int
kobj_apply_namespace(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "namespace", .err = err};
    struct meta md;
    const char *inj, *rev;
    int rc;
    if ((rc = kmeta(&k, obj, false, &md)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "istio-injection", &inj)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "istio.io/rev", &rev)) != 0)
        return rc;
    enum injection_mode mode = INJ_NONE;
    if (inj != NULL) {
        /* Istio's webhooks match istio-injection=enabled only, and the revision and
         * object webhooks require the label to be absent: any other value disables. */
        mode = strcmp(inj, "enabled") == 0 ? INJ_ENABLED : INJ_DISABLED;
        rev = NULL;
    } else if (rev != NULL && rev[0] != '\0') {
        mode = INJ_REVISION;
    } else {
        rev = NULL;
    }
    struct m_namespace *ns = model_ns_find(c, md.name);
    bool fresh = ns == NULL;
    const char *irev = intern_str(&m->strings, rev);
    bool changed = fresh || ns->injection != mode || ns->revision != irev;
    ns = model_ns_upsert(m, c, md.name);
    ns->injection = mode;
    ns->revision = irev;
    ns->created_ms = md.created_ms;
    /* A new unlabelled namespace derives exactly what "not seen yet" derived. */
    if (changed && !(fresh && mode == INJ_NONE))
        recompute_ns(m, c, ns, ns->name);
    return 0;
}

int
kobj_delete_namespace(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "namespace", .err = err};
    struct meta md;
    int rc = kmeta(&k, obj, false, &md);
    if (rc != 0)
        return rc;
    struct m_namespace *ns = model_ns_find(c, md.name);
    if (ns == NULL)
        return 0;
    const char *name = ns->name; /* interned: outlives the namespace object */
    model_ns_remove(m, c, md.name);
    recompute_ns(m, c, NULL, name);
    return 0;
}

/* ---- pods ---- */

/* Namespaces Istio's injector never touches (pkg/kube/inject: IgnoredNamespaces). */
static bool
ignored_namespace(const char *ns)
{
    static const char *const names[] = {"kube-system", "kube-public", "kube-node-lease",
                                        "local-path-storage"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(ns, names[i]) == 0)
            return true;
    return false;
}

enum sidecar_state
kobj_sidecar_state(const struct m_namespace *ns, const struct m_pod *p, bool *restart_needed)
{
    if (restart_needed != NULL)
        *restart_needed = false;
    if (p->has_proxy)
        return SIDECAR_INJECTED;
    if (p->inject_opt < 0 || (p->ns != NULL && ignored_namespace(p->ns)))
        return SIDECAR_DISABLED;
    bool expected;
    switch (ns ? ns->injection : INJ_NONE) {
    case INJ_ENABLED:
    case INJ_REVISION:
        expected = true;
        break;
    case INJ_NONE:
        /* The object webhooks: an unlabelled namespace, the pod opting in itself. */
        expected = p->inject_opt > 0 || p->rev_label;
        break;
    case INJ_DISABLED:
    default:
        expected = false;
        break;
    }
    if (!expected)
        return SIDECAR_DISABLED;
    if (restart_needed != NULL)
        *restart_needed = true; /* injection happens only at creation: recreate the pod */
    return SIDECAR_MISSING;
}

/* Istio reads the annotation with Go's strconv.ParseBool. */
static bool
parse_bool_false(const char *s)
{
    static const char *const f[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(s, f[i]) == 0)
            return true;
    return false;
}

void
kobj_pod_fini(struct kobj_pod *kp)
{
    if (kp == NULL)
        return;
    free(kp->ns);
    free(kp->name);
    free(kp->phase);
    free(kp->node);
    free(kp->instance);
    free(kp->component);
    memset(kp, 0, sizeof *kp);
}

/* Names of restartable (native sidecar) init containers, for the restart sum. */
#define MAX_SIDECARS 16

static int
pod_containers(struct kctx *k, json_t *spec, bool *has_proxy, const char **sidecars,
               int *n_sidecars)
{
    json_t *arr;
    int rc;
    char path[96];
    *has_proxy = false;
    *n_sidecars = 0;
    if ((rc = kget(k, spec, "containers", "spec.containers", JSON_ARRAY, &arr)) != 0)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *name;
        snprintf(path, sizeof path, "spec.containers[%zu]", i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "spec.containers[%zu].name", i);
        if ((rc = kget_str(k, e, "name", path, &name)) != 0)
            return rc;
        if (name != NULL && strcmp(name, "istio-proxy") == 0)
            *has_proxy = true;
    }
    if ((rc = kget(k, spec, "initContainers", "spec.initContainers", JSON_ARRAY, &arr)) != 0)
        return rc;
    json_array_foreach(arr, i, e) {
        const char *name, *policy;
        snprintf(path, sizeof path, "spec.initContainers[%zu]", i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "spec.initContainers[%zu].name", i);
        if ((rc = kget_str(k, e, "name", path, &name)) != 0)
            return rc;
        snprintf(path, sizeof path, "spec.initContainers[%zu].restartPolicy", i);
        if ((rc = kget_str(k, e, "restartPolicy", path, &policy)) != 0)
            return rc;
        if (name == NULL || policy == NULL || strcmp(policy, "Always") != 0)
            continue;
        /* restartPolicy Always on an init container: a native sidecar (KEP-753). */
        if (strcmp(name, "istio-proxy") == 0)
            *has_proxy = true;
        if (*n_sidecars < MAX_SIDECARS)
            sidecars[(*n_sidecars)++] = name;
    }
    return 0;
}

static int
sum_restarts(struct kctx *k, json_t *status, const char *key, const char **only, int n_only,
             bool all, int *sum)
{
    json_t *arr;
    char path[96];
    snprintf(path, sizeof path, "status.%s", key);
    int rc = kget(k, status, key, path, JSON_ARRAY, &arr);
    if (rc != 0)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *name;
        long long n;
        snprintf(path, sizeof path, "status.%s[%zu]", key, i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "status.%s[%zu].name", key, i);
        if ((rc = kget_str(k, e, "name", path, &name)) != 0)
            return rc;
        snprintf(path, sizeof path, "status.%s[%zu].restartCount", key, i);
        if ((rc = kget_int(k, e, "restartCount", path, 0, 1 << 30, 0, &n)) != 0)
            return rc;
        bool counted = all;
        for (int j = 0; !counted && j < n_only; j++)
            counted = name != NULL && strcmp(name, only[j]) == 0;
        if (counted && *sum < (1 << 30) - n)
            *sum += (int)n;
    }
    return 0;
}

int
kobj_pod_parse(json_t *obj, struct kobj_pod *out, struct pxerr *err)
{
    struct kctx k = {.kind = "pod", .err = err};
    struct meta md;
    json_t *spec, *status, *conds;
    const char *instance, *component, *repl, *inj_l, *inj_a, *rev, *node, *phase, *ip;
    const char *sidecars[MAX_SIDECARS];
    int n_sidecars, rc;
    bool has_proxy, host_net;
    memset(out, 0, sizeof *out);
    if ((rc = kmeta(&k, obj, true, &md)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "app.kubernetes.io/instance", &instance)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "app.kubernetes.io/component", &component)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "percona.com/replicationPod", &repl)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "sidecar.istio.io/inject", &inj_l)) != 0 ||
        (rc = kmap_str(&k, md.labels, "labels", "istio.io/rev", &rev)) != 0 ||
        (rc = kmap_str(&k, md.annotations, "annotations", "sidecar.istio.io/inject", &inj_a)) !=
            0 ||
        (rc = kget(&k, obj, "spec", "spec", JSON_OBJECT, &spec)) != 0 ||
        (rc = kget(&k, obj, "status", "status", JSON_OBJECT, &status)) != 0 ||
        (rc = kget_str(&k, spec, "nodeName", "spec.nodeName", &node)) != 0 ||
        (rc = kget_bool(&k, spec, "hostNetwork", "spec.hostNetwork", &host_net)) != 0 ||
        (rc = pod_containers(&k, spec, &has_proxy, sidecars, &n_sidecars)) != 0 ||
        (rc = kget_str(&k, status, "phase", "status.phase", &phase)) != 0 ||
        (rc = kget_str(&k, status, "podIP", "status.podIP", &ip)) != 0 ||
        (rc = kget(&k, status, "conditions", "status.conditions", JSON_ARRAY, &conds)) != 0)
        return rc;
    if (ip != NULL && strlen(ip) >= sizeof out->ip)
        return kfail(&k, "status.podIP", "\"%.60s\" is not an IP address", ip);
    bool ready = false;
    size_t i;
    json_t *e;
    json_array_foreach(conds, i, e) {
        const char *type, *st;
        char path[64];
        snprintf(path, sizeof path, "status.conditions[%zu]", i);
        if (!json_is_object(e))
            return kfail(&k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "status.conditions[%zu].type", i);
        if ((rc = kget_str(&k, e, "type", path, &type)) != 0)
            return rc;
        snprintf(path, sizeof path, "status.conditions[%zu].status", i);
        if ((rc = kget_str(&k, e, "status", path, &st)) != 0)
            return rc;
        if (type != NULL && strcmp(type, "Ready") == 0)
            ready = st != NULL && strcmp(st, "True") == 0;
    }
    int restarts = 0;
    if ((rc = sum_restarts(&k, status, "containerStatuses", NULL, 0, true, &restarts)) != 0 ||
        (rc = sum_restarts(&k, status, "initContainerStatuses", sidecars, n_sidecars, false,
                           &restarts)) != 0)
        return rc;

    /* Everything read: only now allocate, so an error above leaves nothing to free. */
    out->ns = xstrdup(md.ns);
    out->name = xstrdup(md.name);
    /* The API server sets Pending on creation; an object without status is one that
     * has not been admitted yet (or a manifest). */
    out->phase = xstrdup(phase ? phase : "Pending");
    out->node = xstrdup_or_null(node);
    out->instance = xstrdup_or_null(instance);
    out->component = xstrdup_or_null(component);
    out->ready = ready;
    out->replication_pod = repl != NULL && strcmp(repl, "true") == 0;
    snprintf(out->ip, sizeof out->ip, "%s", ip ? ip : "");
    out->restarts = restarts;
    out->created_ms = md.created_ms;
    out->has_proxy = has_proxy;
    /* Opt-out: the webhooks' objectSelector (label NotIn "false") and the injector's
     * own policy (annotation, ParseBool). Istio also never injects hostNetwork pods. */
    if ((inj_l != NULL && strcmp(inj_l, "false") == 0) ||
        (inj_a != NULL && parse_bool_false(inj_a)) || host_net)
        out->inject_opt = -1;
    else if (inj_l != NULL && strcmp(inj_l, "true") == 0)
        out->inject_opt = 1;
    out->rev_label = rev != NULL;
    return 0;
}

void
kobj_pod_commit(struct model *m, struct m_cluster *c, const struct kobj_pod *kp)
{
    struct intern *in = &m->strings;
    struct m_pod *p = model_pod_upsert(m, c, kp->ns, kp->name);
    p->phase = intern_str(in, kp->phase);
    p->ready = kp->ready;
    memcpy(p->ip, kp->ip, sizeof p->ip);
    p->node = intern_str(in, kp->node);
    p->instance = intern_str(in, kp->instance);
    p->component = intern_str(in, kp->component);
    p->replication_pod = kp->replication_pod;
    p->restarts = kp->restarts;
    p->created_ms = kp->created_ms;
    p->has_proxy = kp->has_proxy;
    p->inject_opt = kp->inject_opt;
    p->rev_label = kp->rev_label;
    p->sidecar = kobj_sidecar_state(model_ns_find(c, p->ns), p, &p->restart_needed);
}

int
kobj_apply_pod(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kobj_pod kp;
    int rc = kobj_pod_parse(obj, &kp, err);
    if (rc != 0)
        return rc;
    kobj_pod_commit(m, c, &kp);
    kobj_pod_fini(&kp);
    return 0;
}

int
kobj_delete_pod(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "pod", .err = err};
    struct meta md;
    int rc = kmeta(&k, obj, true, &md);
    if (rc == 0)
        model_pod_remove(m, c, md.ns, md.name);
    return rc;
}

void
kobj_recompute_sidecars(struct model *m, struct m_cluster *c)
{
    bool changed = false;
    /* Namespaces are few; look each pod's up by interned pointer through a one-entry
     * cache, since pods of one namespace tend to sit together. */
    const char *last_ns = NULL;
    const struct m_namespace *last = NULL;
    for (size_t i = 0; i < c->pods.n; i++) {
        struct m_pod *p = c->pods.items[i];
        if (p->ns != last_ns || last_ns == NULL) {
            last_ns = p->ns;
            last = NULL;
            for (size_t j = 0; j < c->namespaces.n; j++) {
                struct m_namespace *ns = c->namespaces.items[j];
                if (ns->name == p->ns) {
                    last = ns;
                    break;
                }
            }
        }
        bool restart;
        enum sidecar_state s = kobj_sidecar_state(last, p, &restart);
        if (s != p->sidecar || restart != p->restart_needed) {
            p->sidecar = s;
            p->restart_needed = restart;
            changed = true;
        }
    }
    if (changed)
        model_touch(m, DIRTY_PODS);
}

/* ---- PerconaXtraDBCluster ---- */

static void
pxc_channel_free(void *p)
{
    struct m_pxc_channel *ch = p;
    for (int i = 0; i < ch->n_sources; i++)
        free(ch->sources[i].host);
    free(ch->sources);
    free(ch->name);
    free(ch);
}

static int
pxc_channels(struct kctx *k, json_t *pxc, struct vec *out)
{
    json_t *arr;
    char path[128];
    int rc = kget(k, pxc, "replicationChannels", "spec.pxc.replicationChannels", JSON_ARRAY, &arr);
    if (rc != 0)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *name;
        bool is_source;
        json_t *list;
        snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu]", i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].name", i);
        if ((rc = kget_str(k, e, "name", path, &name)) != 0)
            return rc;
        if (name == NULL)
            return kfail(k, path, "missing; every replication channel needs a name");
        snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].isSource", i);
        if ((rc = kget_bool(k, e, "isSource", path, &is_source)) != 0)
            return rc;
        snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].sourcesList", i);
        if ((rc = kget(k, e, "sourcesList", path, JSON_ARRAY, &list)) != 0)
            return rc;
        struct m_pxc_channel *ch = xcalloc(1, sizeof *ch);
        ch->name = xstrdup(name);
        ch->is_source = is_source;
        vec_push(out, ch); /* owned by out: freed with it on a later error */
        size_t n = json_array_size(list);
        if (n == 0)
            continue;
        ch->sources = xcalloc(n, sizeof *ch->sources);
        size_t j;
        json_t *s;
        json_array_foreach(list, j, s) {
            const char *host;
            long long port, weight;
            snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].sourcesList[%zu]", i, j);
            if (!json_is_object(s))
                return kfail(k, path, "expected object, got %s", jsonu_type_name(s));
            snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].sourcesList[%zu].host",
                     i, j);
            if ((rc = kget_str(k, s, "host", path, &host)) != 0)
                return rc;
            if (host == NULL)
                return kfail(k, path, "missing; a replication source needs a host");
            snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].sourcesList[%zu].port",
                     i, j);
            if ((rc = kget_int(k, s, "port", path, 1, 65535, 3306, &port)) != 0)
                return rc;
            snprintf(path, sizeof path, "spec.pxc.replicationChannels[%zu].sourcesList[%zu].weight",
                     i, j);
            if ((rc = kget_int(k, s, "weight", path, 0, 1000000, 100, &weight)) != 0)
                return rc;
            ch->sources[j].host = xstrdup(host);
            ch->sources[j].port = (int)port;
            ch->sources[j].weight = (int)weight;
            ch->n_sources = (int)j + 1;
        }
    }
    return 0;
}

int
kobj_apply_pxc(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "PerconaXtraDBCluster", .err = err};
    struct meta md;
    json_t *spec, *status, *pxc, *expose, *spxc;
    const char *state, *secrets;
    long long size, ready;
    bool exposed;
    int rc;
    if ((rc = kmeta(&k, obj, true, &md)) != 0 ||
        (rc = kget(&k, obj, "spec", "spec", JSON_OBJECT, &spec)) != 0 ||
        (rc = kget(&k, obj, "status", "status", JSON_OBJECT, &status)) != 0 ||
        (rc = kget(&k, spec, "pxc", "spec.pxc", JSON_OBJECT, &pxc)) != 0 ||
        (rc = kget_int(&k, pxc, "size", "spec.pxc.size", 0, 1000, 0, &size)) != 0 ||
        (rc = kget(&k, pxc, "expose", "spec.pxc.expose", JSON_OBJECT, &expose)) != 0 ||
        (rc = kget_bool(&k, expose, "enabled", "spec.pxc.expose.enabled", &exposed)) != 0 ||
        (rc = kget_str(&k, spec, "secretsName", "spec.secretsName", &secrets)) != 0 ||
        (rc = kget_str(&k, status, "state", "status.state", &state)) != 0 ||
        (rc = kget(&k, status, "pxc", "status.pxc", JSON_OBJECT, &spxc)) != 0 ||
        (rc = kget_int(&k, spxc, "ready", "status.pxc.ready", 0, 1000, 0, &ready)) != 0)
        return rc;
    struct vec chans;
    vec_init(&chans, pxc_channel_free);
    if ((rc = pxc_channels(&k, pxc, &chans)) != 0) {
        vec_fini(&chans);
        return rc;
    }
    struct m_pxc *x = model_pxc_upsert(m, c, md.ns, md.name);
    x->state = intern_str(&m->strings, state && state[0] ? state : "unknown");
    x->size = (int)size;
    x->ready = (int)ready;
    x->expose = exposed;
    if (secrets != NULL && secrets[0] != '\0') {
        model_set_str(&x->secrets_name, secrets);
    } else {
        char *dflt = xasprintf("%s-secrets", md.name); /* the operator's default */
        model_set_str(&x->secrets_name, dflt);
        free(dflt);
    }
    /* Swap the channel lists: the model's old ones are freed with chans. */
    struct vec old = x->channels;
    x->channels = chans;
    vec_fini(&old);
    return 0;
}

int
kobj_delete_pxc(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "PerconaXtraDBCluster", .err = err};
    struct meta md;
    int rc = kmeta(&k, obj, true, &md);
    if (rc == 0)
        model_pxc_remove(m, c, md.ns, md.name);
    return rc;
}

/* ---- ServiceEntry ---- */

struct se_spec {
    int n_hosts, n_addresses, n_ports, n_endpoints;
    char **hosts, **addresses;
    struct m_port *ports;
    struct m_endpoint *endpoints;
};

static void
se_spec_fini(struct se_spec *s)
{
    for (int i = 0; i < s->n_hosts; i++)
        free(s->hosts[i]);
    for (int i = 0; i < s->n_addresses; i++)
        free(s->addresses[i]);
    free(s->hosts);
    free(s->addresses);
    free(s->ports);
    free(s->endpoints);
    memset(s, 0, sizeof *s);
}

/* An array of strings: each element checked, copies into *out (count raised per copy so
 * that se_spec_fini frees exactly what was made). */
static int
se_strings(struct kctx *k, json_t *spec, const char *key, char ***out, int *n)
{
    json_t *arr;
    char path[96];
    snprintf(path, sizeof path, "spec.%s", key);
    int rc = kget(k, spec, key, path, JSON_ARRAY, &arr);
    if (rc != 0 || json_array_size(arr) == 0)
        return rc;
    *out = xcalloc(json_array_size(arr), sizeof **out);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        if (!json_is_string(e)) {
            snprintf(path, sizeof path, "spec.%s[%zu]", key, i);
            return kfail(k, path, "expected string, got %s", jsonu_type_name(e));
        }
        (*out)[i] = xstrdup(json_string_value(e));
        *n = (int)i + 1;
    }
    return 0;
}

static int
se_parse(struct kctx *k, json_t *spec, struct se_spec *s)
{
    json_t *arr;
    char path[128];
    int rc;
    if ((rc = se_strings(k, spec, "hosts", &s->hosts, &s->n_hosts)) != 0 ||
        (rc = se_strings(k, spec, "addresses", &s->addresses, &s->n_addresses)) != 0 ||
        (rc = kget(k, spec, "ports", "spec.ports", JSON_ARRAY, &arr)) != 0)
        return rc;
    size_t i;
    json_t *e;
    if (json_array_size(arr) > 0)
        s->ports = xcalloc(json_array_size(arr), sizeof *s->ports);
    json_array_foreach(arr, i, e) {
        const char *name, *proto;
        long long num;
        snprintf(path, sizeof path, "spec.ports[%zu]", i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "spec.ports[%zu].number", i);
        if ((rc = kget_int(k, e, "number", path, 0, 65535, -1, &num)) != 0)
            return rc;
        if (num < 0)
            return kfail(k, path, "missing; every ServiceEntry port needs a number");
        snprintf(path, sizeof path, "spec.ports[%zu].name", i);
        if ((rc = kget_str(k, e, "name", path, &name)) != 0)
            return rc;
        snprintf(path, sizeof path, "spec.ports[%zu].protocol", i);
        if ((rc = kget_str(k, e, "protocol", path, &proto)) != 0)
            return rc;
        struct m_port *p = &s->ports[i];
        p->number = (int)num;
        /* Display copies: a longer name is shown cut rather than the entry refused. */
        snprintf(p->name, sizeof p->name, "%s", name ? name : "");
        snprintf(p->protocol, sizeof p->protocol, "%s", proto ? proto : "");
        s->n_ports = (int)i + 1;
    }
    if ((rc = kget(k, spec, "endpoints", "spec.endpoints", JSON_ARRAY, &arr)) != 0)
        return rc;
    if (json_array_size(arr) > 0)
        s->endpoints = xcalloc(json_array_size(arr), sizeof *s->endpoints);
    json_array_foreach(arr, i, e) {
        const char *addr;
        json_t *ports;
        snprintf(path, sizeof path, "spec.endpoints[%zu]", i);
        if (!json_is_object(e))
            return kfail(k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "spec.endpoints[%zu].address", i);
        if ((rc = kget_str(k, e, "address", path, &addr)) != 0)
            return rc;
        snprintf(path, sizeof path, "spec.endpoints[%zu].ports", i);
        if ((rc = kget(k, e, "ports", path, JSON_OBJECT, &ports)) != 0)
            return rc;
        struct m_endpoint *ep = &s->endpoints[i];
        snprintf(ep->address, sizeof ep->address, "%s", addr ? addr : "");
        /* The model keeps one port per endpoint: the one for the first service port's
         * name (what MySQL replication uses), else the first in the map. */
        json_t *pv = NULL;
        if (ports != NULL && s->n_ports > 0)
            pv = json_object_get(ports, s->ports[0].name);
        if (pv == NULL && ports != NULL) {
            const char *key;
            json_t *val;
            json_object_foreach(ports, key, val) {
                pv = val;
                break;
            }
        }
        if (pv != NULL) {
            if (!json_is_integer(pv) || json_integer_value(pv) < 0 ||
                json_integer_value(pv) > 65535)
                return kfail(k, path, "expected a map of port name to port number (0..65535)");
            ep->port = (int)json_integer_value(pv);
        }
        s->n_endpoints = (int)i + 1;
    }
    return 0;
}

int
kobj_apply_sentry(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "ServiceEntry", .err = err};
    struct meta md;
    json_t *spec;
    const char *loc, *res;
    struct se_spec s = {0};
    int rc;
    if ((rc = kmeta(&k, obj, true, &md)) != 0 ||
        (rc = kget(&k, obj, "spec", "spec", JSON_OBJECT, &spec)) != 0 ||
        (rc = kget_str(&k, spec, "location", "spec.location", &loc)) != 0 ||
        (rc = kget_str(&k, spec, "resolution", "spec.resolution", &res)) != 0 ||
        (rc = se_parse(&k, spec, &s)) != 0) {
        se_spec_fini(&s);
        return rc;
    }
    struct m_sentry *se = model_sentry_upsert(m, c, md.ns, md.name);
    model_sentry_clear_spec(se);
    se->hosts = s.hosts;
    se->n_hosts = s.n_hosts;
    se->addresses = s.addresses;
    se->n_addresses = s.n_addresses;
    se->ports = s.ports;
    se->n_ports = s.n_ports;
    se->endpoints = s.endpoints;
    se->n_endpoints = s.n_endpoints;
    /* Istio's defaults when the fields are omitted. */
    se->location = intern_str(&m->strings, loc ? loc : "MESH_EXTERNAL");
    se->resolution = intern_str(&m->strings, res ? res : "NONE");
    return 0;
}

int
kobj_delete_sentry(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "ServiceEntry", .err = err};
    struct meta md;
    int rc = kmeta(&k, obj, true, &md);
    if (rc == 0)
        model_sentry_remove(m, c, md.ns, md.name);
    return rc;
}

/* ---- Node ---- */

int
kobj_apply_node(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "node", .err = err};
    struct meta md;
    json_t *status, *addrs;
    char internal[46] = "", external[46] = "";
    int rc;
    if ((rc = kmeta(&k, obj, false, &md)) != 0 ||
        (rc = kget(&k, obj, "status", "status", JSON_OBJECT, &status)) != 0 ||
        (rc = kget(&k, status, "addresses", "status.addresses", JSON_ARRAY, &addrs)) != 0)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(addrs, i, e) {
        const char *type, *addr;
        char path[64];
        snprintf(path, sizeof path, "status.addresses[%zu]", i);
        if (!json_is_object(e))
            return kfail(&k, path, "expected object, got %s", jsonu_type_name(e));
        snprintf(path, sizeof path, "status.addresses[%zu].type", i);
        if ((rc = kget_str(&k, e, "type", path, &type)) != 0)
            return rc;
        snprintf(path, sizeof path, "status.addresses[%zu].address", i);
        if ((rc = kget_str(&k, e, "address", path, &addr)) != 0)
            return rc;
        if (type == NULL || addr == NULL)
            continue;
        char *dst = strcmp(type, "InternalIP") == 0   ? internal
                    : strcmp(type, "ExternalIP") == 0 ? external
                                                      : NULL;
        if (dst == NULL || dst[0] != '\0') /* first of each kind, as kubectl -o wide */
            continue;
        if (strlen(addr) >= sizeof internal)
            return kfail(&k, path, "\"%.60s\" is not an IP address", addr);
        memcpy(dst, addr, strlen(addr) + 1);
    }
    struct m_node *n = model_node_upsert(m, c, md.name);
    memcpy(n->internal_ip, internal, sizeof internal);
    memcpy(n->external_ip, external, sizeof external);
    return 0;
}

int
kobj_delete_node(struct model *m, struct m_cluster *c, json_t *obj, struct pxerr *err)
{
    struct kctx k = {.kind = "node", .err = err};
    struct meta md;
    int rc = kmeta(&k, obj, false, &md);
    if (rc == 0)
        model_node_remove(m, c, md.name);
    return rc;
}

/* ---- Istio's presence ---- */

static const char *
str_or_empty(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

bool
kobj_is_istio_webhook(json_t *obj)
{
    const char *name = str_or_empty(json_object_get(obj, "metadata"), "name");
    if (strstr(name, "istio-sidecar-injector") || strncmp(name, "istio-revision-tag", 18) == 0)
        return true;
    json_t *hooks = json_object_get(obj, "webhooks");
    size_t i;
    json_t *w;
    json_array_foreach(hooks, i, w) {
        const char *wn = str_or_empty(w, "name");
        size_t n = strlen(wn);
        if (n >= 25 && strcmp(wn + n - 25, "sidecar-injector.istio.io") == 0)
            return true;
    }
    return false;
}

void
kobj_istiod_version(json_t *obj, char *buf, size_t n)
{
    buf[0] = '\0';
    json_t *containers = json_object_get(json_object_get(obj, "spec"), "containers");
    size_t i;
    json_t *c;
    json_array_foreach(containers, i, c) {
        const char *img = str_or_empty(c, "image");
        if (strcmp(str_or_empty(c, "name"), "discovery") != 0 && i > 0)
            continue;
        /* name[:tag][@digest]: the tag is after the last ':' of the last path element,
         * before any digest (whose "sha256:" has a ':' of its own). */
        const char *at = strchr(img, '@');
        size_t end = at ? (size_t)(at - img) : strlen(img);
        const char *colon = NULL;
        for (size_t k = 0; k < end; k++) {
            if (img[k] == '/')
                colon = NULL; /* a registry's port is not a tag */
            else if (img[k] == ':')
                colon = img + k;
        }
        if (colon != NULL && colon + 1 < img + end) {
            snprintf(buf, n, "%.*s", (int)(img + end - colon - 1), colon + 1);
            return;
        }
    }
    json_t *labels = json_object_get(json_object_get(obj, "metadata"), "labels");
    const char *v = str_or_empty(labels, "operator.istio.io/version");
    if (!v[0])
        v = str_or_empty(labels, "istio.io/rev");
    snprintf(buf, n, "%s", v);
}

void
kobj_set_istio(struct model *m, struct m_cluster *c, bool installed, const char *version)
{
    if (c->istio_installed != installed) {
        c->istio_installed = installed;
        model_touch(m, DIRTY_CLUSTERS);
    }
    const char *iv = version && version[0] ? intern_str(&m->strings, version) : NULL;
    if (iv && iv != c->istio_version) {
        c->istio_version = iv;
        model_touch(m, DIRTY_CLUSTERS);
    }
}
