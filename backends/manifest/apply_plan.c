/* apply_plan: the steps of an apply as a small state machine over the plan's objects:
 *
 *   validate (worker: load schemas, crdreg_validate each) ──cb──▶
 *   preview [from, to): for each object  GET live ─▶ dry-run apply ─▶ diff ──cb──▶
 *   apply [from, to):   for each object  apply ──cb──▶
 *
 * One request is in flight at a time, and the client is looked up by name before each
 * one. It never asks, prints or decides: the caller shows the diffs and says whether to
 * apply. The diff compares the live object projected onto the fields the manifest sets
 * against the dry run's answer projected the same way, so server-filled fields (status,
 * defaults, managedFields) never show as changes. */
#include "manifest/apply_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "codec/yamlout.h"
#include "kube/kube.h"
#include "kube/kube_get_obj.h"
#include "live/live.h"
#include "manifest/crdreg.h"
#include "manifest/ydiff.h"

struct plan_item {
    struct apply_item pub;
    char *diff; /* owned; pub.diff points here once previewed */
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
    size_t idx, to;
    struct live *lv; /* borrowed for the step */
    char cluster[128];
    struct kube_req *req;       /* the request in flight, NULL none */
    struct kube_client *req_kc; /* the client it runs on */
    json_t *live_proj;          /* owned: the live object of items[idx] projected, NULL when new */
    apply_plan_cb *cb;
    void *arg;

    /* The validation on a worker. The worker alone touches docs and schemas meanwhile. */
    uv_work_t work;
    bool working;
    bool freed; /* apply_plan_free ran while working: after_work frees */
    int work_rc;
    enum apply_step work_step;
    struct pxerr work_err;
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
    for (size_t i = 0; i < p->n; i++) {
        struct apply_item *it = &p->items[i].pub;
        it->doc = json_array_get(p->docs, i);
        it->diff = "";
        obj_desc(it->doc, it->desc, sizeof it->desc);
    }
    p->work.data = p;
    return p;
}

static void
plan_release(struct apply_plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i].diff);
    free(p->items);
    json_decref(p->live_proj);
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

/* The step is over: the callback is the last thing that touches p (it may free it). */
static void
finish(struct apply_plan *p, int status, enum apply_step step, const struct pxerr *err)
{
    apply_plan_cb *cb = p->cb;
    void *arg = p->arg;
    p->busy = false;
    p->cb = NULL;
    json_decref(p->live_proj);
    p->live_proj = NULL;
    if (cb != NULL)
        cb(p, status, step, status != 0 ? err : NULL, arg);
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
    for (size_t i = 0; i < p->n && p->work_rc == 0; i++)
        p->work_rc = crdreg_validate(p->schemas, p->items[i].pub.doc, &p->work_err);
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
    finish(p, p->work_rc, p->work_step, &p->work_err);
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

/* Start the request for the current object, or finish when there is none left. A start
 * that fails inside the chain ends the step through the callback. */
static void
next(struct apply_plan *p)
{
    if (p->idx >= p->to) {
        finish(p, 0, p->step == APPLY_APPLY ? APPLY_APPLY : APPLY_DRY_RUN, NULL);
        return;
    }
    struct pxerr err = {0};
    int rc = request(p, &err);
    if (rc != 0)
        finish(p, rc, p->step, &err);
}

static void
preview_done(struct apply_plan *p, json_t *answer)
{
    struct plan_item *pi = &p->items[p->idx];
    const json_t *doc = pi->pub.doc;
    json_t *after = answer != NULL ? ydiff_project(answer, doc) : NULL;
    struct strbuf before_y, after_y, d;
    strbuf_init(&before_y);
    strbuf_init(&after_y);
    strbuf_init(&d);
    if (p->live_proj != NULL)
        yamlout_yaml(p->live_proj, &before_y);
    yamlout_yaml(after != NULL ? after : doc, &after_y);
    pi->pub.n_changed = ydiff_lines(before_y.s, after_y.s, p->context, &d);
    pi->pub.exists = p->live_proj != NULL;
    free(pi->diff);
    pi->diff = strbuf_detach(&d);
    pi->pub.diff = pi->diff;
    pi->pub.previewed = true;
    strbuf_fini(&before_y);
    strbuf_fini(&after_y);
    json_decref(after);
    json_decref(p->live_proj);
    p->live_proj = NULL;
}

static void
on_resp(int status, long code, json_t *body, const struct pxerr *rerr, void *arg)
{
    struct apply_plan *p = arg;
    (void)code;
    p->req = NULL;
    struct plan_item *pi = &p->items[p->idx];
    const json_t *doc = pi->pub.doc;
    const char *why = rerr != NULL && rerr->msg[0] != '\0' ? rerr->msg : NULL;
    struct pxerr err = {0};
    switch (p->step) {
    case APPLY_READ_LIVE:
        if (status != 0 && status != PXE_NOTFOUND) {
            pxerr_set(&err, status, "%s: %s", pi->pub.desc, why ? why : "cannot read it");
            finish(p, status, APPLY_READ_LIVE, &err);
            return;
        }
        p->live_proj = status == 0 && body != NULL ? ydiff_project(body, doc) : NULL;
        p->step = APPLY_DRY_RUN;
        break;
    case APPLY_DRY_RUN:
        if (status != 0) {
            pxerr_set(&err, status, "%s: the server refuses it (dry run): %s", pi->pub.desc,
                      why ? why : "no reason given");
            finish(p, status, APPLY_DRY_RUN, &err);
            return;
        }
        preview_done(p, body);
        p->idx++;
        p->step = APPLY_READ_LIVE;
        break;
    case APPLY_APPLY:
        if (status != 0) {
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
    struct plan_item *pi = &p->items[p->idx];
    struct kube_client *kc = p->lv != NULL ? live_client(p->lv, p->cluster) : NULL;
    if (kc == NULL)
        return pxerr_set(err, PXE_NOTFOUND,
                         "%s: cluster '%s' has no API client (not configured, dropped, or its "
                         "context did not resolve)",
                         pi->pub.desc, p->cluster);
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
        return pxerr_set(err, rc, "%s: %s", pi->pub.desc, e.msg);
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

static int
run(struct apply_plan *p, enum apply_step step, struct live *lv, const char *cluster, size_t from,
    size_t to, apply_plan_cb *cb, void *arg, struct pxerr *err)
{
    if (to > p->n)
        to = p->n;
    if (from >= to)
        return pxerr_set(err, PXE_INVAL, "no object in [%zu, %zu) of %zu", from, to, p->n);
    int rc = begin(p, step, cb, arg, err);
    if (rc != 0)
        return rc;
    p->lv = lv;
    snprintf(p->cluster, sizeof p->cluster, "%s", cluster);
    p->idx = from;
    p->to = to;
    rc = request(p, err);
    if (rc != 0) {
        p->busy = false;
        p->cb = NULL;
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
