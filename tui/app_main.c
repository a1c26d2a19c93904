/* app_main: the console's start and stop. Everything that can be refused (the snapshot
 * or the config, a terminal on stdin and stdout, the theme) is refused before curses
 * takes the screen; then the views, the loop, the live backends and the actions' context
 * start, and on the way out they stop in the reverse order: the open question is
 * answered, the actions cancel their requests before the clients go, the loop's handles
 * close, the terminal is restored. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curses.h>

#include "log.h"
#include "xmalloc.h"
#include "app_internal.h"
#include "cmdline.h"
#include "config/config.h"
#include "doctor/doctor_live.h"
#include "help.h"
#include "ledit.h"
#include "live/live.h"
#include "model/model.h"
#include "model/snap.h"
#include "sbar.h"
#include "trace.h"

static void
app_free(struct app *a)
{
    for (size_t i = 0; i < a->n_views; i++)
        a->views[i]->ops->destroy(a->views[i]);
    help_free(a->help);
    ledit_free(a->cmd_edit);
    ledit_free(a->filter_edit);
    sbar_free(a->sbar);
    app__delwin(&a->hdr_win);
    app__delwin(&a->body_win);
    app__delwin(&a->sbar_win);
    app__delwin(&a->small_win);
    app__delwin(&a->in_win);
    app__term_restore();
    if (a->screen != NULL)
        delscreen(a->screen);
    theme_free(a->theme);
    trace_free(a->trace);
    model_free(a->model);
    config_free(a->cfg);
    free(a);
}

int
app_main(const struct app_opts *opts)
{
    struct pxerr err = {0};
    setlocale(LC_ALL, "");
    if (opts->log_path != NULL && log_open(opts->log_path, LOG_DEBUG, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        return 1;
    }
    struct app *a = xcalloc(1, sizeof *a);
    a->opts = opts;
    a->readonly = opts->sel.readonly;
    a->no_color = opts->no_color;
    glyphs_init(&a->glyphs, opts->ascii || !glyphs_locale_utf8());
    a->model = model_new();
    a->trace = trace_open(a->model);
    int rc = 0;

    /* Everything that can be refused is refused before curses takes the screen. */
    if (opts->replay != NULL) {
        if (snap_load_file(opts->replay, a->model, &err) < 0) {
            fprintf(stderr, "pxcmesh: %s\n", err.msg);
            rc = 1;
            goto out;
        }
        trace_data_ready(a->trace);
    } else if (config_select(&opts->sel, &a->cfg, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    } else {
        a->readonly = a->readonly || a->cfg->readonly;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "pxcmesh: the console needs a terminal on stdin and stdout; for scripts "
                        "use 'pxcmesh status'\n");
        rc = 1;
        goto out;
    }
    /* The theme: --theme, else "default" from the themes directory, else built in. A bad
     * theme keeps the default in force and says why once the screen is up. */
    char theme_err[sizeof err.msg] = "";
    const char *theme = opts->theme;
    if (theme == NULL && a->cfg != NULL)
        theme = a->cfg->theme;
    if (app__load_theme(theme != NULL ? theme : "default", &a->theme, &err) < 0) {
        if (theme != NULL)
            snprintf(theme_err, sizeof theme_err, "%s", err.msg);
        if (theme == NULL || app__load_theme("default", &a->theme, &err) < 0)
            a->theme = theme_new_builtin();
    }

    a->sbar = sbar_new();
    a->help = help_new("pxcmesh keys");
    a->cmd_edit = ledit_new(512);
    a->filter_edit = ledit_new(256);
    ledit_set_completion(a->cmd_edit, cmdline_complete, a);
    app__fill_help(a);
    for (size_t i = 0; view_registry[i] != NULL && a->n_views < APP_MAX_VIEWS; i++)
        a->views[a->n_views++] = view_registry[i]->create(a);
    a->cur = a->views[0];

    if (app__init_loop(a, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    if (a->cfg != NULL) {
        struct live_opts lo = {.readonly = a->readonly,
                               .mode = KUBE_MODE_WATCH,
                               .kubeconfig = opts->sel.kubeconfig,
                               .on_synced = trace_live_synced,
                               .arg = a->trace};
        if (live_start_opts(&a->loop, a->model, a->cfg, &lo, &a->live, &err) < 0) {
            fprintf(stderr, "pxcmesh: %s\n", err.msg);
            rc = 1;
            goto out;
        }
        /* The doctor runs on the loop after model changes, coalesced (doctor_live.h). */
        struct doctor_live_opts dlo = {.cfg = a->cfg, .on_run = trace_doctor, .arg = a->trace};
        a->doctor = doctor_live_new(&a->loop, a->model, &dlo);
    }
    app__act_init(a);
    pxc_set_fatal_hook(app__term_restore);
    atexit(app__term_restore);
    if (app__start_curses(a, &err) < 0) {
        fprintf(stderr, "pxcmesh: %s\n", err.msg);
        rc = 1;
        goto out;
    }
    model_set_dirty_cb(a->model, app__on_model_dirty, a);
    app__format_clock(a);
    if (theme_err[0] != '\0')
        app_flash(a, APP_ERROR, "default theme in use: %s", theme_err);
    a->dirty = AD_ALL;
    app__schedule(a);
    uv_run(&a->loop, UV_RUN_DEFAULT);
out:
    model_set_dirty_cb(a->model, NULL, NULL);
    doctor_live_free(a->doctor); /* its timer closes in app_fini_loop's last run */
    a->doctor = NULL;
    app__act_fini(a);   /* cancels the actions' requests and probes before the clients go */
    live_free(a->live); /* its handles close in app_fini_loop's last run */
    a->live = NULL;
    app__fini_loop(a);
    app_free(a);
    log_close();
    return rc;
}
