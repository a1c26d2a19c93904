/* test_kobj_text: kobj_pod_parse_text, the pod read straight from its JSON text, must give
 * exactly what json_loadb and kobj_pod_parse give, or decline. Every case is a real pod
 * (Istio's injector outputs, copied under tests/fixtures) written compactly as the API
 * server writes it, then changed one way: each says whether the fast road must take it
 * (so that a reader that declines everything fails), and when it takes it, every field
 * must equal the tree road's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "model/kobj.h"
#include "codec/yamldocs.h"

static json_t *
fixture_pod(const char *rel, const char *name)
{
    const char *dir = getenv("PXC_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : PXC_SOURCE_DIR "/tests/fixtures", rel);
    json_t *docs = NULL;
    struct pxerr err = {0};
    if (yamldocs_load_file(path, &docs, &err) != 0)
        fail_msg("%s: %s", path, err.msg);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d)
    {
        const char *n = json_string_value(json_object_get(json_object_get(d, "metadata"), "name"));
        if (n && strcmp(n, name) == 0) {
            json_t *pod = json_deep_copy(d);
            json_decref(docs);
            return pod;
        }
    }
    fail_msg("%s: no document named %s", path, name);
    return NULL;
}

static bool
str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* "" when equal, else the first field that differs. */
static const char *
pod_diff(const struct kobj_pod *a, const struct kobj_pod *b)
{
    if (!str_eq(a->ns, b->ns))
        return "ns";
    if (!str_eq(a->name, b->name))
        return "name";
    if (!str_eq(a->phase, b->phase))
        return "phase";
    if (!str_eq(a->node, b->node))
        return "node";
    if (!str_eq(a->instance, b->instance))
        return "instance";
    if (!str_eq(a->component, b->component))
        return "component";
    if (a->ready != b->ready)
        return "ready";
    if (a->replication_pod != b->replication_pod)
        return "replication_pod";
    if (strcmp(a->ip, b->ip) != 0)
        return "ip";
    if (a->restarts != b->restarts)
        return "restarts";
    if (a->created_ms != b->created_ms)
        return "created_ms";
    if (a->has_proxy != b->has_proxy)
        return "has_proxy";
    if (a->inject_opt != b->inject_opt)
        return "inject_opt";
    if (a->rev_label != b->rev_label)
        return "rev_label";
    return "";
}

enum want { TAKEN, DECLINED };

/* Both roads on text; fails the test when they disagree or the fast road's choice is not
 * the one wanted. */
static void
check_text(const char *what, const char *text, enum want want)
{
    size_t n = strlen(text);
    struct kobj_pod fast, tree;
    struct kobj_pod_id id;
    bool taken = kobj_pod_parse_text(text, n, &fast, &id);
    if (taken != (want == TAKEN))
        fail_msg("%s: the text reader %s it", what, taken ? "took" : "declined");
    if (!taken)
        return;
    json_error_t je;
    json_t *obj = json_loadb(text, n, 0, &je);
    if (obj == NULL)
        fail_msg("%s: taken, but jansson says %s", what, je.text);
    struct pxerr err = {0};
    if (kobj_pod_parse(obj, &tree, &err) != 0)
        fail_msg("%s: taken, but kobj_pod_parse says %s", what, err.msg);
    const char *d = pod_diff(&fast, &tree);
    if (d[0] != '\0')
        fail_msg("%s: %s differs from the tree road's", what, d);
    /* The names point into the text and say the same as the parsed ones. */
    const char *md_ns =
        json_string_value(json_object_get(json_object_get(obj, "metadata"), "namespace"));
    size_t ns_len = md_ns ? strlen(md_ns) : 0;
    if (id.ns_len != ns_len || (ns_len && memcmp(id.ns, md_ns, ns_len) != 0) ||
        id.name_len != strlen(tree.name) || memcmp(id.name, tree.name, id.name_len) != 0)
        fail_msg("%s: the names found in the text are not the pod's", what);
    assert_true(id.name > text && id.name + id.name_len < text + n);
    kobj_pod_fini(&fast);
    kobj_pod_fini(&tree);
    json_decref(obj);
}

static void
check(const char *what, json_t *pod, enum want want)
{
    char *text = json_dumps(pod, JSON_COMPACT | JSON_PRESERVE_ORDER);
    check_text(what, text, want);
    free(text);
}

/* A path of object members, then a value to set there (NULL: remove the member). */
static void
set_at(json_t *pod, const char *a, const char *b, const char *c, json_t *v)
{
    json_t *o = pod;
    const char *keys[3] = {a, b, c};
    int last = c ? 2 : b ? 1 : 0;
    for (int i = 0; i < last; i++)
        o = json_object_get(o, keys[i]);
    assert_non_null(o);
    if (v == NULL)
        json_object_del(o, keys[last]);
    else
        json_object_set_new(o, keys[last], v);
}

static json_t *
first_of(json_t *pod, const char *obj, const char *arr)
{
    return json_array_get(json_object_get(json_object_get(pod, obj), arr), 0);
}

static void
test_fixtures_as_written(void **state)
{
    (void)state;
    json_t *a = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    json_t *b = fixture_pod("istio/native-sidecar-opt-out.yaml.injected", "hellopod");
    check("native sidecar", a, TAKEN);
    check("opt-out", b, TAKEN);
    /* Pretty-printed, with white space everywhere JSON allows it. */
    char *text = json_dumps(a, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
    check_text("indented", text, TAKEN);
    free(text);
    json_decref(a);
    json_decref(b);
}

static void
test_changed_pods(void **state)
{
    (void)state;
    struct {
        const char *what;
        const char *a, *b, *c; /* where */
        const char *json;      /* the new value (NULL: removed) */
        enum want want;
    } cases[] = {
        {"no namespace", "metadata", "namespace", NULL, NULL, TAKEN},
        {"empty namespace", "metadata", "namespace", NULL, "\"\"", TAKEN},
        {"namespace", "metadata", "namespace", NULL, "\"pxc\"", TAKEN},
        {"UTF-8 name", "metadata", "name", NULL, "\"caf\\u00e9-0\"", TAKEN},
        {"labels null", "metadata", "labels", NULL, "null", TAKEN},
        {"labels", "metadata", "labels", NULL,
         "{\"app.kubernetes.io/instance\":\"pxc-cluster\",\"app.kubernetes.io/component\":\"pxc\","
         "\"percona.com/replicationPod\":\"true\",\"sidecar.istio.io/inject\":\"true\","
         "\"istio.io/rev\":\"canary\"}",
         TAKEN},
        {"inject label false", "metadata", "labels", NULL,
         "{\"sidecar.istio.io/inject\":\"false\"}", TAKEN},
        {"label of another type", "metadata", "labels", NULL, "{\"app.kubernetes.io/instance\":5}",
         DECLINED},
        {"labels not an object", "metadata", "labels", NULL, "[]", DECLINED},
        {"annotation False", "metadata", "annotations", NULL,
         "{\"sidecar.istio.io/inject\":\"False\"}", TAKEN},
        {"no name", "metadata", "name", NULL, NULL, DECLINED},
        {"empty name", "metadata", "name", NULL, "\"\"", DECLINED},
        {"name with an escape", "metadata", "name", NULL, "\"a\\\"b\"", DECLINED},
        {"metadata null", "metadata", NULL, NULL, "null", DECLINED},
        {"bad timestamp", "metadata", "creationTimestamp", NULL, "\"yesterday\"", DECLINED},
        {"timestamp", "metadata", "creationTimestamp", NULL, "\"2026-11-24T09:00:00Z\"", TAKEN},
        {"spec null", "spec", NULL, NULL, "null", TAKEN},
        {"no status", "status", NULL, NULL, NULL, TAKEN},
        {"host network", "spec", "hostNetwork", NULL, "true", TAKEN},
        {"host network not boolean", "spec", "hostNetwork", NULL, "\"yes\"", DECLINED},
        {"containers not an array", "spec", "containers", NULL, "{}", DECLINED},
        {"container not an object", "spec", "containers", NULL, "[1]", DECLINED},
        {"a node", "spec", "nodeName", NULL, "\"node-1\"", TAKEN},
        {"phase", "status", "phase", NULL, "\"Running\"", TAKEN},
        {"pod IP", "status", "podIP", NULL, "\"10.1.2.3\"", TAKEN},
        {"pod IP too long", "status", "podIP", NULL,
         "\"0123456789012345678901234567890123456789012345678\"", DECLINED},
        {"ready", "status", "conditions", NULL,
         "[{\"type\":\"Initialized\",\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"True\"}"
         "]",
         TAKEN},
        {"not ready", "status", "conditions", NULL, "[{\"type\":\"Ready\",\"status\":\"False\"}]",
         TAKEN},
        {"restarts", "status", "containerStatuses", NULL,
         "[{\"name\":\"a\",\"restartCount\":3},{\"name\":\"b\",\"restartCount\":40}]", TAKEN},
        {"restarts null", "status", "containerStatuses", NULL,
         "[{\"name\":\"a\",\"restartCount\":null}]", TAKEN},
        {"restarts real", "status", "containerStatuses", NULL,
         "[{\"name\":\"a\",\"restartCount\":1.0}]", DECLINED},
        {"restarts negative", "status", "containerStatuses", NULL,
         "[{\"name\":\"a\",\"restartCount\":-1}]", DECLINED},
        {"restarts too many", "status", "containerStatuses", NULL,
         "[{\"name\":\"a\",\"restartCount\":2000000000}]", DECLINED},
        {"native sidecar restarts", "status", "initContainerStatuses", NULL,
         "[{\"name\":\"istio-proxy\",\"restartCount\":2},{\"name\":\"istio-validation\","
         "\"restartCount\":5}]",
         TAKEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
        json_t *v = NULL;
        if (cases[i].json != NULL) {
            json_error_t je;
            v = json_loads(cases[i].json, JSON_DECODE_ANY, &je);
            if (v == NULL)
                fail_msg("case %s: %s", cases[i].what, je.text);
        }
        set_at(pod, cases[i].a, cases[i].b, cases[i].c, v);
        check(cases[i].what, pod, cases[i].want);
        json_decref(pod);
    }
    /* A native sidecar whose restart policy is not Always is not a sidecar. */
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    json_object_set_new(first_of(pod, "spec", "initContainers"), "restartPolicy",
                        json_string("OnFailure"));
    check("init container not restartable", pod, TAKEN);
    json_decref(pod);
}

/* What only text can say: escapes in keys, duplicate keys, malformed JSON. */
static void
test_changed_text(void **state)
{
    (void)state;
    json_t *pod = fixture_pod("istio/native-sidecar.yaml.injected", "hello");
    char *text = json_dumps(pod, JSON_COMPACT | JSON_PRESERVE_ORDER);
    size_t n = strlen(text);
    char *buf = malloc(n + 256);
    /* A later duplicate of metadata wins, as in jansson. */
    snprintf(buf, n + 256, "%.*s,\"metadata\":{\"name\":\"dup\",\"namespace\":\"x\"}}", (int)n - 1,
             text);
    check_text("duplicate metadata", buf, TAKEN);
    /* "met\u0061data" is "metadata" to jansson. */
    snprintf(buf, n + 256, "%.*s,\"met\\u0061data\":{\"name\":\"esc\"}}", (int)n - 1, text);
    check_text("escaped key", buf, DECLINED);
    /* An escape in a value nobody reads changes nothing. */
    snprintf(buf, n + 256, "%.*s,\"x\":\"a\\nb\\u00e9\"}", (int)n - 1, text);
    check_text("escape elsewhere", buf, TAKEN);
    /* Malformed: both roads refuse; the fast one must decline, not guess. */
    snprintf(buf, n + 256, "%.*s", (int)n - 1, text);
    check_text("truncated", buf, DECLINED);
    snprintf(buf, n + 256, "%.*s,}", (int)n - 1, text);
    check_text("trailing comma", buf, DECLINED);
    snprintf(buf, n + 256, "%.*s,\"x\":\"\xff\"}", (int)n - 1, text);
    check_text("invalid UTF-8", buf, DECLINED);
    snprintf(buf, n + 256, "%.*s,\"x\":1234567890123456789012}", (int)n - 1, text);
    check_text("integer beyond long long", buf, DECLINED);
    check_text("not an object", "[]", DECLINED);
    check_text("empty", "", DECLINED);
    free(buf);
    free(text);
    json_decref(pod);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_as_written),
        cmocka_unit_test(test_changed_pods),
        cmocka_unit_test(test_changed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
