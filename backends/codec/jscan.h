/* jscan: the byte ranges of JSON values, found without building trees. Big documents (a LIST
 * page of 500 pods, a snapshot of 20,000) are cut into their items with it, and each item is
 * then parsed by jansson on its own: one small tree at a time instead of one huge one.
 *
 * jscan_value checks structure only (strings and their escapes, nesting); the parser of each
 * range validates the rest. jscan_strict validates a value completely, so that the few fields
 * of a big object that are wanted can be read straight from its bytes (jscan_member) where a
 * tree would have been built and freed for them. Pure functions on borrowed bytes: any
 * thread. */
#ifndef PXC_BACKENDS_CODEC_JSCAN_H
#define PXC_BACKENDS_CODEC_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first byte at or after i that is not JSON white space (n if none). */
size_t jscan_ws(const char *s, size_t i, size_t n);

/* End (exclusive) of the string that starts at s[i] == '"'; 0 if it does not end before n. */
size_t jscan_string(const char *s, size_t i, size_t n);

/* End (exclusive) of the value that starts at s[i]; 0 if none starts there or it does not end
 * before n. An object or array ends at its matching bracket; a bare word (number, true, null)
 * at the first delimiter, or at n: in a stream the caller decides whether more may follow. */
size_t jscan_value(const char *s, size_t i, size_t n);

/* End (exclusive) of the string at s[i] == '"' when it is plain: printable ASCII (and DEL),
 * no escape, no control character, no byte above 0x7f; 0 otherwise or if it does not end
 * before n. Such a string's bytes are its value. */
size_t jscan_plain_string(const char *s, size_t i, size_t n);

/* Deepest nesting jscan_strict accepts; deeper documents are left to jansson. */
#define JSCAN_STRICT_MAX_DEPTH 64

/* End (exclusive) of the value that starts at s[i] (after white space) if it is well-formed
 * JSON that jansson's json_loadb (flags 0) accepts as well: strings of valid UTF-8 with valid
 * escapes, no control characters and no \u0000; numbers in JSON's grammar. 0 otherwise, and
 * also for what is valid but outside the limits that keep this check simpler than jansson's
 * (nesting deeper than JSCAN_STRICT_MAX_DEPTH, integers of more than 18 digits, exponents of
 * more than 2 digits, more than 200 integer digits in a real): a caller that gets 0 lets
 * jansson judge. A bare word (number, true, null) must be followed by a delimiter or end at n.
 * ends (NULL: not wanted; else n entries, n < 4 GiB) gets, at the offset where each string
 * (key or value), object and array starts, the offset where it ends, so that walking the
 * value afterwards skips what it does not want in one step; other entries are not written. */
size_t jscan_strict(const char *s, size_t i, size_t n, uint32_t *ends);

/* Walking a value jscan_strict accepted, without building it. *at starts at the object's '{'
 * (the array's '['); each call moves it past the next member (element) and gives the member's
 * key as the raw bytes between its quotes (k, klen: escapes not decoded) and the value's range
 * [v, ve). false after the last one. ends: what jscan_strict filled for s, or NULL (then
 * values are scanned to find their ends). Only for checked input: malformed input gives
 * garbage. */
bool jscan_member(const char *s, size_t n, const uint32_t *ends, size_t *at, const char **k,
                  size_t *klen, size_t *v, size_t *ve);
bool jscan_elem(const char *s, size_t n, const uint32_t *ends, size_t *at, size_t *v, size_t *ve);

/* The 1-based line and column of byte off of s (off <= length of s), for messages that must
 * point into a file although only a piece of it was parsed. */
void jscan_linecol(const char *s, size_t off, int *line, int *col);

#endif
