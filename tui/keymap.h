/* keymap: THE key table. Every key the console answers to is one row
 * { scope, key, action, "description", flags }; the `?` help overlay, the status-bar
 * hints and docs/keys.md (`pxcmesh keys --markdown`) are generated from it, so help
 * cannot drift from the keys (tmux `bind -N`, k9s KeyActions.Hints()).
 *
 * Keys are ints: a Unicode code point for a character ('q', ':', 0x0c for C-l), or
 * KM_FN(KEY_UP) for an ncurses function key, so the two ranges never collide.
 *
 * The table is const data; everything here is pure and callable from any thread. */
#ifndef PXC_TUI_KEYMAP_H
#define PXC_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define KM_FN_BIT 0x01000000 /* above the last Unicode code point (0x10ffff) */
#define KM_FN(k) (KM_FN_BIT | (k))
#define KM_CTRL(c) ((c)&0x1f)
#define KM_ESC 0x1b
#define KM_TAB 0x09
#define KM_ENTER 0x0d

/* Scopes, most specific first when a view resolves a key (view, table, global). */
#define KEYMAP_SCOPES(XX)                                                                          \
    XX(GLOBAL, "global", "Everywhere")                                                             \
    XX(TABLE, "table", "Focused table")                                                            \
    XX(OVERVIEW, "overview", "Overview (start screen)")                                            \
    XX(CHANNELS, "channels", "Channels view")                                                      \
    XX(CHDETAIL, "detail", "Channel detail view")                                                  \
    XX(DESCRIBE, "describe", "Describe view (d on a row)")                                         \
    XX(EVENTS, "events", "Events view")                                                            \
    XX(FINDINGS, "findings", "Findings view")                                                      \
    XX(SENTRIES, "sentries", "ServiceEntries view")                                                \
    XX(INJECTION, "injection", "Injection view")                                                   \
    XX(PROBES, "probes", "Probes view")                                                            \
    XX(SETUP, "setup", "Guided set-up view")                                                       \
    XX(LOGS, "logs", "Logs pane")                                                                  \
    XX(HELP, "help", "Help overlay")                                                               \
    XX(PROMPT, "prompt", "Command line and filter prompt")

enum keymap_scope {
#define XX(id, name, title) KS_##id,
    KEYMAP_SCOPES(XX)
#undef XX
        KS__COUNT
};

/* Actions: the short name is what the status-bar hints show next to the key. */
#define KEYMAP_ACTIONS(XX)                                                                         \
    XX(NONE, "none")                                                                               \
    XX(QUIT, "quit")                                                                               \
    XX(HELP, "help")                                                                               \
    XX(CMDLINE, "command")                                                                         \
    XX(BACK, "back")                                                                               \
    XX(REDRAW, "redraw")                                                                           \
    XX(REFRESH, "refresh")                                                                         \
    XX(FOCUS_NEXT, "next pane")                                                                    \
    XX(FOCUS_PREV, "prev pane")                                                                    \
    XX(VIEW_OVERVIEW, "overview")                                                                  \
    XX(VIEW_CHANNELS, "channels")                                                                  \
    XX(VIEW_EVENTS, "events")                                                                      \
    XX(VIEW_FINDINGS, "findings")                                                                  \
    XX(VIEW_SENTRIES, "serviceentries")                                                            \
    XX(VIEW_INJECTION, "injection")                                                                \
    XX(VIEW_PROBES, "probes")                                                                      \
    XX(VIEW_SETUP, "setup")                                                                        \
    XX(DELETE, "delete")                                                                           \
    XX(COPY_YAML, "copy yaml")                                                                     \
    XX(DESCRIBE, "describe")                                                                       \
    XX(MANIFEST, "manifest")                                                                       \
    XX(APPLY, "apply")                                                                             \
    XX(LABEL_NS, "label ns")                                                                       \
    XX(RESTART_STS, "restart sts")                                                                 \
    XX(PROBE_LOCAL, "probe")                                                                       \
    XX(PROBE_MESH, "probe in mesh")                                                                \
    XX(PROBE_CHANNEL, "probe sources")                                                             \
    XX(RERUN, "re-run")                                                                            \
    XX(CANCEL, "cancel")                                                                           \
    XX(SETUP_FIX, "fix")                                                                           \
    XX(FIX, "fix it")                                                                              \
    XX(COPY_COMMAND, "copy command")                                                               \
    XX(SETUP_SOURCE, "source")                                                                     \
    XX(SETUP_REPLICA, "replica")                                                                   \
    XX(SETUP_NEXT, "next step")                                                                    \
    XX(PANE_DOWN, "scroll pane")                                                                   \
    XX(PANE_UP, "scroll pane up")                                                                  \
    XX(UP, "up")                                                                                   \
    XX(DOWN, "down")                                                                               \
    XX(PAGE_UP, "page up")                                                                         \
    XX(PAGE_DOWN, "page down")                                                                     \
    XX(TOP, "top")                                                                                 \
    XX(BOTTOM, "bottom")                                                                           \
    XX(FILTER, "filter")                                                                           \
    XX(SORT, "sort")                                                                               \
    XX(SORT_REVERSE, "reverse")                                                                    \
    XX(ENTER, "detail")                                                                            \
    XX(COL_PREV, "left")                                                                           \
    XX(COL_NEXT, "right")                                                                          \
    XX(PAGE_PREV, "prev page")                                                                     \
    XX(PAGE_NEXT, "next page")                                                                     \
    XX(CHANNEL_START, "start")                                                                     \
    XX(CHANNEL_STOP, "stop")                                                                       \
    XX(LOGS, "logs")                                                                               \
    XX(FOLLOW, "follow")                                                                           \
    XX(CONTAINER, "container")                                                                     \
    XX(RECONNECT, "reconnect")                                                                     \
    XX(PROMPT_RUN, "run")                                                                          \
    XX(PROMPT_CANCEL, "cancel")                                                                    \
    XX(PROMPT_COMPLETE, "complete")                                                                \
    XX(PROMPT_HIST_PREV, "history back")                                                           \
    XX(PROMPT_HIST_NEXT, "history forward")

enum key_action {
#define XX(id, name) KA_##id,
    KEYMAP_ACTIONS(XX)
#undef XX
        KA__COUNT
};

/* Row flags. */
#define KEY_DANGEROUS 0x01u /* writes to a cluster: confirm; hidden in read-only and replay */
#define KEY_HINT 0x02u      /* shown in the status-bar hints */
#define KEY_ALIAS 0x04u     /* a second key for an action listed on its own row: help merges it */

struct keymap_row {
    enum keymap_scope scope;
    int key;
    enum key_action action;
    const char *description; /* one line, sentence case, no final period */
    unsigned flags;          /* KEY_* */
};

/* The table: borrowed, static. */
size_t keymap_count(void);
const struct keymap_row *keymap_at(size_t i);

/* The row for key in scope, or NULL. Dangerous rows are skipped when readonly. */
const struct keymap_row *keymap_lookup(enum keymap_scope scope, int key, bool readonly);
/* First match in scopes[0..n) in order (the most specific scope first), or NULL. */
const struct keymap_row *keymap_resolve(const enum keymap_scope *scopes, size_t n, int key,
                                        bool readonly);
/* Whether a row is shown (and answered) in this mode. */
bool keymap_visible(const struct keymap_row *r, bool readonly);

/* "q", "Tab", "S-Tab", "Up", "PgDn", "C-l", "Enter", "Esc", "F1"... into buf. */
void keymap_key_name(int key, char *buf, size_t n);
const char *keymap_scope_name(enum keymap_scope s);  /* "table" */
const char *keymap_scope_title(enum keymap_scope s); /* "Focused table" */
const char *keymap_action_name(enum key_action a);   /* "filter" */

/* All keys of one action in one scope joined by "/", e.g. "j/Down", into buf. */
void keymap_keys_for(enum keymap_scope scope, enum key_action a, bool readonly, char *buf,
                     size_t n);

/* The KEY_HINT rows for the scopes (most specific first; the help key before all), each
 * action once, into
 * out[0..max) (borrowed static rows). Returns how many. */
size_t keymap_hint_rows(const enum keymap_scope *scopes, size_t n, bool readonly,
                        const struct keymap_row **out, size_t max);

/* Status-bar hints for the scopes (most specific first): "KEY action" pairs of the
 * KEY_HINT rows, two spaces apart, each action once, appended to out. */
void keymap_hints(const enum keymap_scope *scopes, size_t n, bool readonly, struct strbuf *out);

/* docs/keys.md: every scope as a Markdown table, in table order. */
void keymap_markdown(struct strbuf *out);

#endif
