/* jsonpath: kubectl's `-o jsonpath=TEMPLATE` over a jansson tree, for every command that
 * prints objects. The subset, which docs/cli.md lists with examples:
 *
 *   text outside braces is printed as it is; {"\n"} and {'\t'} are literal strings with
 *   escapes; {.a.b}, {$.a}, {['a.b']}, {.a[0]}, {.a[-1]}, {.a[1:3]}, {.a[*]}, {.a.*},
 *   {..name} (recursive descent), {.a[?(@.k=="v")]} with == != < > <= >= against a string,
 *   a number, true, false or null, and {.a[?(@.k)]} (k present); {range .a[*]}...{end}
 *   prints its body once per element, where a path starting with '.' or '@' is relative
 *   to that element. A template without braces is taken as one {expression}.
 *
 * Results of one expression are separated by a space, as kubectl does: strings raw,
 * numbers and booleans as JSON, objects and arrays as compact JSON, null and a missing
 * field as nothing. Not in the subset (an error naming it): functions, unions ([a,b]),
 * and arithmetic. Pure; any thread. */
#ifndef PXC_BACKENDS_CODEC_JSONPATH_H
#define PXC_BACKENDS_CODEC_JSONPATH_H

#include <jansson.h>

#include "pxerr.h"
#include "strbuf.h"

struct jsonpath;

/* Compile template (borrowed). On success *out is owned (jsonpath_free); on failure err
 * says where, e.g. "jsonpath '{.a[?(@.x ~ 1)]}': at column 9: expected ==, !=, <, >, <= or
 * >=". */
int jsonpath_compile(const char *template, struct jsonpath **out,
                     struct pxerr *err) PXC_MUST_CHECK;
void jsonpath_free(struct jsonpath *jp); /* NULL does nothing */

/* Append what jp prints for root (borrowed) to out. */
void jsonpath_eval(const struct jsonpath *jp, const json_t *root, struct strbuf *out);

#endif
