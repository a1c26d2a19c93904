/* kube_health: is the API server answering? Contact is a successful answer: a 2xx response,
 * or bytes of a 2xx stream (a watch event or bookmark, a LIST page). An HTTP error is not
 * contact, and neither is a watch that ends on its idle limit: a server that is stopped,
 * hung or failing everything must never read as healthy. Each contact is reported to the
 * sink (reachable true, which dates the last contact); a request that could not reach the
 * server at all (connection, DNS, TLS, timeout before any answer) makes the cluster
 * unreachable at once.
 *
 * A hung server answers nothing and refuses nothing, so silence alone must be noticed: when
 * nothing succeeded for KUBE_HEALTH_IDLE_MS, one bounded GET /version (KUBE_HEALTH_TIMEOUT_MS)
 * asks. It fails: the cluster is unreachable, its error says why, and the probe repeats every
 * KUBE_HEALTH_DOWN_MS until it answers. A busy or bookmarking cluster is never probed, and a
 * quiet one costs one small GET per idle period (client-go's watch bookmarks serve the same
 * purpose; a console wants the answer within seconds, not at the next bookmark).
 *
 * When the server answers again after being down, whatever waited out the outage is
 * started now instead of at the end of its backoff: discovery, the informers' retries, and
 * the calls that got no byte since the outage began (they may sit on a dead connection).
 * That kick runs from the health timer, never inside the callback that brought the contact.
 *
 * Watch mode only: listing once has its own deadline and nothing to keep fresh. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "kube/kube_internal.h"

static void health_arm(struct kube_client *kc, uint64_t delay_ms);

static void
report(struct kube_client *kc, bool reachable)
{
    if (kc->sink.reachable)
        kc->sink.reachable(reachable, kc->sink.arg);
}

void
kube__contact(struct kube_client *kc)
{
    if (kc->freeing)
        return;
    kc->contact_ms = clock_mono_ms();
    if (kc->health != KUBE_HEALTH_UP) {
        if (kc->health == KUBE_HEALTH_DOWN && kc->mode == KUBE_MODE_WATCH) {
            /* Recovered: the kick runs from the timer, outside this request's callback. */
            kc->recovered_from_ms = kc->down_ms;
            kc->recovered_ms = kc->contact_ms;
            health_arm(kc, 0);
        }
        kc->health = KUBE_HEALTH_UP;
        kc->down_ms = 0;
        if (kc->health_err[0]) {
            kc->health_err[0] = '\0';
            kube__update_error(kc);
        }
    }
    report(kc, true);
}

static void
go_down(struct kube_client *kc, const char *msg, bool outage)
{
    if (kc->freeing)
        return;
    if (kc->health != KUBE_HEALTH_DOWN) {
        kc->health = KUBE_HEALTH_DOWN;
        kc->down_ms = clock_mono_ms();
        log_warn("cluster %s: API server unreachable: %s", kc->name, msg);
    }
    if (outage)
        kube__inf_mark_outage(kc);
    if (strcmp(kc->health_err, msg) != 0) {
        snprintf(kc->health_err, sizeof kc->health_err, "%s", msg);
        kube__update_error(kc);
    }
    report(kc, false);
}

void
kube__unreachable(struct kube_client *kc, const struct pxerr *e)
{
    go_down(kc, e->msg, true);
}

/* ------------------------------------------------------------------ probe */

static void on_health_timer(uv_timer_t *t);

static void
health_arm(struct kube_client *kc, uint64_t delay_ms)
{
    if (!kc->freeing && kc->mode == KUBE_MODE_WATCH)
        uv_timer_start(&kc->health_timer, on_health_timer, delay_ms, 0);
}

static void
on_probe_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_client *kc = arg;
    (void)call;
    kc->health_call = NULL;
    kc->probe_done_ms = clock_mono_ms();
    if (res->status != 0 || res->code < 200 || res->code >= 300) {
        /* The call layer already marked a transport failure unreachable; these words, about
         * the probe itself, say it better ("not answering" rather than a watch's URL). */
        struct pxerr e;
        kube__http_error(kc, res, "get", "/version", NULL, &e);
        char msg[sizeof e.msg + 32];
        if (res->status == PXE_TIMEOUT)
            snprintf(msg, sizeof msg, "API server not answering: %s", e.msg);
        else
            snprintf(msg, sizeof msg, "%s", e.msg);
        go_down(kc, msg,
                res->code == 0 && (res->status == PXE_CONN || res->status == PXE_TIMEOUT ||
                                   res->status == PXE_DNS || res->status == PXE_TLS));
    }
    uint64_t next = kc->recovered_from_ms != 0       ? 0
                    : kc->health == KUBE_HEALTH_DOWN ? KUBE_HEALTH_DOWN_MS
                                                     : KUBE_HEALTH_IDLE_MS;
    if (kc->health == KUBE_HEALTH_DOWN && res->retry_after_s > 0) /* a throttled server */
        next = (uint64_t)(res->retry_after_s > 600 ? 600 : res->retry_after_s) * 1000;
    health_arm(kc, next);
}

static void
probe(struct kube_client *kc)
{
    struct kube_call_opts o = {
        .path = "/version",
        .timeout_ms = KUBE_HEALTH_TIMEOUT_MS,
        .connect_timeout_ms = KUBE_HEALTH_TIMEOUT_MS,
        .on_done = on_probe_done,
        .arg = kc,
    };
    struct pxerr e;
    if (kube__call(kc, &o, &kc->health_call, &e) < 0) {
        kc->health_call = NULL;
        log_warn("cluster %s: cannot ask the API server: %s", kc->name, e.msg);
        health_arm(kc, KUBE_HEALTH_DOWN_MS);
    }
}

static void
on_health_timer(uv_timer_t *t)
{
    struct kube_client *kc = t->data;
    if (kc->recovered_from_ms != 0) {
        uint64_t since = kc->recovered_from_ms;
        kc->recovered_from_ms = 0;
        log_info("cluster %s: API server answers again", kc->name);
        kube__disc_kick(kc);
        kube__inf_kick(kc, since, kc->recovered_ms);
    }
    if (kc->health_call != NULL)
        return; /* its answer re-arms */
    uint64_t now = clock_mono_ms();
    if (kc->health == KUBE_HEALTH_DOWN) {
        if (now < kc->probe_done_ms + KUBE_HEALTH_DOWN_MS) {
            health_arm(kc, kc->probe_done_ms + KUBE_HEALTH_DOWN_MS - now);
            return;
        }
    } else if (now < kc->contact_ms + KUBE_HEALTH_IDLE_MS) {
        /* Something succeeded recently: look again when that is IDLE old. */
        health_arm(kc, kc->contact_ms + KUBE_HEALTH_IDLE_MS - now);
        return;
    }
    probe(kc);
}

void
kube__health_start(struct kube_client *kc)
{
    if (kc->mode != KUBE_MODE_WATCH)
        return;
    /* Discovery's first answer is the first contact; until then, silence counts from now. */
    if (kc->contact_ms == 0)
        kc->contact_ms = clock_mono_ms();
    health_arm(kc, KUBE_HEALTH_IDLE_MS);
}
