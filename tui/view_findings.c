/* view_findings: the doctor's findings (model->findings), errors first, as a table with
 * the selected finding's whole message and its fix in a text pane below. It shows what
 * the doctor concluded; it runs nothing itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"

static const struct tbl_col fd_cols[] = {
    {"SEVERITY", 7, 0, 0, TBL_LEFT, 0}, {"CLUSTER", 7, 0, 0, TBL_LEFT, 0},
    {"CODE", 8, 0, 0, TBL_LEFT, 2},     {"OBJECT", 10, 40, 0, TBL_LEFT, 1},
    {"MESSAGE", 10, 0, 1, TBL_LEFT, 0},
};

struct fd_view {
    struct view v;
    int y0, x0, h, w;
    struct tbl *t;
    struct textv *detail;
    char detail_id[64]; /* the finding the detail shows */
};

static enum th_elem
sev_elem(enum finding_severity s)
{
    return s == SEV_ERROR ? TH_STATE_BAD : s == SEV_WARNING ? TH_STATE_WARN : TH_TEXT;
}

static void
fd_fill(struct fd_view *fv)
{
    const struct model *m = app_model(fv->v.app);
    tbl_rows_begin(fv->t);
    /* Errors, then warnings, then info; the doctor's order within a severity. */
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
        for (size_t i = 0; i < m->findings.n; i++) {
            const struct m_finding *f = vec_at(&m->findings, i);
            if ((int)f->severity != sev)
                continue;
            char id[32];
            snprintf(id, sizeof id, "%zu", i);
            tbl_row(fv->t, id, TH_NONE);
            tbl_cell(fv->t, model_severity_name(f->severity), sev_elem(f->severity));
            tbl_cell(fv->t, f->cluster, TH_NONE);
            tbl_cell(fv->t, f->code, TH_STATE_MUTED);
            tbl_cell(fv->t, f->object, TH_NONE);
            tbl_cell(fv->t, f->message, TH_NONE);
        }
    tbl_rows_end(fv->t);
}

static void
fd_fill_detail(struct fd_view *fv)
{
    const struct model *m = app_model(fv->v.app);
    const char *id = tbl_selected_id(fv->t);
    textv_clear(fv->detail);
    if (id == NULL) {
        textv_add_line(fv->detail, "No findings.", TH_STATE_MUTED);
        return;
    }
    size_t i = (size_t)strtoul(id, NULL, 10);
    if (i >= m->findings.n)
        return;
    const struct m_finding *f = vec_at(&m->findings, i);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_appendf(&sb, "%s %s on %s: %s", model_severity_name(f->severity), f->code, f->cluster,
                   f->object);
    textv_add_line(fv->detail, sb.s, sev_elem(f->severity));
    textv_add_line(fv->detail, f->message, TH_TEXT);
    if (f->hint != NULL && f->hint[0] != '\0') {
        strbuf_reset(&sb);
        strbuf_appendf(&sb, "fix: %s", f->hint);
        textv_add_line(fv->detail, sb.s, TH_STATE_OK);
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
    int dh = fv->h / 3 < 5 ? 5 : fv->h / 3; /* the detail pane */
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
    unsigned r = vutil_table_action(((struct fd_view *)v)->t, act, v->app);
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
    tbl_set_empty_text(fv->t, "no findings (pxcmesh doctor fills them)");
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
    .interest = DIRTY_FINDINGS,
    .key = KA_VIEW_FINDINGS,
    .ticks = false,
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
