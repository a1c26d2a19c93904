/* ksim_watch: WATCH streams (chunked JSON events) fed from the store's event history:
 * the current objects first when no version is given, resumption after a version,
 * BOOKMARKs, 410 Expired for a version older than the horizon, and an end when the
 * client leaves, the timeout passes or a fault drops the stream. */
#include "ksim_http.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

#define DEFAULT_WATCH_S 1800
#define WATCH_CHUNK (256u << 10)

struct watch {
    struct ksim_server *srv;
    struct ksim_target t;
    char *version, *ns, *include; /* owned copies of what t borrows */
    struct ksim_selector *ls, *fs;
    uint64_t seq;    /* next ring sequence number to look at */
    uint64_t min_rv; /* events at or below this were already seen */
    uint64_t drop_gen;
    struct vec initial; /* struct ksim_blob * refs: synthetic ADDED events */
    size_t initial_at;
    bool initial_end_bookmark;
    bool bookmarks;
    bool table, table_cols_sent;
    bool gone;
    uint64_t deadline_ms, next_bookmark_ms;
    struct strbuf out;
    size_t off;
    bool done;
    int fd;
};

static void
blob_unref_fn(void *p)
{
    ksim_blob_unref(p);
}

static void
watch_emit(struct watch *w, const char *type, struct ksim_blob *blob)
{
    strbuf_appendf(&w->out, "{\"type\":\"%s\",\"object\":", type);
    if (w->table) {
        json_t *obj = ksim_blob_parse(blob);
        ksim_fix_version(&w->t, obj);
        json_t *tab = ksim_table_of(
            w->t.res, json_string_value(ksim_path_get(obj, "metadata.resourceVersion")), NULL,
            !w->table_cols_sent);
        w->table_cols_sent = true;
        json_array_append_new(json_object_get(tab, "rows"),
                              ksim_table_row(w->t.res, obj, w->include));
        char *s = json_dumps(tab, JSON_COMPACT);
        strbuf_append(&w->out, s);
        free(s);
        json_decref(tab);
        json_decref(obj);
    } else {
        ksim_append_obj(&w->t, blob, &w->out);
    }
    strbuf_append(&w->out, "}\n");
}

static void
watch_bookmark(struct watch *w, uint64_t rv, bool initial_end)
{
    const struct ksim_res *r = w->t.res;
    strbuf_appendf(&w->out,
                   "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s%s%s\","
                   "\"metadata\":{\"resourceVersion\":\"%llu\"%s}}}\n",
                   r->kind, r->group, r->group[0] ? "/" : "", w->version, (unsigned long long)rv,
                   initial_end ? ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}" : "");
}

static void
watch_gone(struct watch *w, uint64_t asked, uint64_t horizon)
{
    strbuf_appendf(&w->out,
                   "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                   "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource "
                   "version: %llu (%llu)\",\"reason\":\"Expired\",\"code\":410}}\n",
                   (unsigned long long)asked, (unsigned long long)horizon);
}

static bool
client_gone(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* Fill w->out under the lock. Returns 1 with data, 0 when the stream should end
 * normally, -1 to drop the connection. */
static int
watch_fill(struct watch *w)
{
    struct ksim_store *st = w->srv->st;
    struct ksim_lazy_obj lz = {0};
    for (;;) {
        if (st->stopping)
            return 0;
        if (st->drop_gen != w->drop_gen)
            return -1;
        uint64_t now = clock_mono_ms();
        if (w->initial_at < w->initial.n) {
            while (w->initial_at < w->initial.n && w->out.len < WATCH_CHUNK)
                watch_emit(w, "ADDED", vec_at(&w->initial, w->initial_at++));
            if (w->initial_at == w->initial.n && w->initial_end_bookmark)
                watch_bookmark(w, w->min_rv, true);
            return 1;
        }
        if (w->seq < st->ring_first) {
            /* This watcher fell behind the bounded history. */
            watch_gone(w, w->min_rv, st->horizon_rv);
            w->done = true;
            return 1;
        }
        while (w->seq < st->ring_next && w->out.len < WATCH_CHUNK) {
            struct ksim_event *e = &st->ring[w->seq % st->ring_cap];
            w->seq++;
            if (e->res != w->t.res || e->rv <= w->min_rv)
                continue;
            w->min_rv = e->rv;
            if (w->ns[0] && strcmp(e->ns, w->ns) != 0)
                continue;
            if (!ksim_selector_empty(w->ls) && !ksim_selector_match_labels(w->ls, e->labels))
                continue;
            if (!ksim_selector_empty(w->fs)) {
                struct ksim_obj tmp = {.blob = e->blob};
                lz.o = &tmp;
                lz.parsed = NULL;
                bool m = ksim_selector_match_fields(w->fs, e->ns, e->name, ksim_lazy_get, &lz);
                json_decref(lz.parsed);
                if (!m)
                    continue;
            }
            static const char *const names[] = {"ADDED", "MODIFIED", "DELETED"};
            watch_emit(w, names[e->type], e->blob);
        }
        if (w->out.len > 0)
            return 1;
        if (now >= w->deadline_ms)
            return 0;
        if (w->bookmarks && now >= w->next_bookmark_ms) {
            watch_bookmark(w, st->rv > w->min_rv ? st->rv : w->min_rv, false);
            w->next_bookmark_ms = now + (uint64_t)st->bookmark_interval_s * 1000;
            return 1;
        }
        if (client_gone(w->fd))
            return -1;
        uint64_t wake = w->deadline_ms;
        if (w->bookmarks && w->next_bookmark_ms < wake)
            wake = w->next_bookmark_ms;
        if (wake > now + 1000)
            wake = now + 1000; /* look for a departed client once a second */
        ksim_store_wait_ms_locked(st, wake > now ? wake - now : 1);
    }
}

static ssize_t
watch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct watch *w = cls;
    (void)pos;
    if (w->off >= w->out.len) {
        strbuf_reset(&w->out);
        w->off = 0;
        if (w->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        pthread_mutex_lock(&w->srv->st->mu);
        int rc = watch_fill(w);
        pthread_mutex_unlock(&w->srv->st->mu);
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (rc == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = w->out.len - w->off;
    if (n > max)
        n = max;
    memcpy(buf, w->out.s + w->off, n);
    w->off += n;
    return (ssize_t)n;
}

static void
watch_free(void *cls)
{
    struct watch *w = cls;
    pthread_mutex_lock(&w->srv->st->mu);
    w->srv->st->n_watches--;
    pthread_mutex_unlock(&w->srv->st->mu);
    vec_fini(&w->initial);
    strbuf_fini(&w->out);
    ksim_selector_free(w->ls);
    ksim_selector_free(w->fs);
    free(w->version);
    free(w->ns);
    free(w->include);
    free(w);
}

enum MHD_Result
ksim_watch_reply(struct ksim_server *srv, struct MHD_Connection *c, const struct ksim_target *t)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt;
    struct watch *w = xcalloc(1, sizeof *w);
    w->srv = srv;
    w->fd = -1;
    if (ksim_parse_selectors(c, &w->ls, &w->fs, &stt) != 0) {
        free(w);
        return ksim_reply_status(c, &stt, 0);
    }
    w->version = xstrdup(t->version);
    w->ns = xstrdup(t->ns);
    w->include = xstrdup(ksim_include_object(c));
    w->t = *t;
    w->t.version = w->version;
    w->t.ns = w->ns;
    w->table = ksim_wants_table(c);
    w->bookmarks = ksim_truthy(ksim_qarg(c, "allowWatchBookmarks"));
    vec_init(&w->initial, blob_unref_fn);
    strbuf_init(&w->out);
    const char *ts = ksim_qarg(c, "timeoutSeconds");
    long timeout_s = ts ? strtol(ts, NULL, 10) : DEFAULT_WATCH_S;
    if (timeout_s <= 0)
        timeout_s = DEFAULT_WATCH_S;
    w->deadline_ms = clock_mono_ms() + (uint64_t)timeout_s * 1000;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    w->fd = ci ? ci->connect_fd : -1;
    const char *rvq = ksim_qarg(c, "resourceVersion");
    bool send_initial = ksim_truthy(ksim_qarg(c, "sendInitialEvents"));

    pthread_mutex_lock(&st->mu);
    st->n_watches++;
    w->drop_gen = st->drop_gen;
    w->next_bookmark_ms = clock_mono_ms() + (uint64_t)st->bookmark_interval_s * 1000;
    if (rvq != NULL && *rvq && strcmp(rvq, "0") != 0 && !send_initial) {
        uint64_t r = strtoull(rvq, NULL, 10);
        if (r < st->horizon_rv) {
            watch_gone(w, r, st->horizon_rv);
            w->done = true;
        } else {
            w->min_rv = r;
            /* first event newer than r */
            uint64_t lo = st->ring_first, hi = st->ring_next;
            while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                if (st->ring[mid % st->ring_cap].rv <= r)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            w->seq = lo;
        }
    } else {
        /* No version (or "0"): the current state first, as synthetic ADDED events. */
        struct ksim_lazy_obj lz = {0};
        struct ksim_res *res = t->res;
        for (size_t i = 0; i < res->sorted.n; i++) {
            struct ksim_obj *o = vec_at(&res->sorted, i);
            if (ksim_obj_matches(o, w->ns, w->ls, w->fs, &lz))
                vec_push(&w->initial, ksim_blob_ref(o->blob));
        }
        w->min_rv = st->rv;
        w->seq = st->ring_next;
        w->initial_end_bookmark = send_initial && w->bookmarks;
        if (w->initial_end_bookmark && w->initial.n == 0)
            watch_bookmark(w, w->min_rv, true);
    }
    pthread_mutex_unlock(&st->mu);

    /* The idle-connection timeout would cut a quiet watch (kubectl get -w asks for no
     * bookmarks); the stream has its own end (timeoutSeconds) and notices a departed
     * client. */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)0);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, watch_read, w, watch_free);
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}
