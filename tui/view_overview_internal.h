/* view_overview_internal: what the Overview's two files share. view_overview.c is the view
 * (columns, layout, render, keys); view_overview_rows.c turns one cluster of the model into
 * the rows of a column's four tables, and the newest events and findings into the lines
 * of the pane below the columns. Private to tui/view_overview*.c. Loop thread only. */
#ifndef PXC_TUI_VIEW_OVERVIEW_INTERNAL_H
#define PXC_TUI_VIEW_OVERVIEW_INTERNAL_H

#include <stdint.h>

#include "glyph.h"
#include "model/model.h"
#include "tbl.h"
#include "textv.h"
#include "vutil.h"

struct app;

enum ov_sec { SEC_PXC, SEC_PODS, SEC_SE, SEC_CHAN, SEC__COUNT };

/* One cluster's column. */
struct ov_col {
    char *cluster; /* owned: the cluster's name (columns follow clusters by name) */
    struct tbl *t[SEC__COUNT];
    int problems[SEC__COUNT];
    uint64_t pods_seq;        /* model_cluster_pods_seq its pod rows show, 0: never filled. A
                                 channel's lag sample every refresh must not rebuild 10,000
                                 pod rows, nor one cluster's list the other cluster's rows. */
    uint64_t pod_marks;       /* vutil_marks_sig of the pod marks its rows show */
    int64_t pods_age_next_ms; /* the app's clock when a pod's AGE text next changes, 0:
                                 never (no pods); the pod rows are refilled then */
    int n_err, n_warn;        /* the doctor's findings on the cluster */
};

/* Owned (view_overview__col_free, also a vec free function). */
struct ov_col *view_overview__col_new(const char *name);
void view_overview__col_free(void *p);

/* Fill one section's table of oc from cluster c, the rows the findings name (mk) marked
 * and ranked first. now_ms: the app's clock (pod ages). */
void view_overview__fill_pxc(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                             const struct vutil_marks *mk);
void view_overview__fill_pods(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                              const struct vutil_marks *mk, int64_t now_ms);
void view_overview__fill_se(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                            const struct vutil_marks *mk);
/* Returns how many channels are shown stale (their ages move: the caller refills). */
int view_overview__fill_chan(struct ov_col *oc, const struct m_cluster *c, const struct glyphs *g,
                             struct app *a, const struct vutil_marks *mk);

/* The panes below the columns, into tv (cleared first): the doctor's findings, errors
 * first, one line each; the newest events, newest first, at most max_lines. Return how many
 * lines they hold. now_ms: the app's clock (a replay's: its time). */
int view_overview__fill_findings(struct textv *tv, const struct model *m, int64_t now_ms);
int view_overview__fill_events(struct textv *tv, const struct model *m, int max_lines);

#endif
