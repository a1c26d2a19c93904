/* jscan: the byte ranges of JSON values, found without building trees. Big documents (a LIST
 * page of 500 pods, a snapshot of 20,000) are cut into their items with it, and each item is
 * then parsed by jansson on its own: one small tree at a time instead of one huge one.
 *
 * It checks structure only (strings and their escapes, nesting); the parser of each range
 * validates the rest. Pure functions on borrowed bytes: any thread. */
#ifndef PXC_BACKENDS_CODEC_JSCAN_H
#define PXC_BACKENDS_CODEC_JSCAN_H

#include <stddef.h>

/* The first byte at or after i that is not JSON white space (n if none). */
size_t jscan_ws(const char *s, size_t i, size_t n);

/* End (exclusive) of the string that starts at s[i] == '"'; 0 if it does not end before n. */
size_t jscan_string(const char *s, size_t i, size_t n);

/* End (exclusive) of the value that starts at s[i]; 0 if none starts there or it does not end
 * before n. An object or array ends at its matching bracket; a bare word (number, true, null)
 * at the first delimiter, or at n: in a stream the caller decides whether more may follow. */
size_t jscan_value(const char *s, size_t i, size_t n);

/* The 1-based line and column of byte off of s (off <= length of s), for messages that must
 * point into a file although only a piece of it was parsed. */
void jscan_linecol(const char *s, size_t off, int *line, int *col);

#endif
