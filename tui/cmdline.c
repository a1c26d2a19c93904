/* cmdline: the `:` commands. The table is the only list of them: :help, the completion
 * and the usage errors come from it. Commands do their work through the app's API
 * (app_set_theme, app_show_view...) and never draw. */
#include "cmdline.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "theme.h"
#include "view.h"

static int
exec_quit(struct app *a, int argc, char **argv, struct pxerr *err)
{
    app_quit(a);
    return 0;
}

static int
exec_help(struct app *a, int argc, char **argv, struct pxerr *err)
{
    app_open_help(a);
    return 0;
}

static int
exec_theme(struct app *a, int argc, char **argv, struct pxerr *err)
{
    return app_set_theme(a, argv[1], err);
}

static int
exec_view(struct app *a, int argc, char **argv, struct pxerr *err)
{
    return app_show_view(a, argv[1], err);
}

/* k9s's `:pods`, `:se`...: a resource name or alias shows the view that lists it; pods and
 * PXC clusters are sections of the Overview, so it shows them focused. */
static int
exec_resource(struct app *a, int argc, char **argv, struct pxerr *err)
{
    const struct cmdline_cmd *c = cmdline_find(argv[0], err);
    if (c == NULL)
        return err != NULL && err->code != 0 ? err->code : PXE_NOTFOUND;
    if (strcmp(c->name, "pods") == 0 || strcmp(c->name, "pxc") == 0) {
        view_overview_focus(a, c->name);
        return 0;
    }
    return app_show_view(a, strcmp(c->name, "namespaces") == 0 ? "injection" : c->name, err);
}

static void
complete_theme(struct app *a, int argi, const char *const *words, const char *prefix,
               struct vec *out)
{
    struct vec names;
    vec_init(&names, free);
    theme_list(&names);
    for (size_t i = 0; i < names.n; i++) {
        const char *n = vec_at(&names, i);
        if (strncmp(n, prefix, strlen(prefix)) == 0)
            vec_push(out, xstrdup(n));
    }
    vec_fini(&names);
}

static void
complete_view(struct app *a, int argi, const char *const *words, const char *prefix,
              struct vec *out)
{
    for (size_t i = 0; view_registry[i] != NULL; i++)
        if (strncmp(view_registry[i]->name, prefix, strlen(prefix)) == 0)
            vec_push(out, xstrdup(view_registry[i]->name));
}

static int
exec_ctx(struct app *a, int argc, char **argv, struct pxerr *err)
{
    return app_ctx(a, argv[1], argv[2], err);
}

static void
complete_ctx(struct app *a, int argi, const char *const *words, const char *prefix, struct vec *out)
{
    static const char *const verbs[] = {"add", "drop"};
    if (argi == 1) {
        for (size_t i = 0; i < 2; i++)
            if (strncmp(verbs[i], prefix, strlen(prefix)) == 0)
                vec_push(out, xstrdup(verbs[i]));
        return;
    }
    if (a == NULL)
        return;
    struct vec names;
    vec_init(&names, free);
    app_ctx_candidates(a, words[1], &names);
    for (size_t i = 0; i < names.n; i++)
        if (strncmp(vec_at(&names, i), prefix, strlen(prefix)) == 0)
            vec_push(out, xstrdup(vec_at(&names, i)));
    vec_fini(&names);
}

static const struct cmdline_cmd cmdline_table[] = {
    {"quit", "q", "quit", "Leave pxcmesh (the terminal is restored)", 0, 0, exec_quit, NULL},
    {"theme", NULL, "theme NAME", "Switch the colour theme (a name from the themes directory)", 1,
     1, exec_theme, complete_theme},
    {"view", NULL, "view NAME",
     "Show a view: overview, channels, events, findings, serviceentries, injection, probes, "
     "setup, detail",
     1, 1, exec_view, complete_view},
    {"ctx", NULL, "ctx add|drop NAME",
     "Add a cluster (from the config, or a kubeconfig context) or drop one, while running", 2, 2,
     exec_ctx, complete_ctx},
    {"help", NULL, "help", "Show the keys and commands", 0, 0, exec_help, NULL},
    /* Resources, as k9s names them: each shows the view that lists it. */
    {"overview", "ov", "overview", "Show the Overview (1)", 0, 0, exec_resource, NULL},
    {"pods", "po,pod", "pods", "Show the Overview with its Pods sections focused", 0, 0,
     exec_resource, NULL},
    {"pxc", "pxcs,perconaxtradbclusters", "pxc", "Show the Overview with its PXC sections focused",
     0, 0, exec_resource, NULL},
    {"channels", "ch,channel", "channels", "Show the Channels view (2)", 0, 0, exec_resource, NULL},
    {"events", "ev,event", "events", "Show the Events view (3)", 0, 0, exec_resource, NULL},
    {"findings", "fi,finding", "findings", "Show the Findings view (4)", 0, 0, exec_resource, NULL},
    {"serviceentries", "se,serviceentry", "serviceentries", "Show the ServiceEntries view (5)", 0,
     0, exec_resource, NULL},
    {"injection", "inj", "injection", "Show the Injection view (6)", 0, 0, exec_resource, NULL},
    {"namespaces", "ns,namespace", "namespaces",
     "Show the Injection view: namespaces and their pods' sidecars (6)", 0, 0, exec_resource, NULL},
    {"probes", "pr,probe", "probes", "Show the Probes view (7)", 0, 0, exec_resource, NULL},
    {"setup", NULL, "setup", "Show the guided set-up (8)", 0, 0, exec_resource, NULL},
};

size_t
cmdline_count(void)
{
    return sizeof cmdline_table / sizeof cmdline_table[0];
}

const struct cmdline_cmd *
cmdline_at(size_t i)
{
    return i < cmdline_count() ? &cmdline_table[i] : NULL;
}

int
cmdline_split(const char *line, struct vec *argv, struct pxerr *err)
{
    struct vec words;
    struct strbuf w;
    vec_init(&words, free);
    strbuf_init(&w);
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        strbuf_reset(&w);
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            char q = *p;
            if (q == '\'' || q == '"') {
                const char *start = p++;
                while (*p != '\0' && *p != q) {
                    if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    strbuf_appendc(&w, *p++);
                }
                if (*p == '\0') {
                    pxerr_set(err, PXE_PARSE, "unterminated quote at column %d: %s",
                              (int)(start - line) + 1, start);
                    strbuf_fini(&w);
                    vec_fini(&words);
                    return PXE_PARSE;
                }
                p++;
            } else {
                strbuf_appendc(&w, *p++);
            }
        }
        vec_push(&words, strbuf_detach(&w));
    }
    strbuf_fini(&w);
    for (size_t i = 0; i < words.n; i++)
        vec_push(argv, words.items[i]);
    words.n = 0; /* handed over to argv */
    vec_fini(&words);
    return 0;
}

static void
names_list(struct strbuf *sb)
{
    for (size_t i = 0; i < cmdline_count(); i++)
        strbuf_appendf(sb, "%s%s", i ? ", " : "", cmdline_table[i].name);
}

/* Is name one of the comma-separated aliases? */
static bool
alias_is(const char *aliases, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = aliases; p != NULL && *p != '\0' && n > 0;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return false;
}

const struct cmdline_cmd *
cmdline_find(const char *name, struct pxerr *err)
{
    const struct cmdline_cmd *hit = NULL;
    int n_hits = 0;
    for (size_t i = 0; i < cmdline_count(); i++) {
        const struct cmdline_cmd *c = &cmdline_table[i];
        if (strcmp(c->name, name) == 0 || alias_is(c->alias, name))
            return c;
    }
    size_t n = strlen(name);
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; n > 0 && i < cmdline_count(); i++)
        if (strncmp(cmdline_table[i].name, name, n) == 0) {
            hit = &cmdline_table[i];
            strbuf_appendf(&sb, "%s%s", n_hits ? ", " : "", hit->name);
            n_hits++;
        }
    if (n_hits == 1) {
        strbuf_fini(&sb);
        return hit;
    }
    if (n_hits > 1) {
        pxerr_set(err, PXE_USAGE, "ambiguous command '%s': %s", name, sb.s);
    } else {
        strbuf_reset(&sb);
        names_list(&sb);
        pxerr_set(err, PXE_NOTFOUND, "unknown command '%s' (commands: %s)", name, sb.s);
    }
    strbuf_fini(&sb);
    return NULL;
}

int
cmdline_run(struct app *a, const char *line, struct pxerr *err)
{
    struct vec argv;
    vec_init(&argv, free);
    int rc = cmdline_split(line, &argv, err);
    if (rc < 0 || argv.n == 0) {
        vec_fini(&argv);
        return rc;
    }
    const struct cmdline_cmd *c = cmdline_find(vec_at(&argv, 0), err);
    if (c == NULL) {
        rc = err != NULL && err->code != 0 ? err->code : PXE_NOTFOUND;
    } else if ((int)argv.n - 1 < c->min_args || (int)argv.n - 1 > c->max_args) {
        rc = pxerr_set(err, PXE_USAGE, "usage: :%s", c->usage);
    } else {
        vec_push(&argv, NULL); /* argv[argc] == NULL, as for main */
        rc = c->exec(a, (int)argv.n - 1, (char **)argv.items, err);
    }
    vec_fini(&argv);
    return rc;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(x, y);
}

void
cmdline_complete(void *arg, const char *line, size_t cursor, size_t *word_start, struct vec *cands)
{
    struct app *a = arg;
    /* Words before the cursor decide what is completed; quotes are not completed. */
    size_t ws = cursor;
    while (ws > 0 && line[ws - 1] != ' ' && line[ws - 1] != '\t')
        ws--;
    *word_start = ws;
    /* The words before the one being completed (quotes are not completed). */
    char *before = xstrndup(line, ws);
    struct vec words;
    vec_init(&words, free);
    for (char *save = NULL, *w = strtok_r(before, " \t", &save); w != NULL;
         w = strtok_r(NULL, " \t", &save))
        vec_push(&words, xstrdup(w));
    free(before);
    int argi = (int)words.n;
    char *prefix = xstrndup(line + ws, cursor - ws);
    struct vec out;
    vec_init(&out, free);
    if (argi == 0) {
        for (size_t i = 0; i < cmdline_count(); i++)
            if (strncmp(cmdline_table[i].name, prefix, strlen(prefix)) == 0)
                vec_push(&out, xstrdup(cmdline_table[i].name));
    } else {
        const struct cmdline_cmd *c = cmdline_find(vec_at(&words, 0), NULL);
        if (c != NULL && c->complete != NULL && argi <= c->max_args)
            c->complete(a, argi, (const char *const *)words.items, prefix, &out);
    }
    vec_fini(&words);
    vec_sort(&out, cmp_str);
    for (size_t i = 0; i < out.n; i++) {
        if (i > 0 && strcmp(out.items[i], out.items[i - 1]) == 0)
            continue;
        vec_push(cands, xstrdup(out.items[i]));
    }
    vec_fini(&out);
    free(prefix);
}
