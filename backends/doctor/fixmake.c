/* fixmake: the wording and the arguments of each change pxcmesh proposes (see fixmake.h). */
#include "doctor/fixmake.h"

#include <stdio.h>

static void
where_cluster(struct m_fix *fx, const char *cluster)
{
    char where[300];
    snprintf(where, sizeof where, "cluster %s", cluster);
    model_fix_set(&fx->where, where);
    model_fix_set(&fx->cluster, cluster);
}

void
fixmake_label_ns(struct m_fix *fx, const char *cluster, const char *ns, bool enable)
{
    char what[400];
    snprintf(what, sizeof what,
             enable ? "label namespace %s istio-injection=enabled"
                    : "remove the label istio-injection of namespace %s",
             ns);
    fx->kind = enable ? FIX_LABEL_NAMESPACE : FIX_UNLABEL_NAMESPACE;
    model_fix_set(&fx->what, what);
    where_cluster(fx, cluster);
    model_fix_set(&fx->ns, ns);
}

void
fixmake_restart_sts(struct m_fix *fx, const char *cluster, const char *ns, const char *sts)
{
    char what[600];
    snprintf(what, sizeof what, "rollout restart statefulset %s in namespace %s", sts, ns);
    fx->kind = FIX_RESTART_STS;
    model_fix_set(&fx->what, what);
    where_cluster(fx, cluster);
    model_fix_set(&fx->ns, ns);
    model_fix_set(&fx->name, sts);
}

void
fixmake_apply_sentry(struct m_fix *fx, const char *cluster, const char *ns, const char *pxc,
                     const char *remote, const char *existing, const char *address)
{
    char object[300], what[1400];
    snprintf(object, sizeof object, "%s-%s", pxc, remote);
    snprintf(what, sizeof what,
             "%s ServiceEntry %s/%s for %s.%s.global with %s's node addresses",
             existing != NULL ? "regenerate" : "create", ns,
             existing != NULL ? existing : object, pxc, remote, remote);
    fx->kind = FIX_APPLY_SENTRY;
    model_fix_set(&fx->what, what);
    where_cluster(fx, cluster);
    model_fix_set(&fx->ns, ns);
    model_fix_set(&fx->name, pxc);
    model_fix_set(&fx->object, existing != NULL ? existing : object);
    model_fix_set(&fx->remote, remote);
    model_fix_set(&fx->address, address);
}

void
fixmake_delete_sentry(struct m_fix *fx, const char *cluster, const char *ns, const char *name)
{
    char what[600];
    snprintf(what, sizeof what, "delete ServiceEntry %s/%s", ns, name);
    fx->kind = FIX_DELETE_SENTRY;
    model_fix_set(&fx->what, what);
    where_cluster(fx, cluster);
    model_fix_set(&fx->ns, ns);
    model_fix_set(&fx->object, name);
}
