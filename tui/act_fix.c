/* act_fix: the changes the console makes through the fix runner (doctor/fixrun.h) that
 * `pxcmesh doctor --fix` and the write verbs use too: the Findings view's fix key, and the
 * label, restart, create and delete keys of the Injection, Setup and ServiceEntries views
 * (each change worded by doctor/fixmake.h). The runner's preview (the exact change: the SQL
 * with the password masked, the object diff from a server dry run, the object a delete
 * removes) becomes the question, and Yes runs it; the informers and pollers then show the
 * effect, and the live doctor clears the finding. Any other fix, and any fix in read-only
 * mode or a replay, is its command, copied to the terminal's clipboard and shown in the
 * status bar; the views' own writes are refused there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "act_internal.h"
#include "doctor/fixmake.h"
#include "doctor/fixrun.h"
#include "manifest/crdreg.h"
#include "model/model.h"

#define ACT_DIALOG_MAX_LINES 60

struct fix_job {
    struct act_ctx *cx;
    struct fixrun *fr;
    const char *title; /* static: the question's */
    char cluster[128];
    char what[640];
    char warning[400];
};

static void
job_free(struct fix_job *j)
{
    struct vec *v = &j->cx->st->fixes;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == j) {
            vec_take(v, i);
            break;
        }
    fixrun_free(j->fr);
    free(j);
}

static void
copy_command(struct act_ctx *cx, const struct m_fix *fx, const char *why)
{
    cx->copy(cx->host, fx->command);
    act__report(cx, ACT_INFO, "%scopied to the clipboard: %s", why, fx->command);
}

static void
on_applied(struct fixrun *fr, int status, const struct pxerr *err, void *arg)
{
    struct fix_job *j = arg;
    (void)fr;
    act__outcome(j->cx, j->cluster, status == 0, j->what, err != NULL ? err->msg : NULL);
    job_free(j);
}

static void
on_answer(enum act_answer ans, const char *text, void *arg)
{
    struct fix_job *j = arg;
    (void)text;
    if (ans != ACT_YES) {
        job_free(j);
        return;
    }
    struct pxerr err = {0};
    if (fixrun_apply(j->fr, on_applied, j, &err) != 0) {
        act__outcome(j->cx, j->cluster, false, j->what, err.msg);
        job_free(j);
        return;
    }
    act__report(j->cx, ACT_INFO, "running: %s ...", j->what);
}

static void
on_previewed(struct fixrun *fr, int status, const struct pxerr *err, void *arg)
{
    struct fix_job *j = arg;
    struct act_state *st = j->cx->st;
    struct crdreg *schemas = fixrun_take_schemas(fr);
    if (st->schemas == NULL)
        st->schemas = schemas; /* kept for the next apply */
    else
        crdreg_free(schemas);
    if (status != 0) {
        act__report(j->cx, ACT_ERROR, "cannot prepare %s: %s", j->what,
                    err != NULL ? err->msg : "unknown error");
        job_free(j);
        return;
    }
    if (fixrun_no_change(fr)) {
        act__report(j->cx, ACT_INFO, "nothing to change: %s already holds", j->what);
        job_free(j);
        return;
    }
    /* The question: what and where, then the exact change line by line (copied). */
    char *text = xstrdup(fixrun_text(fr));
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = 0;
    for (char *s = text, *nl; *s != '\0' && n < ACT_DIALOG_MAX_LINES - 1; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    char warn[440];
    if (j->warning[0] != '\0' && n < ACT_DIALOG_MAX_LINES) {
        snprintf(warn, sizeof warn, "Warning: %s", j->warning);
        lines[n++] = warn;
    }
    struct act_question q = {j->title, lines, n, "Run", NULL};
    act__ask(j->cx, &q, on_answer, j);
    free(text);
}

static unsigned job_start(struct act_ctx *cx, const struct act_def *def, const struct m_fix *fx);

unsigned
act__start_fix(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    const struct m_fix *fx = args->fix;
    if (fx == NULL || fx->kind == FIX_NONE || fx->command == NULL || fx->command[0] == '\0') {
        act__report(cx, ACT_WARN, "no command fixes this finding: its hint says what to do");
        return R_NONE;
    }
    if (!fixrun_can(fx->kind)) {
        copy_command(cx, fx, "run it yourself: ");
        return R_REDRAW;
    }
    if (cx->model->replay || cx->readonly || cx->live == NULL) {
        copy_command(cx, fx, cx->model->replay ? "replay: " : "read-only mode: ");
        return R_REDRAW;
    }
    return job_start(cx, def, fx);
}

/* Preview fx through the fix runner; its question follows (on_previewed). */
static unsigned
job_start(struct act_ctx *cx, const struct act_def *def, const struct m_fix *fx)
{
    struct fix_job *j = xcalloc(1, sizeof *j);
    j->cx = cx;
    j->title = def->title;
    snprintf(j->cluster, sizeof j->cluster, "%s", fx->cluster != NULL ? fx->cluster : "");
    snprintf(j->what, sizeof j->what, "%s (%s)", fx->what != NULL ? fx->what : "the fix",
             fx->where != NULL ? fx->where : "");
    snprintf(j->warning, sizeof j->warning, "%s", fx->warning != NULL ? fx->warning : "");
    j->fr = fixrun_new(cx->loop, cx->model, cx->live, fx);
    vec_push(&cx->st->fixes, j);
    struct crdreg *schemas = cx->st->schemas;
    cx->st->schemas = NULL;
    struct pxerr err = {0};
    if (fixrun_preview(j->fr, schemas, on_previewed, j, &err) != 0) {
        act__report(cx, ACT_ERROR, "cannot prepare %s: %s", j->what, err.msg);
        job_free(j);
        return R_NONE;
    }
    act__report(cx, ACT_INFO, "preparing: %s ...", j->what);
    return R_REDRAW;
}

/* ---- the console's own writes: the changes the write verbs make, through the same runner */

/* Refuse (read-only, replay) or preview fx (its strings freed here) and ask. */
static unsigned
write_fix(struct act_ctx *cx, const struct act_def *def, struct m_fix *fx)
{
    char w[1600];
    snprintf(w, sizeof w, "%s in %s", fx->what, fx->cluster);
    unsigned r = act__refuse_write(cx, w) ? R_NONE : job_start(cx, def, fx);
    model_fix_fini(fx);
    return r;
}

/* The Injection and Setup views' label key. */
unsigned
act__start_label(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    struct m_fix fx = {0};
    fixmake_label_ns(&fx, args->cluster, args->ns, true);
    return write_fix(cx, def, &fx);
}

/* The Injection and Setup views' restart key. */
unsigned
act__start_restart(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    struct m_fix fx = {0};
    fixmake_restart_sts(&fx, args->cluster, args->ns, args->name);
    return write_fix(cx, def, &fx);
}

/* The ServiceEntries view's delete key: the preview reads the object and names the channels
 * that lose their source. */
unsigned
act__start_delete_sentry(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    struct m_fix fx = {0};
    fixmake_delete_sentry(&fx, args->cluster, args->ns, args->name);
    return write_fix(cx, def, &fx);
}

/* The ServiceEntries view's "create the missing ServiceEntry": the fix the doctor gives
 * SE_MISSING, made from the view's names (the mesh rule's endpoints, the generator, the
 * apply pipeline's dry run and diff). */
unsigned
act__start_create_sentry(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    struct m_fix fx = {0};
    fixmake_apply_sentry(&fx, args->cluster, args->ns, args->pxc, args->source, NULL, NULL);
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "pxcmesh generate serviceentry --name %s --namespace %s --remote-cluster %s "
             "--endpoints-from-cluster %s --context %s | pxcmesh apply -f - --context %s --yes",
             args->pxc, args->ns, args->source, args->source, args->source, args->cluster);
    model_fix_set(&fx.command, cmd);
    return write_fix(cx, def, &fx);
}

unsigned
act__start_copy_text(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    (void)def;
    if (args->text == NULL || args->text[0] == '\0') {
        act__report(cx, ACT_WARN, "nothing to copy%s%s", args->what ? ": " : "",
                    args->what ? args->what : "");
        return R_NONE;
    }
    cx->copy(cx->host, args->text);
    act__report(cx, ACT_INFO, "copied to the clipboard: %s", args->text);
    return R_REDRAW;
}

void
act__fix_stop(struct act_state *st)
{
    while (st->fixes.n > 0) {
        struct fix_job *j = vec_take(&st->fixes, st->fixes.n - 1);
        fixrun_free(j->fr);
        free(j);
    }
}
