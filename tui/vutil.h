/* vutil: what several views say the same way about the model: a channel's health, status
 * text and error, lag formatting and colour, its sparkline as text, which cluster a source
 * host names, and the table keys. Pure functions of the model, except vutil_table_action
 * (which flashes through the app). Loop thread. */
#ifndef PXC_TUI_VUTIL_H
#define PXC_TUI_VUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glyph.h"
#include "keymap.h"
#include "model/model.h"
#include "tbl.h"
#include "theme.h"

struct app;

struct config;

/* The lag thresholds the console colours by: the loaded config's lagWarnSeconds and
 * lagCritSeconds, else the defaults (60 s, 600 s). */
struct vutil_lag {
    double warn_s;
    double crit_s;
};
/* From cfg (borrowed; NULL, e.g. in a replay: the defaults). */
void vutil_lag_from_config(const struct config *cfg, struct vutil_lag *out);
/* The app's: its config's thresholds (defaults in a replay). */
struct vutil_lag vutil_app_lag(const struct app *a);

/* 0 fine, 1 warning (lag over the warning threshold or unknown, a thread connecting),
 * 2 broken (a thread stopped, an error, lag over the critical threshold). lag NULL: the
 * default thresholds. */
int vutil_channel_health(const struct m_channel *ch, const struct vutil_lag *lag);
/* "lag 0.4s", "IO No, error 2003", "SQL No, error 1062", "unreachable" into buf. */
void vutil_channel_status(const struct m_channel *ch, char *buf, size_t n);
/* The error to show: the read error, else the IO error, else the SQL error, else "".
 * Borrowed from ch. */
const char *vutil_channel_error(const struct m_channel *ch);
/* "-" unknown, "0.4s", "42s", "12m", "3.5h". */
void vutil_fmt_lag(double lag_s, char *buf, size_t n);
/* state.unknown (no lag), state.ok, state.warn (>= warn_s), state.bad (>= crit_s). lag
 * NULL: the default thresholds. */
enum th_elem vutil_lag_elem(double lag_s, const struct vutil_lag *lag);

/* Stale data: the channel's last good read is older than 3 refresh intervals (a server
 * that stopped answering, a poller stuck behind a timeout). The view shows the age and
 * greys the row rather than passing old numbers off as current (STYLE: show age, never
 * block). *age_ms (may be NULL) gets now - updated_ms, or 0 when never read. */
bool vutil_channel_stale(const struct m_channel *ch, int64_t now_ms, int64_t refresh_ms,
                         int64_t *age_ms);
/* Is event e about the channel named channel ("" the default channel) on server of
 * cluster? Its cluster must match, and its text name the channel as a whole word
 * ("channel cluster_a_source on pxc-0: ...", "console: START channel ...") or be about
 * the server the channel runs on ("mysql pxc-0: ...", "action on pxc-0: ..."). */
bool vutil_event_is_channel(const struct m_event *e, const char *cluster, const char *server,
                            const char *channel);
/* The app's refresh interval in ms: the config's refreshSeconds, else 2 s. */
int64_t vutil_app_refresh_ms(const struct app *a);
/* The channel's lag history as a text sparkline of w columns (UTF-8 or ASCII glyphs). */
void vutil_spark_text(const struct m_channel *ch, int w, const struct glyphs *g, char *buf,
                      size_t n);
/* The cluster a replication source host points at: "pxc.cluster-b.global" and
 * "svc.cluster-b.global" name cluster-b (the Istio multicluster convention); a host
 * equal to or containing a cluster name as a label does too. Borrowed cluster name, or
 * the host itself when no cluster matches ("?" for NULL). */
const char *vutil_source_cluster(const struct model *m, const char *host);
/* The TABLE scope's actions on t (NULL: R_UNHANDLED): moving, paging, sorting, Enter
 * (the selected row in the status bar). R_REDRAW or R_UNHANDLED. */
/* Mouse on a table whose header line is screen line header_y (rows below it): the wheel
 * scrolls by wheel_dy * step rows, a click selects the row under it. Sets *dirty when the
 * table changed; returns R_REDRAW, or R_NONE for a click on no row. */
unsigned vutil_table_mouse(struct tbl *t, int header_y, int y, int wheel_dy, int step,
                           bool *dirty);
unsigned vutil_table_action(struct tbl *t, enum key_action act, struct app *a);

#endif
