/* kube: one Kubernetes cluster seen from the loop; this file is the client object itself.
 * It copies what it needs of the kubeconfig target and the options, starts discovery
 * (kube_disc.c), which starts the informers (kube_inf.c), and on free cancels every request
 * and closes every handle, releasing the memory when the last close callback has run. It
 * also keeps the two things that span the modules: the cluster's error in words (discovery's,
 * else the first failing informer's), reported through the sink, and the first-sync report.
 *
 * It deliberately knows nothing of the objects: they go to the caller's sink (kube.h), and
 * nothing here writes a model. */
#include "kube/kube.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

static const char *const res_names[] = {
#define XX(name, text) text,
    KUBE_RES_MAP(XX)
#undef XX
};
_Static_assert(sizeof res_names / sizeof res_names[0] == KUBE_RES__COUNT, "res_names");

const char *
kube_res_name(enum kube_res r)
{
    return (unsigned)r < KUBE_RES__COUNT ? res_names[r] : "?";
}

/* ------------------------------------------------------------------ helpers */

void
kube__urlenc(struct strbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            strbuf_appendc(out, (char)c);
        else {
            strbuf_appendc(out, '%');
            strbuf_appendc(out, hex[c >> 4]);
            strbuf_appendc(out, hex[c & 15]);
        }
    }
}

char *
kube__dupn(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ------------------------------------------------------ what spans modules */

void
kube__own(struct kube_client *kc, struct kube_owned *o, void (*drop)(struct kube_owned *))
{
    o->drop = drop;
    o->prev = NULL;
    o->next = kc->owned;
    if (kc->owned)
        kc->owned->prev = o;
    kc->owned = o;
}

void
kube__disown(struct kube_client *kc, struct kube_owned *o)
{
    if (o->prev)
        o->prev->next = o->next;
    else if (kc->owned == o)
        kc->owned = o->next;
    if (o->next)
        o->next->prev = o->prev;
    o->prev = o->next = NULL;
}

void
kube__update_error(struct kube_client *kc)
{
    /* The server being down explains whatever the informers last said. */
    const char *e = kc->health_err[0] ? kc->health_err : kc->disc_err[0] ? kc->disc_err : NULL;
    for (size_t i = 0; e == NULL && i < kc->informers.n; i++) {
        struct kube_inf *inf = kc->informers.items[i];
        if (inf->err[0])
            e = inf->err;
    }
    if (kc->sink.error)
        kc->sink.error(e, kc->sink.arg);
}

void
kube__maybe_synced(struct kube_client *kc)
{
    if (kc->synced_reported || kc->freeing)
        return;
    int failed = 0;
    if (!kc->disc_done && !kc->disc_failed && !kc->disc_first_failed)
        return;
    if (kc->disc_failed || (kc->disc_first_failed && !kc->disc_done)) {
        failed = 1;
    } else {
        for (size_t i = 0; i < kc->informers.n; i++) {
            struct kube_inf *inf = kc->informers.items[i];
            if (!inf->first_done)
                return;
            if (!inf->first_ok)
                failed++;
        }
    }
    kc->synced_reported = true;
    if (kc->on_synced)
        kc->on_synced(kc, failed, kc->arg);
}

/* --------------------------------------------------------------- handles */

static void
client_release(struct kube_client *kc)
{
    if (!kc->freeing || kc->n_handles > 0)
        return;
    vec_fini(&kc->informers);
    free(kc->name);
    if (--kc->life->refs == 0)
        free(kc->life);
    else
        kc->life->kc = NULL;
    free(kc);
}

static void
on_disc_timer_closed(uv_handle_t *h)
{
    struct kube_client *kc = h->data;
    kc->n_handles--;
    client_release(kc);
}

static void
on_health_timer_closed(uv_handle_t *h)
{
    struct kube_client *kc = h->data;
    kc->n_handles--;
    client_release(kc);
}

static void
on_inf_timer_closed(uv_handle_t *h)
{
    struct kube_inf *inf = h->data;
    struct kube_client *kc = inf->kc;
    kc->n_handles--;
    client_release(kc);
}

/* ------------------------------------------------------------ construction */

int
kube_client_new(uv_loop_t *loop, struct http *h, struct kcfg_cred_cache *creds,
                const struct kube_client_opts *opts, struct kube_client **out,
                struct pxerr *err)
{
    const struct kcfg_target *t = opts ? opts->target : NULL;
    if (opts == NULL || opts->name == NULL || t == NULL || t->server == NULL)
        return pxerr_set(err, PXE_INVAL, "kube: client needs a name and a resolved target");
    if (strncmp(t->server, "https://", 8) != 0 && strncmp(t->server, "http://", 7) != 0)
        return pxerr_set(err, PXE_INVAL, "cluster %s: server '%s' is not an http(s) URL; fix "
                         "clusters[].cluster.server in the kubeconfig", opts->name, t->server);
    if (t->exec && creds == NULL)
        return pxerr_set(err, PXE_INVAL, "cluster %s: exec plugin without a credential cache",
                         opts->name);
    for (size_t i = 0; i < opts->n_namespaces; i++) {
        struct pxerr e;
        if (kube_name_check_ns(opts->namespaces[i], &e) < 0)
            return pxerr_set(err, PXE_INVAL, "cluster %s: %s; fix the namespaces in the config",
                             opts->name, e.msg);
    }
    struct kube_client *kc = xcalloc(1, sizeof *kc);
    kc->loop = loop;
    kc->http = h;
    kc->creds = creds;
    if (opts->sink)
        kc->sink = *opts->sink;
    kc->name = xstrdup(opts->name);
    kube__auth_init(&kc->a, t);
    if (opts->n_namespaces) {
        kc->namespaces = xcalloc(opts->n_namespaces, sizeof *kc->namespaces);
        for (size_t i = 0; i < opts->n_namespaces; i++)
            kc->namespaces[i] = xstrdup(opts->namespaces[i]);
        kc->n_namespaces = opts->n_namespaces;
    }
    kc->pxc_cluster = xstrdup_or_null(opts->pxc_cluster);
    kc->mode = opts->mode;
    kc->readonly = opts->readonly;
    kc->timeout_ms = opts->request_timeout_ms > 0 ? opts->request_timeout_ms
                                                  : KUBE_REQUEST_TIMEOUT_MS_DEFAULT;
    kc->on_synced = opts->on_synced;
    kc->arg = opts->arg;
    vec_init(&kc->informers, kube__inf_free);
    kc->life = xcalloc(1, sizeof *kc->life);
    kc->life->refs = 1;
    kc->life->kc = kc;
    backoff_init(&kc->disc_bo, 0, 0, clock_mono_ms() ^ (uint64_t)(uintptr_t)kc);
    uv_timer_init(loop, &kc->disc_timer);
    kc->disc_timer.data = kc;
    uv_timer_init(loop, &kc->health_timer);
    kc->health_timer.data = kc;
    kc->n_handles = 2;
    *out = kc;
    return 0;
}

void
kube_client_start(struct kube_client *kc)
{
    kube__health_start(kc);
    kube__disc_start(kc);
}

void
kube_client_free(struct kube_client *kc)
{
    if (kc == NULL || kc->freeing)
        return;
    kc->freeing = true;
    kc->life->dead = true;
    kube__inf_list_orphan(kc);
    while (kc->owned) { /* streams' owners: freed, no callback */
        struct kube_owned *o = kc->owned;
        kube__disown(kc, o);
        o->drop(o);
    }
    kube__req_cancel_all(kc);
    kube__call_cancel_all(kc);
    kube__ws_abort_all(kc);
    for (size_t i = 0; i < kc->informers.n; i++) {
        struct kube_inf *inf = kc->informers.items[i];
        inf->call = NULL;
        inf->job = NULL;
        uv_timer_stop(&inf->retry);
        uv_close((uv_handle_t *)&inf->retry, on_inf_timer_closed);
    }
    uv_timer_stop(&kc->disc_timer);
    uv_close((uv_handle_t *)&kc->disc_timer, on_disc_timer_closed);
    kc->health_call = NULL; /* cancelled with every call above */
    uv_timer_stop(&kc->health_timer);
    uv_close((uv_handle_t *)&kc->health_timer, on_health_timer_closed);
    kube__auth_fini(&kc->a);
    for (size_t i = 0; i < kc->n_namespaces; i++)
        free(kc->namespaces[i]);
    free(kc->namespaces);
    kc->namespaces = NULL;
    kc->n_namespaces = 0;
    free(kc->pxc_cluster);
    kc->pxc_cluster = NULL;
    free(kc->name);
    kc->name = xstrdup("(stopped)");
}

/* -------------------------------------------------------------- accessors */

const char *
kube_client_name(const struct kube_client *kc)
{
    return kc->name;
}

const char *
kube_client_server(const struct kube_client *kc)
{
    return kc->a.server ? kc->a.server : "";
}

void
kube_client_stats(const struct kube_client *kc, struct kube_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int r = 0; r < KUBE_RES__COUNT; r++)
        out->synced[r] = true;
    for (size_t i = 0; i < kc->informers.n; i++) {
        const struct kube_inf *inf = kc->informers.items[i];
        out->n_objects[inf->res] += inf->keys.n;
        out->active[inf->res] = true;
        if (!inf->first_ok)
            out->synced[inf->res] = false;
    }
    for (int r = 0; r < KUBE_RES__COUNT; r++)
        if (!out->active[r])
            out->synced[r] = false;
    out->n_lists = kc->n_lists;
    out->n_relists_410 = kc->n_relists_410;
    out->n_watches = kc->n_watches;
    out->n_events = kc->n_events;
    out->n_errors = kc->n_errors;
}
