/* ksim_openapi: the OpenAPI documents kubectl reads before it writes: v3 (one per group
 * version) and v2 (one for all, as JSON or protobuf). Neither carries schemas. */
#include "ksim_http.h"

#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* ---- OpenAPI v3: only what kubectl needs to know that the server validates fields
 * itself (a PATCH operation per kind with the fieldValidation parameter); no schemas. */

json_t *
ksim_openapi_v3_root(struct ksim_store *st)
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

json_t *
ksim_openapi_v3_gv(struct ksim_store *st, const char *gvpath)
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

/* ---- OpenAPI v2 ----
 * kubectl (1.32) fetches /openapi/v2, as protobuf (client-go discovery_client.go,
 * OpenAPISchema: Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf,
 * proto.Unmarshal of the body), when it must validate a manifest itself: its OpenAPI v3
 * check of server-side field validation refuses kind List outright (cli-runtime
 * pkg/resource/query_param_verifier_v3.go, HasSupport), so `kubectl create|apply -f`
 * of a `kind: List` validates each item against this document (kubectl
 * pkg/validation/schema.go, validateList). Without it kubectl stops with "the server
 * could not find the requested resource".
 *
 * The document holds what kubectl reads from a real server's: per kind and served
 * version the PATCH operation with x-kubernetes-group-version-kind and the
 * fieldValidation parameter (the v2 check, query_param_verifier.go supportsQueryParam)
 * and the patch media types it consumes (apply's patcher reads them, GetConsumes; custom
 * resources take no strategic merge patch: apiextensions-apiserver
 * pkg/controller/openapi/builder/builder.go, buildRoute). It has no definitions, as
 * kubesim publishes no schemas: kubectl skips validating a kind the document does not
 * define (schema.go, validateResource), and apply computes its patch from its built-in
 * types, as before. */

static json_t *
v2_param(const char *name, const char *in)
{
    json_t *p = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "in", in, "type", "string",
                          "uniqueItems", 1);
    if (strcmp(in, "path") == 0)
        json_object_set_new(p, "required", json_true());
    return p;
}

static json_t *
v2_document_locked(struct ksim_store *st)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < st->res.n; i++) {
        struct ksim_res *r = vec_at(&st->res, i);
        for (size_t v = 0; v < r->n_versions; v++) {
            const char *version = r->versions[v];
            char *p = xasprintf("/%s%s/%s%s/%s/{name}", r->group[0] ? "apis/" : "api", r->group,
                                version, r->namespaced ? "/namespaces/{namespace}" : "", r->plural);
            json_t *params = json_pack("[o]", v2_param("name", "path"));
            if (r->namespaced)
                json_array_append_new(params, v2_param("namespace", "path"));
            json_t *consumes =
                json_pack("[s, s, s]", "application/json-patch+json",
                          "application/merge-patch+json", "application/apply-patch+yaml");
            if (r->table != KSIM_TABLE_CUSTOM)
                json_array_insert_new(consumes, 2,
                                      json_string("application/strategic-merge-patch+json"));
            json_t *op = json_pack(
                "{s:o, s:[s], s:[o, o, o], s:{s:{s:s}, s:{s:s}, s:{s:s}}, s:s,"
                " s:{s:s, s:s, s:s}}",
                "consumes", consumes, "produces", "application/json", "parameters",
                v2_param("dryRun", "query"), v2_param("fieldManager", "query"),
                v2_param("fieldValidation", "query"), "responses", "200", "description", "OK",
                "201", "description", "Created", "401", "description", "Unauthorized",
                "x-kubernetes-action", "patch", "x-kubernetes-group-version-kind", "group",
                r->group, "kind", r->kind, "version", version);
            json_object_set_new(paths, p,
                                json_pack("{s:o, s:o}", "parameters", params, "patch", op));
            free(p);
        }
    }
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:{}}", "swagger", "2.0", "info", "title",
                     "Kubernetes (kubesim)", "version", "v1.32.4", "paths", paths, "definitions");
}

/* ---- the protobuf form: what kube-openapi's handler serves (pkg/handler/handler.go,
 * ToProtoBinary: gnostic's ParseDocument of the JSON, then proto.Marshal), field numbers
 * from gnostic's openapiv2/OpenAPIv2.proto. Only the messages the document above uses are
 * written; proto3 leaves out empty strings and false. Vendor extensions are Any messages
 * holding the value as YAML text, as gnostic's NewAny makes them. */

static void
pb_varint(struct strbuf *b, uint64_t v)
{
    while (v >= 0x80) {
        strbuf_appendc(b, (char)(v | 0x80));
        v >>= 7;
    }
    strbuf_appendc(b, (char)v);
}

static void
pb_bytes(struct strbuf *b, unsigned field, const char *s, size_t n)
{
    pb_varint(b, (uint64_t)field << 3 | 2);
    pb_varint(b, n);
    strbuf_appendn(b, s, n);
}

static void
pb_str(struct strbuf *b, unsigned field, const char *s)
{
    if (s != NULL && *s)
        pb_bytes(b, field, s, strlen(s));
}

static void
pb_true(struct strbuf *b, unsigned field, const json_t *v)
{
    if (json_is_true(v)) {
        pb_varint(b, (uint64_t)field << 3);
        pb_varint(b, 1);
    }
}

/* Append sub as the embedded message field of b, and empty sub for the next one. */
static void
pb_msg(struct strbuf *b, unsigned field, struct strbuf *sub)
{
    pb_bytes(b, field, sub->s, sub->len);
    strbuf_reset(sub);
}

static void
pb_strings(struct strbuf *b, unsigned field, const json_t *arr)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) pb_bytes(b, field, json_string_value(e), json_string_length(e));
}

/* NamedAny {1 name, 2 Any {2 yaml}} */
static void
pb_named_any(struct strbuf *b, unsigned field, const char *name, const json_t *value)
{
    struct strbuf yaml, any, named;
    strbuf_init(&yaml);
    strbuf_init(&any);
    strbuf_init(&named);
    ksim_yaml_emit(value, &yaml);
    pb_str(&any, 2, yaml.s);
    pb_str(&named, 1, name);
    pb_msg(&named, 2, &any);
    pb_msg(b, field, &named);
    strbuf_fini(&yaml);
    strbuf_fini(&any);
    strbuf_fini(&named);
}

/* ParametersItem {1 Parameter {2 NonBodyParameter {3 QueryParameterSubSchema |
 * 4 PathParameterSubSchema}}}; the two sub-schemas number type and uniqueItems apart. */
static void
pb_parameter(struct strbuf *b, unsigned field, const json_t *p)
{
    bool path = strcmp(json_string_value(json_object_get(p, "in")), "path") == 0;
    struct strbuf sub, nonbody, param, item;
    strbuf_init(&sub);
    strbuf_init(&nonbody);
    strbuf_init(&param);
    strbuf_init(&item);
    pb_true(&sub, 1, json_object_get(p, "required"));
    pb_str(&sub, 2, json_string_value(json_object_get(p, "in")));
    pb_str(&sub, 4, json_string_value(json_object_get(p, "name")));
    pb_str(&sub, path ? 5 : 6, json_string_value(json_object_get(p, "type")));
    pb_true(&sub, path ? 19 : 20, json_object_get(p, "uniqueItems"));
    pb_msg(&nonbody, path ? 4 : 3, &sub);
    pb_msg(&param, 2, &nonbody);
    pb_msg(&item, 1, &param);
    pb_msg(b, field, &item);
    strbuf_fini(&sub);
    strbuf_fini(&nonbody);
    strbuf_fini(&param);
    strbuf_fini(&item);
}

/* Operation {6 produces, 7 consumes, 8 parameters, 9 Responses {1 NamedResponseValue
 * {1 name, 2 ResponseValue {1 Response {1 description}}}}, 13 vendor_extension} */
static void
pb_operation(struct strbuf *b, unsigned field, const json_t *op)
{
    struct strbuf o, resps, named, value, resp;
    strbuf_init(&o);
    strbuf_init(&resps);
    strbuf_init(&named);
    strbuf_init(&value);
    strbuf_init(&resp);
    pb_strings(&o, 6, json_object_get(op, "produces"));
    pb_strings(&o, 7, json_object_get(op, "consumes"));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(op, "parameters"), i, e) pb_parameter(&o, 8, e);
    const char *k;
    json_object_foreach((json_t *)json_object_get(op, "responses"), k, e)
    {
        pb_str(&resp, 1, json_string_value(json_object_get(e, "description")));
        pb_msg(&value, 1, &resp);
        pb_str(&named, 1, k);
        pb_msg(&named, 2, &value);
        pb_msg(&resps, 1, &named);
    }
    pb_msg(&o, 9, &resps);
    json_object_foreach((json_t *)op, k, e)
    {
        if (strncmp(k, "x-", 2) == 0)
            pb_named_any(&o, 13, k, e);
    }
    pb_msg(b, field, &o);
    strbuf_fini(&o);
    strbuf_fini(&resps);
    strbuf_fini(&named);
    strbuf_fini(&value);
    strbuf_fini(&resp);
}

/* Document {1 swagger, 2 Info {1 title, 2 version}, 8 Paths {2 NamedPathItem {1 name,
 * 2 PathItem {8 patch, 9 parameters}}}, 9 Definitions {}}; doc's objects iterate in key
 * order, as the JSON gnostic reads. */
static void
pb_document(struct strbuf *b, const json_t *doc)
{
    struct strbuf info, paths, named, item;
    strbuf_init(&info);
    strbuf_init(&paths);
    strbuf_init(&named);
    strbuf_init(&item);
    pb_str(b, 1, json_string_value(json_object_get(doc, "swagger")));
    json_t *inf = json_object_get(doc, "info");
    pb_str(&info, 1, json_string_value(json_object_get(inf, "title")));
    pb_str(&info, 2, json_string_value(json_object_get(inf, "version")));
    pb_msg(b, 2, &info);
    const char *k;
    json_t *pi;
    json_object_foreach((json_t *)json_object_get(doc, "paths"), k, pi)
    {
        pb_operation(&item, 8, json_object_get(pi, "patch"));
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(pi, "parameters"), i, e) pb_parameter(&item, 9, e);
        pb_str(&named, 1, k);
        pb_msg(&named, 2, &item);
        pb_msg(&paths, 2, &named);
    }
    pb_msg(b, 8, &paths);
    pb_bytes(b, 9, "", 0); /* no definitions: an empty message */
    strbuf_fini(&info);
    strbuf_fini(&paths);
    strbuf_fini(&named);
    strbuf_fini(&item);
}

/* ---- serving it: kube-openapi pkg/handler/handler.go, RegisterOpenAPIVersionedService */

enum v2_format { V2_NONE, V2_JSON, V2_PROTOBUF };

/* The first media range of the Accept header, in goautoneg's order (by q, then the more
 * specific first; header order otherwise), that matches a type the handler serves: JSON
 * or protobuf (under the deprecated "@v1.0" name too). A missing header accepts any
 * type. q=0 is only an ordering key there, and here too. */
static enum v2_format
v2_negotiate(const char *accept)
{
    struct clause {
        char type[64], sub[128];
        double q;
        int rank; /* 2: both named, 1: any subtype, 0: any type */
    } cl[16];
    size_t n = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", accept != NULL && *accept ? accept : "*/*");
    char *save = NULL;
    for (char *part = strtok_r(buf, ",", &save); part != NULL && n < 16;
         part = strtok_r(NULL, ",", &save)) {
        char *psave = NULL;
        char *range = strtok_r(part, ";", &psave);
        if (range == NULL)
            continue;
        struct clause *c = &cl[n];
        c->q = 1.0;
        char t[64] = "", s[128] = "";
        if (sscanf(range, " %63[^/ ] / %127[^ ]", t, s) == 2) {
            snprintf(c->type, sizeof c->type, "%s", t);
            snprintf(c->sub, sizeof c->sub, "%s", s);
        } else if (sscanf(range, " %63[^ ]", t) == 1 && strcmp(t, "*") == 0) {
            snprintf(c->type, sizeof c->type, "*");
            snprintf(c->sub, sizeof c->sub, "*");
        } else {
            continue;
        }
        for (char *p = strtok_r(NULL, ";", &psave); p != NULL; p = strtok_r(NULL, ";", &psave)) {
            double q;
            if (sscanf(p, " q = %lf", &q) == 1)
                c->q = q;
        }
        c->rank = strcmp(c->type, "*") == 0 ? 0 : strcmp(c->sub, "*") == 0 ? 1 : 2;
        n++;
    }
    /* insertion sort: stable, and n is small */
    for (size_t i = 1; i < n; i++) {
        struct clause c = cl[i];
        size_t j = i;
        while (j > 0 && (cl[j - 1].q < c.q || (cl[j - 1].q == c.q && cl[j - 1].rank < c.rank))) {
            cl[j] = cl[j - 1];
            j--;
        }
        cl[j] = c;
    }
    static const struct {
        const char *sub;
        enum v2_format f;
    } served[] = {
        {"json", V2_JSON},
        {"com.github.proto-openapi.spec.v2@v1.0+protobuf", V2_PROTOBUF},
        {"com.github.proto-openapi.spec.v2.v1.0+protobuf", V2_PROTOBUF},
    };
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof served / sizeof served[0]; k++)
            if ((strcmp(cl[i].type, "application") == 0 || strcmp(cl[i].type, "*") == 0) &&
                (strcmp(cl[i].sub, served[k].sub) == 0 || strcmp(cl[i].sub, "*") == 0))
                return served[k].f;
    return V2_NONE;
}

/* Whether If-None-Match names etag (or is *), weakly compared as net/http's
 * ServeContent does. */
static bool
v2_etag_matches(const char *inm, const char *etag)
{
    if (inm == NULL)
        return false;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", inm);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        t += strspn(t, " \t");
        t[strcspn(t, " \t")] = '\0';
        if (strncmp(t, "W/", 2) == 0)
            t += 2;
        if (strcmp(t, "*") == 0 || strcmp(t, etag) == 0)
            return true;
    }
    return false;
}

enum MHD_Result
ksim_openapi_v2_reply(struct ksim_server *srv, struct MHD_Connection *c)
{
    enum v2_format f = v2_negotiate(ksim_hdr(c, "Accept"));
    struct MHD_Response *r;
    unsigned code;
    if (f == V2_NONE) {
        /* the handler answers 406 with no body */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_NOT_ACCEPTABLE;
    } else {
        pthread_mutex_lock(&srv->st->mu);
        json_t *doc = v2_document_locked(srv->st);
        pthread_mutex_unlock(&srv->st->mu);
        /* Go's encoder sorts map keys; reloading the sorted text makes the objects
         * iterate in that order for the protobuf form too. */
        char *json = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(doc);
        size_t json_len = strlen(json);
        /* The ETag is the SHA-512 of the JSON in upper-case hex, quoted, for either form. */
        unsigned char sum[64];
        char etag[2 * sizeof sum + 3];
        gnutls_hash_fast(GNUTLS_DIG_SHA512, json, json_len, sum);
        etag[0] = '"';
        for (size_t i = 0; i < sizeof sum; i++)
            snprintf(etag + 1 + 2 * i, 3, "%02X", sum[i]);
        snprintf(etag + 1 + 2 * sizeof sum, 2, "\"");
        if (v2_etag_matches(ksim_hdr(c, "If-None-Match"), etag)) {
            free(json);
            r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
            code = MHD_HTTP_NOT_MODIFIED;
        } else if (f == V2_JSON) {
            r = MHD_create_response_from_buffer(json_len, json, MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header(r, "Content-Type", "application/json");
            code = MHD_HTTP_OK;
        } else {
            json_t *sorted = json_loads(json, 0, NULL);
            free(json);
            struct strbuf pb;
            strbuf_init(&pb);
            pb_document(&pb, sorted);
            json_decref(sorted);
            size_t len = pb.len;
            r = MHD_create_response_from_buffer(len, strbuf_detach(&pb), MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header(r, "Content-Type",
                                    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
            code = MHD_HTTP_OK;
        }
        MHD_add_response_header(r, "Etag", etag);
    }
    MHD_add_response_header(r, "Vary", "Accept");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}
