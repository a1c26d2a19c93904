/* crdreg: a flat list of (group, version, kind, plural, schema) rows built from the CRD
 * documents. A handful of CRDs, so lookups are linear. Besides the schema, every object
 * gets the checks the API server applies to metadata for all kinds (name present and a
 * DNS-1123 subdomain, namespace a DNS-1123 label), because a CRD schema does not say them. */
#include "manifest/crdreg.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vec.h"
#include "xmalloc.h"
#include "manifest/schema.h"
#include "codec/yamldocs.h"

struct crd_row {
    char *group;
    char *version;
    char *kind;
    char *plural;
    json_t *schema; /* owned reference */
};

struct crdreg {
    struct vec rows; /* owned struct crd_row * */
};

static void
row_free(void *p)
{
    struct crd_row *r = p;
    free(r->group);
    free(r->version);
    free(r->kind);
    free(r->plural);
    json_decref(r->schema);
    free(r);
}

static void
add_crd(struct crdreg *r, json_t *doc)
{
    if (strcmp(json_string_value(json_object_get(doc, "kind")) ?: "",
               "CustomResourceDefinition") != 0)
        return;
    json_t *spec = json_object_get(doc, "spec");
    const char *group = json_string_value(json_object_get(spec, "group"));
    json_t *names = json_object_get(spec, "names");
    const char *kind = json_string_value(json_object_get(names, "kind"));
    const char *plural = json_string_value(json_object_get(names, "plural"));
    if (group == NULL || kind == NULL || plural == NULL)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(spec, "versions"), i, v) {
        const char *ver = json_string_value(json_object_get(v, "name"));
        json_t *schema = json_object_get(json_object_get(v, "schema"), "openAPIV3Schema");
        if (ver == NULL || !json_is_object(schema))
            continue;
        struct crd_row *row = xcalloc(1, sizeof *row);
        row->group = xstrdup(group);
        row->version = xstrdup(ver);
        row->kind = xstrdup(kind);
        row->plural = xstrdup(plural);
        row->schema = json_incref(schema);
        vec_push(&r->rows, row);
    }
}

static int
is_dir(const char *p)
{
    struct stat st;
    return p != NULL && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
load_dir(struct crdreg *r, const char *dir, struct pxerr *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return pxerr_set(err, PXE_NOTFOUND, "CRD directory '%s' cannot be read", dir);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        json_t *docs;
        rc = yamldocs_load_file(path, &docs, err);
        free(path);
        if (rc != 0)
            break;
        size_t i;
        json_t *doc;
        json_array_foreach(docs, i, doc) add_crd(r, doc);
        json_decref(docs);
    }
    closedir(d);
    return rc;
}

int
crdreg_load(const char *dir, struct crdreg **out, struct pxerr *err)
{
    const char *cands[3] = {dir, NULL, NULL};
    char *src = NULL, *inst = NULL;
    if (dir == NULL) {
        cands[0] = getenv("PXC_CRD_DIR");
        src = xasprintf("%s/backends/manifest/crds", PXC_SOURCE_DIR);
        inst = xasprintf("%s/crds", PXC_DATA_INSTALL_DIR);
        cands[1] = src;
        cands[2] = inst;
    }
    const char *use = NULL;
    for (int i = 0; i < 3 && use == NULL; i++)
        if (is_dir(cands[i]))
            use = cands[i];
    int rc;
    if (use == NULL) {
        rc = pxerr_set(err, PXE_NOTFOUND,
                       "no CRD directory found (tried %s, %s, %s); set PXC_CRD_DIR to a directory "
                       "holding the Istio and PXC CRD YAML files",
                       cands[0] ? cands[0] : "$PXC_CRD_DIR", cands[1] ? cands[1] : "-",
                       cands[2] ? cands[2] : "-");
    } else {
        struct crdreg *r = xcalloc(1, sizeof *r);
        vec_init(&r->rows, row_free);
        rc = load_dir(r, use, err);
        if (rc == 0 && r->rows.n == 0)
            rc = pxerr_set(err, PXE_NOTFOUND, "no CustomResourceDefinition found in '%s'", use);
        if (rc == 0)
            *out = r;
        else
            crdreg_free(r);
    }
    free(src);
    free(inst);
    return rc;
}

void
crdreg_free(struct crdreg *r)
{
    if (r == NULL)
        return;
    vec_fini(&r->rows);
    free(r);
}

static const struct crd_row *
find(const struct crdreg *r, const char *api_version, const char *kind)
{
    if (api_version == NULL || kind == NULL)
        return NULL;
    const char *slash = strchr(api_version, '/');
    if (slash == NULL)
        return NULL;
    size_t glen = (size_t)(slash - api_version);
    for (size_t i = 0; i < r->rows.n; i++) {
        const struct crd_row *row = r->rows.items[i];
        if (strlen(row->group) == glen && strncmp(row->group, api_version, glen) == 0 &&
            strcmp(row->version, slash + 1) == 0 && strcmp(row->kind, kind) == 0)
            return row;
    }
    return NULL;
}

const json_t *
crdreg_schema(const struct crdreg *r, const char *api_version, const char *kind)
{
    const struct crd_row *row = find(r, api_version, kind);
    return row ? row->schema : NULL;
}

const char *
crdreg_plural(const struct crdreg *r, const char *api_version, const char *kind)
{
    const struct crd_row *row = find(r, api_version, kind);
    return row ? row->plural : NULL;
}

/* RFC 1123 label (max 63) or subdomain (dot-separated labels, max 253). */
static int
dns1123(const char *s, int subdomain)
{
    size_t n = strlen(s);
    if (n == 0 || n > (subdomain ? 253u : 63u))
        return 0;
    size_t lab = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' && subdomain) {
            if (lab == 0 || s[i - 1] == '-')
                return 0;
            lab = 0;
            continue;
        }
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-'))
            return 0;
        if (lab == 0 && c == '-')
            return 0;
        lab++;
    }
    return s[n - 1] != '-' && s[n - 1] != '.';
}

int
crdreg_validate(const struct crdreg *r, const json_t *doc, struct pxerr *err)
{
    const char *av = json_string_value(json_object_get(doc, "apiVersion"));
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    if (av == NULL || kind == NULL)
        return pxerr_set(err, PXE_SCHEMA, "object without apiVersion or kind");
    json_t *md = json_object_get(doc, "metadata");
    const char *name = json_string_value(json_object_get(md, "name"));
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    if (name == NULL)
        return pxerr_set(err, PXE_SCHEMA, "%s: metadata.name: required field is missing", kind);
    if (!dns1123(name, 1))
        return pxerr_set(err, PXE_SCHEMA,
                         "%s %s: metadata.name: must be lower-case letters, digits, '-' and '.', "
                         "start and end alphanumeric, at most 253 characters",
                         kind, name);
    if (ns != NULL && !dns1123(ns, 0))
        return pxerr_set(err, PXE_SCHEMA,
                         "%s %s: metadata.namespace '%s': must be a DNS-1123 label "
                         "(lower-case letters, digits, '-', at most 63 characters)",
                         kind, name, ns);
    const json_t *schema = crdreg_schema(r, av, kind);
    if (schema == NULL)
        return 0;
    char what[200];
    snprintf(what, sizeof what, "%s %s: ", kind, name);
    return schema_validate(schema, doc, what, err);
}
