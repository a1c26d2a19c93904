/* yamldocs: a multi-document YAML stream as jansson trees, for data files read whole
 * (CRDs, manifests given to `apply -f`). Scalars follow the YAML 1.2 core schema as in
 * yamlu; yamlu (single document, with line marks) is for files a user edits by hand.
 * Any thread. */
#ifndef PXC_BACKENDS_CODEC_YAMLDOCS_H
#define PXC_BACKENDS_CODEC_YAMLDOCS_H

#include <stddef.h>

#include <jansson.h>

#include "pxerr.h"

/* *out: owned JSON array of documents (empty documents skipped). name names the input in
 * errors: "NAME:LINE:COL: problem". */
int yamldocs_load_buf(const char *name, const char *buf, size_t len, json_t **out,
                      struct pxerr *err) PXC_MUST_CHECK;
int yamldocs_load_file(const char *path, json_t **out, struct pxerr *err) PXC_MUST_CHECK;

#endif
