/* yamldocs: a multi-document YAML stream as jansson trees, for data files read whole
 * (CRDs, manifests given to `apply -f`). Scalars follow the YAML 1.2 core schema as in
 * yamlu; yamlu (single document, with line marks) is for files a user edits by hand.
 * Any thread. */
#ifndef PXC_BACKENDS_CODEC_YAMLDOCS_H
#define PXC_BACKENDS_CODEC_YAMLDOCS_H

#include <stddef.h>

#include <jansson.h>
#include <yaml.h>

#include "pxerr.h"

/* *out: owned JSON array of documents (empty documents skipped). name names the input in
 * errors: "NAME:LINE:COL: problem". */
int yamldocs_load_buf(const char *name, const char *buf, size_t len, json_t **out,
                      struct pxerr *err) PXC_MUST_CHECK;
/* The file read whole (file_read: a regular file of at most YAMLDOCS_MAX_FILE bytes). */
int yamldocs_load_file(const char *path, json_t **out, struct pxerr *err) PXC_MUST_CHECK;

#define YAMLDOCS_MAX_FILE (64u << 20) /* the CRD schemas are about 1 MB */

/* libyaml's failure as "NAME:LINE:COL: problem". Its reader errors (invalid UTF-8, a NUL
 * or another control character) carry only a byte offset into buf: the line and column
 * are computed from it, where libyaml's own mark would say 1:1. */
int yamldocs_parser_error(const yaml_parser_t *p, const char *name, const char *buf, size_t len,
                          struct pxerr *err);
/* Line and column (1-based, columns in characters) of byte offset in buf. */
void yamldocs_offset_pos(const char *buf, size_t len, size_t offset, size_t *line, size_t *col);

#endif
