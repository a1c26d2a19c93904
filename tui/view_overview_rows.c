/* view_overview_rows: one cluster of the model as the rows of its Overview column (PXC,
 * Pods, ServiceEntries, Channels), problems first and the rows the doctor's findings name
 * marked; and the findings and newest events as the lines of the panes below the columns.
 * What counts as a problem here is a display rule (a missing sidecar, a stopped thread, a
 * lag over the warning threshold), not a diagnosis: that is the doctor's. Reads the model
 * only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "view_overview_internal.h"
#include "vutil.h"

/* Minimum widths fit the usual values ("Running", "Synced 3", "✓ injected"); when a
 * column is narrow, the least useful columns hide (highest prio first) rather than
 * every cell being cut. */
static const struct tbl_col pxc_cols[] = {
    {"NAME", 10, 24, 1, TBL_LEFT, 0},
    {"STATE", 5, 0, 0, TBL_LEFT, 0},
    {"READY", 5, 0, 0, TBL_RIGHT, 1},
    {"EXPOSE", 6, 0, 0, TBL_LEFT, 2},
};
/* Pods: IP, READY, RESTARTS and AGE come in only where the other columns are whole (a
 * cluster column of about 100 cells: 200 columns for two clusters). PHASE
 * and IP are never cut ("NotRea…", "10.42.…" say nothing): their minimum is their widest
 * usual value, so they hide instead. */
static const struct tbl_col pod_cols[] = {
    {"NAME", 12, 24, 1, TBL_LEFT, 0},
    {"PHASE", 8, 0, 0, TBL_LEFT, 2},
    {"GALERA", 8, 0, 0, TBL_LEFT, 1},
    {"SIDECAR", 10, 0, 0, TBL_LEFT, 0},
    {"IP", 15, 0, 0, TBL_LEFT, TBL_EXTRA + 2},
    {"READY", 5, 0, 0, TBL_LEFT, TBL_EXTRA},
    {"RESTARTS", 8, 0, 0, TBL_RIGHT, TBL_EXTRA + 3},
    {"AGE", 3, 0, 0, TBL_RIGHT, TBL_EXTRA + 1},
};
static const struct tbl_col se_cols[] = {
    {"HOST", 14, 34, 1, TBL_LEFT, 0},
    {"EP", 2, 0, 0, TBL_RIGHT, 0},
    {"RESOLVE", 7, 0, 0, TBL_LEFT, 2},
    {"NAME", 10, 0, 0, TBL_LEFT, 3},
};
static const struct tbl_col chan_cols[] = {
    {"CHANNEL", 10, 20, 1, TBL_LEFT, 0}, {"IO/SQL", 7, 0, 0, TBL_LEFT, 0},
    {"LAG", 4, 0, 0, TBL_RIGHT, 0},      {"TREND", 6, 6, 0, TBL_LEFT, 3},
    {"ERROR", 8, 0, 2, TBL_LEFT, 1},
};

void
view_overview__col_free(void *p)
{
    struct ov_col *c = p;
    for (int s = 0; s < SEC__COUNT; s++)
        tbl_free(c->t[s]);
    free(c->cluster);
    free(c);
}

struct ov_col *
view_overview__col_new(const char *name)
{
    struct ov_col *c = xcalloc(1, sizeof *c);
    c->cluster = xstrdup(name);
    c->t[SEC_PXC] = tbl_new(pxc_cols, sizeof pxc_cols / sizeof pxc_cols[0]);
    c->t[SEC_PODS] = tbl_new(pod_cols, sizeof pod_cols / sizeof pod_cols[0]);
    c->t[SEC_SE] = tbl_new(se_cols, sizeof se_cols / sizeof se_cols[0]);
    c->t[SEC_CHAN] = tbl_new(chan_cols, sizeof chan_cols / sizeof chan_cols[0]);
    tbl_set_empty_text(c->t[SEC_PXC], "no PXC cluster");
    tbl_set_empty_text(c->t[SEC_PODS], "no pods");
    tbl_set_empty_text(c->t[SEC_SE], "no ServiceEntries");
    tbl_set_empty_text(c->t[SEC_CHAN], "no replication channels");
    return c;
}

/* A row the doctor's findings name: ranked with them, its name marked. */
static int
marked_score(int score, int mark)
{
    int m = mark == SEV_ERROR ? 2 : mark == SEV_WARNING ? 1 : 0;
    return m > score ? m : score;
}

static void
name_cell(struct tbl *t, const char *name, enum th_elem e, int mark, const struct glyphs *g)
{
    if (mark == SEV_ERROR)
        tbl_cellf(t, TH_STATE_BAD, "%s %s", glyph(g, G_CROSSMARK), name);
    else if (mark == SEV_WARNING)
        tbl_cellf(t, TH_STATE_WARN, "%s %s", glyph(g, G_WARN), name);
    else
        tbl_cell(t, name, e);
}

struct ranked {
    const void *obj;
    int score; /* higher first: 2 bad, 1 warn, 0 fine */
    const char *k1, *k2;
};

static int
ranked_cmp(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->score != b->score)
        return b->score - a->score;
    /* Namespaces are interned: the same pointer is the same text, no need to compare. */
    int c = a->k1 == b->k1 ? 0 : strcmp(a->k1 ? a->k1 : "", b->k1 ? b->k1 : "");
    return c != 0 ? c : strcmp(a->k2 ? a->k2 : "", b->k2 ? b->k2 : "");
}

static int
pxc_score(const struct m_pxc *x)
{
    if (x->state != NULL && strcmp(x->state, "error") == 0)
        return 2;
    if (x->state == NULL || strcmp(x->state, "ready") != 0 || x->ready < x->size)
        return 1;
    return x->expose ? 1 : 0;
}

void
view_overview__fill_pxc(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                        const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_PXC];
    size_t n = c->pxcs.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_pxc *x = vec_at(&c->pxcs, i);
        char id[320];
        snprintf(id, sizeof id, "%s/%s", x->ns, x->name);
        r[i] = (struct ranked){x, marked_score(pxc_score(x), vutil_mark(mk, "pxc", id)), x->ns,
                               x->name};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_PXC] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_pxc *x = r[i].obj;
        char id[320];
        snprintf(id, sizeof id, "%s/%s", x->ns, x->name);
        oc->problems[SEC_PXC] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        name_cell(t, x->name, TH_NONE, vutil_mark(mk, "pxc", id), g);
        const char *st = x->state != NULL ? x->state : "?";
        tbl_cell(t, st,
                 strcmp(st, "ready") == 0   ? TH_STATE_OK
                 : strcmp(st, "error") == 0 ? TH_STATE_BAD
                                            : TH_STATE_WARN);
        char rd[32];
        snprintf(rd, sizeof rd, "%d/%d", x->ready, x->size);
        tbl_cell_num(t, rd, x->ready, x->ready < x->size ? TH_STATE_WARN : TH_STATE_OK);
        if (x->expose)
            tbl_cellf(t, TH_STATE_WARN, "%s on", glyph(g, G_WARN));
        else
            tbl_cell(t, "off", TH_STATE_MUTED);
    }
    tbl_rows_end(t);
    free(r);
}

/* How long an age's text (clock_fmt_age: seconds below 2 min, minutes below 2 h, hours
 * below 2 days, then days) keeps reading the same: the pod rows are rebuilt only when one
 * of them would read differently, not every second. */
static int64_t
age_text_left_ms(int64_t age_ms)
{
    int64_t unit = age_ms < 120 * 1000LL         ? 1000
                   : age_ms < 120 * 60 * 1000LL  ? 60 * 1000LL
                   : age_ms < 48 * 3600 * 1000LL ? 3600 * 1000LL
                                                 : 86400 * 1000LL;
    return unit - age_ms % unit;
}

static int
pod_score(const struct m_pod *p)
{
    if (p->sidecar == SIDECAR_MISSING || (p->phase != NULL && strcmp(p->phase, "Failed") == 0))
        return 2;
    if (p->galera.known && p->galera.status != NULL && strcmp(p->galera.status, "Primary") != 0)
        return 2;
    if (p->galera.error != NULL)
        return 2; /* the server does not answer (what the row shows may be old) */
    if (p->restart_needed || !p->ready || p->phase == NULL || strcmp(p->phase, "Running") != 0)
        return 1;
    if (p->galera.known && (p->galera.state == NULL || strcmp(p->galera.state, "Synced") != 0))
        return 1;
    return 0;
}

void
view_overview__fill_pods(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                         const struct vutil_marks *mk, int64_t now_ms)
{
    int64_t next_ms = 0;
    struct tbl *t = oc->t[SEC_PODS];
    size_t n = c->pods.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_pod *p = vec_at(&c->pods, i);
        int score = pod_score(p);
        if (mk->by_object.n > 0) { /* 10,000 rows: no key built when nothing is marked */
            char id[320];
            snprintf(id, sizeof id, "%s/%s", p->ns, p->name);
            score = marked_score(score, vutil_mark(mk, "pod", id));
        }
        r[i] = (struct ranked){p, score, p->ns, p->name};
    }
    /* Pods mostly come in the order the API lists them, which is this order: check first. */
    size_t sorted = 1;
    while (sorted < n && ranked_cmp(&r[sorted - 1], &r[sorted]) <= 0)
        sorted++;
    if (sorted < n)
        qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_PODS] = 0;
    /* 20,000 rows at each change while a big list streams in: what every row would
     * format the same, format once. */
    char missing[32], restart[32], injected[32];
    snprintf(missing, sizeof missing, "%s missing", glyph(g, G_CROSSMARK));
    snprintf(restart, sizeof restart, "%s restart", glyph(g, G_WARN));
    snprintf(injected, sizeof injected, "%s injected", glyph(g, G_CHECK));
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_pod *p = r[i].obj;
        char id[320];
        size_t nl = strlen(p->ns), ml = strlen(p->name);
        if (nl + 1 + ml < sizeof id) {
            memcpy(id, p->ns, nl);
            id[nl] = '/';
            memcpy(id + nl + 1, p->name, ml + 1);
        } else {
            snprintf(id, sizeof id, "%s/%s", p->ns, p->name);
        }
        oc->problems[SEC_PODS] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        name_cell(t, p->name, TH_NONE, vutil_mark(mk, "pod", id), g);
        const char *ph = p->phase != NULL ? p->phase : "?";
        bool running = strcmp(ph, "Running") == 0;
        if (running && !p->ready)
            tbl_cell(t, "NotReady", TH_STATE_WARN);
        else
            tbl_cell(t, ph,
                     running                        ? TH_STATE_OK
                     : strcmp(ph, "Failed") == 0    ? TH_STATE_BAD
                     : strcmp(ph, "Succeeded") == 0 ? TH_STATE_MUTED
                                                    : TH_STATE_WARN);
        if (p->galera.error != NULL) {
            /* The last read failed: say so and why, and how old the state is. A fixed time
             * (UTC, as in the event log), not a moving age: the pod rows are rebuilt only
             * when pods change. */
            char since[16] = "";
            if (p->galera.known && p->galera.updated_ms > 0)
                clock_fmt_hms(p->galera.updated_ms, since, sizeof since);
            /* "pxc-cluster-pxc-1 (host:port): connect: ...": the row already names it. */
            const char *why = p->galera.error, *q;
            if (strncmp(why, p->name, strlen(p->name)) == 0 && (q = strstr(why, "): ")) != NULL)
                why = q + 3;
            if (since[0])
                tbl_cellf(t, TH_STATE_BAD, "%s %s at %s; %s", glyph(g, G_CROSSMARK),
                          p->galera.state != NULL ? p->galera.state : "?", since, why);
            else
                tbl_cellf(t, TH_STATE_BAD, "%s no status: %s", glyph(g, G_CROSSMARK), why);
        } else if (!p->galera.known) {
            tbl_cell(t, "-", TH_STATE_MUTED);
        } else {
            const char *gs = p->galera.state != NULL ? p->galera.state : "?";
            bool primary = p->galera.status == NULL || strcmp(p->galera.status, "Primary") == 0;
            enum th_elem e = !primary                    ? TH_STATE_BAD
                             : strcmp(gs, "Synced") == 0 ? TH_STATE_OK
                                                         : TH_STATE_WARN;
            if (p->galera.cluster_size >= 0)
                tbl_cellf(t, e, "%s %d", gs, p->galera.cluster_size);
            else
                tbl_cell(t, gs, e);
        }
        if (p->sidecar == SIDECAR_MISSING)
            tbl_cell(t, missing, TH_STATE_BAD);
        else if (p->restart_needed)
            tbl_cell(t, restart, TH_STATE_WARN);
        else if (p->sidecar == SIDECAR_INJECTED)
            tbl_cell(t, injected, TH_STATE_OK);
        else
            tbl_cell(t, "- off", TH_STATE_MUTED);
        tbl_cell(t, p->ip[0] ? p->ip : "-", p->ip[0] ? TH_NONE : TH_STATE_MUTED);
        tbl_cell(t, p->ready ? "yes" : "no", p->ready ? TH_STATE_OK : TH_STATE_WARN);
        char num[32];
        snprintf(num, sizeof num, "%d", p->restarts);
        tbl_cell_num(t, num, p->restarts, p->restarts > 0 ? TH_STATE_WARN : TH_NONE);
        if (p->created_ms > 0 && now_ms >= p->created_ms) {
            int64_t age = now_ms - p->created_ms;
            clock_fmt_age(age, num, sizeof num);
            tbl_cell_num(t, num, (double)age, TH_STATE_MUTED);
            int64_t next = now_ms + age_text_left_ms(age);
            if (next_ms == 0 || next < next_ms)
                next_ms = next;
        } else {
            tbl_cell(t, "-", TH_STATE_MUTED);
        }
    }
    tbl_rows_end(t);
    free(r);
    oc->pods_age_next_ms = next_ms;
}

static int
se_score(const struct m_sentry *se)
{
    bool is_static = se->resolution != NULL && strcmp(se->resolution, "STATIC") == 0;
    if (is_static && se->n_endpoints == 0)
        return 2;
    return se->n_hosts == 0 ? 1 : 0;
}

void
view_overview__fill_se(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                       const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_SE];
    size_t n = c->sentries.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        const struct m_sentry *se = vec_at(&c->sentries, i);
        char id[320];
        snprintf(id, sizeof id, "%s/%s", se->ns, se->name);
        r[i] = (struct ranked){se, marked_score(se_score(se), vutil_mark(mk, "serviceentry", id)),
                               se->n_hosts ? se->hosts[0] : "", se->name};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_SE] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_sentry *se = r[i].obj;
        char id[320];
        snprintf(id, sizeof id, "%s/%s", se->ns, se->name);
        oc->problems[SEC_SE] += r[i].score > 0;
        tbl_row(t, id, TH_NONE);
        char host[300];
        if (se->n_hosts > 1)
            snprintf(host, sizeof host, "%s +%d", se->hosts[0], se->n_hosts - 1);
        else
            snprintf(host, sizeof host, "%s", se->n_hosts ? se->hosts[0] : "(no host)");
        name_cell(t, host, se->n_hosts ? TH_NONE : TH_STATE_WARN,
                  vutil_mark(mk, "serviceentry", id), g);
        char ep[16];
        snprintf(ep, sizeof ep, "%d", se->n_endpoints);
        tbl_cell_num(t, ep, se->n_endpoints, r[i].score == 2 ? TH_STATE_BAD : TH_NONE);
        tbl_cell(t, se->resolution != NULL ? se->resolution : "?", TH_NONE);
        tbl_cell(t, se->name, TH_STATE_MUTED);
    }
    tbl_rows_end(t);
    free(r);
}

/* Stale channels (last read older than 3 refresh intervals) show their age and grey out;
 * returns how many there are, so that sync refills while any are stale (ages move). */
int
view_overview__fill_chan(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                         struct app *a, const struct vutil_marks *mk)
{
    struct tbl *t = oc->t[SEC_CHAN];
    size_t n = c->channels.n;
    struct ranked *r = xcalloc(n ? n : 1, sizeof *r);
    struct health_limits lag = vutil_app_lag(a);
    int64_t now = app_now_ms(a), refresh_ms = vutil_app_refresh_ms(a);
    int n_stale = 0;
    for (size_t i = 0; i < n; i++) {
        const struct m_channel *ch = vec_at(&c->channels, i);
        int h = health_channel(ch, &lag, NULL, 0);
        if (h == HEALTH_OK && vutil_channel_stale(ch, now, refresh_ms, NULL))
            h = HEALTH_WARN;
        h = marked_score(h, vutil_mark(mk, "channel", ch->name[0] ? ch->name : "(default)"));
        r[i] = (struct ranked){ch, h, ch->name, ch->server};
    }
    qsort(r, n, sizeof *r, ranked_cmp);
    oc->problems[SEC_CHAN] = 0;
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        const struct m_channel *ch = r[i].obj;
        char id[512], buf[64];
        snprintf(id, sizeof id, "%s/%s", ch->server, ch->name);
        oc->problems[SEC_CHAN] += r[i].score > 0;
        int64_t age_ms = 0;
        bool stale = vutil_channel_stale(ch, now, refresh_ms, &age_ms);
        n_stale += stale;
        tbl_row(t, id, stale ? TH_STATE_MUTED : TH_NONE);
        const char *nm = ch->name[0] ? ch->name : "(default)";
        name_cell(t, nm, TH_NONE, vutil_mark(mk, "channel", nm), g);
        bool ok = ch->io == THR_YES && ch->sql == THR_YES;
        tbl_cellf(t,
                  stale ? TH_STATE_MUTED
                  : ok  ? TH_STATE_OK
                        : TH_STATE_BAD,
                  "%s/%s", model_thread_name(ch->io), model_thread_name(ch->sql));
        vutil_fmt_lag(ch->lag_s, buf, sizeof buf);
        enum th_elem le = vutil_lag_elem(ch->lag_s, &lag);
        tbl_cell_num(t, buf, ch->lag_s, stale ? TH_STATE_MUTED : le);
        char spark[64];
        vutil_spark_text(ch, 6, g, spark, sizeof spark);
        tbl_cell(t, spark, stale ? TH_STATE_MUTED : le == TH_STATE_OK ? TH_SPARK : le);
        const char *err = vutil_channel_error(ch);
        if (stale) {
            clock_fmt_age(age_ms, buf, sizeof buf);
            tbl_cellf(t, TH_STATE_WARN, "stale %s%s%s", buf, err[0] ? ": " : "", err);
        } else {
            tbl_cell(t, err[0] ? err : "-", err[0] ? TH_STATE_BAD : TH_STATE_MUTED);
        }
    }
    tbl_rows_end(t);
    free(r);
    return n_stale;
}

/* ------------------------------------------------------------------ the panes below */

static enum th_elem
level_elem(int level)
{
    return level >= 2 ? TH_STATE_BAD : level == 1 ? TH_STATE_WARN : TH_TEXT;
}

/* "14:02:11" (UTC, as the events beside it) within a day of now, else the date: the text
 * changes at most once, when the finding turns a day old. */
static void
ov_fmt_since(int64_t since_ms, int64_t now_ms, char *buf, size_t n)
{
    if (now_ms - since_ms < 86400 * 1000LL) {
        clock_fmt_hms(since_ms, buf, n);
        return;
    }
    char iso[40];
    clock_fmt_rfc3339(since_ms, iso, sizeof iso);
    snprintf(buf, n, "%.10s", iso);
}

int
view_overview__fill_findings(struct textv *tv, const struct model *m, int64_t now_ms)
{
    textv_clear(tv);
    int n = 0;
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--)
        for (size_t i = 0; i < m->findings.n; i++) {
            const struct m_finding *f = vec_at(&m->findings, i);
            if ((int)f->severity != sev)
                continue;
            /* The moment, not the age: an age here would redraw the whole overview every
             * second while any finding holds (the Findings view shows the ages). */
            char since[48] = "";
            if (f->since_ms > 0)
                ov_fmt_since(f->since_ms, now_ms, since, sizeof since);
            enum th_elem e = sev == SEV_ERROR     ? TH_STATE_BAD
                             : sev == SEV_WARNING ? TH_STATE_WARN
                                                  : TH_TEXT;
            char head[160], tail[1024];
            snprintf(head, sizeof head, "%-7s %s %s", model_severity_name(f->severity), f->cluster,
                     f->code);
            snprintf(tail, sizeof tail, " %s%s%s%s: %s", f->object, since[0] ? " (since " : "",
                     since, since[0] ? ")" : "", f->message);
            struct textv_span sp[2] = {{head, strlen(head), e}, {tail, strlen(tail), TH_TEXT}};
            textv_add_spans(tv, sp, 2);
            n++;
        }
    if (n == 0)
        textv_add_line(tv, "no findings: the doctor sees nothing wrong", TH_STATE_OK);
    return n;
}

int
view_overview__fill_events(struct textv *tv, const struct model *m, int max_lines)
{
    textv_clear(tv);
    int n = 0;
    for (int i = 0; i < m->ev_len && n < max_lines; i++, n++) {
        const struct m_event *e = model_event_at(m, i);
        char tm[32], head[200];
        clock_fmt_hms(e->wall_ms, tm, sizeof tm);
        snprintf(head, sizeof head, "%s %s ", tm, e->cluster != NULL ? e->cluster : "-");
        struct textv_span sp[2] = {{head, strlen(head), TH_STATE_MUTED},
                                   {e->what, strlen(e->what), level_elem(e->level)}};
        textv_add_spans(tv, sp, 2);
    }
    if (n == 0)
        textv_add_line(tv, "no events yet", TH_STATE_MUTED);
    return n;
}
