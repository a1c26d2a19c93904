/* vutil: what several views say the same way about the model: a channel's health, status
 * text and error, lag formatting and colour, its sparkline as text, which cluster a source
 * host names, and the table keys. Pure functions of the model, except vutil_table_action
 * (which flashes through the app). Loop thread. */
#ifndef PXC_TUI_VUTIL_H
#define PXC_TUI_VUTIL_H

#include <stddef.h>

#include "glyph.h"
#include "keymap.h"
#include "model.h"
#include "tbl.h"
#include "theme.h"

struct app;

/* 0 fine, 1 warning (lag over the warning threshold or unknown, a thread connecting),
 * 2 broken (a thread stopped, an error, lag over the critical threshold). */
int vutil_channel_health(const struct m_channel *ch);
/* "lag 0.4s", "IO No, error 2003", "SQL No, error 1062", "unreachable" into buf. */
void vutil_channel_status(const struct m_channel *ch, char *buf, size_t n);
/* The error to show: the read error, else the IO error, else the SQL error, else "".
 * Borrowed from ch. */
const char *vutil_channel_error(const struct m_channel *ch);
/* "-" unknown, "0.4s", "42s", "12m", "3.5h". */
void vutil_fmt_lag(double lag_s, char *buf, size_t n);
enum th_elem vutil_lag_elem(double lag_s);
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
unsigned vutil_table_action(struct tbl *t, enum key_action act, struct app *a);

#endif
