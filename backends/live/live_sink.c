/* live_sink: Kubernetes objects from the informers into the model, through kobj. Each hook
 * is a thin adapter: kobj knows what an object means, kube.c knows how to follow the API,
 * and this file is the only place that knows both. The one state it keeps is which Istio
 * injector webhook configurations and istiod pods exist (their keys), because Istio counts
 * as installed while any of them does, and a deletion names only the object that went.
 *
 * It deliberately adds no logic of its own to what the objects mean (kobj.c). */
#include "live/live_sink.h"

#include <stdio.h>
#include <stdlib.h>

#include "hmap.h"
#include "xmalloc.h"
#include "model/kobj.h"

#define PRESENT ((void *)1)

struct live_sink {
    struct model *m;
    struct m_cluster *c;
    struct kube_sink ks;
    struct hmap istio_hooks; /* names of Istio's injector webhook configurations */
    struct hmap istiod;      /* "ns/name" of istiod pods */
};

/* ------------------------------------------------------------------- kobj */

static int
namespace_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_apply_namespace(s->m, s->c, item, err);
}

static int
namespace_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_delete_namespace(s->m, s->c, obj, err);
}

static int
node_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_apply_node(s->m, s->c, item, err);
}

static int
node_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_delete_node(s->m, s->c, obj, err);
}

static int
pxc_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_apply_pxc(s->m, s->c, item, err);
}

static int
pxc_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_delete_pxc(s->m, s->c, obj, err);
}

static int
sentry_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_apply_sentry(s->m, s->c, item, err);
}

static int
sentry_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_delete_sentry(s->m, s->c, obj, err);
}

/* Pods are many (10,000s): the worker reduces each to a struct kobj_pod, so the loop only
 * copies a few fields into the model. */
static void *
pod_parse(json_t *obj, struct pxerr *err)
{
    struct kobj_pod *kp = xmalloc(sizeof *kp);
    if (kobj_pod_parse(obj, kp, err) != 0) {
        free(kp);
        return NULL;
    }
    return kp;
}

static void
pod_free(void *item)
{
    kobj_pod_fini(item);
    free(item);
}

static int
pod_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    (void)err;
    kobj_pod_commit(s->m, s->c, item);
    return 0;
}

static int
pod_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    return kobj_delete_pod(s->m, s->c, obj, err);
}

/* Pods may have come before their namespace: derive the sidecar states again. */
static void
recompute_sidecars(void *arg)
{
    struct live_sink *s = arg;
    kobj_recompute_sidecars(s->m, s->c);
}

/* ------------------------------------------------------------------ Istio */

static void
obj_key(json_t *obj, char *buf, size_t n)
{
    json_t *md = json_object_get(obj, "metadata");
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    const char *name = json_string_value(json_object_get(md, "name"));
    if (ns && ns[0])
        snprintf(buf, n, "%s/%s", ns, name ? name : "");
    else
        snprintf(buf, n, "%s", name ? name : "");
}

static void
set_istio(struct live_sink *s, const char *version)
{
    kobj_set_istio(s->m, s->c, s->istio_hooks.n > 0 || s->istiod.n > 0, version);
}

static int
webhook_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    char key[512];
    (void)err;
    obj_key(item, key, sizeof key);
    if (kobj_is_istio_webhook(item))
        hmap_put(&s->istio_hooks, key, PRESENT);
    else
        hmap_del(&s->istio_hooks, key);
    set_istio(s, NULL);
    return 0;
}

static int
webhook_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    char key[512];
    (void)err;
    obj_key(obj, key, sizeof key);
    if (hmap_del(&s->istio_hooks, key))
        set_istio(s, NULL);
    return 0;
}

static int
istiod_commit(void *item, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    char key[512], version[64];
    (void)err;
    obj_key(item, key, sizeof key);
    kobj_istiod_version(item, version, sizeof version);
    hmap_put(&s->istiod, key, PRESENT);
    set_istio(s, version);
    return 0;
}

static int
istiod_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct live_sink *s = arg;
    char key[512];
    (void)err;
    obj_key(obj, key, sizeof key);
    if (hmap_del(&s->istiod, key))
        set_istio(s, NULL);
    return 0;
}

/* ---------------------------------------------------------------- cluster */

/* true is a successful answer just now, and dates the cluster's last contact (the header's
 * "last contact 12s ago"); false leaves that date as it was. */
static void
on_reachable(bool reachable, void *arg)
{
    struct live_sink *s = arg;
    model_cluster_set_reachable(s->m, s->c, reachable);
}

static void
on_error(const char *msg, void *arg)
{
    struct live_sink *s = arg;
    if (msg)
        model_cluster_set_error(s->m, s->c, "%s", msg);
    else
        model_cluster_set_error(s->m, s->c, NULL);
}

static const struct kube_sink_res live_sink_res[KUBE_RES__COUNT] = {
    [KUBE_RES_NAMESPACES] = {.commit = namespace_commit,
                             .remove = namespace_remove,
                             .relisted = recompute_sidecars},
    [KUBE_RES_PODS] = {.parse = pod_parse,
                       .free = pod_free,
                       .commit = pod_commit,
                       .remove = pod_remove,
                       .relisted = recompute_sidecars},
    [KUBE_RES_NODES] = {.commit = node_commit, .remove = node_remove},
    [KUBE_RES_PXC] = {.commit = pxc_commit, .remove = pxc_remove},
    [KUBE_RES_SENTRIES] = {.commit = sentry_commit, .remove = sentry_remove},
    [KUBE_RES_WEBHOOKS] = {.commit = webhook_commit, .remove = webhook_remove},
    [KUBE_RES_ISTIOD] = {.commit = istiod_commit, .remove = istiod_remove},
};

struct live_sink *
live_sink_new(struct model *m, struct m_cluster *c)
{
    struct live_sink *s = xcalloc(1, sizeof *s);
    s->m = m;
    s->c = c;
    hmap_init(&s->istio_hooks);
    hmap_init(&s->istiod);
    s->ks = (struct kube_sink){
        .res = live_sink_res, .reachable = on_reachable, .error = on_error, .arg = s};
    return s;
}

const struct kube_sink *
live_sink_kube(const struct live_sink *s)
{
    return &s->ks;
}

struct m_cluster *
live_sink_cluster(const struct live_sink *s)
{
    return s->c;
}

void
live_sink_free(struct live_sink *s)
{
    if (s == NULL)
        return;
    hmap_fini(&s->istio_hooks);
    hmap_fini(&s->istiod);
    free(s);
}
