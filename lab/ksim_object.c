/* ksim_object: requests on one object: GET (the pod log is ksim_log.c's), the writes (POST, PUT,
 * PATCH, DELETE, deletecollection) through ksim_api, and the scale subresource. */
#include "ksim_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

enum MHD_Result
ksim_object_get(struct ksim_server *srv, struct MHD_Connection *c, const struct ksim_target *t)
{
    struct ksim_store *st = srv->st;
    if (t->sub != NULL && strcmp(t->sub, "log") == 0)
        return ksim_log_reply(srv, c, t);
    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    if (o == NULL) {
        pthread_mutex_unlock(&st->mu);
        return ksim_reply_err(c, 404, "NotFound", "%s%s%s \"%s\" not found", t->res->plural,
                              t->res->group[0] ? "." : "", t->res->group, t->name);
    }
    json_t *obj = ksim_blob_parse(o->blob);
    pthread_mutex_unlock(&st->mu);
    return ksim_reply_obj(c, t, 200, obj);
}

static int
write_flags(struct MHD_Connection *c, const struct ksim_target *t, struct ksim_status *stt)
{
    int flags = 0;
    const char *dry = ksim_qarg(c, "dryRun");
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

enum MHD_Result
ksim_object_write(struct ksim_server *srv, struct MHD_Connection *c, const char *method,
                  const struct ksim_target *t, struct ksim_req *req)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt = {0};
    int flags = write_flags(c, t, &stt);
    if (flags < 0)
        return ksim_reply_status(c, &stt, 0);
    json_t *out = NULL;
    int rc;
    unsigned ok_code = 200;
    if (strcmp(method, "DELETE") == 0) {
        if (t->name == NULL) { /* deletecollection */
            struct ksim_selector *ls, *fs;
            if (ksim_parse_selectors(c, &ls, &fs, &stt) != 0)
                return ksim_reply_status(c, &stt, 0);
            pthread_mutex_lock(&st->mu);
            struct vec names;
            vec_init(&names, free);
            struct ksim_lazy_obj lz = {0};
            for (size_t i = 0; i < t->res->sorted.n; i++) {
                struct ksim_obj *o = vec_at(&t->res->sorted, i);
                if (ksim_obj_matches(o, t->ns, ls, fs, &lz))
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
            return ksim_reply_json(c, 200, list);
        }
        pthread_mutex_lock(&st->mu);
        rc = ksim_api_delete_locked(st, t->res, t->ns, t->name, flags, &out, &stt);
        pthread_mutex_unlock(&st->mu);
        return rc == 0 ? ksim_reply_obj(c, t, 200, out) : ksim_reply_status(c, &stt, 0);
    }
    if (req->too_big)
        return ksim_reply_err(c, 413, "RequestEntityTooLarge",
                              "the request body is larger than %u bytes", KSIM_MAX_BODY);
    if (strcmp(method, "PATCH") == 0) {
        const char *ct = ksim_hdr(c, "Content-Type");
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
            return ksim_reply_err(
                c, 415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media "
                "types include: application/json-patch+json, "
                "application/merge-patch+json, application/apply-patch+yaml, "
                "application/strategic-merge-patch+json (got \"%s\")",
                ct);
        json_t *body = ksim_parse_body(&req->body, &stt);
        if (body == NULL)
            return ksim_reply_status(c, &stt, 0);
        pthread_mutex_lock(&st->mu);
        bool existed = ksim_obj_get_locked(t->res, t->ns, t->name) != NULL;
        rc = ksim_api_patch_locked(st, t->res, t->ns, t->name, type, body,
                                   ksim_qarg(c, "fieldManager"), flags, &out, &stt);
        pthread_mutex_unlock(&st->mu);
        if (rc == 0 && !existed)
            ok_code = 201;
        return rc == 0 ? ksim_reply_obj(c, t, ok_code, out) : ksim_reply_status(c, &stt, 0);
    }
    const char *ct = ksim_hdr(c, "Content-Type");
    json_t *body;
    if (ct != NULL && strstr(ct, "protobuf") != NULL) {
        struct pxerr err = {0};
        body = ksim_proto_decode((const unsigned char *)req->body.s, req->body.len, &err);
        if (body == NULL)
            return ksim_reply_err(c, 415, "UnsupportedMediaType", "%s", err.msg);
    } else if (ct != NULL && strstr(ct, "cbor") != NULL) {
        return ksim_reply_err(c, 415, "UnsupportedMediaType",
                              "the body of the request was in an unknown format - accepted media "
                              "types include: application/json, application/yaml (got \"%s\")",
                              ct);
    } else {
        body = ksim_parse_body(&req->body, &stt);
        if (body == NULL)
            return ksim_reply_status(c, &stt, 0);
    }
    pthread_mutex_lock(&st->mu);
    if (strcmp(method, "POST") == 0) {
        rc = ksim_api_create_locked(st, t->res, t->ns, body, flags, &out, &stt);
        ok_code = 201;
    } else {
        rc = ksim_api_update_locked(st, t->res, t->ns, t->name, body, flags, &out, &stt);
    }
    pthread_mutex_unlock(&st->mu);
    return rc == 0 ? ksim_reply_obj(c, t, ok_code, out) : ksim_reply_status(c, &stt, 0);
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

enum MHD_Result
ksim_object_scale(struct ksim_server *srv, struct MHD_Connection *c, const char *method,
                  const struct ksim_target *t, struct ksim_req *req)
{
    struct ksim_store *st = srv->st;
    struct ksim_status stt = {0};
    json_t *patch = NULL;
    const char *ct = ksim_hdr(c, "Content-Type");
    bool json_patch = ct != NULL && strncmp(ct, "application/json-patch+json", 27) == 0;
    if (strcmp(method, "GET") != 0) {
        if (strcmp(method, "PUT") != 0 && strcmp(method, "PATCH") != 0)
            return ksim_reply_err(c, 405, "MethodNotAllowed", "scale supports GET, PUT and PATCH");
        patch = ksim_parse_body(&req->body, &stt);
        if (patch == NULL)
            return ksim_reply_status(c, &stt, 0);
    }
    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    if (o == NULL) {
        pthread_mutex_unlock(&st->mu);
        json_decref(patch);
        return ksim_reply_err(c, 404, "NotFound", "%s.%s \"%s\" not found", t->res->plural,
                              t->res->group, t->name);
    }
    json_t *obj = ksim_blob_parse(o->blob);
    json_t *sc = scale_of(obj);
    if (patch == NULL) {
        pthread_mutex_unlock(&st->mu);
        json_decref(obj);
        return ksim_reply_json(c, 200, sc);
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
        return ksim_reply_err(c, 422, "Invalid",
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
    return rc == 0 ? ksim_reply_json(c, 200, result) : ksim_reply_status(c, &stt, 0);
}
