/* ksim_api: the API server's write semantics (create, update, patch, apply, delete) as
 * used by the HTTP layer, the seed loader and the simulated controllers alike, so that a
 * pod the StatefulSet controller creates goes through the same admission as one kubectl
 * creates. All functions expect store->mu held. */
#ifndef PXC_LAB_KSIM_API_H
#define PXC_LAB_KSIM_API_H

#include "ksim.h"

/* An API error as the Status object will carry it. */
struct ksim_status {
    int code;        /* HTTP status */
    char reason[32]; /* NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ... */
    char msg[512];
};

enum {
    KSIM_W_DRYRUN = 1 << 0,  /* validate and return, change nothing */
    KSIM_W_SEED = 1 << 1,    /* seeding: namespaces are created on demand */
    KSIM_W_STATUS = 1 << 2,  /* the status subresource: only .status changes */
    KSIM_W_NOHOOKS = 1 << 3, /* a controller's own write: no after-write hooks */
};

enum ksim_patch_type {
    KSIM_PATCH_MERGE,
    KSIM_PATCH_STRATEGIC,
    KSIM_PATCH_JSON,
    KSIM_PATCH_APPLY,
};

/* Each returns 0 with *out owned by the caller (the object as stored, or as it would be
 * with KSIM_W_DRYRUN), or -1 with stt filled. obj/body are taken. */
int ksim_api_create_locked(struct ksim_store *st, struct ksim_res *res, const char *ns, json_t *obj,
                           int flags, json_t **out, struct ksim_status *stt) PXC_MUST_CHECK;
int ksim_api_update_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                           const char *name, json_t *obj, int flags, json_t **out,
                           struct ksim_status *stt) PXC_MUST_CHECK;
int ksim_api_patch_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                          const char *name, enum ksim_patch_type type, json_t *body,
                          const char *field_manager, int flags, json_t **out,
                          struct ksim_status *stt) PXC_MUST_CHECK;
int ksim_api_delete_locked(struct ksim_store *st, struct ksim_res *res, const char *ns,
                           const char *name, int flags, json_t **out,
                           struct ksim_status *stt) PXC_MUST_CHECK;

void ksim_status_set(struct ksim_status *stt, int code, const char *reason, const char *fmt, ...)
    PXC_PRINTF(4, 5);
/* The Status object for stt (owned). */
json_t *ksim_status_json(const struct ksim_status *stt);

/* CRDs (ksim_crd.c). */
int ksim_crd_register_locked(struct ksim_store *st, const json_t *crd,
                             struct pxerr *err) PXC_MUST_CHECK;
int ksim_crd_load_file(struct ksim_store *st, const char *path, int *n_loaded,
                       struct pxerr *err) PXC_MUST_CHECK;
int ksim_crd_load_dir(struct ksim_store *st, const char *dir, int *n_loaded,
                      struct pxerr *err) PXC_MUST_CHECK;

/* Seed loading (ksim_seed.c): every *.yaml, *.yml, *.json under dir. */
int ksim_seed_load_dir(struct ksim_store *st, const char *dir, int *n_loaded,
                       struct pxerr *err) PXC_MUST_CHECK;
/* n synthetic pods spread over namespaces "bench-0".."bench-K" (100 pods each). */
void ksim_seed_gen_pods_locked(struct ksim_store *st, int n, bool injected);

#endif
