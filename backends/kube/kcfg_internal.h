/* kcfg_internal: helpers shared by kcfg.c (loading) and kcfg_exec.c (plugins). Not public. */
#ifndef PXC_BACKENDS_KUBE_KCFG_INTERNAL_H
#define PXC_BACKENDS_KUBE_KCFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kube/kcfg.h"

/* Decode standard base64 (padding required, '\r' '\n' ' ' '\t' ignored, as Go's decoder).
 * On success *out is owned and NUL-terminated (len excludes the NUL); -1 on bad input. */
int kcfg__b64_decode(const char *in, size_t in_len, char **out, size_t *out_len);
/* Owned, NUL-terminated standard base64 with padding. */
char *kcfg__b64_encode(const void *in, size_t len);

/* Read a whole (small) file: *out owned and NUL-terminated. -errno on failure. */
int kcfg__read_file(const char *path, size_t max, char **out, size_t *len);

/* Zero and free n bytes of a secret buffer (may contain NULs). NULL does nothing. */
void kcfg__free_secret_n(char *p, size_t n);

/* The stable cache key of an exec spec (+ cluster when provide_cluster_info): owned. */
char *kcfg__exec_key(const struct kcfg_exec *e, const char *cluster_server);

/* Whether a cached credential obtained at got_ms (wall ms, 0: unknown) is still worth using
 * at now_ms: no expiry, or more than the refresh margin (KCFG_CRED_REFRESH_MARGIN_MS, at most
 * half its lifetime) before it. */
bool kcfg__cred_fresh(const struct kcfg_cred *c, int64_t got_ms, int64_t now_ms);

#endif
