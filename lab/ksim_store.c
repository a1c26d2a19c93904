/* ksim_store: kubesim's object store. Objects are kept serialized (one compact JSON blob
 * each, shared by reference with the event history) plus a copy of their labels for
 * selectors, indexed by "ns/name" in a hash and kept in key order for paginated LISTs.
 * 10,000 injected pods cost tens of MB this way instead of hundreds as json_t trees.
 * The store knows nothing of HTTP; the simulation hooks live in ksim_sim.c. */
#include "ksim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "xmalloc.h"

struct ksim_blob *
ksim_blob_new(const json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT);
    if (s == NULL)
        pxc_fatal("kubesim: json_dumps failed (out of memory?)");
    size_t len = strlen(s);
    struct ksim_blob *b = xmalloc(sizeof *b + len + 1);
    atomic_init(&b->refs, 1);
    b->len = len;
    memcpy(b->s, s, len + 1);
    free(s);
    return b;
}

struct ksim_blob *
ksim_blob_ref(struct ksim_blob *b)
{
    atomic_fetch_add(&b->refs, 1);
    return b;
}

void
ksim_blob_unref(struct ksim_blob *b)
{
    if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

json_t *
ksim_blob_parse(const struct ksim_blob *b)
{
    json_error_t jerr;
    json_t *o = json_loadb(b->s, b->len, 0, &jerr);
    if (o == NULL)
        pxc_fatal("kubesim: stored object does not parse: %s", jerr.text);
    return o;
}

void
ksim_now_rfc3339(char *buf, size_t n)
{
    ksim_ago_rfc3339(0, buf, n);
}

void
ksim_ago_rfc3339(long ago_s, char *buf, size_t n)
{
    time_t t = time(NULL) - (time_t)ago_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
random_bytes(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r <= 0)
            pxc_fatal("kubesim: getrandom failed");
        p += r;
        n -= (size_t)r;
    }
}

void
ksim_random_alnum(char *buf, size_t n)
{
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789"; /* as k8s: no vowels */
    unsigned char r[64];
    if (n == 0)
        return;
    if (n - 1 > sizeof r)
        n = sizeof r + 1;
    random_bytes(r, n - 1);
    for (size_t i = 0; i + 1 < n; i++)
        buf[i] = alpha[r[i] % (sizeof alpha - 1)];
    buf[n - 1] = '\0';
}

void
ksim_uuid(char *buf, size_t n)
{
    unsigned char u[16];
    random_bytes(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

json_t *
ksim_path_get(json_t *obj, const char *dotted)
{
    char part[256];
    const char *p = dotted;
    while (obj != NULL && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len >= sizeof part)
            return NULL;
        memcpy(part, p, len);
        part[len] = '\0';
        obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
        p = dot ? dot + 1 : p + len;
    }
    return obj;
}

json_t *
ksim_obj_ensure(json_t *parent, const char *key)
{
    json_t *c = json_object_get(parent, key);
    if (!json_is_object(c)) {
        c = json_object();
        json_object_set_new(parent, key, c);
    }
    return c;
}

/* ---- resources ---- */

void
ksim_res_free(struct ksim_res *res)
{
    if (res == NULL)
        return;
    free(res->group);
    for (size_t i = 0; i < res->n_versions; i++)
        free(res->versions[i]);
    free(res->versions);
    free(res->plural);
    free(res->singular);
    free(res->kind);
    free(res->list_kind);
    json_decref(res->short_names);
    json_decref(res->categories);
    json_decref(res->columns);
    hmap_fini(&res->by_key);
    vec_fini(&res->sorted);
    free(res);
}

static void
obj_free(void *p)
{
    struct ksim_obj *o = p;
    free(o->key);
    free(o->ns);
    free(o->name);
    ksim_blob_unref(o->blob);
    json_decref(o->labels);
    free(o);
}

struct ksim_res *
ksim_res_find(struct ksim_store *st, const char *group, const char *version, const char *plural)
{
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (strcmp(r->group, group) != 0 || strcmp(r->plural, plural) != 0)
            continue;
        if (version == NULL)
            return r;
        for (size_t v = 0; v < r->n_versions; v++)
            if (strcmp(r->versions[v], version) == 0)
                return r;
    }
    return NULL;
}

struct ksim_res *
ksim_res_by_kind(struct ksim_store *st, const char *api_version, const char *kind)
{
    if (api_version == NULL || kind == NULL)
        return NULL;
    const char *slash = strchr(api_version, '/');
    char group[256] = "";
    const char *version = api_version;
    if (slash != NULL) {
        size_t len = (size_t)(slash - api_version);
        if (len >= sizeof group)
            return NULL;
        memcpy(group, api_version, len);
        group[len] = '\0';
        version = slash + 1;
    }
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (strcmp(r->group, group) != 0 || strcmp(r->kind, kind) != 0)
            continue;
        for (size_t v = 0; v < r->n_versions; v++)
            if (strcmp(r->versions[v], version) == 0)
                return r;
    }
    return NULL;
}

struct ksim_res *
ksim_res_add(struct ksim_store *st, struct ksim_res *res)
{
    struct ksim_res *old = ksim_res_find(st, res->group, NULL, res->plural);
    if (old != NULL) {
        ksim_res_free(res);
        return old;
    }
    hmap_init(&res->by_key);
    vec_init(&res->sorted, obj_free);
    vec_push(&st->res, res);
    return res;
}

static struct ksim_res *
builtin(const char *group, const char *version, const char *plural, const char *singular,
        const char *kind, bool namespaced, const char *shorts, enum ksim_table_kind table)
{
    struct ksim_res *r = xcalloc(1, sizeof *r);
    r->group = xstrdup(group);
    r->versions = xcalloc(1, sizeof *r->versions);
    r->versions[0] = xstrdup(version);
    r->n_versions = 1;
    r->plural = xstrdup(plural);
    r->singular = xstrdup(singular);
    r->kind = xstrdup(kind);
    r->list_kind = xasprintf("%sList", kind);
    r->namespaced = namespaced;
    r->table = table;
    r->has_status = table == KSIM_TABLE_POD || table == KSIM_TABLE_STATEFULSET ||
                    table == KSIM_TABLE_NODE || table == KSIM_TABLE_NAMESPACE ||
                    table == KSIM_TABLE_SERVICE;
    if (shorts != NULL) {
        r->short_names = json_array();
        char *dup = xstrdup(shorts), *save = NULL;
        for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(r->short_names, json_string(t));
        free(dup);
    }
    return r;
}

void
ksim_store_add_builtin(struct ksim_store *st)
{
    static const struct {
        const char *group, *version, *plural, *singular, *kind;
        bool namespaced;
        const char *shorts;
        enum ksim_table_kind table;
    } tab[] = {
        {"", "v1", "namespaces", "namespace", "Namespace", false, "ns", KSIM_TABLE_NAMESPACE},
        {"", "v1", "pods", "pod", "Pod", true, "po", KSIM_TABLE_POD},
        {"", "v1", "services", "service", "Service", true, "svc", KSIM_TABLE_SERVICE},
        {"", "v1", "nodes", "node", "Node", false, "no", KSIM_TABLE_NODE},
        {"", "v1", "secrets", "secret", "Secret", true, NULL, KSIM_TABLE_SECRET},
        {"", "v1", "configmaps", "configmap", "ConfigMap", true, "cm", KSIM_TABLE_GENERIC},
        {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, "sa",
         KSIM_TABLE_GENERIC},
        {"", "v1", "events", "event", "Event", true, "ev", KSIM_TABLE_GENERIC},
        {"", "v1", "endpoints", "endpoints", "Endpoints", true, "ep", KSIM_TABLE_GENERIC},
        {"apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, "sts",
         KSIM_TABLE_STATEFULSET},
        {"apps", "v1", "deployments", "deployment", "Deployment", true, "deploy",
         KSIM_TABLE_GENERIC},
        {"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations",
         "mutatingwebhookconfiguration", "MutatingWebhookConfiguration", false, NULL,
         KSIM_TABLE_WEBHOOK},
        {"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
         "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", false, NULL,
         KSIM_TABLE_WEBHOOK},
        {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
         "CustomResourceDefinition", false, "crd,crds", KSIM_TABLE_CRD},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        (void)ksim_res_add(st,
                           builtin(tab[i].group, tab[i].version, tab[i].plural, tab[i].singular,
                                   tab[i].kind, tab[i].namespaced, tab[i].shorts, tab[i].table));
}

/* ---- store ---- */

static void
res_free_fn(void *p)
{
    ksim_res_free(p);
}

void
ksim_store_init(struct ksim_store *st, size_t history)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->cond, &ca);
    pthread_condattr_destroy(&ca);
    vec_init(&st->res, res_free_fn);
    st->ring_cap = history < 16 ? 16 : history;
    st->ring = xcalloc(st->ring_cap, sizeof *st->ring);
    hmap_init(&st->logs);
    st->rv = 1;
    st->horizon_rv = 1;
    st->bookmark_interval_s = 10;
    st->proxy_image = xstrdup("docker.io/istio/proxyv2:1.24.2");
}

void
ksim_store_wait_ms_locked(struct ksim_store *st, uint64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&st->cond, &st->mu, &ts);
}

static void
event_clear(struct ksim_event *e)
{
    free(e->ns);
    free(e->name);
    ksim_blob_unref(e->blob);
    json_decref(e->labels);
    memset(e, 0, sizeof *e);
}

void
ksim_store_fini(struct ksim_store *st)
{
    for (uint64_t s = st->ring_first; s < st->ring_next; s++)
        event_clear(&st->ring[s % st->ring_cap]);
    free(st->ring);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&st->logs, &it, &k, &v);)
        free(v);
    hmap_fini(&st->logs);
    vec_fini(&st->res);
    free(st->dns_server);
    free(st->proxy_image);
    free(st->pod_map);
    pthread_cond_destroy(&st->cond);
    pthread_mutex_destroy(&st->mu);
}

static char *
obj_key(const char *ns, const char *name)
{
    return ns && *ns ? xasprintf("%s/%s", ns, name) : xstrdup(name);
}

struct ksim_obj *
ksim_obj_get_locked(struct ksim_res *res, const char *ns, const char *name)
{
    char *key = obj_key(res->namespaced ? ns : NULL, name);
    struct ksim_obj *o = hmap_get(&res->by_key, key);
    free(key);
    return o;
}

size_t
ksim_res_lower_bound(struct ksim_res *res, const char *key, bool inclusive)
{
    size_t lo = 0, hi = res->sorted.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ksim_obj *o = vec_at(&res->sorted, mid);
        int c = strcmp(o->key, key);
        if (c < 0 || (c == 0 && !inclusive))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void
record_event(struct ksim_store *st, enum ksim_ev_type type, struct ksim_res *res, const char *ns,
             const char *name, uint64_t rv, struct ksim_blob *blob, const json_t *labels)
{
    if (st->ring_next - st->ring_first == st->ring_cap) {
        struct ksim_event *old = &st->ring[st->ring_first % st->ring_cap];
        /* A watch resuming at rv R needs every event after R; after this eviction the
         * oldest event kept is newer than old->rv, so R must be at least old->rv. */
        if (old->rv > st->horizon_rv)
            st->horizon_rv = old->rv;
        event_clear(old);
        st->ring_first++;
    }
    struct ksim_event *e = &st->ring[st->ring_next % st->ring_cap];
    e->type = type;
    e->res = res;
    e->ns = xstrdup(ns ? ns : "");
    e->name = xstrdup(name);
    e->rv = rv;
    e->blob = ksim_blob_ref(blob);
    e->labels = labels ? json_deep_copy(labels) : NULL;
    st->ring_next++;
    pthread_cond_broadcast(&st->cond);
}

struct ksim_obj *
ksim_store_put_locked(struct ksim_store *st, struct ksim_res *res, json_t *obj)
{
    json_t *meta = ksim_obj_ensure(obj, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *ns = res->namespaced ? json_string_value(json_object_get(meta, "namespace")) : "";
    if (name == NULL || ns == NULL)
        pxc_fatal("kubesim: ksim_store_put_locked without name/namespace (%s)", res->plural);
    uint64_t rv = ++st->rv;
    char rvs[32];
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)rv);
    json_object_set_new(meta, "resourceVersion", json_string(rvs));
    if (!res->namespaced)
        json_object_del(meta, "namespace");

    char *key = obj_key(ns, name);
    struct ksim_obj *o = hmap_get(&res->by_key, key);
    enum ksim_ev_type type = KSIM_EV_MODIFIED;
    if (o == NULL) {
        type = KSIM_EV_ADDED;
        o = xcalloc(1, sizeof *o);
        o->key = key;
        o->ns = xstrdup(ns);
        o->name = xstrdup(name);
        size_t at = ksim_res_lower_bound(res, key, true);
        vec_insert(&res->sorted, at, o);
        hmap_put(&res->by_key, key, o);
    } else {
        free(key);
        ksim_blob_unref(o->blob);
        json_decref(o->labels);
    }
    o->rv = rv;
    o->blob = ksim_blob_new(obj);
    json_t *labels = json_object_get(meta, "labels");
    o->labels = json_is_object(labels) ? json_deep_copy(labels) : NULL;
    record_event(st, type, res, ns, o->name, rv, o->blob, o->labels);
    return o;
}

json_t *
ksim_store_del_locked(struct ksim_store *st, struct ksim_res *res, struct ksim_obj *o)
{
    json_t *obj = ksim_blob_parse(o->blob);
    uint64_t rv = ++st->rv;
    char rvs[32];
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)rv);
    json_object_set_new(ksim_obj_ensure(obj, "metadata"), "resourceVersion", json_string(rvs));
    struct ksim_blob *blob = ksim_blob_new(obj);
    record_event(st, KSIM_EV_DELETED, res, o->ns, o->name, rv, blob, o->labels);
    ksim_blob_unref(blob);
    hmap_del(&res->by_key, o->key);
    size_t at = ksim_res_lower_bound(res, o->key, true);
    if (at < res->sorted.n && vec_at(&res->sorted, at) == o)
        vec_remove(&res->sorted, at);
    return obj;
}
