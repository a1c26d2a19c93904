/* ksim_seed: the state kubesim starts with. Every *.yaml, *.yml and *.json under the
 * seed directory (sorted by path, multi-document YAML and kind: List allowed) is created
 * through the same API path a client would use, namespaces and CRDs first so that the
 * rest find them; a namespace named by an object but not seeded is created for it.
 * StatefulSets get their pods afterwards, unless the seed listed them. --gen-pods adds
 * N synthetic pods for benchmarks. */
#include "ksim_api.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmalloc.h"

static bool
seed_file(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int
collect(const char *dir, struct vec *files, int depth, struct pxerr *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return pxerr_set(err, PXE_IO, "seed directory %s cannot be read (does it exist?)", dir);
    struct vec names;
    vec_init(&names, free);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            vec_push(&names, xstrdup(de->d_name));
    closedir(d);
    vec_sort(&names, (vec_cmp_fn *)strcmp);
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *path = xasprintf("%s/%s", dir, (char *)vec_at(&names, i));
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth < 4) {
            rc = collect(path, files, depth + 1, err);
            free(path);
        } else if (seed_file(path)) {
            vec_push(files, path);
        } else {
            free(path);
        }
    }
    vec_fini(&names);
    return rc;
}

struct seed_doc {
    json_t *obj;
    char *where; /* "file (document N)" */
};

static void
seed_doc_free(void *p)
{
    struct seed_doc *d = p;
    json_decref(d->obj);
    free(d->where);
    free(d);
}

static int
rank(const json_t *obj)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    if (kind == NULL)
        return 3;
    if (strcmp(kind, "Namespace") == 0)
        return 0;
    if (strcmp(kind, "CustomResourceDefinition") == 0)
        return 1;
    if (strcmp(kind, "Node") == 0)
        return 2;
    return 3;
}

int
ksim_seed_load_dir(struct ksim_store *st, const char *dir, int *n_loaded, struct pxerr *err)
{
    struct vec files, docs;
    vec_init(&files, free);
    vec_init(&docs, seed_doc_free);
    *n_loaded = 0;
    int rc = collect(dir, &files, 0, err);
    for (size_t f = 0; rc == 0 && f < files.n; f++) {
        struct vec parsed;
        vec_init(&parsed, ksim_json_decref_fn);
        rc = ksim_yaml_load_file(vec_at(&files, f), &parsed, err);
        for (size_t i = 0; rc == 0 && i < parsed.n; i++) {
            json_t *obj = vec_at(&parsed, i);
            const char *kind = json_string_value(json_object_get(obj, "kind"));
            json_t *items = json_object_get(obj, "items");
            if (kind != NULL && strlen(kind) > 4 && strcmp(kind + strlen(kind) - 4, "List") == 0 &&
                json_is_array(items)) {
                size_t k;
                json_t *item;
                json_array_foreach(items, k, item)
                {
                    struct seed_doc *d = xcalloc(1, sizeof *d);
                    d->obj = json_incref(item);
                    d->where = xasprintf("%s (document %zu, item %zu)", (char *)vec_at(&files, f),
                                         i + 1, k + 1);
                    vec_push(&docs, d);
                }
                continue;
            }
            struct seed_doc *d = xcalloc(1, sizeof *d);
            d->obj = json_incref(obj);
            d->where = xasprintf("%s (document %zu)", (char *)vec_at(&files, f), i + 1);
            vec_push(&docs, d);
        }
        vec_fini(&parsed);
    }
    pthread_mutex_lock(&st->mu);
    st->seeding = true;
    for (int pass = 0; rc == 0 && pass < 4; pass++) {
        for (size_t i = 0; rc == 0 && i < docs.n; i++) {
            struct seed_doc *d = vec_at(&docs, i);
            if (rank(d->obj) != pass)
                continue;
            const char *av = json_string_value(json_object_get(d->obj, "apiVersion"));
            const char *kind = json_string_value(json_object_get(d->obj, "kind"));
            struct ksim_res *res = ksim_res_by_kind(st, av, kind);
            if (res == NULL) {
                rc = pxerr_set(err, PXE_SCHEMA,
                               "%s: no resource serves apiVersion \"%s\" kind \"%s\" (is its CRD "
                               "in --crd-dir or in the seed?)",
                               d->where, av ? av : "", kind ? kind : "");
                break;
            }
            const char *ns = json_string_value(ksim_path_get(d->obj, "metadata.namespace"));
            struct ksim_status stt;
            json_t *out = NULL;
            if (ksim_api_create_locked(st, res, ns ? ns : "default", json_incref(d->obj),
                                       KSIM_W_SEED, &out, &stt) != 0) {
                rc = pxerr_set(err, PXE_SCHEMA, "%s: %s", d->where, stt.msg);
                break;
            }
            json_decref(out);
            (*n_loaded)++;
        }
    }
    if (rc == 0)
        ksim_sim_reconcile_all_locked(st);
    st->seeding = false;
    pthread_mutex_unlock(&st->mu);
    vec_fini(&docs);
    vec_fini(&files);
    return rc;
}

void
ksim_seed_gen_pods_locked(struct ksim_store *st, int n, bool injected)
{
    struct ksim_res *nsr = ksim_res_find(st, "", "v1", "namespaces");
    struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
    bool was = st->seeding;
    st->seeding = true;
    for (int i = 0; i < n; i++) {
        char ns[32], name[64];
        snprintf(ns, sizeof ns, "bench-%d", i / 100);
        snprintf(name, sizeof name, "bench-pod-%05d", i);
        struct ksim_status stt;
        json_t *out = NULL;
        if (i % 100 == 0 && ksim_obj_get_locked(nsr, "", ns) == NULL) {
            json_t *nso = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "apiVersion", "v1", "kind",
                                    "Namespace", "metadata", "name", ns, "labels",
                                    "istio-injection", injected ? "enabled" : "disabled");
            if (ksim_api_create_locked(st, nsr, "", nso, KSIM_W_SEED, &out, &stt) != 0)
                fprintf(stderr, "kubesim: --gen-pods: namespace %s: %s\n", ns, stt.msg);
            json_decref(out);
            out = NULL;
        }
        json_t *pod = json_pack(
            "{s:s, s:s, s:{s:s, s:s, s:{s:s, s:s, s:s}}, s:{s:[{s:s, s:s, s:[{s:i, s:s}]}]}}",
            "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", ns, "labels",
            "app", "bench", "app.kubernetes.io/component", "bench", "app.kubernetes.io/instance",
            ns, "spec", "containers", "name", "app", "image", "registry.k8s.io/pause:3.10", "ports",
            "containerPort", 8080, "name", "http");
        if (ksim_api_create_locked(st, pods, ns, pod, KSIM_W_SEED, &out, &stt) != 0)
            fprintf(stderr, "kubesim: --gen-pods: pod %s/%s: %s\n", ns, name, stt.msg);
        json_decref(out);
    }
    st->seeding = was;
}
