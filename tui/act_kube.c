/* act_kube: the console's apply of manifests. It asks only once its preview is done
 * (validation against the CRDs, the live objects read, a server dry run: the question shows
 * the diff, Secret values masked), through the same apply_plan `pxcmesh apply` runs: nothing
 * is applied unless every object passed, and an apply the server refuses midway is reported
 * object by object. (Label, restart and delete go through the fix runner: act_fix.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "act_internal.h"
#include "kube/kube.h"
#include "manifest/apply_plan.h"
#include "manifest/crdreg.h"
#include "model/model.h"

#define ACT_DIALOG_MAX_LINES 60

/* ---- apply: validate, preview, ask, apply ---- */

/* One manifest from the first flash to the outcome; in cx->st->applies meanwhile. */
struct act_apply {
    struct act_ctx *cx;
    char cluster[128], what[512];
    struct apply_plan *plan; /* owned */
};

static void
apply_free(struct act_apply *ap)
{
    struct vec *v = &ap->cx->st->applies;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == ap) {
            vec_take(v, i);
            break;
        }
    apply_plan_free(ap->plan);
    free(ap);
}

/* The preview stopped: why, in the status bar and the event log. */
static void
preview_failed(struct act_apply *ap, const char *why)
{
    act__report(ap->cx, ACT_ERROR, "preview of %s failed: %s", ap->what, why);
    model_event(ap->cx->model, ap->cluster, 1, "console: preview of %s failed: %s", ap->what, why);
    apply_free(ap);
}

static void
on_applied(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
           void *arg)
{
    struct act_apply *ap = arg;
    (void)step, (void)err;
    size_t n = apply_plan_count(p);
    for (size_t i = 0; i < n; i++) {
        const struct apply_item *it = apply_plan_item(p, i);
        if (it->applied)
            model_event(ap->cx->model, ap->cluster, 0, "console: applied %s", it->desc);
    }
    if (status == 0) {
        act__outcome(ap->cx, ap->cluster, true, ap->what, NULL);
    } else {
        /* Midway: what was applied and what was not, object by object. */
        struct strbuf o;
        strbuf_init(&o);
        apply_plan_outcome(p, 0, n, "; ", &o);
        act__outcome(ap->cx, ap->cluster, false, ap->what, o.s);
        strbuf_fini(&o);
    }
    apply_free(ap);
}

static void
on_apply_answer(enum act_answer ans, const char *text, void *arg)
{
    struct act_apply *ap = arg;
    (void)text;
    if (ans != ACT_YES) {
        apply_free(ap);
        return;
    }
    act__report(ap->cx, ACT_INFO, "running: %s ...", ap->what);
    struct pxerr err = {0};
    if (apply_plan_apply(ap->plan, ap->cx->live, ap->cluster, 0, apply_plan_count(ap->plan),
                         on_applied, ap, &err) != 0) {
        act__outcome(ap->cx, ap->cluster, false, ap->what, err.msg);
        apply_free(ap);
    }
}

/* The preview is complete: show the diff and ask; or, when an object failed it, say which
 * (each one in the event log) and apply nothing. */
static void
on_previewed(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
             void *arg)
{
    struct act_apply *ap = arg;
    (void)step;
    if (status != 0) {
        for (size_t i = 0; i < apply_plan_count(p); i++) {
            const struct apply_item *it = apply_plan_item(p, i);
            if (it->error[0] != '\0')
                model_event(ap->cx->model, ap->cluster, 1, "console: %s: %s", it->desc,
                            it->error);
        }
        char why[400];
        snprintf(why, sizeof why, "nothing applied: %s", err->msg);
        preview_failed(ap, why);
        return;
    }
    struct strbuf diff;
    strbuf_init(&diff);
    int n_changed = 0;
    for (size_t i = 0; i < apply_plan_count(p); i++) {
        const struct apply_item *it = apply_plan_item(p, i);
        strbuf_appendf(&diff, "%s %s:\n",
                       !it->exists ? "new" : it->n_changed > 0 ? "changes to" : "unchanged",
                       it->desc);
        strbuf_append(&diff, it->diff);
        if (it->note[0] != '\0')
            strbuf_appendf(&diff, "(%s)\n", it->note);
        n_changed += it->n_changed;
    }
    char head[512];
    snprintf(head, sizeof head,
             "Cluster %s: server-side apply of %zu object(s), field manager " KUBE_FIELD_MANAGER
             ", %d line(s) change (server dry run):",
             ap->cluster, apply_plan_count(p), n_changed);
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = 0;
    lines[n++] = head;
    /* The diff, one line of the question per line (the question copies them). */
    for (char *s = diff.s, *nl; *s != '\0' && n < ACT_DIALOG_MAX_LINES - 1; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    if (n_changed == 0)
        lines[n++] = "No change: the live objects already match.";
    struct act_question q = {act_def(ACT_APPLY)->title, lines, n, "Apply", NULL};
    act__ask(ap->cx, &q, on_apply_answer, ap);
    strbuf_fini(&diff);
}

static void
on_validated(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err,
             void *arg)
{
    struct act_apply *ap = arg;
    struct act_state *st = ap->cx->st;
    /* Keep the schemas for the next apply (another apply may have loaded its own). */
    struct crdreg *schemas = apply_plan_take_schemas(p);
    if (st->schemas == NULL)
        st->schemas = schemas;
    else
        crdreg_free(schemas);
    if (status != 0 && step == APPLY_LOAD_SCHEMAS) {
        act__report(ap->cx, ACT_ERROR, "cannot load the CRD schemas to validate: %s", err->msg);
        apply_free(ap);
        return;
    }
    if (status != 0) {
        char why[400];
        snprintf(why, sizeof why, "not valid against the CRD schema: %s", err->msg);
        preview_failed(ap, why);
        return;
    }
    act__report(ap->cx, ACT_INFO, "previewing: %s (server dry run) ...", ap->what);
    struct pxerr e = {0};
    if (apply_plan_preview(p, ap->cx->live, ap->cluster, 0, apply_plan_count(p), on_previewed, ap,
                           &e) != 0)
        preview_failed(ap, e.msg);
}

unsigned
act__start_apply(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    (void)def;
    const char *what = args->what != NULL ? args->what : "manifests";
    if (strncmp(what, "apply ", 6) == 0) /* the setup's fix texts start with the verb */
        what += 6;
    char w[384];
    snprintf(w, sizeof w, "apply %s to %s", what, args->cluster);
    if (act__refuse_write(cx, w))
        return R_NONE;
    if (args->docs == NULL || json_array_size(args->docs) == 0) {
        act__report(cx, ACT_WARN, "%s: nothing to apply", w);
        return R_NONE;
    }
    if (act__client(cx, args->cluster, w) == NULL)
        return R_NONE;
    struct act_apply *ap = xcalloc(1, sizeof *ap);
    ap->cx = cx;
    snprintf(ap->cluster, sizeof ap->cluster, "%s", args->cluster);
    snprintf(ap->what, sizeof ap->what, "%s", w);
    ap->plan = apply_plan_new(cx->loop, args->docs, &(struct apply_opts){.context = 2});
    vec_push(&cx->st->applies, ap);
    /* The schemas (about 1 MB of YAML) are parsed once, off the loop, then kept. */
    struct crdreg *schemas = cx->st->schemas;
    cx->st->schemas = NULL;
    if (schemas == NULL)
        act__report(cx, ACT_INFO, "loading the CRD schemas to validate %s ...", what);
    struct pxerr err = {0};
    if (apply_plan_validate(ap->plan, schemas, on_validated, ap, &err) != 0) {
        act__report(cx, ACT_ERROR, "%s: %s", w, err.msg);
        apply_free(ap);
    }
    return R_NONE;
}

void
act__kube_stop(struct act_state *st)
{
    while (st->applies.n > 0) {
        struct act_apply *ap = vec_take(&st->applies, st->applies.n - 1);
        apply_plan_free(ap->plan);
        free(ap);
    }
}
