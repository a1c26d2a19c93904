/* yamlu: load a YAML file into a jansson tree and keep where each node came from, so that
 * the modules reading it (kcfg, config) can say FILE:LINE in their errors.
 *
 * Positions live in a side table keyed by the node's path ("users[0].user.token"), because
 * jansson shares its true/false/null singletons and so a node pointer cannot be a key.
 * Scalars follow the YAML 1.2 core schema: plain true/false, null/~/empty, integers and
 * floats become those JSON types; everything quoted, and every other plain scalar, is a string.
 * Anchors and aliases are resolved; a duplicate mapping key is an error, as in kubectl.
 * Only the first document is read; a second one is an error. Any thread (pure, file read).
 */
#ifndef PXC_BACKENDS_CODEC_YAMLU_H
#define PXC_BACKENDS_CODEC_YAMLU_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "pxerr.h"

struct yamlu_doc {
    char *file;                /* read-only, owned: the name used in messages */
    json_t *root;              /* read-only, owned by the doc: NULL for an empty document */
    struct yamlu_marks *marks; /* private */
};

/* Load path (borrowed) into *out (owned, yamlu_free). Errors:
 *   PXE_NOTFOUND / PXE_IO: "FILE: No such file or directory"
 *   PXE_INVAL: "FILE: not a regular file (a FIFO); give a file", a directory, a device
 *   PXE_TOOBIG: larger than 16 MiB (file_read_secret: the text is zeroed once parsed)
 *   PXE_PARSE: "FILE:LINE:COL: <libyaml problem>[ (<context>)]" */
int yamlu_load_file(const char *path, struct yamlu_doc **out, struct pxerr *err) PXC_MUST_CHECK;
/* The same from memory; name (borrowed) stands for the file in messages. */
int yamlu_load_buf(const char *name, const char *buf, size_t len, struct yamlu_doc **out,
                   struct pxerr *err) PXC_MUST_CHECK;
void yamlu_free(struct yamlu_doc *d); /* NULL does nothing */

/* Line (1-based) where the node at path starts; for a path without a mark (inside an alias),
 * the nearest ancestor's. 0 when nothing is known. */
int yamlu_line(const struct yamlu_doc *d, const char *path);
int yamlu_col(const struct yamlu_doc *d, const char *path);

/* Fill err with "FILE:LINE: PATH: MSG" (no LINE when unknown, no "PATH: " when path is "")
 * and return code. */
int yamlu_err(const struct yamlu_doc *d, struct pxerr *err, int code, const char *path,
              const char *fmt, ...) PXC_PRINTF(5, 6);

/* Typed access to obj[key], where obj is the object at path. Absent or null: return 0 and
 * leave *out as it was (so callers preset defaults). Wrong type: PXE_SCHEMA with
 * "FILE:LINE: PATH.KEY: expected a string, got an integer (7)". Results borrowed from the tree. */
int yamlu_get_str(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
                  const char **out, struct pxerr *err) PXC_MUST_CHECK;
int yamlu_get_bool(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
                   bool *out, struct pxerr *err) PXC_MUST_CHECK;
/* Integer within [min, max] (else "must be between MIN and MAX, got V"). */
int yamlu_get_int(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
                  long long min, long long max, long long *out, struct pxerr *err) PXC_MUST_CHECK;
int yamlu_get_obj(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
                  json_t **out, struct pxerr *err) PXC_MUST_CHECK;
int yamlu_get_arr(const struct yamlu_doc *d, json_t *obj, const char *path, const char *key,
                  json_t **out, struct pxerr *err) PXC_MUST_CHECK;

/* The node's type in words for messages: "a string", "an integer", "a list", "a mapping" ... */
const char *yamlu_type_name(const json_t *v);

/* Strict keys: every key of obj (at path) must be in allowed (NULL-terminated). Otherwise
 * PXE_SCHEMA "FILE:LINE: PATH.KEY: unknown key (did you mean 'X'?)", the suggestion given
 * when one allowed key is close: within edit distance 2, or a third of the key's length for
 * long keys, or differing only in case. */
int yamlu_check_keys(const struct yamlu_doc *d, json_t *obj, const char *path,
                     const char *const *allowed, struct pxerr *err) PXC_MUST_CHECK;

/* Edit distance (Levenshtein, case-sensitive), for did-you-mean elsewhere too. */
size_t yamlu_edit_distance(const char *a, const char *b);
/* Best close match for s among cands (NULL-terminated), or NULL. Borrowed. */
const char *yamlu_suggest(const char *s, const char *const *cands);

/* Child path helpers into buf: "a.b" + "c" -> "a.b.c", "" + "c" -> "c"; "a" + 3 -> "a[3]". */
void yamlu_path_key(char *buf, size_t n, const char *path, const char *key);
void yamlu_path_idx(char *buf, size_t n, const char *path, size_t i);

#endif
