/* view: the interface every screen of the console implements (overview, channels,
 * events...). A view adapts the model to widgets and owns its view-scope actions; the
 * app owns the loop, the header, the status bar and the overlays, and calls the view:
 *
 *   layout(y, x, h, w)   the body window v->win changed: it sits at screen (y, x) and
 *                        is h x w (start, resize, view switch)
 *   sync()               bring the view's widgets up to date with the model (rows,
 *                        selection by id), drawing nothing. The app calls it before
 *                        each render, and before a key, click or filter reaches a view
 *                        whose model has changed since (so a key typed in the same
 *                        burst as a view switch acts on the rows, not an empty table).
 *   render()             redraw v->win from the widgets (werase first: curses sends only
 *                        the cells that differ). The app draws overlays on top, calls
 *                        wnoutrefresh and the one doupdate of the frame. Called only
 *                        when model->dirty overlaps ops->interest, when v->dirty is
 *                        set, or on the clock tick when ops->ticks.
 *   action(a)            a key mapped to a in one of the view's scopes; returns R_* bits
 *                        (reaction.h)
 *
 * Views never draw from action(): they change their state, set v->dirty and return
 * R_REDRAW (STYLE.md §7). Loop thread only, everywhere. */
#ifndef PXC_TUI_VIEW_H
#define PXC_TUI_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "keymap.h"
#include "reaction.h"

struct app;
struct tbl;
struct view;

struct view_ops {
    const char *name;        /* ":view NAME", lowercase */
    const char *title;       /* shown in the header */
    unsigned interest;       /* DIRTY_* bits of the model this view shows */
    enum key_action key;     /* the KA_VIEW_* action that shows it; KA_NONE: reached from
                                another view only */
    bool ticks;              /* shows ages ("5s ago"): re-render once a second */
    enum keymap_scope scope; /* the view's own key scope (KS_OVERVIEW...) */

    /* Owned by the app (destroy). app is borrowed and outlives the view. */
    struct view *(*create)(struct app *app);
    void (*destroy)(struct view *v);
    void (*layout)(struct view *v, int y, int x, int h, int w);
    void (*sync)(struct view *v); /* NULL: the view fills its widgets in render */
    void (*render)(struct view *v);
    unsigned (*action)(struct view *v, enum key_action a);
    /* The table the TABLE keys and the filter (`/`) apply to now: the focused pane's, NULL
     * when the focus is on no table (borrowed). NULL op: the view has no table and no
     * filter. The app reads and sets the filter through it (app.c, view_set_filter). */
    struct tbl *(*table)(const struct view *v);
    /* Optional: the filter of table() was just set (the app marked the view dirty). */
    void (*filter_changed)(struct view *v);
    /* Mouse click (button 1) or wheel (dy = -1/+1, 0 for a click) at screen (y, x).
     * NULL: the view ignores the mouse. */
    unsigned (*mouse)(struct view *v, int y, int x, int wheel_dy);
};

/* The part every view embeds first. */
struct view {
    const struct view_ops *ops; /* read-only */
    struct app *app;            /* borrowed */
    WINDOW *win;                /* borrowed from the app: the body; NULL while too small */
    bool dirty;                 /* view-local change (focus, scroll, filter) not yet drawn */
    bool synced;                /* private (app): sync ran at least once */
    uint64_t synced_seq;        /* private (app): model->seq at the last sync */
};

/* Registered views, in :view completion order; NULL-terminated. */
extern const struct view_ops *const view_registry[];
/* The ops named name (exact, or a unique prefix), or NULL. */
const struct view_ops *view_find(const char *name);

extern const struct view_ops view_overview_ops;
extern const struct view_ops view_channels_ops;
extern const struct view_ops view_events_ops;
extern const struct view_ops view_findings_ops;
extern const struct view_ops view_sentries_ops;
extern const struct view_ops view_injection_ops;
extern const struct view_ops view_probes_ops;
extern const struct view_ops view_setup_ops;
/* Show the Overview with the section named section ("pxc", "pods", "serviceentries",
 * "channels") focused in the focused cluster's column (the `:pods` command). */
void view_overview_focus(struct app *a, const char *section);
/* One channel's full status, lag graph and history. view_chdetail_open shows it for
 * (cluster, server, channel) (strings copied); Esc there shows back (static ops). */
extern const struct view_ops view_chdetail_ops;
void view_chdetail_open(struct app *a, const char *cluster, const char *server,
                        const char *channel, const struct view_ops *back);
/* A pod's container log, followed (view_logs.c). view_logs_open_ref shows the log of what
 * (kind, id) names in cluster: kind "pod" with id "NS/NAME", "server" with id "SERVER" or
 * "SERVER/CHANNEL" (the pod that runs that MySQL server), "channel" with id "NAME" (the
 * pod running the channel); a NULL id or another kind flashes why there is nothing to show.
 * Strings copied; Esc there shows back. Returns R_* bits. */
extern const struct view_ops view_logs_ops;
unsigned view_logs_open_ref(struct app *a, const char *cluster, const char *kind, const char *id,
                            const struct view_ops *back);

/* What `d` describes (k9s's describe); strings borrowed for the call (copied). */
struct describe_target {
    const char *kind;    /* "pod", "pxc", "serviceentry", "namespace", "channel" */
    const char *cluster; /* the cluster's name */
    const char *ns;      /* the object's namespace; NULL for a namespace */
    const char *name;    /* the object's name; a channel's ("" MySQL's default) */
    const char *server;  /* a channel: the server running it; else NULL */
};
/* The object as YAML (the model's, then the API server's when live) with its events, in
 * a scrollable pane; Esc shows back. */
extern const struct view_ops view_describe_ops;
void view_describe_open(struct app *a, const struct describe_target *t,
                        const struct view_ops *back);

#endif
