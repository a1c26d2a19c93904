/* cmd_completion: `pxcmesh completion bash|zsh|fish` prints a completion script made from
 * the command table (cmd.h: the verbs, their words, their flags and what each flag's value
 * is, their -o outputs) and the global flags, the same table --help and the man page are
 * made from, so that the three cannot drift. Names only the clusters know (the config's
 * cluster names, the kubeconfig's contexts) are asked of pxcmesh itself when completing,
 * through the hidden `pxcmesh __complete clusters|contexts`, with the --config,
 * --kubeconfig and --context already on the line. zsh runs the bash function through its
 * bashcompinit, so both shells complete exactly alike. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "outfmt.h"
#include "config/config.h"
#include "kube/kcfg.h"

static int cmd_completion_exec(const struct cmd_opts *opts, int argc, char **argv);
static int cmd_complete_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const completion_subs[] = {"bash", "zsh", "fish", NULL};

const struct cmd_entry cmd_completion_entry = {
    .name = "completion",
    .usage = "completion bash|zsh|fish",
    .summary = "print the shell completion script (e.g. source <(pxcmesh completion bash))",
    .exec = cmd_completion_exec,
    .subs = completion_subs,
};

static const char *const complete_subs[] = {"clusters", "contexts", NULL};

const struct cmd_entry cmd_complete_entry = {
    .name = "__complete",
    .usage = "__complete clusters|contexts",
    .summary = "print the names the completion offers (the selection's clusters, the "
               "kubeconfig's contexts)",
    .flags = CMD_HIDDEN,
    .exec = cmd_complete_exec,
    .subs = complete_subs,
};

static const char *
kind_word(enum cmd_val v)
{
    switch (v) {
    case CV_NONE:
        return "none";
    case CV_FILE:
        return "file";
    case CV_CLUSTER:
        return "cluster";
    case CV_CONTEXT:
        return "context";
    case CV_OUTPUT:
        return "output";
    case CV_CHOICE:
        return "choice";
    case CV_WORD:
    case CV_NUMBER:
    case CV_NAMESPACE:
        break;
    }
    return "value";
}

/* The -o words of a verb, as the shell offers them. */
static void
output_words(const struct cmd_entry *c, FILE *f)
{
    bool first = true;
    for (int k = OUTFMT_WIDE; k < OUTFMT__COUNT; k++) {
        if (!(c->outputs & OUTFMT_BIT(k)))
            continue;
        fprintf(f, "%s%s%s", first ? "" : " ", outfmt_name((enum outfmt_kind)k),
                k == OUTFMT_JSONPATH ? "=" : "");
        first = false;
    }
}

/* The verbs a user may name (not the hidden ones), separated by spaces. */
static void
verb_words(FILE *f)
{
    size_t n;
    const struct cmd_entry *const *t = cmd_entries(&n);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (t[i]->flags & CMD_HIDDEN)
            continue;
        fprintf(f, "%s%s", first ? "" : " ", t[i]->name);
        first = false;
    }
}

static void
flag_words(const struct cmd_flag *fl, FILE *f)
{
    for (; fl != NULL && fl->name != NULL; fl++)
        fprintf(f, " %s%s%s", fl->name, fl->alias ? " " : "", fl->alias ? fl->alias : "");
}

static void
print_bash(FILE *f)
{
    size_t n;
    const struct cmd_entry *const *t = cmd_entries(&n);
    fputs("# bash completion for pxcmesh, made by `pxcmesh completion bash` from its command\n"
          "# table; also used by zsh (`pxcmesh completion zsh`).\n",
          f);
    fputs("_pxcmesh_globals='", f);
    for (const struct cmd_flag *g = cmd_global_flags; g->name != NULL; g++)
        fprintf(f, "%s%s%s%s", g == cmd_global_flags ? "" : " ", g->name, g->alias ? " " : "",
                g->alias ? g->alias : "");
    fputs("'\n_pxcmesh_verbs='", f);
    verb_words(f);
    fputs("'\n\n# The words a verb takes: its subcommands and flags.\n_pxcmesh_words() {\n"
          "    case $1 in\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const struct cmd_entry *c = t[i];
        fprintf(f, "    %s) echo '", c->name);
        bool any = false;
        for (const char *const *s = c->subs; s != NULL && *s != NULL; s++) {
            fprintf(f, "%s%s", any ? " " : "", *s);
            any = true;
        }
        if (c->flags & CMD_TAKES_VERB)
            verb_words(f);
        flag_words(c->opts, f);
        fputs("';;\n", f);
    }
    fputs("    esac\n}\n\n# -o's values for a verb.\n_pxcmesh_outputs() {\n    case $1 in\n", f);
    for (size_t i = 0; i < n; i++) {
        if (t[i]->outputs == 0)
            continue;
        fprintf(f, "    %s) echo '", t[i]->name);
        output_words(t[i], f);
        fputs("';;\n", f);
    }
    fputs("    esac\n}\n\n# What the value after a flag is: none (a switch or no flag), "
          "file, cluster,\n# context, output, choice:WORDS, value (free text).\n"
          "_pxcmesh_kind() {\n    case \"$1:$2\" in\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const struct cmd_flag *fl = t[i]->opts;
        for (; fl != NULL && fl->name != NULL; fl++) {
            if (fl->val == CV_NONE)
                continue;
            fprintf(f, "    '%s:%s'", t[i]->name, fl->name);
            if (fl->alias != NULL)
                fprintf(f, "|'%s:%s'", t[i]->name, fl->alias);
            fprintf(f, ") echo '%s%s%s';;\n", kind_word(fl->val),
                    fl->val == CV_CHOICE ? ":" : "", fl->val == CV_CHOICE ? fl->choices : "");
        }
    }
    for (const struct cmd_flag *g = cmd_global_flags; g->name != NULL; g++)
        if (g->val != CV_NONE)
            fprintf(f, "    *:%s) echo '%s';;\n", g->name, kind_word(g->val));
    fputs("    *) echo none;;\n    esac\n}\n\n", f);
    fputs(
        "_pxcmesh() {\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev='' verb='' i w kind\n"
        "    local -a sel=()\n"
        "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
        "    # The verb is the first word that is neither a flag nor a global flag's value;\n"
        "    # the selection flags on the line go to __complete.\n"
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "        w=${COMP_WORDS[i]}\n"
        "        case $w in\n"
        "        --config|--kubeconfig|--context)\n"
        "            ((i + 1 < COMP_CWORD)) && sel+=(\"$w\" \"${COMP_WORDS[i+1]}\")\n"
        "            ((i++)); continue;;\n"
        "        --cluster|--theme|--replay|--log) ((i++)); continue;;\n"
        "        -*) continue;;\n"
        "        esac\n"
        "        [[ -z $verb ]] && verb=$w\n"
        "    done\n"
        "    kind=$(_pxcmesh_kind \"$verb\" \"$prev\")\n"
        "    case $kind in\n"
        "    cluster|context)\n"
        "        COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" \"${sel[@]}\" __complete "
        "${kind}s 2>/dev/null)\" -- \"$cur\")); return;;\n"
        "    file) COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
        "    output) COMPREPLY=($(compgen -W \"$(_pxcmesh_outputs \"$verb\")\" -- \"$cur\")); "
        "return;;\n"
        "    choice:*) COMPREPLY=($(compgen -W \"${kind#choice:}\" -- \"$cur\")); return;;\n"
        "    value) COMPREPLY=(); return;;\n"
        "    esac\n"
        "    if [[ -z $verb ]]; then\n"
        "        if [[ $cur == -* ]]; then\n"
        "            COMPREPLY=($(compgen -W \"$_pxcmesh_globals\" -- \"$cur\"))\n"
        "        else\n"
        "            COMPREPLY=($(compgen -W \"$_pxcmesh_verbs\" -- \"$cur\"))\n"
        "        fi\n"
        "    else\n"
        "        COMPREPLY=($(compgen -W \"$(_pxcmesh_words \"$verb\") $_pxcmesh_globals\" -- "
        "\"$cur\"))\n"
        "    fi\n"
        "}\n"
        "complete -o default -F _pxcmesh pxcmesh\n",
        f);
}

/* A fish string: single-quoted, with ' and \ escaped. */
static void
fish_str(const char *s, FILE *f)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void
fish_flag(const char *cond, const struct cmd_flag *fl, const struct cmd_entry *c, FILE *f)
{
    fputs("complete -c pxcmesh", f);
    if (cond != NULL)
        fprintf(f, " -n '__fish_seen_subcommand_from %s'", cond);
    fprintf(f, " -l %s", fl->name + 2);
    if (fl->alias != NULL && fl->alias[1] != '-')
        fprintf(f, " -s %s", fl->alias + 1);
    switch (fl->val) {
    case CV_NONE:
        break;
    case CV_FILE:
        fputs(" -r -F", f);
        break;
    case CV_CLUSTER:
        fputs(" -x -a '(pxcmesh __complete clusters 2>/dev/null)'", f);
        break;
    case CV_CONTEXT:
        fputs(" -x -a '(pxcmesh __complete contexts 2>/dev/null)'", f);
        break;
    case CV_OUTPUT:
        fputs(" -x -a '", f);
        output_words(c, f);
        fputc('\'', f);
        break;
    case CV_CHOICE:
        fprintf(f, " -x -a '%s'", fl->choices);
        break;
    default:
        fputs(" -x", f);
    }
    fputs(" -d ", f);
    fish_str(fl->help, f);
    fputc('\n', f);
}

static void
print_fish(FILE *f)
{
    size_t n;
    const struct cmd_entry *const *t = cmd_entries(&n);
    fputs("# fish completion for pxcmesh, made by `pxcmesh completion fish` from its command "
          "table.\ncomplete -c pxcmesh -f\n",
          f);
    for (const struct cmd_flag *g = cmd_global_flags; g->name != NULL; g++)
        fish_flag(NULL, g, NULL, f);
    for (size_t i = 0; i < n; i++) {
        const struct cmd_entry *c = t[i];
        if (c->flags & CMD_HIDDEN)
            continue;
        fprintf(f, "complete -c pxcmesh -n __fish_use_subcommand -a %s -d ", c->name);
        fish_str(c->summary, f);
        fputc('\n', f);
        if (c->subs != NULL) {
            fprintf(f, "complete -c pxcmesh -n '__fish_seen_subcommand_from %s' -a '", c->name);
            for (const char *const *s = c->subs; *s != NULL; s++)
                fprintf(f, "%s%s", s == c->subs ? "" : " ", *s);
            fputs("'\n", f);
        }
        if (c->flags & CMD_TAKES_VERB) {
            fprintf(f, "complete -c pxcmesh -n '__fish_seen_subcommand_from %s' -a '", c->name);
            verb_words(f);
            fputs("'\n", f);
        }
        for (const struct cmd_flag *fl = c->opts; fl != NULL && fl->name != NULL; fl++)
            fish_flag(c->name, fl, c, f);
    }
}

static int
cmd_completion_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("usage: pxcmesh completion bash|zsh|fish\n"
             "Prints the completion script for the shell:\n"
             "  bash: source <(pxcmesh completion bash)\n"
             "  zsh:  source <(pxcmesh completion zsh)\n"
             "  fish: pxcmesh completion fish | source\n"
             "`make install` installs all three where the shells look for them.");
        return 0;
    }
    if (argc != 2)
        return cmd_usage_error("completion", "which shell? bash, zsh or fish");
    if (strcmp(argv[1], "bash") == 0) {
        print_bash(stdout);
    } else if (strcmp(argv[1], "zsh") == 0) {
        fputs("#compdef pxcmesh\n# zsh completion for pxcmesh: the bash completion through "
              "zsh's bashcompinit.\nautoload -U +X bashcompinit && bashcompinit\n",
              stdout);
        print_bash(stdout);
    } else if (strcmp(argv[1], "fish") == 0) {
        print_fish(stdout);
    } else {
        return cmd_usage_error("completion", "unknown shell '%s' (bash, zsh or fish)", argv[1]);
    }
    return ferror(stdout) ? 1 : 0;
}

/* The selection's clusters, --cluster left out: the names --cluster may take. */
static int
complete_clusters(const struct cmd_opts *opts)
{
    struct cmd_opts o = *opts;
    o.n_clusters = 0;
    struct config *cfg = NULL;
    struct pxerr err = {0};
    if (cmd_kube_config(&o, &cfg, &err) != 0)
        return 1; /* nothing to offer; the command itself will say why */
    for (size_t i = 0; i < cfg->n_clusters; i++)
        puts(cfg->clusters[i].name);
    config_free(cfg);
    return 0;
}

static int
complete_contexts(const struct cmd_opts *opts)
{
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    if (kcfg_load(opts->kubeconfig, &k, &err) != 0)
        return 1;
    for (size_t i = 0; i < kcfg_context_count(k); i++)
        puts(kcfg_context_name(k, i));
    kcfg_free(k);
    return 0;
}

static int
cmd_complete_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "clusters") == 0)
        return complete_clusters(opts);
    if (argc == 2 && strcmp(argv[1], "contexts") == 0)
        return complete_contexts(opts);
    return cmd_usage_error("__complete", "__complete clusters|contexts");
}
