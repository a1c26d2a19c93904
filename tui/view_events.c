/* view_events: one timeline across clusters of what changed (the model's event ring),
 * newest first (the title follows a sort), filterable. Ages tick once a second in live mode; a
 * replay shows the ages as they were at the snapshot's time. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "clock.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "tbl.h"
#include "view.h"
#include "vutil.h"

static const struct tbl_col ev_cols[] = {
    {"TIME", 8, 0, 0, TBL_LEFT, 1},    {"AGE", 3, 0, 0, TBL_RIGHT, 0},
    {"CLUSTER", 7, 0, 0, TBL_LEFT, 0}, {"LEVEL", 5, 0, 0, TBL_LEFT, 2},
    {"WHAT", 10, 0, 1, TBL_LEFT, 0},
};

struct ev_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
};

static void
ev_fill(struct ev_view *ev)
{
    struct app *a = ev->v.app;
    const struct model *m = app_model(a);
    int64_t now = app_now_ms(a);
    static const enum th_elem lv_elem[] = {TH_TEXT, TH_STATE_WARN, TH_STATE_BAD};
    static const char *const lv_name[] = {"info", "warn", "error"};
    tbl_rows_begin(ev->t);
    for (int i = 0; i < m->ev_len; i++) {
        const struct m_event *e = model_event_at(m, i);
        int lv = e->level < 0 ? 0 : e->level > 2 ? 2 : e->level;
        char id[64], tm[32], age[32];
        /* Newest is i = 0; the id counts from the oldest so it is stable as events arrive. */
        snprintf(id, sizeof id, "%lld/%d", (long long)e->wall_ms, m->ev_len - i);
        clock_fmt_hms(e->wall_ms, tm, sizeof tm);
        clock_fmt_age(now > e->wall_ms ? now - e->wall_ms : 0, age, sizeof age);
        tbl_row(ev->t, id, TH_NONE);
        tbl_cell_num(ev->t, tm, (double)e->wall_ms, TH_STATE_MUTED);
        tbl_cell_num(ev->t, age, (double)(now - e->wall_ms), TH_NONE);
        tbl_cell(ev->t, e->cluster != NULL ? e->cluster : "-", TH_NONE);
        tbl_cell(ev->t, lv_name[lv], lv_elem[lv]);
        tbl_cell(ev->t, e->what, lv_elem[lv]);
    }
    tbl_rows_end(ev->t);
}

static void
ev_sync(struct view *v)
{
    ev_fill((struct ev_view *)v);
}

/* The title says the order the rows are in: the ring's (newest first) until `s` sorts;
 * by time (or age, its mirror) it reads as newest or oldest first, by another column as
 * "by CLUSTER" with the direction. */
static void
ev_title(const struct ev_view *ev, char *buf, size_t n)
{
    int col = tbl_sort_col(ev->t);
    bool desc = tbl_sort_desc(ev->t);
    if (col < 0)
        snprintf(buf, n, "Events (newest first)");
    else if (col == 0 || col == 1) /* TIME ascending, AGE descending: the oldest first */
        snprintf(buf, n, "Events (%s first)", (col == 0) != desc ? "oldest" : "newest");
    else
        snprintf(buf, n, "Events (by %s, %s)", ev_cols[col].title,
                 desc ? "descending" : "ascending");
}

static void
ev_render(struct view *v)
{
    struct ev_view *ev = (struct ev_view *)v;
    struct app *a = v->app;
    werase(v->win);
    char info[64], title[96];
    tbl_pos_text(ev->t, info, sizeof info);
    ev_title(ev, title, sizeof title);
    frame_draw(v->win, 0, 0, ev->h, ev->w, title, info, true, app_theme(a), app_glyphs(a));
    int iy, ix, ih, iw;
    frame_inner(0, 0, ev->h, ev->w, &iy, &ix, &ih, &iw);
    tbl_draw(ev->t, v->win, iy, ix, ih, iw, app_theme(a), app_glyphs(a), true);
}

static void
ev_layout(struct view *v, int y, int x, int h, int w)
{
    struct ev_view *ev = (struct ev_view *)v;
    ev->y0 = y;
    ev->x0 = x;
    ev->h = h;
    ev->w = w;
    v->dirty = true;
}

static unsigned
ev_action(struct view *v, enum key_action act)
{
    unsigned r = vutil_table_action(((struct ev_view *)v)->t, act, v->app);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
ev_table(const struct view *v)
{
    return ((const struct ev_view *)v)->t;
}

static unsigned
ev_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct ev_view *ev = (struct ev_view *)v;
    (void)x;
    return vutil_table_mouse(ev->t, ev->y0, y, wheel_dy, 3, &v->dirty);
}

static struct view *
ev_create(struct app *a)
{
    struct ev_view *ev = xcalloc(1, sizeof *ev);
    ev->v.ops = &view_events_ops;
    ev->v.app = a;
    ev->v.dirty = true;
    ev->t = tbl_new(ev_cols, sizeof ev_cols / sizeof ev_cols[0]);
    tbl_set_empty_text(ev->t, "no events yet");
    return &ev->v;
}

static void
ev_destroy(struct view *v)
{
    struct ev_view *ev = (struct ev_view *)v;
    tbl_free(ev->t);
    free(ev);
}

const struct view_ops view_events_ops = {
    .name = "events",
    .title = "Events",
    .interest = DIRTY_EVENTS | DIRTY_CLUSTERS,
    .key = KA_VIEW_EVENTS,
    .ticks = true,
    .scope = KS_EVENTS,
    .create = ev_create,
    .destroy = ev_destroy,
    .layout = ev_layout,
    .sync = ev_sync,
    .render = ev_render,
    .action = ev_action,
    .table = ev_table,
    .mouse = ev_mouse,
};
