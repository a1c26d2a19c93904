/* yamlout: print jansson trees as readable YAML (block style, two-space indent, keys in
 * the tree's insertion order so generators decide a stable, conventional order), as JSON
 * with the same order, or as a Nix attribute set for users who keep manifests in Nix.
 * The YAML reads back to the same tree, type for type, through pxcmesh's readers (yamlu,
 * yamldocs) and YAML 1.1 ones (PyYAML): tests/fuzz/fuzz_yaml_roundtrip.c checks it.
 * Pure; any thread. */
#ifndef PXC_BACKENDS_CODEC_YAMLOUT_H
#define PXC_BACKENDS_CODEC_YAMLOUT_H

#include <jansson.h>

#include "strbuf.h"

enum yamlout_format { YAMLOUT_YAML, YAMLOUT_JSON, YAMLOUT_NIX };

/* Append one document (borrowed) to out. */
void yamlout_yaml(const json_t *doc, struct strbuf *out);
void yamlout_json(const json_t *doc, struct strbuf *out);
void yamlout_nix(const json_t *doc, struct strbuf *out);

/* Several documents (a JSON array, borrowed): YAML joined by "---" lines; JSON as a
 * List object ({"apiVersion":"v1","kind":"List","items":[...]}) when more than one;
 * Nix as a list of attribute sets. */
void yamlout_docs(const json_t *docs, enum yamlout_format fmt, struct strbuf *out);

/* Append k as yamlout writes a mapping key (quoted and escaped when a reader would
 * misread it), without the ':'. For displays that print a key alone (diffs). */
void yamlout_key(const char *k, struct strbuf *out);

/* "yaml" | "json" | "nix" -> format; -1 when unknown. */
int yamlout_parse_format(const char *s);

#endif
