/* view_findings: the doctor's findings (model->findings, kept current by the live doctor
 * on the loop, or a snapshot's), errors first, as a table with since when each holds, and
 * the selected finding's whole message, its fix (the command, what and where it changes,
 * its warning) and its cause in a text pane below. The fix key runs the fix through an
 * action (act_fix.c: confirmed, naming the exact change) or copies its command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"

/* Every column but SINCE grows to its natural width left to right before MESSAGE takes
 * the rest: a code or an object cut short is no use to match on. */
static const struct tbl_col fd_cols[] = {
    {"SEVERITY", 7, 0, 0, TBL_LEFT, 0}, {"CLUSTER", 7, 0, 0, TBL_LEFT, 0},
    {"CODE", 8, 24, 0, TBL_LEFT, 0},    {"OBJECT", 10, 40, 0, TBL_LEFT, 0},
    {"SINCE", 5, 8, 0, TBL_RIGHT, 1},   {"MESSAGE", 10, 0, 1, TBL_LEFT, 0},
};

struct fd_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *detail;
};

static enum th_elem
sev_elem(enum finding_severity s)
{
    return s == SEV_ERROR ? TH_STATE_BAD : s == SEV_WARNING ? TH_STATE_WARN : TH_TEXT;
}

/* "12s", "4m", "2h": how long it has held, by the app's clock (a replay's: its time). */
static void
fmt_since(const struct m_finding *f, int64_t now, char *buf, size_t n)
{
    if (f->since_ms <= 0 || now < f->since_ms)
        snprintf(buf, n, "-");
    else
        clock_fmt_age(now - f->since_ms, buf, n);
}

static void
fd_fill(struct fd_view *fv)
{
    const struct model *m = app_model(fv->v.app);
    int64_t now = app_now_ms(fv->v.app);
    /* Before every cluster's first lists, no findings is no news (doctor.c judges nothing). */
    bool listing = false;
    for (size_t i = 0; i < m->clusters.n; i++)
        listing |= ((const struct m_cluster *)m->clusters.items[i])->listing;
    tbl_set_empty_text(fv->t, m->replay  ? "no findings in this snapshot"
                              : listing ? "no findings yet: the first reads are in progress"
                                        : "no findings: every check passes");
    tbl_rows_begin(fv->t);
    /* Errors, then warnings, then info; the doctor's order within a severity. */
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
        for (size_t i = 0; i < m->findings.n; i++) {
            const struct m_finding *f = vec_at(&m->findings, i);
            if ((int)f->severity != sev)
                continue;
            /* The row follows its finding across runs (indexes shift). */
            char id[1200], since[32];
            snprintf(id, sizeof id, "%s|%s|%s", f->code, f->cluster, f->object);
            tbl_row(fv->t, id, TH_NONE);
            tbl_cell(fv->t, model_severity_name(f->severity), sev_elem(f->severity));
            tbl_cell(fv->t, f->cluster, TH_NONE);
            tbl_cell(fv->t, f->code, TH_STATE_MUTED);
            tbl_cell(fv->t, f->object, TH_NONE);
            fmt_since(f, now, since, sizeof since);
            tbl_cell_num(fv->t, since, (double)(now - f->since_ms), TH_STATE_MUTED);
            tbl_cell(fv->t, f->message, TH_NONE);
        }
    tbl_rows_end(fv->t);
}

/* The finding of the selected row, or NULL. Borrowed until the model's findings change. */
static const struct m_finding *
fd_selected(struct fd_view *fv)
{
    const struct model *m = app_model(fv->v.app);
    const char *id = tbl_selected_id(fv->t);
    for (size_t i = 0; id != NULL && i < m->findings.n; i++) {
        const struct m_finding *f = vec_at(&m->findings, i);
        char fid[1200];
        snprintf(fid, sizeof fid, "%s|%s|%s", f->code, f->cluster, f->object);
        if (strcmp(fid, id) == 0)
            return f;
    }
    return NULL;
}

static void
fd_fill_detail(struct fd_view *fv)
{
    const struct model *m = app_model(fv->v.app);
    const struct m_finding *f = fd_selected(fv);
    textv_clear(fv->detail);
    if (f == NULL) {
        textv_add_line(fv->detail, m->findings.n == 0 ? "No findings." : "", TH_STATE_MUTED);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    char at[40], age[32];
    fmt_since(f, app_now_ms(fv->v.app), age, sizeof age);
    if (f->since_ms > 0)
        clock_fmt_rfc3339(f->since_ms, at, sizeof at);
    strbuf_appendf(&sb, "%s %s on %s: %s", model_severity_name(f->severity), f->code, f->cluster,
                   f->object);
    if (f->since_ms > 0)
        strbuf_appendf(&sb, ", since %s (%s)", at, age);
    textv_add_line(fv->detail, sb.s, sev_elem(f->severity));
    textv_add_line(fv->detail, f->message, TH_TEXT);
    const struct m_fix *x = &f->fix;
    if (x->command != NULL && x->command[0] != '\0') {
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "fix: %s", x->command);
        textv_add_line(fv->detail, sb.s, TH_STATE_OK);
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "     %s%s%s%s", x->what, x->where[0] ? " (" : "", x->where,
                       x->where[0] ? ")" : "");
        textv_add_line(fv->detail, sb.s, TH_TEXT);
    }
    if (f->hint[0] != '\0') {
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "%s%s",
                       x->command != NULL && x->command[0] ? "     " : "fix: ", f->hint);
        textv_add_line(fv->detail, sb.s,
                       x->command != NULL && x->command[0] ? TH_STATE_MUTED : TH_STATE_OK);
    }
    if (x->warning != NULL && x->warning[0] != '\0') {
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "warning: %s", x->warning);
        textv_add_line(fv->detail, sb.s, TH_STATE_WARN);
    }
    if (f->cause >= 0 && (size_t)f->cause < m->findings.n) {
        const struct m_finding *c = vec_at(&m->findings, (size_t)f->cause);
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "caused by: %s %s", c->code, c->object);
        textv_add_line(fv->detail, sb.s, TH_STATE_WARN);
    }
    strbuf_fini(&sb);
}

static void
fd_sync(struct view *v)
{
    fd_fill((struct fd_view *)v);
}

static void
fd_render(struct view *v)
{
    struct fd_view *fv = (struct fd_view *)v;
    struct app *a = v->app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    fd_fill_detail(fv); /* follows the selection */
    werase(v->win);
    int dh = fv->h / 3 < 7 ? 7 : fv->h / 3; /* the detail pane */
    if (dh > fv->h - 4)
        dh = fv->h - 4;
    int th_ = fv->h - dh;
    char info[64];
    tbl_pos_text(fv->t, info, sizeof info);
    frame_draw(v->win, 0, 0, th_, fv->w, "Findings (errors first)", info, true, th, g);
    int iy, ix, ih, iw;
    frame_inner(0, 0, th_, fv->w, &iy, &ix, &ih, &iw);
    tbl_draw(fv->t, v->win, iy, ix, ih, iw, th, g, true);
    frame_draw(v->win, th_, 0, dh, fv->w, "Detail", NULL, false, th, g);
    frame_inner(th_, 0, dh, fv->w, &iy, &ix, &ih, &iw);
    textv_draw(fv->detail, v->win, iy, ix, ih, iw, th, g);
}

static void
fd_layout(struct view *v, int y, int x, int h, int w)
{
    struct fd_view *fv = (struct fd_view *)v;
    fv->y0 = y;
    fv->x0 = x;
    fv->h = h;
    fv->w = w;
    v->dirty = true;
}

static unsigned
fd_action(struct view *v, enum key_action act)
{
    struct fd_view *fv = (struct fd_view *)v;
    if (act == KA_FIX || act == KA_COPY_COMMAND) {
        const struct m_finding *f = fd_selected(fv);
        if (f == NULL) {
            app_flash(v->app, APP_WARN, "no finding selected");
            return R_REDRAW;
        }
        char what[1200];
        snprintf(what, sizeof what, "%s %s %s", f->code, f->cluster, f->object);
        if (act == KA_COPY_COMMAND)
            return app_act(v->app, ACT_COPY_TEXT,
                           &(struct act_args){.text = f->fix.command, .what = what});
        return app_act(v->app, ACT_FIX, &(struct act_args){.fix = &f->fix, .what = what});
    }
    if (act == KA_LOGS) { /* the object is KIND/ID: "pod/NS/NAME", "channel/NAME"... */
        const struct m_finding *f = fd_selected(fv);
        const char *slash = f != NULL ? strchr(f->object, '/') : NULL;
        char kind[64] = "";
        if (slash != NULL)
            snprintf(kind, sizeof kind, "%.*s", (int)(slash - f->object), f->object);
        return view_logs_open_ref(v->app, f != NULL ? f->cluster : NULL, kind,
                                  slash != NULL ? slash + 1 : NULL, &view_findings_ops);
    }
    unsigned r = vutil_table_action(fv->t, act, v->app);
    if (r != R_UNHANDLED)
        v->dirty = true;
    return r;
}

static struct tbl *
fd_table(const struct view *v)
{
    return ((const struct fd_view *)v)->t;
}

static unsigned
fd_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct fd_view *fv = (struct fd_view *)v;
    (void)x;
    return vutil_table_mouse(fv->t, fv->y0, y, wheel_dy, 1, &v->dirty);
}

static struct view *
fd_create(struct app *a)
{
    struct fd_view *fv = xcalloc(1, sizeof *fv);
    fv->v.ops = &view_findings_ops;
    fv->v.app = a;
    fv->v.dirty = true;
    fv->t = tbl_new(fd_cols, sizeof fd_cols / sizeof fd_cols[0]);
    fv->detail = textv_new();
    return &fv->v;
}

static void
fd_destroy(struct view *v)
{
    struct fd_view *fv = (struct fd_view *)v;
    tbl_free(fv->t);
    textv_free(fv->detail);
    free(fv);
}

const struct view_ops view_findings_ops = {
    .name = "findings",
    .title = "Findings",
    .interest = DIRTY_FINDINGS | DIRTY_CLUSTERS, /* clusters: the first reads' end */
    .key = KA_VIEW_FINDINGS,
    .ticks = true, /* the SINCE ages move */
    .scope = KS_FINDINGS,
    .create = fd_create,
    .destroy = fd_destroy,
    .layout = fd_layout,
    .sync = fd_sync,
    .render = fd_render,
    .action = fd_action,
    .table = fd_table,
    .mouse = fd_mouse,
};
