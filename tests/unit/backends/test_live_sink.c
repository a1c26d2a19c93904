/* test_live_sink: the sink that turns the informers' objects into model state, driven
 * through its kube_sink table exactly as the client drives it: pods decoded by the parse
 * hook and committed, removed by the relist's metadata-only stub; Istio installed while an
 * injector webhook configuration or an istiod pod exists, and no longer once the last one
 * is modified or removed; reachability and the error in words; resources without hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "kube/kube.h"
#include "live/live_sink.h"
#include "model/kobj.h"
#include "model/model.h"

struct fx {
    struct model *m;
    struct m_cluster *c;
    struct live_sink *s;
    const struct kube_sink *ks;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->m = model_new();
    f->c = model_cluster_add(f->m, "a", "ctx-a", "https://127.0.0.1:6443");
    f->s = live_sink_new(f->m, f->c);
    f->ks = live_sink_kube(f->s);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    live_sink_free(f->s);
    model_free(f->m);
    free(f);
    return 0;
}

/* What the client does with a listed or watched object: parse (if hooked), commit, free. */
static int
put(struct fx *f, enum kube_res r, const char *json, struct pxerr *err)
{
    const struct kube_sink_res *h = &f->ks->res[r];
    json_t *obj = json_loads(json, 0, NULL);
    assert_non_null(obj);
    void *item = h->parse ? h->parse(obj, err) : obj;
    int rc = -1;
    if (item != NULL) {
        rc = h->commit(item, f->ks->arg, err);
        if (h->parse)
            h->free(item);
    }
    json_decref(obj);
    return rc;
}

static int
del(struct fx *f, enum kube_res r, const char *json)
{
    json_t *obj = json_loads(json, 0, NULL);
    assert_non_null(obj);
    struct pxerr err = {0};
    int rc = f->ks->res[r].remove(obj, f->ks->arg, &err);
    json_decref(obj);
    return rc;
}

static void
test_pods(void **state)
{
    struct fx *f = *state;
    struct pxerr err = {0};
    assert_non_null(f->ks->res[KUBE_RES_PODS].parse); /* pods are decoded off the loop */
    assert_int_equal(put(f, KUBE_RES_PODS,
                         "{\"metadata\":{\"name\":\"p-0\",\"namespace\":\"pxc\"},"
                         "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.7\"}}",
                         &err),
                     0);
    struct m_pod *p = model_pod_find(f->c, "pxc", "p-0");
    assert_non_null(p);
    assert_string_equal(p->phase, "Running");
    /* A field of the wrong type: the parse hook refuses it, naming pod and field. */
    assert_int_equal(put(f, KUBE_RES_PODS,
                         "{\"metadata\":{\"name\":\"p-1\",\"namespace\":\"pxc\"},"
                         "\"status\":{\"podIP\":7}}",
                         &err),
                     -1);
    assert_non_null(strstr(err.msg, "pod pxc/p-1: status.podIP"));
    assert_null(model_pod_find(f->c, "pxc", "p-1"));
    /* A relist that no longer has it hands over only its metadata. */
    assert_int_equal(del(f, KUBE_RES_PODS,
                         "{\"metadata\":{\"name\":\"p-0\",\"namespace\":"
                         "\"pxc\"}}"),
                     0);
    assert_null(model_pod_find(f->c, "pxc", "p-0"));
}

static void
test_istio_webhooks(void **state)
{
    struct fx *f = *state;
    struct pxerr err = {0};
    const char *injector = "{\"metadata\":{\"name\":\"istio-sidecar-injector\"}}";
    const char *other = "{\"metadata\":{\"name\":\"cert-manager-webhook\"}}";
    const char *mesh = "{\"metadata\":{\"name\":\"mesh-injector\"},\"webhooks\":"
                       "[{\"name\":\"rev.namespace.sidecar-injector.istio.io\"}]}";
    assert_int_equal(put(f, KUBE_RES_WEBHOOKS, other, &err), 0);
    assert_false(f->c->istio_installed);
    assert_int_equal(put(f, KUBE_RES_WEBHOOKS, injector, &err), 0);
    assert_true(f->c->istio_installed);
    assert_int_equal(put(f, KUBE_RES_WEBHOOKS, mesh, &err), 0);
    /* One of two removed (a relist's stub): Istio is still installed. */
    assert_int_equal(del(f, KUBE_RES_WEBHOOKS, injector), 0);
    assert_true(f->c->istio_installed);
    /* The other modified so that it is no longer Istio's: the last one is gone. */
    assert_int_equal(put(f, KUBE_RES_WEBHOOKS,
                         "{\"metadata\":{\"name\":\"mesh-injector\"},\"webhooks\":[]}", &err),
                     0);
    assert_false(f->c->istio_installed);
    assert_int_equal(put(f, KUBE_RES_WEBHOOKS, mesh, &err), 0);
    assert_true(f->c->istio_installed);
    assert_int_equal(del(f, KUBE_RES_WEBHOOKS, other), 0); /* never counted: nothing changes */
    assert_true(f->c->istio_installed);
}

static void
test_istiod(void **state)
{
    struct fx *f = *state;
    struct pxerr err = {0};
    const char *pod = "{\"metadata\":{\"name\":\"istiod-7d4f\",\"namespace\":\"istio-system\"},"
                      "\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
                      "\"docker.io/istio/pilot:1.22.3\"}]}}";
    assert_int_equal(put(f, KUBE_RES_ISTIOD, pod, &err), 0);
    assert_true(f->c->istio_installed);
    assert_string_equal(f->c->istio_version, "1.22.3");
    /* istiod pods are not the console's pods */
    assert_null(model_pod_find(f->c, "istio-system", "istiod-7d4f"));
    assert_int_equal(del(f, KUBE_RES_ISTIOD,
                         "{\"metadata\":{\"name\":\"istiod-7d4f\","
                         "\"namespace\":\"istio-system\"}}"),
                     0);
    assert_false(f->c->istio_installed);
}

static void
test_cluster_state(void **state)
{
    struct fx *f = *state;
    f->ks->reachable(true, f->ks->arg);
    assert_true(f->c->reachable);
    assert_true(f->c->updated_ms > 0);
    f->ks->error("forbidden: cannot watch pods in namespace pxc (403 from https://x)", f->ks->arg);
    assert_string_equal(f->c->error,
                        "forbidden: cannot watch pods in namespace pxc (403 from https://x)");
    f->ks->error(NULL, f->ks->arg);
    assert_string_equal(f->c->error, "");
    f->ks->reachable(false, f->ks->arg);
    assert_false(f->c->reachable);
    assert_ptr_equal(live_sink_cluster(f->s), f->c);
}

static void
test_namespaces_then_relist(void **state)
{
    struct fx *f = *state;
    struct pxerr err = {0};
    /* A pod listed before its namespace; both informers re-derive the sidecar states when
     * their list is complete. */
    assert_non_null(f->ks->res[KUBE_RES_NAMESPACES].relisted);
    assert_int_equal(put(f, KUBE_RES_PODS,
                         "{\"metadata\":{\"name\":\"p\",\"namespace\":\"pxc\"},\"spec\":"
                         "{\"containers\":[{\"name\":\"mysql\"}]}}",
                         &err),
                     0);
    struct m_pod *p = model_pod_find(f->c, "pxc", "p");
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    assert_int_equal(put(f, KUBE_RES_NAMESPACES,
                         "{\"metadata\":{\"name\":\"pxc\",\"labels\":{\"istio-injection\":"
                         "\"enabled\"}}}",
                         &err),
                     0);
    f->ks->res[KUBE_RES_PODS].relisted(f->ks->arg);
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    assert_true(p->restart_needed);
}

static void
test_counted_only(void **state)
{
    struct fx *f = *state;
    const enum kube_res counted[] = {KUBE_RES_SERVICES, KUBE_RES_STATEFULSETS, KUBE_RES_DRULES,
                                     KUBE_RES_PEERAUTHS};
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++) {
        const struct kube_sink_res *h = &f->ks->res[counted[i]];
        assert_null(h->parse);
        assert_null(h->commit);
        assert_null(h->remove);
        assert_null(h->relisted);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_istio_webhooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_istiod, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cluster_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_namespaces_then_relist, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counted_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
