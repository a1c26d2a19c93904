/* app: the console's narrow interface, what views, actions' callers and the `:` commands
 * may ask of the app. struct app owns the libuv loop, the model, the live backends, the
 * theme, the glyphs, the views, the focus, the header and status bar, the overlays (help,
 * an action's question, command line, filter prompt), the actions' context and the
 * terminal. There is no other mutable state in the process except the crash handler's
 * precomputed terminal reset bytes (a signal handler has no argument).
 *
 * Frames: anything that changes sets dirty bits (model->dirty by the backends, v->dirty
 * by views, app flags by the app). The model's dirty hook and the app's own changes arm a
 * one-shot frame timer when none is pending, at least 33 ms after the last frame, so that
 * bursts coalesce and at most 30 frames a second are drawn; a frame re-renders only what
 * is dirty, wnoutrefresh()es it and calls doupdate() exactly once. When nothing changes
 * only a 1 s clock timer runs, which redraws the clock (and views showing ages); curses
 * then sends the changed cells only (docs/ARCHITECTURE.md, "Data flow").
 *
 * Loop thread only, everywhere. */
#ifndef PXC_TUI_APP_H
#define PXC_TUI_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "pxerr.h"
#include "vec.h"
#include "act.h"
#include "config/config_select.h"
#include "glyph.h"
#include "theme.h"

struct app;
struct config;
struct live;
struct model;
struct view;
struct view_ops;

/* What the console is started with (the command line's global options). Strings borrowed
 * for the whole run. */
struct app_opts {
    struct config_sel sel;  /* which clusters (readonly inside: --readonly) */
    const char *theme;      /* --theme NAME, NULL: the config's, else "default" */
    bool no_color;          /* --no-color or NO_COLOR */
    const char *replay;     /* --replay FILE: a snapshot, read-only */
    const char *log_path;   /* --log FILE */
    bool ascii;             /* --ascii: ASCII glyphs */
    bool no_mouse;          /* --no-mouse */
};

/* Run the console for opts (borrowed): the replay when opts->replay, else live. Returns
 * the exit code: 0 after a normal quit, 1 when it could not start (the reason printed on
 * stderr before curses started, or after the terminal was restored). */
int app_main(const struct app_opts *opts);

/* Borrowed, valid for the app's life. */
struct model *app_model(struct app *a);
const struct theme *app_theme(const struct app *a);
const struct glyphs *app_glyphs(const struct app *a);

/* The live backends: borrowed, NULL in a replay. */
struct live *app_live(struct app *a);

/* Read-only: --readonly, the config's readonly, or a replay. Dangerous keys are hidden. */
bool app_readonly(const struct app *a);
/* Why, in words for "(...)": "started with --replay", "started with --readonly",
 * "readonly: true in the config"; "" when not read-only. Static. */
const char *app_readonly_why(const struct app *a);

/* Read everything again now (Ctrl-R): every cluster's objects listed afresh, every MySQL
 * server read (live_refresh); the status bar says what was asked, or, in a replay, that a
 * snapshot does not change. */
void app_refresh(struct app *a);
/* The time ages are measured against: now, or in a replay the snapshot's time, so that a
 * replay shows what the operator saw then. Wall ms. */
int64_t app_now_ms(const struct app *a);

enum app_level { APP_INFO, APP_WARN, APP_ERROR };
/* A transient message in the status bar (k9s flash); it clears itself after a few
 * seconds (errors stay until the next key). */
void app_flash(struct app *a, enum app_level lv, const char *fmt, ...) PXC_PRINTF(3, 4);

/* Load the theme name (or path) on a worker thread, then make it current on the loop and
 * redraw the whole screen; the status bar says which is active, or (the old theme staying)
 * file:line and why not. A later call supersedes one still loading. Fails (err) only when
 * the load cannot be started. Loop thread. */
int app_set_theme(struct app *a, const char *name, struct pxerr *err) PXC_MUST_CHECK;
/* Show the view named name (":view NAME"). PXE_NOTFOUND lists the view names. */
int app_show_view(struct app *a, const char *name, struct pxerr *err) PXC_MUST_CHECK;
/* ":ctx add NAME": add a cluster while running, with its entry in the config when it has
 * one (a cluster dropped earlier), else from the kubeconfig context NAME. ":ctx drop NAME":
 * stop watching a cluster and remove it from the screen. PXE_READONLY in a replay,
 * PXE_USAGE for another verb, PXE_EXISTS / PXE_NOTFOUND for the name. */
int app_ctx(struct app *a, const char *verb, const char *name, struct pxerr *err) PXC_MUST_CHECK;
/* Names for ":ctx VERB <Tab>": owned strings pushed onto out (vec_init(out, free)). For
 * "add" the config's clusters and the kubeconfig's contexts not shown yet (the kubeconfig
 * is read here: a small file, on an explicit Tab); for "drop" the clusters shown. */
void app_ctx_candidates(struct app *a, const char *verb, struct vec *out);

/* Start action kind with args (borrowed for the call; act.h) in the app's context, and
 * act on its reaction. Returns the action's R_* bits. */
unsigned app_act(struct app *a, enum act_kind kind, const struct act_args *args);

/* The loaded config (borrowed for the app's life), NULL in a replay. */
const struct config *app_cfg(const struct app *a);
/* The app's instance of a registered view (borrowed for the app's life), or NULL. */
struct view *app_view(struct app *a, const struct view_ops *ops);

/* A view's own state changed outside a key (a stream it follows brought lines): mark it
 * dirty and arm the frame timer, so that it is drawn within a frame when shown. */
void app_view_changed(struct app *a, struct view *v);

/* Open the help overlay / ask the app to quit at the end of this turn. */
void app_open_help(struct app *a);
void app_quit(struct app *a);

#endif
