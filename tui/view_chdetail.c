/* view_chdetail: one replication channel in full. Entered with Enter on a channel row of
 * the Channels view or of the Overview's Channels section (view_chdetail_open), left with
 * Esc back to where it came from. Three panes:
 *
 *   Status   every field the MySQL backend reads for the channel (cluster, server,
 *            dialect, source, IO/SQL threads with their state text, lag with where it
 *            comes from and whether it can be trusted, GTID sets and the gap, the last
 *            IO/SQL errors with time and age, retries, the failover sources with the one
 *            in use, the last heartbeat, the age of the read), wrapped and scrollable
 *   Lag      the lag history ring as a multi-row graph, columns coloured by the config's
 *            warning and critical thresholds
 *   History  the model's events about this channel (or its server), newest first
 *
 * Tab moves the focus between Status and History; the table keys scroll the focused one.
 * u / x / p / y start, stop, probe and copy the channel through the actions (act.h),
 * which confirm writes. The view only reads the model: the channel is looked up by
 * (cluster, server, name) on every sync, so a channel that disappears says so instead of
 * showing old data. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "act.h"
#include "app.h"
#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "frame.h"
#include "model/model.h"
#include "model/model_source.h"
#include "spark.h"
#include "tbl.h"
#include "textv.h"
#include "view.h"
#include "vutil.h"
#include "wkey.h"
#include "wtext.h"
#include "codec/yamlout.h"

#define CD_WIDE_W 110 /* from this width the status sits left of the graph and history */

static const struct tbl_col cd_ev_cols[] = {
    {"TIME", 8, 0, 0, TBL_LEFT, 2},
    {"AGE", 3, 0, 0, TBL_RIGHT, 0},
    {"LEVEL", 5, 0, 0, TBL_LEFT, 3},
    {"WHAT", 10, 0, 1, TBL_LEFT, 0},
};

enum cd_focus { CD_STATUS, CD_HISTORY };

struct cd_view {
    struct view v; /* first */
    int y0, x0, h, w;
    char *cluster, *server, *channel; /* owned: the channel shown; NULL: none chosen yet */
    const struct view_ops *back;      /* borrowed static: the view Esc returns to */
    struct textv *status;
    struct tbl *events;
    enum cd_focus focus;
    int value_w; /* status columns left for values at the last layout (0: unknown) */
};

/* ------------------------------------------------------------------ the model */

static const struct m_channel *
cd_channel(const struct cd_view *cd)
{
    if (cd->cluster == NULL)
        return NULL;
    struct m_cluster *c = model_cluster_find(app_model(cd->v.app), cd->cluster);
    return c != NULL ? model_channel_find(c, cd->server, cd->channel) : NULL;
}

static void
fmt_time(int64_t wall_ms, char *buf, size_t n)
{
    time_t s = (time_t)(wall_ms / 1000);
    struct tm t;
    gmtime_r(&s, &t);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S", &t);
}

/* "2026-11-25 07:40:12 (20m ago)" or "-" when unknown. */
static void
fmt_when(int64_t wall_ms, int64_t now, char *buf, size_t n)
{
    if (wall_ms <= 0) {
        snprintf(buf, n, "-");
        return;
    }
    char tm[32], age[32];
    fmt_time(wall_ms, tm, sizeof tm);
    clock_fmt_age(now > wall_ms ? now - wall_ms : 0, age, sizeof age);
    snprintf(buf, n, "%s UTC (%s ago)", tm, age);
}

#define CD_LABEL_W 15

/* Where status lines go: the text view and the width left for values (0: unknown). */
struct cd_text {
    struct textv *t;
    int value_w;
    bool ascii;
};

/* One "Label   value" line: the label muted, the value in elem, wrapped by hand under
 * the value's column (a hanging indent keeps the labels readable) when the width is
 * known; the text view wraps whatever is still too long. */
static void
line(struct cd_text *ct, const char *label, const char *value, enum th_elem elem)
{
    char lab[32], pad[32];
    snprintf(lab, sizeof lab, "%-*s", CD_LABEL_W, label);
    snprintf(pad, sizeof pad, "%-*s", CD_LABEL_W, "");
    size_t len = strlen(value);
    if (ct->value_w < 20 || wtext_width(value, ct->ascii) <= ct->value_w) {
        struct textv_span sp[2] = {{lab, strlen(lab), TH_STATE_MUTED}, {value, len, elem}};
        textv_add_spans(ct->t, sp, 2);
        return;
    }
    bool first = true;
    for (size_t off = 0; off < len;) {
        size_t next = 0;
        size_t n = wtext_wrap(value + off, len - off, ct->value_w, ct->ascii, &next);
        struct textv_span sp[2] = {{first ? lab : pad, CD_LABEL_W, TH_STATE_MUTED},
                                   {value + off, n, elem}};
        textv_add_spans(ct->t, sp, 2);
        first = false;
        if (next == 0)
            break;
        off += next;
    }
}

static void linef(struct cd_text *t, const char *label, enum th_elem elem, const char *fmt, ...)
    PXC_PRINTF(4, 5);

static void
linef(struct cd_text *t, const char *label, enum th_elem elem, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    line(t, label, buf, elem);
}

/* A GTID set as one line per member (MySQL separates them with ",\n" already). */
static void
gtid_lines(struct cd_text *t, const char *label, const char *set)
{
    if (set == NULL || set[0] == '\0') {
        line(t, label, "(empty)", TH_STATE_MUTED);
        return;
    }
    const char *p = set;
    bool first = true;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\n' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        size_t len = strcspn(p, ",\n");
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 500 ? len : 500), p);
        line(t, first ? label : "", buf, TH_TEXT);
        first = false;
        p += len;
    }
}

static enum th_elem
thread_elem(enum thread_state s)
{
    return s == THR_YES ? TH_STATE_OK : s == THR_CONNECTING ? TH_STATE_WARN : TH_STATE_BAD;
}

static void
cd_fill_status(struct cd_view *cd, const struct m_channel *ch)
{
    struct app *a = cd->v.app;
    struct cd_text ctext = {cd->status, cd->value_w, app_glyphs(a)->ascii};
    struct cd_text *t = &ctext;
    int64_t now = app_now_ms(a);
    struct health_limits lag = vutil_app_lag(a);
    char buf[512], when[96];
    textv_clear(cd->status);
    if (cd->cluster == NULL) {
        textv_add_line(cd->status,
                       "No channel chosen: press Enter on a channel in the Channels view (2) "
                       "or in an Overview column's Channels section.",
                       TH_STATE_MUTED);
        return;
    }
    if (ch == NULL) {
        snprintf(buf, sizeof buf,
                 "Channel %s on %s of cluster %s is no longer reported (removed, or its server "
                 "dropped); Esc goes back.",
                 cd->channel[0] ? cd->channel : "(default)", cd->server, cd->cluster);
        textv_add_line(cd->status, buf, TH_STATE_WARN);
        return;
    }
    /* What an operator reads first comes first (a small terminal shows only the top):
     * threads and errors, then lag, then where it replicates from, then GTIDs. */
    int64_t stale_age = 0;
    bool stale = vutil_channel_stale(ch, now, vutil_app_refresh_ms(a), &stale_age);
    if (ch->error[0] != '\0')
        line(t, "Read error", ch->error, TH_STATE_BAD);
    if (stale) {
        char age[32];
        clock_fmt_age(stale_age, age, sizeof age);
        linef(t, "Stale", TH_STATE_WARN,
              "no answer from the server for %s: everything below is that old", age);
    }
    linef(t, "IO thread", stale ? TH_STATE_MUTED : thread_elem(ch->io), "%s  %s",
          model_thread_name(ch->io), ch->io_state && ch->io_state[0] ? ch->io_state : "");
    linef(t, "SQL thread", stale ? TH_STATE_MUTED : thread_elem(ch->sql), "%s  %s",
          model_thread_name(ch->sql), ch->sql_state && ch->sql_state[0] ? ch->sql_state : "");
    fmt_when(ch->state_since_ms, now, when, sizeof when);
    line(t, "State since", when, TH_TEXT);

    if (ch->last_io_errno != 0 || (ch->last_io_error && ch->last_io_error[0])) {
        fmt_when(ch->last_io_error_ms, now, when, sizeof when);
        linef(t, "Last IO error", TH_STATE_BAD, "errno %d at %s", ch->last_io_errno, when);
        line(t, "", ch->last_io_error ? ch->last_io_error : "", TH_STATE_BAD);
    } else {
        line(t, "Last IO error", "none", TH_STATE_OK);
    }
    if (ch->last_sql_errno != 0 || (ch->last_sql_error && ch->last_sql_error[0])) {
        fmt_when(ch->last_sql_error_ms, now, when, sizeof when);
        linef(t, "Last SQL error", TH_STATE_BAD, "errno %d at %s", ch->last_sql_errno, when);
        line(t, "", ch->last_sql_error ? ch->last_sql_error : "", TH_STATE_BAD);
    } else {
        line(t, "Last SQL error", "none", TH_STATE_OK);
    }
    char lagt[32];
    vutil_fmt_lag(ch->lag_s, lagt, sizeof lagt);
    const char *lsrc = ch->lag_source != NULL   ? ch->lag_source
                       : ch->lag_from_heartbeat ? "heartbeat"
                                                : "Seconds_Behind_Source";
    if (ch->lag_unreliable)
        linef(t, "Lag", TH_STATE_WARN,
              "%s from %s, unreliable (NULL while the IO thread reconnects, 0 while the SQL "
              "thread waits)",
              lagt, lsrc);
    else
        linef(t, "Lag", stale ? TH_STATE_MUTED : vutil_lag_elem(ch->lag_s, &lag), "%s from %s",
              lagt, lsrc);
    linef(t, "Thresholds", TH_STATE_MUTED, "warning %.0fs, critical %.0fs", lag.lag_warn_s,
          lag.lag_crit_s);

    textv_add_line(cd->status, "", TH_TEXT);
    line(t, "Cluster", cd->cluster, TH_TEXT);
    line(t, "Server", ch->server, TH_TEXT);
    if (ch->route != NULL)
        linef(t, "Route", TH_TEXT, "%s%s", ch->route,
              strcmp(ch->route, "port-forward") == 0
                  ? " (a local relay through the API server's pods/portforward)"
              : strcmp(ch->route, "pod-ip") == 0 ? " (the pod's IP, port 3306)"
              : strcmp(ch->route, "direct") == 0 ? " (mysql.servers in the config)"
                                                 : "");
    line(t, "Channel", ch->name[0] ? ch->name : "(default)", TH_TEXT);
    line(t, "Dialect", ch->dialect != NULL ? ch->dialect : "?", TH_TEXT);
    const char *src_cluster = vutil_source_cluster(app_model(a), ch->source_host);
    if (strcmp(src_cluster, ch->source_host != NULL ? ch->source_host : "?") != 0)
        linef(t, "Source", TH_TEXT, "%s:%d (cluster %s)", ch->source_host, ch->source_port,
              src_cluster);
    else
        linef(t, "Source", TH_TEXT, "%s:%d", ch->source_host ? ch->source_host : "?",
              ch->source_port);
    /* Which node behind the name: judged from the source side (model_source.h). */
    char reads[600];
    model_source_describe(ch, reads, sizeof reads);
    if (reads[0] != '\0')
        line(t, "Reads from", reads, TH_TEXT);
    else if (ch->src_last != NULL && ch->src_last[0] != '\0')
        linef(t, "Reads from", TH_STATE_MUTED, "unknown now (last: %s)", ch->src_last);
    linef(t, "Positioning", TH_TEXT, "%s%s",
          ch->gtid_mode == 2   ? "GTID"
          : ch->gtid_mode == 1 ? "file/position"
                               : "?",
          ch->auto_position ? ", auto-position" : "");
    linef(t, "Retries", TH_TEXT, "%d (connection retry count)", ch->retry_count);

    if (ch->n_failover > 0) {
        for (int i = 0; i < ch->n_failover && i < 8; i++) {
            const struct m_failover_source *f = &ch->failover[i];
            linef(t, i == 0 ? "Failover list" : "", f->in_use ? TH_STATE_OK : TH_TEXT,
                  "%s:%d weight %d%s", f->host, f->port, f->weight, f->in_use ? ", in use" : "");
        }
    } else {
        line(t, "Failover list", "none (no asynchronous connection failover)", TH_STATE_MUTED);
    }
    fmt_when(ch->last_heartbeat_ms, now, when, sizeof when);
    line(t, "Last heartbeat", when, TH_TEXT);
    fmt_when(ch->updated_ms, now, when, sizeof when);
    line(t, "Last read", when, stale ? TH_STATE_WARN : TH_TEXT);
    textv_add_line(cd->status, "", TH_TEXT);
    gtid_lines(t, "Retrieved GTID", ch->retrieved_gtid);
    gtid_lines(t, "Executed GTID", ch->executed_gtid);
    if (ch->gtid_gap > 0)
        linef(t, "GTID gap", TH_STATE_WARN, "%lld transaction%s retrieved, not executed yet",
              (long long)ch->gtid_gap, ch->gtid_gap == 1 ? "" : "s");
    else if (ch->gtid_gap == 0)
        line(t, "GTID gap", "0: every retrieved transaction is executed", TH_STATE_OK);
    else
        line(t, "GTID gap", "unknown", TH_STATE_MUTED);
}

static void
cd_fill_events(struct cd_view *cd)
{
    struct app *a = cd->v.app;
    const struct model *m = app_model(a);
    int64_t now = app_now_ms(a);
    static const enum th_elem lv_elem[] = {TH_TEXT, TH_STATE_WARN, TH_STATE_BAD};
    static const char *const lv_name[] = {"info", "warn", "error"};
    char prefix[600] = "";
    if (cd->cluster != NULL)
        snprintf(prefix, sizeof prefix, "channel %s on %s: ", cd->channel[0] ? cd->channel : "''",
                 cd->server);
    tbl_rows_begin(cd->events);
    for (int i = 0; cd->cluster != NULL && i < m->ev_len; i++) {
        const struct m_event *e = model_event_at(m, i);
        if (!vutil_event_is_channel(e, cd->cluster, cd->server, cd->channel))
            continue;
        int lv = e->level < 0 ? 0 : e->level > 2 ? 2 : e->level;
        char id[64], tm[32], age[32];
        snprintf(id, sizeof id, "%lld/%d", (long long)e->wall_ms, m->ev_len - i);
        clock_fmt_hms(e->wall_ms, tm, sizeof tm);
        clock_fmt_age(now > e->wall_ms ? now - e->wall_ms : 0, age, sizeof age);
        tbl_row(cd->events, id, TH_NONE);
        tbl_cell_num(cd->events, tm, (double)e->wall_ms, TH_STATE_MUTED);
        tbl_cell_num(cd->events, age, (double)(now - e->wall_ms), TH_NONE);
        tbl_cell(cd->events, lv_name[lv], lv_elem[lv]);
        /* "channel NAME on SERVER: " is this view's title: show what follows it. */
        const char *what = e->what;
        size_t pl = strlen(prefix);
        if (pl > 0 && strncmp(what, prefix, pl) == 0)
            what += pl;
        tbl_cell(cd->events, what, lv_elem[lv]);
    }
    tbl_rows_end(cd->events);
}

static void
cd_sync(struct view *v)
{
    struct cd_view *cd = (struct cd_view *)v;
    cd_fill_status(cd, cd_channel(cd));
    cd_fill_events(cd);
}

/* ------------------------------------------------------------------ drawing */

struct cd_rects {
    int sy, sx, sh, sw; /* status frame */
    int gy, gx, gh, gw; /* lag graph frame */
    int ey, ex, eh, ew; /* history frame */
};

/* Wide: status on the left half, graph over history on the right. Narrow: stacked, the
 * graph and history kept small so the status (what an operator reads first) keeps most. */
static void
cd_rects(const struct cd_view *cd, struct cd_rects *r)
{
    int h = cd->h, w = cd->w;
    if (w >= CD_WIDE_W) {
        int lw = w * 11 / 20; /* the status wraps long errors: give it the larger half */
        int gh = h / 2 < 16 ? h / 2 : 16;
        if (gh < 5)
            gh = 5;
        *r = (struct cd_rects){0, 0, h, lw, 0, lw, gh, w - lw, gh, lw, h - gh, w - lw};
        return;
    }
    int gh = h >= 30 ? 9 : h >= 20 ? 6 : 4;
    int eh = h >= 30 ? 8 : h >= 20 ? 5 : 0;
    int sh = h - gh - eh;
    *r = (struct cd_rects){0, 0, sh, w, sh, 0, gh, w, sh + gh, 0, eh, w};
}

static void
cd_draw_graph(struct cd_view *cd, const struct m_channel *ch, int y, int x, int h, int w)
{
    struct app *a = cd->v.app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    struct health_limits lag = vutil_app_lag(a);
    int64_t refresh_s = vutil_app_refresh_ms(a) / 1000;
    char title[96], info[96];
    int span_s = (int)(LAG_HISTORY * refresh_s);
    snprintf(title, sizeof title, "Lag, last %d min", span_s / 60);
    info[0] = '\0';
    if (ch != NULL) {
        char now[32];
        vutil_fmt_lag(ch->lag_s, now, sizeof now);
        snprintf(info, sizeof info, "now %s, warn %.0fs, crit %.0fs", now, lag.lag_warn_s,
                 lag.lag_crit_s);
    }
    frame_draw(cd->v.win, y, x, h, w, title, info, false, th, g);
    int iy, ix, ih, iw;
    frame_inner(y, x, h, w, &iy, &ix, &ih, &iw);
    if (ch == NULL || ih <= 0 || iw <= 0)
        return;
    if (ch->lag_len == 0) {
        wtext_draw(cd->v.win, iy, ix, iw, "no lag samples yet", theme_attr(th, TH_STATE_MUTED),
                   WTEXT_LEFT, g->ascii);
        return;
    }
    float vals[LAG_HISTORY];
    int n = ch->lag_len < LAG_HISTORY ? ch->lag_len : LAG_HISTORY;
    for (int i = 0; i < n; i++)
        vals[i] = model_channel_lag_at(ch, i);
    struct spark_opts o = {.max = 0, .warn = (float)lag.lag_warn_s, .crit = (float)lag.lag_crit_s};
    spark_graph_draw(cd->v.win, iy, ix, ih, iw, vals, (size_t)n, &o, "s", th, g);
}

static void
cd_render(struct view *v)
{
    struct cd_view *cd = (struct cd_view *)v;
    struct app *a = v->app;
    const struct theme *th = app_theme(a);
    const struct glyphs *g = app_glyphs(a);
    const struct m_channel *ch = cd_channel(cd);
    werase(v->win);
    struct cd_rects r;
    cd_rects(cd, &r);
    char title[320];
    /* The focus is marked in text too, not only in colour (NO_COLOR, mono). */
    const char *fs = cd->focus == CD_STATUS ? glyph(g, G_ARROW_RIGHT) : "";
    const char *fh = cd->focus == CD_HISTORY ? glyph(g, G_ARROW_RIGHT) : "";
    if (cd->cluster != NULL)
        snprintf(title, sizeof title, "%s%sChannel %s on %s (%s)", fs, fs[0] ? " " : "",
                 cd->channel[0] ? cd->channel : "(default)", cd->server, cd->cluster);
    else
        snprintf(title, sizeof title, "%s%sChannel", fs, fs[0] ? " " : "");
    char health[32] = "";
    if (ch != NULL) {
        struct health_limits lag = vutil_app_lag(a);
        snprintf(health, sizeof health, "%s",
                 health_level_name(health_channel(ch, &lag, NULL, 0)));
    }
    int iy, ix, ih, iw;
    if (r.sh >= 3) {
        frame_draw(v->win, r.sy, r.sx, r.sh, r.sw, title, health, cd->focus == CD_STATUS, th, g);
        frame_inner(r.sy, r.sx, r.sh, r.sw, &iy, &ix, &ih, &iw);
        textv_draw(cd->status, v->win, iy, ix, ih, iw, th, g);
    }
    if (r.gh >= 3)
        cd_draw_graph(cd, ch, r.gy, r.gx, r.gh, r.gw);
    if (r.eh >= 3) {
        char info[64];
        tbl_pos_text(cd->events, info, sizeof info);
        char ht[64];
        snprintf(ht, sizeof ht, "%s%sHistory (newest first)", fh, fh[0] ? " " : "");
        frame_draw(v->win, r.ey, r.ex, r.eh, r.ew, ht, info, cd->focus == CD_HISTORY, th, g);
        frame_inner(r.ey, r.ex, r.eh, r.ew, &iy, &ix, &ih, &iw);
        tbl_draw(cd->events, v->win, iy, ix, ih, iw, th, g, cd->focus == CD_HISTORY);
    }
}

static void
cd_layout(struct view *v, int y, int x, int h, int w)
{
    struct cd_view *cd = (struct cd_view *)v;
    cd->y0 = y;
    cd->x0 = x;
    cd->h = h;
    cd->w = w;
    struct cd_rects r;
    cd_rects(cd, &r);
    cd->value_w = r.sw - 2 - CD_LABEL_W - 1; /* the frame, the labels, a scrollbar column */
    v->dirty = true;
}

/* ------------------------------------------------------------------ actions */

/* The channel's status as a status-json style object (docs/status-json.md names). */
static json_t *
cd_json(const struct cd_view *cd, const struct m_channel *ch)
{
    json_t *o = json_object();
    char ts[40];
    json_object_set_new(o, "cluster", json_string(cd->cluster));
    json_object_set_new(o, "name", json_string(ch->name));
    json_object_set_new(o, "server", json_string(ch->server));
    json_object_set_new(o, "dialect", ch->dialect ? json_string(ch->dialect) : json_null());
    json_object_set_new(o, "route", ch->route ? json_string(ch->route) : json_null());
    json_object_set_new(o, "sourceHost", json_string(ch->source_host ? ch->source_host : ""));
    json_object_set_new(o, "sourcePort", json_integer(ch->source_port));
    json_object_set_new(o, "ioRunning", json_string(model_thread_name(ch->io)));
    json_object_set_new(o, "sqlRunning", json_string(model_thread_name(ch->sql)));
    json_object_set_new(o, "ioState", json_string(ch->io_state ? ch->io_state : ""));
    json_object_set_new(o, "sqlState", json_string(ch->sql_state ? ch->sql_state : ""));
    json_object_set_new(o, "lagSeconds", ch->lag_s >= 0 ? json_real(ch->lag_s) : json_null());
    json_object_set_new(o, "lagSource", ch->lag_source ? json_string(ch->lag_source) : json_null());
    json_object_set_new(o, "lagUnreliable", json_boolean(ch->lag_unreliable));
    json_object_set_new(o, "lastIoErrno", json_integer(ch->last_io_errno));
    json_object_set_new(o, "lastIoError", json_string(ch->last_io_error ? ch->last_io_error : ""));
    json_object_set_new(o, "lastSqlErrno", json_integer(ch->last_sql_errno));
    json_object_set_new(o, "lastSqlError",
                        json_string(ch->last_sql_error ? ch->last_sql_error : ""));
    json_object_set_new(o, "retrievedGtidSet",
                        json_string(ch->retrieved_gtid ? ch->retrieved_gtid : ""));
    json_object_set_new(o, "executedGtidSet",
                        json_string(ch->executed_gtid ? ch->executed_gtid : ""));
    json_object_set_new(o, "gtidGap", ch->gtid_gap >= 0 ? json_integer(ch->gtid_gap) : json_null());
    json_object_set_new(o, "autoPosition", json_boolean(ch->auto_position));
    json_object_set_new(o, "retryCount", json_integer(ch->retry_count));
    if (ch->updated_ms > 0) {
        clock_fmt_rfc3339(ch->updated_ms, ts, sizeof ts);
        json_object_set_new(o, "updatedAt", json_string(ts));
    }
    json_t *fo = json_array();
    for (int i = 0; i < ch->n_failover && i < 8; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "host", json_string(ch->failover[i].host));
        json_object_set_new(f, "port", json_integer(ch->failover[i].port));
        json_object_set_new(f, "weight", json_integer(ch->failover[i].weight));
        json_object_set_new(f, "inUse", json_boolean(ch->failover[i].in_use));
        json_array_append_new(fo, f);
    }
    json_object_set_new(o, "failoverSources", fo);
    return o;
}

static unsigned
cd_action(struct view *v, enum key_action act)
{
    struct cd_view *cd = (struct cd_view *)v;
    struct app *a = v->app;
    const struct m_channel *ch = cd_channel(cd);
    switch (act) {
    case KA_BACK: {
        struct pxerr err = {0};
        const struct view_ops *back = cd->back != NULL ? cd->back : &view_channels_ops;
        if (app_show_view(a, back->name, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        return R_REDRAW | R_HINTS;
    }
    case KA_FOCUS_NEXT:
    case KA_FOCUS_PREV:
        cd->focus = cd->focus == CD_STATUS ? CD_HISTORY : CD_STATUS;
        v->dirty = true;
        return R_REDRAW | R_HINTS;
    case KA_CHANNEL_START:
    case KA_CHANNEL_STOP:
    case KA_PROBE_CHANNEL:
    case KA_COPY_YAML:
    case KA_DESCRIBE:
        if (ch == NULL) {
            app_flash(a, APP_WARN,
                      "no channel shown here: open one with Enter in the Channels "
                      "view");
            return R_NONE;
        }
        if (act == KA_DESCRIBE) {
            struct describe_target t = {"channel", cd->cluster, NULL, cd->channel, cd->server};
            view_describe_open(a, &t, &view_chdetail_ops);
            return R_REDRAW | R_HINTS;
        }
        if (act == KA_PROBE_CHANNEL) {
            app_act(a, ACT_PROBE_CHANNEL,
                    &(struct act_args){.cluster = cd->cluster, .name = cd->channel});
        } else if (act == KA_COPY_YAML) {
            json_t *o = cd_json(cd, ch);
            struct strbuf y;
            strbuf_init(&y);
            yamlout_yaml(o, &y);
            char name[300];
            snprintf(name, sizeof name, "%s-%s", cd->cluster,
                     cd->channel[0] ? cd->channel : "default");
            app_act(a, ACT_COPY_YAML,
                    &(struct act_args){.what = "channel", .name = name, .text = y.s});
            strbuf_fini(&y);
            json_decref(o);
        } else {
            app_act(a, act == KA_CHANNEL_START ? ACT_CHANNEL_START : ACT_CHANNEL_STOP,
                    &(struct act_args){
                        .cluster = cd->cluster, .server = cd->server, .name = cd->channel});
        }
        return R_REDRAW;
    default:
        break;
    }
    if (cd->focus == CD_HISTORY) {
        unsigned r = vutil_table_action(cd->events, act, a);
        if (r != R_UNHANDLED)
            v->dirty = true;
        return r;
    }
    int key = act == KA_UP          ? WKEY(KEY_UP)
              : act == KA_DOWN      ? WKEY(KEY_DOWN)
              : act == KA_PAGE_UP   ? WKEY(KEY_PPAGE)
              : act == KA_PAGE_DOWN ? WKEY(KEY_NPAGE)
              : act == KA_TOP       ? WKEY(KEY_HOME)
              : act == KA_BOTTOM    ? WKEY(KEY_END)
                                    : 0;
    if (key == 0)
        return R_UNHANDLED;
    textv_key(cd->status, key);
    v->dirty = true;
    return R_REDRAW;
}

/* The table keys apply to whichever pane has the focus (cd_action routes them); the filter
 * to the event history, which takes the focus when it is filtered. */
static struct tbl *
cd_table(const struct view *v)
{
    return ((const struct cd_view *)v)->events;
}

static void
cd_filter_changed(struct view *v)
{
    ((struct cd_view *)v)->focus = CD_HISTORY;
}

static unsigned
cd_mouse(struct view *v, int y, int x, int wheel_dy)
{
    struct cd_view *cd = (struct cd_view *)v;
    struct cd_rects r;
    cd_rects(cd, &r);
    y -= cd->y0;
    x -= cd->x0;
    bool in_events = r.eh >= 3 && y >= r.ey && y < r.ey + r.eh && x >= r.ex && x < r.ex + r.ew;
    cd->focus = in_events ? CD_HISTORY : CD_STATUS;
    if (in_events) {
        if (wheel_dy != 0) {
            tbl_move(cd->events, wheel_dy * 3);
        } else {
            int row = tbl_row_at(cd->events, y - (r.ey + 1));
            if (row >= 0)
                tbl_select(cd->events, row);
        }
    } else if (wheel_dy != 0) {
        for (int i = 0; i < 3; i++)
            textv_key(cd->status, WKEY(wheel_dy < 0 ? KEY_UP : KEY_DOWN));
    }
    v->dirty = true;
    return R_REDRAW | R_HINTS;
}

void
view_chdetail_open(struct app *a, const char *cluster, const char *server, const char *channel,
                   const struct view_ops *back)
{
    struct cd_view *cd = (struct cd_view *)app_view(a, &view_chdetail_ops);
    if (cd == NULL)
        return; /* not registered: nothing to show it in */
    /* Esc returns to the view the operator came from (never to the detail itself). */
    cd->back = back != NULL && back != &view_chdetail_ops ? back : &view_channels_ops;
    bool same = cd->cluster != NULL && strcmp(cd->cluster, cluster) == 0 &&
                strcmp(cd->server, server) == 0 && strcmp(cd->channel, channel) == 0;
    free(cd->cluster);
    free(cd->server);
    free(cd->channel);
    cd->cluster = xstrdup(cluster);
    cd->server = xstrdup(server);
    cd->channel = xstrdup(channel);
    if (!same) {
        cd->focus = CD_STATUS;
        textv_scroll_to(cd->status, 0);
        tbl_set_filter(cd->events, "");
        tbl_select(cd->events, 0);
    }
    cd->v.synced = false; /* new target: sync before the next key or frame */
    cd->v.dirty = true;
    struct pxerr err = {0};
    if (app_show_view(a, view_chdetail_ops.name, &err) < 0)
        app_flash(a, APP_ERROR, "%s", err.msg);
}

static struct view *
cd_create(struct app *a)
{
    struct cd_view *cd = xcalloc(1, sizeof *cd);
    cd->v.ops = &view_chdetail_ops;
    cd->v.app = a;
    cd->v.dirty = true;
    cd->status = textv_new();
    cd->events = tbl_new(cd_ev_cols, sizeof cd_ev_cols / sizeof cd_ev_cols[0]);
    tbl_set_empty_text(cd->events, "no events for this channel yet");
    return &cd->v;
}

static void
cd_destroy(struct view *v)
{
    struct cd_view *cd = (struct cd_view *)v;
    textv_free(cd->status);
    tbl_free(cd->events);
    free(cd->cluster);
    free(cd->server);
    free(cd->channel);
    free(cd);
}

const struct view_ops view_chdetail_ops = {
    .name = "detail",
    .title = "Channel detail",
    .interest = DIRTY_CLUSTERS | DIRTY_CHANNELS | DIRTY_EVENTS,
    .key = KA_NONE, /* Enter on a channel opens it */
    .ticks = true, /* ages of errors, heartbeat and the read */
    .scope = KS_CHDETAIL,
    .create = cd_create,
    .destroy = cd_destroy,
    .layout = cd_layout,
    .sync = cd_sync,
    .render = cd_render,
    .action = cd_action,
    .table = cd_table,
    .filter_changed = cd_filter_changed,
    .mouse = cd_mouse,
};
