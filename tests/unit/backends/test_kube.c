/* test_kube: the Kubernetes client on a real loop against a real kubesim (started here on a
 * private loopback address): discovery, a list-once sync into the model with stats, a
 * Secret read on demand (value, missing key in words), server-side apply (dry run, then for
 * real), get, delete and the 404 in words, the namespace label merge patch (set, remove),
 * the statefulset restart annotation, read-only refusals before any request, paginated
 * kube_list, cancellation, and the sink contract (a counting sink: LIST items parsed on a
 * worker, committed on the loop, refusals skipped, each item freed once, the relist and
 * reachability reported). Every test ends with uv_loop_close() == 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "base64.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "kube/http.h"
#include "kube/kcfg.h"
#include "kube/kube.h"
#include "live/live.h"
#include "live/live_sink.h"
#include "config/config.h"
#include "model/model.h"

extern char **environ;

struct env {
    char dir[128];
    pid_t pid;
    struct kcfg_target *target;
};

static const char seed_yaml[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: pxc}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: pxc-secrets, namespace: pxc}\n"
    "data: {monitor: bW9uaXRvci1wYXNz, root: cm9vdC1wYXNz}\n---\n"
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pxc-cluster-pxc, namespace: pxc}\n"
    "spec:\n  replicas: 0\n  selector: {matchLabels: {app: x}}\n"
    "  template:\n    metadata: {labels: {app: x}}\n"
    "    spec: {containers: [{name: pxc, image: percona}]}\n";

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- a Secret whose values the test process never holds but in its stack ---- */

static const char *const wide_keys[] = {"monitor", "root", "xtrabackup", "operator"};
#define N_WIDE (sizeof wide_keys / sizeof wide_keys[0])

/* The value of a key of the Secret "pxc-wide", made at run time into out (a stack buffer of
 * the caller): no copy of it exists in the binary, and the test's heap never holds one. */
static void
wide_value(const char *key, char *out, size_t n)
{
    snprintf(out, n, "pxc-%s-%08x-v4lue", key, (unsigned)getpid() * 2654435761u);
}

/* Its base64, as the API server sends it, into out (stack); the heap copy is zeroed. */
static void
wide_value_b64(const char *key, char *out, size_t n)
{
    char v[64];
    wide_value(key, v, sizeof v);
    char *b = base64_encode(v, strlen(v), 0);
    snprintf(out, n, "%s", b);
    xfree_secret(b);
    explicit_bzero(v, sizeof v);
}

/* Seed the Secret with write(2) from the stack (stdio would leave a copy in its heap buffer). */
static void
write_wide_secret(const char *path)
{
    char doc[1024], b64[96];
    int k = snprintf(doc, sizeof doc, "apiVersion: v1\nkind: Secret\n"
                                      "metadata: {name: pxc-wide, namespace: pxc}\ndata:\n");
    for (size_t i = 0; i < N_WIDE; i++) {
        wide_value_b64(wide_keys[i], b64, sizeof b64);
        k += snprintf(doc + k, sizeof doc - (size_t)k, "  %s: %s\n", wide_keys[i], b64);
    }
    explicit_bzero(b64, sizeof b64);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, doc, (size_t)k), k);
    close(fd);
    explicit_bzero(doc, sizeof doc);
}

static int
setup(void **state)
{
    const char *bd = getenv("PXC_BUILD_DIR");
    if (bd == NULL) {
        fprintf(stderr, "PXC_BUILD_DIR is not set (run through ctest)\n");
        return -1;
    }
    struct env *e = xcalloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/pxtkube.XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    char seed[256], kc[256], out[256], ksim[512], listen[64];
    snprintf(seed, sizeof seed, "%s/seed", e->dir);
    mkdir(seed, 0700);
    snprintf(seed, sizeof seed, "%s/seed/objects.yaml", e->dir);
    write_file(seed, seed_yaml);
    snprintf(seed, sizeof seed, "%s/seed/wide-secret.yaml", e->dir);
    write_wide_secret(seed);
    snprintf(seed, sizeof seed, "%s/seed", e->dir);
    snprintf(kc, sizeof kc, "%s/kubeconfig", e->dir);
    snprintf(out, sizeof out, "%s/ksim.out", e->dir);
    snprintf(ksim, sizeof ksim, "%s/lab/kubesim", bd);
    snprintf(listen, sizeof listen, "127.%d.%d.7:0", 90 + getpid() % 100,
             (getpid() / 100) % 250 + 1);
    char *argv[] = {ksim, "--listen", listen, "--seed", seed, "--write-kubeconfig", kc,
                    "--context", "K", "--insecure-http", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&e->pid, ksim, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "cannot start %s\n", ksim);
        return -1;
    }
    /* Wait (bounded) until it says where it listens. */
    bool up = false;
    for (int i = 0; i < 200 && !up; i++) {
        char buf[4096] = "";
        FILE *f = fopen(out, "r");
        if (f) {
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            buf[n] = '\0';
            fclose(f);
        }
        up = strstr(buf, "listening on") != NULL;
        if (!up)
            usleep(50000);
    }
    if (!up) {
        fprintf(stderr, "kubesim did not start (see %s)\n", out);
        return -1;
    }
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    if (kcfg_load(kc, &k, &err) < 0 || kcfg_resolve(k, "K", &e->target, &err) < 0) {
        fprintf(stderr, "kubeconfig: %s\n", err.msg);
        kcfg_free(k);
        return -1;
    }
    kcfg_free(k);
    *state = e;
    return 0;
}

static int
teardown(void **state)
{
    struct env *e = *state;
    if (e == NULL)
        return 0;
    kill(e->pid, SIGTERM);
    waitpid(e->pid, NULL, 0);
    kcfg_target_free(e->target);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* ---- a client on a private loop ---- */

struct rig {
    uv_loop_t loop;
    struct http *h;
    struct model *m;
    struct m_cluster *c;
    struct live_sink *sink;
    struct kube_client *kc;
    int synced, n_failed;
};

static void
on_synced(struct kube_client *kc, int n_failed, void *arg)
{
    struct rig *r = arg;
    (void)kc;
    r->synced++;
    r->n_failed = n_failed;
}

/* A client for cluster K; sink NULL: the model's (live_sink). */
static void
rig_start_sink(struct rig *r, struct env *e, enum kube_mode mode, bool readonly,
               const struct kube_sink *sink)
{
    memset(r, 0, sizeof *r);
    uv_loop_init(&r->loop);
    r->h = http_new(&r->loop);
    r->m = model_new();
    r->c = model_cluster_add(r->m, "K", "K", NULL);
    r->sink = live_sink_new(r->m, r->c);
    struct kube_client_opts o = {.name = "K", .target = e->target, .mode = mode,
                                 .readonly = readonly,
                                 .sink = sink ? sink : live_sink_kube(r->sink),
                                 .on_synced = on_synced, .arg = r};
    struct pxerr err = {0};
    assert_int_equal(kube_client_new(&r->loop, r->h, NULL, &o, &r->kc, &err), 0);
    kube_client_start(r->kc);
    while (r->synced == 0)
        assert_true(uv_run(&r->loop, UV_RUN_ONCE) != 0 || r->synced);
    assert_int_equal(r->synced, 1);
}

static void
rig_start(struct rig *r, struct env *e, enum kube_mode mode, bool readonly)
{
    rig_start_sink(r, e, mode, readonly, NULL);
}

static void
rig_stop(struct rig *r)
{
    kube_client_free(r->kc);
    live_sink_free(r->sink);
    http_free(r->h);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&r->loop), 0);
    model_free(r->m);
}

struct resp {
    int n;
    int status;
    long code;
    json_t *body;
    char err[256];
    char value[64];
    size_t len;
};

static void
on_resp(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct resp *r = arg;
    r->n++;
    r->status = status;
    r->code = code;
    if (r->body)
        json_decref(r->body);
    r->body = body ? json_incref(body) : NULL;
    snprintf(r->err, sizeof r->err, "%s", err ? err->msg : "");
}

static void
on_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct resp *r = arg;
    r->n++;
    r->status = status;
    snprintf(r->value, sizeof r->value, "%s", value ? value : "");
    r->len = len;
    snprintf(r->err, sizeof r->err, "%s", err ? err->msg : "");
}

static void
wait_resp(struct rig *g, struct resp *r, int n)
{
    while (r->n < n)
        assert_true(uv_run(&g->loop, UV_RUN_ONCE) != 0 || r->n >= n);
}

static void
resp_fini(struct resp *r)
{
    if (r->body)
        json_decref(r->body);
    r->body = NULL;
}

static void
test_list_once(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_LIST_ONCE, true);
    assert_int_equal(g.n_failed, 0);
    struct m_cluster *c = g.c;
    assert_true(c->reachable);
    assert_string_equal(c->error, "");
    assert_non_null(model_ns_find(c, "pxc"));
    struct kube_stats st;
    kube_client_stats(g.kc, &st);
    assert_true(st.active[KUBE_RES_NAMESPACES] && st.synced[KUBE_RES_NAMESPACES]);
    assert_true(st.n_objects[KUBE_RES_NAMESPACES] >= 2);
    assert_int_equal((int)st.n_objects[KUBE_RES_STATEFULSETS], 1);
    assert_true(st.active[KUBE_RES_SENTRIES]); /* the Istio CRDs are served */
    assert_string_equal(kube_client_sentry_version(g.kc), "networking.istio.io/v1");
    assert_int_equal((int)st.n_watches, 0); /* list once: no watch */
    rig_stop(&g);
}

static void
test_secret(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, true);
    struct resp r = {0};
    struct pxerr err = {0};
    assert_int_equal(kube_secret_get(g.kc, "pxc", "pxc-secrets", "monitor", on_secret, &r, NULL,
                                     &err), 0);
    wait_resp(&g, &r, 1);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.value, "monitor-pass");
    assert_int_equal((int)r.len, 12);
    assert_int_equal(kube_secret_get(g.kc, "pxc", "pxc-secrets", "nope", on_secret, &r, NULL,
                                     &err), 0);
    wait_resp(&g, &r, 2);
    assert_int_equal(r.status, PXE_NOTFOUND);
    assert_string_equal(r.err, "secret pxc/pxc-secrets has no key 'nope' (keys: monitor, root)");
    assert_int_equal(kube_secret_get(g.kc, "pxc", "absent", "x", on_secret, &r, NULL, &err), 0);
    wait_resp(&g, &r, 3);
    assert_int_equal(r.status, PXE_NOTFOUND);
    assert_non_null(strstr(r.err, "not found: cannot get secret absent in namespace pxc (404"));
    rig_stop(&g);
}

static json_t *
sentry(void)
{
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:[s], s:[{s:i, s:s, s:s}], s:s}}",
                     "apiVersion", "networking.istio.io/v1", "kind", "ServiceEntry", "metadata",
                     "name", "se-test", "namespace", "pxc", "spec", "hosts", "t.global", "ports",
                     "number", 3306, "name", "mysql", "protocol", "TCP", "resolution", "DNS");
}

static void
test_writes(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, false);
    struct resp r = {0};
    struct pxerr err = {0};
    json_t *se = sentry();

    /* Dry run: answered, not stored. */
    assert_int_equal(kube_apply(g.kc, se, KUBE_DRY_RUN, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 1);
    assert_int_equal(r.status, 0);
    assert_string_equal(json_string_value(json_object_get(r.body, "kind")), "ServiceEntry");
    const char *path = "/apis/networking.istio.io/v1/namespaces/pxc/serviceentries/se-test";
    assert_int_equal(kube_get(g.kc, path, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 2);
    assert_int_equal(r.status, PXE_NOTFOUND);
    assert_int_equal(r.code, 404);

    /* For real, then read back. */
    assert_int_equal(kube_apply(g.kc, se, 0, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 3);
    assert_int_equal(r.status, 0);
    assert_int_equal(kube_get(g.kc, path, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 4);
    assert_int_equal(r.status, 0);
    json_t *mf = json_object_get(json_object_get(r.body, "metadata"), "managedFields");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mf, 0), "manager")),
                        "pxcmesh");

    /* Delete, and the 404 after it in words. */
    assert_int_equal(kube_delete(g.kc, "networking.istio.io/v1", "ServiceEntry", "pxc",
                                 "se-test", 0, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 5);
    assert_int_equal(r.status, 0);
    assert_int_equal(kube_delete(g.kc, "networking.istio.io/v1", "ServiceEntry", "pxc",
                                 "se-test", 0, on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 6);
    assert_int_equal(r.status, PXE_NOTFOUND);
    assert_non_null(strstr(r.err, "not found: cannot delete ServiceEntry se-test in namespace "
                                  "pxc (404 from http://"));

    /* Namespace label: set, then remove. */
    assert_int_equal(kube_label_namespace(g.kc, "pxc", "istio-injection", "enabled", 0, on_resp,
                                          &r, NULL, &err), 0);
    wait_resp(&g, &r, 7);
    assert_int_equal(r.status, 0);
    json_t *labels = json_object_get(json_object_get(r.body, "metadata"), "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "istio-injection")), "enabled");
    assert_int_equal(kube_label_namespace(g.kc, "pxc", "istio-injection", NULL, 0, on_resp, &r,
                                          NULL, &err), 0);
    wait_resp(&g, &r, 8);
    labels = json_object_get(json_object_get(r.body, "metadata"), "labels");
    assert_null(json_object_get(labels, "istio-injection"));

    /* Rollout restart. */
    assert_int_equal(kube_restart_statefulset(g.kc, "pxc", "pxc-cluster-pxc", 0, on_resp, &r,
                                              NULL, &err), 0);
    wait_resp(&g, &r, 9);
    assert_int_equal(r.status, 0);
    json_t *ann = json_object_get(json_object_get(json_object_get(json_object_get(
                                      r.body, "spec"), "template"), "metadata"), "annotations");
    const char *at = json_string_value(json_object_get(ann, "kubectl.kubernetes.io/restartedAt"));
    assert_non_null(at);
    assert_int_equal((int)strlen(at), 20); /* 2026-11-25T08:00:00Z */

    /* A kind it does not know by name still gets Kubernetes' default plural. */
    json_decref(se);
    resp_fini(&r);
    rig_stop(&g);
}

static void
test_readonly(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, true);
    struct resp r = {0};
    struct pxerr err = {0};
    json_t *se = sentry();
    assert_int_equal(kube_apply(g.kc, se, 0, on_resp, &r, NULL, &err), PXE_READONLY);
    assert_string_equal(err.msg, "read-only mode: refusing to apply ServiceEntry pxc/se-test on "
                                 "cluster K (started with --readonly or readonly: true)");
    assert_int_equal(kube_delete(g.kc, "v1", "Pod", "pxc", "p", 0, on_resp, &r, NULL, &err),
                     PXE_READONLY);
    assert_int_equal(kube_label_namespace(g.kc, "pxc", "a", "b", 0, on_resp, &r, NULL, &err),
                     PXE_READONLY);
    assert_int_equal(kube_restart_statefulset(g.kc, "pxc", "s", KUBE_DRY_RUN, on_resp, &r, NULL,
                                              &err), PXE_READONLY);
    assert_int_equal(r.n, 0);
    json_decref(se);
    rig_stop(&g);
}

static void
test_list_and_cancel(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, true);
    struct resp r = {0}, c = {0};
    struct pxerr err = {0};
    assert_int_equal(kube_list(g.kc, "/api/v1/namespaces", on_resp, &r, NULL, &err), 0);
    struct kube_req *req = NULL;
    assert_int_equal(kube_list(g.kc, "/api/v1/pods", on_resp, &c, &req, &err), 0);
    kube_req_cancel(req);
    wait_resp(&g, &r, 1);
    assert_int_equal(r.status, 0);
    assert_string_equal(json_string_value(json_object_get(r.body, "kind")), "NamespaceList");
    assert_true(json_array_size(json_object_get(r.body, "items")) >= 2);
    struct strbuf p;
    strbuf_init(&p);
    assert_int_equal(kube_kind_path(g.kc, "se", "pxc", NULL, &p, &err), 0);
    assert_string_equal(p.s, "/apis/networking.istio.io/v1/namespaces/pxc/serviceentries");
    strbuf_reset(&p);
    assert_int_equal(kube_kind_path(g.kc, "nodes", "pxc", NULL, &p, &err), 0);
    assert_string_equal(p.s, "/api/v1/nodes");
    assert_int_equal(kube_kind_path(g.kc, "secrets", NULL, NULL, &p, &err), PXE_UNSUPPORTED);
    assert_int_equal(kube_kind_path(g.kc, "bogus", NULL, NULL, &p, &err), PXE_NOTFOUND);
    assert_non_null(strstr(err.msg, "unknown kind 'bogus'; known: pods, namespaces"));
    strbuf_fini(&p);
    resp_fini(&r);
    rig_stop(&g);
    assert_int_equal(c.n, 0); /* cancelled: never called */
}

/* Names go into paths: what is not a name is refused before anything is sent, and a path is
 * sent as built (curl resolves no dot segment). */
static void
test_names_in_paths(void **state)
{
    struct pxerr err = {0};
    static const char *const good[] = {"pxc-secrets", "a", "pxc-cluster.cluster-b.global",
                                       "0abc-9"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(kube_name_check(good[i], &err), 0);
    static const char *const bad[] = {"..", ".", "../secrets/pxc-secrets", "%2e%2e", "a/b",
                                      "with space", "", "Upper", "-a", "a-", "a..b", ".a",
                                      "a\r\nb", "a%2Fb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(kube_name_check(bad[i], &err), PXE_INVAL);
    char longname[300];
    memset(longname, 'a', 254);
    longname[254] = '\0';
    assert_int_equal(kube_name_check(longname, &err), PXE_INVAL);
    assert_int_equal(kube_name_check("../secrets/x", &err), PXE_INVAL);
    assert_string_equal(err.msg, "invalid name \"../secrets/x\": '.' at position 1; a name is "
                                 "lower-case letters, digits, '-' and '.', each part between "
                                 "dots starting and ending with a letter or digit (DNS-1123)");
    assert_int_equal(kube_name_check("x\x1b[2Jy", &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "\"x\\x1b[2Jy\": byte 0x1b at position 2"));
    assert_int_equal(kube_name_check_ns("pxc", &err), 0);
    assert_int_equal(kube_name_check_ns("a.b", &err), PXE_INVAL);
    assert_int_equal(kube_name_check_ns("with space", &err), PXE_INVAL);

    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, false);
    struct strbuf p;
    strbuf_init(&p);
    assert_int_equal(kube_kind_path(g.kc, "cm", "pxc", "pxc-config", &p, &err), 0);
    assert_string_equal(p.s, "/api/v1/namespaces/pxc/configmaps/pxc-config");
    strbuf_reset(&p);
    assert_int_equal(kube_kind_path(g.kc, "cm", "pxc", "../secrets/pxc-secrets", &p, &err),
                     PXE_INVAL);
    assert_int_equal(kube_kind_path(g.kc, "cm", "../pxc", NULL, &p, &err), PXE_INVAL);
    assert_int_equal((int)p.len, 0);
    strbuf_fini(&p);
    struct resp r = {0};
    assert_int_equal(kube_secret_get(g.kc, "pxc", "..", "monitor", on_secret, &r, NULL, &err),
                     PXE_INVAL);
    assert_int_equal(kube_secret_get(g.kc, "../pxc", "x", "monitor", on_secret, &r, NULL, &err),
                     PXE_INVAL);
    assert_int_equal(kube_delete(g.kc, "v1", "Pod", "pxc", "a/../b", 0, on_resp, &r, NULL, &err),
                     PXE_INVAL);
    assert_int_equal(kube_delete(g.kc, "v1/../../api", "Pod", "pxc", "a", 0, on_resp, &r, NULL,
                                 &err), PXE_INVAL);
    assert_int_equal(kube_restart_statefulset(g.kc, "pxc", "x y", 0, on_resp, &r, NULL, &err),
                     PXE_INVAL);
    assert_int_equal(kube_label_namespace(g.kc, "p/x", "a", "b", 0, on_resp, &r, NULL, &err),
                     PXE_INVAL);
    json_t *se = sentry();
    json_object_set_new(json_object_get(se, "metadata"), "name", json_string("%2e%2e"));
    assert_int_equal(kube_apply(g.kc, se, KUBE_DRY_RUN, on_resp, &r, NULL, &err), PXE_INVAL);
    json_decref(se);
    /* A kind outside the table keeps Kubernetes' path-segment rule: ':' passes, '/' not. */
    assert_int_equal(kube_delete(g.kc, "rbac.authorization.k8s.io/v1", "ClusterRole", NULL,
                                 "system:x/../y", KUBE_DRY_RUN, on_resp, &r, NULL, &err),
                     PXE_INVAL);
    assert_int_equal(r.n, 0); /* nothing was sent */
    /* A raw path is sent as is: the dot segments do not turn a ConfigMap into the Secret. */
    assert_int_equal(kube_get(g.kc, "/api/v1/namespaces/pxc/configmaps/../secrets/pxc-secrets",
                              on_resp, &r, NULL, &err), 0);
    wait_resp(&g, &r, 1);
    assert_int_equal(r.status, PXE_NOTFOUND);
    assert_null(strstr(r.err, "bW9uaXRvci1wYXNz"));
    resp_fini(&r);
    rig_stop(&g);
}

/* How many times needle (len bytes, on the caller's stack) occurs in the process's writable
 * memory, the main thread's stack aside. Read through /proc/self/mem into a stack buffer, so
 * that neither the scan nor ASan's checks see or make another copy. Mappings over 1 GB
 * (ASan's shadow) are skipped. */
static int
count_in_memory(const char *needle, size_t len)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY);
    assert_non_null(maps);
    assert_true(mem >= 0);
    char line[512], buf[65536];
    int found = 0;
    while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' ||
            perms[1] != 'w' || strstr(line, "[stack]") || strstr(line, "[v") ||
            hi - lo > (1ul << 30))
            continue;
        /* Chunks overlap by len - 1 bytes, so that a copy across two chunks is found. */
        for (unsigned long at = lo; at < hi;) {
            size_t want = hi - at < sizeof buf ? hi - at : sizeof buf;
            ssize_t got = pread(mem, buf, want, (off_t)at);
            if (got <= 0)
                break;
            for (const char *p = buf; (p = memmem(p, (size_t)got - (size_t)(p - buf), needle,
                                                  len)) != NULL;
                 p++)
                found++;
            if ((size_t)got < len || at + (unsigned long)got >= hi)
                break;
            at += (unsigned long)got - (len - 1);
        }
    }
    explicit_bzero(buf, sizeof buf);
    fclose(maps);
    close(mem);
    return found;
}

struct wide_read {
    int n, status;
    bool value_ok; /* the callback got monitor's value (compared, not copied) */
};

static void
on_wide_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct wide_read *w = arg;
    (void)err;
    char want[64];
    wide_value("monitor", want, sizeof want);
    w->n++;
    w->status = status;
    w->value_ok = value && len == strlen(want) && memcmp(value, want, len) == 0;
    explicit_bzero(want, sizeof want);
}

/* Only the key asked for is taken from a Secret, and zeroed after its callback: once the
 * read is done, no value of the Secret (plain or base64) is anywhere in this process. */
static void
test_secret_memory(void **state)
{
    struct rig g;
    rig_start(&g, *state, KUBE_MODE_DISCOVER, true);
    char needle[96];
    /* The scan itself works: a value put on the heap is found. */
    wide_value("root", needle, sizeof needle);
    char *planted = xstrdup(needle);
    assert_true(count_in_memory(needle, strlen(needle)) >= 1);
    xfree_secret(planted);
    assert_int_equal(count_in_memory(needle, strlen(needle)), 0);

    struct wide_read w = {0};
    struct pxerr err = {0};
    assert_int_equal(kube_secret_get(g.kc, "pxc", "pxc-wide", "monitor", on_wide_secret, &w,
                                     NULL, &err), 0);
    while (w.n == 0)
        assert_true(uv_run(&g.loop, UV_RUN_ONCE) != 0 || w.n > 0);
    assert_int_equal(w.status, 0);
    assert_true(w.value_ok);
    char left[256] = "";
    size_t k = 0;
    for (size_t i = 0; i < N_WIDE; i++) {
        wide_value(wide_keys[i], needle, sizeof needle);
        int plain = count_in_memory(needle, strlen(needle));
        wide_value_b64(wide_keys[i], needle, sizeof needle);
        int b64 = count_in_memory(needle, strlen(needle));
        if (plain || b64)
            k += (size_t)snprintf(left + k, sizeof left - k, " %s (%d plain, %d base64)",
                                  wide_keys[i], plain, b64);
    }
    explicit_bzero(needle, sizeof needle);
    if (k)
        fail_msg("copies of the Secret's values left in memory:%s", left);
    rig_stop(&g);
}

/* ---- the sink contract, with a sink that counts ---- */

struct counts {
    pthread_t loop_thread;
    atomic_int parsed, parsed_off_loop, freed, refused;
    int committed, removed, relisted, reachable, errors;
    char last_error[256];
    bool error_cleared;
};

static struct counts *counts_for_parse; /* parse has no arg: the one sink of this test */

/* Namespaces decoded into their name; "pxc" is refused to prove a refusal skips it. */
static void *
ns_parse(json_t *obj, struct pxerr *err)
{
    struct counts *c = counts_for_parse;
    atomic_fetch_add(&c->parsed, 1);
    if (!pthread_equal(pthread_self(), c->loop_thread))
        atomic_fetch_add(&c->parsed_off_loop, 1);
    const char *name =
        json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
    if (name && strcmp(name, "pxc") == 0) {
        atomic_fetch_add(&c->refused, 1);
        pxerr_set(err, PXE_SCHEMA, "namespace pxc: refused by the test");
        return NULL;
    }
    return xstrdup(name ? name : "");
}

static void
ns_free(void *item)
{
    atomic_fetch_add(&counts_for_parse->freed, 1);
    free(item);
}

static int
ns_commit(void *item, void *arg, struct pxerr *err)
{
    struct counts *c = arg;
    (void)err;
    assert_true(pthread_equal(pthread_self(), c->loop_thread));
    assert_non_null(item);
    c->committed++;
    return 0;
}

static int
ns_remove(json_t *obj, void *arg, struct pxerr *err)
{
    struct counts *c = arg;
    (void)obj;
    (void)err;
    c->removed++;
    return 0;
}

static void
ns_relisted(void *arg)
{
    struct counts *c = arg;
    c->relisted++;
}

static void
on_reachable(bool reachable, void *arg)
{
    struct counts *c = arg;
    c->reachable += reachable;
}

static void
on_error(const char *msg, void *arg)
{
    struct counts *c = arg;
    c->errors++;
    snprintf(c->last_error, sizeof c->last_error, "%s", msg ? msg : "");
    c->error_cleared = msg == NULL;
}

static void
test_sink_contract(void **state)
{
    static struct kube_sink_res res[KUBE_RES__COUNT];
    res[KUBE_RES_NAMESPACES] = (struct kube_sink_res){.parse = ns_parse, .free = ns_free,
                                                      .commit = ns_commit, .remove = ns_remove,
                                                      .relisted = ns_relisted};
    struct counts c = {.loop_thread = pthread_self()};
    counts_for_parse = &c;
    struct kube_sink sink = {.res = res, .reachable = on_reachable, .error = on_error,
                             .arg = &c};
    struct rig g;
    rig_start_sink(&g, *state, KUBE_MODE_LIST_ONCE, true, &sink);
    struct kube_stats st;
    kube_client_stats(g.kc, &st);
    /* Every namespace parsed on a worker (the LIST page), refused ones not committed and
     * not remembered, every item freed once, the relist reported once. */
    assert_true(c.parsed >= 2);
    assert_int_equal(c.parsed_off_loop, c.parsed);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.committed, c.parsed - 1);
    assert_int_equal(c.freed, c.committed);
    assert_int_equal((int)st.n_objects[KUBE_RES_NAMESPACES], c.committed);
    assert_true(st.n_errors >= 1);
    assert_int_equal(c.relisted, 1);
    assert_int_equal(c.removed, 0);
    /* Resources without hooks are counted all the same. */
    assert_int_equal((int)st.n_objects[KUBE_RES_STATEFULSETS], 1);
    /* Every answer said the server is there, and the error ended healthy. */
    assert_true(c.reachable >= 3);
    assert_true(c.errors >= 1);
    assert_true(c.error_cleared);
    /* The model was never touched: this sink does not feed it. */
    assert_null(model_ns_find(g.c, "pxc"));
    assert_false(g.c->reachable);
    rig_stop(&g);
    counts_for_parse = NULL;
}

struct live_run {
    int synced, n_bad;
};

static void
on_live_synced(struct live *lv, int n_bad, void *arg)
{
    struct live_run *r = arg;
    (void)lv;
    r->synced++;
    r->n_bad = n_bad;
}

static void
test_live(void **state)
{
    struct env *e = *state;
    char kc[256];
    snprintf(kc, sizeof kc, "%s/kubeconfig", e->dir);
    const char *ctx[] = {"K", "nope"};
    struct config *cfg = NULL;
    struct pxerr err = {0};
    assert_int_equal(config_from_contexts(ctx, 2, kc, false, &cfg, &err), 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct live_run r = {0};
    struct live_opts o = {.mode = KUBE_MODE_LIST_ONCE, .on_synced = on_live_synced, .arg = &r};
    struct live *lv = NULL;
    assert_int_equal(live_start_opts(&loop, m, cfg, &o, &lv, &err), 0);
    while (r.synced == 0)
        assert_true(uv_run(&loop, UV_RUN_ONCE) != 0 || r.synced);
    assert_int_equal(r.n_bad, 1); /* the context that does not exist */
    assert_int_equal((int)m->clusters.n, 2);
    struct m_cluster *k = model_cluster_find(m, "K"), *bad = model_cluster_find(m, "nope");
    assert_true(k->reachable);
    assert_false(bad->reachable);
    assert_non_null(strstr(bad->error, "context \"nope\" not found"));
    assert_non_null(live_client(lv, "K"));
    assert_null(live_client(lv, "nope"));
    assert_false(live_readonly(lv));
    assert_int_equal(live_add_cluster(lv, &cfg->clusters[0], &err), PXE_EXISTS);
    assert_int_equal(live_drop_cluster(lv, "nope", &err), 0);
    assert_int_equal((int)m->clusters.n, 1);
    assert_int_equal(live_drop_cluster(lv, "nope", &err), PXE_NOTFOUND);
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal((int)m->clusters.n, 1); /* stopping keeps what was seen */
    model_free(m);
    config_free(cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_once), cmocka_unit_test(test_secret),
        cmocka_unit_test(test_writes),    cmocka_unit_test(test_readonly),
        cmocka_unit_test(test_list_and_cancel), cmocka_unit_test(test_live),
        cmocka_unit_test(test_sink_contract), cmocka_unit_test(test_names_in_paths),
        cmocka_unit_test(test_secret_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
