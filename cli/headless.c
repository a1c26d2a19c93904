/* headless: the live backends, the model and the live doctor on a private loop, with the
 * model's changes handed to the verb coalesced and signals stopping the loop. The console
 * (tui/app_main.c) starts the same pieces in the same order; this file adds no behaviour of
 * its own to them. */
#include "headless.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "xmalloc.h"
#include "config/config.h"
#include "doctor/doctor_live.h"
#include "live/live.h"
#include "model/snap.h"

#define HL_DELAY_MS 50

struct headless {
    struct headless_opts o;
    uv_loop_t loop;
    struct model *m;
    struct config *cfg;
    struct live *live;
    struct doctor_live *doctor;
    uv_timer_t change_timer;
    uv_signal_t sig[3];
    int exit_code;
    uint64_t n_events;
};

static void
on_change_timer(uv_timer_t *t)
{
    struct headless *h = t->data;
    if (h->o.on_change != NULL)
        h->o.on_change(h, h->o.arg);
}

static void
on_model_dirty(struct model *m, void *arg)
{
    struct headless *h = arg;
    /* model_event touches DIRTY_EVENTS alone, once per event appended. */
    if (m->touched == DIRTY_EVENTS)
        h->n_events++;
    doctor_live_changed(h->doctor);
    if (h->o.on_change != NULL && !uv_is_active((uv_handle_t *)&h->change_timer))
        uv_timer_start(&h->change_timer, on_change_timer, (uint64_t)h->o.delay_ms, 0);
}

static void
on_synced(struct live *lv, int n_unreachable, void *arg)
{
    struct headless *h = arg;
    (void)lv;
    if (h->o.on_synced != NULL)
        h->o.on_synced(h, n_unreachable, h->o.arg);
}

static void
on_signal(uv_signal_t *s, int signum)
{
    struct headless *h = s->data;
    (void)signum;
    headless_stop(h, 0);
}

int
headless_start(const struct headless_opts *o, struct headless **out, struct pxerr *err)
{
    struct headless *h = xcalloc(1, sizeof *h);
    h->o = *o;
    if (h->o.delay_ms <= 0)
        h->o.delay_ms = HL_DELAY_MS;
    h->m = model_new();
    int rc;
    if (o->cmd->replay != NULL) {
        if (!o->replay_ok) {
            model_free(h->m);
            free(h);
            return pxerr_set(err, PXE_USAGE,
                             "--replay is not read here: it watches live "
                             "clusters");
        }
        if ((rc = snap_load_file(o->cmd->replay, h->m, err)) < 0) {
            model_free(h->m);
            free(h);
            return rc;
        }
    } else if ((rc = cmd_kube_config(o->cmd, &h->cfg, err)) != 0) {
        model_free(h->m);
        free(h);
        return rc;
    }
    uv_loop_init(&h->loop);
    uv_timer_init(&h->loop, &h->change_timer);
    h->change_timer.data = h;
    static const int nums[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        uv_signal_init(&h->loop, &h->sig[i]);
        h->sig[i].data = h;
        uv_signal_start(&h->sig[i], on_signal, nums[i]);
    }
    /* Writes to a reader that went away fail with EPIPE instead of killing the process. */
    signal(SIGPIPE, SIG_IGN);
    if (h->cfg != NULL) {
        struct live_opts lo = {.readonly = true, /* serve and watch only look */
                               .mode = KUBE_MODE_WATCH,
                               .kubeconfig = o->cmd->kubeconfig,
                               .on_synced = on_synced,
                               .arg = h};
        if ((rc = live_start_opts(&h->loop, h->m, h->cfg, &lo, &h->live, err)) < 0) {
            (void)headless_free(h);
            return rc;
        }
        struct doctor_live_opts dlo = {.cfg = h->cfg};
        h->doctor = doctor_live_new(&h->loop, h->m, &dlo);
    }
    model_set_dirty_cb(h->m, on_model_dirty, h);
    *out = h;
    return 0;
}

int
headless_run(struct headless *h)
{
    if (h->cfg == NULL && h->o.on_change != NULL) /* a replay: one look at what it loaded */
        uv_timer_start(&h->change_timer, on_change_timer, 0, 0);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    return h->exit_code;
}

void
headless_stop(struct headless *h, int exit_code)
{
    h->exit_code = exit_code;
    uv_stop(&h->loop);
}

int
headless_free(struct headless *h)
{
    if (h == NULL)
        return 0;
    model_set_dirty_cb(h->m, NULL, NULL);
    doctor_live_free(h->doctor);
    live_free(h->live);
    uv_close((uv_handle_t *)&h->change_timer, NULL);
    for (size_t i = 0; i < sizeof h->sig / sizeof h->sig[0]; i++)
        uv_close((uv_handle_t *)&h->sig[i], NULL);
    uv_run(&h->loop, UV_RUN_DEFAULT);
    int leaked = uv_loop_close(&h->loop) != 0;
    if (leaked)
        fprintf(stderr, "pxcmesh: internal error: libuv handles left open at exit\n");
    model_free(h->m);
    config_free(h->cfg);
    free(h);
    return leaked;
}

uv_loop_t *
headless_loop(struct headless *h)
{
    return &h->loop;
}

struct model *
headless_model(struct headless *h)
{
    return h->m;
}

const struct config *
headless_config(const struct headless *h)
{
    return h->cfg;
}

bool
headless_replay(const struct headless *h)
{
    return h->cfg == NULL;
}

void
headless_doctor_run(struct headless *h)
{
    if (h->doctor != NULL)
        doctor_live_run(h->doctor);
}

uint64_t
headless_doctor_runs(const struct headless *h)
{
    if (h->doctor == NULL)
        return 0;
    struct doctor_live_stats st;
    doctor_live_stats(h->doctor, &st);
    return st.runs;
}

uint64_t
headless_events(const struct headless *h)
{
    return h->n_events;
}
