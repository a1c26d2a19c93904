/* test_kobj: derived state from real Kubernetes objects. The pods are Istio's own
 * injector test outputs (native sidecar and the opt-out variant), the PXC CRs are the
 * Percona operator's deploy/cr.yaml and its cross-site e2e replica, the ServiceEntries
 * Istio's samples and analyzer testdata; all copied under tests/fixtures with their
 * SOURCES.md lines, read through the project's own YAML loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "clock.h"
#include "model/kobj.h"
#include "model/model.h"
#include "codec/yamldocs.h"

static json_t *
load_docs(const char *rel)
{
    const char *dir = getenv("PXC_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : PXC_SOURCE_DIR "/tests/fixtures", rel);
    json_t *docs = NULL;
    struct pxerr err = {0};
    int rc = yamldocs_load_file(path, &docs, &err);
    if (rc != 0)
        fail_msg("%s: %s", path, err.msg);
    return docs;
}

/* Owned copy of the document whose metadata.name is name. */
static json_t *
doc_named(json_t *docs, const char *name)
{
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) {
        const char *n = json_string_value(json_object_get(json_object_get(d, "metadata"), "name"));
        if (n && strcmp(n, name) == 0)
            return json_deep_copy(d);
    }
    fail_msg("no document named %s", name);
    return NULL;
}

static json_t *
fixture_pod(const char *file, const char *name)
{
    json_t *docs = load_docs(file);
    json_t *pod = doc_named(docs, name);
    json_decref(docs);
    return pod;
}

/* Remove every istio-proxy container and init container: the same pod as created before
 * the namespace was labelled (the injector never ran). */
static void
strip_proxy(json_t *pod)
{
    const char *lists[] = {"containers", "initContainers"};
    for (int l = 0; l < 2; l++) {
        json_t *arr = json_object_get(json_object_get(pod, "spec"), lists[l]);
        for (size_t i = 0; i < json_array_size(arr);) {
            const char *n = json_string_value(json_object_get(json_array_get(arr, i), "name"));
            if (n && (strcmp(n, "istio-proxy") == 0 || strcmp(n, "istio-init") == 0))
                json_array_remove(arr, i);
            else
                i++;
        }
    }
}

static void
set_label(json_t *obj, const char *map, const char *k, const char *v)
{
    json_t *md = json_object_get(obj, "metadata");
    json_t *m = json_object_get(md, map);
    if (m == NULL) {
        m = json_object();
        json_object_set_new(md, map, m);
    }
    json_object_set_new(m, k, json_string(v));
}

static json_t *
ns_obj(const char *name, const char *inj, const char *rev)
{
    json_t *o = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "Namespace",
                          "metadata", "name", name, "creationTimestamp", "2026-11-20T10:00:00Z");
    if (inj)
        set_label(o, "labels", "istio-injection", inj);
    if (rev)
        set_label(o, "labels", "istio.io/rev", rev);
    return o;
}

struct fx {
    struct model *m;
    struct m_cluster *c;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->m = model_new();
    f->c = model_cluster_add(f->m, "cluster-a", "k3d-cluster-a", "https://127.0.0.1:6443");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    model_free(f->m);
    free(f);
    return 0;
}

static void
apply_ns(struct fx *f, const char *name, const char *inj, const char *rev)
{
    json_t *o = ns_obj(name, inj, rev);
    struct pxerr err = {0};
    int rc = kobj_apply_namespace(f->m, f->c, o, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    json_decref(o);
}

static struct m_pod *
apply_pod(struct fx *f, json_t *pod)
{
    struct pxerr err = {0};
    int rc = kobj_apply_pod(f->m, f->c, pod, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    const char *ns =
        json_string_value(json_object_get(json_object_get(pod, "metadata"), "namespace"));
    const char *name = json_string_value(json_object_get(json_object_get(pod, "metadata"), "name"));
    return model_pod_find(f->c, ns ? ns : "default", name);
}

/* ---- namespaces ---- */

static void
test_namespace_modes(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *inj, *rev;
        enum injection_mode want;
        const char *want_rev;
    } cases[] = {
        {NULL, NULL, INJ_NONE, NULL},
        {"enabled", NULL, INJ_ENABLED, NULL},
        {"disabled", NULL, INJ_DISABLED, NULL},
        {NULL, "canary", INJ_REVISION, "canary"},
        {"disabled", "canary", INJ_DISABLED, NULL}, /* istio-injection=disabled wins */
        {"enabled", "canary", INJ_ENABLED, NULL},   /* istio-injection takes precedence */
        {"yes", NULL, INJ_DISABLED, NULL},          /* no webhook matches other values */
        {NULL, "", INJ_NONE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "ns%zu", i);
        apply_ns(f, name, cases[i].inj, cases[i].rev);
        struct m_namespace *ns = model_ns_find(f->c, name);
        assert_non_null(ns);
        assert_int_equal(ns->injection, cases[i].want);
        if (cases[i].want_rev)
            assert_string_equal(ns->revision, cases[i].want_rev);
        else
            assert_null(ns->revision);
        int64_t want_ms;
        assert_int_equal(clock_parse_rfc3339("2026-11-20T10:00:00Z", &want_ms), 0);
        assert_int_equal(ns->created_ms, want_ms);
    }
    assert_int_equal(f->c->namespaces.n, sizeof cases / sizeof cases[0]);
    /* Relabel in place, then delete. */
    apply_ns(f, "ns0", "enabled", NULL);
    assert_int_equal(model_ns_find(f->c, "ns0")->injection, INJ_ENABLED);
    json_t *o = ns_obj("ns0", NULL, NULL);
    struct pxerr err = {0};
    assert_int_equal(kobj_delete_namespace(f->m, f->c, o, &err), 0);
    assert_null(model_ns_find(f->c, "ns0"));
    assert_int_equal(kobj_delete_namespace(f->m, f->c, o, &err), 0); /* idempotent */
    json_decref(o);
}

/* ---- pods from Istio's injector testdata ---- */

static void
test_native_sidecar_injected(void **state)
{
    struct fx *f = *state;
    apply_ns(f, "default", "enabled", NULL);
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    struct m_pod *p = apply_pod(f, pod);
    assert_non_null(p);
    assert_string_equal(p->ns, "default"); /* no metadata.namespace: kubectl's default */
    assert_true(p->has_proxy);
    assert_int_equal(p->sidecar, SIDECAR_INJECTED);
    assert_false(p->restart_needed);
    assert_string_equal(p->phase, "Pending"); /* status: {} */
    assert_false(p->ready);
    assert_string_equal(p->ip, "");
    assert_null(p->node);
    assert_int_equal(p->inject_opt, 0);
    json_decref(pod);
}

static void
test_classic_sidecar_opt_out_of_native(void **state)
{
    struct fx *f = *state;
    apply_ns(f, "default", "enabled", NULL);
    /* sidecar.istio.io/nativeSidecar: "false": istio-proxy is a regular container. */
    json_t *pod = fixture_pod("istio/native-sidecar-opt-out.yaml.injected", "hellopod");
    struct m_pod *p = apply_pod(f, pod);
    assert_int_equal(p->sidecar, SIDECAR_INJECTED);
    assert_false(p->restart_needed);
    json_decref(pod);
}

static void
test_init_container_without_always_is_not_a_sidecar(void **state)
{
    struct fx *f = *state;
    apply_ns(f, "default", "enabled", NULL);
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    json_t *inits = json_object_get(json_object_get(pod, "spec"), "initContainers");
    size_t i;
    json_t *c;
    json_array_foreach(inits, i, c) json_object_del(c, "restartPolicy");
    struct m_pod *p = apply_pod(f, pod);
    assert_false(p->has_proxy);
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    assert_true(p->restart_needed);
    json_decref(pod);
}

/* The same uninjected pod in namespaces of every mode, with and without opt-outs. */
static void
test_sidecar_expectation_table(void **state)
{
    struct fx *f = *state;
    static const struct {
        const char *inj, *rev; /* namespace labels */
        const char *pod_label; /* sidecar.istio.io/inject label on the pod */
        const char *pod_annot; /* ... annotation */
        const char *pod_rev;   /* istio.io/rev label on the pod */
        enum sidecar_state want;
    } cases[] = {
        {"enabled", NULL, NULL, NULL, NULL, SIDECAR_MISSING},
        {NULL, "stable", NULL, NULL, NULL, SIDECAR_MISSING},
        {"disabled", NULL, NULL, NULL, NULL, SIDECAR_DISABLED},
        {NULL, NULL, NULL, NULL, NULL, SIDECAR_DISABLED},
        {"enabled", NULL, "false", NULL, NULL, SIDECAR_DISABLED},
        {"enabled", NULL, NULL, "false", NULL, SIDECAR_DISABLED},
        {"enabled", NULL, NULL, "False", NULL, SIDECAR_DISABLED}, /* ParseBool */
        {NULL, NULL, "true", NULL, NULL, SIDECAR_MISSING},        /* object webhook */
        {NULL, NULL, NULL, NULL, "default", SIDECAR_MISSING},     /* rev.object webhook */
        {"disabled", NULL, "true", NULL, NULL, SIDECAR_DISABLED},
        {NULL, NULL, NULL, "true", NULL, SIDECAR_DISABLED}, /* annotations do not opt in */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char ns[32];
        snprintf(ns, sizeof ns, "t%zu", i);
        apply_ns(f, ns, cases[i].inj, cases[i].rev);
        json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
        strip_proxy(pod);
        json_object_set_new(json_object_get(pod, "metadata"), "namespace", json_string(ns));
        if (cases[i].pod_label)
            set_label(pod, "labels", "sidecar.istio.io/inject", cases[i].pod_label);
        if (cases[i].pod_annot)
            set_label(pod, "annotations", "sidecar.istio.io/inject", cases[i].pod_annot);
        if (cases[i].pod_rev)
            set_label(pod, "labels", "istio.io/rev", cases[i].pod_rev);
        struct m_pod *p = apply_pod(f, pod);
        if (p->sidecar != cases[i].want)
            fail_msg("case %zu: sidecar %s, want %s", i, model_sidecar_name(p->sidecar),
                     model_sidecar_name(cases[i].want));
        assert_int_equal(p->restart_needed, cases[i].want == SIDECAR_MISSING);
        json_decref(pod);
    }
}

static void
test_ignored_namespaces_and_host_network(void **state)
{
    struct fx *f = *state;
    apply_ns(f, "kube-system", "enabled", NULL);
    apply_ns(f, "pxc", "enabled", NULL);
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    strip_proxy(pod);
    json_object_set_new(json_object_get(pod, "metadata"), "namespace", json_string("kube-system"));
    assert_int_equal(apply_pod(f, pod)->sidecar, SIDECAR_DISABLED);
    json_object_set_new(json_object_get(pod, "metadata"), "namespace", json_string("pxc"));
    json_object_set_new(json_object_get(pod, "spec"), "hostNetwork", json_true());
    assert_int_equal(apply_pod(f, pod)->sidecar, SIDECAR_DISABLED);
    json_decref(pod);
}

/* The operator's story: pods exist, then the namespace gets istio-injection=enabled.
 * They have no sidecar and need a restart; after the restart (new pod with the proxy)
 * they are injected; unlabelling makes the uninjected ones merely disabled again. */
static void
test_pod_before_label_needs_restart(void **state)
{
    struct fx *f = *state;
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    strip_proxy(pod);
    json_object_set_new(json_object_get(pod, "metadata"), "namespace", json_string("pxc"));
    struct m_pod *p = apply_pod(f, pod); /* the namespace not seen yet */
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    apply_ns(f, "pxc", NULL, NULL);
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    f->m->dirty = 0;
    apply_ns(f, "pxc", "enabled", NULL);
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    assert_true(p->restart_needed);
    assert_true(f->m->dirty & DIRTY_PODS);
    /* Restarted: the injector ran. */
    json_t *injected = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    json_object_set_new(json_object_get(injected, "metadata"), "namespace", json_string("pxc"));
    p = apply_pod(f, injected);
    assert_int_equal(p->sidecar, SIDECAR_INJECTED);
    assert_false(p->restart_needed);
    /* Back to the uninjected pod, then the label removed. */
    p = apply_pod(f, pod);
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    apply_ns(f, "pxc", NULL, NULL);
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    assert_false(p->restart_needed);
    /* Labelled again, then the namespace object deleted: pods re-derived as unlabelled. */
    apply_ns(f, "pxc", NULL, "stable");
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    json_t *nso = ns_obj("pxc", NULL, NULL);
    struct pxerr err = {0};
    assert_int_equal(kobj_delete_namespace(f->m, f->c, nso, &err), 0);
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    json_decref(nso);
    json_decref(pod);
    json_decref(injected);
}

static void
test_recompute_sidecars(void **state)
{
    struct fx *f = *state;
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    strip_proxy(pod);
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof name, "pxc-cluster-pxc-%d", i);
        json_object_set_new(json_object_get(pod, "metadata"), "name", json_string(name));
        json_object_set_new(json_object_get(pod, "metadata"), "namespace",
                            json_string(i % 2 ? "pxc" : "other"));
        apply_pod(f, pod);
    }
    /* Namespaces known but labelled behind kobj's back (as a snapshot or test might). */
    struct m_namespace *ns = model_ns_upsert(f->m, f->c, "pxc");
    ns->injection = INJ_ENABLED;
    f->m->dirty = 0;
    kobj_recompute_sidecars(f->m, f->c);
    assert_true(f->m->dirty & DIRTY_PODS);
    int missing = 0;
    for (size_t i = 0; i < f->c->pods.n; i++) {
        struct m_pod *p = f->c->pods.items[i];
        if (p->sidecar == SIDECAR_MISSING) {
            missing++;
            assert_string_equal(p->ns, "pxc");
            assert_true(p->restart_needed);
        }
    }
    assert_int_equal(missing, 25);
    f->m->dirty = 0;
    kobj_recompute_sidecars(f->m, f->c); /* nothing changed: nothing marked */
    assert_false(f->m->dirty & DIRTY_PODS);
    json_decref(pod);
}

/* A Percona operator pod as the StatefulSet makes it, running and ready. */
static json_t *
pxc_pod(const char *name, const char *ip, int restarts)
{
    json_error_t jerr;
    json_t *o = json_pack_ex(
        &jerr, 0,
        "{s:s, s:s,"
        " s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s}},"
        " s:{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s, s:s}]},"
        " s:{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}],"
        "    s:[{s:s, s:i}, {s:s, s:i}, {s:s, s:i}], s:[{s:s, s:i}]}}",
        "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", "pxc",
        "creationTimestamp", "2026-11-24T09:00:00Z", "labels", "app.kubernetes.io/component", "pxc",
        "app.kubernetes.io/instance", "pxc-cluster", "app.kubernetes.io/managed-by",
        "percona-xtradb-cluster-operator", "app.kubernetes.io/name", "percona-xtradb-cluster",
        "percona.com/replicationPod", "true", "annotations", "sidecar.istio.io/status",
        "{\"containers\":[\"istio-proxy\"]}", "spec", "nodeName", "k3d-cluster-a-agent-0",
        "containers", "name", "pxc", "image", "percona/percona-xtradb-cluster:8.0.32-24.2", "name",
        "logs", "image", "percona/fluentbit:2.1.10", "name", "istio-proxy", "image",
        "docker.io/istio/proxyv2:1.20.3", "initContainers", "name", "pxc-init", "image",
        "percona/percona-xtradb-cluster-operator:1.13.0", "restartPolicy", "Never", "status",
        "phase", "Running", "podIP", ip, "conditions", "type", "Initialized", "status", "True",
        "type", "Ready", "status", "True", "containerStatuses", "name", "pxc", "restartCount",
        restarts, "name", "logs", "restartCount", 1, "name", "istio-proxy", "restartCount", 0,
        "initContainerStatuses", "name", "pxc-init", "restartCount", 7);
    if (o == NULL)
        fail_msg("pack: %s", jerr.text);
    return o;
}

static void
test_pod_fields(void **state)
{
    struct fx *f = *state;
    apply_ns(f, "pxc", "enabled", NULL);
    json_t *o = pxc_pod("pxc-cluster-pxc-0", "10.42.0.12", 2);
    struct m_pod *p = apply_pod(f, o);
    assert_string_equal(p->phase, "Running");
    assert_true(p->ready);
    assert_string_equal(p->ip, "10.42.0.12");
    assert_string_equal(p->node, "k3d-cluster-a-agent-0");
    assert_string_equal(p->instance, "pxc-cluster");
    assert_string_equal(p->component, "pxc");
    assert_true(p->replication_pod);
    assert_int_equal(p->restarts, 3); /* 2 + 1; the one-shot init container not counted */
    int64_t want;
    assert_int_equal(clock_parse_rfc3339("2026-11-24T09:00:00Z", &want), 0);
    assert_int_equal(p->created_ms, want);
    assert_int_equal(p->sidecar, SIDECAR_INJECTED);
    /* Interned: two pods share the phase and node strings. */
    json_t *o2 = pxc_pod("pxc-cluster-pxc-1", "10.42.0.13", 0);
    struct m_pod *p2 = apply_pod(f, o2);
    assert_ptr_equal(p->phase, p2->phase);
    assert_ptr_equal(p->node, p2->node);
    /* Ready flips with its condition. */
    json_t *conds = json_object_get(json_object_get(o2, "status"), "conditions");
    json_object_set_new(json_array_get(conds, 1), "status", json_string("False"));
    assert_false(apply_pod(f, o2)->ready);
    assert_int_equal(f->c->pods.n, 2);
    /* Native sidecar restarts are counted, as kubectl does. */
    json_t *native = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    json_object_set_new(json_object_get(native, "status"), "initContainerStatuses",
                        json_pack("[{s:s,s:i},{s:s,s:i},{s:s,s:i}]", "name", "istio-init",
                                  "restartCount", 5, "name", "istio-proxy", "restartCount", 4,
                                  "name", "other-sidecar", "restartCount", 1));
    assert_int_equal(apply_pod(f, native)->restarts, 5);
    /* Delete. */
    struct pxerr err = {0};
    assert_int_equal(kobj_delete_pod(f->m, f->c, o, &err), 0);
    assert_null(model_pod_find(f->c, "pxc", "pxc-cluster-pxc-0"));
    assert_int_equal(kobj_delete_pod(f->m, f->c, o, &err), 0);
    assert_int_equal(f->c->pods.n, 2);
    json_decref(o);
    json_decref(o2);
    json_decref(native);
}

/* A creationTimestamp before 1970 is a time too (negative epoch ms), not an error. */
static void
test_pod_created_before_1970(void **state)
{
    struct fx *f = *state;
    json_t *o = pxc_pod("pxc-cluster-pxc-9", "10.42.0.19", 0);
    json_object_set_new(json_object_get(o, "metadata"), "creationTimestamp",
                        json_string("1969-12-31T23:59:59Z"));
    struct m_pod *p = apply_pod(f, o);
    assert_int_equal(p->created_ms, -1000);
    json_decref(o);
}

static void
test_pod_errors_are_transactional(void **state)
{
    struct fx *f = *state;
    json_t *o = pxc_pod("pxc-cluster-pxc-0", "10.42.0.12", 2);
    struct m_pod *p = apply_pod(f, o);
    uint64_t seq = f->m->seq;
    struct pxerr err = {0};

    json_t *bad = json_deep_copy(o);
    json_t *cs = json_object_get(json_object_get(bad, "status"), "containerStatuses");
    json_object_set_new(json_array_get(cs, 1), "restartCount", json_string("3"));
    json_object_set_new(json_object_get(bad, "status"), "podIP", json_string("10.42.0.99"));
    assert_int_equal(kobj_apply_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "pod pxc/pxc-cluster-pxc-0: status.containerStatuses[1]."
                                 "restartCount: expected integer, got string");
    assert_string_equal(p->ip, "10.42.0.12"); /* untouched */
    assert_int_equal(f->m->seq, seq);
    json_decref(bad);

    bad = json_deep_copy(o);
    json_object_set_new(json_object_get(bad, "metadata"), "labels", json_array());
    assert_int_equal(kobj_apply_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    assert_string_equal(err.msg,
                        "pod pxc/pxc-cluster-pxc-0: metadata.labels: expected object, got array");
    json_decref(bad);

    bad = json_deep_copy(o);
    set_label(bad, "labels", "app.kubernetes.io/instance", "x");
    json_object_set_new(json_object_get(json_object_get(bad, "metadata"), "labels"),
                        "percona.com/replicationPod", json_true());
    assert_int_equal(kobj_apply_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "pod pxc/pxc-cluster-pxc-0: metadata.labels[\"percona.com/"
                                 "replicationPod\"]: expected string, got boolean");
    assert_string_equal(p->instance, "pxc-cluster");
    json_decref(bad);

    bad = json_deep_copy(o);
    json_object_del(json_object_get(bad, "metadata"), "name");
    assert_int_equal(kobj_apply_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "pod (no name): metadata.name: missing; every object needs a "
                                 "name");
    assert_int_equal(kobj_delete_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    json_decref(bad);

    json_t *arr = json_array();
    assert_int_equal(kobj_apply_pod(f->m, f->c, arr, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "pod (no name): (object): expected object, got array");
    json_decref(arr);

    bad = json_deep_copy(o);
    json_object_set_new(json_object_get(bad, "spec"), "initContainers",
                        json_pack("[{s:i}]", "name", 5));
    assert_int_equal(kobj_apply_pod(f->m, f->c, bad, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "pod pxc/pxc-cluster-pxc-0: spec.initContainers[0].name: "
                                 "expected string, got integer");
    json_decref(bad);

    assert_int_equal(f->c->pods.n, 1);
    assert_int_equal(f->m->seq, seq);
    json_decref(o);
}

static void
test_pod_parse_commit_split(void **state)
{
    struct fx *f = *state;
    json_t *o = pxc_pod("pxc-cluster-pxc-2", "10.42.0.14", 0);
    struct kobj_pod kp;
    struct pxerr err = {0};
    assert_int_equal(kobj_pod_parse(o, &kp, &err), 0);
    json_decref(o); /* the parsed pod keeps nothing of the JSON */
    assert_string_equal(kp.ns, "pxc");
    assert_string_equal(kp.phase, "Running");
    assert_true(kp.has_proxy);
    kobj_pod_commit(f->m, f->c, &kp);
    kobj_pod_fini(&kp);
    kobj_pod_fini(NULL);
    struct m_pod *p = model_pod_find(f->c, "pxc", "pxc-cluster-pxc-2");
    assert_non_null(p);
    assert_string_equal(p->ip, "10.42.0.14");
}

/* 20,000 pods over 40 namespaces, then a namespace relabel: linear work. */
static void
test_many_pods(void **state)
{
    struct fx *f = *state;
    json_t *o = pxc_pod("x", "10.42.0.1", 0);
    strip_proxy(o);
    json_t *md = json_object_get(o, "metadata");
    for (int i = 0; i < 40; i++) {
        char ns[16];
        snprintf(ns, sizeof ns, "ns%d", i);
        apply_ns(f, ns, NULL, NULL);
    }
    uint64_t t0 = clock_mono_ms();
    for (int i = 0; i < 20000; i++) {
        char name[32], ns[16];
        snprintf(name, sizeof name, "pod-%d", i);
        snprintf(ns, sizeof ns, "ns%d", i % 40);
        json_object_set_new(md, "name", json_string(name));
        json_object_set_new(md, "namespace", json_string(ns));
        struct pxerr err;
        assert_int_equal(kobj_apply_pod(f->m, f->c, o, &err), 0);
    }
    apply_ns(f, "ns7", "enabled", NULL);
    uint64_t dt = clock_mono_ms() - t0;
    assert_int_equal(f->c->pods.n, 20000);
    int missing = 0;
    for (size_t i = 0; i < f->c->pods.n; i++)
        missing += ((struct m_pod *)f->c->pods.items[i])->sidecar == SIDECAR_MISSING;
    assert_int_equal(missing, 500);
    print_message("20000 pod applies + relabel: %llu ms\n", (unsigned long long)dt);
    json_decref(o);
}

/* ---- PerconaXtraDBCluster ---- */

static json_t *
fixture_cr(const char *file)
{
    json_t *docs = load_docs(file);
    assert_int_equal(json_array_size(docs), 1);
    json_t *cr = json_deep_copy(json_array_get(docs, 0));
    json_decref(docs);
    return cr;
}

static void
test_pxc_cr_default(void **state)
{
    struct fx *f = *state;
    json_t *cr = fixture_cr("upstream/cr.yaml");
    struct pxerr err = {0};
    assert_int_equal(kobj_apply_pxc(f->m, f->c, cr, &err), 0);
    struct m_pxc *x = model_pxc_find(f->c, "default", "cluster1");
    assert_non_null(x);
    assert_int_equal(x->size, 3);
    assert_int_equal(x->ready, 0);
    assert_string_equal(x->state, "unknown"); /* no status yet */
    assert_false(x->expose);
    assert_string_equal(x->secrets_name, "cluster1-secrets"); /* operator default */
    assert_int_equal(x->channels.n, 0);
    json_decref(cr);
}

static void
test_pxc_cross_site_replica(void **state)
{
    struct fx *f = *state;
    json_t *cr = fixture_cr("upstream/cross-site-replica.yml");
    json_object_set_new(json_object_get(cr, "metadata"), "namespace", json_string("pxc"));
    /* What the e2e cross-site script patches in, and what the operator reports. */
    json_t *chans = json_pack("[{s:s, s:b, s:[{s:s, s:i, s:i}, {s:s, s:i}]}, {s:s, s:b}]", "name",
                              "pxc1_to_pxc2", "isSource", 0, "sourcesList", "host",
                              "pxc-cluster.cluster-b.global", "port", 3306, "weight", 100, "host",
                              "10.0.1.10", "weight", 50, "name", "pxc2_to_pxc1", "isSource", 1);
    json_object_set_new(json_object_get(json_object_get(cr, "spec"), "pxc"), "replicationChannels",
                        chans);
    json_object_set_new(cr, "status",
                        json_pack("{s:s, s:{s:i, s:i, s:s}}", "state", "ready", "pxc", "ready", 3,
                                  "size", 3, "status", "ready"));
    struct pxerr err = {0};
    assert_int_equal(kobj_apply_pxc(f->m, f->c, cr, &err), 0);
    struct m_pxc *x = model_pxc_find(f->c, "pxc", "cross-site-replica");
    assert_non_null(x);
    assert_string_equal(x->state, "ready");
    assert_int_equal(x->size, 3);
    assert_int_equal(x->ready, 3);
    assert_true(x->expose);
    assert_string_equal(x->secrets_name, "my-cluster-secrets");
    assert_int_equal(x->channels.n, 2);
    struct m_pxc_channel *ch = x->channels.items[0];
    assert_string_equal(ch->name, "pxc1_to_pxc2");
    assert_false(ch->is_source);
    assert_int_equal(ch->n_sources, 2);
    assert_string_equal(ch->sources[0].host, "pxc-cluster.cluster-b.global");
    assert_int_equal(ch->sources[0].port, 3306);
    assert_int_equal(ch->sources[0].weight, 100);
    assert_int_equal(ch->sources[1].port, 3306); /* default */
    assert_int_equal(ch->sources[1].weight, 50);
    ch = x->channels.items[1];
    assert_true(ch->is_source);
    assert_int_equal(ch->n_sources, 0);

    /* A bad channel source refuses the update and keeps the old channels. */
    json_t *src = json_array_get(json_object_get(json_array_get(chans, 0), "sourcesList"), 1);
    json_object_set_new(src, "port", json_string("3306"));
    json_object_set_new(json_object_get(cr, "status"), "state", json_string("error"));
    assert_int_equal(kobj_apply_pxc(f->m, f->c, cr, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "PerconaXtraDBCluster pxc/cross-site-replica: "
                                 "spec.pxc.replicationChannels[0].sourcesList[1].port: expected "
                                 "integer, got string");
    assert_string_equal(x->state, "ready");
    assert_int_equal(x->channels.n, 2);
    /* Fixed: channels replaced whole. */
    json_array_remove(chans, 1);
    json_object_del(src, "port");
    assert_int_equal(kobj_apply_pxc(f->m, f->c, cr, &err), 0);
    assert_string_equal(x->state, "error");
    assert_int_equal(x->channels.n, 1);
    assert_int_equal(kobj_delete_pxc(f->m, f->c, cr, &err), 0);
    assert_null(model_pxc_find(f->c, "pxc", "cross-site-replica"));
    json_decref(cr);
}

/* ---- ServiceEntry ---- */

static void
test_sentry_github(void **state)
{
    struct fx *f = *state;
    json_t *docs = load_docs("istio/serviceentry-github.yaml");
    assert_int_equal(json_array_size(docs), 2);
    struct pxerr err = {0};
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(kobj_apply_sentry(f->m, f->c, json_array_get(docs, i), &err), 0);
    struct m_sentry *se = model_sentry_find(f->c, "default", "github-https");
    assert_non_null(se);
    assert_int_equal(se->n_hosts, 1);
    assert_string_equal(se->hosts[0], "github.com");
    assert_int_equal(se->n_ports, 1);
    assert_int_equal(se->ports[0].number, 443);
    assert_string_equal(se->ports[0].name, "https");
    assert_string_equal(se->ports[0].protocol, "HTTPS");
    assert_string_equal(se->location, "MESH_EXTERNAL"); /* Istio's default */
    assert_string_equal(se->resolution, "NONE");
    assert_int_equal(se->n_addresses, 0);
    se = model_sentry_find(f->c, "default", "github-tcp");
    assert_non_null(se);
    assert_string_equal(se->hosts[0], "dummy.github.com");
    assert_int_equal(se->n_addresses, 18);
    assert_string_equal(se->addresses[0], "13.229.188.59/32");
    assert_string_equal(se->addresses[17], "54.87.5.173/32");
    assert_int_equal(se->ports[0].number, 22);
    assert_string_equal(se->ports[0].protocol, "tcp");
    assert_string_equal(se->location, "MESH_EXTERNAL");
    json_decref(docs);

    docs = load_docs("istio/serviceentry-conflicting-protocol.yaml");
    for (size_t i = 0; i < json_array_size(docs); i++)
        assert_int_equal(kobj_apply_sentry(f->m, f->c, json_array_get(docs, i), &err), 0);
    se = model_sentry_find(f->c, "default", "se-http");
    assert_non_null(se);
    assert_string_equal(se->resolution, "DNS");
    assert_string_equal(se->ports[0].name, "http-13835");
    assert_int_equal(f->c->sentries.n, 5);
    assert_int_equal(kobj_delete_sentry(f->m, f->c, json_array_get(docs, 0), &err), 0);
    assert_null(model_sentry_find(f->c, "default", "se-https"));
    json_decref(docs);
}

/* The ServiceEntry of the seed guide (mkPXCServiceEntry for cluster-b). */
static void
test_sentry_pxc_remote(void **state)
{
    struct fx *f = *state;
    json_t *se_obj =
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:[s], s:[s], s:[{s:i, s:s, s:s}], s:s, s:s,"
                  " s:[{s:s, s:{s:i}}, {s:s, s:{s:i}}, {s:s}]}}",
                  "apiVersion", "networking.istio.io/v1beta1", "kind", "ServiceEntry", "metadata",
                  "name", "pxc-cluster-cluster-b", "namespace", "pxc", "spec", "hosts",
                  "pxc-cluster.cluster-b.global", "addresses", "240.0.0.2", "ports", "number", 3306,
                  "name", "tcp-mysql", "protocol", "TCP", "location", "MESH_INTERNAL", "resolution",
                  "STATIC", "endpoints", "address", "172.19.0.2", "ports", "tcp-mysql", 33306,
                  "address", "172.19.0.3", "ports", "other", 3307, "address", "172.19.0.4");
    struct pxerr err = {0};
    assert_int_equal(kobj_apply_sentry(f->m, f->c, se_obj, &err), 0);
    struct m_sentry *se = model_sentry_find(f->c, "pxc", "pxc-cluster-cluster-b");
    assert_non_null(se);
    assert_string_equal(se->location, "MESH_INTERNAL");
    assert_string_equal(se->resolution, "STATIC");
    assert_int_equal(se->n_endpoints, 3);
    assert_string_equal(se->endpoints[0].address, "172.19.0.2");
    assert_int_equal(se->endpoints[0].port, 33306);
    assert_int_equal(se->endpoints[1].port, 3307);
    assert_int_equal(se->endpoints[2].port, 0);
    /* Bad endpoint port map: refused, previous spec kept. */
    json_t *eps = json_object_get(json_object_get(se_obj, "spec"), "endpoints");
    json_object_set_new(json_array_get(eps, 2), "ports", json_pack("{s:s}", "tcp-mysql", "x"));
    json_array_append_new(json_object_get(json_object_get(se_obj, "spec"), "hosts"),
                          json_string("other.global"));
    assert_int_equal(kobj_apply_sentry(f->m, f->c, se_obj, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "ServiceEntry pxc/pxc-cluster-cluster-b: spec.endpoints[2]."
                                 "ports: expected a map of port name to port number (0..65535)");
    assert_int_equal(se->n_hosts, 1);
    assert_int_equal(se->n_endpoints, 3);
    /* Hosts of the wrong type. */
    json_object_set_new(json_object_get(se_obj, "spec"), "hosts", json_pack("[s,i]", "a", 1));
    assert_int_equal(kobj_apply_sentry(f->m, f->c, se_obj, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "ServiceEntry pxc/pxc-cluster-cluster-b: spec.hosts[1]: "
                                 "expected string, got integer");
    json_decref(se_obj);
}

/* ---- Node ---- */

static void
test_node_addresses(void **state)
{
    struct fx *f = *state;
    json_t *n =
        json_pack("{s:s, s:{s:s}, s:{s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}]}}", "kind", "Node",
                  "metadata", "name", "k3d-cluster-b-server-0", "status", "addresses", "type",
                  "InternalIP", "address", "172.19.0.2", "type", "Hostname", "address",
                  "k3d-cluster-b-server-0", "type", "ExternalIP", "address", "203.0.113.7");
    struct pxerr err = {0};
    assert_int_equal(kobj_apply_node(f->m, f->c, n, &err), 0);
    assert_int_equal(f->c->nodes.n, 1);
    struct m_node *nd = f->c->nodes.items[0];
    assert_string_equal(nd->name, "k3d-cluster-b-server-0");
    assert_string_equal(nd->internal_ip, "172.19.0.2");
    assert_string_equal(nd->external_ip, "203.0.113.7");
    json_array_remove(json_object_get(json_object_get(n, "status"), "addresses"), 2);
    assert_int_equal(kobj_apply_node(f->m, f->c, n, &err), 0);
    assert_string_equal(nd->external_ip, "");
    assert_int_equal(kobj_delete_node(f->m, f->c, n, &err), 0);
    assert_int_equal(f->c->nodes.n, 0);
    json_decref(n);
}

/* ---- Istio's presence ---- */

static void
test_istio_webhook(void **state)
{
    (void)state;
    /* The injector's own configurations as istioctl installs them, and one that is not. */
    static const struct {
        const char *json;
        bool istio;
    } cases[] = {
        {"{\"metadata\":{\"name\":\"istio-sidecar-injector\"}}", true},
        {"{\"metadata\":{\"name\":\"istio-sidecar-injector-canary\"}}", true},
        {"{\"metadata\":{\"name\":\"istio-revision-tag-default\"}}", true},
        {"{\"metadata\":{\"name\":\"mesh-injector\"},\"webhooks\":[{\"name\":\"a.example.com\"},"
         "{\"name\":\"rev.namespace.sidecar-injector.istio.io\"}]}", true},
        {"{\"metadata\":{\"name\":\"cert-manager-webhook\"},\"webhooks\":"
         "[{\"name\":\"webhook.cert-manager.io\"}]}", false},
        {"{\"metadata\":{\"name\":\"x\"},\"webhooks\":[{\"name\":\"istio.io\"}]}", false},
        {"{}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = json_loads(cases[i].json, 0, NULL);
        assert_non_null(o);
        if (kobj_is_istio_webhook(o) != cases[i].istio)
            fail_msg("case %zu (%s): expected %d", i, cases[i].json, cases[i].istio);
        json_decref(o);
    }
}

static void
test_istiod_version(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *version;
    } cases[] = {
        /* the discovery container's tag, also behind a registry with a port */
        {"{\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
         "\"docker.io/istio/pilot:1.22.3\"}]}}", "1.22.3"},
        {"{\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
         "\"reg:5000/istio/pilot:1.23.0-distroless\"}]}}", "1.23.0-distroless"},
        /* the first container has no tag: the one named discovery, not any other */
        {"{\"spec\":{\"containers\":[{\"name\":\"init\",\"image\":\"a/b\"},"
         "{\"name\":\"other\",\"image\":\"a/c:9\"},"
         "{\"name\":\"discovery\",\"image\":\"istio/pilot:1.21.1\"}]}}", "1.21.1"},
        /* a tag pinned by digest: the tag, not the digest's "sha256:..." */
        {"{\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
         "\"docker.io/istio/pilot:1.22.3@sha256:0123abcd\"}]}}", "1.22.3"},
        {"{\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
         "\"reg:5000/istio/pilot:1.23.0@sha256:0123abcd\"}]}}", "1.23.0"},
        /* no tag: the operator's label, else the revision */
        {"{\"metadata\":{\"labels\":{\"operator.istio.io/version\":\"1.20.0\",\"istio.io/rev\":"
         "\"canary\"}},\"spec\":{\"containers\":[{\"name\":\"discovery\",\"image\":"
         "\"reg:5000/pilot@sha256:ab\"}]}}", "1.20.0"},
        {"{\"metadata\":{\"labels\":{\"istio.io/rev\":\"canary\"}}}", "canary"},
        {"{}", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *o = json_loads(cases[i].json, 0, NULL);
        assert_non_null(o);
        char v[64];
        kobj_istiod_version(o, v, sizeof v);
        if (strcmp(v, cases[i].version) != 0)
            fail_msg("case %zu: expected '%s', got '%s'", i, cases[i].version, v);
        json_decref(o);
    }
}

static void
test_set_istio(void **state)
{
    struct fx *f = *state;
    f->m->dirty = 0;
    kobj_set_istio(f->m, f->c, false, NULL);
    assert_int_equal(f->m->dirty, 0); /* nothing changed: no redraw */
    kobj_set_istio(f->m, f->c, true, "1.22.3");
    assert_true(f->c->istio_installed);
    assert_string_equal(f->c->istio_version, "1.22.3");
    assert_true(f->m->dirty & DIRTY_CLUSTERS);
    kobj_set_istio(f->m, f->c, false, "");
    assert_false(f->c->istio_installed);
    assert_string_equal(f->c->istio_version, "1.22.3"); /* a known version is kept */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_namespace_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_sidecar_injected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_classic_sidecar_opt_out_of_native, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_container_without_always_is_not_a_sidecar, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sidecar_expectation_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignored_namespaces_and_host_network, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pod_before_label_needs_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recompute_sidecars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pod_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pod_created_before_1970, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pod_errors_are_transactional, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pod_parse_commit_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_pods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pxc_cr_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pxc_cross_site_replica, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentry_github, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentry_pxc_remote, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_addresses, setup, teardown),
        cmocka_unit_test(test_istio_webhook),
        cmocka_unit_test(test_istiod_version),
        cmocka_unit_test_setup_teardown(test_set_istio, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
