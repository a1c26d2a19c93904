/* snap: the model as the status JSON and back. One format serves two readers: scripts
 * reading `pxcmesh status --json`, and `--replay`, which must rebuild the very model a
 * live console had so that the screens can be tested and shared. It is therefore a
 * faithful dump of the model, not a report: derived judgements live in findings[],
 * which the doctor fills.
 *
 * Deliberately not here: deciding anything (the doctor), fetching anything (the
 * backends), and partial merges (a snapshot replaces the whole model). Loading parses
 * into a private model and swaps struct bodies on success, because a half-loaded
 * replay would show the operator a state that never existed. */
#include "model/snap.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "codec/jscan.h"
#include "codec/jsonu.h"
#include "clock.h"
#include "xmalloc.h"

#define SNAP_MAX_FILE (256u << 20) /* a 2 x 10,000-pod snapshot is ~10 MB */

/* ------------------------------------------------------------------------------------ */
/* Loading                                                                               */

/* The byte range of one cluster's "pods" array, kept unparsed by the fast path. */
struct pods_src {
    size_t off, len; /* len 0: the cluster object carries its pods itself */
};

struct ld {
    const char *name; /* label for messages: the file name */
    struct pxerr *err;
    struct model *m; /* the private model being filled */
    const char *buf; /* the document (fast path only) */
    struct pods_src *pods; /* per cluster index, NULL: not split */
    size_t n_pods;
    char path[224];  /* JSON path of the value being read: clusters[1].pods[3] */
    size_t plen;
};

static size_t
path_key(struct ld *ld, const char *key)
{
    size_t old = ld->plen;
    int n =
        snprintf(ld->path + ld->plen, sizeof ld->path - ld->plen, "%s%s", ld->plen ? "." : "", key);
    if (n > 0)
        ld->plen = strnlen(ld->path, sizeof ld->path - 1);
    return old;
}

static size_t
path_idx(struct ld *ld, size_t i)
{
    size_t old = ld->plen;
    int n = snprintf(ld->path + ld->plen, sizeof ld->path - ld->plen, "[%zu]", i);
    if (n > 0)
        ld->plen = strnlen(ld->path, sizeof ld->path - 1);
    return old;
}

static void
path_pop(struct ld *ld, size_t old)
{
    ld->plen = old;
    ld->path[old] = '\0';
}

static int PXC_PRINTF(2, 3) fail(struct ld *ld, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pxerr_set(ld->err, PXE_SCHEMA, "%s: %s: %s", ld->name,
                     ld->plen ? ld->path : "(top level)", msg);
}

enum want { W_STR, W_BOOL, W_INT, W_NUM, W_OBJ, W_ARR };

static const char *const want_word[] = {"string", "boolean", "integer",
                                        "number", "object",  "array"};

static bool
type_ok(const json_t *v, enum want w)
{
    switch (w) {
    case W_STR:
        return json_is_string(v);
    case W_BOOL:
        return json_is_boolean(v);
    case W_INT:
        return json_is_integer(v);
    case W_NUM:
        return json_is_number(v);
    case W_OBJ:
        return json_is_object(v);
    case W_ARR:
        return json_is_array(v);
    }
    return false;
}

/* Field flags. */
enum { F_REQ = 1, F_NULL = 2 };

/* Look up key in obj and check its type. *out is NULL when the field is absent or (with
 * F_NULL) null. Returns 0 or the error. */
static int
field(struct ld *ld, json_t *obj, const char *key, enum want w, int flags, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || (json_is_null(v) && (flags & F_NULL))) {
        if (v == NULL && (flags & F_REQ)) {
            size_t old = path_key(ld, key);
            int rc = fail(ld, "missing; a %s is required here", want_word[w]);
            path_pop(ld, old);
            return rc;
        }
        return 0;
    }
    if (!type_ok(v, w)) {
        size_t old = path_key(ld, key);
        int rc = fail(ld, "expected %s%s, got %s", want_word[w], (flags & F_NULL) ? " or null" : "",
                      jsonu_type_name(v));
        path_pop(ld, old);
        return rc;
    }
    *out = v;
    return 0;
}

/* String field: *out borrowed from the JSON, or dflt. */
static int
get_str(struct ld *ld, json_t *obj, const char *key, int flags, const char *dflt, const char **out)
{
    json_t *v;
    int rc = field(ld, obj, key, W_STR, flags, &v);
    if (rc != 0)
        return rc;
    *out = v ? json_string_value(v) : dflt;
    return 0;
}

/* String that must fit a fixed buffer of n bytes (identifiers: an over-long one is a
 * broken file, not something to cut silently). */
static int
get_fixed(struct ld *ld, json_t *obj, const char *key, char *buf, size_t n)
{
    const char *s;
    int rc = get_str(ld, obj, key, F_NULL, "", &s);
    if (rc != 0)
        return rc;
    if (strlen(s) >= n) {
        size_t old = path_key(ld, key);
        rc = fail(ld, "\"%.40s...\" is too long (at most %zu characters)", s, n - 1);
        path_pop(ld, old);
        return rc;
    }
    memcpy(buf, s, strlen(s) + 1);
    return 0;
}

/* Free text into a fixed buffer: truncated, as the live backends truncate it. */
static int
get_text(struct ld *ld, json_t *obj, const char *key, char *buf, size_t n)
{
    const char *s;
    int rc = get_str(ld, obj, key, F_NULL, "", &s);
    if (rc == 0)
        snprintf(buf, n, "%s", s);
    return rc;
}

static int
get_bool(struct ld *ld, json_t *obj, const char *key, bool *out)
{
    json_t *v;
    int rc = field(ld, obj, key, W_BOOL, 0, &v);
    if (rc == 0)
        *out = v ? json_is_true(v) : false;
    return rc;
}

static int
get_int(struct ld *ld, json_t *obj, const char *key, int flags, long long min, long long max,
        long long dflt, long long *out)
{
    json_t *v;
    int rc = field(ld, obj, key, W_INT, flags, &v);
    if (rc != 0)
        return rc;
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    long long x = json_integer_value(v);
    if (x < min || x > max) {
        size_t old = path_key(ld, key);
        rc = fail(ld, "%lld is out of range (%lld..%lld)", x, min, max);
        path_pop(ld, old);
        return rc;
    }
    *out = x;
    return 0;
}

static int
get_i(struct ld *ld, json_t *obj, const char *key, int flags, int min, int max, int dflt, int *out)
{
    long long x = dflt; /* get_int sets it on success; the initialiser quiets -O2's doubt */
    int rc = get_int(ld, obj, key, flags, min, max, dflt, &x);
    if (rc == 0)
        *out = (int)x;
    return rc;
}

static int
get_num(struct ld *ld, json_t *obj, const char *key, int flags, double dflt, double *out)
{
    json_t *v;
    int rc = field(ld, obj, key, W_NUM, flags, &v);
    if (rc == 0)
        *out = v ? json_number_value(v) : dflt;
    return rc;
}

/* RFC 3339 time or null/absent (0). */
static int
get_time(struct ld *ld, json_t *obj, const char *key, int flags, int64_t *out)
{
    const char *s;
    int rc = get_str(ld, obj, key, flags | F_NULL, NULL, &s);
    if (rc != 0)
        return rc;
    *out = 0;
    if (s == NULL)
        return 0;
    if (clock_parse_rfc3339(s, out) != 0) {
        size_t old = path_key(ld, key);
        rc = fail(ld, "\"%.60s\" is not an RFC 3339 time (like 2026-11-25T08:00:00Z)", s);
        path_pop(ld, old);
        return rc;
    }
    return 0;
}

static int
set_owned(struct ld *ld, json_t *obj, const char *key, int flags, char **field_p)
{
    const char *s;
    int rc = get_str(ld, obj, key, flags | F_NULL, "", &s);
    if (rc == 0)
        model_set_str(field_p, s);
    return rc;
}

static int
get_interned(struct ld *ld, json_t *obj, const char *key, int flags, const char *dflt,
             const char **out)
{
    const char *s;
    int rc = get_str(ld, obj, key, flags | F_NULL, dflt, &s);
    if (rc == 0)
        *out = intern_str(&ld->m->strings, s);
    return rc;
}

/* true/false/null into the model's 0 unknown, 1 off (false), 2 on (true). */
static int
get_tristate(struct ld *ld, json_t *obj, const char *key, signed char *out)
{
    json_t *v;
    int rc = field(ld, obj, key, W_BOOL, F_NULL, &v);
    if (rc == 0)
        *out = v == NULL ? 0 : json_is_true(v) ? 2 : 1;
    return rc;
}

static json_t *
w_tristate(signed char v)
{
    return v == 0 ? json_null() : json_boolean(v == 2);
}

/* Iterate an optional array field whose elements must be objects: calls fn for each
 * element with the path set to key[i]. */
typedef int elem_fn(struct ld *ld, json_t *elem, size_t i, void *arg);

static int
each(struct ld *ld, json_t *obj, const char *key, int flags, enum want elem_want, elem_fn *fn,
     void *arg)
{
    json_t *arr;
    int rc = field(ld, obj, key, W_ARR, flags | F_NULL, &arr);
    if (rc != 0 || arr == NULL)
        return rc;
    size_t old = path_key(ld, key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        size_t o2 = path_idx(ld, i);
        if (!type_ok(e, elem_want))
            rc = fail(ld, "expected %s, got %s", want_word[elem_want], jsonu_type_name(e));
        else
            rc = fn(ld, e, i, arg);
        if (rc != 0)
            return rc; /* keep the path in the message: ld is discarded on error */
        path_pop(ld, o2);
    }
    path_pop(ld, old);
    return 0;
}

/* ---- namespaces ---- */

static int
ld_namespace(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *name, *inj;
    int rc;
    if ((rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0 ||
        (rc = get_str(ld, o, "injection", 0, "none", &inj)) != 0)
        return rc;
    if (model_ns_find(c, name) != NULL)
        return fail(ld, "namespace \"%s\" listed twice", name);
    enum injection_mode mode;
    const char *rev = NULL;
    if (strcmp(inj, "enabled") == 0) {
        mode = INJ_ENABLED;
    } else if (strcmp(inj, "disabled") == 0) {
        mode = INJ_DISABLED;
    } else if (strcmp(inj, "none") == 0) {
        mode = INJ_NONE;
    } else if (strncmp(inj, "revision:", 9) == 0 && inj[9] != '\0') {
        mode = INJ_REVISION;
        rev = inj + 9;
    } else {
        size_t old = path_key(ld, "injection");
        rc = fail(ld, "unknown value \"%.40s\" (expected enabled, disabled, none or revision:REV)",
                  inj);
        path_pop(ld, old);
        return rc;
    }
    int64_t created;
    if ((rc = get_time(ld, o, "createdAt", 0, &created)) != 0)
        return rc;
    struct m_namespace *ns = model_ns_upsert(ld->m, c, name);
    ns->injection = mode;
    ns->revision = intern_str(&ld->m->strings, rev);
    ns->created_ms = created;
    return 0;
}

/* ---- pods ---- */

static int
ld_galera(struct ld *ld, json_t *o, struct m_galera *g)
{
    int rc;
    size_t old = path_key(ld, "galera");
    g->known = true;
    if ((rc = get_interned(ld, o, "state", 0, "", &g->state)) != 0 ||
        (rc = get_i(ld, o, "clusterSize", F_NULL, -1, 1000000, -1, &g->cluster_size)) != 0 ||
        (rc = get_interned(ld, o, "status", 0, "", &g->status)) != 0 ||
        (rc = get_bool(ld, o, "ready", &g->ready)) != 0 ||
        (rc = get_bool(ld, o, "connected", &g->connected)) != 0 ||
        (rc = get_num(ld, o, "flowControlPaused", 0, 0, &g->fc_paused)) != 0 ||
        (rc = get_i(ld, o, "recvQueue", 0, 0, 1 << 30, 0, &g->recv_queue)) != 0 ||
        (rc = get_i(ld, o, "sendQueue", 0, 0, 1 << 30, 0, &g->send_queue)) != 0 ||
        (rc = get_time(ld, o, "updatedAt", 0, &g->updated_ms)) != 0 ||
        (rc = get_interned(ld, o, "error", F_NULL, "", &g->error)) != 0)
        return rc;
    if (g->error != NULL && g->error[0] == '\0')
        g->error = NULL; /* the model says "no error" with NULL */
    path_pop(ld, old);
    return 0;
}

/* A pod's identity and sidecar word, checked before its other fields (so the first error of
 * a bad pod is the same whichever reader found it). */
static int
pod_check(struct ld *ld, struct m_cluster *c, const char *ns, const char *name, const char *sc,
          enum sidecar_state *out)
{
    if (model_pod_find(c, ns, name) != NULL)
        return fail(ld, "pod %s/%s listed twice", ns, name);
    enum sidecar_state side;
    if (strcmp(sc, "injected") == 0) {
        side = SIDECAR_INJECTED;
    } else if (strcmp(sc, "missing") == 0) {
        side = SIDECAR_MISSING;
    } else if (strcmp(sc, "disabled") == 0) {
        side = SIDECAR_DISABLED;
    } else {
        size_t old = path_key(ld, "sidecar");
        int rc = fail(ld, "unknown value \"%.40s\" (expected injected, missing or disabled)", sc);
        path_pop(ld, old);
        return rc;
    }
    *out = side;
    return 0;
}

/* A pod read (by ld_pod or pod_fast) goes into the model. */
static void
pod_store(struct ld *ld, struct m_cluster *c, const char *ns, const char *name,
          enum sidecar_state side, const struct m_pod *p)
{
    struct m_pod *dst = model_pod_upsert(ld->m, c, ns, name);
    dst->phase = p->phase;
    dst->ready = p->ready;
    memcpy(dst->ip, p->ip, sizeof p->ip);
    dst->node = intern_str(&ld->m->strings, p->node);
    dst->sidecar = side;
    dst->restart_needed = p->restart_needed;
    dst->instance = intern_str(&ld->m->strings, p->instance);
    dst->component = intern_str(&ld->m->strings, p->component);
    dst->replication_pod = p->replication_pod;
    dst->restarts = p->restarts;
    dst->created_ms = p->created_ms;
    dst->has_proxy = side == SIDECAR_INJECTED;
    dst->read_only = p->read_only;
    dst->galera = p->galera;
}

static int
ld_pod(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *ns, *name, *sc;
    int rc;
    if ((rc = get_str(ld, o, "namespace", F_REQ, NULL, &ns)) != 0 ||
        (rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0 ||
        (rc = get_str(ld, o, "sidecar", 0, "disabled", &sc)) != 0)
        return rc;
    enum sidecar_state side = SIDECAR_DISABLED;
    if ((rc = pod_check(ld, c, ns, name, sc, &side)) != 0)
        return rc;
    /* Parse into a local copy first so that a bad field leaves no half pod behind
     * (the whole private model is dropped anyway, but the pod index must stay sane). */
    struct m_pod p = {.galera = {.cluster_size = -1}};
    json_t *g;
    if ((rc = get_interned(ld, o, "phase", 0, "Unknown", &p.phase)) != 0 ||
        (rc = get_bool(ld, o, "ready", &p.ready)) != 0 ||
        (rc = get_fixed(ld, o, "ip", p.ip, sizeof p.ip)) != 0 ||
        (rc = get_bool(ld, o, "restartNeeded", &p.restart_needed)) != 0 ||
        (rc = get_str(ld, o, "node", F_NULL, NULL, &p.node)) != 0 ||
        (rc = get_str(ld, o, "instance", F_NULL, NULL, &p.instance)) != 0 ||
        (rc = get_str(ld, o, "component", F_NULL, NULL, &p.component)) != 0 ||
        (rc = get_bool(ld, o, "replicationPod", &p.replication_pod)) != 0 ||
        (rc = get_i(ld, o, "restarts", 0, 0, 1 << 30, 0, &p.restarts)) != 0 ||
        (rc = get_time(ld, o, "createdAt", 0, &p.created_ms)) != 0 ||
        (rc = get_tristate(ld, o, "readOnly", &p.read_only)) != 0 ||
        (rc = field(ld, o, "galera", W_OBJ, F_NULL, &g)) != 0)
        return rc;
    if (g != NULL && (rc = ld_galera(ld, g, &p.galera)) != 0)
        return rc;
    pod_store(ld, c, ns, name, side, &p);
    return 0;
}

/* ---- PXC custom resources ---- */

static int
ld_pxc_source(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_pxc_channel *ch = arg;
    struct m_pxc_source *s = &ch->sources[i];
    const char *host;
    int rc;
    if ((rc = get_str(ld, o, "host", F_REQ, NULL, &host)) != 0 ||
        (rc = get_i(ld, o, "port", 0, 0, 65535, 3306, &s->port)) != 0 ||
        (rc = get_i(ld, o, "weight", 0, 0, 1000000, 100, &s->weight)) != 0)
        return rc;
    s->host = xstrdup(host);
    ch->n_sources = (int)i + 1;
    return 0;
}

static int
ld_pxc_channel(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_pxc *x = arg;
    const char *name;
    int rc;
    json_t *srcs;
    if ((rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0 ||
        (rc = field(ld, o, "sources", W_ARR, F_NULL, &srcs)) != 0)
        return rc;
    struct m_pxc_channel *ch = xcalloc(1, sizeof *ch);
    ch->name = xstrdup(name);
    vec_push(&x->channels, ch); /* owned by x from here, so an error below frees it */
    if ((rc = get_bool(ld, o, "isSource", &ch->is_source)) != 0)
        return rc;
    if (srcs != NULL && json_array_size(srcs) > 0) {
        ch->sources = xcalloc(json_array_size(srcs), sizeof *ch->sources);
        if ((rc = each(ld, o, "sources", 0, W_OBJ, ld_pxc_source, ch)) != 0)
            return rc;
    }
    return 0;
}

static int
ld_pxc(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *ns, *name;
    int rc;
    if ((rc = get_str(ld, o, "namespace", F_REQ, NULL, &ns)) != 0 ||
        (rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0)
        return rc;
    if (model_pxc_find(c, ns, name) != NULL)
        return fail(ld, "PXC cluster %s/%s listed twice", ns, name);
    struct m_pxc *x = model_pxc_upsert(ld->m, c, ns, name);
    const char *secrets;
    if ((rc = get_interned(ld, o, "state", 0, "unknown", &x->state)) != 0 ||
        (rc = get_i(ld, o, "size", 0, 0, 1000, 0, &x->size)) != 0 ||
        (rc = get_i(ld, o, "ready", 0, 0, 1000, 0, &x->ready)) != 0 ||
        (rc = get_bool(ld, o, "expose", &x->expose)) != 0 ||
        (rc = get_str(ld, o, "secretsName", F_NULL, NULL, &secrets)) != 0 ||
        (rc = each(ld, o, "replicationChannels", 0, W_OBJ, ld_pxc_channel, x)) != 0)
        return rc;
    x->secrets_name = xstrdup_or_null(secrets);
    return 0;
}

/* ---- ServiceEntries ---- */

static int
ld_se_host(struct ld *ld, json_t *e, size_t i, void *arg)
{
    char **list = arg;
    list[i] = xstrdup(json_string_value(e));
    return 0;
}

static int
ld_se_port(struct ld *ld, json_t *e, size_t i, void *arg)
{
    struct m_sentry *se = arg;
    struct m_port *p = &se->ports[i];
    int rc;
    if ((rc = get_i(ld, e, "number", F_REQ, 0, 65535, 0, &p->number)) != 0 ||
        (rc = get_fixed(ld, e, "name", p->name, sizeof p->name)) != 0 ||
        (rc = get_fixed(ld, e, "protocol", p->protocol, sizeof p->protocol)) != 0)
        return rc;
    se->n_ports = (int)i + 1;
    return 0;
}

static int
ld_se_endpoint(struct ld *ld, json_t *e, size_t i, void *arg)
{
    struct m_sentry *se = arg;
    struct m_endpoint *ep = &se->endpoints[i];
    int rc;
    if ((rc = field(ld, e, "address", W_STR, F_REQ, &(json_t *){NULL})) != 0 ||
        (rc = get_fixed(ld, e, "address", ep->address, sizeof ep->address)) != 0 ||
        (rc = get_i(ld, e, "port", F_NULL, 0, 65535, 0, &ep->port)) != 0)
        return rc;
    se->n_endpoints = (int)i + 1;
    return 0;
}

static int
ld_sentry(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *ns, *name;
    int rc;
    if ((rc = get_str(ld, o, "namespace", F_REQ, NULL, &ns)) != 0 ||
        (rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0)
        return rc;
    if (model_sentry_find(c, ns, name) != NULL)
        return fail(ld, "ServiceEntry %s/%s listed twice", ns, name);
    struct m_sentry *se = model_sentry_upsert(ld->m, c, ns, name);
    json_t *hosts, *addrs, *ports, *eps;
    if ((rc = field(ld, o, "hosts", W_ARR, F_NULL, &hosts)) != 0 ||
        (rc = field(ld, o, "addresses", W_ARR, F_NULL, &addrs)) != 0 ||
        (rc = field(ld, o, "ports", W_ARR, F_NULL, &ports)) != 0 ||
        (rc = field(ld, o, "endpoints", W_ARR, F_NULL, &eps)) != 0)
        return rc;
    /* Arrays are allocated zeroed up front (counts raised per element for ports and
     * endpoints), so that an error part-way leaves an object model_free can free. */
    if (hosts && json_array_size(hosts)) {
        se->n_hosts = (int)json_array_size(hosts); /* unfilled slots stay NULL */
        se->hosts = xcalloc(json_array_size(hosts), sizeof *se->hosts);
        if ((rc = each(ld, o, "hosts", 0, W_STR, ld_se_host, se->hosts)) != 0)
            return rc;
    }
    if (addrs && json_array_size(addrs)) {
        se->n_addresses = (int)json_array_size(addrs);
        se->addresses = xcalloc(json_array_size(addrs), sizeof *se->addresses);
        if ((rc = each(ld, o, "addresses", 0, W_STR, ld_se_host, se->addresses)) != 0)
            return rc;
    }
    if (ports && json_array_size(ports)) {
        se->ports = xcalloc(json_array_size(ports), sizeof *se->ports);
        if ((rc = each(ld, o, "ports", 0, W_OBJ, ld_se_port, se)) != 0)
            return rc;
    }
    if (eps && json_array_size(eps)) {
        se->endpoints = xcalloc(json_array_size(eps), sizeof *se->endpoints);
        if ((rc = each(ld, o, "endpoints", 0, W_OBJ, ld_se_endpoint, se)) != 0)
            return rc;
    }
    if ((rc = get_interned(ld, o, "location", 0, "MESH_EXTERNAL", &se->location)) != 0 ||
        (rc = get_interned(ld, o, "resolution", 0, "NONE", &se->resolution)) != 0 ||
        (rc = get_time(ld, o, "changedAt", 0, &se->changed_ms)) != 0)
        return rc;
    return 0;
}

/* ---- replication channels ---- */

static int
get_thread(struct ld *ld, json_t *o, const char *key, enum thread_state *out)
{
    const char *s;
    int rc = get_str(ld, o, key, F_NULL, NULL, &s);
    if (rc != 0)
        return rc;
    if (s == NULL)
        *out = THR_UNKNOWN;
    else if (strcmp(s, "Yes") == 0)
        *out = THR_YES;
    else if (strcmp(s, "No") == 0)
        *out = THR_NO;
    else if (strcmp(s, "Connecting") == 0)
        *out = THR_CONNECTING;
    else {
        size_t old = path_key(ld, key);
        rc = fail(ld, "unknown value \"%.40s\" (expected \"Yes\", \"No\", \"Connecting\" or null)",
                  s);
        path_pop(ld, old);
    }
    return rc;
}

static int
ld_lag(struct ld *ld, json_t *e, size_t i, void *arg)
{
    struct m_channel *ch = arg;
    if (json_is_null(e)) {
        model_channel_push_lag(ch, -1);
        return 0;
    }
    if (!json_is_number(e))
        return fail(ld, "expected number or null, got %s", jsonu_type_name(e));
    double v = json_number_value(e);
    model_channel_push_lag(ch, v < 0 ? -1 : v);
    return 0;
}

static int
ld_failover(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_channel *ch = arg;
    struct m_failover_source *f = &ch->failover[i];
    int rc;
    if ((rc = field(ld, o, "host", W_STR, F_REQ, &(json_t *){NULL})) != 0 ||
        (rc = get_fixed(ld, o, "host", f->host, sizeof f->host)) != 0 ||
        (rc = get_i(ld, o, "port", 0, 0, 65535, 3306, &f->port)) != 0 ||
        (rc = get_i(ld, o, "weight", 0, 0, 1000000, 0, &f->weight)) != 0 ||
        (rc = get_bool(ld, o, "inUse", &f->in_use)) != 0)
        return rc;
    ch->n_failover = (int)i + 1;
    return 0;
}

static int
ld_channel(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *name, *server;
    int rc;
    if ((rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0 ||
        (rc = get_str(ld, o, "server", F_REQ, NULL, &server)) != 0)
        return rc;
    if (model_channel_find(c, server, name) != NULL)
        return fail(ld, "channel \"%s\" on %s listed twice", name, server);
    struct m_channel *ch = model_channel_upsert(ld->m, c, server, name);
    json_t *hist, *fo;
    long long gap;
    if ((rc = set_owned(ld, o, "sourceHost", 0, &ch->source_host)) != 0 ||
        (rc = get_i(ld, o, "sourcePort", F_NULL, 0, 65535, 0, &ch->source_port)) != 0 ||
        (rc = get_thread(ld, o, "ioRunning", &ch->io)) != 0 ||
        (rc = get_thread(ld, o, "sqlRunning", &ch->sql)) != 0 ||
        (rc = set_owned(ld, o, "ioState", 0, &ch->io_state)) != 0 ||
        (rc = set_owned(ld, o, "sqlState", 0, &ch->sql_state)) != 0 ||
        (rc = get_num(ld, o, "lagSeconds", F_NULL, -1, &ch->lag_s)) != 0 ||
        (rc = get_bool(ld, o, "lagFromHeartbeat", &ch->lag_from_heartbeat)) != 0 ||
        (rc = get_i(ld, o, "lastIoErrno", F_NULL, 0, 1 << 30, 0, &ch->last_io_errno)) != 0 ||
        (rc = set_owned(ld, o, "lastIoError", 0, &ch->last_io_error)) != 0 ||
        (rc = get_time(ld, o, "lastIoErrorAt", 0, &ch->last_io_error_ms)) != 0 ||
        (rc = get_i(ld, o, "lastSqlErrno", F_NULL, 0, 1 << 30, 0, &ch->last_sql_errno)) != 0 ||
        (rc = set_owned(ld, o, "lastSqlError", 0, &ch->last_sql_error)) != 0 ||
        (rc = get_time(ld, o, "lastSqlErrorAt", 0, &ch->last_sql_error_ms)) != 0 ||
        (rc = set_owned(ld, o, "retrievedGtidSet", 0, &ch->retrieved_gtid)) != 0 ||
        (rc = set_owned(ld, o, "executedGtidSet", 0, &ch->executed_gtid)) != 0 ||
        (rc = get_int(ld, o, "gtidGap", F_NULL, -1, INT64_MAX, -1, &gap)) != 0 ||
        (rc = get_bool(ld, o, "autoPosition", &ch->auto_position)) != 0 ||
        (rc = get_i(ld, o, "retryCount", 0, 0, 1 << 30, 0, &ch->retry_count)) != 0 ||
        (rc = get_time(ld, o, "stateSince", 0, &ch->state_since_ms)) != 0 ||
        (rc = get_time(ld, o, "updatedAt", 0, &ch->updated_ms)) != 0 ||
        (rc = get_text(ld, o, "error", ch->error, sizeof ch->error)) != 0 ||
        (rc = get_tristate(ld, o, "gtid", &ch->gtid_mode)) != 0 ||
        (rc = get_interned(ld, o, "lagSource", 0, NULL, &ch->lag_source)) != 0 ||
        (rc = get_bool(ld, o, "lagUnreliable", &ch->lag_unreliable)) != 0 ||
        (rc = get_time(ld, o, "lastHeartbeatAt", 0, &ch->last_heartbeat_ms)) != 0 ||
        (rc = get_interned(ld, o, "dialect", 0, NULL, &ch->dialect)) != 0 ||
        (rc = field(ld, o, "failoverSources", W_ARR, F_NULL, &fo)) != 0 ||
        (rc = field(ld, o, "lagHistory", W_ARR, F_NULL, &hist)) != 0)
        return rc;
    size_t n_fo = json_array_size(fo);
    if (n_fo > sizeof ch->failover / sizeof ch->failover[0]) {
        size_t old = path_key(ld, "failoverSources");
        rc = fail(ld, "%zu sources, at most %zu", n_fo,
                  sizeof ch->failover / sizeof ch->failover[0]);
        path_pop(ld, old);
        return rc;
    }
    if (fo != NULL && (rc = each(ld, o, "failoverSources", 0, W_OBJ, ld_failover, ch)) != 0)
        return rc;
    if (ch->lag_s < 0)
        ch->lag_s = -1;
    ch->gtid_gap = gap;
    /* The ring keeps the newest LAG_HISTORY samples, as it does live. */
    if (hist != NULL) {
        size_t old = path_key(ld, "lagHistory");
        size_t k;
        json_t *e;
        json_array_foreach(hist, k, e) {
            size_t o2 = path_idx(ld, k);
            if ((rc = ld_lag(ld, e, k, ch)) != 0)
                return rc;
            path_pop(ld, o2);
        }
        path_pop(ld, old);
    }
    return 0;
}

/* ---- nodes ---- */

static int
ld_node(struct ld *ld, json_t *o, size_t i, void *arg)
{
    struct m_cluster *c = arg;
    const char *name;
    int rc;
    if ((rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0)
        return rc;
    for (size_t k = 0; k < c->nodes.n; k++)
        if (strcmp(((struct m_node *)c->nodes.items[k])->name, name) == 0)
            return fail(ld, "node \"%s\" listed twice", name);
    struct m_node *n = model_node_upsert(ld->m, c, name);
    if ((rc = get_fixed(ld, o, "internalIP", n->internal_ip, sizeof n->internal_ip)) != 0 ||
        (rc = get_fixed(ld, o, "externalIP", n->external_ip, sizeof n->external_ip)) != 0)
        return rc;
    return 0;
}

/* Walking a document without building it (the fast path below, and pod_fast): fn gets
 * each member's key bytes and value range; a non-zero return stops the walk as odd. */
typedef int member_fn(const char *s, const char *key, size_t klen, size_t vo, size_t ve,
                      void *arg);

/* The members of the object at s[i] == '{'. Returns the end of the object, 0 if odd. */
static size_t
scan_object(const char *s, size_t i, size_t n, member_fn *fn, void *arg)
{
    i = jscan_ws(s, i + 1, n);
    if (i < n && s[i] == '}')
        return i + 1;
    for (;;) {
        if (i >= n || s[i] != '"')
            return 0;
        size_t ke = jscan_string(s, i, n);
        if (ke == 0 || memchr(s + i + 1, '\\', ke - i - 2) != NULL)
            return 0;
        size_t v = jscan_ws(s, ke, n);
        if (v >= n || s[v] != ':')
            return 0;
        v = jscan_ws(s, v + 1, n);
        size_t ve = jscan_value(s, v, n);
        if (ve == 0 || ve >= n || fn(s, s + i + 1, ke - i - 2, v, ve, arg) != 0)
            return 0;
        i = jscan_ws(s, ve, n);
        if (i < n && s[i] == '}')
            return i + 1;
        if (i >= n || s[i] != ',')
            return 0;
        i = jscan_ws(s, i + 1, n);
    }
}

/* The elements of the array at s[i] == '['; fn gets each one's range. Returns 0, -1 if odd. */
typedef int elem_range_fn(const char *s, size_t vo, size_t ve, void *arg);

static int
scan_array(const char *s, size_t i, size_t n, elem_range_fn *fn, void *arg)
{
    i = jscan_ws(s, i + 1, n);
    if (i < n && s[i] == ']')
        return 0;
    for (;;) {
        size_t e = jscan_value(s, i, n);
        if (e == 0 || e >= n || (fn != NULL && fn(s, i, e, arg) != 0))
            return -1;
        i = jscan_ws(s, e, n);
        if (i < n && s[i] == ']')
            return 0;
        if (i >= n || s[i] != ',')
            return -1;
        i = jscan_ws(s, i + 1, n);
    }
}

/* A pod as `status --json` writes it, read without building a tree: ASCII strings without
 * escapes, true/false/null, small integers, galera null. *done says whether it was read
 * (and stored); a pod with anything else is left to jansson and ld_pod, which word every
 * error. Returns 0 or the schema error of pod_check. */
enum {
    PF_NS, PF_NAME, PF_SIDECAR, PF_PHASE, PF_READY, PF_IP, PF_RESTART, PF_NODE, PF_INSTANCE,
    PF_COMPONENT, PF_REPL, PF_RESTARTS, PF_CREATED, PF_RO, PF_GALERA, PF_N
};
static const char *const pf_key[PF_N] = {
    "namespace", "name",      "sidecar",        "phase",    "ready",     "ip",       "restartNeeded",
    "node",      "instance",  "component",      "replicationPod", "restarts", "createdAt",
    "readOnly",  "galera"};

struct pf_val {
    char kind; /* 0 absent, 's' string (at off in the arena), 't', 'f', 'n', 'i' */
    size_t off;
    long long i;
};

/* The value at s[vo..ve) into v (strings copied into arena). false: not a simple value. */
static bool
pf_value(const char *s, size_t vo, size_t ve, struct pf_val *v, struct strbuf *arena)
{
    size_t n = ve - vo;
    if (s[vo] == '"') {
        for (size_t q = vo + 1; q < ve - 1; q++) {
            unsigned char ch = (unsigned char)s[q];
            if (ch == '\\' || ch < 0x20 || ch >= 0x80)
                return false;
        }
        v->kind = 's';
        v->off = arena->len;
        strbuf_appendn(arena, s + vo + 1, n - 2);
        strbuf_appendc(arena, '\0');
        return true;
    }
    if (n == 4 && memcmp(s + vo, "true", 4) == 0)
        v->kind = 't';
    else if (n == 5 && memcmp(s + vo, "false", 5) == 0)
        v->kind = 'f';
    else if (n == 4 && memcmp(s + vo, "null", 4) == 0)
        v->kind = 'n';
    else {
        /* A JSON integer of at most 9 digits: no sign, fraction, exponent or leading zero. */
        if (n > 9 || (s[vo] == '0' && n > 1))
            return false;
        long long x = 0;
        for (size_t q = vo; q < ve; q++) {
            if (s[q] < '0' || s[q] > '9')
                return false;
            x = x * 10 + (s[q] - '0');
        }
        v->kind = 'i';
        v->i = x;
    }
    return true;
}

struct pf_ctx {
    struct pf_val *v;
    struct strbuf *arena;
};

static int
pf_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct pf_ctx *x = arg;
    int f = 0;
    while (f < PF_N && (strlen(pf_key[f]) != klen || memcmp(pf_key[f], key, klen) != 0))
        f++;
    if (f == PF_N || x->v[f].kind != 0) /* unknown or twice */
        return -1;
    return pf_value(s, vo, ve, &x->v[f], x->arena) ? 0 : -1;
}

static int
pod_fast(struct ld *ld, const char *s, size_t n, struct m_cluster *c, struct strbuf *arena,
         bool *done)
{
    struct pf_val v[PF_N] = {{0}};
    *done = false;
    strbuf_reset(arena);
    if (scan_object(s, 0, n, pf_member, &(struct pf_ctx){v, arena}) != n)
        return 0;
#define STR(f) (arena->s + v[f].off)
#define OPT_STR(f, dflt) (v[f].kind == 's' ? STR(f) : (dflt))
    /* The shapes ld_pod accepts; anything else is its to word. */
    if (v[PF_NS].kind != 's' || v[PF_NAME].kind != 's' ||
        (v[PF_SIDECAR].kind != 0 && v[PF_SIDECAR].kind != 's'))
        return 0;
    for (int f = PF_PHASE; f < PF_N; f++) {
        char k = v[f].kind;
        bool is_bool = f == PF_READY || f == PF_RESTART || f == PF_REPL;
        bool ok = k == 0 || (is_bool && (k == 't' || k == 'f')) ||
                  (f == PF_RESTARTS && k == 'i' && v[f].i <= (1 << 30)) ||
                  (f == PF_RO && (k == 't' || k == 'f' || k == 'n')) ||
                  (f == PF_GALERA && k == 'n') ||
                  (!is_bool && f != PF_RESTARTS && f != PF_RO && f != PF_GALERA &&
                   (k == 's' || k == 'n'));
        if (!ok)
            return 0;
    }
    struct m_pod p = {.galera = {.cluster_size = -1}};
    if (v[PF_IP].kind == 's') {
        if (strlen(STR(PF_IP)) >= sizeof p.ip)
            return 0;
        memcpy(p.ip, STR(PF_IP), strlen(STR(PF_IP)) + 1);
    }
    if (v[PF_CREATED].kind == 's' && clock_parse_rfc3339(STR(PF_CREATED), &p.created_ms) != 0)
        return 0;
    enum sidecar_state side = SIDECAR_DISABLED;
    int rc = pod_check(ld, c, STR(PF_NS), STR(PF_NAME), OPT_STR(PF_SIDECAR, "disabled"), &side);
    if (rc != 0)
        return rc;
    p.phase = intern_str(&ld->m->strings, OPT_STR(PF_PHASE, "Unknown"));
    p.ready = v[PF_READY].kind == 't';
    p.restart_needed = v[PF_RESTART].kind == 't';
    p.node = OPT_STR(PF_NODE, NULL);
    p.instance = OPT_STR(PF_INSTANCE, NULL);
    p.component = OPT_STR(PF_COMPONENT, NULL);
    p.replication_pod = v[PF_REPL].kind == 't';
    p.restarts = v[PF_RESTARTS].kind == 'i' ? (int)v[PF_RESTARTS].i : 0;
    p.read_only = v[PF_RO].kind == 't' ? 2 : v[PF_RO].kind == 'f' ? 1 : 0;
    pod_store(ld, c, STR(PF_NS), STR(PF_NAME), side, &p);
#undef STR
#undef OPT_STR
    *done = true;
    return 0;
}

/* The pods of cluster i: from its object, or item by item from the range the fast path
 * kept (one small tree at a time). A piece jansson refuses is PXE_PARSE, which sends the
 * load to the whole-document parse for its exact message. */
static int
each_pod(struct ld *ld, json_t *o, size_t ci, struct m_cluster *c)
{
    if (ld->pods == NULL || ci >= ld->n_pods || ld->pods[ci].len == 0)
        return each(ld, o, "pods", 0, W_OBJ, ld_pod, c);
    const char *s = ld->buf + ld->pods[ci].off;
    size_t n = ld->pods[ci].len, i = jscan_ws(s, 1, n), k = 0;
    size_t old = path_key(ld, "pods");
    struct strbuf arena;
    strbuf_init(&arena);
    int rc = 0;
    while (rc == 0 && i < n && s[i] != ']') {
        size_t e = jscan_value(s, i, n);
        if (e == 0) {
            rc = pxerr_set(ld->err, PXE_PARSE, "%s: malformed pod", ld->name);
            break;
        }
        size_t o2 = path_idx(ld, k);
        bool done = false;
        if (s[i] == '{' && (rc = pod_fast(ld, s + i, e - i, c, &arena, &done)) != 0)
            break;
        if (!done) {
            json_t *pod = json_loadb(s + i, e - i, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
            if (pod == NULL) {
                rc = pxerr_set(ld->err, PXE_PARSE, "%s: malformed pod", ld->name);
                break;
            }
            rc = json_is_object(pod) ? ld_pod(ld, pod, k, c)
                                     : fail(ld, "expected object, got %s", jsonu_type_name(pod));
            json_decref(pod);
            if (rc != 0)
                break;
        }
        path_pop(ld, o2);
        k++;
        i = jscan_ws(s, e, n);
        if (i < n && s[i] == ',')
            i = jscan_ws(s, i + 1, n);
    }
    strbuf_fini(&arena);
    if (rc != 0)
        return rc; /* keep the path in the message */
    path_pop(ld, old);
    return 0;
}

/* ---- clusters ---- */

static int
ld_cluster(struct ld *ld, json_t *o, size_t i, void *arg)
{
    const char *name, *ctx, *server;
    int rc;
    if ((rc = get_str(ld, o, "name", F_REQ, NULL, &name)) != 0 ||
        (rc = get_str(ld, o, "context", F_NULL, NULL, &ctx)) != 0 ||
        (rc = get_str(ld, o, "server", F_NULL, "", &server)) != 0)
        return rc;
    if (name[0] == '\0')
        return fail(ld, "name is empty; every cluster needs a display name");
    if (model_cluster_find(ld->m, name) != NULL)
        return fail(ld, "cluster \"%s\" listed twice", name);
    struct m_cluster *c = model_cluster_add(ld->m, name, ctx, server);
    json_t *istio;
    if ((rc = get_bool(ld, o, "reachable", &c->reachable)) != 0 ||
        (rc = get_text(ld, o, "error", c->error, sizeof c->error)) != 0 ||
        (rc = get_bool(ld, o, "insecure", &c->insecure)) != 0 ||
        (rc = get_time(ld, o, "updatedAt", 0, &c->updated_ms)) != 0 ||
        (rc = field(ld, o, "istio", W_OBJ, F_NULL, &istio)) != 0)
        return rc;
    if (istio != NULL) {
        size_t old = path_key(ld, "istio");
        if ((rc = get_bool(ld, istio, "installed", &c->istio_installed)) != 0 ||
            (rc = get_interned(ld, istio, "version", 0, NULL, &c->istio_version)) != 0)
            return rc;
        path_pop(ld, old);
    }
    if ((rc = each(ld, o, "namespaces", 0, W_OBJ, ld_namespace, c)) != 0 ||
        (rc = each_pod(ld, o, i, c)) != 0 ||
        (rc = each(ld, o, "pxcClusters", 0, W_OBJ, ld_pxc, c)) != 0 ||
        (rc = each(ld, o, "serviceEntries", 0, W_OBJ, ld_sentry, c)) != 0 ||
        (rc = each(ld, o, "channels", 0, W_OBJ, ld_channel, c)) != 0 ||
        (rc = each(ld, o, "nodes", 0, W_OBJ, ld_node, c)) != 0)
        return rc;
    return 0;
}

/* ---- findings and events ---- */

static int
ld_finding(struct ld *ld, json_t *o, size_t i, void *arg)
{
    const char *sev, *code, *cluster, *object, *message, *hint;
    long long cause;
    int rc;
    if ((rc = get_str(ld, o, "severity", F_REQ, NULL, &sev)) != 0 ||
        (rc = get_str(ld, o, "code", F_REQ, NULL, &code)) != 0 ||
        (rc = get_str(ld, o, "cluster", F_NULL, "", &cluster)) != 0 ||
        (rc = get_str(ld, o, "object", F_NULL, "", &object)) != 0 ||
        (rc = get_str(ld, o, "message", F_NULL, "", &message)) != 0 ||
        (rc = get_str(ld, o, "hint", F_NULL, "", &hint)) != 0 ||
        (rc = get_int(ld, o, "cause", F_NULL, 0, (long long)json_array_size(arg) - 1, -1,
                      &cause)) != 0)
        return rc;
    enum finding_severity s;
    if (strcmp(sev, "info") == 0)
        s = SEV_INFO;
    else if (strcmp(sev, "warning") == 0)
        s = SEV_WARNING;
    else if (strcmp(sev, "error") == 0)
        s = SEV_ERROR;
    else {
        size_t old = path_key(ld, "severity");
        rc = fail(ld, "unknown value \"%.40s\" (expected info, warning or error)", sev);
        path_pop(ld, old);
        return rc;
    }
    if (cause == (long long)i)
        return fail(ld, "cause %lld is the finding itself", cause);
    struct m_finding *f = model_finding_add(ld->m, s, code, cluster, object, message, hint);
    f->cause = (int)cause;
    return 0;
}

static int
ld_event(struct ld *ld, json_t *o, size_t i, void *arg)
{
    const char *cluster, *what;
    int64_t at;
    int level, rc;
    if ((rc = get_time(ld, o, "at", F_REQ, &at)) != 0 ||
        (rc = get_str(ld, o, "cluster", F_NULL, "", &cluster)) != 0 ||
        (rc = get_i(ld, o, "level", 0, 0, 2, 0, &level)) != 0 ||
        (rc = get_str(ld, o, "what", F_REQ, NULL, &what)) != 0)
        return rc;
    model_event(ld->m, cluster, level, "%s", what);
    /* model_event stamps the current time; a replay shows the recorded one. */
    struct m_event *e = &ld->m->events[(ld->m->ev_head + ld->m->ev_len - 1) % MODEL_MAX_EVENTS];
    e->wall_ms = at;
    return 0;
}

static int
ld_root(struct ld *ld, json_t *root)
{
    int rc;
    long long ver;
    if (!json_is_object(root))
        return fail(ld, "expected object, got %s", jsonu_type_name(root));
    if ((rc = get_int(ld, root, "schemaVersion", F_REQ, LLONG_MIN, LLONG_MAX, 0, &ver)) != 0)
        return rc;
    if (ver > SNAP_SCHEMA_VERSION)
        return pxerr_set(ld->err, PXE_SCHEMA,
                         "%s: schemaVersion %lld is newer than this pxcmesh understands (%d); "
                         "use a newer pxcmesh to open it",
                         ld->name, ver, SNAP_SCHEMA_VERSION);
    if (ver < 1)
        return pxerr_set(ld->err, PXE_SCHEMA, "%s: schemaVersion %lld is not valid (expected %d)",
                         ld->name, ver, SNAP_SCHEMA_VERSION);
    json_t *findings;
    if ((rc = get_time(ld, root, "generatedAt", F_REQ, &ld->m->generated_ms)) != 0 ||
        (rc = field(ld, root, "clusters", W_ARR, F_REQ, &(json_t *){NULL})) != 0 ||
        (rc = each(ld, root, "clusters", F_REQ, W_OBJ, ld_cluster, NULL)) != 0 ||
        (rc = field(ld, root, "findings", W_ARR, F_NULL, &findings)) != 0 ||
        (rc = each(ld, root, "findings", 0, W_OBJ, ld_finding, findings)) != 0 ||
        (rc = each(ld, root, "events", 0, W_OBJ, ld_event, NULL)) != 0)
        return rc;
    /* Views follow cause chains to their root: a cycle would never end. */
    size_t n = ld->m->findings.n;
    for (size_t i = 0; i < n; i++) {
        int c = ((struct m_finding *)ld->m->findings.items[i])->cause;
        for (size_t steps = 0; c >= 0; steps++) {
            if (steps >= n) {
                size_t old = path_key(ld, "findings");
                path_idx(ld, i);
                path_key(ld, "cause");
                rc = fail(ld, "the chain of causes loops back on itself");
                path_pop(ld, old);
                return rc;
            }
            c = ((struct m_finding *)ld->m->findings.items[c])->cause;
        }
    }
    return 0;
}

/* ---- the fast path ----
 *
 * A 20,000-pod snapshot is 10 MB; parsed as one jansson tree it took 200 ms before the first
 * frame of a replay, most of it building and freeing that tree. The fast path cuts the
 * document with jscan instead: everything but the clusters' "pods" arrays is parsed as small
 * trees and assembled into the same root object; each pods array is kept as a byte range and
 * parsed pod by pod while loading (each_pod). Anything odd (a syntax error, a duplicate key,
 * a key with an escape, trailing bytes, a schema error) abandons the fast path, and the
 * whole document is parsed as before, so every error message is exactly the whole parse's. */

struct split {
    json_t *obj;            /* the object being assembled */
    struct ld *ld;          /* pods ranges go to ld->pods */
    struct pods_src pods;   /* this cluster's, while splitting it */
};

static int
set_parsed(json_t *obj, const char *s, const char *key, size_t klen, size_t vo, size_t ve)
{
    if (json_object_getn(obj, key, klen) != NULL)
        return -1; /* duplicate: the whole parse words it */
    json_t *v = json_loadb(s + vo, ve - vo, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (v == NULL)
        return -1;
    return json_object_setn_new(obj, key, klen, v);
}

static int
cluster_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct split *sp = arg;
    bool pods = klen == 4 && memcmp(key, "pods", 4) == 0;
    if (pods && sp->pods.len != 0)
        return -1;
    if (pods && s[vo] == '[' && json_object_getn(sp->obj, "pods", 4) == NULL) {
        if (scan_array(s, vo, ve, NULL, NULL) != 0)
            return -1;
        sp->pods = (struct pods_src){vo, ve - vo};
        return 0;
    }
    return set_parsed(sp->obj, s, key, klen, vo, ve);
}

static int
cluster_elem(const char *s, size_t vo, size_t ve, void *arg)
{
    struct split *root = arg;
    struct ld *ld = root->ld;
    json_t *arr = json_object_get(root->obj, "clusters");
    struct split sp = {.ld = ld};
    if (s[vo] == '{') {
        sp.obj = json_object();
        if (scan_object(s, vo, ve, cluster_member, &sp) != ve) {
            json_decref(sp.obj);
            return -1;
        }
    } else if ((sp.obj = json_loadb(s + vo, ve - vo, JSON_DECODE_ANY, NULL)) == NULL) {
        return -1;
    }
    json_array_append_new(arr, sp.obj);
    ld->pods = xreallocarray(ld->pods, ld->n_pods + 1, sizeof *ld->pods);
    ld->pods[ld->n_pods++] = sp.pods;
    return 0;
}

static int
root_member(const char *s, const char *key, size_t klen, size_t vo, size_t ve, void *arg)
{
    struct split *sp = arg;
    if (klen == 8 && memcmp(key, "clusters", 8) == 0 && s[vo] == '[') {
        if (json_object_getn(sp->obj, "clusters", 8) != NULL)
            return -1;
        json_object_set_new(sp->obj, "clusters", json_array());
        return scan_array(s, vo, ve, cluster_elem, sp);
    }
    return set_parsed(sp->obj, s, key, klen, vo, ve);
}

/* The root object with every cluster's pods left as ranges in ld, or NULL: parse whole. */
static json_t *
split_doc(const char *buf, size_t len, struct ld *ld)
{
    size_t i = jscan_ws(buf, 0, len);
    if (i >= len || buf[i] != '{')
        return NULL;
    struct split sp = {.obj = json_object(), .ld = ld};
    size_t e = scan_object(buf, i, len, root_member, &sp);
    if (e == 0 || jscan_ws(buf, e, len) != len) {
        json_decref(sp.obj);
        free(ld->pods);
        ld->pods = NULL;
        ld->n_pods = 0;
        return NULL;
    }
    ld->buf = buf;
    return sp.obj;
}

int
snap_load_buf(const char *buf, size_t len, const char *name, struct model *m, struct pxerr *err)
{
    if (name == NULL)
        name = "<snapshot>";
    struct ld ld = {.name = name, .err = err, .m = model_new()};
    int rc = -1;
    json_t *root = split_doc(buf, len, &ld);
    if (root != NULL) {
        struct pxerr quiet;
        ld.err = &quiet;
        rc = ld_root(&ld, root);
        json_decref(root);
        if (rc != 0) { /* the whole parse says what is wrong, in its words */
            model_free(ld.m);
            free(ld.pods);
            ld = (struct ld){.name = name, .m = model_new()};
        }
    }
    free(ld.pods);
    ld.pods = NULL;
    ld.n_pods = 0;
    ld.buf = NULL;
    ld.err = err;
    if (rc != 0) {
        json_error_t jerr;
        root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (root == NULL) {
            model_free(ld.m);
            return pxerr_set(err, PXE_PARSE, "%s:%d:%d: %s", name, jerr.line, jerr.column,
                             jerr.text);
        }
        rc = ld_root(&ld, root);
        json_decref(root);
    }
    if (rc != 0) {
        model_free(ld.m);
        return rc;
    }
    /* Swap bodies: nothing inside a model points at the struct itself (objects point
     * into the intern pool's heap entries and into their own allocations), so the
     * caller's pointer stays valid and now holds the new contents. */
    uint64_t seq = m->seq;
    void (*on_dirty)(struct model *, void *) = m->on_dirty;
    void *on_dirty_arg = m->on_dirty_arg;
    struct model tmp = *m;
    *m = *ld.m;
    *ld.m = tmp;
    model_free(ld.m);
    /* The caller's wiring stays with the caller's model, and hears of the change. */
    m->on_dirty = on_dirty;
    m->on_dirty_arg = on_dirty_arg;
    m->replay = true;
    m->seq = seq;
    model_touch(m, DIRTY_ALL);
    return 0;
}

int
snap_load_file(const char *path, struct model *m, struct pxerr *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "%s: cannot open snapshot: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return pxerr_set(err, PXE_IO,
                         "%s: not a regular file; give a snapshot written by "
                         "`pxcmesh status --json`",
                         path);
    }
    if ((unsigned long long)st.st_size > SNAP_MAX_FILE) {
        fclose(f);
        return pxerr_set(err, PXE_IO, "%s: %lld bytes is larger than the %u MB a snapshot may be",
                         path, (long long)st.st_size, SNAP_MAX_FILE >> 20);
    }
    size_t n = (size_t)st.st_size;
    char *buf = xmalloc(n + 1);
    size_t got = fread(buf, 1, n, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr || got != n) {
        free(buf);
        return pxerr_set(err, PXE_IO, "%s: read failed after %zu of %zu bytes", path, got, n);
    }
    int rc = snap_load_buf(buf, n, path, m, err);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Writing                                                                               */

/* Length of the valid UTF-8 sequence at s, or 0 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid, as jansson judges them). */
static size_t
utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string of s. Text from servers (a MySQL error in latin1) may not be UTF-8, which
 * JSON cannot carry and jansson refuses: each invalid byte becomes U+FFFD instead of the
 * field silently vanishing. */
static json_t *
jstr(const char *s)
{
    if (s == NULL)
        s = "";
    json_t *v = json_string(s);
    if (v != NULL)
        return v;
    struct strbuf sb;
    strbuf_init(&sb);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_len(p);
        if (n == 0) {
            strbuf_append(&sb, "\xef\xbf\xbd");
            p++;
        } else {
            strbuf_appendn(&sb, (const char *)p, n);
            p += n;
        }
    }
    v = json_string(sb.s);
    strbuf_fini(&sb);
    return v != NULL ? v : json_string("");
}

static json_t *
jstr_or_null(const char *s)
{
    return s ? jstr(s) : json_null();
}

static json_t *
jtime(int64_t ms)
{
    if (ms == 0)
        return json_null();
    char buf[40];
    clock_fmt_rfc3339(ms, buf, sizeof buf);
    return json_string(buf);
}

/* Round to the millisecond: enough for seconds of lag, and it keeps float samples from
 * printing as 0.400000005960464. */
static json_t *
jms(double v)
{
    return json_real(round(v * 1000.0) / 1000.0);
}

static void
set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v);
}

static int
cmp_ns_name(const char *ans, const char *an, const char *bns, const char *bn)
{
    int r = strcmp(ans ? ans : "", bns ? bns : "");
    return r != 0 ? r : strcmp(an, bn);
}

static int
cmp_pod(const void *a, const void *b)
{
    const struct m_pod *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_nsobj(const void *a, const void *b)
{
    const struct m_namespace *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static int
cmp_pxc(const void *a, const void *b)
{
    const struct m_pxc *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_sentry(const void *a, const void *b)
{
    const struct m_sentry *x = a, *y = b;
    return cmp_ns_name(x->ns, x->name, y->ns, y->name);
}

static int
cmp_channel(const void *a, const void *b)
{
    const struct m_channel *x = a, *y = b;
    return cmp_ns_name(x->server, x->name, y->server, y->name);
}

static int
cmp_node(const void *a, const void *b)
{
    const struct m_node *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* A borrowed, sorted view of one of the model's collections. */
static void
sorted(struct vec *out, const struct vec *in, vec_cmp_fn *cmp)
{
    vec_init(out, NULL);
    for (size_t i = 0; i < in->n; i++)
        vec_push(out, in->items[i]);
    vec_sort(out, cmp);
}

static json_t *
w_pod(const struct m_pod *p)
{
    json_t *o = json_object();
    set(o, "namespace", jstr(p->ns));
    set(o, "name", jstr(p->name));
    set(o, "phase", jstr(p->phase));
    set(o, "ready", json_boolean(p->ready));
    set(o, "ip", p->ip[0] ? jstr(p->ip) : json_null());
    set(o, "node", jstr_or_null(p->node));
    set(o, "sidecar", json_string(model_sidecar_name(p->sidecar)));
    set(o, "restartNeeded", json_boolean(p->restart_needed));
    set(o, "instance", jstr_or_null(p->instance));
    set(o, "component", jstr_or_null(p->component));
    set(o, "replicationPod", json_boolean(p->replication_pod));
    set(o, "restarts", json_integer(p->restarts));
    set(o, "createdAt", jtime(p->created_ms));
    set(o, "readOnly", w_tristate(p->read_only));
    if (!p->galera.known) {
        set(o, "galera", json_null());
    } else {
        const struct m_galera *g = &p->galera;
        json_t *go = json_object();
        set(go, "state", jstr(g->state));
        set(go, "clusterSize", g->cluster_size < 0 ? json_null() : json_integer(g->cluster_size));
        set(go, "status", jstr(g->status));
        set(go, "ready", json_boolean(g->ready));
        set(go, "connected", json_boolean(g->connected));
        set(go, "flowControlPaused", jms(g->fc_paused));
        set(go, "recvQueue", json_integer(g->recv_queue));
        set(go, "sendQueue", json_integer(g->send_queue));
        set(go, "updatedAt", jtime(g->updated_ms));
        set(go, "error", jstr(g->error != NULL ? g->error : ""));
        set(o, "galera", go);
    }
    return o;
}

static json_t *
w_pxc(const struct m_pxc *x)
{
    json_t *o = json_object();
    set(o, "namespace", jstr(x->ns));
    set(o, "name", jstr(x->name));
    set(o, "state", jstr(x->state));
    set(o, "size", json_integer(x->size));
    set(o, "ready", json_integer(x->ready));
    set(o, "expose", json_boolean(x->expose));
    set(o, "secretsName", jstr_or_null(x->secrets_name));
    json_t *chs = json_array();
    for (size_t i = 0; i < x->channels.n; i++) {
        const struct m_pxc_channel *ch = x->channels.items[i];
        json_t *co = json_object();
        set(co, "name", jstr(ch->name));
        set(co, "isSource", json_boolean(ch->is_source));
        json_t *srcs = json_array();
        for (int k = 0; k < ch->n_sources; k++) {
            json_t *so = json_object();
            set(so, "host", jstr(ch->sources[k].host));
            set(so, "port", json_integer(ch->sources[k].port));
            set(so, "weight", json_integer(ch->sources[k].weight));
            json_array_append_new(srcs, so);
        }
        set(co, "sources", srcs);
        json_array_append_new(chs, co);
    }
    set(o, "replicationChannels", chs);
    return o;
}

static json_t *
w_strs(char **s, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, jstr(s[i]));
    return a;
}

static json_t *
w_sentry(const struct m_sentry *se)
{
    json_t *o = json_object();
    set(o, "namespace", jstr(se->ns));
    set(o, "name", jstr(se->name));
    set(o, "hosts", w_strs(se->hosts, se->n_hosts));
    set(o, "addresses", w_strs(se->addresses, se->n_addresses));
    json_t *ports = json_array();
    for (int i = 0; i < se->n_ports; i++) {
        json_t *p = json_object();
        set(p, "number", json_integer(se->ports[i].number));
        set(p, "name", jstr(se->ports[i].name));
        set(p, "protocol", jstr(se->ports[i].protocol));
        json_array_append_new(ports, p);
    }
    set(o, "ports", ports);
    set(o, "location", jstr(se->location));
    set(o, "resolution", jstr(se->resolution));
    json_t *eps = json_array();
    for (int i = 0; i < se->n_endpoints; i++) {
        json_t *e = json_object();
        set(e, "address", jstr(se->endpoints[i].address));
        set(e, "port", se->endpoints[i].port ? json_integer(se->endpoints[i].port) : json_null());
        json_array_append_new(eps, e);
    }
    set(o, "endpoints", eps);
    set(o, "changedAt", jtime(se->changed_ms));
    return o;
}

static json_t *
w_thread(enum thread_state t)
{
    return t == THR_UNKNOWN ? json_null() : json_string(model_thread_name(t));
}

static json_t *
w_channel(const struct m_channel *ch)
{
    json_t *o = json_object();
    set(o, "name", jstr(ch->name));
    set(o, "server", jstr(ch->server));
    set(o, "sourceHost", jstr(ch->source_host));
    set(o, "sourcePort", json_integer(ch->source_port));
    set(o, "ioRunning", w_thread(ch->io));
    set(o, "sqlRunning", w_thread(ch->sql));
    set(o, "ioState", jstr(ch->io_state));
    set(o, "sqlState", jstr(ch->sql_state));
    set(o, "lagSeconds", ch->lag_s < 0 ? json_null() : json_real(ch->lag_s));
    set(o, "lagFromHeartbeat", json_boolean(ch->lag_from_heartbeat));
    set(o, "lastIoErrno", json_integer(ch->last_io_errno));
    set(o, "lastIoError", jstr(ch->last_io_error));
    set(o, "lastIoErrorAt", jtime(ch->last_io_error_ms));
    set(o, "lastSqlErrno", json_integer(ch->last_sql_errno));
    set(o, "lastSqlError", jstr(ch->last_sql_error));
    set(o, "lastSqlErrorAt", jtime(ch->last_sql_error_ms));
    set(o, "retrievedGtidSet", jstr(ch->retrieved_gtid));
    set(o, "executedGtidSet", jstr(ch->executed_gtid));
    set(o, "gtidGap", ch->gtid_gap < 0 ? json_null() : json_integer(ch->gtid_gap));
    set(o, "autoPosition", json_boolean(ch->auto_position));
    set(o, "retryCount", json_integer(ch->retry_count));
    set(o, "stateSince", jtime(ch->state_since_ms));
    set(o, "updatedAt", jtime(ch->updated_ms));
    set(o, "error", jstr(ch->error));
    set(o, "gtid", w_tristate(ch->gtid_mode));
    set(o, "lagSource", jstr_or_null(ch->lag_source));
    set(o, "lagUnreliable", json_boolean(ch->lag_unreliable));
    set(o, "lastHeartbeatAt", jtime(ch->last_heartbeat_ms));
    set(o, "dialect", jstr_or_null(ch->dialect));
    json_t *fo = json_array();
    for (int i = 0; i < ch->n_failover; i++) {
        json_t *fs = json_object();
        set(fs, "host", jstr(ch->failover[i].host));
        set(fs, "port", json_integer(ch->failover[i].port));
        set(fs, "weight", json_integer(ch->failover[i].weight));
        set(fs, "inUse", json_boolean(ch->failover[i].in_use));
        json_array_append_new(fo, fs);
    }
    set(o, "failoverSources", fo);
    json_t *h = json_array();
    for (int i = 0; i < ch->lag_len; i++) {
        float v = model_channel_lag_at(ch, i);
        json_array_append_new(h, v < 0 ? json_null() : jms(v));
    }
    set(o, "lagHistory", h);
    return o;
}

static json_t *
w_cluster(const struct m_cluster *c)
{
    json_t *o = json_object();
    struct vec v;
    set(o, "name", jstr(c->name));
    set(o, "context", jstr(c->context));
    set(o, "server", jstr(c->server));
    set(o, "reachable", json_boolean(c->reachable));
    set(o, "error", c->error[0] ? jstr(c->error) : json_null());
    set(o, "insecure", json_boolean(c->insecure));
    set(o, "updatedAt", jtime(c->updated_ms));
    json_t *istio = json_object();
    set(istio, "installed", json_boolean(c->istio_installed));
    set(istio, "version", jstr_or_null(c->istio_version));
    set(o, "istio", istio);

    json_t *a = json_array();
    sorted(&v, &c->namespaces, cmp_nsobj);
    for (size_t i = 0; i < v.n; i++) {
        const struct m_namespace *ns = v.items[i];
        json_t *no = json_object();
        set(no, "name", jstr(ns->name));
        if (ns->injection == INJ_REVISION) {
            char buf[300];
            snprintf(buf, sizeof buf, "revision:%s", ns->revision ? ns->revision : "");
            set(no, "injection", jstr(buf));
        } else {
            set(no, "injection", json_string(model_injection_name(ns->injection)));
        }
        set(no, "createdAt", jtime(ns->created_ms));
        json_array_append_new(a, no);
    }
    vec_fini(&v);
    set(o, "namespaces", a);

    a = json_array();
    sorted(&v, &c->pods, cmp_pod);
    for (size_t i = 0; i < v.n; i++)
        json_array_append_new(a, w_pod(v.items[i]));
    vec_fini(&v);
    set(o, "pods", a);

    a = json_array();
    sorted(&v, &c->pxcs, cmp_pxc);
    for (size_t i = 0; i < v.n; i++)
        json_array_append_new(a, w_pxc(v.items[i]));
    vec_fini(&v);
    set(o, "pxcClusters", a);

    a = json_array();
    sorted(&v, &c->sentries, cmp_sentry);
    for (size_t i = 0; i < v.n; i++)
        json_array_append_new(a, w_sentry(v.items[i]));
    vec_fini(&v);
    set(o, "serviceEntries", a);

    a = json_array();
    sorted(&v, &c->channels, cmp_channel);
    for (size_t i = 0; i < v.n; i++)
        json_array_append_new(a, w_channel(v.items[i]));
    vec_fini(&v);
    set(o, "channels", a);

    a = json_array();
    sorted(&v, &c->nodes, cmp_node);
    for (size_t i = 0; i < v.n; i++) {
        const struct m_node *n = v.items[i];
        json_t *no = json_object();
        set(no, "name", jstr(n->name));
        set(no, "internalIP", jstr(n->internal_ip));
        set(no, "externalIP", jstr(n->external_ip));
        json_array_append_new(a, no);
    }
    vec_fini(&v);
    set(o, "nodes", a);
    return o;
}

int
snap_write(const struct model *m, struct strbuf *out, struct pxerr *err)
{
    json_t *root = json_object();
    set(root, "schemaVersion", json_integer(SNAP_SCHEMA_VERSION));
    set(root, "generatedAt", jtime(m->generated_ms ? m->generated_ms : clock_wall_ms()));
    json_t *cl = json_array();
    for (size_t i = 0; i < m->clusters.n; i++)
        json_array_append_new(cl, w_cluster(m->clusters.items[i]));
    set(root, "clusters", cl);

    json_t *fs = json_array();
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        json_t *o = json_object();
        set(o, "severity", json_string(model_severity_name(f->severity)));
        set(o, "code", jstr(f->code));
        set(o, "cluster", jstr(f->cluster));
        set(o, "object", jstr(f->object));
        set(o, "message", jstr(f->message));
        set(o, "hint", jstr(f->hint));
        set(o, "cause", f->cause < 0 ? json_null() : json_integer(f->cause));
        json_array_append_new(fs, o);
    }
    set(root, "findings", fs);

    json_t *evs = json_array();
    for (int i = m->ev_len - 1; i >= 0; i--) { /* oldest first */
        const struct m_event *e = model_event_at(m, i);
        json_t *o = json_object();
        set(o, "at", jtime(e->wall_ms));
        set(o, "cluster", jstr(e->cluster));
        set(o, "level", json_integer(e->level));
        set(o, "what", jstr(e->what));
        json_array_append_new(evs, o);
    }
    set(root, "events", evs);

    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (text == NULL)
        return pxerr_set(err, PXE_INTERNAL,
                         "snapshot: cannot serialise the model (invalid UTF-8 in a name?)");
    strbuf_append(out, text);
    strbuf_appendc(out, '\n');
    free(text);
    return 0;
}

int
snap_save_file(const struct model *m, const char *path, struct pxerr *err)
{
    struct strbuf sb;
    strbuf_init(&sb);
    int rc = snap_write(m, &sb, err);
    if (rc != 0) {
        strbuf_fini(&sb);
        return rc;
    }
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        rc = pxerr_set(err, PXE_IO, "%s: cannot write snapshot: %s", tmp, strerror(errno));
        goto out;
    }
    size_t put = fwrite(sb.s, 1, sb.len, f);
    int werr = ferror(f);
    if (fclose(f) != 0 || werr || put != sb.len) {
        rc = pxerr_set(err, PXE_IO, "%s: write failed: %s", tmp, strerror(errno ? errno : EIO));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = pxerr_set(err, PXE_IO, "%s: cannot rename into place: %s", path, strerror(errno));
        unlink(tmp);
    }
out:
    free(tmp);
    strbuf_fini(&sb);
    return rc;
}
