/* doctor_live: when the console's doctor runs. One uv timer, armed by the first model
 * change after a run and never re-armed by later ones, so that bursts coalesce; a run is
 * doctor_collect into a fresh set, compared with the model's findings before it replaces
 * them, so an unchanged diagnosis costs no frame. What is deliberately not here: the
 * checks (doctor*.c) and the drawing (tui/view_findings.c). */
#include "doctor/doctor_live.h"

#include <stdlib.h>
#include <time.h>

#include "xmalloc.h"
#include "doctor/doctor.h"

#define DL_DELAY_MS 100
#define DL_GAP_MS 400

/* What no check reads: changes of these alone ask for no run (and the doctor's own
 * DIRTY_FINDINGS would otherwise schedule it forever). */
#define DL_IGNORED (DIRTY_FINDINGS | DIRTY_EVENTS | DIRTY_PROBES)

struct doctor_live {
    uv_loop_t *loop;
    struct model *m;
    struct doctor_live_opts o;
    struct health_limits lim;
    struct doctor_memo *memo;
    uv_timer_t timer;
    uint64_t last_run_ms; /* uv_now of the last run's end, 0 none */
    uint64_t pending;     /* changes since the last run */
    bool in_run;
    struct doctor_live_stats st;
};

static int64_t
mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct doctor_live *
doctor_live_new(uv_loop_t *loop, struct model *m, const struct doctor_live_opts *o)
{
    struct doctor_live *dl = xcalloc(1, sizeof *dl);
    dl->loop = loop;
    dl->m = m;
    if (o != NULL)
        dl->o = *o;
    if (dl->o.delay_ms <= 0)
        dl->o.delay_ms = DL_DELAY_MS;
    if (dl->o.gap_ms <= 0)
        dl->o.gap_ms = DL_GAP_MS;
    dl->lim = dl->o.limits != NULL ? *dl->o.limits : health_limits_from_config(dl->o.cfg);
    dl->memo = doctor_memo_new();
    uv_timer_init(loop, &dl->timer);
    dl->timer.data = dl;
    return dl;
}

static void
on_timer_closed(uv_handle_t *h)
{
    struct doctor_live *dl = h->data;
    doctor_memo_free(dl->memo);
    free(dl);
}

void
doctor_live_free(struct doctor_live *dl)
{
    if (dl == NULL)
        return;
    uv_timer_stop(&dl->timer);
    uv_close((uv_handle_t *)&dl->timer, on_timer_closed);
}

void
doctor_live_run(struct doctor_live *dl)
{
    uv_timer_stop(&dl->timer);
    struct doctor_opts o = {.limits = &dl->lim, .cfg = dl->o.cfg, .memo = dl->memo};
    struct vec set;
    vec_init(&set, model_finding_free);
    int64_t t0 = mono_us();
    dl->in_run = true;
    (void)doctor_collect(dl->m, &o, &set);
    size_t n = set.n;
    bool changed = model_findings_replace(dl->m, &set);
    dl->in_run = false;
    int64_t us = mono_us() - t0;
    vec_fini(&set);
    uint64_t changes = dl->pending;
    dl->pending = 0;
    dl->st.runs++;
    dl->st.total_us += us;
    dl->st.last_us = us;
    if (us > dl->st.max_us)
        dl->st.max_us = us;
    uv_update_time(dl->loop);
    dl->last_run_ms = uv_now(dl->loop);
    if (dl->o.on_run != NULL)
        dl->o.on_run(us, changes, n, changed, dl->o.arg);
}

static void
on_timer(uv_timer_t *t)
{
    doctor_live_run(t->data);
}

void
doctor_live_changed(struct doctor_live *dl)
{
    if (dl == NULL || dl->in_run || (dl->m->touched & ~DL_IGNORED) == 0)
        return;
    dl->pending++;
    dl->st.changes++;
    if (uv_is_active((uv_handle_t *)&dl->timer))
        return;
    uint64_t now = uv_now(dl->loop), due = now + (uint64_t)dl->o.delay_ms;
    if (dl->last_run_ms != 0 && dl->last_run_ms + (uint64_t)dl->o.gap_ms > due)
        due = dl->last_run_ms + (uint64_t)dl->o.gap_ms;
    uv_timer_start(&dl->timer, on_timer, due - now, 0);
}

void
doctor_live_stats(const struct doctor_live *dl, struct doctor_live_stats *out)
{
    *out = dl->st;
}
