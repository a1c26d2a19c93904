/* schema: validate a JSON document against a Kubernetes structural openAPIV3Schema, as
 * the API server would before admitting it (types, properties, required, enum, items,
 * additionalProperties, int-or-string, preserve-unknown-fields, numeric and length
 * bounds, oneOf/anyOf/allOf/not). Unknown fields are errors (kubectl --validate=strict),
 * because a typo in a generated manifest must never be pruned silently.
 * CEL rules (x-kubernetes-validations) and regex patterns are not evaluated.
 * Pure functions; any thread. */
#ifndef PXC_BACKENDS_MANIFEST_SCHEMA_H
#define PXC_BACKENDS_MANIFEST_SCHEMA_H

#include <jansson.h>

#include "pxerr.h"

/* 0 if doc (borrowed) satisfies schema (borrowed). On failure err names the first bad field
 * by path ("spec.ports[0].number: expected integer, got string \"abc\"") and the code is
 * PXE_SCHEMA. The path is prefixed with `what` ("ServiceEntry pxc-cluster-cluster-b: "). */
int schema_validate(const json_t *schema, const json_t *doc, const char *what,
                    struct pxerr *err) PXC_MUST_CHECK;

#endif
