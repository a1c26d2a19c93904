/* ksim_http: kubesim's HTTP face on libmicrohttpd (one thread per connection, TLS and
 * client certificates through GnuTLS). It routes Kubernetes API paths to the store,
 * speaks the real wire formats (discovery documents, lists with continue tokens, Table
 * for kubectl, chunked watch streams, Status objects for every error), checks bearer
 * tokens and client certificates, and applies the fault switches set through
 * /_ksim/fault. It holds no state of its own beyond the connection being served. */
#include "ksim_api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"

#define MAX_BODY (32u << 20)
#define DEFAULT_WATCH_S 1800
#define WATCH_CHUNK (256u << 10)

enum role { ROLE_NONE, ROLE_ADMIN, ROLE_READONLY };

struct token {
    char *token;
    char *user;
    enum role role;
};

struct ksim_server {
    struct ksim_store *st;
    struct MHD_Daemon *d;
    bool tls;
    bool auth_required;
    struct vec tokens; /* struct token *, owned */
    struct vec forbid; /* char *, owned */
    char addr[128];
    int port;
};

struct conn_req {
    struct strbuf body;
    bool too_big;
};

/* ---- small helpers ---- */

static const char *
qarg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static const char *
hdr(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, k);
}

static bool
truthy(const char *v)
{
    return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static enum MHD_Result
reply_buf(struct MHD_Connection *c, unsigned code, const char *ctype, char *buf, size_t len,
          int retry_after_s)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    if (retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after_s);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
reply_json(struct MHD_Connection *c, unsigned code, json_t *j /* takes */)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t len = strlen(s);
    char *nl = xrealloc(s, len + 2);
    nl[len] = '\n';
    nl[len + 1] = '\0';
    return reply_buf(c, code, "application/json", nl, len + 1, 0);
}

static enum MHD_Result
reply_status(struct MHD_Connection *c, const struct ksim_status *stt, int retry_after_s)
{
    json_t *j = ksim_status_json(stt);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return reply_buf(c, (unsigned)stt->code, "application/json", body, strlen(body), retry_after_s);
}

static enum MHD_Result reply_err(struct MHD_Connection *c, int code, const char *reason,
                                 const char *fmt, ...) PXC_PRINTF(4, 5);

static enum MHD_Result
reply_err(struct MHD_Connection *c, int code, const char *reason, const char *fmt, ...)
{
    struct ksim_status stt = {.code = code};
    snprintf(stt.reason, sizeof stt.reason, "%s", reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(stt.msg, sizeof stt.msg, fmt, ap);
    va_end(ap);
    return reply_status(c, &stt, 0);
}

static json_t *
parse_body(const struct strbuf *b, struct ksim_status *stt)
{
    const char *p = b->s;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p == '\0') {
        ksim_status_set(stt, 400, "BadRequest", "the request body is empty");
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        json_error_t e;
        json_t *j = json_loadb(b->s, b->len, 0, &e);
        if (j == NULL)
            ksim_status_set(stt, 400, "BadRequest",
                            "invalid JSON in the request body: %s (line %d)", e.text, e.line);
        return j;
    }
    struct vec docs;
    vec_init(&docs, ksim_json_decref_fn);
    struct pxerr err = {0};
    json_t *j = NULL;
    if (ksim_yaml_parse(b->s, b->len, "request body", &docs, &err) != 0)
        ksim_status_set(stt, 400, "BadRequest", "%s", err.msg);
    else if (docs.n != 1)
        ksim_status_set(stt, 400, "BadRequest", "the request body must hold one document, not %zu",
                        docs.n);
    else
        j = vec_take(&docs, 0);
    vec_fini(&docs);
    return j;
}

/* ---- discovery ---- */

static const char *const all_verbs[] = {"create", "delete", "deletecollection", "get",
                                        "list",   "patch",  "update",           "watch"};

static json_t *
verbs_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof all_verbs / sizeof all_verbs[0]; i++)
        json_array_append_new(a, json_string(all_verbs[i]));
    return a;
}

static bool
in_all_category(const struct ksim_res *r)
{
    return (r->group[0] == '\0' &&
            (strcmp(r->plural, "pods") == 0 || strcmp(r->plural, "services") == 0)) ||
           (strcmp(r->group, "apps") == 0);
}

static json_t *
resource_list(struct ksim_store *st, const char *group, const char *version)
{
    json_t *res = json_array();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (strcmp(r->group, group) != 0 || ksim_res_find(st, group, version, r->plural) != r)
            continue;
        json_t *e =
            json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", r->plural, "singularName", r->singular,
                      "namespaced", r->namespaced, "kind", r->kind, "verbs", verbs_json());
        if (r->short_names != NULL)
            json_object_set(e, "shortNames", r->short_names);
        if (r->categories != NULL)
            json_object_set(e, "categories", r->categories);
        else if (in_all_category(r))
            json_object_set_new(e, "categories", json_pack("[s]", "all"));
        json_array_append_new(res, e);
        if (r->has_status)
            json_array_append_new(res, json_pack("{s:s+, s:s, s:b, s:s, s:[sss]}", "name",
                                                 r->plural, "/status", "singularName", "",
                                                 "namespaced", r->namespaced, "kind", r->kind,
                                                 "verbs", "get", "patch", "update"));
        if (group[0] == '\0' && strcmp(r->plural, "pods") == 0)
            json_array_append_new(res, json_pack("{s:s, s:s, s:b, s:s, s:[s]}", "name", "pods/log",
                                                 "singularName", "", "namespaced", 1, "kind", "Pod",
                                                 "verbs", "get"));
    }
    char *gv = group[0] ? xasprintf("%s/%s", group, version) : xstrdup(version);
    json_t *out = json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                            "groupVersion", gv, "resources", res);
    free(gv);
    return out;
}

static json_t *
api_group(struct ksim_store *st, const char *group)
{
    json_t *versions = json_array();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (strcmp(r->group, group) != 0)
            continue;
        for (size_t v = 0; v < r->n_versions; v++) {
            bool have = false;
            size_t k;
            json_t *e;
            json_array_foreach(versions, k, e) have =
                have ||
                strcmp(json_string_value(json_object_get(e, "version")), r->versions[v]) == 0;
            if (have)
                continue;
            char *gv = xasprintf("%s/%s", group, r->versions[v]);
            json_array_append_new(
                versions, json_pack("{s:s, s:s}", "groupVersion", gv, "version", r->versions[v]));
            free(gv);
        }
    }
    if (json_array_size(versions) == 0) {
        json_decref(versions);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:O}", "kind", "APIGroup", "apiVersion", "v1", "name",
                     group, "versions", versions, "preferredVersion", json_array_get(versions, 0));
}

static json_t *
api_group_list(struct ksim_store *st)
{
    json_t *groups = json_array();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (r->group[0] == '\0')
            continue;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(((struct ksim_res *)vec_at(&st->res, j))->group, r->group) == 0;
        if (seen)
            continue;
        json_t *g = api_group(st, r->group);
        json_object_del(g, "kind");
        json_object_del(g, "apiVersion");
        json_array_append_new(groups, g);
    }
    return json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
                     groups);
}

/* ---- OpenAPI v3: only what kubectl needs to know that the server validates fields
 * itself (a PATCH operation per kind with the fieldValidation parameter); no schemas. */

static json_t *
openapi_root(struct ksim_store *st)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        for (size_t v = 0; v < r->n_versions; v++) {
            char *key = r->group[0] ? xasprintf("apis/%s/%s", r->group, r->versions[v])
                                    : xasprintf("api/%s", r->versions[v]);
            char *url =
                xasprintf("/openapi/v3/%s?hash=ksim%llu", key, (unsigned long long)st->res.n);
            json_object_set_new(paths, key, json_pack("{s:s}", "serverRelativeURL", url));
            free(key);
            free(url);
        }
    }
    return json_pack("{s:o}", "paths", paths);
}

static json_t *
openapi_gv(struct ksim_store *st, const char *gvpath)
{
    char gv[512];
    snprintf(gv, sizeof gv, "%s", gvpath);
    gv[strcspn(gv, "?")] = '\0';
    const char *group = "", *version;
    char *slash;
    if (strncmp(gv, "api/", 4) == 0) {
        version = gv + 4;
    } else if (strncmp(gv, "apis/", 5) == 0 && (slash = strchr(gv + 5, '/')) != NULL) {
        *slash = '\0';
        group = gv + 5;
        version = slash + 1;
    } else {
        return NULL;
    }
    json_t *paths = json_object();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        if (strcmp(r->group, group) != 0 || ksim_res_find(st, group, version, r->plural) != r)
            continue;
        char *p =
            xasprintf("/%s%s/%s%s/%s/{name}", group[0] ? "apis/" : "api", group[0] ? group : "",
                      version, r->namespaced ? "/namespaces/{namespace}" : "", r->plural);
        json_t *op =
            json_pack("{s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:{s:s}}, {s:s, s:s, s:{s:s}},"
                      " {s:s, s:s, s:{s:s}}]}",
                      "x-kubernetes-group-version-kind", "group", group, "version", version, "kind",
                      r->kind, "parameters", "name", "fieldValidation", "in", "query", "schema",
                      "type", "string", "name", "fieldManager", "in", "query", "schema", "type",
                      "string", "name", "dryRun", "in", "query", "schema", "type", "string");
        json_object_set_new(paths, p, json_pack("{s:o}", "patch", op));
        free(p);
    }
    if (json_object_size(paths) == 0) {
        json_decref(paths);
        return NULL;
    }
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{}}", "openapi", "3.0.0", "info", "title",
                     "Kubernetes (kubesim)", "version", "v1.32.4", "paths", paths, "components");
}

/* ---- auth ---- */

static enum role
authenticate(struct ksim_server *srv, struct MHD_Connection *c, char *user, size_t n)
{
    const char *authz = hdr(c, "Authorization");
    /* With no token configured a bearer token is ignored (no token authenticator), as
     * the API server does; with tokens, an unknown one is a 401. */
    if (authz != NULL && strncasecmp(authz, "Bearer ", 7) == 0 && srv->tokens.n > 0) {
        const char *t = authz + 7;
        for (size_t i = 0; i < srv->tokens.n; i++) {
            struct token *tk = vec_at(&srv->tokens, i);
            if (strcmp(tk->token, t) == 0) {
                snprintf(user, n, "%s", tk->user);
                return tk->role;
            }
        }
        return ROLE_NONE;
    }
    if (srv->tls) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        gnutls_session_t s = ci ? (gnutls_session_t)ci->tls_session : NULL;
        unsigned status = 0;
        unsigned n_certs = 0;
        const gnutls_datum_t *certs = s ? gnutls_certificate_get_peers(s, &n_certs) : NULL;
        if (certs != NULL && n_certs > 0 && gnutls_certificate_verify_peers2(s, &status) == 0 &&
            status == 0) {
            gnutls_x509_crt_t crt;
            enum role role = ROLE_ADMIN;
            snprintf(user, n, "unknown");
            if (gnutls_x509_crt_init(&crt) == 0) {
                if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
                    size_t len = n;
                    if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, user,
                                                      &len) != 0)
                        snprintf(user, n, "unknown");
                    char org[128];
                    for (unsigned k = 0; k < 8; k++) {
                        len = sizeof org;
                        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, k,
                                                          0, org, &len) != 0)
                            break;
                        if (strcmp(org, "ksim:readonly") == 0)
                            role = ROLE_READONLY;
                    }
                }
                gnutls_x509_crt_deinit(crt);
            }
            return role;
        }
    }
    if (!srv->auth_required) {
        snprintf(user, n, "system:anonymous");
        return ROLE_ADMIN;
    }
    return ROLE_NONE;
}

/* ---- faults ---- */

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

static void
wait_ms(struct ksim_store *st, uint64_t ms)
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

/* Returns 1 when a fault answered (or must close) the request, 0 to go on.
 * *ret is what the handler returns. */
static int
apply_faults(struct ksim_server *srv, struct MHD_Connection *c, enum MHD_Result *ret)
{
    struct ksim_store *st = srv->st;
    pthread_mutex_lock(&st->mu);
    if (st->fault.refuse) {
        pthread_mutex_unlock(&st->mu);
        *ret = MHD_NO; /* closes the connection without an answer */
        return 1;
    }
    while (st->fault.hang && !st->stopping)
        wait_ms(st, 1000);
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
        *ret = reply_status(c, &stt, retry);
        return 1;
    }
    if (garbage) {
        static const char junk[] = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"meta"
                                   "data\":{\"name\":\"\xff\xfe\x01garbage]]}}{{\"\n";
        char *b = xmalloc(sizeof junk);
        memcpy(b, junk, sizeof junk);
        *ret = reply_buf(c, 200, "application/json", b, sizeof junk - 1, 0);
        return 1;
    }
    return 0;
}

/* ---- request target ---- */

struct target {
    struct ksim_res *res;
    const char *version; /* borrowed from the path */
    const char *ns;      /* "" for all namespaces or cluster scope */
    const char *name;    /* NULL for the collection */
    const char *sub;     /* NULL, "status", "log", "scale" */
    bool meta_only;      /* Accept: ...;as=PartialObjectMetadata(List) */
};

static bool
wants_table(struct MHD_Connection *c)
{
    const char *acc = hdr(c, "Accept");
    return acc != NULL && strstr(acc, "as=Table") != NULL;
}

static const char *
include_object(struct MHD_Connection *c)
{
    const char *inc = qarg(c, "includeObject");
    return inc ? inc : "Metadata";
}

static void
fix_version(const struct target *t, json_t *obj)
{
    if (t->res->n_versions > 1 && strcmp(t->version, t->res->versions[0]) != 0) {
        char *av = xasprintf("%s/%s", t->res->group, t->version);
        json_object_set_new(obj, "apiVersion", json_string(av));
        free(av);
    }
}

/* The metadata-only form (PartialObjectMetadata) of obj; takes obj. */
static json_t *
partial_of(json_t *obj)
{
    json_t *p = json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                          "meta.k8s.io/v1", "metadata", json_object_get(obj, "metadata"));
    json_decref(obj);
    return p;
}

static void
append_obj(const struct target *t, struct ksim_blob *b, struct strbuf *out)
{
    if (t->meta_only || (t->res->n_versions > 1 && strcmp(t->version, t->res->versions[0]) != 0)) {
        json_t *o = ksim_blob_parse(b);
        fix_version(t, o);
        if (t->meta_only)
            o = partial_of(o);
        char *s = json_dumps(o, JSON_COMPACT);
        strbuf_append(out, s);
        free(s);
        json_decref(o);
    } else {
        strbuf_appendn(out, b->s, b->len);
    }
}

static json_t *
table_of(const struct ksim_res *res, const char *rv, const char *cont, bool cols)
{
    json_t *meta = json_object();
    if (rv != NULL)
        json_object_set_new(meta, "resourceVersion", json_string(rv));
    if (cont != NULL)
        json_object_set_new(meta, "continue", json_string(cont));
    json_t *t = json_pack("{s:s, s:s, s:o, s:o}", "kind", "Table", "apiVersion", "meta.k8s.io/v1",
                          "metadata", meta, "rows", json_array());
    if (cols)
        json_object_set_new(t, "columnDefinitions", ksim_table_columns(res));
    return t;
}

/* ---- continue tokens: base64url of {"rv":N,"start":"key"} ---- */

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
b64_encode(const char *s, size_t len)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < len; i += 3) {
        unsigned a = (unsigned char)s[i], b = i + 1 < len ? (unsigned char)s[i + 1] : 0,
                 c = i + 2 < len ? (unsigned char)s[i + 2] : 0;
        unsigned v = (a << 16) | (b << 8) | c;
        strbuf_appendc(&sb, b64u[(v >> 18) & 63]);
        strbuf_appendc(&sb, b64u[(v >> 12) & 63]);
        if (i + 1 < len)
            strbuf_appendc(&sb, b64u[(v >> 6) & 63]);
        if (i + 2 < len)
            strbuf_appendc(&sb, b64u[v & 63]);
    }
    return strbuf_detach(&sb);
}

static char *
b64_decode(const char *s)
{
    struct strbuf sb;
    strbuf_init(&sb);
    unsigned v = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(b64u, *s);
        if (p == NULL) {
            p = *s == '+' ? b64u + 62 : *s == '/' ? b64u + 63 : NULL;
            if (p == NULL) {
                strbuf_fini(&sb);
                return NULL;
            }
        }
        v = (v << 6) | (unsigned)(p - b64u);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            strbuf_appendc(&sb, (char)((v >> bits) & 0xff));
        }
    }
    return strbuf_detach(&sb);
}

/* ---- LIST ---- */

struct lazy_obj {
    struct ksim_obj *o;
    json_t *parsed;
};

static json_t *
lazy_get(void *arg)
{
    struct lazy_obj *l = arg;
    if (l->parsed == NULL)
        l->parsed = ksim_blob_parse(l->o->blob);
    return l->parsed;
}

static int
parse_selectors(struct MHD_Connection *c, struct ksim_selector **ls, struct ksim_selector **fs,
                struct ksim_status *stt)
{
    struct pxerr err = {0};
    *ls = *fs = NULL;
    if (ksim_selector_parse(qarg(c, "labelSelector"), false, ls, &err) != 0 ||
        ksim_selector_parse(qarg(c, "fieldSelector"), true, fs, &err) != 0) {
        ksim_selector_free(*ls);
        *ls = NULL;
        ksim_status_set(stt, 400, "BadRequest", "%s", err.msg);
        return -1;
    }
    return 0;
}

static bool
obj_matches(struct ksim_obj *o, const char *ns, struct ksim_selector *ls, struct ksim_selector *fs,
            struct lazy_obj *lz)
{
    if (ns[0] && strcmp(o->ns, ns) != 0)
        return false;
    if (!ksim_selector_empty(ls) && !ksim_selector_match_labels(ls, o->labels))
        return false;
    if (!ksim_selector_empty(fs)) {
        lz->o = o;
        lz->parsed = NULL;
        bool m = ksim_selector_match_fields(fs, o->ns, o->name, lazy_get, lz);
        json_decref(lz->parsed);
        lz->parsed = NULL;
        if (!m)
            return false;
    }
    return true;
}

static enum MHD_Result
do_list(struct ksim_server *srv, struct MHD_Connection *c, const struct target *t)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt;
    struct ksim_selector *ls, *fs;
    if (parse_selectors(c, &ls, &fs, &stt) != 0)
        return reply_status(c, &stt, 0);
    long limit = qarg(c, "limit") ? strtol(qarg(c, "limit"), NULL, 10) : 0;
    const char *cont = qarg(c, "continue");
    const char *rvq = qarg(c, "resourceVersion");
    bool table = wants_table(c);
    char *start = NULL;
    uint64_t list_rv = 0;
    if (cont != NULL && *cont) {
        char *dec = b64_decode(cont);
        json_t *tok = dec ? json_loads(dec, 0, NULL) : NULL;
        free(dec);
        const char *s = json_string_value(json_object_get(tok, "start"));
        if (s == NULL) {
            json_decref(tok);
            ksim_selector_free(ls);
            ksim_selector_free(fs);
            return reply_err(c, 400, "BadRequest",
                             "continue key is not valid: not a token this "
                             "server issued; start the list again without "
                             "continue");
        }
        start = xstrdup(s);
        list_rv = (uint64_t)json_integer_value(json_object_get(tok, "rv"));
        json_decref(tok);
    }
    pthread_mutex_lock(&st->mu);
    if (cont != NULL && *cont && list_rv < st->horizon_rv) {
        pthread_mutex_unlock(&st->mu);
        free(start);
        ksim_selector_free(ls);
        ksim_selector_free(fs);
        return reply_err(c, 410, "Expired",
                         "The provided continue parameter is too old to display a consistent "
                         "list result. You can start a new list without the continue parameter.");
    }
    if (rvq != NULL && *rvq && strcmp(rvq, "0") != 0 && strtoull(rvq, NULL, 10) > st->rv) {
        uint64_t cur = st->rv;
        pthread_mutex_unlock(&st->mu);
        free(start);
        ksim_selector_free(ls);
        ksim_selector_free(fs);
        return reply_err(c, 504, "Timeout", "Too large resource version: %s, current: %llu", rvq,
                         (unsigned long long)cur);
    }
    if (list_rv == 0)
        list_rv = st->rv;
    struct ksim_res *res = t->res;
    size_t at;
    char *ns_prefix = t->ns[0] ? xasprintf("%s/", t->ns) : NULL;
    if (start != NULL)
        at = ksim_res_lower_bound(res, start, false);
    else if (ns_prefix != NULL)
        at = ksim_res_lower_bound(res, ns_prefix, true);
    else
        at = 0;
    struct strbuf out;
    strbuf_init(&out);
    json_t *tab = table ? table_of(res, NULL, NULL, true) : NULL;
    json_t *rows = tab ? json_object_get(tab, "rows") : NULL;
    long n = 0;
    char *next = NULL;
    struct lazy_obj lz = {0};
    for (; at < res->sorted.n; at++) {
        struct ksim_obj *o = vec_at(&res->sorted, at);
        if (ns_prefix != NULL && strncmp(o->key, ns_prefix, strlen(ns_prefix)) != 0)
            break;
        if (!obj_matches(o, t->ns, ls, fs, &lz))
            continue;
        if (limit > 0 && n == limit) {
            /* there is at least one more: the token starts after the last one sent */
            const struct ksim_obj *last = vec_at(&res->sorted, at - 1);
            (void)last;
            break;
        }
        if (table) {
            json_t *obj = ksim_blob_parse(o->blob);
            fix_version(t, obj);
            json_array_append_new(rows, ksim_table_row(res, obj, include_object(c)));
            json_decref(obj);
        } else {
            if (n > 0)
                strbuf_appendc(&out, ',');
            append_obj(t, o->blob, &out);
        }
        n++;
        free(next);
        next = xstrdup(o->key);
    }
    bool more = at < res->sorted.n && limit > 0 && n == limit;
    if (more && ns_prefix != NULL) {
        struct ksim_obj *o = vec_at(&res->sorted, at);
        more = strncmp(o->key, ns_prefix, strlen(ns_prefix)) == 0;
    }
    pthread_mutex_unlock(&st->mu);
    free(ns_prefix);
    free(start);
    ksim_selector_free(ls);
    ksim_selector_free(fs);
    char rvs[32];
    snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)list_rv);
    char *token = NULL;
    if (more && next != NULL) {
        json_t *tok = json_pack("{s:I, s:s}", "rv", (json_int_t)list_rv, "start", next);
        char *s = json_dumps(tok, JSON_COMPACT);
        token = b64_encode(s, strlen(s));
        free(s);
        json_decref(tok);
    }
    free(next);
    if (table) {
        json_t *meta = json_object_get(tab, "metadata");
        json_object_set_new(meta, "resourceVersion", json_string(rvs));
        if (token != NULL)
            json_object_set_new(meta, "continue", json_string(token));
        free(token);
        strbuf_fini(&out);
        return reply_json(c, 200, tab);
    }
    struct strbuf doc;
    strbuf_init(&doc);
    char *av = t->meta_only    ? xstrdup("meta.k8s.io/v1")
               : res->group[0] ? xasprintf("%s/%s", res->group, t->version)
                               : xstrdup(t->version);
    strbuf_appendf(&doc,
                   "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":"
                   "\"%s\"",
                   t->meta_only ? "PartialObjectMetadataList" : res->list_kind, av, rvs);
    free(av);
    if (token != NULL)
        strbuf_appendf(&doc, ",\"continue\":\"%s\"", token);
    free(token);
    strbuf_append(&doc, "},\"items\":[");
    strbuf_appendn(&doc, out.s, out.len);
    strbuf_append(&doc, "]}\n");
    strbuf_fini(&out);
    size_t len = doc.len;
    return reply_buf(c, 200, "application/json", strbuf_detach(&doc), len, 0);
}

/* ---- WATCH ---- */

struct watch {
    struct ksim_server *srv;
    struct target t;
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
        fix_version(&w->t, obj);
        json_t *tab =
            table_of(w->t.res, json_string_value(ksim_path_get(obj, "metadata.resourceVersion")),
                     NULL, !w->table_cols_sent);
        w->table_cols_sent = true;
        json_array_append_new(json_object_get(tab, "rows"),
                              ksim_table_row(w->t.res, obj, w->include));
        char *s = json_dumps(tab, JSON_COMPACT);
        strbuf_append(&w->out, s);
        free(s);
        json_decref(tab);
        json_decref(obj);
    } else {
        append_obj(&w->t, blob, &w->out);
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
    struct lazy_obj lz = {0};
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
                bool m = ksim_selector_match_fields(w->fs, e->ns, e->name, lazy_get, &lz);
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
        wait_ms(st, wake > now ? wake - now : 1);
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

static enum MHD_Result
do_watch(struct ksim_server *srv, struct MHD_Connection *c, const struct target *t)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt;
    struct watch *w = xcalloc(1, sizeof *w);
    w->srv = srv;
    w->fd = -1;
    if (parse_selectors(c, &w->ls, &w->fs, &stt) != 0) {
        free(w);
        return reply_status(c, &stt, 0);
    }
    w->version = xstrdup(t->version);
    w->ns = xstrdup(t->ns);
    w->include = xstrdup(include_object(c));
    w->t = *t;
    w->t.version = w->version;
    w->t.ns = w->ns;
    w->table = wants_table(c);
    w->bookmarks = truthy(qarg(c, "allowWatchBookmarks"));
    vec_init(&w->initial, blob_unref_fn);
    strbuf_init(&w->out);
    const char *ts = qarg(c, "timeoutSeconds");
    long timeout_s = ts ? strtol(ts, NULL, 10) : DEFAULT_WATCH_S;
    if (timeout_s <= 0)
        timeout_s = DEFAULT_WATCH_S;
    w->deadline_ms = clock_mono_ms() + (uint64_t)timeout_s * 1000;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    w->fd = ci ? ci->connect_fd : -1;
    const char *rvq = qarg(c, "resourceVersion");
    bool send_initial = truthy(qarg(c, "sendInitialEvents"));

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
        struct lazy_obj lz = {0};
        struct ksim_res *res = t->res;
        for (size_t i = 0; i < res->sorted.n; i++) {
            struct ksim_obj *o = vec_at(&res->sorted, i);
            if (obj_matches(o, w->ns, w->ls, w->fs, &lz))
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

/* ---- single objects and writes ---- */

static enum MHD_Result
reply_obj(struct MHD_Connection *c, const struct target *t, unsigned code, json_t *obj)
{
    fix_version(t, obj);
    if (wants_table(c)) {
        json_t *tab = table_of(
            t->res, json_string_value(ksim_path_get(obj, "metadata.resourceVersion")), NULL, true);
        json_array_append_new(json_object_get(tab, "rows"),
                              ksim_table_row(t->res, obj, include_object(c)));
        json_decref(obj);
        return reply_json(c, code, tab);
    }
    return reply_json(c, code, t->meta_only ? partial_of(obj) : obj);
}

static enum MHD_Result
do_get(struct ksim_server *srv, struct MHD_Connection *c, const struct target *t)
{
    struct ksim_store *st = srv->st;
    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    if (o == NULL) {
        pthread_mutex_unlock(&st->mu);
        return reply_err(c, 404, "NotFound", "%s%s%s \"%s\" not found", t->res->plural,
                         t->res->group[0] ? "." : "", t->res->group, t->name);
    }
    json_t *obj = ksim_blob_parse(o->blob);
    if (t->sub != NULL && strcmp(t->sub, "log") == 0) {
        int code = 0;
        char msg[512];
        char *text = ksim_sim_pod_log_locked(st, obj, qarg(c, "container"), &code, msg, sizeof msg);
        pthread_mutex_unlock(&st->mu);
        json_decref(obj);
        if (text == NULL)
            return reply_err(c, code, "BadRequest", "%s", msg);
        const char *tail = qarg(c, "tailLines");
        if (tail != NULL) {
            long want = strtol(tail, NULL, 10);
            size_t len = strlen(text);
            long lines = 0;
            size_t i = len;
            if (i > 0 && text[i - 1] == '\n')
                i--;
            while (i > 0) {
                if (text[i - 1] == '\n' && ++lines == want)
                    break;
                i--;
            }
            memmove(text, text + i, len - i + 1);
        }
        return reply_buf(c, 200, "text/plain", text, strlen(text), 0);
    }
    pthread_mutex_unlock(&st->mu);
    return reply_obj(c, t, 200, obj);
}

static int
write_flags(struct MHD_Connection *c, const struct target *t, struct ksim_status *stt)
{
    int flags = 0;
    const char *dry = qarg(c, "dryRun");
    if (dry != NULL) {
        if (strcmp(dry, "All") != 0) {
            ksim_status_set(stt, 400, "BadRequest",
                            "dryRun=%s is not supported; the only value is All", dry);
            return -1;
        }
        flags |= KSIM_W_DRYRUN;
    }
    if (t->sub != NULL && strcmp(t->sub, "status") == 0)
        flags |= KSIM_W_STATUS;
    return flags;
}

static enum MHD_Result
do_write(struct ksim_server *srv, struct MHD_Connection *c, const char *method,
         const struct target *t, struct conn_req *req)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt = {0};
    int flags = write_flags(c, t, &stt);
    if (flags < 0)
        return reply_status(c, &stt, 0);
    json_t *out = NULL;
    int rc;
    unsigned ok_code = 200;
    if (strcmp(method, "DELETE") == 0) {
        if (t->name == NULL) { /* deletecollection */
            struct ksim_selector *ls, *fs;
            if (parse_selectors(c, &ls, &fs, &stt) != 0)
                return reply_status(c, &stt, 0);
            pthread_mutex_lock(&st->mu);
            struct vec names;
            vec_init(&names, free);
            struct lazy_obj lz = {0};
            for (size_t i = 0; i < t->res->sorted.n; i++) {
                struct ksim_obj *o = vec_at(&t->res->sorted, i);
                if (obj_matches(o, t->ns, ls, fs, &lz))
                    vec_push(&names, xstrdup(o->key));
            }
            json_t *items = json_array();
            for (size_t i = 0; i < names.n; i++) {
                char *key = vec_at(&names, i);
                char *slash = t->res->namespaced ? strchr(key, '/') : NULL;
                const char *ns = slash ? key : "";
                if (slash)
                    *slash = '\0';
                json_t *gone = NULL;
                if (ksim_api_delete_locked(st, t->res, ns, slash ? slash + 1 : key, flags, &gone,
                                           &stt) == 0)
                    json_array_append_new(items, gone);
            }
            uint64_t rv = st->rv;
            pthread_mutex_unlock(&st->mu);
            vec_fini(&names);
            ksim_selector_free(ls);
            ksim_selector_free(fs);
            char rvs[32];
            snprintf(rvs, sizeof rvs, "%llu", (unsigned long long)rv);
            char *av = t->res->group[0] ? xasprintf("%s/%s", t->res->group, t->version)
                                        : xstrdup(t->version);
            json_t *list =
                json_pack("{s:s, s:s, s:{s:s}, s:o}", "kind", t->res->list_kind, "apiVersion", av,
                          "metadata", "resourceVersion", rvs, "items", items);
            free(av);
            return reply_json(c, 200, list);
        }
        pthread_mutex_lock(&st->mu);
        rc = ksim_api_delete_locked(st, t->res, t->ns, t->name, flags, &out, &stt);
        pthread_mutex_unlock(&st->mu);
        return rc == 0 ? reply_obj(c, t, 200, out) : reply_status(c, &stt, 0);
    }
    if (req->too_big)
        return reply_err(c, 413, "RequestEntityTooLarge",
                         "the request body is larger than %u bytes", MAX_BODY);
    if (strcmp(method, "PATCH") == 0) {
        const char *ct = hdr(c, "Content-Type");
        enum ksim_patch_type type;
        if (ct == NULL)
            ct = "";
        if (strncmp(ct, "application/merge-patch+json", 28) == 0)
            type = KSIM_PATCH_MERGE;
        else if (strncmp(ct, "application/strategic-merge-patch+json", 38) == 0)
            type = KSIM_PATCH_STRATEGIC;
        else if (strncmp(ct, "application/json-patch+json", 27) == 0)
            type = KSIM_PATCH_JSON;
        else if (strncmp(ct, "application/apply-patch+yaml", 28) == 0)
            type = KSIM_PATCH_APPLY;
        else
            return reply_err(c, 415, "UnsupportedMediaType",
                             "the body of the request was in an unknown format - accepted media "
                             "types include: application/json-patch+json, "
                             "application/merge-patch+json, application/apply-patch+yaml, "
                             "application/strategic-merge-patch+json (got \"%s\")",
                             ct);
        json_t *body = parse_body(&req->body, &stt);
        if (body == NULL)
            return reply_status(c, &stt, 0);
        pthread_mutex_lock(&st->mu);
        bool existed = ksim_obj_get_locked(t->res, t->ns, t->name) != NULL;
        rc = ksim_api_patch_locked(st, t->res, t->ns, t->name, type, body, qarg(c, "fieldManager"),
                                   flags, &out, &stt);
        pthread_mutex_unlock(&st->mu);
        if (rc == 0 && !existed)
            ok_code = 201;
        return rc == 0 ? reply_obj(c, t, ok_code, out) : reply_status(c, &stt, 0);
    }
    const char *ct = hdr(c, "Content-Type");
    json_t *body;
    if (ct != NULL && strstr(ct, "protobuf") != NULL) {
        struct pxerr err = {0};
        body = ksim_proto_decode((const unsigned char *)req->body.s, req->body.len, &err);
        if (body == NULL)
            return reply_err(c, 415, "UnsupportedMediaType", "%s", err.msg);
    } else if (ct != NULL && strstr(ct, "cbor") != NULL) {
        return reply_err(c, 415, "UnsupportedMediaType",
                         "the body of the request was in an unknown format - accepted media "
                         "types include: application/json, application/yaml (got \"%s\")",
                         ct);
    } else {
        body = parse_body(&req->body, &stt);
        if (body == NULL)
            return reply_status(c, &stt, 0);
    }
    pthread_mutex_lock(&st->mu);
    if (strcmp(method, "POST") == 0) {
        rc = ksim_api_create_locked(st, t->res, t->ns, body, flags, &out, &stt);
        ok_code = 201;
    } else {
        rc = ksim_api_update_locked(st, t->res, t->ns, t->name, body, flags, &out, &stt);
    }
    pthread_mutex_unlock(&st->mu);
    return rc == 0 ? reply_obj(c, t, ok_code, out) : reply_status(c, &stt, 0);
}

/* The autoscaling/v1 Scale view of a StatefulSet or Deployment (kubectl scale). */
static json_t *
scale_of(json_t *obj)
{
    json_t *meta = json_object_get(obj, "metadata");
    json_t *rep = ksim_path_get(obj, "spec.replicas");
    json_t *labels = ksim_path_get(obj, "spec.selector.matchLabels");
    struct strbuf sel;
    strbuf_init(&sel);
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v)
        strbuf_appendf(&sel, "%s%s=%s", sel.len ? "," : "", k, json_string_value(v));
    json_t *sc = json_pack(
        "{s:s, s:s, s:{s:O, s:O, s:O, s:O, s:O}, s:{s:I}, s:{s:I, s:s}}", "kind", "Scale",
        "apiVersion", "autoscaling/v1", "metadata", "name", json_object_get(meta, "name"),
        "namespace", json_object_get(meta, "namespace"), "uid", json_object_get(meta, "uid"),
        "resourceVersion", json_object_get(meta, "resourceVersion"), "creationTimestamp",
        json_object_get(meta, "creationTimestamp"), "spec", "replicas",
        json_is_integer(rep) ? json_integer_value(rep) : (json_int_t)1, "status", "replicas",
        json_integer_value(ksim_path_get(obj, "status.replicas")), "selector", sel.s);
    strbuf_fini(&sel);
    return sc;
}

static enum MHD_Result
do_scale(struct ksim_server *srv, struct MHD_Connection *c, const char *method,
         const struct target *t, struct conn_req *req)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt = {0};
    json_t *patch = NULL;
    const char *ct = hdr(c, "Content-Type");
    bool json_patch = ct != NULL && strncmp(ct, "application/json-patch+json", 27) == 0;
    if (strcmp(method, "GET") != 0) {
        if (strcmp(method, "PUT") != 0 && strcmp(method, "PATCH") != 0)
            return reply_err(c, 405, "MethodNotAllowed", "scale supports GET, PUT and PATCH");
        patch = parse_body(&req->body, &stt);
        if (patch == NULL)
            return reply_status(c, &stt, 0);
    }
    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    if (o == NULL) {
        pthread_mutex_unlock(&st->mu);
        json_decref(patch);
        return reply_err(c, 404, "NotFound", "%s.%s \"%s\" not found", t->res->plural,
                         t->res->group, t->name);
    }
    json_t *obj = ksim_blob_parse(o->blob);
    json_t *sc = scale_of(obj);
    if (patch == NULL) {
        pthread_mutex_unlock(&st->mu);
        json_decref(obj);
        return reply_json(c, 200, sc);
    }
    struct pxerr err = {0};
    json_t *want = strcmp(method, "PUT") == 0 ? json_incref(patch)
                   : json_patch               ? ksim_json_patch(sc, patch, &err)
                                              : ksim_merge_patch(sc, patch);
    json_decref(patch);
    json_decref(sc);
    json_t *rep = ksim_path_get(want, "spec.replicas");
    if (!json_is_integer(rep) || json_integer_value(rep) < 0) {
        pthread_mutex_unlock(&st->mu);
        json_decref(obj);
        json_decref(want);
        return reply_err(c, 422, "Invalid",
                         "Scale.spec.replicas must be a non-negative integer%s%s",
                         err.msg[0] ? ": " : "", err.msg);
    }
    json_object_set_new(ksim_obj_ensure(obj, "spec"), "replicas",
                        json_integer(json_integer_value(rep)));
    json_decref(want);
    json_object_del(json_object_get(obj, "metadata"), "resourceVersion");
    json_t *out = NULL;
    int flags = write_flags(c, t, &stt);
    int rc = flags < 0 ? -1
                       : ksim_api_update_locked(st, t->res, t->ns, t->name, obj,
                                                flags & ~KSIM_W_STATUS, &out, &stt);
    if (flags < 0)
        json_decref(obj);
    json_t *result = rc == 0 ? scale_of(out) : NULL;
    pthread_mutex_unlock(&st->mu);
    json_decref(out);
    return rc == 0 ? reply_json(c, 200, result) : reply_status(c, &stt, 0);
}

/* ---- routing ---- */

static size_t
split_path(char *path, char **seg, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(path, "/", &save); p && n < max; p = strtok_r(NULL, "/", &save))
        seg[n++] = p;
    return n;
}

static const char *
verb_of(const char *method, const struct target *t, struct MHD_Connection *c)
{
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return t->name ? "get" : truthy(qarg(c, "watch")) ? "watch" : "list";
    if (strcmp(method, "POST") == 0)
        return "create";
    if (strcmp(method, "PUT") == 0)
        return "update";
    if (strcmp(method, "PATCH") == 0)
        return "patch";
    if (strcmp(method, "DELETE") == 0)
        return t->name ? "delete" : "deletecollection";
    return method;
}

static enum MHD_Result
do_control(struct ksim_server *srv, struct MHD_Connection *c, const char *url, const char *method,
           struct conn_req *req)
{
    struct ksim_store *st = srv->st;
    if (strcmp(url, "/_ksim/fault") == 0 && strcmp(method, "POST") == 0) {
        json_error_t je;
        json_t *doc = json_loadb(req->body.s, req->body.len, 0, &je);
        if (doc == NULL)
            return reply_err(c, 400, "BadRequest", "fault: body is not JSON: %s", je.text);
        struct pxerr err = {0};
        int rc = ksim_fault_apply(st, doc, &err);
        json_decref(doc);
        if (rc != 0)
            return reply_err(c, 400, "BadRequest", "%s", err.msg);
    } else if (!(strcmp(url, "/_ksim/fault") == 0 || strcmp(url, "/_ksim/stats") == 0) ||
               strcmp(method, "GET") != 0) {
        if (strcmp(url, "/_ksim/fault") != 0)
            return reply_err(c, 404, "NotFound",
                             "unknown kubesim control path %s (try /_ksim/fault or /_ksim/stats)",
                             url);
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
    return reply_json(c, 200, j);
}

static enum MHD_Result
route(struct ksim_server *srv, struct MHD_Connection *c, const char *url, const char *method,
      struct conn_req *req)
{
    struct ksim_store *st = srv->st;
    if (strncmp(url, "/_ksim/", 7) == 0) {
        char user[256];
        if (authenticate(srv, c, user, sizeof user) != ROLE_ADMIN)
            return reply_err(c, 401, "Unauthorized", "Unauthorized");
        return do_control(srv, c, url, method, req);
    }
    enum MHD_Result fret;
    if (apply_faults(srv, c, &fret))
        return fret;
    char user[256];
    enum role role = authenticate(srv, c, user, sizeof user);
    if (role == ROLE_NONE)
        return reply_err(c, 401, "Unauthorized", "Unauthorized");

    if (strcmp(url, "/version") == 0 || strcmp(url, "/version/") == 0)
        return reply_json(c, 200,
                          json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", "1",
                                    "minor", "32", "gitVersion", "v1.32.4-ksim", "gitCommit",
                                    "0000000000000000000000000000000000000000", "gitTreeState",
                                    "clean", "buildDate", "2026-01-01T00:00:00Z", "goVersion",
                                    "go1.23.8", "compiler", "gc", "platform", "linux/amd64"));
    if (strcmp(url, "/healthz") == 0 || strcmp(url, "/livez") == 0 || strcmp(url, "/readyz") == 0) {
        char *ok = xstrdup("ok");
        return reply_buf(c, 200, "text/plain", ok, 2, 0);
    }
    if (strcmp(url, "/openapi/v3") == 0 || strncmp(url, "/openapi/v3/", 12) == 0) {
        pthread_mutex_lock(&st->mu);
        json_t *j = url[11] == '\0' ? openapi_root(st) : openapi_gv(st, url + 12);
        pthread_mutex_unlock(&st->mu);
        if (j == NULL)
            return reply_err(c, 404, "NotFound", "no OpenAPI document for %s", url);
        return reply_json(c, 200, j);
    }
    if (strncmp(url, "/openapi/", 9) == 0 || strcmp(url, "/swagger.json") == 0)
        return reply_err(c, 404, "NotFound",
                         "kubesim serves no OpenAPI document; clients fall back to their "
                         "built-in schema or skip client-side validation");

    char path[2048];
    snprintf(path, sizeof path, "%s", url);
    char *seg[16];
    size_t n = split_path(path, seg, 16);
    const char *group, *version;
    size_t rest;
    if (n >= 1 && strcmp(seg[0], "api") == 0) {
        if (n == 1) {
            json_t *j = json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions",
                                  "v1", "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0",
                                  "serverAddress", srv->addr);
            return reply_json(c, 200, j);
        }
        group = "";
        version = seg[1];
        rest = 2;
    } else if (n >= 1 && strcmp(seg[0], "apis") == 0) {
        if (n == 1) {
            pthread_mutex_lock(&st->mu);
            json_t *j = api_group_list(st);
            pthread_mutex_unlock(&st->mu);
            return reply_json(c, 200, j);
        }
        if (n == 2) {
            pthread_mutex_lock(&st->mu);
            json_t *j = api_group(st, seg[1]);
            pthread_mutex_unlock(&st->mu);
            if (j == NULL)
                return reply_err(c, 404, "NotFound",
                                 "the server could not find the requested "
                                 "resource (API group %s)",
                                 seg[1]);
            return reply_json(c, 200, j);
        }
        group = seg[1];
        version = seg[2];
        rest = 3;
    } else {
        return reply_err(c, 404, "NotFound",
                         "the server could not find the requested resource "
                         "(path %s)",
                         url);
    }
    if (n == rest) {
        pthread_mutex_lock(&st->mu);
        json_t *j = resource_list(st, group, version);
        pthread_mutex_unlock(&st->mu);
        if (json_array_size(json_object_get(j, "resources")) == 0) {
            json_decref(j);
            return reply_err(c, 404, "NotFound",
                             "the server could not find the requested "
                             "resource (group version %s%s%s)",
                             group, group[0] ? "/" : "", version);
        }
        return reply_json(c, 200, j);
    }
    struct target t = {.version = version, .ns = ""};
    char **s = seg + rest;
    size_t m = n - rest;
    pthread_mutex_lock(&st->mu);
    struct ksim_res *nsres =
        m >= 3 && strcmp(s[0], "namespaces") == 0 ? ksim_res_find(st, group, version, s[2]) : NULL;
    if (nsres != NULL && nsres->namespaced) {
        t.res = nsres;
        t.ns = s[1];
        t.name = m >= 4 ? s[3] : NULL;
        t.sub = m >= 5 ? s[4] : NULL;
        if (m > 5)
            t.res = NULL;
    } else {
        t.res = ksim_res_find(st, group, version, s[0]);
        t.name = m >= 2 ? s[1] : NULL;
        t.sub = m >= 3 ? s[2] : NULL;
        if (m > 3 || (t.res != NULL && t.res->namespaced && t.name != NULL))
            t.res = NULL;
    }
    pthread_mutex_unlock(&st->mu);
    if (t.res == NULL)
        return reply_err(c, 404, "NotFound",
                         "the server could not find the requested resource "
                         "(path %s)",
                         url);
    bool scalable =
        strcmp(t.res->group, "apps") == 0 &&
        (strcmp(t.res->plural, "statefulsets") == 0 || strcmp(t.res->plural, "deployments") == 0);
    if (t.sub != NULL &&
        !(strcmp(t.sub, "status") == 0 || (strcmp(t.sub, "scale") == 0 && scalable) ||
          (strcmp(t.sub, "log") == 0 && strcmp(t.res->plural, "pods") == 0 &&
           t.res->group[0] == '\0')))
        return reply_err(c, 404, "NotFound",
                         "the server could not find the requested resource "
                         "(subresource %s of %s)",
                         t.sub, t.res->plural);

    const char *acc = hdr(c, "Accept");
    t.meta_only = acc != NULL && strstr(acc, "as=PartialObjectMetadata") != NULL && !wants_table(c);
    const char *verb = verb_of(method, &t, c);
    bool read = strcmp(verb, "get") == 0 || strcmp(verb, "list") == 0 || strcmp(verb, "watch") == 0;
    bool forbidden = role == ROLE_READONLY && !read;
    for (size_t i = 0; role == ROLE_READONLY && i < srv->forbid.n; i++)
        forbidden = forbidden || strcmp(vec_at(&srv->forbid, i), t.res->plural) == 0;
    if (forbidden) {
        char what[600];
        if (t.name != NULL)
            snprintf(what, sizeof what, "%s%s%s \"%s\" is forbidden", t.res->plural,
                     t.res->group[0] ? "." : "", t.res->group, t.name);
        else
            snprintf(what, sizeof what, "%s%s%s is forbidden", t.res->plural,
                     t.res->group[0] ? "." : "", t.res->group);
        return reply_err(c, 403, "Forbidden",
                         "%s: User \"%s\" cannot %s resource \"%s%s%s\" in API group \"%s\"%s%s%s",
                         what, user, verb, t.res->plural, t.sub ? "/" : "", t.sub ? t.sub : "",
                         t.res->group, t.ns[0] ? " in the namespace \"" : " at the cluster scope",
                         t.ns, t.ns[0] ? "\"" : "");
    }
    if (t.sub != NULL && strcmp(t.sub, "scale") == 0)
        return do_scale(srv, c, method, &t, req);
    if (strcmp(verb, "list") == 0)
        return do_list(srv, c, &t);
    if (strcmp(verb, "watch") == 0)
        return do_watch(srv, c, &t);
    if (strcmp(verb, "get") == 0)
        return do_get(srv, c, &t);
    if (strcmp(method, "POST") == 0 && t.name != NULL)
        return reply_err(c, 405, "MethodNotAllowed",
                         "POST to a named object is not supported; "
                         "POST to the collection");
    if ((strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) && t.name == NULL)
        return reply_err(c, 405, "MethodNotAllowed", "%s needs an object name in the path", method);
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0 ||
        strcmp(method, "DELETE") == 0)
        return do_write(srv, c, method, &t, req);
    return reply_err(c, 405, "MethodNotAllowed", "method %s is not supported", method);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct ksim_server *srv = cls;
    (void)version;
    struct conn_req *req = *con_cls;
    if (req == NULL) {
        req = xcalloc(1, sizeof *req);
        strbuf_init(&req->body);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (req->body.len + *upload_size > MAX_BODY)
            req->too_big = true;
        else
            strbuf_appendn(&req->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return route(srv, c, url, method, req);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct conn_req *req = *con_cls;
    if (req != NULL) {
        strbuf_fini(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    /* TLS handshakes of clients that give up (curl without -k) and connections closed on
     * purpose (faults) are not our errors. */
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (strstr(buf, "TLS") || strstr(buf, "handshake") || strstr(buf, "Socket") ||
        strstr(buf, "Closing connection"))
        return;
    fprintf(stderr, "kubesim: libmicrohttpd: %s", buf);
}

static void
token_free(void *p)
{
    struct token *t = p;
    xfree_secret(t->token);
    free(t->user);
    free(t);
}

static void
add_token(struct ksim_server *srv, const char *tok, const char *user, enum role role)
{
    struct token *t = xcalloc(1, sizeof *t);
    t->token = xstrdup(tok);
    t->user = xstrdup(user);
    t->role = role;
    vec_push(&srv->tokens, t);
}

static int
load_tokens(struct ksim_server *srv, const char *path, struct pxerr *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "tokens file %s: %s", path, strerror(errno));
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *save = NULL;
        char *tok = strtok_r(line, ",", &save);
        char *user = strtok_r(NULL, ",", &save);
        char *rest = strtok_r(NULL, "", &save);
        if (tok == NULL || user == NULL) {
            fclose(f);
            return pxerr_set(err, PXE_PARSE, "%s:%d: expected \"token,user[,readonly]\"", path,
                             lineno);
        }
        add_token(srv, tok, user, rest && strstr(rest, "readonly") ? ROLE_READONLY : ROLE_ADMIN);
    }
    fclose(f);
    return 0;
}

int
ksim_http_start(struct ksim_store *st, const struct ksim_http_opts *o, struct ksim_server **out,
                struct pxerr *err)
{
    struct ksim_server *srv = xcalloc(1, sizeof *srv);
    srv->st = st;
    srv->tls = o->tls;
    vec_init(&srv->tokens, token_free);
    vec_init(&srv->forbid, free);
    for (size_t i = 0; o->forbid && i < o->forbid->n; i++)
        vec_push(&srv->forbid, xstrdup(vec_at(o->forbid, i)));
    if (o->token)
        add_token(srv, o->token, "ksim-admin", ROLE_ADMIN);
    if (o->ro_token)
        add_token(srv, o->ro_token, "ksim-readonly", ROLE_READONLY);
    if (o->tokens_file && load_tokens(srv, o->tokens_file, err) != 0) {
        ksim_http_stop(srv);
        return err ? err->code : PXE_PARSE;
    }
    srv->auth_required = o->tls || srv->tokens.n > 0;

    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->ip, &sa.sin_addr) != 1) {
        ksim_http_stop(srv);
        return pxerr_set(err, PXE_USAGE, "--listen: \"%s\" is not an IPv4 address", o->ip);
    }
    unsigned idle_s = o->idle_timeout_s ? o->idle_timeout_s : 120;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | MHD_USE_POLL;
    if (o->tls)
        flags |= MHD_USE_TLS;
    if (o->tls)
        srv->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, srv,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_SOCK_ADDR,
                                  &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                  MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_HTTPS_MEM_CERT,
                                  o->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
                                  MHD_OPTION_HTTPS_MEM_TRUST, o->ca_pem, MHD_OPTION_END);
    else
        srv->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, srv,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv, MHD_OPTION_SOCK_ADDR,
                                  &sa, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                  MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_END);
    if (srv->d == NULL) {
        ksim_http_stop(srv);
        return pxerr_set(err, PXE_IO,
                         "cannot listen on %s:%d (address in use, or not a local address?); "
                         "choose another with --listen IP:PORT",
                         o->ip, o->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : o->port;
    snprintf(srv->addr, sizeof srv->addr, "%s:%d", o->ip, srv->port);
    *out = srv;
    return 0;
}

int
ksim_http_port(const struct ksim_server *srv)
{
    return srv->port;
}

void
ksim_http_stop(struct ksim_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->d != NULL) {
        pthread_mutex_lock(&srv->st->mu);
        srv->st->stopping = true;
        pthread_cond_broadcast(&srv->st->cond);
        pthread_mutex_unlock(&srv->st->mu);
        MHD_stop_daemon(srv->d);
    }
    vec_fini(&srv->tokens);
    vec_fini(&srv->forbid);
    free(srv);
}
