/* vutil: what several views say the same way about the model: a channel's status text
 * and error, lag formatting and colour (how healthy a channel is, is doctor/health.h's to
 * judge), its sparkline as text, which cluster a source host names, and the table keys.
 * Pure functions of the model, except vutil_table_action (which flashes through the app).
 * Loop thread. */
#ifndef PXC_TUI_VUTIL_H
#define PXC_TUI_VUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "glyph.h"
#include "keymap.h"
#include "doctor/health.h"
#include "model/model.h"
#include "tbl.h"
#include "theme.h"

struct app;

/* The lag thresholds the console judges channels by (health_channel, vutil_lag_elem): the
 * loaded config's lagWarnSeconds and lagCritSeconds, the defaults in a replay. */
struct health_limits vutil_app_lag(const struct app *a);
/* "lag 0.4s", "IO No, error 2003", "SQL No, error 1062", "unreachable" into buf. */
void vutil_channel_status(const struct m_channel *ch, char *buf, size_t n);
/* The error to show: the read error, else the IO error, else the SQL error, else "".
 * Borrowed from ch. */
const char *vutil_channel_error(const struct m_channel *ch);
/* "-" unknown, "0.4s", "42s", "12m", "3.5h". */
void vutil_fmt_lag(double lag_s, char *buf, size_t n);
/* The colour of a lag by health_lag: state.unknown (no lag), state.ok, state.warn (>=
 * lag_warn_s), state.bad (>= lag_crit_s). lim NULL: the default thresholds. */
enum th_elem vutil_lag_elem(double lag_s, const struct health_limits *lim);

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

/* The objects the doctor's findings name in one cluster ("pod/NS/NAME", "channel/NAME",
 * "serviceentry/NS/NAME", "pxc/NS/NAME", ...), each with its worst severity, for views
 * that mark them. Built from the findings (a few), looked up per row. */
struct vutil_marks {
    struct hmap by_object;    /* private: object -> (severity + 1) as a pointer-sized int */
    int n_errors, n_warnings; /* the cluster's findings, counted */
};
void vutil_marks_build(struct vutil_marks *mk, const struct model *m, const char *cluster);
void vutil_marks_fini(struct vutil_marks *mk);
/* The worst severity of the findings naming kind/id ("pod", "ns/name"), or -1 none. */
int vutil_mark(const struct vutil_marks *mk, const char *kind, const char *id);
/* One number for the marks of one kind ("pod"): equal numbers, equal marks (up to a 64-bit
 * collision), whatever the order of the findings. A view with thousands of rows of that
 * kind refills them only when it moves, not at every finding of another kind. */
uint64_t vutil_marks_sig(const struct vutil_marks *mk, const char *kind);

#endif
