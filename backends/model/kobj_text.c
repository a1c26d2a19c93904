/* kobj_text: a pod read straight from its JSON text, for the informers' LIST pages. An
 * injected pod is about 7 kB of JSON of which the model keeps a dozen fields; building a
 * jansson tree of it and freeing it again was 90 % of the instructions of a sync of 20,000
 * pods. Here the text is checked once (jscan_strict: it is JSON that jansson accepts) and
 * then only the wanted members are looked at.
 *
 * It is a fast road to the same place, never a second opinion: whenever it cannot be sure to
 * give exactly what jansson and kobj_pod_parse give (a key or a wanted string with an
 * escape, a number that is not a plain integer, a field of an unexpected type, anything
 * kobj_pod_parse would refuse), it declines, and the caller takes the tree road, which also
 * words every error. Duplicate keys mean what they mean to jansson: the last one wins. */
#include "model/kobj.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "codec/jscan.h"

#define MAX_SIDECARS 16 /* as kobj.c: restartable init containers counted for restarts */

/* A member's value range in the text; v == 0 when absent (no value starts at byte 0 of an
 * object's text but the object itself). */
struct rng {
    size_t v, ve;
};

/* A string taken from the text, not NUL-terminated; p NULL when absent or null. */
struct str {
    const char *p;
    size_t len;
};

struct rd {
    const char *s;
    size_t n;
    const uint32_t *ends; /* jscan_strict's: where each string, object and array ends */
};

static bool
str_is(struct str x, const char *want)
{
    return x.p != NULL && x.len == strlen(want) && memcmp(x.p, want, x.len) == 0;
}

static bool
is_null(const struct rd *r, struct rng v)
{
    return v.v == 0 || r->s[v.v] == 'n';
}

/* The members of the object at v whose keys are in keys[0..nk), last one winning, into
 * out[]. false when v is not an object or a key holds an escape (it might spell a wanted
 * key). */
static bool
members(const struct rd *r, struct rng v, const char *const *keys, size_t nk, struct rng *out)
{
    memset(out, 0, nk * sizeof *out);
    if (r->s[v.v] != '{')
        return false;
    size_t at = v.v, vo, ve, klen;
    const char *k;
    while (jscan_member(r->s, v.ve, r->ends, &at, &k, &klen, &vo, &ve)) {
        if (memchr(k, '\\', klen) != NULL)
            return false;
        for (size_t i = 0; i < nk; i++)
            if (klen == strlen(keys[i]) && memcmp(k, keys[i], klen) == 0)
                out[i] = (struct rng){vo, ve};
    }
    return true;
}

/* An optional object: absent or null gives all members absent. */
static bool
opt_members(const struct rd *r, struct rng v, const char *const *keys, size_t nk, struct rng *out)
{
    if (is_null(r, v)) {
        memset(out, 0, nk * sizeof *out);
        return true;
    }
    return members(r, v, keys, nk, out);
}

/* An optional string without escapes. */
static bool
get_str(const struct rd *r, struct rng v, struct str *out)
{
    *out = (struct str){NULL, 0};
    if (is_null(r, v))
        return true;
    if (r->s[v.v] != '"' || memchr(r->s + v.v + 1, '\\', v.ve - v.v - 2) != NULL)
        return false;
    *out = (struct str){r->s + v.v + 1, v.ve - v.v - 2};
    return true;
}

/* An optional array: *at ready for jscan_elem, or 0 when absent. */
static bool
get_arr(const struct rd *r, struct rng v, size_t *at)
{
    *at = 0;
    if (is_null(r, v))
        return true;
    if (r->s[v.v] != '[')
        return false;
    *at = v.v;
    return true;
}

/* An optional integer as jansson reads one (no fraction, no exponent) in [0, max]. */
static bool
get_count(const struct rd *r, struct rng v, long long max, long long *out)
{
    *out = 0;
    if (is_null(r, v))
        return true;
    long long x = 0;
    for (size_t i = v.v; i < v.ve; i++) {
        if (r->s[i] < '0' || r->s[i] > '9' || i - v.v >= 18)
            return false; /* a sign, a fraction, an exponent, another type: the tree road */
        x = x * 10 + (r->s[i] - '0');
    }
    if (v.ve == v.v || x > max)
        return false;
    *out = x;
    return true;
}

/* An optional boolean. */
static bool
get_bool(const struct rd *r, struct rng v, bool *out)
{
    *out = false;
    if (is_null(r, v))
        return true;
    if (r->s[v.v] != 't' && r->s[v.v] != 'f')
        return false;
    *out = r->s[v.v] == 't';
    return true;
}

static char *
dup_or_null(struct str x)
{
    return x.p ? xstrndup(x.p, x.len) : NULL;
}

enum { MD_NAME, MD_NS, MD_LABELS, MD_ANN, MD_TS, MD__N };
static const char *const md_keys[MD__N] = {"name", "namespace", "labels", "annotations",
                                           "creationTimestamp"};
enum { LB_INSTANCE, LB_COMPONENT, LB_REPL, LB_INJECT, LB_REV, LB__N };
static const char *const lb_keys[LB__N] = {
    "app.kubernetes.io/instance", "app.kubernetes.io/component", "percona.com/replicationPod",
    "sidecar.istio.io/inject", "istio.io/rev"};
static const char *const ann_keys[1] = {"sidecar.istio.io/inject"};
enum { SP_NODE, SP_HOSTNET, SP_CONTAINERS, SP_INIT, SP__N };
static const char *const sp_keys[SP__N] = {"nodeName", "hostNetwork", "containers",
                                           "initContainers"};
enum { ST_PHASE, ST_IP, ST_CONDS, ST_CS, ST_ICS, ST__N };
static const char *const st_keys[ST__N] = {"phase", "podIP", "conditions", "containerStatuses",
                                           "initContainerStatuses"};
static const char *const name_key[1] = {"name"};
static const char *const init_keys[2] = {"name", "restartPolicy"};
static const char *const cond_keys[2] = {"type", "status"};
static const char *const cs_keys[2] = {"name", "restartCount"};

/* spec.containers and spec.initContainers, as pod_containers in kobj.c. */
static bool
containers(const struct rd *r, const struct rng *sp, bool *has_proxy, struct str *sidecars,
           int *n_sidecars)
{
    size_t at, vo, ve;
    struct rng m[2];
    struct str name, policy;
    *has_proxy = false;
    *n_sidecars = 0;
    if (!get_arr(r, sp[SP_CONTAINERS], &at))
        return false;
    while (at && jscan_elem(r->s, sp[SP_CONTAINERS].ve, r->ends, &at, &vo, &ve)) {
        if (!members(r, (struct rng){vo, ve}, name_key, 1, m) || !get_str(r, m[0], &name))
            return false;
        if (str_is(name, "istio-proxy"))
            *has_proxy = true;
    }
    if (!get_arr(r, sp[SP_INIT], &at))
        return false;
    while (at && jscan_elem(r->s, sp[SP_INIT].ve, r->ends, &at, &vo, &ve)) {
        if (!members(r, (struct rng){vo, ve}, init_keys, 2, m) || !get_str(r, m[0], &name) ||
            !get_str(r, m[1], &policy))
            return false;
        if (name.p == NULL || !str_is(policy, "Always"))
            continue;
        if (str_is(name, "istio-proxy"))
            *has_proxy = true;
        if (*n_sidecars < MAX_SIDECARS)
            sidecars[(*n_sidecars)++] = name;
    }
    return true;
}

/* The restart counts of status[key], as sum_restarts in kobj.c. */
static bool
restarts(const struct rd *r, struct rng arr, const struct str *only, int n_only, bool all, int *sum)
{
    size_t at, vo, ve;
    struct rng m[2];
    if (!get_arr(r, arr, &at))
        return false;
    while (at && jscan_elem(r->s, arr.ve, r->ends, &at, &vo, &ve)) {
        struct str name;
        long long x;
        if (!members(r, (struct rng){vo, ve}, cs_keys, 2, m) || !get_str(r, m[0], &name) ||
            !get_count(r, m[1], 1 << 30, &x))
            return false;
        bool counted = all;
        for (int j = 0; !counted && j < n_only; j++)
            counted = name.p != NULL && name.len == only[j].len &&
                      memcmp(name.p, only[j].p, name.len) == 0;
        if (counted && *sum < (1 << 30) - x)
            *sum += (int)x;
    }
    return true;
}

static bool read_pod(const struct rd *r, struct kobj_pod *out, struct kobj_pod_id *id);

bool
kobj_pod_parse_text(const char *s, size_t n, struct kobj_pod *out, struct kobj_pod_id *id)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || s[0] != '{' || n > (64u << 20))
        return false;
    /* A 7 kB pod needs 28 kB of ends: the heap, as the worker's stack is small. */
    uint32_t *ends = xreallocarray(NULL, n, sizeof *ends);
    struct rd r = {s, n, ends};
    bool ok = jscan_strict(s, 0, n, ends) == n && read_pod(&r, out, id);
    free(ends);
    return ok;
}

static bool
read_pod(const struct rd *rp, struct kobj_pod *out, struct kobj_pod_id *id)
{
    struct rd r = *rp;
    const char *s = r.s;
    size_t n = r.n;
    struct rng top[3], md[MD__N], lb[LB__N], ann[1], sp[SP__N], st[ST__N];
    static const char *const top_keys[3] = {"metadata", "spec", "status"};
    if (!members(&r, (struct rng){0, n}, top_keys, 3, top) || top[0].v == 0 ||
        !members(&r, top[0], md_keys, MD__N, md) ||
        !opt_members(&r, md[MD_LABELS], lb_keys, LB__N, lb) ||
        !opt_members(&r, md[MD_ANN], ann_keys, 1, ann) ||
        !opt_members(&r, top[1], sp_keys, SP__N, sp) ||
        !opt_members(&r, top[2], st_keys, ST__N, st))
        return false;

    struct str name, ns, ts, l[LB__N], inj_a, node, phase, ip;
    bool host_net, has_proxy, ready = false;
    struct str sidecars[MAX_SIDECARS];
    int n_sidecars, sum = 0;
    if (!get_str(&r, md[MD_NAME], &name) || name.len == 0 || !get_str(&r, md[MD_NS], &ns) ||
        !get_str(&r, md[MD_TS], &ts) || !get_str(&r, ann[0], &inj_a) ||
        !get_str(&r, sp[SP_NODE], &node) || !get_bool(&r, sp[SP_HOSTNET], &host_net) ||
        !get_str(&r, st[ST_PHASE], &phase) || !get_str(&r, st[ST_IP], &ip) ||
        ip.len >= sizeof out->ip || !containers(&r, sp, &has_proxy, sidecars, &n_sidecars))
        return false;
    for (int i = 0; i < LB__N; i++)
        if (!get_str(&r, lb[i], &l[i]))
            return false;
    int64_t created_ms = 0;
    if (ts.p != NULL) {
        char buf[64];
        if (ts.len >= sizeof buf)
            return false;
        memcpy(buf, ts.p, ts.len);
        buf[ts.len] = '\0';
        if (clock_parse_rfc3339(buf, &created_ms) != 0)
            return false;
    }
    size_t at, vo, ve;
    if (!get_arr(&r, st[ST_CONDS], &at))
        return false;
    while (at && jscan_elem(s, st[ST_CONDS].ve, r.ends, &at, &vo, &ve)) {
        struct rng m[2];
        struct str type, cst;
        if (!members(&r, (struct rng){vo, ve}, cond_keys, 2, m) || !get_str(&r, m[0], &type) ||
            !get_str(&r, m[1], &cst))
            return false;
        if (str_is(type, "Ready"))
            ready = str_is(cst, "True");
    }
    if (!restarts(&r, st[ST_CS], NULL, 0, true, &sum) ||
        !restarts(&r, st[ST_ICS], sidecars, n_sidecars, false, &sum))
        return false;

    /* Sure now: the same fields as kobj_pod_parse, the same defaults. */
    out->ns = ns.len ? xstrndup(ns.p, ns.len) : xstrdup("default");
    out->name = xstrndup(name.p, name.len);
    out->phase = phase.p ? xstrndup(phase.p, phase.len) : xstrdup("Pending");
    out->node = dup_or_null(node);
    out->instance = dup_or_null(l[LB_INSTANCE]);
    out->component = dup_or_null(l[LB_COMPONENT]);
    out->ready = ready;
    out->replication_pod = str_is(l[LB_REPL], "true");
    memcpy(out->ip, ip.p ? ip.p : "", ip.len);
    out->ip[ip.len] = '\0';
    out->restarts = sum;
    out->created_ms = created_ms;
    out->has_proxy = has_proxy;
    bool opt_out_ann = false;
    static const char *const f[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        opt_out_ann |= str_is(inj_a, f[i]);
    if (str_is(l[LB_INJECT], "false") || opt_out_ann || host_net)
        out->inject_opt = -1;
    else if (str_is(l[LB_INJECT], "true"))
        out->inject_opt = 1;
    out->rev_label = l[LB_REV].p != NULL;
    id->ns = ns.p;
    id->ns_len = ns.len;
    id->name = name.p;
    id->name_len = name.len;
    return true;
}
