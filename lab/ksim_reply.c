/* ksim_reply: reading a request's arguments and shaping kubesim's answers: JSON with the
 * API server's headers, Status objects for errors, and an object as the client asked for
 * it (its requested apiVersion, a Table, or PartialObjectMetadata). */
#include "ksim_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

const char *
ksim_qarg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

const char *
ksim_hdr(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, k);
}

bool
ksim_truthy(const char *v)
{
    return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

enum MHD_Result
ksim_reply_buf(struct MHD_Connection *c, unsigned code, const char *ctype, char *buf, size_t len,
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

enum MHD_Result
ksim_reply_json(struct MHD_Connection *c, unsigned code, json_t *j /* takes */)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t len = strlen(s);
    char *nl = xrealloc(s, len + 2);
    nl[len] = '\n';
    nl[len + 1] = '\0';
    return ksim_reply_buf(c, code, "application/json", nl, len + 1, 0);
}

enum MHD_Result
ksim_reply_status(struct MHD_Connection *c, const struct ksim_status *stt, int retry_after_s)
{
    json_t *j = ksim_status_json(stt);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return ksim_reply_buf(c, (unsigned)stt->code, "application/json", body, strlen(body),
                          retry_after_s);
}

enum MHD_Result
ksim_reply_err(struct MHD_Connection *c, int code, const char *reason, const char *fmt, ...)
{
    struct ksim_status stt = {.code = code};
    snprintf(stt.reason, sizeof stt.reason, "%s", reason);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(stt.msg, sizeof stt.msg, fmt, ap);
    va_end(ap);
    return ksim_reply_status(c, &stt, 0);
}

json_t *
ksim_parse_body(const struct strbuf *b, struct ksim_status *stt)
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

bool
ksim_wants_table(struct MHD_Connection *c)
{
    const char *acc = ksim_hdr(c, "Accept");
    return acc != NULL && strstr(acc, "as=Table") != NULL;
}

const char *
ksim_include_object(struct MHD_Connection *c)
{
    const char *inc = ksim_qarg(c, "includeObject");
    return inc ? inc : "Metadata";
}

void
ksim_fix_version(const struct ksim_target *t, json_t *obj)
{
    if (t->res->n_versions > 1 && strcmp(t->version, t->res->versions[0]) != 0) {
        char *av = xasprintf("%s/%s", t->res->group, t->version);
        json_object_set_new(obj, "apiVersion", json_string(av));
        free(av);
    }
}

/* The metadata-only form (PartialObjectMetadata) of obj; takes obj. */
json_t *
ksim_partial_of(json_t *obj)
{
    json_t *p = json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata", "apiVersion",
                          "meta.k8s.io/v1", "metadata", json_object_get(obj, "metadata"));
    json_decref(obj);
    return p;
}

void
ksim_append_obj(const struct ksim_target *t, struct ksim_blob *b, struct strbuf *out)
{
    if (t->meta_only || (t->res->n_versions > 1 && strcmp(t->version, t->res->versions[0]) != 0)) {
        json_t *o = ksim_blob_parse(b);
        ksim_fix_version(t, o);
        if (t->meta_only)
            o = ksim_partial_of(o);
        char *s = json_dumps(o, JSON_COMPACT);
        strbuf_append(out, s);
        free(s);
        json_decref(o);
    } else {
        strbuf_appendn(out, b->s, b->len);
    }
}

json_t *
ksim_table_of(const struct ksim_res *res, const char *rv, const char *cont, bool cols)
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

enum MHD_Result
ksim_reply_obj(struct MHD_Connection *c, const struct ksim_target *t, unsigned code, json_t *obj)
{
    ksim_fix_version(t, obj);
    if (ksim_wants_table(c)) {
        json_t *tab = ksim_table_of(
            t->res, json_string_value(ksim_path_get(obj, "metadata.resourceVersion")), NULL, true);
        json_array_append_new(json_object_get(tab, "rows"),
                              ksim_table_row(t->res, obj, ksim_include_object(c)));
        json_decref(obj);
        return ksim_reply_json(c, code, tab);
    }
    return ksim_reply_json(c, code, t->meta_only ? ksim_partial_of(obj) : obj);
}
