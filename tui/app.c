/* app: the console object's narrow interface (app.h): what views, the `:` commands and
 * the actions' callers may read and ask, and the two overlays that belong to the app and
 * not to a view: the actions' context (the app is the actions' report and ask) and the
 * question an action asks, drawn over the body like the help and answered before any
 * other key. It does not know what a pod or a channel is: views adapt the model,
 * backends fill it, actions change the clusters. */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "act.h"
#include "app_internal.h"
#include "config/config.h"
#include "dlg.h"
#include "kube/kcfg.h"
#include "live/live.h"
#include "model/model.h"
#include "sbar.h"
#include "view.h"

struct model *
app_model(struct app *a)
{
    return a->model;
}

struct live *
app_live(struct app *a)
{
    return a->live;
}

const struct theme *
app_theme(const struct app *a)
{
    return a->theme;
}

const struct glyphs *
app_glyphs(const struct app *a)
{
    return &a->glyphs;
}

const struct config *
app_cfg(const struct app *a)
{
    return a->cfg;
}

bool
app_readonly(const struct app *a)
{
    return a->readonly || a->model->replay;
}

const char *
app_readonly_why(const struct app *a)
{
    if (a->model->replay)
        return "started with --replay";
    if (a->opts != NULL && a->opts->sel.readonly)
        return "started with --readonly";
    if (a->readonly)
        return "readonly: true in the config";
    return "";
}

void
app_refresh(struct app *a)
{
    if (a->live == NULL) {
        app_flash(a, APP_INFO, "refresh: a replay shows a fixed snapshot; nothing to read again");
        return;
    }
    int n_lists = 0;
    int n = live_refresh(a->live, &n_lists);
    if (n == 0)
        app_flash(a, APP_WARN, "refresh: no cluster can be read (see the header for why)");
    else
        app_flash(a, APP_INFO, "refresh: listing %d resource%s of %d cluster%s again; MySQL read",
                  n_lists, n_lists == 1 ? "" : "s", n, n == 1 ? "" : "s");
}

int64_t
app_now_ms(const struct app *a)
{
    if (a->model->replay && a->model->generated_ms > 0)
        return a->model->generated_ms;
    return clock_wall_ms();
}

void
app_flash(struct app *a, enum app_level lv, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    enum sbar_level sl = lv == APP_ERROR ? SBAR_ERROR : lv == APP_WARN ? SBAR_WARN : SBAR_INFO;
    sbar_msg(a->sbar, sl, clock_mono_ms(), 0, "%s", msg);
    log_msg(lv == APP_ERROR ? LOG_ERROR : lv == APP_WARN ? LOG_WARN : LOG_INFO, "flash: %s", msg);
    a->dirty |= AD_SBAR;
    app__schedule(a);
}

void
app_quit(struct app *a)
{
    a->quitting = true;
    uv_stop(&a->loop);
}

void
app_open_help(struct app *a)
{
    a->help_open = true;
    a->prompt = PROMPT_NONE;
    a->dirty |= AD_OVERLAY | AD_SBAR;
    app__schedule(a);
}

/* ------------------------------------------------------------------ views */

struct view *
app_view(struct app *a, const struct view_ops *ops)
{
    for (size_t i = 0; i < a->n_views; i++)
        if (a->views[i]->ops == ops)
            return a->views[i];
    return NULL;
}

int
app_show_view(struct app *a, const char *name, struct pxerr *err)
{
    const struct view_ops *ops = view_find(name);
    struct view *v = ops != NULL ? app_view(a, ops) : NULL;
    if (v == NULL) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; view_registry[i] != NULL; i++)
            strbuf_appendf(&sb, "%s%s", i ? ", " : "", view_registry[i]->name);
        pxerr_set(err, PXE_NOTFOUND, "unknown view '%s' (views: %s)", name, sb.s);
        strbuf_fini(&sb);
        return PXE_NOTFOUND;
    }
    app__switch_to(a, v);
    return 0;
}

/* ------------------------------------------------------------------ clusters */

int
app_ctx(struct app *a, const char *verb, const char *name, struct pxerr *err)
{
    if (a->live == NULL)
        return pxerr_set(err, PXE_READONLY, "a replay shows a fixed snapshot: no clusters to %s",
                         verb);
    if (strcmp(verb, "drop") == 0) {
        int rc = live_drop_cluster(a->live, name, err);
        if (rc == 0)
            app_flash(a, APP_INFO, "dropped cluster %s", name);
        return rc;
    }
    if (strcmp(verb, "add") != 0)
        return pxerr_set(err, PXE_USAGE, "usage: :ctx add|drop NAME");
    if (model_cluster_find(a->model, name) != NULL)
        return pxerr_set(err, PXE_EXISTS, "cluster %s is already shown", name);
    const struct config_cluster *cc = config_cluster_find(a->cfg, name);
    int rc;
    if (cc != NULL) {
        rc = live_add_cluster(a->live, cc, err);
    } else {
        struct config *one = NULL;
        const char *ctx[1] = {name};
        const char *kubeconfig =
            a->opts->sel.kubeconfig ? a->opts->sel.kubeconfig : a->cfg->kubeconfig;
        rc = config_from_contexts(ctx, 1, kubeconfig, a->readonly, &one, err);
        if (rc == 0)
            rc = live_add_cluster(a->live, &one->clusters[0], err);
        config_free(one);
    }
    if (rc == 0)
        app_flash(a, APP_INFO, "added cluster %s", name);
    return rc;
}

static bool
vec_has_str(const struct vec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(vec_at(v, i), s) == 0)
            return true;
    return false;
}

void
app_ctx_candidates(struct app *a, const char *verb, struct vec *out)
{
    if (strcmp(verb, "drop") == 0) {
        for (size_t i = 0; i < a->model->clusters.n; i++)
            vec_push(out, xstrdup(((struct m_cluster *)vec_at(&a->model->clusters, i))->name));
        return;
    }
    if (strcmp(verb, "add") != 0 || a->cfg == NULL)
        return;
    for (size_t i = 0; i < a->cfg->n_clusters; i++) {
        const char *n = a->cfg->clusters[i].name;
        if (model_cluster_find(a->model, n) == NULL && !vec_has_str(out, n))
            vec_push(out, xstrdup(n));
    }
    struct kcfg *k = NULL;
    const char *path = a->opts->sel.kubeconfig ? a->opts->sel.kubeconfig : a->cfg->kubeconfig;
    if (kcfg_load(path, &k, NULL) < 0)
        return; /* no candidates; :ctx add says why when run */
    for (size_t i = 0; i < kcfg_context_count(k); i++) {
        const char *n = kcfg_context_name(k, i);
        if (model_cluster_find(a->model, n) == NULL && !vec_has_str(out, n))
            vec_push(out, xstrdup(n));
    }
    kcfg_free(k);
}

/* ------------------------------------------------------------------ themes */

int
app__load_theme(const char *name, struct theme **out, struct pxerr *err)
{
    char path[1024];
    int rc = theme_find(name, path, sizeof path, err);
    if (rc < 0)
        return rc;
    return theme_parse_file(path, out, err);
}

/* A :theme load in flight. The file is found and parsed on libuv's thread pool (never on
 * the loop: the name may be any path); the swap and the colours happen back on the loop. */
struct theme_job {
    uv_work_t work;
    struct app *a;
    uint64_t gen; /* a->theme_gen when asked: an older answer is dropped */
    char *name;
    struct theme *t; /* owned until swapped in */
    struct pxerr err;
    int rc;
};

static void
on_theme_work(uv_work_t *w)
{
    struct theme_job *j = w->data;
    j->rc = app__load_theme(j->name, &j->t, &j->err);
}

static void
on_theme_loaded(uv_work_t *w, int status)
{
    struct theme_job *j = w->data;
    struct app *a = j->a;
    if (status == 0 && !a->quitting && j->gen == a->theme_gen) {
        if (j->rc < 0) {
            app_flash(a, APP_ERROR, "%s", j->err.msg); /* the old theme stays in force */
        } else {
            theme_free(a->theme);
            a->theme = j->t;
            j->t = NULL;
            if (a->screen != NULL) {
                theme_activate(a->theme, a->colour_started ? COLORS : 0, a->no_color);
                app__apply_backgrounds(a);
            }
            a->dirty |= AD_ALL & ~AD_LAYOUT;
            if (a->cur != NULL)
                a->cur->dirty = true;
            app_flash(a, APP_INFO, "theme %s active", theme_name(a->theme));
        }
    }
    theme_free(j->t);
    free(j->name);
    free(j);
}

int
app_set_theme(struct app *a, const char *name, struct pxerr *err)
{
    struct theme_job *j = xcalloc(1, sizeof *j);
    j->a = a;
    j->gen = ++a->theme_gen;
    j->name = xstrdup(name);
    j->work.data = j;
    int rc = uv_queue_work(&a->loop, &j->work, on_theme_work, on_theme_loaded);
    if (rc < 0) {
        free(j->name);
        free(j);
        return pxerr_set(err, PXE_INTERNAL, "cannot load theme '%s': %s", name, uv_strerror(rc));
    }
    return 0;
}

/* ------------------------------------------------------------------ actions */

unsigned
app_act(struct app *a, enum act_kind kind, const struct act_args *args)
{
    unsigned r = act_run(&a->acx, kind, args);
    if (r & R_REDRAW) {
        a->dirty |= AD_BODY | AD_SBAR;
        app__schedule(a);
    }
    return r;
}

static void
on_act_report(void *host, enum act_level lv, const char *msg)
{
    app_flash(host, lv == ACT_ERROR ? APP_ERROR : lv == ACT_WARN ? APP_WARN : APP_INFO, "%s", msg);
}

/* Close the open question (if any) and answer it ans; the callback comes last, so that
 * it may ask again. */
static void
dialog_answer(struct app *a, enum act_answer ans, const char *text)
{
    act_answer_cb *cb = a->dlg_cb;
    void *arg = a->dlg_arg;
    a->dlg_cb = NULL;
    a->dlg_arg = NULL;
    a->dirty |= AD_BODY | AD_SBAR;
    app__schedule(a);
    if (cb != NULL)
        cb(ans, text, arg);
}

static void
on_act_ask(void *host, const struct act_question *q, act_answer_cb *answer, void *arg)
{
    struct app *a = host;
    if (a->dlg != NULL) { /* a question that arrives later replaces the open one */
        dlg_free(a->dlg);
        a->dlg = NULL;
        dialog_answer(a, ACT_GONE, NULL);
    }
    if (q->input != NULL)
        a->dlg = dlg_input_new(q->title, q->lines, q->n_lines, q->input, 0);
    else
        a->dlg = dlg_confirm_new(q->title, q->lines, q->n_lines, q->yes, "Cancel");
    a->dlg_cb = answer;
    a->dlg_arg = arg;
    a->dirty |= AD_BODY | AD_SBAR;
    app__schedule(a);
}

void
app__dialog_key(struct app *a, int key)
{
    if (key == KM_ENTER)
        key = '\n';
    enum dlg_result r = dlg_key(a->dlg, key);
    a->dirty |= AD_BODY | AD_SBAR;
    if (r == DLG_OPEN)
        return;
    /* The question is gone before its answer runs anything. */
    char *text = dlg_kind(a->dlg) == DLG_INPUT ? xstrdup(dlg_text(a->dlg)) : NULL;
    dlg_free(a->dlg);
    a->dlg = NULL;
    if (r == DLG_NO)
        app_flash(a, APP_INFO, "cancelled: nothing was changed");
    dialog_answer(a, r == DLG_YES ? ACT_YES : ACT_NO, text);
    free(text);
}

/* OSC 52: the terminal (or tmux, with set-clipboard on) puts text on its clipboard. The
 * sequence moves no cursor and draws nothing, so it goes straight out between frames. */
static void
on_act_copy(void *host, const char *text)
{
    (void)host;
    char *b64 = base64_encode(text, strlen(text), 0);
    fprintf(stdout, "\033]52;c;%s\a", b64);
    fflush(stdout);
    free(b64);
}

void
app__act_init(struct app *a)
{
    a->acx = (struct act_ctx){
        .loop = &a->loop,
        .model = a->model,
        .live = a->live,
        .readonly = a->readonly,
        .readonly_why = app_readonly_why(a),
        .report = on_act_report,
        .ask = on_act_ask,
        .copy = on_act_copy,
        .host = a,
        .st = act_state_new(),
    };
}

void
app__act_fini(struct app *a)
{
    if (a->dlg != NULL) {
        dlg_free(a->dlg);
        a->dlg = NULL;
        dialog_answer(a, ACT_GONE, NULL);
    }
    act_state_free(a->acx.st);
    a->acx.st = NULL;
}
