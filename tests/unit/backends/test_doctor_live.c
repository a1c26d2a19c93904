/* test_doctor_live: the console's doctor on a real uv loop. A model change is diagnosed
 * within the promised 2 s (here: within delay + gap), bursts of changes coalesce into few
 * runs, the doctor's own change schedules nothing, an unchanged diagnosis touches nothing,
 * first-seen times hold across runs, and the loop closes with no handle left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "doctor/doctor_live.h"
#include "model/model.h"

struct fx {
    uv_loop_t loop;
    struct model *m;
    struct doctor_live *dl;
    int runs;
    int changed_runs;
    uint64_t last_changes;
};

static void
on_run(int64_t run_us, uint64_t changes, size_t n, bool changed, void *arg)
{
    struct fx *f = arg;
    (void)run_us, (void)n;
    f->runs++;
    f->changed_runs += changed;
    f->last_changes = changes;
}

static void
on_dirty(struct model *m, void *arg)
{
    (void)m;
    doctor_live_changed(((struct fx *)arg)->dl);
}

static void
fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    uv_loop_init(&f->loop);
    f->m = model_new();
    struct m_cluster *c = model_cluster_add(f->m, "a", "a", "");
    c->reachable = true;
    c->istio_installed = true;
    model_ns_upsert(f->m, c, "pxc")->injection = INJ_ENABLED;
    struct m_pod *p = model_pod_upsert(f->m, c, "pxc", "pxc-cluster-pxc-0");
    p->component = intern_str(&f->m->strings, "pxc");
    p->sidecar = SIDECAR_INJECTED;
    struct doctor_live_opts o = {.delay_ms = 20, .gap_ms = 100, .on_run = on_run, .arg = f};
    f->dl = doctor_live_new(&f->loop, f->m, &o);
    model_set_dirty_cb(f->m, on_dirty, f);
}

static void
fx_fini(struct fx *f)
{
    model_set_dirty_cb(f->m, NULL, NULL);
    doctor_live_free(f->dl);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    model_free(f->m);
}

static void
on_stop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Run the loop for ms. */
static void
spin(struct fx *f, int ms)
{
    uv_timer_t t;
    uv_timer_init(&f->loop, &t);
    uv_timer_start(&t, on_stop, (uint64_t)ms, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&f->loop, UV_RUN_NOWAIT);
}

static bool
has(const struct model *m, const char *code)
{
    for (size_t i = 0; i < m->findings.n; i++)
        if (strcmp(((struct m_finding *)m->findings.items[i])->code, code) == 0)
            return true;
    return false;
}

/* How long until has(code) == want, in ms of loop time; -1 after limit_ms. */
static int
wait_for(struct fx *f, const char *code, bool want, int limit_ms)
{
    uv_update_time(&f->loop);
    uint64_t t0 = uv_now(&f->loop);
    while (has(f->m, code) != want) {
        uv_update_time(&f->loop);
        if (uv_now(&f->loop) - t0 > (uint64_t)limit_ms)
            return -1;
        spin(f, 5);
    }
    uv_update_time(&f->loop);
    return (int)(uv_now(&f->loop) - t0);
}

static void
test_appears_and_clears(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    spin(&f, 150); /* the cluster's own changes: one healthy run */
    assert_false(has(f.m, "NS_NOT_INJECTED"));
    struct m_namespace *ns = model_ns_find(f.m->clusters.items[0], "pxc");
    ns->injection = INJ_NONE;
    model_touch(f.m, DIRTY_NAMESPACES);
    int ms = wait_for(&f, "NS_NOT_INJECTED", true, 2000);
    assert_true(ms >= 0 && ms <= 150); /* delay 20 + gap 100, with slack */
    const struct m_finding *fd = f.m->findings.items[0];
    int64_t since = fd->since_ms;
    assert_true(since > 0);
    /* Other changes: the finding keeps its first-seen time. */
    model_touch(f.m, DIRTY_PODS);
    spin(&f, 150);
    assert_int_equal(((struct m_finding *)f.m->findings.items[0])->since_ms, since);
    ns->injection = INJ_ENABLED;
    model_touch(f.m, DIRTY_NAMESPACES);
    ms = wait_for(&f, "NS_NOT_INJECTED", false, 2000);
    assert_true(ms >= 0 && ms <= 150);
    fx_fini(&f);
}

static void
test_bursts_coalesce(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    spin(&f, 150);
    int runs0 = f.runs;
    for (int i = 0; i < 1000; i++)
        model_touch(f.m, DIRTY_PODS);
    spin(&f, 60);
    assert_int_equal(f.runs - runs0, 1);
    assert_int_equal(f.last_changes, 1000);
    /* Nothing changed in the diagnosis: the model's findings are not touched. */
    assert_int_equal(f.changed_runs, 0);
    /* What no check reads, and the doctor's own findings, schedule no run. */
    runs0 = f.runs;
    model_event(f.m, "a", 0, "an event");
    model_touch(f.m, DIRTY_FINDINGS | DIRTY_PROBES);
    spin(&f, 200);
    assert_int_equal(f.runs, runs0);
    struct doctor_live_stats st;
    doctor_live_stats(f.dl, &st);
    assert_int_equal(st.runs, (uint64_t)f.runs);
    assert_true(st.max_us >= st.last_us);
    fx_fini(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appears_and_clears),
        cmocka_unit_test(test_bursts_coalesce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
