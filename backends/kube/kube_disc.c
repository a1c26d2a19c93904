/* kube_disc: discovery. GET /version (the server's gitVersion, shown as its version), then
 * GET /apis, from which it picks the group version of each optional API the informers and
 * the kind table need: ServiceEntries and DestinationRules (networking.istio.io v1, v1beta1,
 * v1alpha3), PeerAuthentications (security.istio.io v1, v1beta1), PXC
 * (pxc.percona.com v1). A group the server does not serve has no informer. When discovery
 * is done the informers start (KUBE_MODE_DISCOVER: the first sync is reported instead).
 *
 * A failure is the cluster's error. Watching, the first sync is reported as failed at once
 * (nobody waits on a dead cluster) and discovery retries with a backoff; listing once, only a
 * throttle that says when (Retry-After <= 10 s) is retried, a few times. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "kube/kube_internal.h"

#define DISC_STEP_VERSION 0
#define DISC_STEP_APIS 1

static void disc_next(struct kube_client *kc);

static const char *
json_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void
on_disc_timer(uv_timer_t *t)
{
    disc_next(t->data);
}

/* Pick the first version of group that the server serves, in order of preference. */
static void
pick_version(json_t *groups, const char *group, const char *const *prefs, char *out, size_t n)
{
    out[0] = '\0';
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g) {
        if (strcmp(json_str(g, "name"), group) != 0)
            continue;
        json_t *vers = json_object_get(g, "versions");
        for (const char *const *p = prefs; *p; p++) {
            size_t j;
            json_t *v;
            json_array_foreach(vers, j, v) {
                if (strcmp(json_str(v, "version"), *p) == 0) {
                    snprintf(out, n, "%s/%s", group, *p);
                    return;
                }
            }
        }
        /* None we know: take the preferred one (same spec for these CRDs so far). */
        const char *gv = json_str(json_object_get(g, "preferredVersion"), "groupVersion");
        if (gv[0])
            snprintf(out, n, "%s", gv);
        return;
    }
}

static void
disc_failed(struct kube_client *kc, const struct http_result *res, const struct pxerr *e)
{
    snprintf(kc->disc_err, sizeof kc->disc_err, "%s", e->msg);
    kc->disc_throttled = e->code == PXE_THROTTLED;
    kube__update_error(kc);
    log_warn("cluster %s: %s", kc->name, e->msg);
    kc->n_errors++;
    if (kc->mode != KUBE_MODE_WATCH && e->code == PXE_THROTTLED && res->retry_after_s <= 10 &&
        kc->disc_429++ < KUBE_LIST_ONCE_MAX_429) {
        uv_timer_start(&kc->disc_timer, on_disc_timer,
                       (uint64_t)(res->retry_after_s > 0 ? res->retry_after_s : 1) * 1000, 0);
        return;
    }
    if (kc->mode != KUBE_MODE_WATCH) {
        kc->disc_failed = true;
        kube__maybe_synced(kc);
        return;
    }
    /* Watching: report the first sync as failed now (nobody waits on a dead cluster),
     * and keep trying in the background. */
    kc->disc_first_failed = true;
    kube__maybe_synced(kc);
    uv_timer_start(&kc->disc_timer, on_disc_timer,
                   backoff_next(&kc->disc_bo, clock_mono_ms(), res->retry_after_s), 0);
}

static void
on_disc_done(struct kube_call *call, const struct http_result *res, void *arg)
{
    struct kube_client *kc = arg;
    (void)call;
    kc->disc_call = NULL;
    const char *path = kc->disc_step == DISC_STEP_VERSION ? "/version" : "/apis";
    json_t *body = NULL;
    struct pxerr e = {0};
    if (res->status != 0 || res->code != 200) {
        kube__http_error(kc, res, "get", path, NULL, &e);
    } else {
        json_error_t je;
        body = json_loadb(res->body, res->body_len, 0, &je);
        if (!json_is_object(body))
            pxerr_set(&e, PXE_PARSE, "cannot read %s%s: not a JSON object (%s)", kc->a.server,
                      path, je.text);
    }
    if (e.code) {
        json_decref(body);
        disc_failed(kc, res, &e);
        return;
    }
    if (kc->disc_step == DISC_STEP_VERSION) {
        snprintf(kc->server_version, sizeof kc->server_version, "%s",
                 json_str(body, "gitVersion"));
        kc->disc_step = DISC_STEP_APIS;
        json_decref(body);
        disc_next(kc);
        return;
    }
    json_t *groups = json_object_get(body, "groups");
    static const char *const istio_net[] = {"v1", "v1beta1", "v1alpha3", NULL};
    static const char *const istio_sec[] = {"v1", "v1beta1", NULL};
    static const char *const pxc[] = {"v1", NULL};
    pick_version(groups, "networking.istio.io", istio_net, kc->se_gv, sizeof kc->se_gv);
    snprintf(kc->dr_gv, sizeof kc->dr_gv, "%s", kc->se_gv);
    pick_version(groups, "security.istio.io", istio_sec, kc->pa_gv, sizeof kc->pa_gv);
    pick_version(groups, "pxc.percona.com", pxc, kc->pxc_gv, sizeof kc->pxc_gv);
    json_decref(body);
    kc->disc_err[0] = '\0';
    kc->disc_done = true;
    kube__update_error(kc);
    log_info("cluster %s: %s, serviceentries %s, pxc %s", kc->name, kc->server_version,
             kc->se_gv[0] ? kc->se_gv : "not served", kc->pxc_gv[0] ? kc->pxc_gv : "not served");
    if (kc->mode == KUBE_MODE_DISCOVER)
        kube__maybe_synced(kc);
    else
        kube__inf_start_all(kc);
}

static void
disc_next(struct kube_client *kc)
{
    struct kube_call_opts o = {
        .path = kc->disc_step == DISC_STEP_VERSION ? "/version" : "/apis",
        .on_done = on_disc_done,
        .arg = kc,
    };
    struct pxerr e;
    if (kube__call(kc, &o, &kc->disc_call, &e) < 0)
        log_error("cluster %s: %s", kc->name, e.msg);
}

void
kube__disc_start(struct kube_client *kc)
{
    kc->disc_step = DISC_STEP_VERSION;
    disc_next(kc);
}

void
kube__disc_kick(struct kube_client *kc)
{
    if (!kc->disc_done && !kc->disc_throttled && kc->disc_call == NULL &&
        uv_is_active((uv_handle_t *)&kc->disc_timer))
        uv_timer_start(&kc->disc_timer, on_disc_timer, 0, 0);
}

const char *
kube_client_sentry_version(const struct kube_client *kc)
{
    return kc->se_gv;
}

const char *
kube_client_server_version(const struct kube_client *kc)
{
    return kc->server_version;
}
