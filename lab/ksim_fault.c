/* ksim_fault: the fault switches (/_ksim/fault, --fault) and their effect on a request:
 * delay, a status with Retry-After, garbage bodies, refused or hanging connections,
 * dropped watches, a compaction; and the control paths that set and show them. */
#include "ksim_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"

int
ksim_fault_apply(struct ksim_store *st, const json_t *doc, struct pxerr *err)
{
    if (!json_is_object(doc))
        return pxerr_set(err, PXE_PARSE,
                         "fault: expected a JSON object such as "
                         "{\"status\":429,\"retry_after\":2,\"count\":3}");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)doc, k, v)
    {
        static const char *const known[] = {"delay_ms", "drop_watches", "status",  "retry_after",
                                            "count",    "garbage",      "compact", "refuse",
                                            "hang",     "clear"};
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok)
            return pxerr_set(err, PXE_PARSE,
                             "fault: unknown switch \"%s\" (known: delay_ms drop_watches status "
                             "retry_after count garbage compact refuse hang clear)",
                             k);
    }
    pthread_mutex_lock(&st->mu);
    struct ksim_fault *f = &st->fault;
    if (json_is_true(json_object_get(doc, "clear")))
        memset(f, 0, sizeof *f);
    if (json_is_integer(json_object_get(doc, "delay_ms")))
        f->delay_ms = (int)json_integer_value(json_object_get(doc, "delay_ms"));
    if (json_is_integer(json_object_get(doc, "status"))) {
        f->status = (int)json_integer_value(json_object_get(doc, "status"));
        json_t *cnt = json_object_get(doc, "count");
        f->status_count = json_is_integer(cnt) ? (int)json_integer_value(cnt) : -1;
        json_t *ra = json_object_get(doc, "retry_after");
        f->retry_after_s = json_is_integer(ra) ? (int)json_integer_value(ra)
                           : f->status == 429  ? 1
                                               : 0;
    }
    if (json_is_integer(json_object_get(doc, "garbage")))
        f->garbage = (int)json_integer_value(json_object_get(doc, "garbage"));
    if (json_is_boolean(json_object_get(doc, "refuse"))) {
        /* Connections are accepted and closed without an answer (the control path
         * /_ksim/ keeps working so that the switch can be cleared); open watch streams
         * are cut as well. */
        f->refuse = json_is_true(json_object_get(doc, "refuse"));
        if (f->refuse)
            st->drop_gen++;
    }
    if (json_is_boolean(json_object_get(doc, "hang")))
        f->hang = json_is_true(json_object_get(doc, "hang"));
    if (json_is_true(json_object_get(doc, "drop_watches")))
        st->drop_gen++;
    if (json_is_true(json_object_get(doc, "compact"))) {
        /* Every version handed out so far becomes too old (as after an etcd compaction
         * followed by a write): watches and continue tokens from them get 410, and a
         * fresh LIST returns the new version, from which watching works again. */
        st->rv++;
        st->horizon_rv = st->rv;
    }
    pthread_cond_broadcast(&st->cond);
    pthread_mutex_unlock(&st->mu);
    return 0;
}

json_t *
ksim_fault_json_locked(const struct ksim_store *st)
{
    const struct ksim_fault *f = &st->fault;
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:I, s:I, s:i, s:i}", "delay_ms",
                     f->delay_ms, "status", f->status, "retry_after", f->retry_after_s, "count",
                     f->status_count, "garbage", f->garbage, "refuse", f->refuse, "hang", f->hang,
                     "resourceVersion", (json_int_t)st->rv, "horizon", (json_int_t)st->horizon_rv,
                     "watches", st->n_watches, "probes", st->n_probes);
}

int
ksim_fault_answer(struct ksim_server *srv, struct MHD_Connection *c, enum MHD_Result *ret)
{
    struct ksim_store *st = srv->st;
    pthread_mutex_lock(&st->mu);
    if (st->fault.refuse) {
        pthread_mutex_unlock(&st->mu);
        *ret = MHD_NO; /* closes the connection without an answer */
        return 1;
    }
    while (st->fault.hang && !st->stopping)
        ksim_store_wait_ms_locked(st, 1000);
    int delay = st->fault.delay_ms;
    int status = 0, retry = 0;
    if (st->fault.status != 0 && st->fault.status_count != 0) {
        status = st->fault.status;
        retry = st->fault.retry_after_s;
        if (st->fault.status_count > 0)
            st->fault.status_count--;
    }
    bool garbage = false;
    if (status == 0 && st->fault.garbage > 0) {
        st->fault.garbage--;
        garbage = true;
    }
    pthread_mutex_unlock(&st->mu);
    if (delay > 0) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (status != 0) {
        struct ksim_status stt = {.code = status};
        const char *reason = status == 429   ? "TooManyRequests"
                             : status == 500 ? "InternalError"
                             : status == 503 ? "ServiceUnavailable"
                             : status == 504 ? "Timeout"
                             : status == 401 ? "Unauthorized"
                             : status == 403 ? "Forbidden"
                             : status == 410 ? "Expired"
                                             : "InternalError";
        snprintf(stt.reason, sizeof stt.reason, "%s", reason);
        snprintf(stt.msg, sizeof stt.msg,
                 status == 429 ? "the server has received too many requests and has asked us to "
                                 "try again later (kubesim fault injection)"
                               : "kubesim fault injection: status %d",
                 status);
        *ret = ksim_reply_status(c, &stt, retry);
        return 1;
    }
    if (garbage) {
        static const char junk[] = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"meta"
                                   "data\":{\"name\":\"\xff\xfe\x01garbage]]}}{{\"\n";
        char *b = xmalloc(sizeof junk);
        memcpy(b, junk, sizeof junk);
        *ret = ksim_reply_buf(c, 200, "application/json", b, sizeof junk - 1, 0);
        return 1;
    }
    return 0;
}

enum MHD_Result
ksim_fault_control(struct ksim_server *srv, struct MHD_Connection *c, const char *url,
                   const char *method, struct ksim_req *req)
{
    struct ksim_store *st = srv->st;
    if (strcmp(url, "/_ksim/fault") == 0 && strcmp(method, "POST") == 0) {
        json_error_t je;
        json_t *doc = json_loadb(req->body.s, req->body.len, 0, &je);
        if (doc == NULL)
            return ksim_reply_err(c, 400, "BadRequest", "fault: body is not JSON: %s", je.text);
        struct pxerr err = {0};
        int rc = ksim_fault_apply(st, doc, &err);
        json_decref(doc);
        if (rc != 0)
            return ksim_reply_err(c, 400, "BadRequest", "%s", err.msg);
    } else if (!(strcmp(url, "/_ksim/fault") == 0 || strcmp(url, "/_ksim/stats") == 0) ||
               strcmp(method, "GET") != 0) {
        if (strcmp(url, "/_ksim/fault") != 0)
            return ksim_reply_err(
                c, 404, "NotFound",
                "unknown kubesim control path %s (try /_ksim/fault or /_ksim/stats)", url);
    }
    pthread_mutex_lock(&st->mu);
    json_t *j = ksim_fault_json_locked(st);
    json_t *counts = json_object();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (r->sorted.n > 0) {
            char *k = r->group[0] ? xasprintf("%s.%s", r->plural, r->group) : xstrdup(r->plural);
            json_object_set_new(counts, k, json_integer((json_int_t)r->sorted.n));
            free(k);
        }
    }
    json_object_set_new(j, "objects", counts);
    pthread_mutex_unlock(&st->mu);
    return ksim_reply_json(c, 200, j);
}
