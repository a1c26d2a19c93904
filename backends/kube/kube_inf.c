/* kube_inf: the informers. An informer is client-go's reflector cut down to what a console
 * needs:
 *   LIST (pages of 500, continue tokens; kube_inf_list.c) -> each page committed to the sink
 *   -> the set of keys seen replaces the previous one (objects missing are removed) -> WATCH
 *   from the list's resourceVersion with bookmarks and a random timeoutSeconds in
 *   [300, 600] -> each event handed to the sink at once -> stream ends: WATCH again from the
 *   last version seen; 410 Gone (HTTP or ERROR event): LIST from scratch; any other failure:
 *   the error goes to the sink in words and the informer retries after a jittered
 *   exponential backoff (Retry-After is a floor).
 * Watch events are small and are parsed and committed on the loop as they arrive.
 *
 * What an informer keeps: a hash set of "ns/name" keys (the relist diff needs it), nothing
 * else. What an object means is the sink's business (kube.h: struct kube_sink). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "clock.h"
#include "log.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

#define WATCH_IDLE_S 120 /* no byte for this long: quietly re-watch (servers bookmark ~1/min) */
#define KEY_SEEN ((void *)1) /* the value of every key set entry */

static void inf_watch(struct kube_inf *inf);

static const char *
json_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

void
kube__inf_obj_key(json_t *obj, char *buf, size_t n)
{
    json_t *md = json_object_get(obj, "metadata");
    const char *ns = json_str(md, "namespace");
    if (ns[0])
        snprintf(buf, n, "%s/%s", ns, json_str(md, "name"));
    else
        snprintf(buf, n, "%s", json_str(md, "name"));
}

void
kube__inf_id_key(const struct kube_obj_id *id, char *buf, size_t n)
{
    if (id->ns_len)
        snprintf(buf, n, "%.*s/%.*s", (int)id->ns_len, id->ns, (int)id->name_len, id->name);
    else
        snprintf(buf, n, "%.*s", (int)id->name_len, id->name);
}

const char *
kube__inf_what(const struct kube_inf *inf)
{
    return inf->res == KUBE_RES_ISTIOD ? "pods (app=istiod)" : kube_res_name(inf->res);
}

/* ------------------------------------------------------------------- keys */

void
kube__inf_key_put(struct kube_inf *inf, struct hmap *set, const char *key)
{
    if (set != &inf->keys)
        hmap_put(set, key, KEY_SEEN);
    hmap_put(&inf->keys, key, KEY_SEEN);
}

/* Hand the sink an object that is gone: obj, or for a relist a stub with only the metadata
 * the key holds. */
static void
sink_remove(struct kube_inf *inf, json_t *obj)
{
    struct pxerr e;
    if (inf->sink && inf->sink->remove &&
        inf->sink->remove(obj, inf->kc->sink.arg, &e) < 0)
        log_warn("cluster %s: %s", inf->kc->name, e.msg);
}

static void
remove_by_key(struct kube_inf *inf, const char *key)
{
    if (inf->sink == NULL || inf->sink->remove == NULL)
        return;
    const char *slash = strchr(key, '/');
    json_t *md = slash ? json_pack("{s:s%, s:s}", "namespace", key, (size_t)(slash - key),
                                   "name", slash + 1)
                       : json_pack("{s:s}", "name", key);
    json_t *obj = json_pack("{s:o}", "metadata", md);
    sink_remove(inf, obj);
    json_decref(obj);
}

static void
set_rv_from(struct kube_inf *inf, json_t *obj)
{
    const char *rv = json_str(json_object_get(obj, "metadata"), "resourceVersion");
    if (rv[0])
        snprintf(inf->rv, sizeof inf->rv, "%s", rv);
}

/* ---------------------------------------------------------------- failure */

static void
inf_set_err(struct kube_inf *inf, const char *msg)
{
    if (strcmp(inf->err, msg ? msg : "") == 0)
        return;
    snprintf(inf->err, sizeof inf->err, "%s", msg ? msg : "");
    kube__update_error(inf->kc);
}

/* The server could not be reached: it may have restarted with other resource versions (a
 * watch from our version would then wait for events that never come) or lost objects, so
 * what every informer knows is no longer a safe base for a watch. Each relists at its next
 * start; one LIST per resource per outage is cheap next to a silently stale view. */
void
kube__inf_mark_outage(struct kube_client *kc)
{
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct kube_inf *inf = kc->informers.items[i];
        inf->need_relist = true;
    }
}

static void
on_retry(uv_timer_t *t)
{
    struct kube_inf *inf = t->data;
    if (inf->rv[0] && !inf->need_relist)
        inf_watch(inf);
    else
        kube__inf_list(inf);
}

static void
inf_first_done(struct kube_inf *inf, bool ok)
{
    if (inf->first_done)
        return;
    inf->first_done = true;
    inf->first_ok = ok;
    kube__maybe_synced(inf->kc);
}

/* A failure, counted, logged and shown, before its retry is timed. */
static void
inf_note_fail(struct kube_inf *inf, const struct pxerr *e)
{
    struct kube_client *kc = inf->kc;
    kc->n_errors++;
    inf_set_err(inf, e->msg);
    log_warn("cluster %s: %s", kc->name, e->msg);
}

void
kube__inf_fail(struct kube_inf *inf, const struct pxerr *e, int retry_after_s)
{
    struct kube_client *kc = inf->kc;
    inf_note_fail(inf, e);
    if (kc->mode == KUBE_MODE_LIST_ONCE && !inf->first_done) {
        /* status: retry only a throttle that says when, a few times. */
        if (e->code == PXE_THROTTLED && retry_after_s <= 10 &&
            inf->n_429++ < KUBE_LIST_ONCE_MAX_429) {
            uv_timer_start(&inf->retry, on_retry,
                           (uint64_t)(retry_after_s > 0 ? retry_after_s : 1) * 1000, 0);
            return;
        }
        inf_first_done(inf, false);
        return;
    }
    inf_first_done(inf, false);
    uint32_t d = backoff_next(&inf->bo, clock_mono_ms(), retry_after_s);
    inf->throttled = retry_after_s > 0;
    uv_timer_start(&inf->retry, on_retry, d, 0);
}

void
kube__inf_kick(struct kube_client *kc, uint64_t down_ms, uint64_t up_ms)
{
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct kube_inf *inf = kc->informers.items[i];
        if (inf->call != NULL) {
            /* Alive if a byte came since the outage began (or we paused it ourselves), or
             * started since the server answered again. */
            if (inf->data_ms >= down_ms || inf->list_paused || inf->call_ms >= up_ms)
                continue;
            kube__call_cancel(inf->call);
            inf->call = NULL;
            if (inf->watching)
                inf->watching = false;
            else
                kube__inf_list_abandon(inf);
            inf->need_relist = true;
        } else if (!uv_is_active((uv_handle_t *)&inf->retry) || inf->throttled) {
            continue;
        }
        /* Jittered, so that the clusters' informers do not all ask in the same instant. */
        uv_timer_start(&inf->retry, on_retry, backoff_rand_range(&inf->bo, 0, 500), 0);
    }
}

int
kube_client_relist(struct kube_client *kc)
{
    if (kc == NULL || kc->freeing || kc->mode != KUBE_MODE_WATCH)
        return 0;
    kube__disc_kick(kc);
    int n = 0;
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct kube_inf *inf = kc->informers.items[i];
        if (inf->call != NULL && !inf->watching)
            n++; /* a LIST is running: it is the fresh read */
        else if (inf->job != NULL || inf->batch != NULL)
            n++; /* a page of one is being decoded */
        else if (inf->throttled)
            continue; /* the server said when to come back */
        else {
            if (inf->call != NULL) {
                kube__call_cancel(inf->call);
                inf->call = NULL;
                inf->watching = false;
            }
            inf->need_relist = true;
            /* From the timer, never inside the caller's stack (it may be a callback). */
            uv_timer_start(&inf->retry, on_retry, 0, 0);
            n++;
        }
    }
    return n;
}

/* ------------------------------------------------------------------ relist */

void
kube__inf_list_finished(struct kube_inf *inf, const char *rv)
{
    struct kube_client *kc = inf->kc;
    /* Whatever the previous set had and this list did not is gone. */
    size_t it = 0;
    const char *key;
    void *val;
    struct vec gone;
    vec_init(&gone, free);
    while (hmap_next(&inf->keys, &it, &key, &val))
        if (hmap_get(inf->seen, key) == NULL)
            vec_push(&gone, xstrdup(key));
    for (size_t i = 0; i < gone.n; i++) {
        remove_by_key(inf, gone.items[i]);
        hmap_del(&inf->keys, gone.items[i]);
    }
    vec_fini(&gone);
    hmap_fini(inf->seen);
    free(inf->seen);
    inf->seen = NULL;
    if (inf->sink && inf->sink->relisted)
        inf->sink->relisted(kc->sink.arg);
#ifdef __GLIBC__
    /* A big list leaves freed pages in malloc's arenas (the worker threads' too); hand them
     * back so that the steady RSS is what the sink keeps, not the relist's peak. */
    if (inf->keys.n > 1000)
        malloc_trim(0);
#endif
    snprintf(inf->rv, sizeof inf->rv, "%s", rv);
    log_debug("cluster %s: listed %s: %zu objects at resource version %s", kc->name,
              kube__inf_what(inf), inf->keys.n, rv);
    inf->need_relist = false;
    inf->n_429 = 0;
    backoff_success(&inf->bo, clock_mono_ms());
    inf_set_err(inf, NULL);
    inf_first_done(inf, true);
    if (kc->mode == KUBE_MODE_WATCH)
        inf_watch(inf);
}

/* ------------------------------------------------------------------- watch */

void
kube__inf_add_selector(struct strbuf *p, const struct kube_inf *inf)
{
    if (inf->selector) {
        strbuf_append(p, "&labelSelector=");
        kube__urlenc(p, inf->selector);
    }
    if (inf->field_selector) {
        strbuf_append(p, "&fieldSelector=");
        kube__urlenc(p, inf->field_selector);
    }
}

/* ADDED or MODIFIED: decode and commit on the loop (events are small). */
static void
watch_commit(struct kube_inf *inf, json_t *obj, const char *key)
{
    struct kube_client *kc = inf->kc;
    const struct kube_sink_res *s = inf->sink;
    if (s == NULL || s->commit == NULL) { /* counted only */
        kube__inf_key_put(inf, &inf->keys, key);
        return;
    }
    struct pxerr e;
    void *item = obj;
    if (s->parse && (item = s->parse(obj, &e)) == NULL) {
        kc->n_errors++;
        log_warn("cluster %s: %s", kc->name, e.msg);
        return;
    }
    int rc = s->commit(item, kc->sink.arg, &e);
    if (s->parse) {
        if (s->free)
            s->free(item);
        else
            free(item);
    }
    if (rc < 0) {
        kc->n_errors++;
        log_warn("cluster %s: %s", kc->name, e.msg);
        return;
    }
    kube__inf_key_put(inf, &inf->keys, key);
}

static int
on_watch_event(const char *type, json_t *obj, void *arg)
{
    struct kube_inf *inf = arg;
    struct kube_client *kc = inf->kc;
    char key[512];
    kc->n_events++;
    inf->watch_events++;
    inf->quick_ends = 0;
    if (strcmp(type, "BOOKMARK") == 0) {
        set_rv_from(inf, obj);
        return 0;
    }
    if (strcmp(type, "ERROR") == 0) {
        json_int_t code = json_integer_value(json_object_get(obj, "code"));
        if (code == 410) {
            inf->gone = true;
        } else {
            pxerr_set(&inf->werr, PXE_HTTP, "watch of %s%s%s failed (%lld from %s): %s",
                      kube__inf_what(inf), inf->ns ? " in namespace " : "",
                      inf->ns ? inf->ns : "", (long long)code, kc->a.server,
                      json_str(obj, "message"));
            inf->watch_failed = true;
        }
        return -1;
    }
    kube__inf_obj_key(obj, key, sizeof key);
    if (strcmp(type, "DELETED") == 0) {
        sink_remove(inf, obj);
        hmap_del(&inf->keys, key);
    } else if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
        watch_commit(inf, obj, key);
    } else {
        log_warn("cluster %s: watch of %s: unknown event type '%s' ignored", kc->name,
                 kube__inf_what(inf), type);
    }
    set_rv_from(inf, obj);
    return 0;
}

static int
on_watch_data(struct kube_call *call, const char *data, size_t len, void *arg)
{
    struct kube_inf *inf = arg;
    (void)call;
    inf->data_ms = clock_mono_ms();
    struct pxerr e;
    int rc = kube_watch_dec_feed(&inf->dec, data, len, on_watch_event, inf, &e);
    if (rc < 0 && !inf->gone && !inf->watch_failed) {
        pxerr_set(&inf->werr, PXE_PARSE, "watch of %s from %s: %s", kube__inf_what(inf),
                  inf->kc->a.server, e.msg);
        inf->watch_failed = true;
    }
    if (rc == 0 && inf->err[0])
        inf_set_err(inf, NULL); /* events flow again */
    return rc < 0 ? -1 : 0;
}

static void
on_watch_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_inf *inf = arg;
    struct kube_client *kc = inf->kc;
    (void)call;
    inf->call = NULL;
    inf->watching = false;
    uint64_t now = clock_mono_ms();
    log_debug("cluster %s: watch of %s ended after %llu ms, %zu events, HTTP %ld, %s", kc->name,
              kube__inf_what(inf), (unsigned long long)(now - inf->watch_start_ms),
              inf->watch_events, res->code, res->status ? res->err->msg : "ok");
    if (inf->gone || (res->status == 0 && res->code == 410)) {
        /* The version we watch from was compacted: client-go relists from scratch. */
        kc->n_relists_410++;
        inf->gone = false;
        inf->rv[0] = '\0';
        inf->need_relist = true;
        kube__inf_list(inf);
        return;
    }
    if (inf->watch_failed) {
        inf->watch_failed = false;
        kube__inf_fail(inf, &inf->werr, -1);
        return;
    }
    /* A 2xx watch that ends, is cut (the server dropped it: "transfer closed with
     * outstanding read data") or goes quiet past the idle limit is a normal end for a
     * watch, as for client-go: resume from the last version. */
    bool stream_ok = res->code >= 200 && res->code < 300 &&
                     (res->status == 0 || res->status == PXE_TIMEOUT || res->status == PXE_CONN);
    if (stream_ok) {
        /* The server ended the watch (timeoutSeconds) or it went quiet: watch again from the
         * last version. A stream that ends at once without events is a failing server, and
         * typically one shutting down: a server that comes back in its place may count
         * resource versions afresh, and a watch from ours would wait for events that never
         * come (while its bookmarks look healthy). Relist before watching again. */
        if (inf->watch_events == 0 && now - inf->watch_start_ms < 1000) {
            struct pxerr e;
            pxerr_set(&e, PXE_HTTP, "watch of %s on %s ended at once without events",
                      kube__inf_what(inf), kc->a.server);
            inf->need_relist = true;
            inf_note_fail(inf, &e);
            inf_first_done(inf, false);
            inf->throttled = false;
            /* Most often a server restarting in place, whose successor answers within a
             * second: relist soon, not after the backoff that earlier outages grew (it resets
             * only after BACKOFF_RESET_MS healthy) and that the health check cannot cut short,
             * having seen no outage; nor grow that backoff, which a later real failure would
             * wait out. Repeated ones (no event came between: restarted again, or a proxy that
             * cuts every stream) back off on their own schedule. */
            uv_timer_start(&inf->retry, on_retry, backoff_quick(&inf->bo, inf->quick_ends++), 0);
            return;
        }
        /* A watch that lived, events or not, ends the run of quick ends: only streams cut
         * again and again at once (a proxy that closes them) back off further. */
        inf->quick_ends = 0;
        backoff_success(&inf->bo, now);
        if (inf->need_relist)
            kube__inf_list(inf); /* the server was unreachable meanwhile */
        else
            inf_watch(inf);
        return;
    }
    struct pxerr e;
    kube__http_error(kc, res, "watch", kube__inf_what(inf), inf->ns, &e);
    kube__inf_fail(inf, &e, res->retry_after_s); /* no answer at all: kube__unreachable */
}

static void
inf_watch(struct kube_inf *inf)
{
    struct kube_client *kc = inf->kc;
    if (inf->call || inf->job)
        return;
    uint32_t t = backoff_rand_range(&inf->bo, KUBE_WATCH_MIN_S, KUBE_WATCH_MAX_S);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_appendf(&p, "%s?watch=1&allowWatchBookmarks=true&timeoutSeconds=%u", inf->path, t);
    if (inf->rv[0]) {
        strbuf_append(&p, "&resourceVersion=");
        kube__urlenc(&p, inf->rv);
    }
    kube__inf_add_selector(&p, inf);
    kube_watch_dec_reset(&inf->dec);
    inf->watch_start_ms = inf->call_ms = clock_mono_ms();
    inf->data_ms = 0;
    inf->watch_events = 0;
    inf->gone = inf->watch_failed = false;
    kc->n_watches++;
    struct kube_call_opts o = {
        .path = p.s,
        .timeout_ms = (int)(t + 60) * 1000,
        .idle_timeout_s = WATCH_IDLE_S,
        .on_data = on_watch_data,
        .on_done = on_watch_done,
        .arg = inf,
    };
    struct pxerr e;
    int rc = kube__call(kc, &o, &inf->call, &e);
    strbuf_fini(&p);
    inf->watching = rc == 0;
    if (rc < 0 && !kc->freeing)
        kube__inf_fail(inf, &e, -1);
}

/* ------------------------------------------------------------------ set-up */

void
kube__inf_free(void *p)
{
    struct kube_inf *inf = p;
    free(inf->ns);
    free(inf->path);
    free(inf->selector);
    free(inf->field_selector);
    free(inf->cont);
    hmap_fini(&inf->keys);
    if (inf->seen) {
        hmap_fini(inf->seen);
        free(inf->seen);
    }
    kube_watch_dec_fini(&inf->dec);
    kube_list_dec_fini(&inf->ldec);
    if (inf->batch)
        kube__inf_list_page_free(inf->batch);
    free(inf);
}

static void
add_informer(struct kube_client *kc, enum kube_res res, const char *ns, const char *path,
             const char *selector)
{
    struct kube_inf *inf = xcalloc(1, sizeof *inf);
    inf->kc = kc;
    inf->res = res;
    inf->sink = kc->sink.res ? &kc->sink.res[res] : NULL;
    inf->ns = xstrdup_or_null(ns);
    inf->path = xstrdup(path);
    inf->selector = xstrdup_or_null(selector);
    hmap_init(&inf->keys);
    kube_watch_dec_init(&inf->dec, KUBE_LINE_MAX);
    kube_list_dec_init(&inf->ldec, KUBE_LINE_MAX);
    backoff_init(&inf->bo, 0, 0,
                 clock_mono_ms() ^ (uint64_t)(uintptr_t)inf ^ ((uint64_t)res << 32));
    uv_timer_init(kc->loop, &inf->retry);
    inf->retry.data = inf;
    kc->n_handles++;
    vec_push(&kc->informers, inf);
}

/* One informer per namespaced resource per configured namespace (or one for all). */
static void
add_namespaced(struct kube_client *kc, enum kube_res res, const char *prefix, const char *plural)
{
    char path[512];
    if (kc->n_namespaces == 0) {
        snprintf(path, sizeof path, "%s/%s", prefix, plural);
        add_informer(kc, res, NULL, path, NULL);
        return;
    }
    for (size_t i = 0; i < kc->n_namespaces; i++) {
        struct strbuf p; /* the namespaces were checked by kube_client_new */
        strbuf_init(&p);
        strbuf_appendf(&p, "%s/namespaces/", prefix);
        kube__name_append(&p, kc->namespaces[i]);
        strbuf_appendf(&p, "/%s", plural);
        add_informer(kc, res, kc->namespaces[i], p.s, NULL);
        strbuf_fini(&p);
    }
}

void
kube__inf_start_all(struct kube_client *kc)
{
    char pfx[160];
    add_informer(kc, KUBE_RES_NAMESPACES, NULL, "/api/v1/namespaces", NULL);
    add_namespaced(kc, KUBE_RES_PODS, "/api/v1", "pods");
    add_namespaced(kc, KUBE_RES_SERVICES, "/api/v1", "services");
    add_informer(kc, KUBE_RES_NODES, NULL, "/api/v1/nodes", NULL);
    add_namespaced(kc, KUBE_RES_STATEFULSETS, "/apis/apps/v1", "statefulsets");
    if (kc->pxc_gv[0]) {
        size_t first = kc->informers.n;
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->pxc_gv);
        add_namespaced(kc, KUBE_RES_PXC, pfx, "perconaxtradbclusters");
        /* config pxcCluster: only that CR (the server filters, the sink never sees others) */
        for (size_t i = first; kc->pxc_cluster && i < kc->informers.n; i++) {
            struct kube_inf *inf = kc->informers.items[i];
            inf->field_selector = xasprintf("metadata.name=%s", kc->pxc_cluster);
        }
    }
    if (kc->se_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->se_gv);
        add_namespaced(kc, KUBE_RES_SENTRIES, pfx, "serviceentries");
    }
    if (kc->dr_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->dr_gv);
        add_namespaced(kc, KUBE_RES_DRULES, pfx, "destinationrules");
    }
    if (kc->pa_gv[0]) {
        snprintf(pfx, sizeof pfx, "/apis/%s", kc->pa_gv);
        add_namespaced(kc, KUBE_RES_PEERAUTHS, pfx, "peerauthentications");
    }
    add_informer(kc, KUBE_RES_WEBHOOKS, NULL,
                 "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", NULL);
    add_informer(kc, KUBE_RES_ISTIOD, "istio-system", "/api/v1/namespaces/istio-system/pods",
                 "app=istiod");
    for (size_t i = 0; i < kc->informers.n; i++)
        kube__inf_list(kc->informers.items[i]);
}
