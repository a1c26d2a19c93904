/* doctor_internal: what the doctor's files share, and nobody else: the run's context (the
 * model, the options, the findings being built, each cluster indexed once), the helpers
 * that add and find findings, the checks of each file, and the fixes (doctor_fix.c), which
 * turn a finding's remedy into data and into a command runnable as printed.
 * doctor.c runs the checks in an order that lets later ones link to earlier ones: mesh
 * objects first, then servers and Galera, then channels, then drift. Loop thread. */
#ifndef PXC_BACKENDS_DOCTOR_DOCTOR_INTERNAL_H
#define PXC_BACKENDS_DOCTOR_DOCTOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "vec.h"
#include "doctor/doctor.h"
#include "doctor/health.h"
#include "model/model.h"

/* One cluster, indexed by one pass over its pods. */
struct dcl {
    struct m_cluster *c;   /* borrowed from the model */
    int cfg_i;             /* its index in o->cfg->clusters, -1: none (a replay) */
    struct vec pxc_pods;   /* borrowed struct m_pod *: app.kubernetes.io/component=pxc */
    struct vec no_sidecar; /* borrowed struct m_pod *: sidecar missing */
};

struct dctx {
    const struct model *m;
    const struct doctor_opts *o; /* never NULL: the defaults when the caller gave none */
    struct health_limits lim;
    int64_t now_ms;
    struct vec *out; /* the findings being built (owned by the caller) */
    struct dcl *cl;  /* owned array, one per model cluster, in order */
    size_t n_cl;
};

/* Append a finding to d->out. Borrowed: valid for the run. */
struct m_finding *doctor__add(struct dctx *d, enum finding_severity sev, const char *code,
                              const struct dcl *k, const char *object, const char *hint,
                              const char *fmt, ...) PXC_PRINTF(7, 8);
/* The first finding of code on cluster (NULL: any) about object (NULL: any), or NULL. */
struct m_finding *doctor__find(const struct dctx *d, const char *code, const char *cluster,
                               const char *object);
int doctor__index(const struct dctx *d, const struct m_finding *f);        /* -1: not one */
const struct dcl *doctor__cluster(const struct dctx *d, const char *name); /* or NULL */
/* The PXC pod of k named name, or NULL. */
struct m_pod *doctor__pxc_pod(const struct dcl *k, const char *name);

/* The checks, by file. */
void doctor__check_mesh(struct dctx *d, const struct dcl *k);     /* doctor_mesh.c */
void doctor__check_galera(struct dctx *d, const struct dcl *k);   /* doctor_db.c */
void doctor__check_channels(struct dctx *d, const struct dcl *k); /* doctor_db.c */
void doctor__check_drift(struct dctx *d, const struct dcl *k);    /* doctor_db.c */

/* ---- fixes (doctor_fix.c): each sets f->fix (kind, command, what, where, arguments) ---- */

/* A kubectl command on k: "kubectl [--kubeconfig K] --context CTX " + args. kind is
 * FIX_COMMAND or the kind pxcmesh runs itself for it. */
void doctor__fix_kubectl(struct dctx *d, struct m_finding *f, const struct dcl *k,
                         enum fix_kind kind, const char *what, const char *fmt, ...)
    PXC_PRINTF(6, 7);
void doctor__fix_label(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns);
void doctor__fix_restart(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns,
                         const char *sts);
void doctor__fix_delete_pod(struct dctx *d, struct m_finding *f, const struct dcl *k,
                            const struct m_pod *p);
/* The ServiceEntry for host name.remote.global in k, from remote's nodes: generate | apply.
 * se: the live object it replaces (its name and VIP are kept), NULL: a new one. */
void doctor__fix_sentry(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns,
                        const char *name, const char *remote, const struct m_sentry *se);
void doctor__fix_start(struct dctx *d, struct m_finding *f, const struct dcl *k,
                       const struct m_channel *ch);
void doctor__fix_repoint(struct dctx *d, struct m_finding *f, const struct dcl *k,
                         const struct m_channel *ch, const char *host);
/* The replication user's password from src's PXC Secret (ns/secret, key replication). */
void doctor__fix_password(struct dctx *d, struct m_finding *f, const struct dcl *k,
                          const struct m_channel *ch, const struct dcl *src, const char *ns,
                          const char *secret);
/* Skip the one transaction the SQL thread stopped on, in the channel's dialect. */
void doctor__fix_skip(struct dctx *d, struct m_finding *f, const struct dcl *k,
                      const struct m_channel *ch);

/* The flags that select k again for a pxcmesh verb: with_cluster adds "--cluster NAME"
 * when the selection does not say it (channel and apply name their cluster so). */
void doctor__select_flags(const struct dctx *d, const struct dcl *k, bool with_cluster, char *buf,
                          size_t n);

#endif
