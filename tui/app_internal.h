/* app_internal: struct app and what the app's files share. The app is split by concern:
 * app.c (the narrow interface of app.h, the dialog overlay and the actions' context),
 * app_frame.c (frame scheduling, layout, header, status bar), app_keys.c (keys, prompts,
 * mouse, help), app_term.c (terminal, crash handler, signals, input, loop handles) and
 * app_main.c (start and stop). Private to tui/app*.c. Loop thread only. */
#ifndef PXC_TUI_APP_INTERNAL_H
#define PXC_TUI_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>
#include <uv.h>

#include "act.h"
#include "app.h"
#include "glyph.h"
#include "keymap.h"
#include "theme.h"
#include "view.h"

#define APP_MIN_W 40
#define APP_MIN_H 10
#define APP_FRAME_MIN_MS 33 /* at most 30 frames a second */
/* While a cluster's first lists stream in, frames that only show model changes start at
 * most once per APP_FRAME_PACE times the last frame's cost (up to APP_FRAME_MAX_GAP_MS
 * apart): each refills thousands of rows, and drawing must not take the loop from the list.
 * Otherwise a change is drawn APP_FRAME_MIN_MS after the last frame at most: pacing a lone
 * change by the cost of a frame before it cost up to 150 ms (make bench's
 * change_to_screen_p99 at 2 x 10,000 pods). Input is answered at APP_FRAME_MIN_MS. */
#define APP_FRAME_PACE 4
#define APP_FRAME_MAX_GAP_MS 500
#define APP_TICK_MS 1000
#define APP_MAX_VIEWS 16

/* App dirty bits (the model has its own). */
enum {
    AD_HEADER = 1u << 0,
    AD_SBAR = 1u << 1,
    AD_BODY = 1u << 2,    /* the current view, whatever its interest */
    AD_LAYOUT = 1u << 3,  /* sizes changed: new windows */
    AD_OVERLAY = 1u << 4, /* the help overlay */
    AD_REPAINT = 1u << 5, /* the terminal may be garbled: send every cell again */
    AD_ALL = 0x3fu,
};

enum prompt_kind { PROMPT_NONE, PROMPT_CMD, PROMPT_FILTER };

struct config;
struct dlg;
struct doctor_live;
struct help;
struct ledit;
struct live;
struct model;
struct sbar;
struct trace;

struct app {
    const struct app_opts *opts; /* borrowed */
    uv_loop_t loop;
    uv_poll_t in_poll;
    uv_signal_t sig_winch, sig_int, sig_term, sig_hup;
    uv_timer_t frame_timer, tick_timer;
    bool handles_open;

    struct model *model; /* owned */
    struct config *cfg;  /* owned; NULL in a replay */
    struct live *live;   /* owned; NULL in a replay */
    struct doctor_live *doctor; /* owned; NULL in a replay (its findings are the snapshot's) */
    struct theme *theme; /* owned */
    uint64_t theme_gen;  /* :theme requests made; a load that answers an older one is dropped */
    struct trace *trace; /* owned; NULL unless PXCMESH_TRACE (benchmarks) */
    struct glyphs glyphs;
    bool readonly, no_color, colour_started;

    SCREEN *screen;
    WINDOW *in_win; /* 1x1, never drawn: keys are read here so that reading never
                       refreshes a window we draw in */
    WINDOW *hdr_win, *body_win, *sbar_win, *small_win;
    int rows, cols;
    bool too_small;

    struct view *views[APP_MAX_VIEWS];
    size_t n_views;
    struct view *cur;

    struct act_ctx acx; /* the actions' context; acx.st owned */

    /* Overlays: the help, an action's question (modal), the prompts. */
    struct sbar *sbar;
    struct help *help;
    bool help_open;
    struct dlg *dlg;       /* owned; NULL: no question open */
    act_answer_cb *dlg_cb; /* answers the open question */
    void *dlg_arg;
    struct ledit *cmd_edit, *filter_edit;
    enum prompt_kind prompt;

    unsigned dirty; /* AD_* */
    uint64_t last_frame_ms; /* loop time the last frame started */
    uint64_t frame_cost_us; /* how long the last frame took */
    uint64_t frame_due_ms;  /* loop time the pending frame is due (frame_timer active) */
    bool input_pending;     /* a key or a resize since the last frame: no pacing */
    bool quitting;
    char clock_text[16];
};

/* app.c */
void app__act_init(struct app *a);            /* the actions' context, once live runs */
void app__act_fini(struct app *a);            /* the open question GONE, then the actions */
void app__dialog_key(struct app *a, int key); /* a key while a question is open */
int app__load_theme(const char *name, struct theme **out, struct pxerr *err) PXC_MUST_CHECK;

/* app_frame.c */
void app__schedule(struct app *a); /* arm the frame timer when something is dirty */
void app__on_model_dirty(struct model *m, void *arg);
void app__on_tick(uv_timer_t *t);
void app__format_clock(struct app *a);
void app__apply_backgrounds(struct app *a);
void app__view_sync(struct app *a, struct view *v, bool force);
void app__switch_to(struct app *a, struct view *v);
void app__delwin(WINDOW **w);

/* app_keys.c */
void app__key(struct app *a, int key);
void app__fill_help(struct app *a);
size_t app__scopes(const struct app *a, enum keymap_scope *out);

/* app_term.c */
int app__start_curses(struct app *a, struct pxerr *err) PXC_MUST_CHECK;
void app__term_restore(void);
int app__init_loop(struct app *a, struct pxerr *err) PXC_MUST_CHECK;
void app__fini_loop(struct app *a);

#endif
