/* kcfg_internal: what kcfg.c (loading), kcfg_resolve.c (resolving a context) and
 * kcfg_exec.c (plugins) share. Not public. */
#ifndef PXC_BACKENDS_KUBE_KCFG_INTERNAL_H
#define PXC_BACKENDS_KUBE_KCFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hmap.h"
#include "strbuf.h"
#include "vec.h"
#include "kube/kcfg.h"

#define KCFG_PATHBUF 512
#define KCFG_MAX_REF_FILE (4u << 20) /* certificates, keys and tokens are small */

struct yamlu_doc;

struct kc_file {
    char *path;            /* as given (messages) */
    char *dir;             /* absolute directory, for relative references */
    struct yamlu_doc *doc; /* owned */
};

/* One named cluster, user or context; body is borrowed from file->doc. */
struct kc_entry {
    const char *name;           /* borrowed from the doc */
    json_t *body;               /* the "cluster"/"user"/"context" mapping, NULL: empty */
    const struct kc_file *file; /* borrowed */
    char path[64];              /* "users[3]" */
};

struct kc_table {
    struct vec items; /* owned struct kc_entry *, first-defined order */
    struct hmap idx;  /* name -> entry (borrowed) */
};

struct kcfg {
    struct vec files; /* owned struct kc_file * */
    struct kc_table clusters, users, contexts;
    const char *current; /* borrowed from a doc; NULL: unset */
};

/* Owned absolute, cleaned path of p (relative to dir, the directory of the kubeconfig that
 * names it), as kubectl joins and cleans them. */
char *kcfg__resolve_rel(const char *dir, const char *p);
/* The names of t, comma-separated, into sb; "(none)" when empty. */
void kcfg__table_names(const struct kc_table *t, struct strbuf *sb);

/* Zero and free n bytes of a secret buffer (may contain NULs). NULL does nothing. */
void kcfg__free_secret_n(char *p, size_t n);

/* The stable cache key of an exec spec (+ cluster when provide_cluster_info): owned. */
char *kcfg__exec_key(const struct kcfg_exec *e, const char *cluster_server);

/* Whether a cached credential obtained at got_ms (wall ms, 0: unknown) is still worth using
 * at now_ms: no expiry, or more than the refresh margin (KCFG_CRED_REFRESH_MARGIN_MS, at most
 * half its lifetime) before it. */
bool kcfg__cred_fresh(const struct kcfg_cred *c, int64_t got_ms, int64_t now_ms);

#endif
