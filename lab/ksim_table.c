/* ksim_table: server-side printing (meta.k8s.io/v1 Table), which kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. The built-in kinds print the
 * columns the real API server prints (pods: NAME READY STATUS RESTARTS AGE, with IP and
 * NODE for -o wide); custom resources print their CRD's additionalPrinterColumns,
 * evaluating simple JSONPaths (.a.b, .a[0].b, .a[*].b). */
#include "ksim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "xmalloc.h"

void
ksim_human_age(int64_t s, char *buf, size_t n)
{
    /* k8s.io/apimachinery/pkg/util/duration.HumanDuration */
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, n, "%llds", (long long)s);
    else if (s < 600)
        snprintf(buf, n, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
    else if (s < 3 * 3600)
        snprintf(buf, n, "%lldm", (long long)(s / 60));
    else if (s < 8 * 3600)
        snprintf(buf, n, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else if (s < 48 * 3600)
        snprintf(buf, n, "%lldh", (long long)(s / 3600));
    else if (s < 8 * 86400)
        snprintf(buf, n, "%lldd%lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s < 2 * 365 * 86400)
        snprintf(buf, n, "%lldd", (long long)(s / 86400));
    else
        snprintf(buf, n, "%lldy", (long long)(s / (365 * 86400)));
}

static json_t *
age_cell(json_t *obj, const char *path)
{
    const char *ts = json_string_value(ksim_path_get(obj, path));
    int64_t ms;
    if (ts == NULL || clock_parse_rfc3339(ts, &ms) != 0)
        return json_string("<unknown>");
    char buf[32];
    ksim_human_age((clock_wall_ms() - ms) / 1000, buf, sizeof buf);
    return json_string(buf);
}

static json_t *
col(const char *name, const char *type, const char *format, int priority, const char *desc)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", name, "type", type, "format",
                     format ? format : "", "description", desc, "priority", priority);
}

static void
add_cols(json_t *cols, const char *spec)
{
    /* "Name:type:priority,..." */
    char *dup = xstrdup(spec), *save = NULL;
    for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *c1 = strchr(t, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        *c1 = '\0';
        *c2 = '\0';
        const char *fmt = strcmp(t, "Name") == 0 ? "name" : "";
        json_array_append_new(cols, col(t, c1 + 1, fmt, atoi(c2 + 1), t));
    }
    free(dup);
}

json_t *
ksim_table_columns(const struct ksim_res *res)
{
    json_t *cols = json_array();
    switch (res->table) {
    case KSIM_TABLE_POD:
        add_cols(cols, "Name:string:0,Ready:string:0,Status:string:0,Restarts:string:0,"
                       "Age:string:0,IP:string:1,Node:string:1,Nominated Node:string:1,"
                       "Readiness Gates:string:1");
        break;
    case KSIM_TABLE_NAMESPACE:
        add_cols(cols, "Name:string:0,Status:string:0,Age:string:0");
        break;
    case KSIM_TABLE_SERVICE:
        add_cols(cols, "Name:string:0,Type:string:0,Cluster-IP:string:0,External-IP:string:0,"
                       "Port(s):string:0,Age:string:0,Selector:string:1");
        break;
    case KSIM_TABLE_NODE:
        add_cols(cols, "Name:string:0,Status:string:0,Roles:string:0,Age:string:0,"
                       "Version:string:0,Internal-IP:string:1");
        break;
    case KSIM_TABLE_STATEFULSET:
        add_cols(cols, "Name:string:0,Ready:string:0,Age:string:0,Containers:string:1,"
                       "Images:string:1");
        break;
    case KSIM_TABLE_SECRET:
        add_cols(cols, "Name:string:0,Type:string:0,Data:string:0,Age:string:0");
        break;
    case KSIM_TABLE_WEBHOOK:
        add_cols(cols, "Name:string:0,Webhooks:integer:0,Age:string:0");
        break;
    case KSIM_TABLE_CRD:
        add_cols(cols, "Name:string:0,Created At:date:0");
        break;
    case KSIM_TABLE_CUSTOM:
        add_cols(cols, "Name:string:0");
        if (json_array_size(res->columns) == 0) {
            add_cols(cols, "Age:date:0");
        } else {
            size_t i;
            json_t *c;
            json_array_foreach(res->columns, i, c)
            {
                const char *n = json_string_value(json_object_get(c, "name"));
                const char *t = json_string_value(json_object_get(c, "type"));
                const char *d = json_string_value(json_object_get(c, "description"));
                json_array_append_new(
                    cols, col(n ? n : "", t ? t : "string",
                              json_string_value(json_object_get(c, "format")),
                              (int)json_integer_value(json_object_get(c, "priority")), d ? d : ""));
            }
        }
        break;
    case KSIM_TABLE_GENERIC:
        add_cols(cols, "Name:string:0,Age:string:0");
        break;
    }
    return cols;
}

/* Evaluate a simple JSONPath; the values found are appended to out, comma-separated. */
static void
jsonpath(json_t *cur, const char *path, struct strbuf *out, int *n_found)
{
    while (*path == '.')
        path++;
    if (*path == '\0') {
        if (cur == NULL || json_is_null(cur))
            return;
        if (*n_found > 0)
            strbuf_append(out, ",");
        (*n_found)++;
        if (json_is_string(cur)) {
            strbuf_append(out, json_string_value(cur));
        } else {
            char *d = json_dumps(cur, JSON_ENCODE_ANY | JSON_COMPACT);
            strbuf_append(out, d ? d : "");
            free(d);
        }
        return;
    }
    size_t len = strcspn(path, ".[");
    char key[256];
    if (len >= sizeof key)
        return;
    memcpy(key, path, len);
    key[len] = '\0';
    json_t *next = len ? json_object_get(cur, key) : cur;
    path += len;
    if (*path == '[') {
        const char *close = strchr(path, ']');
        if (close == NULL)
            return;
        if (path[1] == '*') {
            size_t i;
            json_t *item;
            json_array_foreach(next, i, item) jsonpath(item, close + 1, out, n_found);
            return;
        }
        next = json_array_get(next, strtoul(path + 1, NULL, 10));
        path = close + 1;
    }
    if (next != NULL)
        jsonpath(next, path, out, n_found);
}

static json_t *
str_or(json_t *obj, const char *path, const char *dflt)
{
    const char *s = json_string_value(ksim_path_get(obj, path));
    return json_string(s && *s ? s : dflt);
}

static void
pod_cells(json_t *obj, json_t *cells)
{
    json_t *cs = ksim_path_get(obj, "status.containerStatuses");
    size_t total = json_array_size(ksim_path_get(obj, "spec.containers")), ready = 0;
    long long restarts = 0;
    const char *reason = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(cs, i, c)
    {
        ready += json_is_true(json_object_get(c, "ready"));
        restarts += json_integer_value(json_object_get(c, "restartCount"));
        const char *w = json_string_value(ksim_path_get(c, "state.waiting.reason"));
        const char *t = json_string_value(ksim_path_get(c, "state.terminated.reason"));
        if (w != NULL)
            reason = w;
        else if (t != NULL && reason == NULL)
            reason = t;
    }
    const char *phase = json_string_value(ksim_path_get(obj, "status.phase"));
    const char *status = reason ? reason : phase ? phase : "Unknown";
    if (phase != NULL && strcmp(phase, "Running") == 0 && reason != NULL &&
        strcmp(reason, "Completed") == 0)
        status = ready > 0 ? "NotReady" : "Completed";
    if (ksim_path_get(obj, "metadata.deletionTimestamp") != NULL)
        status = "Terminating";
    char buf[32];
    snprintf(buf, sizeof buf, "%zu/%zu", ready, total);
    json_array_append_new(cells, json_string(buf));
    json_array_append_new(cells, json_string(status));
    json_array_append_new(cells, json_integer(restarts));
    json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
    json_array_append_new(cells, str_or(obj, "status.podIP", "<none>"));
    json_array_append_new(cells, str_or(obj, "spec.nodeName", "<none>"));
    json_array_append_new(cells, json_string("<none>"));
    json_array_append_new(cells, json_string("<none>"));
}

static void
service_cells(json_t *obj, json_t *cells)
{
    json_array_append_new(cells, str_or(obj, "spec.type", "ClusterIP"));
    json_array_append_new(cells, str_or(obj, "spec.clusterIP", "<none>"));
    struct strbuf sb;
    strbuf_init(&sb);
    size_t i;
    json_t *p;
    json_array_foreach(ksim_path_get(obj, "spec.externalIPs"), i, p)
        strbuf_appendf(&sb, "%s%s", i ? "," : "", json_string_value(p));
    json_array_append_new(cells, json_string(sb.len ? sb.s : "<none>"));
    strbuf_reset(&sb);
    json_array_foreach(ksim_path_get(obj, "spec.ports"), i, p)
    {
        const char *proto = json_string_value(json_object_get(p, "protocol"));
        strbuf_appendf(&sb, "%s%lld/%s", i ? "," : "",
                       (long long)json_integer_value(json_object_get(p, "port")),
                       proto ? proto : "TCP");
    }
    json_array_append_new(cells, json_string(sb.len ? sb.s : "<none>"));
    json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
    strbuf_reset(&sb);
    const char *k;
    json_t *v;
    json_object_foreach(ksim_path_get(obj, "spec.selector"), k, v)
        strbuf_appendf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_string_value(v));
    json_array_append_new(cells, json_string(sb.len ? sb.s : "<none>"));
    strbuf_fini(&sb);
}

static void
node_cells(json_t *obj, json_t *cells)
{
    const char *ready = "Unknown";
    size_t i;
    json_t *c;
    json_array_foreach(ksim_path_get(obj, "status.conditions"), i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        const char *s = json_string_value(json_object_get(c, "status"));
        if (t && strcmp(t, "Ready") == 0)
            ready = s && strcmp(s, "True") == 0 ? "Ready" : "NotReady";
    }
    json_array_append_new(cells, json_string(ready));
    struct strbuf roles;
    strbuf_init(&roles);
    const char *k;
    json_t *v;
    json_object_foreach(ksim_path_get(obj, "metadata.labels"), k,
                        v) if (strncmp(k, "node-role.kubernetes.io/", 24) == 0)
        strbuf_appendf(&roles, "%s%s", roles.len ? "," : "", k + 24);
    json_array_append_new(cells, json_string(roles.len ? roles.s : "<none>"));
    strbuf_fini(&roles);
    json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
    json_array_append_new(cells, str_or(obj, "status.nodeInfo.kubeletVersion", ""));
    const char *ip = "<none>";
    json_array_foreach(ksim_path_get(obj, "status.addresses"), i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        if (t && strcmp(t, "InternalIP") == 0)
            ip = json_string_value(json_object_get(c, "address"));
    }
    json_array_append_new(cells, json_string(ip ? ip : "<none>"));
}

static void
sts_cells(json_t *obj, json_t *cells)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%lld/%lld",
             (long long)json_integer_value(ksim_path_get(obj, "status.readyReplicas")),
             (long long)(json_is_integer(ksim_path_get(obj, "spec.replicas"))
                             ? json_integer_value(ksim_path_get(obj, "spec.replicas"))
                             : 1));
    json_array_append_new(cells, json_string(buf));
    json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
    struct strbuf names, images;
    strbuf_init(&names);
    strbuf_init(&images);
    size_t i;
    json_t *c;
    json_array_foreach(ksim_path_get(obj, "spec.template.spec.containers"), i, c)
    {
        strbuf_appendf(&names, "%s%s", i ? "," : "", json_string_value(json_object_get(c, "name")));
        strbuf_appendf(&images, "%s%s", i ? "," : "",
                       json_string_value(json_object_get(c, "image")));
    }
    json_array_append_new(cells, json_string(names.s));
    json_array_append_new(cells, json_string(images.s));
    strbuf_fini(&names);
    strbuf_fini(&images);
}

json_t *
ksim_table_row(const struct ksim_res *res, json_t *obj, const char *include)
{
    json_t *cells = json_array();
    json_array_append_new(cells, str_or(obj, "metadata.name", ""));
    switch (res->table) {
    case KSIM_TABLE_POD:
        pod_cells(obj, cells);
        break;
    case KSIM_TABLE_NAMESPACE:
        json_array_append_new(cells, str_or(obj, "status.phase", "Active"));
        json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
        break;
    case KSIM_TABLE_SERVICE:
        service_cells(obj, cells);
        break;
    case KSIM_TABLE_NODE:
        node_cells(obj, cells);
        break;
    case KSIM_TABLE_STATEFULSET:
        sts_cells(obj, cells);
        break;
    case KSIM_TABLE_SECRET: {
        json_array_append_new(cells, str_or(obj, "type", "Opaque"));
        json_array_append_new(
            cells, json_integer((json_int_t)json_object_size(json_object_get(obj, "data"))));
        json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
        break;
    }
    case KSIM_TABLE_WEBHOOK:
        json_array_append_new(
            cells, json_integer((json_int_t)json_array_size(json_object_get(obj, "webhooks"))));
        json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
        break;
    case KSIM_TABLE_CRD:
        json_array_append_new(cells, str_or(obj, "metadata.creationTimestamp", ""));
        break;
    case KSIM_TABLE_CUSTOM:
        if (json_array_size(res->columns) == 0) {
            json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
        } else {
            size_t i;
            json_t *c;
            json_array_foreach(res->columns, i, c)
            {
                const char *path = json_string_value(json_object_get(c, "jsonPath"));
                const char *type = json_string_value(json_object_get(c, "type"));
                struct strbuf sb;
                strbuf_init(&sb);
                int found = 0;
                if (path != NULL)
                    jsonpath(obj, path, &sb, &found);
                if (found == 0) {
                    json_array_append_new(cells, json_null());
                } else if (type && strcmp(type, "date") == 0) {
                    int64_t ms;
                    char buf[32];
                    if (clock_parse_rfc3339(sb.s, &ms) == 0) {
                        ksim_human_age((clock_wall_ms() - ms) / 1000, buf, sizeof buf);
                        json_array_append_new(cells, json_string(buf));
                    } else {
                        json_array_append_new(cells, json_string(sb.s));
                    }
                } else if (type && strcmp(type, "integer") == 0 && found == 1) {
                    json_array_append_new(cells, json_integer(strtoll(sb.s, NULL, 10)));
                } else {
                    json_array_append_new(cells, json_string(sb.s));
                }
                strbuf_fini(&sb);
            }
        }
        break;
    case KSIM_TABLE_GENERIC:
        json_array_append_new(cells, age_cell(obj, "metadata.creationTimestamp"));
        break;
    }
    json_t *row = json_pack("{s:o}", "cells", cells);
    if (include == NULL || strcmp(include, "Metadata") == 0) {
        json_object_set_new(row, "object",
                            json_pack("{s:s, s:s, s:O}", "kind", "PartialObjectMetadata",
                                      "apiVersion", "meta.k8s.io/v1", "metadata",
                                      json_object_get(obj, "metadata")));
    } else if (strcmp(include, "Object") == 0) {
        json_object_set(row, "object", obj);
    }
    return row;
}
