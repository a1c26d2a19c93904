/* ydiff: a line diff of two texts (manifests rendered as YAML), in unified style with
 * context, for "live vs intended" previews before an apply. Pure; any thread. */
#ifndef PXC_BACKENDS_MANIFEST_YDIFF_H
#define PXC_BACKENDS_MANIFEST_YDIFF_H

#include <jansson.h>

#include "strbuf.h"

/* Append the diff of a -> b to out: lines "  same", "- removed", "+ added", with `context`
 * unchanged lines around each change and "@@" between distant hunks. Returns the number
 * of changed lines (0: identical). */
int ydiff_lines(const char *a, const char *b, int context, struct strbuf *out);

/* live projected onto the keys intended sets (recursively; arrays compared whole): what an
 * apply of intended would change, without the server-filled fields (status, uid,
 * managedFields, defaults) that intended does not mention. Owned; NULL live gives NULL. */
json_t *ydiff_project(const json_t *live, const json_t *intended);

#endif
