/* ksim_openapi: the OpenAPI documents kubectl reads before it writes. */
#include "ksim_http.h"

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
