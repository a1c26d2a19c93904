/* vutil: shared display rules for views (see vutil.h). Lag thresholds come from the
 * loaded config (lagWarnSeconds / lagCritSeconds) through vutil_app_lag; a replay has no
 * config and uses the defaults. How healthy a channel is, is doctor/health.h's to say. */
#include "vutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "strbuf.h"
#include "config/config.h"
#include "spark.h"
#include "view.h"
#include "wkey.h"

struct health_limits
vutil_app_lag(const struct app *a)
{
    return health_limits_from_config(a != NULL ? app_cfg(a) : NULL);
}

int64_t
vutil_app_refresh_ms(const struct app *a)
{
    const struct config *cfg = a != NULL ? app_cfg(a) : NULL;
    return (cfg != NULL && cfg->refresh_s > 0 ? cfg->refresh_s : 2) * (int64_t)1000;
}

bool
vutil_channel_stale(const struct m_channel *ch, int64_t now_ms, int64_t refresh_ms, int64_t *age_ms)
{
    int64_t age = ch->updated_ms > 0 && now_ms > ch->updated_ms ? now_ms - ch->updated_ms : 0;
    if (age_ms != NULL)
        *age_ms = age;
    /* Never read: nothing old is being shown as current (the row says "-" anyway). */
    return ch->updated_ms > 0 && refresh_ms > 0 && age > 3 * refresh_ms;
}

static bool
word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* word occurs in s with no word character right before or after it. */
static bool
has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    if (n == 0)
        return false;
    for (const char *p = strstr(s, word); p != NULL; p = strstr(p + 1, word)) {
        bool left = p == s || !word_char(p[-1]);
        bool right = !word_char(p[n]);
        if (left && right)
            return true;
    }
    return false;
}

bool
vutil_event_is_channel(const struct m_event *e, const char *cluster, const char *server,
                       const char *channel)
{
    if (e == NULL || e->what == NULL || e->cluster == NULL || cluster == NULL ||
        strcmp(e->cluster, cluster) != 0)
        return false;
    if (channel != NULL && channel[0] != '\0' && has_word(e->what, channel))
        return true;
    if (channel != NULL && channel[0] == '\0' &&
        (strstr(e->what, "channel '' ") != NULL || strstr(e->what, "channel (default)") != NULL))
        return true;
    if (server == NULL || server[0] == '\0')
        return false;
    char buf[300];
    snprintf(buf, sizeof buf, "mysql %s: ", server);
    if (strncmp(e->what, buf, strlen(buf)) == 0)
        return true;
    snprintf(buf, sizeof buf, "action on %s", server);
    return strncmp(e->what, buf, strlen(buf)) == 0;
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
vutil_lag_elem(double lag_s, const struct health_limits *lim)
{
    switch (health_lag(lag_s, lim)) {
    case HEALTH_OK:
        return TH_STATE_OK;
    case HEALTH_WARN:
        return TH_STATE_WARN;
    case HEALTH_BAD:
        return TH_STATE_BAD;
    case HEALTH_UNKNOWN:
        break;
    }
    return TH_STATE_UNKNOWN;
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
vutil_table_mouse(struct tbl *t, int header_y, int y, int wheel_dy, int step, bool *dirty)
{
    if (wheel_dy != 0) {
        tbl_move(t, wheel_dy * step);
    } else {
        int row = tbl_row_at(t, y - header_y - 1);
        if (row < 0)
            return R_NONE;
        tbl_select(t, row);
    }
    *dirty = true;
    return R_REDRAW;
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

void
vutil_marks_build(struct vutil_marks *mk, const struct model *m, const char *cluster)
{
    hmap_init(&mk->by_object);
    mk->n_errors = mk->n_warnings = 0;
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        if (strcmp(f->cluster, cluster) != 0)
            continue;
        mk->n_errors += f->severity == SEV_ERROR;
        mk->n_warnings += f->severity == SEV_WARNING;
        intptr_t old = (intptr_t)hmap_get(&mk->by_object, f->object);
        if ((intptr_t)f->severity + 1 > old)
            hmap_put(&mk->by_object, f->object, (void *)((intptr_t)f->severity + 1));
    }
}

void
vutil_marks_fini(struct vutil_marks *mk)
{
    hmap_fini(&mk->by_object);
}

uint64_t
vutil_marks_sig(const struct vutil_marks *mk, const char *kind)
{
    size_t kl = strlen(kind), it = 0;
    const char *key;
    void *val;
    uint64_t sig = 0;
    while (hmap_next(&mk->by_object, &it, &key, &val)) {
        if (strncmp(key, kind, kl) != 0 || key[kl] != '/')
            continue;
        uint64_t h = 1469598103934665603ULL; /* FNV-1a of the key, then the severity */
        for (const char *s = key; *s != '\0'; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ (uint64_t)(uintptr_t)val) * 0x9e3779b97f4a7c15ULL;
        sig += h ^ (h >> 31); /* a sum: the same whatever the order */
    }
    return sig;
}

int
vutil_mark(const struct vutil_marks *mk, const char *kind, const char *id)
{
    if (mk->by_object.n == 0)
        return -1;
    char key[600];
    snprintf(key, sizeof key, "%s/%s", kind, id);
    return (int)(intptr_t)hmap_get(&mk->by_object, key) - 1;
}
