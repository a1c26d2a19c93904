/* test_apply_plan: the apply pipeline on a real loop against a real kubesim (started here
 * on a private loopback address), through live as the console and `pxcmesh apply` use it:
 * validation on a worker (an invalid field named, the schemas kept for the next plan), a
 * preview of a new object (a diff of added lines), the apply, then a preview that finds
 * nothing to change and one that names the changed line; a cluster without a client
 * refused at once; a plan freed in the middle of a validation or of a request calls
 * nothing back; a manifest of three whose second object is invalid, or refused by the
 * server's dry run, applies nothing and names each; a refusal midway stops the apply and
 * the outcome names what was applied; the preview of the lab's ServiceEntry (a label of
 * its own, endpoints in another order) shows only what changes. Every test ends with
 * uv_loop_close() == 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "config/config.h"
#include "kube/kube.h"
#include "live/live.h"
#include "manifest/apply_plan.h"
#include "manifest/crdreg.h"
#include "model/model.h"

extern char **environ;

struct env {
    char dir[128];
    char kubeconfig[256];
    pid_t pid;
};

static const char seed_yaml[] =
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: pxc}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: gone}\n"
    /* As the lab has it: a label of the operator's, endpoints in another order. */
    "---\napiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n"
    "metadata:\n  name: se-live\n  namespace: pxc\n"
    "  labels: {app.kubernetes.io/instance: pxc-cluster}\n"
    "spec:\n  hosts: [se-live.global]\n  location: MESH_INTERNAL\n  resolution: STATIC\n"
    "  ports: [{number: 3306, name: tcp-mysql, protocol: TCP}]\n"
    "  endpoints: [{address: 127.0.20.2}, {address: 127.0.20.1}]\n";

static int
setup(void **state)
{
    const char *bd = getenv("PXC_BUILD_DIR");
    if (bd == NULL) {
        fprintf(stderr, "PXC_BUILD_DIR is not set (run through ctest)\n");
        return -1;
    }
    struct env *e = xcalloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/pxtplan.XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    char seed[256], out[256], ksim[512], listen[64];
    snprintf(seed, sizeof seed, "%s/seed", e->dir);
    mkdir(seed, 0700);
    snprintf(seed, sizeof seed, "%s/seed/objects.yaml", e->dir);
    FILE *f = fopen(seed, "w");
    assert_non_null(f);
    fputs(seed_yaml, f);
    fclose(f);
    snprintf(seed, sizeof seed, "%s/seed", e->dir);
    snprintf(e->kubeconfig, sizeof e->kubeconfig, "%s/kubeconfig", e->dir);
    snprintf(out, sizeof out, "%s/ksim.out", e->dir);
    snprintf(ksim, sizeof ksim, "%s/lab/kubesim", bd);
    snprintf(listen, sizeof listen, "127.%d.%d.9:0", 90 + getpid() % 100,
             (getpid() / 100) % 250 + 1);
    char *argv[] = {ksim, "--listen",           listen,        "--seed",
                    seed, "--write-kubeconfig", e->kubeconfig, "--context",
                    "K",  "--insecure-http",    NULL};
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
        FILE *o = fopen(out, "r");
        if (o) {
            size_t n = fread(buf, 1, sizeof buf - 1, o);
            buf[n] = '\0';
            fclose(o);
        }
        up = strstr(buf, "listening on") != NULL;
        if (!up)
            usleep(50000);
    }
    if (!up) {
        fprintf(stderr, "kubesim did not start (see %s)\n", out);
        return -1;
    }
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
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* ---- live on a private loop, as `pxcmesh apply` runs it ---- */

struct rig {
    uv_loop_t loop;
    struct model *m;
    struct config *cfg;
    struct live *lv;
};

static void
on_synced(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv;
    assert_int_equal(n_unreachable, 0);
    uv_stop(arg);
}

static void
rig_start(struct rig *r, struct env *e)
{
    memset(r, 0, sizeof *r);
    uv_loop_init(&r->loop);
    r->m = model_new();
    struct pxerr err = {0};
    const char *ctx[] = {"K"};
    assert_int_equal(config_from_contexts(ctx, 1, e->kubeconfig, false, &r->cfg, &err), 0);
    struct live_opts o = {.mode = KUBE_MODE_DISCOVER,
                          .kubeconfig = e->kubeconfig,
                          .no_mysql = true,
                          .on_synced = on_synced,
                          .arg = &r->loop};
    assert_int_equal(live_start_opts(&r->loop, r->m, r->cfg, &o, &r->lv, &err), 0);
    uv_run(&r->loop, UV_RUN_DEFAULT);
}

static void
rig_stop(struct rig *r)
{
    live_free(r->lv);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&r->loop), 0);
    model_free(r->m);
    config_free(r->cfg);
}

struct step {
    uv_loop_t *loop;
    int n, status;
    enum apply_step step;
    char err[512];
};

static void
on_step(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err, void *arg)
{
    struct step *s = arg;
    (void)p;
    s->n++;
    s->status = status;
    s->step = step;
    snprintf(s->err, sizeof s->err, "%s", err != NULL ? err->msg : "");
    uv_stop(s->loop);
}

static void
wait_step(struct rig *r, struct step *s)
{
    while (s->n == 0)
        uv_run(&r->loop, UV_RUN_DEFAULT);
    assert_int_equal(s->n, 1);
}

/* A ServiceEntry as `pxcmesh generate serviceentry` writes it: name in ns, endpoint ep. */
static json_t *
sentry(const char *name, const char *ns, const char *ep, const char *port)
{
    json_error_t je;
    char text[1024];
    snprintf(text, sizeof text,
             "{\"apiVersion\": \"networking.istio.io/v1beta1\", \"kind\": \"ServiceEntry\","
             " \"metadata\": {\"name\": \"%s\", \"namespace\": \"%s\"},"
             " \"spec\": {\"hosts\": [\"pxc-cluster.cluster-b.global\"],"
             " \"location\": \"MESH_INTERNAL\", \"resolution\": \"STATIC\","
             " \"ports\": [{\"number\": %s, \"name\": \"tcp-mysql\", \"protocol\": \"TCP\"}],"
             " \"endpoints\": [{\"address\": \"%s\"}]}}",
             name, ns, port, ep);
    json_t *o = json_loads(text, 0, &je);
    assert_non_null(o);
    return o;
}

static json_t *
sentry_docs(const char *ep, const char *port)
{
    return json_pack("[o]", sentry("pxc-cluster-cluster-b", "pxc", ep, port));
}

static void
validate(struct rig *r, struct apply_plan *p, struct crdreg *schemas, struct step *s)
{
    struct pxerr err = {0};
    *s = (struct step){.loop = &r->loop};
    assert_int_equal(apply_plan_validate(p, schemas, on_step, s, &err), 0);
    wait_step(r, s);
}

static void
preview(struct rig *r, struct apply_plan *p, struct step *s)
{
    struct pxerr err = {0};
    *s = (struct step){.loop = &r->loop};
    assert_int_equal(apply_plan_preview(p, r->lv, "K", 0, apply_plan_count(p), on_step, s, &err),
                     0);
    wait_step(r, s);
}

static void
test_validate(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *bad = sentry_docs("127.0.20.1", "\"abc\"");
    struct apply_plan *p = apply_plan_new(&r.loop, bad, NULL);
    json_decref(bad);
    struct step s;
    validate(&r, p, NULL, &s);
    assert_int_equal(s.step, APPLY_VALIDATE);
    assert_true(s.status < 0);
    if (strstr(s.err, "spec.ports[0].number: expected integer") == NULL)
        fail_msg("the error should name the field: %s", s.err);
    /* The schemas loaded for it serve the next plan. */
    struct crdreg *schemas = apply_plan_take_schemas(p);
    assert_non_null(schemas);
    assert_null(apply_plan_take_schemas(p));
    apply_plan_free(p);
    json_t *good = sentry_docs("127.0.20.1", "3306");
    p = apply_plan_new(&r.loop, good, NULL);
    json_decref(good);
    validate(&r, p, schemas, &s);
    assert_int_equal(s.status, 0);
    assert_string_equal(s.err, "");
    apply_plan_free(p);
    rig_stop(&r);
}

static void
test_preview_apply(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = sentry_docs("127.0.20.1", "3306");
    struct apply_plan *p = apply_plan_new(&r.loop, docs, &(struct apply_opts){.context = 2});
    json_decref(docs);
    assert_int_equal(apply_plan_count(p), 1);
    const struct apply_item *it = apply_plan_item(p, 0);
    assert_string_equal(it->desc, "ServiceEntry pxc/pxc-cluster-cluster-b");
    assert_string_equal(it->diff, "");
    struct step s;
    preview(&r, p, &s);
    assert_int_equal(s.status, 0);
    assert_int_equal(s.step, APPLY_DRY_RUN);
    assert_true(it->previewed);
    assert_false(it->exists);
    assert_true(it->n_changed > 0);
    if (strstr(it->diff, "+   - pxc-cluster.cluster-b.global") == NULL)
        fail_msg("the new object's lines should be added: %s", it->diff);
    assert_false(it->applied);
    /* The dry run created nothing: a second preview still finds it new. */
    preview(&r, p, &s);
    assert_false(it->exists);
    /* Not validated: nothing is applied. */
    struct pxerr err = {0};
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 1, on_step, &s, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "nothing applied: ServiceEntry pxc/pxc-cluster-cluster-b has "
                                    "not been validated"));
    validate(&r, p, NULL, &s);
    assert_int_equal(s.status, 0);
    assert_true(it->valid);
    s = (struct step){.loop = &r.loop};
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 1, on_step, &s, &err), 0);
    wait_step(&r, &s);
    assert_int_equal(s.status, 0);
    assert_int_equal(s.step, APPLY_APPLY);
    assert_true(it->applied);
    /* Now it is there, as intended. */
    preview(&r, p, &s);
    assert_true(it->exists);
    assert_int_equal(it->n_changed, 0);
    apply_plan_free(p);
    /* Another endpoint: the diff names the line that changes. */
    docs = sentry_docs("127.0.20.9", "3306");
    p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    preview(&r, p, &s);
    it = apply_plan_item(p, 0);
    assert_true(it->exists);
    assert_int_equal(it->n_changed, 2);
    if (strstr(it->diff, "- ") == NULL || strstr(it->diff, "127.0.20.1") == NULL ||
        strstr(it->diff, "+ ") == NULL || strstr(it->diff, "127.0.20.9") == NULL)
        fail_msg("the diff should remove .1 and add .9: %s", it->diff);
    apply_plan_free(p);
    rig_stop(&r);
}

static void
test_refusals(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = sentry_docs("127.0.20.1", "3306");
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    struct step s = {.loop = &r.loop};
    struct pxerr err = {0};
    /* No such cluster: refused at once, no callback. */
    assert_true(apply_plan_preview(p, r.lv, "nope", 0, 1, on_step, &s, &err) < 0);
    if (strstr(err.msg, "ServiceEntry pxc/pxc-cluster-cluster-b: cluster 'nope' has no API "
                        "client") == NULL)
        fail_msg("the error should name the object and the cluster: %s", err.msg);
    /* An empty range. */
    memset(&err, 0, sizeof err);
    assert_true(apply_plan_apply(p, r.lv, "K", 1, 1, on_step, &s, &err) < 0);
    /* One step at a time. */
    assert_int_equal(apply_plan_preview(p, r.lv, "K", 0, 1, on_step, &s, &err), 0);
    assert_true(apply_plan_apply(p, r.lv, "K", 0, 1, on_step, &s, &err) < 0);
    assert_non_null(strstr(err.msg, "busy"));
    wait_step(&r, &s);
    assert_int_equal(s.status, 0);
    apply_plan_free(p);
    rig_stop(&r);
}

/* a, b, c: the manifest of three objects the tests below break in the middle. */
static json_t *
three(const char *b_ns, const char *b_port)
{
    return json_pack("[ooo]", sentry("a", "pxc", "127.0.30.1", "3306"),
                     sentry("b", b_ns, "127.0.30.2", b_port),
                     sentry("c", "pxc", "127.0.30.3", "3306"));
}

static bool
exists(struct rig *r, const char *ns, const char *name)
{
    json_t *one = json_pack("[o]", sentry(name, ns, "127.0.30.9", "3306"));
    struct apply_plan *p = apply_plan_new(&r->loop, one, NULL);
    json_decref(one);
    struct step s;
    preview(r, p, &s);
    bool e = apply_plan_item(p, 0)->exists;
    apply_plan_free(p);
    return e;
}

/* The second of three objects invalid, then refused by the server's dry run: every object
 * is checked and reported, and nothing is applied. */
static void
test_whole_or_nothing(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = three("pxc", "\"abc\"");
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    struct step s;
    validate(&r, p, NULL, &s);
    assert_int_equal(s.step, APPLY_VALIDATE);
    assert_true(s.status < 0);
    if (strstr(s.err, "ServiceEntry b: spec.ports[0].number: expected integer") == NULL)
        fail_msg("the error should name the object and the field: %s", s.err);
    assert_true(apply_plan_item(p, 0)->valid);
    assert_false(apply_plan_item(p, 1)->valid);
    assert_non_null(strstr(apply_plan_item(p, 1)->error, "spec.ports[0].number"));
    assert_true(apply_plan_item(p, 2)->valid);
    struct crdreg *schemas = apply_plan_take_schemas(p);
    preview(&r, p, &s); /* the server would take a and c, but b is not valid */
    struct pxerr err = {0};
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 3, on_step, &s, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "nothing applied: ServiceEntry b: spec.ports[0].number"));
    apply_plan_free(p);

    /* b valid, but its namespace does not exist: the server refuses it, a and c pass. */
    docs = three("nons", "3306");
    p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    validate(&r, p, schemas, &s);
    assert_int_equal(s.status, 0);
    preview(&r, p, &s);
    assert_int_equal(s.step, APPLY_DRY_RUN);
    assert_true(s.status < 0);
    if (strstr(s.err, "ServiceEntry nons/b: the server refuses it (dry run):") == NULL ||
        strstr(s.err, "namespaces \"nons\" not found") == NULL)
        fail_msg("the error should name the object and the server's reason: %s", s.err);
    assert_true(apply_plan_item(p, 0)->previewed);
    assert_false(apply_plan_item(p, 1)->previewed);
    assert_int_equal(apply_plan_item(p, 1)->failed_at, APPLY_DRY_RUN);
    assert_true(apply_plan_item(p, 2)->previewed); /* the preview went on past b */
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 3, on_step, &s, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "nothing applied: ServiceEntry nons/b: the server refuses"));
    apply_plan_free(p);
    assert_false(exists(&r, "pxc", "a"));
    assert_false(exists(&r, "pxc", "c"));
    rig_stop(&r);
}

static void
on_deleted(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    (void)code, (void)body;
    struct step *s = arg;
    s->n++;
    s->status = status;
    snprintf(s->err, sizeof s->err, "%s", err != NULL ? err->msg : "");
    uv_stop(s->loop);
}

/* The server refuses the second object at the apply though its dry run passed (its
 * namespace went away in between): the first stays applied, the third is not attempted,
 * and the outcome says so object by object. */
static void
test_midway(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = three("gone", "3306");
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    struct step s;
    validate(&r, p, NULL, &s);
    assert_int_equal(s.status, 0);
    preview(&r, p, &s);
    assert_int_equal(s.status, 0);
    struct pxerr err = {0};
    s = (struct step){.loop = &r.loop};
    assert_int_equal(kube_delete(live_client(r.lv, "K"), "v1", "Namespace", NULL, "gone", 0,
                                 on_deleted, &s, NULL, &err),
                     0);
    wait_step(&r, &s);
    assert_int_equal(s.status, 0);
    s = (struct step){.loop = &r.loop};
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 3, on_step, &s, &err), 0);
    wait_step(&r, &s);
    assert_int_equal(s.step, APPLY_APPLY);
    assert_true(s.status < 0);
    assert_non_null(strstr(s.err, "ServiceEntry gone/b: "));
    assert_true(apply_plan_item(p, 0)->applied);
    assert_false(apply_plan_item(p, 1)->applied);
    assert_false(apply_plan_item(p, 2)->applied);
    struct strbuf o;
    strbuf_init(&o);
    apply_plan_outcome(p, 0, 3, "; ", &o);
    if (strstr(o.s, "applied 1 of 3: ServiceEntry pxc/a applied; ServiceEntry gone/b NOT "
                    "applied: ") != o.s ||
        strstr(o.s, "namespaces \"gone\" not found; ServiceEntry pxc/c not attempted") == NULL)
        fail_msg("outcome: %s", o.s);
    strbuf_fini(&o);
    apply_plan_free(p);
    assert_true(exists(&r, "pxc", "a"));
    assert_false(exists(&r, "pxc", "c"));
    rig_stop(&r);
}

/* The lab's ServiceEntry has a label of its own and its endpoints in another order: the
 * preview shows the labels the manifest adds and nothing else. */
static void
test_truthful_preview(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *se = sentry("se-live", "pxc", "127.0.20.1", "3306");
    json_object_set_new(json_object_get(se, "spec"), "hosts", json_pack("[s]", "se-live.global"));
    json_object_set_new(json_object_get(se, "spec"), "endpoints",
                        json_pack("[{s:s}, {s:s}]", "address", "127.0.20.1", "address",
                                  "127.0.20.2"));
    json_t *docs = json_pack("[O]", se);
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    struct step s;
    preview(&r, p, &s);
    const struct apply_item *it = apply_plan_item(p, 0);
    assert_int_equal(s.status, 0);
    assert_true(it->exists);
    assert_int_equal(it->n_changed, 0); /* the order of endpoints means nothing */
    apply_plan_free(p);
    json_object_set_new(json_object_get(se, "metadata"), "labels",
                        json_pack("{s:s}", "app.kubernetes.io/managed-by", "pxcmesh"));
    docs = json_pack("[o]", se);
    p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    preview(&r, p, &s);
    it = apply_plan_item(p, 0);
    assert_int_equal(it->n_changed, 1);
    if (strstr(it->diff, "+     app.kubernetes.io/managed-by: pxcmesh\n") == NULL ||
        strstr(it->diff, "{}") != NULL || strncmp(it->diff, "- ", 2) == 0 ||
        strstr(it->diff, "\n- ") != NULL)
        fail_msg("the diff should add the label and remove nothing: %s", it->diff);
    apply_plan_free(p);
    rig_stop(&r);
}

/* A new Namespace and an object in it: the object cannot be dry-run before the Namespace
 * exists, so its preview is the manifest's, with a note; the apply creates both in order. */
static void
test_new_namespace(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = json_pack("[{s:s, s:s, s:{s:s}}, o]", "apiVersion", "v1", "kind", "Namespace",
                             "metadata", "name", "fresh",
                             sentry("in-fresh", "fresh", "127.0.30.1", "3306"));
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    json_decref(docs);
    struct step s;
    validate(&r, p, NULL, &s);
    assert_int_equal(s.status, 0);
    preview(&r, p, &s);
    assert_int_equal(s.status, 0);
    const struct apply_item *it = apply_plan_item(p, 1);
    assert_true(it->previewed);
    assert_false(it->exists);
    if (strstr(it->note, "its namespace fresh is created by this apply first") == NULL)
        fail_msg("note: '%s'", it->note);
    assert_non_null(strstr(it->diff, "+   name: in-fresh\n"));
    struct pxerr err = {0};
    s = (struct step){.loop = &r.loop};
    assert_int_equal(apply_plan_apply(p, r.lv, "K", 0, 2, on_step, &s, &err), 0);
    wait_step(&r, &s);
    assert_int_equal(s.status, 0);
    assert_true(apply_plan_item(p, 0)->applied && apply_plan_item(p, 1)->applied);
    apply_plan_free(p);
    assert_true(exists(&r, "fresh", "in-fresh"));
    rig_stop(&r);
}

/* Freed with a validation on the worker and with a request in flight: nothing calls back,
 * nothing leaks (the sanitizers check), the loop closes. */
static void
test_free_midway(void **state)
{
    struct rig r;
    rig_start(&r, *state);
    json_t *docs = sentry_docs("127.0.20.1", "3306");
    struct step s = {.loop = &r.loop};
    struct pxerr err = {0};
    struct apply_plan *p = apply_plan_new(&r.loop, docs, NULL);
    assert_int_equal(apply_plan_validate(p, NULL, on_step, &s, &err), 0);
    apply_plan_free(p);
    p = apply_plan_new(&r.loop, docs, NULL);
    assert_int_equal(apply_plan_preview(p, r.lv, "K", 0, 1, on_step, &s, &err), 0);
    apply_plan_free(p); /* its GET is on its way: cancelled, never answered */
    json_decref(docs);
    rig_stop(&r);
    if (s.n != 0)
        fail_msg("a freed plan called back: step %d, status %d: %s", s.step, s.status, s.err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_preview_apply),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_free_midway),
        cmocka_unit_test(test_whole_or_nothing),
        cmocka_unit_test(test_midway),
        cmocka_unit_test(test_truthful_preview),
        cmocka_unit_test(test_new_namespace),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
