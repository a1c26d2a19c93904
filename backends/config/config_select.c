/* config_select: the one place where --config, --context, --cluster and --kubeconfig become
 * the list of clusters to talk to. The console, every command and the doctor's printed fixes
 * go through it, so a flag means the same thing everywhere. */
#include "config/config_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "config/config.h"
#include "kube/kcfg.h"

static bool
in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* "cluster-a (context kind-a), cluster-b (context kind-b)" for messages. */
static void
known_clusters(const struct config *c, bool with_context, struct strbuf *sb)
{
    for (size_t i = 0; i < c->n_clusters; i++) {
        strbuf_appendf(sb, "%s%s", i ? ", " : "", c->clusters[i].name);
        if (with_context)
            strbuf_appendf(sb, " (context %s)", c->clusters[i].context);
    }
}

static const char *
config_where(const struct config *c)
{
    return c->path != NULL ? c->path : "the kubeconfig contexts given";
}

/* Keep what the selection names; every name must match something (else PXE_USAGE: the
 * flags name what is not there, exit 2 in every verb). */
static int
narrow(struct config *c, const struct config_sel *sel, bool by_context, struct pxerr *err)
{
    for (size_t k = 0; by_context && k < sel->n_contexts; k++) {
        bool hit = false;
        for (size_t i = 0; i < c->n_clusters && !hit; i++)
            hit = strcmp(c->clusters[i].context, sel->contexts[k]) == 0;
        if (!hit) {
            struct strbuf sb;
            strbuf_init(&sb);
            known_clusters(c, true, &sb);
            pxerr_set(err, PXE_USAGE,
                      "--context %s: no cluster of %s uses that context (its clusters: %s); "
                      "name one of them with --cluster, or drop --config to use the context "
                      "directly",
                      sel->contexts[k], config_where(c), sb.s);
            strbuf_fini(&sb);
            return PXE_USAGE;
        }
    }
    for (size_t k = 0; k < sel->n_clusters; k++) {
        if (config_cluster_find(c, sel->clusters[k]) == NULL) {
            struct strbuf sb;
            strbuf_init(&sb);
            known_clusters(c, false, &sb);
            pxerr_set(err, PXE_USAGE, "--cluster %s: not in %s (its clusters: %s)",
                      sel->clusters[k], config_where(c), sb.s);
            strbuf_fini(&sb);
            return PXE_USAGE;
        }
    }
    bool *keep = xcalloc(c->n_clusters ? c->n_clusters : 1, sizeof *keep);
    size_t n_keep = 0;
    for (size_t i = 0; i < c->n_clusters; i++) {
        const struct config_cluster *cl = &c->clusters[i];
        keep[i] = (!by_context || sel->n_contexts == 0 ||
                   in_list(sel->contexts, sel->n_contexts, cl->context)) &&
                  (sel->n_clusters == 0 || in_list(sel->clusters, sel->n_clusters, cl->name));
        n_keep += keep[i];
    }
    int rc = 0;
    if (n_keep == 0)
        rc = pxerr_set(err, PXE_USAGE,
                       "no cluster of %s matches both the --context and the --cluster given",
                       config_where(c));
    else
        config_keep(c, keep);
    free(keep);
    return rc;
}

/* No file and no --context: the kubeconfig's current context. */
static int
from_current_context(const struct config_sel *sel, struct config **out, struct pxerr *err)
{
    char path[1024] = "";
    struct kcfg *k = NULL;
    struct pxerr ke = {0};
    if (config_default_path(path, sizeof path) != 0)
        path[0] = '\0';
    if (kcfg_load(sel->kubeconfig, &k, &ke) < 0)
        return pxerr_set(err, ke.code,
                         "no clusters to talk to: no config file (%s) and %s; pass --context "
                         "NAME, --config FILE or --replay FILE",
                         path[0] ? path : "~/.config/pxcmesh/config.yaml", ke.msg);
    const char *cur = kcfg_current_context(k);
    int rc;
    if (cur == NULL) {
        char files[512];
        kcfg_files(k, files, sizeof files);
        rc = pxerr_set(err, PXE_NOTFOUND,
                       "no clusters to talk to: %s sets no current-context; pass --context NAME "
                       "(once per cluster) or --config FILE",
                       files);
    } else {
        const char *ctx[1] = {cur};
        rc = config_from_contexts(ctx, 1, sel->kubeconfig, sel->readonly, out, err);
    }
    kcfg_free(k);
    return rc;
}

int
config_select(const struct config_sel *sel, struct config **out, struct pxerr *err)
{
    char path[1024];
    const char *file = sel->config;
    if (file == NULL && sel->n_contexts == 0 && sel->kubeconfig == NULL &&
        config_default_path(path, sizeof path) == 0 && access(path, F_OK) == 0)
        file = path;

    struct config *c = NULL;
    int rc;
    bool by_context = false;
    if (file != NULL) {
        rc = config_load(file, &c, err);
        by_context = true;
        if (rc == 0 && sel->readonly)
            c->readonly = true;
        if (rc == 0 && sel->kubeconfig != NULL) {
            free(c->kubeconfig);
            c->kubeconfig = xstrdup(sel->kubeconfig);
        }
    } else if (sel->n_contexts > 0) {
        if (sel->n_contexts > (size_t)1 << 16)
            return pxerr_set(err, PXE_USAGE, "too many --context options");
        rc = config_from_contexts(sel->contexts, (int)sel->n_contexts, sel->kubeconfig,
                                  sel->readonly, &c, err);
    } else {
        rc = from_current_context(sel, &c, err);
    }
    if (rc != 0)
        return rc;
    if ((rc = narrow(c, sel, by_context, err)) != 0) {
        config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Single-quote s for a POSIX shell unless it is made of safe characters only. */
static void
shquote(struct strbuf *sb, const char *s)
{
    if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789-_./:@%+=,") == strlen(s)) {
        strbuf_append(sb, s);
        return;
    }
    strbuf_appendc(sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            strbuf_append(sb, "'\\''");
        else
            strbuf_appendc(sb, *s);
    }
    strbuf_appendc(sb, '\'');
}

void
config_select_flags(const struct config *cfg, size_t i, char *buf, size_t n)
{
    if (n == 0)
        return;
    buf[0] = '\0';
    if (i >= cfg->n_clusters)
        return;
    const struct config_cluster *cl = &cfg->clusters[i];
    struct strbuf sb;
    strbuf_init(&sb);
    if (cfg->path != NULL) {
        strbuf_append(&sb, "--config ");
        shquote(&sb, cfg->path);
        strbuf_append(&sb, " --cluster ");
        shquote(&sb, cl->name);
    } else {
        if (cfg->kubeconfig != NULL) {
            strbuf_append(&sb, "--kubeconfig ");
            shquote(&sb, cfg->kubeconfig);
            strbuf_appendc(&sb, ' ');
        }
        strbuf_append(&sb, "--context ");
        shquote(&sb, cl->context);
    }
    snprintf(buf, n, "%s", sb.s);
    strbuf_fini(&sb);
}
