/* crdreg: the CustomResourceDefinitions pxcmesh validates against, loaded from the real
 * upstream CRD files (Istio networking/security, the Percona XtraDB Cluster operator).
 * Owned by its creator; any thread, but not shared between threads. */
#ifndef PXC_BACKENDS_MANIFEST_CRDREG_H
#define PXC_BACKENDS_MANIFEST_CRDREG_H

#include <jansson.h>

#include "pxerr.h"

struct crdreg;

/* Load every *.yaml CRD in dir; dir NULL searches $PXC_CRD_DIR, the source tree's
 * backends/manifest/crds, then the installed share/pxcmesh/crds. *out owned (crdreg_free). */
int crdreg_load(const char *dir, struct crdreg **out, struct pxerr *err) PXC_MUST_CHECK;
void crdreg_free(struct crdreg *r);

/* The openAPIV3Schema for apiVersion ("group/version") and kind, borrowed until
 * crdreg_free; NULL when no CRD defines it. */
const json_t *crdreg_schema(const struct crdreg *r, const char *api_version, const char *kind);

/* Validate doc (borrowed, a whole object with apiVersion and kind) against its CRD.
 * Objects of kinds no CRD defines (core kinds) get the built-in checks of their
 * metadata only. Errors name the object and the field path. */
int crdreg_validate(const struct crdreg *r, const json_t *doc, struct pxerr *err) PXC_MUST_CHECK;

/* Plural resource name for apiVersion/kind ("serviceentries"), borrowed; NULL if unknown. */
const char *crdreg_plural(const struct crdreg *r, const char *api_version, const char *kind);

#endif
