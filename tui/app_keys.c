/* app_keys: what a key does. A key goes to the first of: an action's open question
 * (modal), the help overlay, the prompt being edited (`:` command line or `/` filter),
 * else it is resolved through the keymap in the focused scopes (view, table, global) and
 * dispatched: the app's own actions here (quit, help, prompts, view keys, back), the rest
 * to the view. The mouse selects and scrolls. The help's rows are generated here from the
 * key table and the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "app_internal.h"
#include "cmdline.h"
#include "help.h"
#include "keymap.h"
#include "ledit.h"
#include "tbl.h"
#include "view.h"
#include "wkey.h"

static void
app_close_help(struct app *a)
{
    a->help_open = false;
    a->dirty |= AD_BODY | AD_SBAR;
    app__schedule(a);
}

/* Build the help rows from the key table and the command table. */
void
app__fill_help(struct app *a)
{
    size_t n = keymap_count() + cmdline_count();
    struct help_row *rows = xcalloc(n, sizeof *rows);
    struct vec strs;
    vec_init(&strs, free);
    size_t k = 0;
    for (int s = 0; s < KS__COUNT; s++)
        for (size_t i = 0; i < keymap_count(); i++) {
            const struct keymap_row *r = keymap_at(i);
            if ((int)r->scope != s || (r->flags & KEY_ALIAS) || !keymap_visible(r, app_readonly(a)))
                continue;
            char keys[96];
            keymap_keys_for(r->scope, r->action, app_readonly(a), keys, sizeof keys);
            char *kc = xstrdup(keys);
            vec_push(&strs, kc);
            rows[k++] = (struct help_row){keymap_scope_title(r->scope), kc, r->description};
        }
    for (size_t i = 0; i < cmdline_count(); i++) {
        const struct cmdline_cmd *c = cmdline_at(i);
        char *kc = xasprintf(":%s", c->usage);
        vec_push(&strs, kc);
        /* The aliases go with the summary: the key column stays narrow. */
        struct strbuf sum;
        strbuf_init(&sum);
        strbuf_append(&sum, c->summary);
        for (const char *p = c->alias, *first = p; p != NULL && *p != '\0';) {
            const char *comma = strchr(p, ',');
            int len = comma != NULL ? (int)(comma - p) : (int)strlen(p);
            strbuf_appendf(&sum, "%s:%.*s", p == first ? " (also " : ", ", len, p);
            p = comma != NULL ? comma + 1 : NULL;
            if (p == NULL)
                strbuf_append(&sum, ")");
        }
        char *desc = strbuf_detach(&sum);
        vec_push(&strs, desc);
        rows[k++] = (struct help_row){"Commands (type : first)", kc, desc};
    }
    help_set_rows(a->help, rows, k);
    vec_fini(&strs);
    free(rows);
}

/* The table of the current pane (view_ops.table), its filter, and setting it: one place
 * for every view, which only says which table. */
static struct tbl *
view_table(const struct view *v)
{
    return v->ops->table != NULL ? v->ops->table(v) : NULL;
}

static const char *
view_filter(const struct view *v)
{
    struct tbl *t = view_table(v);
    return t != NULL ? tbl_filter(t) : "";
}

static void
view_set_filter(struct view *v, const char *text)
{
    struct tbl *t = view_table(v);
    if (t != NULL) {
        tbl_set_filter(t, text);
        if (v->ops->filter_changed != NULL)
            v->ops->filter_changed(v);
    }
    v->dirty = true;
}

size_t
app__scopes(const struct app *a, enum keymap_scope *out)
{
    size_t n = 0;
    if (a->help_open) {
        out[n++] = KS_HELP;
        return n;
    }
    if (a->prompt != PROMPT_NONE) {
        out[n++] = KS_PROMPT;
        return n;
    }
    if (a->cur != NULL) {
        out[n++] = a->cur->ops->scope;
        if (view_table(a->cur) != NULL)
            out[n++] = KS_TABLE;
    }
    out[n++] = KS_GLOBAL;
    return n;
}

static void
app_open_prompt(struct app *a, enum prompt_kind k)
{
    a->prompt = k;
    if (k == PROMPT_CMD) {
        ledit_clear(a->cmd_edit);
    } else {
        /* Empty, as in k9s and less: typing starts a new filter (the old one stays in force
         * until the first edit) and Up recalls the old one, instead of text being appended
         * to it ("/!galera" giving "galera!galera"). */
        ledit_history_add(a->filter_edit, view_filter(a->cur));
        ledit_clear(a->filter_edit);
    }
    a->dirty |= AD_SBAR;
}

static void
app_prompt_key(struct app *a, int key)
{
    struct ledit *e = a->prompt == PROMPT_CMD ? a->cmd_edit : a->filter_edit;
    enum ledit_result r = ledit_key(e, key);
    a->dirty |= AD_SBAR;
    if (a->prompt == PROMPT_FILTER) {
        if (r == LEDIT_CANCEL) {
            view_set_filter(a->cur, "");
            a->prompt = PROMPT_NONE;
        } else if (r == LEDIT_SUBMIT) {
            view_set_filter(a->cur, ledit_text(e));
            ledit_history_add(e, ledit_text(e));
            a->prompt = PROMPT_NONE;
        } else if (r == LEDIT_HANDLED) {
            view_set_filter(a->cur, ledit_text(e)); /* incremental */
        }
        a->cur->dirty = true;
        return;
    }
    if (r == LEDIT_CANCEL) {
        a->prompt = PROMPT_NONE;
    } else if (r == LEDIT_SUBMIT) {
        char *line = xstrdup(ledit_text(e));
        ledit_history_add(e, line);
        a->prompt = PROMPT_NONE;
        struct pxerr err = {0};
        if (cmdline_run(a, line, &err) < 0)
            app_flash(a, APP_ERROR, "%s", err.msg);
        free(line);
    }
}

static unsigned
app_dispatch(struct app *a, enum key_action act)
{
    struct view *v = a->cur;
    struct pxerr err = {0};
    unsigned r;
    switch (act) {
    case KA_QUIT:
        app_quit(a);
        return R_QUIT;
    case KA_HELP:
        app_open_help(a);
        return R_NONE;
    case KA_CMDLINE:
        app_open_prompt(a, PROMPT_CMD);
        return R_NONE;
    case KA_REDRAW:
        a->dirty |= AD_ALL & ~AD_LAYOUT;
        v->dirty = true;
        return R_REDRAW;
    case KA_REFRESH:
        app_refresh(a);
        return R_NONE;
    case KA_FILTER:
        if (v->ops->table != NULL)
            app_open_prompt(a, PROMPT_FILTER);
        return R_NONE;
    case KA_BACK:
        if (view_filter(v)[0] != '\0') {
            view_set_filter(v, "");
            return R_REDRAW;
        }
        r = v->ops->action(v, act);
        if (r == R_UNHANDLED && v->ops != &view_overview_ops) {
            if (app_show_view(a, "overview", &err) < 0)
                app_flash(a, APP_ERROR, "%s", err.msg);
            return R_NONE;
        }
        return r;
    default:
        break;
    }
    /* The view keys: each view says which key action shows it. */
    for (size_t i = 0; act != KA_NONE && view_registry[i] != NULL; i++)
        if (view_registry[i]->key == act) {
            if (app_show_view(a, view_registry[i]->name, &err) < 0)
                app_flash(a, APP_ERROR, "%s", err.msg);
            return R_NONE;
        }
    return v->ops->action(v, act);
}

/* A click selects under the pointer, the wheel scrolls (the help, or the view). */
static void
app_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || a->too_small || a->prompt != PROMPT_NONE)
        return;
    int wheel = (ev.bstate & BUTTON4_PRESSED) ? -1 : (ev.bstate & BUTTON5_PRESSED) ? 1 : 0;
    if (a->help_open) {
        if (wheel != 0 && help_key(a->help, WKEY(wheel < 0 ? KEY_UP : KEY_DOWN)) != HELP_UNHANDLED)
            a->dirty |= AD_OVERLAY;
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) && wheel == 0)
        return;
    if (ev.y < 1 || ev.y >= a->rows - 1 || a->cur->ops->mouse == NULL)
        return;
    app__view_sync(a, a->cur, false);
    unsigned r = a->cur->ops->mouse(a->cur, ev.y, ev.x, wheel);
    if (r & (R_HINTS | R_REDRAW))
        a->dirty |= AD_SBAR;
}

void
app__key(struct app *a, int key)
{
    if (key == WKEY(KEY_RESIZE))
        return; /* SIGWINCH already did the work */
    if (a->dlg != NULL && !a->too_small) {
        if (key != WKEY(KEY_MOUSE)) /* a question is modal: every key is its own */
            app__dialog_key(a, key);
        return;
    }
    if (key == WKEY(KEY_MOUSE)) {
        app_mouse(a);
        return;
    }
    if (wkey_is_enter(key))
        key = KM_ENTER;
    if (a->too_small) {
        if (key == 'q')
            app_quit(a);
        return;
    }
    if (a->help_open) {
        enum help_result hr = help_key(a->help, key);
        if (hr == HELP_CLOSE)
            app_close_help(a);
        else if (hr == HELP_HANDLED)
            a->dirty |= AD_OVERLAY;
        return;
    }
    if (a->prompt != PROMPT_NONE) {
        app__view_sync(a, a->cur, false);
        app_prompt_key(a, key);
        return;
    }
    app__view_sync(a, a->cur, false);
    enum keymap_scope scopes[4];
    size_t n = app__scopes(a, scopes);
    const struct keymap_row *row = keymap_resolve(scopes, n, key, app_readonly(a));
    if (row == NULL) {
        char name[32];
        keymap_key_name(key, name, sizeof name);
        /* A write key in read-only mode says why it does nothing. */
        const struct keymap_row *w = keymap_resolve(scopes, n, key, false);
        if (w != NULL && (w->flags & KEY_DANGEROUS))
            app_flash(a, APP_WARN, "read-only: %s (%s) is not allowed (%s)",
                      keymap_action_name(w->action), name, app_readonly_why(a));
        else
            app_flash(a, APP_INFO, "%s: no action here (press ? for the keys)", name);
        return;
    }
    unsigned r = app_dispatch(a, row->action);
    if (r & R_RELAYOUT)
        a->dirty |= AD_LAYOUT;
    if (r & (R_HINTS | R_REDRAW))
        a->dirty |= AD_SBAR; /* the focus may have changed: so do the hints */
}
