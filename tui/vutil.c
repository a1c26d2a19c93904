/* vutil: shared display rules for views (see vutil.h). Thresholds are the configuration's
 * defaults until the config reaches the views (TODO(#08): per-config lag thresholds). */
#include "vutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/strbuf.h"
#include "config.h"
#include "spark.h"
#include "view.h"
#include "wkey.h"

int
vutil_channel_health(const struct m_channel *ch)
{
    if (ch->io == THR_NO || ch->sql == THR_NO || ch->error[0] != '\0' ||
        (ch->last_io_error != NULL && ch->last_io_error[0] != '\0') ||
        (ch->last_sql_error != NULL && ch->last_sql_error[0] != '\0') ||
        ch->lag_s >= CONFIG_LAG_CRIT_S_DEFAULT)
        return 2;
    if (ch->io != THR_YES || ch->sql != THR_YES || ch->lag_s < 0 ||
        ch->lag_s >= CONFIG_LAG_WARN_S_DEFAULT)
        return 1;
    return 0;
}

const char *
vutil_channel_error(const struct m_channel *ch)
{
    if (ch->error[0] != '\0')
        return ch->error;
    if (ch->last_io_error != NULL && ch->last_io_error[0] != '\0')
        return ch->last_io_error;
    if (ch->last_sql_error != NULL && ch->last_sql_error[0] != '\0')
        return ch->last_sql_error;
    return "";
}

void
vutil_fmt_lag(double lag_s, char *buf, size_t n)
{
    if (lag_s < 0 || isnan(lag_s))
        snprintf(buf, n, "-");
    else if (lag_s < 10)
        snprintf(buf, n, "%.1fs", lag_s);
    else if (lag_s < 120)
        snprintf(buf, n, "%.0fs", lag_s);
    else if (lag_s < 7200)
        snprintf(buf, n, "%.0fm", lag_s / 60);
    else
        snprintf(buf, n, "%.1fh", lag_s / 3600);
}

enum th_elem
vutil_lag_elem(double lag_s)
{
    if (lag_s < 0)
        return TH_STATE_UNKNOWN;
    if (lag_s >= CONFIG_LAG_CRIT_S_DEFAULT)
        return TH_STATE_BAD;
    if (lag_s >= CONFIG_LAG_WARN_S_DEFAULT)
        return TH_STATE_WARN;
    return TH_STATE_OK;
}

void
vutil_channel_status(const struct m_channel *ch, char *buf, size_t n)
{
    char lag[32];
    if (ch->error[0] != '\0') {
        snprintf(buf, n, "unreachable");
        return;
    }
    if (ch->io != THR_YES || ch->sql != THR_YES) {
        int eno = ch->io != THR_YES ? ch->last_io_errno : ch->last_sql_errno;
        const char *which = ch->io != THR_YES ? "IO" : "SQL";
        enum thread_state st = ch->io != THR_YES ? ch->io : ch->sql;
        if (eno != 0)
            snprintf(buf, n, "%s %s, error %d", which, model_thread_name(st), eno);
        else
            snprintf(buf, n, "%s %s", which, model_thread_name(st));
        return;
    }
    vutil_fmt_lag(ch->lag_s, lag, sizeof lag);
    snprintf(buf, n, "lag %s", lag);
}

void
vutil_spark_text(const struct m_channel *ch, int w, const struct glyphs *g, char *buf, size_t n)
{
    float vals[LAG_HISTORY], cols[64];
    int len = ch->lag_len < LAG_HISTORY ? ch->lag_len : LAG_HISTORY;
    if (w > 64)
        w = 64;
    for (int i = 0; i < len; i++)
        vals[i] = model_channel_lag_at(ch, i);
    spark_bucket(vals, (size_t)len, w, cols);
    struct spark_opts o = {0};
    float max = spark_scale(vals, (size_t)len, &o);
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; i < w; i++)
        strbuf_append(&sb, glyph_spark(g, spark_level(cols[i], max)));
    snprintf(buf, n, "%s", sb.s);
    strbuf_fini(&sb);
}

/* Does label [s, s+len) equal name? */
static bool
label_eq(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && strncmp(s, name, len) == 0;
}

const char *
vutil_source_cluster(const struct model *m, const char *host)
{
    if (host == NULL || host[0] == '\0')
        return "?";
    /* The label before ".global" first (Istio's multicluster naming), then any label. */
    const char *labels[32];
    size_t lens[32];
    int nl = 0;
    for (const char *p = host; *p != '\0' && nl < 32;) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        labels[nl] = p;
        lens[nl++] = len;
        p += len + (dot != NULL ? 1 : 0);
        if (dot == NULL)
            break;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = vec_at(&m->clusters, i);
            if (strcmp(host, c->name) == 0)
                return c->name;
            for (int k = 0; k < nl; k++) {
                bool before_global = k + 1 < nl && label_eq(labels[k + 1], lens[k + 1], "global");
                if ((pass == 1 || before_global) &&
                    (label_eq(labels[k], lens[k], c->name) ||
                     (c->context != NULL && label_eq(labels[k], lens[k], c->context))))
                    return c->name;
            }
        }
    return host;
}

unsigned
vutil_table_action(struct tbl *t, enum key_action act, struct app *a)
{
    if (t == NULL)
        return R_UNHANDLED;
    switch (act) {
    case KA_UP:
        tbl_move(t, -1);
        break;
    case KA_DOWN:
        tbl_move(t, 1);
        break;
    case KA_PAGE_UP:
        tbl_key(t, WKEY(KEY_PPAGE));
        break;
    case KA_PAGE_DOWN:
        tbl_key(t, WKEY(KEY_NPAGE));
        break;
    case KA_TOP:
        tbl_select(t, 0);
        break;
    case KA_BOTTOM:
        tbl_select(t, (int)tbl_count(t) - 1);
        break;
    case KA_SORT: {
        int c = tbl_sort_col(t) + 1;
        if (c >= (int)tbl_n_cols(t))
            c = -1; /* back to the view's order: problems first */
        tbl_sort(t, c, false);
        break;
    }
    case KA_SORT_REVERSE:
        if (tbl_sort_col(t) < 0)
            tbl_sort(t, 0, true);
        else
            tbl_sort(t, tbl_sort_col(t), !tbl_sort_desc(t));
        break;
    case KA_ENTER: {
        int i = tbl_selected(t);
        if (i < 0)
            return R_NONE;
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t c = 0; c < tbl_n_cols(t); c++) {
            const char *s = tbl_cell_text(t, (size_t)i, c);
            if (s != NULL && s[0] != '\0')
                strbuf_appendf(&sb, "%s%s", sb.len ? "  " : "", s);
        }
        app_flash(a, APP_INFO, "%s", sb.s);
        strbuf_fini(&sb);
        break;
    }
    default:
        return R_UNHANDLED;
    }
    return R_REDRAW;
}
