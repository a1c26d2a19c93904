/* kube_inf_list: an informer's LIST, page by page (?limit=500, then each continue token).
 * The page is streamed: as its bytes arrive, the LIST decoder (kube_list.c) cuts out each
 * complete item and adds its bytes to a batch. A batch goes to a libuv worker when it holds
 * LIST_BATCH_BYTES and no other batch of the informer is being decoded, so batches are
 * decoded and committed in order, one at a time per informer. The worker parses each item
 * on its own (JSON, then the sink's parse hook, e.g. a pod reduced to the few fields the
 * model keeps, its tree freed at once) and takes its key; the loop then commits the batch
 * to the sink and records the keys. When the worker falls behind the network the transfer
 * is paused (HTTP_DATA_PAUSE) rather than the page buffered. The next page is requested
 * after the last batch is committed, so the loop is free between pages.
 *
 * It deliberately keeps no page whole: only the unfinished item and one batch per informer
 * are held. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

#define LIST_BATCH_BYTES (256u << 10) /* items per worker batch: about 13 injected pods */

/* A batch of a LIST page's items, decoded on a worker. The last batch of a page carries the
 * page's continue token and resourceVersion. */
struct kube_page {
    uv_work_t work;
    struct kube_inf *inf; /* NULL: orphaned (client freed); the job frees itself */
    const struct kube_sink_res *sink; /* the informer's hooks, NULL: count only */
    struct strbuf items;  /* the items' bytes, back to back */
    size_t *lens;         /* each item's length */
    size_t n_lens, cap_lens;
    bool final;           /* the page's last batch */
    bool discard;         /* the list failed meanwhile: apply nothing */
    /* results */
    void **objs;          /* the sink's items (NULL each when the sink does not commit) */
    size_t n_objs, cap_objs;
    struct strbuf keys;   /* each object's key, NUL-terminated, in the order of objs */
    int n_bad;            /* items that failed to parse */
    struct pxerr first_bad;
    char *cont;           /* metadata.continue, NULL: last page */
    char rv[64];
    struct kube_page *next; /* kc->jobs */
};

static const char *
json_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static bool
sink_commits(const struct kube_sink_res *s)
{
    return s != NULL && s->commit != NULL;
}

/* Any thread: free one item of the sink's. */
static void
item_free(const struct kube_sink_res *s, void *item)
{
    if (s->parse == NULL)
        json_decref(item);
    else if (s->free)
        s->free(item);
    else
        free(item);
}

void
kube__inf_list_page_free(struct kube_page *job)
{
    strbuf_fini(&job->items);
    free(job->lens);
    for (size_t i = 0; i < job->n_objs; i++)
        if (job->objs[i])
            item_free(job->sink, job->objs[i]);
    free(job->objs);
    strbuf_fini(&job->keys);
    free(job->cont);
    free(job);
}

static void
job_unlink(struct kube_client *kc, struct kube_page *job)
{
    for (struct kube_page **pp = &kc->jobs; *pp; pp = &(*pp)->next)
        if (*pp == job) {
            *pp = job->next;
            return;
        }
}

void
kube__inf_list_orphan(struct kube_client *kc)
{
    for (struct kube_page *j = kc->jobs; j; j = j->next)
        j->inf = NULL; /* after_parse frees them */
    kc->jobs = NULL;
}

/* ------------------------------------------------------------ the worker */

/* Worker thread: decode one item. Touches nothing but the job. Each item is parsed on its
 * own, so a page never exists as one big tree; what the sink keeps of it is all that stays
 * until the loop commits it. */
static void
push_obj(struct kube_page *job, void *it, const char *key)
{
    if (job->n_objs == job->cap_objs) {
        job->cap_objs = job->cap_objs ? job->cap_objs * 2 : 64;
        job->objs = xreallocarray(job->objs, job->cap_objs, sizeof *job->objs);
    }
    job->objs[job->n_objs++] = it;
    strbuf_appendn(&job->keys, key, strlen(key) + 1);
}

static int
on_page_item(const char *item, size_t len, void *arg)
{
    struct kube_page *job = arg;
    const struct kube_sink_res *s = job->sink;
    char key[512];
    if (sink_commits(s) && s->parse_text) {
        /* The sink's own reading of the text, when it is sure; else the tree below. */
        struct kube_obj_id id;
        void *it = s->parse_text(item, len, &id);
        if (it != NULL) {
            kube__inf_id_key(&id, key, sizeof key);
            push_obj(job, it, key);
            return 0;
        }
    }
    json_error_t je;
    json_t *obj = json_loadb(item, len, 0, &je);
    if (obj == NULL || !json_is_object(obj)) {
        json_decref(obj);
        if (job->n_bad++ == 0)
            pxerr_set(&job->first_bad, PXE_PARSE, "item %zu: %s", job->n_objs,
                      obj ? "not an object" : je.text);
        return 0;
    }
    void *it = NULL;
    if (sink_commits(s)) {
        struct pxerr e;
        it = s->parse ? s->parse(obj, &e) : json_incref(obj);
        if (it == NULL) {
            if (job->n_bad++ == 0)
                job->first_bad = e;
            json_decref(obj);
            return 0;
        }
    }
    kube__inf_obj_key(obj, key, sizeof key);
    push_obj(job, it, key);
    json_decref(obj);
    return 0;
}

static void
work_parse(uv_work_t *w)
{
    struct kube_page *job = w->data;
    size_t at = 0;
    for (size_t k = 0; k < job->n_lens; k++) {
        on_page_item(job->items.s + at, job->lens[k], job);
        at += job->lens[k];
    }
    strbuf_fini(&job->items); /* the bytes are done with: free them on the worker */
}

/* -------------------------------------------------------- back on the loop */

static void job_dispatch(struct kube_inf *inf, struct kube_page *job);

/* The batch waiting on the loop goes to a worker if none is busy and it is worth it. */
static void
batch_maybe_dispatch(struct kube_inf *inf)
{
    struct kube_page *b = inf->batch;
    if (b == NULL || inf->job != NULL || (!b->final && b->items.len < LIST_BATCH_BYTES))
        return;
    inf->batch = NULL;
    job_dispatch(inf, b);
}

/* Commit the decoded items to the sink and remember their keys. */
static void
page_commit(struct kube_inf *inf, struct kube_page *job)
{
    struct kube_client *kc = inf->kc;
    const struct kube_sink_res *s = job->sink;
    bool commits = sink_commits(s);
    if (inf->seen == NULL) {
        inf->seen = xmalloc(sizeof *inf->seen);
        hmap_init(inf->seen);
    }
    if (job->n_bad) {
        kc->n_errors += (uint64_t)job->n_bad;
        log_warn("cluster %s: %d of the %s listed were skipped: %s", kc->name, job->n_bad,
                 kube__inf_what(inf), job->first_bad.msg);
    }
    const char *key = job->keys.s;
    for (size_t i = 0; i < job->n_objs; i++, key += strlen(key) + 1) {
        struct pxerr e;
        if (commits && s->commit(job->objs[i], kc->sink.arg, &e) < 0) {
            kc->n_errors++;
            log_warn("cluster %s: %s", kc->name, e.msg);
            continue;
        }
        kube__inf_key_put(inf, inf->seen, key);
    }
}

static void
after_parse(uv_work_t *w, int status)
{
    struct kube_page *job = w->data;
    struct kube_inf *inf = job->inf;
    (void)status;
    if (inf == NULL) { /* the client went away */
        kube__inf_list_page_free(job);
        return;
    }
    struct kube_client *kc = inf->kc;
    inf->job = NULL;
    job_unlink(kc, job);
    if (job->discard) { /* the list failed while this batch was decoded */
        kube__inf_list_page_free(job);
        if (inf->list_pending) {
            inf->list_pending = false;
            kube__inf_list(inf);
        }
        return;
    }
    page_commit(inf, job);
    if (!job->final) {
        kube__inf_list_page_free(job);
        batch_maybe_dispatch(inf);
        if (inf->list_paused) {
            inf->list_paused = false;
            kube__call_resume(inf->call); /* may feed (and dispatch) more at once */
        }
        return;
    }
    char *cont = job->cont;
    job->cont = NULL;
    char rv[64];
    snprintf(rv, sizeof rv, "%s", job->rv);
    kube__inf_list_page_free(job);
    if (cont) {
        free(inf->cont);
        inf->cont = cont;
        kube__inf_list(inf); /* the next page: the loop is free until it arrives */
        return;
    }
    free(inf->cont);
    inf->cont = NULL;
    kube__inf_list_finished(inf, rv);
}

static void
job_dispatch(struct kube_inf *inf, struct kube_page *job)
{
    struct kube_client *kc = inf->kc;
    job->work.data = job;
    job->next = kc->jobs;
    kc->jobs = job;
    inf->job = job;
    if (uv_queue_work(kc->loop, &job->work, work_parse, after_parse) != 0) {
        /* No thread pool: decode here (slower frames, same result). */
        work_parse(&job->work);
        after_parse(&job->work, 0);
    }
}

static struct kube_page *
inf_batch(struct kube_inf *inf)
{
    if (inf->batch == NULL) {
        inf->batch = xcalloc(1, sizeof *inf->batch);
        inf->batch->inf = inf;
        inf->batch->sink = inf->sink;
        strbuf_init(&inf->batch->items);
        strbuf_init(&inf->batch->keys);
    }
    return inf->batch;
}

void
kube__inf_list_abandon(struct kube_inf *inf)
{
    if (inf->batch) {
        kube__inf_list_page_free(inf->batch);
        inf->batch = NULL;
    }
    if (inf->job)
        inf->job->discard = true;
    free(inf->cont);
    inf->cont = NULL;
    if (inf->seen) {
        hmap_fini(inf->seen);
        free(inf->seen);
        inf->seen = NULL;
    }
}

/* ------------------------------------------------------------- the stream */

/* Loop thread, from the decoder: one item of the page in flight. */
static int
on_list_item(const char *item, size_t len, void *arg)
{
    struct kube_page *b = inf_batch(arg);
    if (b->n_lens == b->cap_lens) {
        b->cap_lens = b->cap_lens ? b->cap_lens * 2 : 32;
        b->lens = xreallocarray(b->lens, b->cap_lens, sizeof *b->lens);
    }
    b->lens[b->n_lens++] = len;
    strbuf_appendn(&b->items, item, len);
    return 0;
}

static int
on_list_data(struct kube_call *call, const char *data, size_t len, void *arg)
{
    struct kube_inf *inf = arg;
    (void)call;
    inf->data_ms = clock_mono_ms();
    if (inf->job != NULL && inf->batch != NULL && inf->batch->items.len >= LIST_BATCH_BYTES) {
        /* The worker is behind the network: hold the transfer rather than the page. */
        inf->list_paused = true;
        return HTTP_DATA_PAUSE;
    }
    if (kube_list_dec_feed(&inf->ldec, data, len, on_list_item, inf, &inf->lerr) != 0)
        return -1; /* on_list_done reports lerr */
    batch_maybe_dispatch(inf);
    return 0;
}

static void
list_parse_failed(struct kube_inf *inf, const struct pxerr *why)
{
    struct pxerr e;
    pxerr_set(&e, PXE_PARSE, "cannot list %s%s%s: %s", kube__inf_what(inf),
              inf->ns ? " in namespace " : "", inf->ns ? inf->ns : "", why->msg);
    kube__inf_list_abandon(inf);
    inf->need_relist = true;
    kube__inf_fail(inf, &e, -1);
}

static void
on_list_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_inf *inf = arg;
    struct kube_client *kc = inf->kc;
    (void)call;
    inf->call = NULL;
    inf->list_paused = false;
    if (inf->lerr.code) {
        struct pxerr why = inf->lerr;
        inf->lerr.code = 0;
        list_parse_failed(inf, &why);
        return;
    }
    if (res->status != 0 || res->code < 200 || res->code >= 300) {
        struct pxerr e;
        kube__http_error(kc, res, "list", kube__inf_what(inf), inf->ns, &e);
        bool cont_expired = res->status == 0 && res->code == 410 && inf->cont;
        kube__inf_list_abandon(inf);
        if (cont_expired) {
            kube__inf_list(inf); /* the continue token expired mid-list: start over, now */
            return;
        }
        kube__inf_fail(inf, &e, res->retry_after_s); /* no answer at all: kube__unreachable */
        return;
    }
    const char *meta;
    size_t meta_len;
    struct pxerr why;
    if (kube_list_dec_finish(&inf->ldec, &meta, &meta_len, &why) != 0) {
        list_parse_failed(inf, &why);
        return;
    }
    struct kube_page *b = inf_batch(inf);
    b->final = true;
    json_t *md = meta ? json_loadb(meta, meta_len, 0, NULL) : NULL;
    const char *cont = json_str(md, "continue");
    b->cont = cont[0] ? xstrdup(cont) : NULL;
    snprintf(b->rv, sizeof b->rv, "%s", json_str(md, "resourceVersion"));
    json_decref(md);
    kube_list_dec_reset(&inf->ldec);
    batch_maybe_dispatch(inf); /* or after the batch being decoded */
}

void
kube__inf_list(struct kube_inf *inf)
{
    struct kube_client *kc = inf->kc;
    if (inf->call) {
        log_debug("cluster %s: list of %s: a request is running", kc->name, kube__inf_what(inf));
        return;
    }
    if (inf->job || inf->batch) { /* a failed list's batch is still being decoded */
        log_debug("cluster %s: list of %s waits for a page being decoded", kc->name,
                  kube__inf_what(inf));
        inf->list_pending = true;
        return;
    }
    struct strbuf p;
    strbuf_init(&p);
    strbuf_appendf(&p, "%s?limit=%d", inf->path, KUBE_PAGE_LIMIT);
    if (inf->cont) {
        strbuf_append(&p, "&continue=");
        kube__urlenc(&p, inf->cont);
    } else {
        kc->n_lists++;
    }
    kube__inf_add_selector(&p, inf);
    kube_list_dec_reset(&inf->ldec);
    inf->lerr.code = 0;
    inf->call_ms = clock_mono_ms();
    inf->data_ms = 0;
    struct kube_call_opts o = {
        .path = p.s, .on_data = on_list_data, .http1 = true, .on_done = on_list_done, .arg = inf};
    struct pxerr e;
    int rc = kube__call(kc, &o, &inf->call, &e);
    strbuf_fini(&p);
    if (rc < 0 && !kc->freeing)
        kube__inf_fail(inf, &e, -1);
}
