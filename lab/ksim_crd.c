/* ksim_crd: CustomResourceDefinitions become served resources. A CRD from the fixture
 * files or one created through the API (kubectl apply -f crd.yaml) registers its group,
 * served versions (ordered as the API server prefers them: GA, then beta, then alpha,
 * higher numbers first, then anything else alphabetically), names, scope and printer
 * columns. Schemas are not enforced: kubesim stores what it is given. Deleting a CRD
 * keeps serving its resource; the lab never needs that. */
#include "ksim_api.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmalloc.h"

/* Kube-like version ("v2", "v1beta1", "v1alpha3") into (class, major, minor). */
static bool
kube_version(const char *v, int *cls, long *major, long *minor)
{
    if (v[0] != 'v' || !isdigit((unsigned char)v[1]))
        return false;
    char *end;
    *major = strtol(v + 1, &end, 10);
    *minor = 0;
    if (*end == '\0') {
        *cls = 3;
        return true;
    }
    if (strncmp(end, "beta", 4) == 0)
        *cls = 2, end += 4;
    else if (strncmp(end, "alpha", 5) == 0)
        *cls = 1, end += 5;
    else
        return false;
    if (!isdigit((unsigned char)*end))
        return false;
    *minor = strtol(end, &end, 10);
    return *end == '\0';
}

static int
version_cmp(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    int ca, cb;
    long ma, mb, na, nb;
    bool ka = kube_version(a, &ca, &ma, &na), kb = kube_version(b, &cb, &mb, &nb);
    if (ka && kb) {
        if (ca != cb)
            return cb - ca;
        if (ma != mb)
            return mb > ma ? 1 : -1;
        if (na != nb)
            return nb > na ? 1 : -1;
        return 0;
    }
    if (ka != kb)
        return ka ? -1 : 1;
    return strcmp(a, b);
}

int
ksim_crd_register_locked(struct ksim_store *st, const json_t *crd, struct pxerr *err)
{
    json_t *spec = json_object_get(crd, "spec");
    json_t *names = json_object_get(spec, "names");
    const char *group = json_string_value(json_object_get(spec, "group"));
    const char *plural = json_string_value(json_object_get(names, "plural"));
    const char *kind = json_string_value(json_object_get(names, "kind"));
    const char *scope = json_string_value(json_object_get(spec, "scope"));
    const char *crd_name = json_string_value(ksim_path_get((json_t *)crd, "metadata.name"));
    if (group == NULL || plural == NULL || kind == NULL)
        return pxerr_set(err, PXE_SCHEMA,
                         "CustomResourceDefinition %s: spec.group, spec.names.plural and "
                         "spec.names.kind are required",
                         crd_name ? crd_name : "(unnamed)");
    struct ksim_res *r = xcalloc(1, sizeof *r);
    r->group = xstrdup(group);
    r->plural = xstrdup(plural);
    r->kind = xstrdup(kind);
    const char *singular = json_string_value(json_object_get(names, "singular"));
    if (singular != NULL) {
        r->singular = xstrdup(singular);
    } else {
        r->singular = xstrdup(kind);
        for (char *p = r->singular; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    const char *list_kind = json_string_value(json_object_get(names, "listKind"));
    r->list_kind = list_kind ? xstrdup(list_kind) : xasprintf("%sList", kind);
    r->namespaced = scope == NULL || strcmp(scope, "Namespaced") == 0;
    json_t *sn = json_object_get(names, "shortNames");
    r->short_names = json_is_array(sn) ? json_deep_copy(sn) : NULL;
    json_t *cat = json_object_get(names, "categories");
    r->categories = json_is_array(cat) ? json_deep_copy(cat) : NULL;
    r->table = KSIM_TABLE_CUSTOM;

    json_t *versions = json_object_get(spec, "versions");
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        if (name == NULL || !json_is_true(json_object_get(v, "served")))
            continue;
        r->versions = xreallocarray(r->versions, r->n_versions + 1, sizeof *r->versions);
        r->versions[r->n_versions++] = xstrdup(name);
    }
    const char *legacy = json_string_value(json_object_get(spec, "version"));
    if (r->n_versions == 0 && legacy != NULL) { /* apiextensions v1beta1 style */
        r->versions = xcalloc(1, sizeof *r->versions);
        r->versions[r->n_versions++] = xstrdup(legacy);
    }
    if (r->n_versions == 0) {
        ksim_res_free(r);
        return pxerr_set(err, PXE_SCHEMA,
                         "CustomResourceDefinition %s serves no version (set served: true on "
                         "one of spec.versions)",
                         crd_name ? crd_name : plural);
    }
    qsort(r->versions, r->n_versions, sizeof *r->versions, version_cmp);
    json_array_foreach(versions, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        if (name == NULL || strcmp(name, r->versions[0]) != 0)
            continue;
        json_t *cols = json_object_get(v, "additionalPrinterColumns");
        if (json_is_array(cols))
            r->columns = json_deep_copy(cols);
        r->has_status = json_object_get(json_object_get(v, "subresources"), "status") != NULL;
    }
    json_t *cols = json_object_get(spec, "additionalPrinterColumns");
    if (r->columns == NULL && json_is_array(cols))
        r->columns = json_deep_copy(cols);
    (void)ksim_res_add(st, r); /* a second CRD for the same resource keeps the first */
    return 0;
}

static bool
has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int
scan_dir(struct ksim_store *st, const char *dir, int depth, int *n_loaded, struct pxerr *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return pxerr_set(err, PXE_IO, "CRD directory %s cannot be read", dir);
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
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (depth < 3)
                rc = scan_dir(st, path, depth + 1, n_loaded, err);
        } else if (has_suffix(path, ".yaml") || has_suffix(path, ".yml")) {
            rc = ksim_crd_load_file(st, path, n_loaded, err);
        }
        free(path);
    }
    vec_fini(&names);
    return rc;
}

int
ksim_crd_load_file(struct ksim_store *st, const char *path, int *n_loaded, struct pxerr *err)
{
    /* Cheap test first: most fixture files hold no CRD and need no parse. */
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return pxerr_set(err, PXE_IO, "%s: cannot open", path);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strstr(buf, "CustomResourceDefinition") == NULL)
        return 0;
    struct vec docs;
    vec_init(&docs, ksim_json_decref_fn);
    int rc = ksim_yaml_load_file(path, &docs, err);
    for (size_t i = 0; rc == 0 && i < docs.n; i++) {
        json_t *doc = vec_at(&docs, i);
        const char *kind = json_string_value(json_object_get(doc, "kind"));
        if (kind == NULL || strcmp(kind, "CustomResourceDefinition") != 0)
            continue;
        struct ksim_status stt;
        json_t *out = NULL;
        rc = ksim_api_create_locked(
            st, ksim_res_find(st, "apiextensions.k8s.io", NULL, "customresourcedefinitions"), "",
            json_incref(doc), KSIM_W_SEED, &out, &stt);
        if (rc != 0 && stt.code == 409) {
            rc = 0; /* the same CRD from two files: the first wins */
        } else if (rc != 0) {
            rc = pxerr_set(err, PXE_SCHEMA, "%s: %s", path, stt.msg);
        } else {
            (*n_loaded)++;
        }
        json_decref(out);
    }
    vec_fini(&docs);
    return rc;
}

int
ksim_crd_load_dir(struct ksim_store *st, const char *dir, int *n_loaded, struct pxerr *err)
{
    *n_loaded = 0;
    return scan_dir(st, dir, 0, n_loaded, err);
}
