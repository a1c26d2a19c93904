/* ksim_api: write semantics of the API server. Create fills in what the API server
 * does (uid, creationTimestamp, generation, generateName, namespace checks, defaults),
 * update keeps identity fields, honours a resourceVersion precondition, ignores status
 * outside the status subresource and turns a no-op into no event; patch and apply
 * compute the new object and go through update; delete cascades to what the object
 * owns (a namespace's objects, a StatefulSet's pods). dryRun runs every check and
 * stores nothing. */
#include "ksim_api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "xmalloc.h"

void
ksim_status_set(struct ksim_status *stt, int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    stt->code = code;
    snprintf(stt->reason, sizeof stt->reason, "%s", reason);
    va_start(ap, fmt);
    vsnprintf(stt->msg, sizeof stt->msg, fmt, ap);
    va_end(ap);
}

json_t *
ksim_status_json(const struct ksim_status *stt)
{
    return json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion", "v1",
                     "metadata", "status", "Failure", "message", stt->msg, "reason", stt->reason,
                     "code", stt->code);
}

static const char *
group_prefix(const struct ksim_res *res, char *buf, size_t n)
{
    if (res->group[0] == '\0')
        return res->plural;
    snprintf(buf, n, "%s.%s", res->plural, res->group);
    return buf;
}

static char *
api_version_of(const struct ksim_res *res)
{
    return res->group[0] ? xasprintf("%s/%s", res->group, res->versions[0])
                         : xstrdup(res->versions[0]);
}

static int
check_kind(struct ksim_res *res, json_t *obj, struct ksim_status *stt)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    if (!json_is_object(obj)) {
        ksim_status_set(stt, 400, "BadRequest", "the body must be a JSON or YAML object");
        return -1;
    }
    if (kind != NULL && strcmp(kind, res->kind) != 0) {
        ksim_status_set(stt, 400, "BadRequest",
                        "the kind \"%s\" of the body does not match the resource %s (kind %s)",
                        kind, res->plural, res->kind);
        return -1;
    }
    if (av != NULL) {
        const char *slash = strchr(av, '/');
        size_t glen = slash ? (size_t)(slash - av) : 0;
        if (strlen(res->group) != glen || strncmp(av, res->group, glen) != 0) {
            ksim_status_set(stt, 400, "BadRequest",
                            "the apiVersion \"%s\" of the body does not match group \"%s\"", av,
                            res->group);
            return -1;
        }
    }
    /* Store every version of a multi-version resource as the preferred one. */
    char *pref = api_version_of(res);
    json_object_set_new(obj, "apiVersion", json_string(pref));
    json_object_set_new(obj, "kind", json_string(res->kind));
    free(pref);
    return 0;
}

static void
apply_defaults(struct ksim_store *st, struct ksim_res *res, json_t *obj)
{
    json_t *meta = json_object_get(obj, "metadata");
    const char *name = json_string_value(json_object_get(meta, "name"));
    if (strcmp(res->plural, "namespaces") == 0 && res->group[0] == '\0') {
        json_object_set_new(ksim_obj_ensure(meta, "labels"), "kubernetes.io/metadata.name",
                            json_string(name));
        json_t *status = ksim_obj_ensure(obj, "status");
        if (json_object_get(status, "phase") == NULL)
            json_object_set_new(status, "phase", json_string("Active"));
        json_t *spec = ksim_obj_ensure(obj, "spec");
        if (json_object_get(spec, "finalizers") == NULL)
            json_object_set_new(spec, "finalizers", json_pack("[s]", "kubernetes"));
    } else if (strcmp(res->plural, "services") == 0 && res->group[0] == '\0') {
        json_t *spec = ksim_obj_ensure(obj, "spec");
        if (json_object_get(spec, "type") == NULL)
            json_object_set_new(spec, "type", json_string("ClusterIP"));
        if (json_object_get(spec, "clusterIP") == NULL) {
            uint64_t n = ++st->pod_ip_next;
            char ip[32];
            snprintf(ip, sizeof ip, "10.96.%u.%u", (unsigned)((n >> 8) & 0xff),
                     (unsigned)(n & 0xff));
            json_object_set_new(spec, "clusterIP", json_string(ip));
            json_object_set_new(spec, "clusterIPs", json_pack("[s]", ip));
        }
        ksim_obj_ensure(obj, "status");
    } else if (strcmp(res->plural, "nodes") == 0 && res->group[0] == '\0') {
        json_t *status = ksim_obj_ensure(obj, "status");
        if (json_object_get(status, "conditions") == NULL)
            json_object_set_new(status, "conditions",
                                json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Ready", "status",
                                          "True", "reason", "KubeletReady", "message",
                                          "kubelet is posting ready status"));
        json_t *ni = ksim_obj_ensure(status, "nodeInfo");
        if (json_object_get(ni, "kubeletVersion") == NULL)
            json_object_set_new(ni, "kubeletVersion", json_string("v1.32.4"));
    } else if (strcmp(res->plural, "secrets") == 0 && res->group[0] == '\0') {
        if (json_object_get(obj, "type") == NULL)
            json_object_set_new(obj, "type", json_string("Opaque"));
        /* stringData is write-only: fold it into data, base64-encoded by the client
         * usually; kubesim accepts it as the API server does. */
        json_t *sd = json_object_get(obj, "stringData");
        if (json_is_object(sd)) {
            json_t *data = ksim_obj_ensure(obj, "data");
            const char *k;
            json_t *v;
            json_object_foreach(sd, k, v)
            {
                const char *s = json_string_value(v);
                if (s == NULL)
                    continue;
                char *e = base64_encode(s, strlen(s), 0);
                json_object_set_new(data, k, json_string(e));
                free(e);
            }
            json_object_del(obj, "stringData");
        }
    }
}

static int
ensure_namespace(struct ksim_store *st, struct ksim_res *res, const char *ns, int flags,
                 struct ksim_status *stt)
{
    if (!res->namespaced)
        return 0;
    struct ksim_res *nsr = ksim_res_find(st, "", "v1", "namespaces");
    if (ksim_obj_get_locked(nsr, "", ns) != NULL)
        return 0;
    if (!(flags & KSIM_W_SEED)) {
        ksim_status_set(stt, 404, "NotFound", "namespaces \"%s\" not found", ns);
        return -1;
    }
    json_t *nso = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace",
                            "metadata", "name", ns);
    json_t *out = NULL;
    int rc = ksim_api_create_locked(st, nsr, "", nso, flags, &out, stt);
    json_decref(out);
    return rc;
}

int
ksim_api_create_locked(struct ksim_store *st, struct ksim_res *res, const char *ns, json_t *obj,
                       int flags, json_t **out, struct ksim_status *stt)
{
    char gp[300];
    if (check_kind(res, obj, stt) != 0) {
        json_decref(obj);
        return -1;
    }
    json_t *meta = ksim_obj_ensure(obj, "metadata");
    const char *body_ns = json_string_value(json_object_get(meta, "namespace"));
    if (res->namespaced) {
        if (ns == NULL || *ns == '\0')
            ns = body_ns;
        if (ns == NULL || *ns == '\0')
            ns = "default";
        if (body_ns != NULL && *body_ns && strcmp(body_ns, ns) != 0) {
            ksim_status_set(stt, 400, "BadRequest",
                            "the namespace of the provided object (%s) does not match the "
                            "namespace sent on the request (%s)",
                            body_ns, ns);
            json_decref(obj);
            return -1;
        }
        json_object_set_new(meta, "namespace", json_string(ns));
        ns = json_string_value(json_object_get(meta, "namespace"));
    } else {
        json_object_del(meta, "namespace");
        ns = "";
    }
    const char *name = json_string_value(json_object_get(meta, "name"));
    const char *gen = json_string_value(json_object_get(meta, "generateName"));
    if ((name == NULL || *name == '\0') && gen != NULL && *gen) {
        char suffix[6];
        ksim_random_alnum(suffix, sizeof suffix);
        char *full = xasprintf("%s%s", gen, suffix);
        json_object_set_new(meta, "name", json_string(full));
        free(full);
        name = json_string_value(json_object_get(meta, "name"));
    }
    if (name == NULL || *name == '\0') {
        ksim_status_set(stt, 422, "Invalid",
                        "%s \"\" is invalid: metadata.name: Required value: name or "
                        "generateName is required",
                        res->kind);
        json_decref(obj);
        return -1;
    }
    if (strlen(name) > 253 || strchr(name, '/') != NULL) {
        ksim_status_set(stt, 422, "Invalid",
                        "%s \"%s\" is invalid: metadata.name: Invalid value: must be no more "
                        "than 253 characters and contain no '/'",
                        res->kind, name);
        json_decref(obj);
        return -1;
    }
    if (ksim_obj_get_locked(res, ns, name) != NULL) {
        ksim_status_set(stt, 409, "AlreadyExists", "%s \"%s\" already exists",
                        group_prefix(res, gp, sizeof gp), name);
        json_decref(obj);
        return -1;
    }
    if (ensure_namespace(st, res, ns, flags & ~KSIM_W_DRYRUN, stt) != 0) {
        json_decref(obj);
        return -1;
    }
    if (strcmp(res->plural, "customresourcedefinitions") == 0) {
        struct pxerr err = {0};
        if (!(flags & KSIM_W_DRYRUN) && ksim_crd_register_locked(st, obj, &err) != 0) {
            ksim_status_set(stt, 422, "Invalid", "%s", err.msg);
            json_decref(obj);
            return -1;
        }
    }
    char uid[40], now[40];
    ksim_uuid(uid, sizeof uid);
    /* The server sets creationTimestamp ("Populated by the system. Read-only.", ObjectMeta in
     * k8s.io/apimachinery/pkg/apis/meta/v1/types.go) and keeps it for the object's life, so
     * a server whose objects were created days ago (or restored from an etcd backup) lists
     * them with that time: --created-ago gives the seed such a past. */
    ksim_ago_rfc3339((flags & KSIM_W_SEED) ? st->seed_age_s : 0, now, sizeof now);
    json_object_set_new(meta, "uid", json_string(uid));
    json_object_set_new(meta, "creationTimestamp", json_string(now));
    json_object_del(meta, "resourceVersion");
    json_object_del(meta, "deletionTimestamp");
    if (json_object_get(obj, "spec") != NULL)
        json_object_set_new(meta, "generation", json_integer(1));
    apply_defaults(st, res, obj);
    bool is_pod = strcmp(res->plural, "pods") == 0 && res->group[0] == '\0';
    if (is_pod)
        ksim_sim_admit_pod_locked(st, obj);
    if (flags & KSIM_W_DRYRUN) {
        *out = obj;
        return 0;
    }
    char *keep_ns = xstrdup(ns), *keep_name = xstrdup(name);
    (void)ksim_store_put_locked(st, res, obj);
    *out = obj; /* the stored content, resourceVersion included */
    if (!(flags & KSIM_W_NOHOOKS))
        ksim_sim_after_write_locked(st, res, keep_ns, keep_name, false, NULL);
    free(keep_ns);
    free(keep_name);
    return 0;
}

static json_t *
strip_rv(const json_t *obj)
{
    json_t *c = json_deep_copy(obj);
    json_t *meta = json_object_get(c, "metadata");
    json_object_del(meta, "resourceVersion");
    json_object_del(meta, "managedFields");
    return c;
}

int
ksim_api_update_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                       const char *name, json_t *obj, int flags, json_t **out,
                       struct ksim_status *stt)
{
    char gp[300];
    if (check_kind(res, obj, stt) != 0) {
        json_decref(obj);
        return -1;
    }
    struct ksim_obj *o = ksim_obj_get_locked(res, ns, name);
    if (o == NULL) {
        ksim_status_set(stt, 404, "NotFound", "%s \"%s\" not found",
                        group_prefix(res, gp, sizeof gp), name);
        json_decref(obj);
        return -1;
    }
    json_t *meta = ksim_obj_ensure(obj, "metadata");
    const char *body_name = json_string_value(json_object_get(meta, "name"));
    if (body_name != NULL && strcmp(body_name, name) != 0) {
        ksim_status_set(stt, 400, "BadRequest",
                        "the name of the object (%s) does not match the name on the URL (%s)",
                        body_name, name);
        json_decref(obj);
        return -1;
    }
    const char *want_rv = json_string_value(json_object_get(meta, "resourceVersion"));
    if (want_rv != NULL && *want_rv && strtoull(want_rv, NULL, 10) != o->rv) {
        ksim_status_set(stt, 409, "Conflict",
                        "Operation cannot be fulfilled on %s \"%s\": the object has been "
                        "modified; please apply your changes to the latest version and try "
                        "again",
                        group_prefix(res, gp, sizeof gp), name);
        json_decref(obj);
        return -1;
    }
    json_t *old = ksim_blob_parse(o->blob);
    json_t *old_meta = json_object_get(old, "metadata");
    json_object_set_new(meta, "name", json_string(name));
    if (res->namespaced)
        json_object_set_new(meta, "namespace", json_string(ns));
    static const char *const keep[] = {"uid", "creationTimestamp", "generation",
                                       "deletionTimestamp", "ownerReferences"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(old_meta, keep[i]);
        if (v != NULL && (i < 4 || json_object_get(meta, keep[i]) == NULL))
            json_object_set(meta, keep[i], v);
    }
    if (flags & KSIM_W_STATUS) {
        /* Only .status comes from the request. */
        json_t *status = json_incref(json_object_get(obj, "status"));
        json_decref(obj);
        obj = json_deep_copy(old);
        if (status != NULL)
            json_object_set_new(obj, "status", status);
        meta = json_object_get(obj, "metadata");
    } else if (res->has_status) {
        json_t *st_old = json_object_get(old, "status");
        if (st_old != NULL)
            json_object_set(obj, "status", st_old);
        else
            json_object_del(obj, "status");
    }
    json_t *spec_new = json_object_get(obj, "spec"), *spec_old = json_object_get(old, "spec");
    /* json_equal(NULL, NULL) is false: two absent specs are the same spec */
    if ((spec_new != NULL || spec_old != NULL) && !json_equal(spec_new, spec_old)) {
        json_int_t g = json_integer_value(json_object_get(old_meta, "generation"));
        json_object_set_new(meta, "generation", json_integer(g + 1));
    }
    apply_defaults(st, res, obj);
    json_t *a = strip_rv(obj), *b = strip_rv(old);
    bool same = json_equal(a, b);
    json_decref(a);
    json_decref(b);
    if (same || (flags & KSIM_W_DRYRUN)) {
        /* A no-op update stores nothing and sends no event, as the API server does. */
        json_object_set(meta, "resourceVersion", json_object_get(old_meta, "resourceVersion"));
        json_decref(old);
        *out = obj;
        return 0;
    }
    if (strcmp(res->plural, "customresourcedefinitions") == 0) {
        struct pxerr err = {0};
        if (ksim_crd_register_locked(st, obj, &err) != 0)
            fprintf(stderr, "kubesim: CRD update not served: %s\n", err.msg);
    }
    (void)ksim_store_put_locked(st, res, obj);
    *out = obj;
    if (!(flags & KSIM_W_NOHOOKS))
        ksim_sim_after_write_locked(st, res, ns, name, false, old);
    json_decref(old);
    return 0;
}

/* The fields an applied object sets, as a managedFields FieldsV1 trie ({"f:spec":
 * {"f:hosts":{}}}). Lists count as one field (atomic), as they are for custom resources. */
static json_t *
owned_fields(const json_t *applied)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)applied, k, v)
    {
        if (strcmp(k, "apiVersion") == 0 || strcmp(k, "kind") == 0 || strcmp(k, "name") == 0 ||
            strcmp(k, "namespace") == 0 || strcmp(k, "managedFields") == 0 ||
            strcmp(k, "resourceVersion") == 0)
            continue;
        char *fk = xasprintf("f:%s", k);
        json_object_set_new(out, fk,
                            json_is_object(v) && json_object_size(v) > 0 ? owned_fields(v)
                                                                         : json_object());
        free(fk);
    }
    return out;
}

/* Remove from live what old_fields names and new_fields does not. A leaf (atomic field)
 * goes whole; a map the manager owned keys of loses only those keys, and itself only
 * when that leaves it empty. */
static void
drop_unowned(json_t *live, const json_t *old_fields, const json_t *new_fields)
{
    const char *fk;
    json_t *sub;
    json_object_foreach((json_t *)old_fields, fk, sub)
    {
        if (strncmp(fk, "f:", 2) != 0)
            continue;
        json_t *now = json_object_get(new_fields, fk);
        json_t *child = json_object_get(live, fk + 2);
        if (json_object_size(sub) == 0) {
            if (now == NULL)
                json_object_del(live, fk + 2);
        } else if (json_is_object(child)) {
            json_t *none = json_object();
            drop_unowned(child, sub, now != NULL ? now : none);
            json_decref(none);
            if (now == NULL && json_object_size(child) == 0)
                json_object_del(live, fk + 2);
        }
    }
}

int
ksim_api_patch_locked(struct ksim_store *st, struct ksim_res *res, const char *ns, const char *name,
                      enum ksim_patch_type type, json_t *body, const char *field_manager, int flags,
                      json_t **out, struct ksim_status *stt)
{
    char gp[300];
    struct ksim_obj *o = ksim_obj_get_locked(res, ns, name);
    if (type == KSIM_PATCH_APPLY) {
        if (field_manager == NULL || *field_manager == '\0') {
            ksim_status_set(stt, 400, "BadRequest",
                            "PATCH with application/apply-patch+yaml requires the fieldManager "
                            "query parameter");
            json_decref(body);
            return -1;
        }
        if (!json_is_object(body)) {
            ksim_status_set(stt, 400, "BadRequest", "the apply body must be an object");
            json_decref(body);
            return -1;
        }
        json_t *meta = ksim_obj_ensure(body, "metadata");
        const char *bn = json_string_value(json_object_get(meta, "name"));
        if (bn != NULL && strcmp(bn, name) != 0) {
            ksim_status_set(stt, 400, "BadRequest",
                            "the name of the object (%s) does not match the name on the URL "
                            "(%s)",
                            bn, name);
            json_decref(body);
            return -1;
        }
        json_object_set_new(meta, "name", json_string(name));
        json_object_del(meta, "managedFields");
        char now[40];
        ksim_now_rfc3339(now, sizeof now);
        const char *av = json_string_value(json_object_get(body, "apiVersion"));
        json_t *entry = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "manager", field_manager,
                                  "operation", "Apply", "apiVersion", av ? av : "v1", "time", now,
                                  "fieldsType", "FieldsV1", "fieldsV1", owned_fields(body));
        if (o == NULL) {
            json_object_set_new(meta, "managedFields", json_pack("[o]", entry));
            return ksim_api_create_locked(st, res, ns, body, flags, out, stt);
        }
        json_t *live = ksim_blob_parse(o->blob);
        /* Fields this manager applied before and applies no more are removed, as
         * server-side apply does; fields of other managers stay. */
        json_t *mf = json_object_get(json_object_get(live, "metadata"), "managedFields");
        json_t *new_mf = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(mf, i, e)
        {
            const char *m = json_string_value(json_object_get(e, "manager"));
            const char *op = json_string_value(json_object_get(e, "operation"));
            if (m && op && strcmp(m, field_manager) == 0 && strcmp(op, "Apply") == 0)
                drop_unowned(live, json_object_get(e, "fieldsV1"),
                             json_object_get(entry, "fieldsV1"));
            else
                json_array_append(new_mf, e);
        }
        json_array_append_new(new_mf, entry);
        /* Custom resources have no strategic-merge keys: their lists are atomic. */
        json_t *merged = res->table == KSIM_TABLE_CUSTOM ? ksim_merge_patch(live, body)
                                                         : ksim_strategic_patch(live, body);
        json_decref(body);
        json_decref(live);
        json_object_set_new(ksim_obj_ensure(merged, "metadata"), "managedFields", new_mf);
        json_object_del(json_object_get(merged, "metadata"), "resourceVersion");
        return ksim_api_update_locked(st, res, ns, name, merged, flags, out, stt);
    }
    if (o == NULL) {
        ksim_status_set(stt, 404, "NotFound", "%s \"%s\" not found",
                        group_prefix(res, gp, sizeof gp), name);
        json_decref(body);
        return -1;
    }
    json_t *live = ksim_blob_parse(o->blob);
    json_t *patched = NULL;
    struct pxerr err = {0};
    switch (type) {
    case KSIM_PATCH_MERGE:
        patched = ksim_merge_patch(live, body);
        break;
    case KSIM_PATCH_STRATEGIC:
        patched = ksim_strategic_patch(live, body);
        break;
    case KSIM_PATCH_JSON:
        patched = ksim_json_patch(live, body, &err);
        break;
    case KSIM_PATCH_APPLY:
        break;
    }
    json_decref(body);
    json_decref(live);
    if (patched == NULL) {
        ksim_status_set(stt, 422, "Invalid", "%s", err.msg[0] ? err.msg : "patch failed");
        return -1;
    }
    /* The status subresource for a patch: everything but .status is ignored. */
    return ksim_api_update_locked(st, res, ns, name, patched, flags, out, stt);
}

int
ksim_api_delete_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                       const char *name, int flags, json_t **out, struct ksim_status *stt)
{
    char gp[300];
    struct ksim_obj *o = ksim_obj_get_locked(res, ns, name);
    if (o == NULL) {
        ksim_status_set(stt, 404, "NotFound", "%s \"%s\" not found",
                        group_prefix(res, gp, sizeof gp), name);
        return -1;
    }
    if (flags & KSIM_W_DRYRUN) {
        *out = ksim_blob_parse(o->blob);
        return 0;
    }
    bool is_ns = strcmp(res->plural, "namespaces") == 0 && res->group[0] == '\0';
    if (is_ns) {
        /* Everything in the namespace goes first (the namespace controller's job). */
        char *prefix = xasprintf("%s/", name);
        for (size_t r = 0; r < st->res.n; r++) {
            struct ksim_res *rr = vec_at(&st->res, r);
            if (!rr->namespaced)
                continue;
            for (;;) {
                size_t at = ksim_res_lower_bound(rr, prefix, true);
                if (at >= rr->sorted.n)
                    break;
                struct ksim_obj *c = vec_at(&rr->sorted, at);
                if (strncmp(c->key, prefix, strlen(prefix)) != 0)
                    break;
                char *cn = xstrdup(c->name);
                json_t *gone = ksim_store_del_locked(st, rr, c);
                /* NULL old object: nothing comes back (the StatefulSet controller does
                 * not re-create pods of a namespace that goes away) */
                ksim_sim_after_write_locked(st, rr, name, cn, true, NULL);
                json_decref(gone);
                free(cn);
            }
        }
        free(prefix);
        o = ksim_obj_get_locked(res, ns, name);
    }
    json_t *gone = ksim_store_del_locked(st, res, o);
    if (!(flags & KSIM_W_NOHOOKS))
        ksim_sim_after_write_locked(st, res, ns, name, true, gone);
    *out = gone;
    return 0;
}
