/* apply_plan: the steps of an apply as a small state machine over the plan's objects:
 *
 *   validate (worker: load schemas, crdreg_validate each) ──cb──▶
 *   preview [from, to): for each object  GET live ─▶ dry-run apply ─▶ diff ──cb──▶
 *   apply [from, to):   for each new or changed object  apply ──cb──▶
 *
 * One request is in flight at a time, and the client is looked up by name before each
 * one. It never asks, prints or decides: the caller shows the diffs and says whether to
 * apply; the plan only refuses to apply what did not pass. Validation and preview go on
 * past an object that fails (each object keeps its own error) so that one run names every
 * problem; the apply stops at the first refusal, since what follows may depend on it. */
#include "manifest/apply_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/kube.h"
#include "kube/kube_get_obj.h"
#include "live/live.h"
#include "manifest/crdreg.h"
#include "manifest/ydiff.h"

#define FIELD_MANAGER "pxcmesh" /* kube_apply's fieldManager */

struct plan_item {
    struct apply_item pub;
    char *diff;  /* owned; pub.diff points here once previewed */
    char *note;  /* owned or NULL */
    char *error; /* owned or NULL */
    int error_code;
};

struct apply_plan {
    uv_loop_t *loop; /* borrowed */
    unsigned flags;
    int context;
    json_t *docs; /* owned copy */
    struct plan_item *items;
    size_t n;
    struct crdreg *schemas; /* owned; NULL until given or loaded */

    /* The step in flight. */
    bool busy;
    enum apply_step step;
    size_t from, idx, to;
    struct live *lv; /* borrowed for the step */
    char cluster[128];
    struct kube_req *req;       /* the request in flight, NULL none */
    struct kube_client *req_kc; /* the client it runs on */
    json_t *live;               /* owned: the live object of items[idx], NULL when new */
    apply_plan_cb *cb;
    void *arg;

    /* The validation on a worker. The worker alone touches docs, schemas and work_errs
     * meanwhile. */
    uv_work_t work;
    bool working;
    bool freed; /* apply_plan_free ran while working: after_work frees */
    int work_rc;
    enum apply_step work_step;
    struct pxerr work_err;   /* loading the schemas */
    struct pxerr *work_errs; /* one per object: code 0 valid */
};

static void
obj_desc(const json_t *o, char *buf, size_t n)
{
    json_t *md = json_object_get(o, "metadata");
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *name = json_string_value(json_object_get(md, "name"));
    snprintf(buf, n, "%s %s%s%s", kind ? kind : "?", ns ? ns : "", ns ? "/" : "",
             name ? name : "?");
}

struct apply_plan *
apply_plan_new(uv_loop_t *loop, const json_t *docs, const struct apply_opts *o)
{
    struct apply_plan *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    p->flags = o != NULL ? o->flags : 0;
    p->context = o != NULL ? o->context : 3;
    p->docs = json_is_array(docs) ? json_deep_copy(docs) : json_array();
    p->n = json_array_size(p->docs);
    p->items = xcalloc(p->n > 0 ? p->n : 1, sizeof *p->items);
    p->work_errs = xcalloc(p->n > 0 ? p->n : 1, sizeof *p->work_errs);
    for (size_t i = 0; i < p->n; i++) {
        struct apply_item *it = &p->items[i].pub;
        it->doc = json_array_get(p->docs, i);
        it->diff = "";
        it->note = "";
        it->error = "";
        obj_desc(it->doc, it->desc, sizeof it->desc);
    }
    p->work.data = p;
    return p;
}

static void
plan_release(struct apply_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].diff);
        free(p->items[i].note);
        free(p->items[i].error);
    }
    free(p->items);
    free(p->work_errs);
    json_decref(p->live);
    json_decref(p->docs);
    crdreg_free(p->schemas);
    free(p);
}

void
apply_plan_free(struct apply_plan *p)
{
    if (p == NULL)
        return;
    /* A dropped cluster's client cancelled its requests when it went (without callback):
     * cancel only a request whose client is still the cluster's. */
    if (p->req != NULL && p->lv != NULL && live_client(p->lv, p->cluster) == p->req_kc)
        kube_req_cancel(p->req);
    p->req = NULL;
    p->cb = NULL;
    if (p->working) { /* a uv work request cannot be taken back: drop it when it ends */
        p->freed = true;
        return;
    }
    plan_release(p);
}

size_t
apply_plan_count(const struct apply_plan *p)
{
    return p->n;
}

const struct apply_item *
apply_plan_item(const struct apply_plan *p, size_t i)
{
    return i < p->n ? &p->items[i].pub : NULL;
}

struct crdreg *
apply_plan_take_schemas(struct apply_plan *p)
{
    if (p->busy)
        return NULL;
    struct crdreg *r = p->schemas;
    p->schemas = NULL;
    return r;
}

static void
item_set_error(struct plan_item *pi, enum apply_step step, int code, const char *why)
{
    /* A validation error stays until the next validation: the preview and the apply
     * must not hide it. */
    if (step != APPLY_VALIDATE && pi->error != NULL && pi->pub.failed_at == APPLY_VALIDATE)
        return;
    pi->error_code = why != NULL ? (code != 0 ? code : PXE_INVAL) : 0;
    free(pi->error);
    pi->error = why != NULL ? xstrdup(why) : NULL;
    pi->pub.error = pi->error != NULL ? pi->error : "";
    pi->pub.failed_at = step;
}

static void
item_set_note(struct plan_item *pi, char *note)
{
    free(pi->note);
    pi->note = note;
    pi->pub.note = note != NULL ? note : "";
}

/* The step is over: the callback is the last thing that touches p (it may free it). */
static void
finish(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err)
{
    apply_plan_cb *cb = p->cb;
    void *arg = p->arg;
    p->busy = false;
    p->cb = NULL;
    json_decref(p->live);
    p->live = NULL;
    if (cb != NULL)
        cb(p, status, step, status != 0 ? err : NULL, arg);
}

/* A step that went through every object of [from, to): 0, or the first failure and
 * how many failed. */
static void
finish_all(struct apply_plan *p, const char *what)
{
    size_t n_failed = 0, first = p->to;
    for (size_t i = p->from; i < p->to; i++)
        if (p->items[i].error != NULL) {
            n_failed++;
            if (first == p->to)
                first = i;
        }
    if (n_failed == 0) {
        finish(p, 0, p->step == APPLY_VALIDATE ? APPLY_VALIDATE : APPLY_DRY_RUN, NULL);
        return;
    }
    const struct apply_item *it = &p->items[first].pub;
    struct pxerr err = {0};
    /* A validation error names the object already ("ServiceEntry b: spec..."). */
    const char *sep = it->failed_at == APPLY_VALIDATE ? "" : ": ";
    const char *desc = it->failed_at == APPLY_VALIDATE ? "" : it->desc;
    int rc = p->items[first].error_code;
    if (n_failed == 1)
        pxerr_set(&err, rc, "%s%s%s", desc, sep, it->error);
    else
        pxerr_set(&err, rc, "%zu of %zu objects %s; first: %s%s%s", n_failed, p->to - p->from,
                  what, desc, sep, it->error);
    finish(p, rc, it->failed_at, &err);
}

static int begin(struct apply_plan *p, enum apply_step step, apply_plan_cb *cb, void *arg,
                 struct pxerr *err);

/* ---- validation, on a worker ---- */

static void
validate_work(uv_work_t *w)
{
    struct apply_plan *p = w->data;
    p->work_rc = 0;
    if (p->schemas == NULL) {
        p->work_step = APPLY_LOAD_SCHEMAS;
        p->work_rc = crdreg_load(NULL, &p->schemas, &p->work_err);
        if (p->work_rc != 0)
            return;
    }
    p->work_step = APPLY_VALIDATE;
    for (size_t i = 0; i < p->n; i++) {
        p->work_errs[i].code = crdreg_validate(p->schemas, p->items[i].pub.doc, &p->work_errs[i]);
        if (p->work_errs[i].code != 0 && p->work_rc == 0)
            p->work_rc = p->work_errs[i].code;
    }
}

static void
validate_after(uv_work_t *w, int status)
{
    struct apply_plan *p = w->data;
    p->working = false;
    if (p->freed) {
        plan_release(p);
        return;
    }
    if (status != 0) {
        struct pxerr err = {0};
        pxerr_set(&err, PXE_INTERNAL, "validation did not run: %s", uv_strerror(status));
        finish(p, PXE_INTERNAL, APPLY_VALIDATE, &err);
        return;
    }
    if (p->work_step == APPLY_LOAD_SCHEMAS) {
        finish(p, p->work_rc, APPLY_LOAD_SCHEMAS, &p->work_err);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        struct plan_item *pi = &p->items[i];
        pi->pub.valid = p->work_errs[i].code == 0;
        item_set_error(pi, APPLY_VALIDATE, p->work_errs[i].code,
                       pi->pub.valid ? NULL : p->work_errs[i].msg);
    }
    p->from = 0;
    p->to = p->n;
    finish_all(p, "are not valid");
}

int
apply_plan_validate(struct apply_plan *p, struct crdreg *schemas, apply_plan_cb *cb, void *arg,
                    struct pxerr *err)
{
    if (p->busy) {
        crdreg_free(schemas);
        return pxerr_set(err, PXE_INVAL, "the plan is busy with another step");
    }
    if (schemas != NULL) {
        crdreg_free(p->schemas);
        p->schemas = schemas;
    }
    int rc = begin(p, APPLY_VALIDATE, cb, arg, err);
    if (rc != 0)
        return rc;
    memset(&p->work_err, 0, sizeof p->work_err);
    memset(p->work_errs, 0, (p->n > 0 ? p->n : 1) * sizeof *p->work_errs);
    rc = uv_queue_work(p->loop, &p->work, validate_work, validate_after);
    if (rc != 0) {
        p->busy = false;
        return pxerr_set(err, PXE_INTERNAL, "cannot start the validation: %s", uv_strerror(rc));
    }
    p->working = true;
    return 0;
}

/* ---- preview and apply, one request at a time ---- */

static int request(struct apply_plan *p, struct pxerr *err);

static bool
needs_apply(const struct apply_item *it)
{
    return !it->previewed || !it->exists || it->n_changed > 0;
}

/* Start the request for the current object; past the end, or at an apply's first failure,
 * finish. Objects a preview cannot even ask about (no client) fail one by one. */
static void
next(struct apply_plan *p)
{
    for (;;) {
        if (p->idx >= p->to) {
            if (p->step == APPLY_APPLY)
                finish(p, 0, APPLY_APPLY, NULL);
            else
                finish_all(p, "failed the preview");
            return;
        }
        struct plan_item *pi = &p->items[p->idx];
        if (p->step == APPLY_APPLY && !needs_apply(&pi->pub)) {
            pi->pub.skipped = true;
            p->idx++;
            continue;
        }
        struct pxerr err = {0};
        int rc = request(p, &err);
        if (rc == 0)
            return;
        item_set_error(pi, p->step, rc, err.msg);
        if (p->step == APPLY_APPLY) {
            struct pxerr e = {0};
            pxerr_set(&e, rc, "%s: %s", pi->pub.desc, err.msg);
            finish(p, rc, APPLY_APPLY, &e);
            return;
        }
        p->idx++;
        p->step = APPLY_READ_LIVE;
    }
}

static void
preview_done(struct apply_plan *p, const json_t *answer)
{
    struct plan_item *pi = &p->items[p->idx];
    struct strbuf d;
    strbuf_init(&d);
    pi->pub.n_changed =
        ydiff_apply(p->live, answer, pi->pub.doc, FIELD_MANAGER, p->context, &d);
    pi->pub.exists = p->live != NULL;
    free(pi->diff);
    pi->diff = strbuf_detach(&d);
    pi->pub.diff = pi->diff;
    pi->pub.previewed = true;
    json_decref(p->live);
    p->live = NULL;
}

/* A dry run refused because the object's namespace does not exist, while a new Namespace
 * earlier in the plan creates it: the server cannot say more before that apply. */
static const char *
namespace_made_here(const struct apply_plan *p, const char *why)
{
    const json_t *doc = p->items[p->idx].pub.doc;
    const char *ns = json_string_value(json_object_get(json_object_get(doc, "metadata"),
                                                       "namespace"));
    if (ns == NULL || why == NULL)
        return NULL;
    char want[200];
    snprintf(want, sizeof want, "namespaces \"%s\" not found", ns);
    if (strstr(why, want) == NULL)
        return NULL;
    for (size_t j = p->from; j < p->idx; j++) {
        const struct apply_item *it = &p->items[j].pub;
        const char *kind = json_string_value(json_object_get(it->doc, "kind"));
        const char *name = json_string_value(json_object_get(json_object_get(it->doc, "metadata"),
                                                             "name"));
        if (kind != NULL && name != NULL && strcmp(kind, "Namespace") == 0 &&
            strcmp(name, ns) == 0 && it->previewed && !it->exists && it->error[0] == '\0')
            return ns;
    }
    return NULL;
}

static void
on_resp(int status, long code, json_t *body, const struct pxerr *rerr, void *arg)
{
    struct apply_plan *p = arg;
    (void)code;
    p->req = NULL;
    struct plan_item *pi = &p->items[p->idx];
    const char *why = rerr != NULL && rerr->msg[0] != '\0' ? rerr->msg : NULL;
    switch (p->step) {
    case APPLY_READ_LIVE:
        if (status != 0 && status != PXE_NOTFOUND) {
            char msg[300];
            snprintf(msg, sizeof msg, "cannot read the live object: %s",
                     why ? why : "no reason given");
            item_set_error(pi, APPLY_READ_LIVE, status, msg);
            p->idx++;
            break;
        }
        json_decref(p->live);
        p->live = status == 0 && body != NULL ? json_incref(body) : NULL;
        p->step = APPLY_DRY_RUN;
        break;
    case APPLY_DRY_RUN: {
        const char *ns = status == PXE_NOTFOUND ? namespace_made_here(p, why) : NULL;
        if (status != 0 && ns == NULL) {
            char msg[300];
            snprintf(msg, sizeof msg, "the server refuses it (dry run): %s",
                     why ? why : "no reason given");
            item_set_error(pi, APPLY_DRY_RUN, status, msg);
            json_decref(p->live);
            p->live = NULL;
        } else {
            preview_done(p, status == 0 ? body : NULL);
            if (ns != NULL)
                item_set_note(pi, xasprintf("not dry-run: its namespace %s is created by this "
                                            "apply first; the diff is the manifest's",
                                            ns));
        }
        p->idx++;
        p->step = APPLY_READ_LIVE;
        break;
    }
    case APPLY_APPLY:
        if (status != 0) {
            item_set_error(pi, APPLY_APPLY, status, why ? why : "refused");
            struct pxerr err = {0};
            pxerr_set(&err, status, "%s: %s", pi->pub.desc, why ? why : "refused");
            finish(p, status, APPLY_APPLY, &err);
            return;
        }
        pi->pub.applied = true;
        p->idx++;
        break;
    default:
        break;
    }
    next(p);
}

static int
request(struct apply_plan *p, struct pxerr *err)
{
    struct kube_client *kc = p->lv != NULL ? live_client(p->lv, p->cluster) : NULL;
    if (kc == NULL)
        return pxerr_set(err, PXE_NOTFOUND,
                         "cluster '%s' has no API client (not configured, dropped, or its "
                         "context did not resolve)",
                         p->cluster);
    json_t *doc = json_array_get(p->docs, p->idx);
    p->req_kc = kc;
    unsigned force = (p->flags & APPLY_FORCE) ? KUBE_FORCE : 0;
    struct pxerr e = {0};
    int rc;
    if (p->step == APPLY_READ_LIVE)
        rc = kube_get_obj(kc, doc, on_resp, p, &p->req, &e);
    else if (p->step == APPLY_DRY_RUN)
        rc = kube_apply(kc, doc, KUBE_DRY_RUN | force, on_resp, p, &p->req, &e);
    else
        rc = kube_apply(kc, doc, force, on_resp, p, &p->req, &e);
    if (rc != 0)
        return pxerr_set(err, rc, "%s", e.msg);
    return 0;
}

static int
begin(struct apply_plan *p, enum apply_step step, apply_plan_cb *cb, void *arg, struct pxerr *err)
{
    if (p->busy)
        return pxerr_set(err, PXE_INVAL, "the plan is busy with another step");
    p->busy = true;
    p->step = step;
    p->cb = cb;
    p->arg = arg;
    return 0;
}

/* Why [from, to) may not be applied, or NULL: every object must have passed the
 * validation and the preview. */
static int
refuse_apply(const struct apply_plan *p, size_t from, size_t to, struct pxerr *err)
{
    for (size_t i = from; i < to; i++) {
        const struct apply_item *it = &p->items[i].pub;
        if (it->error[0] != '\0' && it->failed_at != APPLY_APPLY)
            return pxerr_set(err, PXE_INVAL, "nothing applied: %s%s%s",
                             it->failed_at == APPLY_VALIDATE ? "" : it->desc,
                             it->failed_at == APPLY_VALIDATE ? "" : ": ", it->error);
        if (!it->valid)
            return pxerr_set(err, PXE_INVAL,
                             "nothing applied: %s has not been validated against its schema",
                             it->desc);
        if (!it->previewed)
            return pxerr_set(err, PXE_INVAL,
                             "nothing applied: %s has not been previewed (server dry run)",
                             it->desc);
    }
    return 0;
}

static int
run(struct apply_plan *p, enum apply_step step, struct live *lv, const char *cluster, size_t from,
    size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err)
{
    if (to > p->n)
        to = p->n;
    if (from >= to)
        return pxerr_set(err, PXE_INVAL, "no object in [%zu, %zu) of %zu", from, to, p->n);
    if (p->busy)
        return pxerr_set(err, PXE_INVAL, "the plan is busy with another step");
    int rc = step == APPLY_APPLY ? refuse_apply(p, from, to, err) : 0;
    if (rc != 0)
        return rc;
    for (size_t i = from; i < to; i++) {
        struct plan_item *pi = &p->items[i];
        if (step == APPLY_APPLY) {
            pi->pub.applied = pi->pub.skipped = false;
            item_set_error(pi, APPLY_APPLY, 0, NULL);
        } else {
            pi->pub.previewed = false;
            item_set_error(pi, APPLY_READ_LIVE, 0, NULL);
            item_set_note(pi, NULL);
        }
    }
    rc = begin(p, step, cb, arg, err);
    if (rc != 0)
        return rc;
    p->lv = lv;
    snprintf(p->cluster, sizeof p->cluster, "%s", cluster);
    p->from = p->idx = from;
    p->to = to;
    /* The first request is started here so that a cluster without a client is refused at
     * once, without callback, as a busy plan is. */
    while (p->idx < p->to && step == APPLY_APPLY && !needs_apply(&p->items[p->idx].pub)) {
        p->items[p->idx].pub.skipped = true;
        p->idx++;
    }
    if (p->idx >= p->to) { /* nothing to write: done, through the loop as usual */
        next(p);
        return 0;
    }
    rc = request(p, err);
    if (rc != 0) {
        p->busy = false;
        p->cb = NULL;
        char what[sizeof err->msg];
        snprintf(what, sizeof what, "%s", err->msg);
        if (step == APPLY_APPLY)
            item_set_error(&p->items[p->idx], APPLY_APPLY, rc, what);
        pxerr_set(err, rc, "%s: %s", p->items[p->idx].pub.desc, what);
    }
    return rc;
}

int
apply_plan_preview(struct apply_plan *p, struct live *lv, const char *cluster, size_t from,
                   size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err)
{
    return run(p, APPLY_READ_LIVE, lv, cluster, from, to, cb, arg, err);
}

int
apply_plan_apply(struct apply_plan *p, struct live *lv, const char *cluster, size_t from, size_t to,
                 apply_plan_cb *cb, void *arg, struct pxerr *err)
{
    return run(p, APPLY_APPLY, lv, cluster, from, to, cb, arg, err);
}

void
apply_plan_outcome(const struct apply_plan *p, size_t from, size_t to, const char *sep,
                   struct strbuf *out)
{
    if (to > p->n)
        to = p->n;
    size_t n_applied = 0;
    for (size_t i = from; i < to; i++)
        n_applied += p->items[i].pub.applied;
    strbuf_appendf(out, "applied %zu of %zu:", n_applied, to > from ? to - from : 0);
    for (size_t i = from; i < to; i++) {
        const struct apply_item *it = &p->items[i].pub;
        strbuf_append(out, i > from || strchr(sep, '\n') != NULL ? sep : " ");
        strbuf_append(out, it->desc);
        if (it->applied)
            strbuf_append(out, " applied");
        else if (it->skipped)
            strbuf_append(out, " unchanged");
        else if (it->error[0] != '\0' && it->failed_at == APPLY_APPLY)
            strbuf_appendf(out, " NOT applied: %s", it->error);
        else
            strbuf_append(out, " not attempted");
    }
}
