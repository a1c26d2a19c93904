/* cmdline: the `:` command line's commands, as a table like tmux's cmd_entry:
 * { name, alias, usage, summary, min/max args, exec, complete }. Parsing, lookup,
 * argument checks and completion are pure (no terminal; the unit test drives them);
 * exec calls into the app. The line editor itself is the widgets' ledit. Loop thread. */
#ifndef PXC_TUI_CMDLINE_H
#define PXC_TUI_CMDLINE_H

#include <stddef.h>

#include "pxerr.h"
#include "vec.h"

struct app;

struct cmdline_cmd {
    const char *name;       /* "theme" */
    const char *alias;      /* "q" for quit, "se,serviceentry": comma-separated; NULL none */
    const char *usage;      /* "theme NAME" */
    const char *summary;    /* one line for :help and docs */
    int min_args, max_args; /* arguments after the name */
    /* argv[0] is the command's name; argv borrowed for the call. 0 or PXE_* with err. */
    int (*exec)(struct app *a, int argc, char **argv, struct pxerr *err);
    /* Candidates for argument argi (1-based) starting with prefix: pushes owned strings
     * (xstrdup) onto out. words[0..argi) are the words before it (words[0] the command).
     * a may be NULL (tests): then only what needs no app. NULL: no completion. */
    void (*complete)(struct app *a, int argi, const char *const *words, const char *prefix,
                     struct vec *out);
};

size_t cmdline_count(void);
const struct cmdline_cmd *cmdline_at(size_t i); /* borrowed static */

/* Split line into words on blanks; '...' and "..." quote (no escapes inside '...',
 * \" and \\ inside "..."). On success pushes owned strings onto argv (vec_init(argv,
 * free)); PXE_PARSE "unterminated quote" otherwise, argv untouched. */
int cmdline_split(const char *line, struct vec *argv, struct pxerr *err) PXC_MUST_CHECK;

/* The command named name: exact name, alias, or a unique prefix. NULL with err:
 *   unknown command 'foo' (commands: quit, theme, view, help)
 *   ambiguous command 'h': help, ...  */
const struct cmdline_cmd *cmdline_find(const char *name, struct pxerr *err);

/* Parse, look up, check the argument count ("usage: :theme NAME"), then exec. An empty
 * line does nothing (0). */
int cmdline_run(struct app *a, const char *line, struct pxerr *err) PXC_MUST_CHECK;

/* A ledit_complete_cb (arg = the app, may be NULL): completes the command name as the
 * first word, else the command's argument. Candidates sorted, unique. */
void cmdline_complete(void *arg, const char *line, size_t cursor, size_t *word_start,
                      struct vec *cands);

#endif
