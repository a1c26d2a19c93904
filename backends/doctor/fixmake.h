/* fixmake: a change described as a fix (struct m_fix: its kind, its arguments, and the line
 * that says it, what and where), worded once for the doctor's findings, the write verbs
 * (inject, restart, serviceentry) and the console's fix keys, so that the same change reads
 * the same wherever it is proposed and fixrun gets the same arguments. The runnable command
 * is the caller's (the doctor prints a kubectl or pxcmesh line; the others run the fix
 * through fixrun and need none). Every string is set with model_fix_set: owned by fx, the
 * earlier value freed. Any thread; no state. */
#ifndef PXC_BACKENDS_DOCTOR_FIXMAKE_H
#define PXC_BACKENDS_DOCTOR_FIXMAKE_H

#include <stdbool.h>

#include "model/model.h"

/* Label namespace ns of cluster istio-injection=enabled (enable), or remove the label. */
void fixmake_label_ns(struct m_fix *fx, const char *cluster, const char *ns, bool enable);
/* Rollout restart statefulset sts in namespace ns of cluster. */
void fixmake_restart_sts(struct m_fix *fx, const char *cluster, const char *ns, const char *sts);
/* The ServiceEntry in namespace ns of cluster that declares PXC.REMOTE.global with remote's
 * node addresses. existing: the entry that declares the host already (regenerated under its
 * name), or NULL (created as PXC-REMOTE); address: the entry's VIP, or NULL. */
void fixmake_apply_sentry(struct m_fix *fx, const char *cluster, const char *ns, const char *pxc,
                          const char *remote, const char *existing, const char *address);
/* Delete ServiceEntry ns/name of cluster. */
void fixmake_delete_sentry(struct m_fix *fx, const char *cluster, const char *ns,
                           const char *name);

#endif
