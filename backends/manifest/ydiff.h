/* ydiff: the diffs an operator reviews before a write. ydiff_lines compares two texts line
 * by line; ydiff_apply compares a live object with what a server-side apply would make of
 * it, field by field, and says only what the apply changes. Pure; any thread. */
#ifndef PXC_BACKENDS_MANIFEST_YDIFF_H
#define PXC_BACKENDS_MANIFEST_YDIFF_H

#include <jansson.h>

#include "strbuf.h"

/* Append the diff of a -> b to out: lines "  same", "- removed", "+ added", with `context`
 * unchanged lines around each change and "@@" between distant hunks. Returns the number
 * of changed lines (0: identical). */
int ydiff_lines(const char *a, const char *b, int context, struct strbuf *out);

/* What a server-side apply of intended by field manager `manager` changes on live, in the
 * lines of ydiff_lines (YAML, indented as yamlout writes it). All borrowed.
 *   - live: the object as the server has it; NULL when it does not exist yet.
 *   - after: the server's dry-run answer (the object as the apply would leave it); NULL
 *     takes intended as the result (no dry run could be made).
 * Compared are the fields intended sets and those `manager` applied before (an apply
 * drops what its manager no longer sets); a field intended does not set is no removal,
 * and fields others own, defaults and status never show. Lists whose order carries no
 * meaning (a ServiceEntry's hosts, addresses, endpoints, exportTo, subjectAltNames)
 * compare as sets. A Secret's stringData compares as the data it becomes, and no value of
 * a Secret is ever printed: its lines say that a key is there, added, removed or changed.
 * Returns the number of changed lines: 0 when the apply changes nothing. */
int ydiff_apply(const json_t *live, const json_t *after, const json_t *intended,
                const char *manager, int context, struct strbuf *out);

#endif
