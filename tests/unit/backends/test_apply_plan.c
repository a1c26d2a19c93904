/* test_apply_plan: the apply pipeline on a real loop against a real kubesim (started here
 * on a private loopback address), through live as the console and `pxcmesh apply` use it:
 * validation on a worker (an invalid field named, the schemas kept for the next plan), a
 * preview of a new object (a diff of added lines), the apply, then a preview that finds
 * nothing to change and one that names the changed line; a cluster without a client
 * refused at once; and a plan freed in the middle of a validation or of a request calls
 * nothing back. Every test ends with uv_loop_close() == 0. */
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

#include "xmalloc.h"
#include "config/config.h"
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

static const char seed_yaml[] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: pxc}\n";

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

/* The ServiceEntry `pxcmesh generate serviceentry` writes, with endpoint ep. */
static json_t *
sentry_docs(const char *ep, const char *port)
{
    json_error_t je;
    char text[1024];
    snprintf(text, sizeof text,
             "[{\"apiVersion\": \"networking.istio.io/v1beta1\", \"kind\": \"ServiceEntry\","
             " \"metadata\": {\"name\": \"pxc-cluster-cluster-b\", \"namespace\": \"pxc\"},"
             " \"spec\": {\"hosts\": [\"pxc-cluster.cluster-b.global\"],"
             " \"location\": \"MESH_INTERNAL\", \"resolution\": \"STATIC\","
             " \"ports\": [{\"number\": %s, \"name\": \"tcp-mysql\", \"protocol\": \"TCP\"}],"
             " \"endpoints\": [{\"address\": \"%s\"}]}}]",
             port, ep);
    json_t *docs = json_loads(text, 0, &je);
    assert_non_null(docs);
    return docs;
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
    struct pxerr err = {0};
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
