/* outfmt: the one output contract of every verb that prints objects (docs/cli.md): `-o
 * json|yaml|wide|name|jsonpath=TEMPLATE` (generate also nix), `--json` as `-o json`, and the
 * refusal, exit 2, of an -o the verb cannot honour, naming the outputs it has. A verb builds
 * one JSON document of what it prints; json, yaml and jsonpath are that document written
 * out, text and wide its own table (tabw.h), name one "kind/name" line per object. Main
 * thread. */
#ifndef PXC_CLI_OUTFMT_H
#define PXC_CLI_OUTFMT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "strbuf.h"

enum outfmt_kind {
    OUTFMT_TEXT, /* the verb's table or lines (no -o) */
    OUTFMT_WIDE,
    OUTFMT_JSON,
    OUTFMT_YAML,
    OUTFMT_NAME,
    OUTFMT_JSONPATH,
    OUTFMT_NIX,
    OUTFMT__COUNT
};
#define OUTFMT_BIT(k) (1u << (k))
/* What most verbs that print objects take. */
#define OUTFMT_OBJECTS                                                                          \
    (OUTFMT_BIT(OUTFMT_TEXT) | OUTFMT_BIT(OUTFMT_WIDE) | OUTFMT_BIT(OUTFMT_JSON) |              \
     OUTFMT_BIT(OUTFMT_YAML) | OUTFMT_BIT(OUTFMT_NAME) | OUTFMT_BIT(OUTFMT_JSONPATH))

struct jsonpath;

struct outfmt {
    enum outfmt_kind kind;
    struct jsonpath *jp; /* owned: OUTFMT_JSONPATH's compiled template */
};

/* Take "-o ARG" (or --json: arg "json") for verb, which honours the outputs in allowed.
 * 0, or 2 after the usage error ("pxcmesh: channel status: -o nix is not one of its
 * outputs (it has: json, yaml, wide, name, jsonpath=...)" or the template's error). A later
 * -o replaces an earlier one. */
int outfmt_set(struct outfmt *o, const char *verb, const char *arg, unsigned allowed);
void outfmt_fini(struct outfmt *o);

/* "json, yaml, wide, name, jsonpath=TEMPLATE" for allowed, into buf (n bytes). */
void outfmt_names(unsigned allowed, char *buf, size_t n);
/* The word of one output: "json", "jsonpath", "text"... Static. */
const char *outfmt_name(enum outfmt_kind k);

/* Write doc (borrowed) to f as o's json, yaml or jsonpath (with a final newline for json and
 * yaml; a jsonpath prints exactly what its template says). Other kinds: nothing, -1. */
int outfmt_print_doc(const struct outfmt *o, const json_t *doc, FILE *f);

#endif
