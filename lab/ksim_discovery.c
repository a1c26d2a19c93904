/* ksim_discovery: the legacy discovery documents (APIGroupList, APIGroup,
 * APIResourceList) built from the resources the store serves. kubectl's
 * aggregated-discovery Accept falls back to them. */
#include "ksim_http.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

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

json_t *
ksim_discovery_resources(struct ksim_store *st, const char *group, const char *version)
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

json_t *
ksim_discovery_group(struct ksim_store *st, const char *group)
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

json_t *
ksim_discovery_groups(struct ksim_store *st)
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
        json_t *g = ksim_discovery_group(st, r->group);
        json_object_del(g, "kind");
        json_object_del(g, "apiVersion");
        json_array_append_new(groups, g);
    }
    return json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups",
                     groups);
}
