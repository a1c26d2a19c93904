/* jsonu: small jansson helpers shared by the modules that read JSON from outside
 * (snapshots, Kubernetes objects, CRD schemas). Pure; any thread. */
#ifndef PXC_BACKENDS_CODEC_JSONU_H
#define PXC_BACKENDS_CODEC_JSONU_H

#include <jansson.h>

/* The JSON type of v in one word for messages: "object", "array", "string", "integer",
 * "number", "boolean", "null". Static. */
const char *jsonu_type_name(const json_t *v);

#endif
