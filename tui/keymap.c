/* keymap: the one table of keys, and the lookups, names, hints and Markdown generated
 * from it. It deliberately holds no behaviour: the app and the views map actions to
 * what they do; this file only says which key means which action where, and why. */
#include "keymap.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "wkey.h"

_Static_assert(KM_FN_BIT == WKEY_FN, "keymap and widget key codes agree");

#define FN(k) KM_FN(k)

static const struct keymap_row keymap_table[] = {
    /* global */
    {KS_GLOBAL, 'q', KA_QUIT, "Quit pxcmesh (the terminal is restored)", KEY_HINT},
    {KS_GLOBAL, '?', KA_HELP, "Show this help, generated from the key table", KEY_HINT},
    {KS_GLOBAL, ':', KA_CMDLINE, "Open the command line (:view NAME, :se, :pods... and :help)",
     KEY_HINT},
    {KS_GLOBAL, KM_ESC, KA_BACK,
     "Back out: clear the filter, close the overlay, go to the overview", 0},
    {KS_GLOBAL, KM_TAB, KA_FOCUS_NEXT, "Move the focus to the next pane or section", KEY_HINT},
    {KS_GLOBAL, FN(KEY_BTAB), KA_FOCUS_PREV, "Move the focus to the previous pane or section", 0},
    {KS_GLOBAL, '1', KA_VIEW_OVERVIEW, "Show the overview: clusters side by side", 0},
    {KS_GLOBAL, '2', KA_VIEW_CHANNELS, "Show every replication channel in one table", 0},
    {KS_GLOBAL, '3', KA_VIEW_EVENTS, "Show the events timeline, newest first", 0},
    {KS_GLOBAL, '4', KA_VIEW_FINDINGS, "Show the doctor's findings, errors first, with the fix", 0},
    {KS_GLOBAL, '5', KA_VIEW_SENTRIES, "Show the ServiceEntries of every cluster with their YAML",
     0},
    {KS_GLOBAL, '6', KA_VIEW_INJECTION,
     "Show namespaces' injection and pods' sidecars, those needing action first", 0},
    {KS_GLOBAL, '7', KA_VIEW_PROBES, "Show the probes run from the console and their results", 0},
    {KS_GLOBAL, '8', KA_VIEW_SETUP,
     "Show the guided set-up of replication from one cluster to another", 0},
    {KS_GLOBAL, KM_CTRL('l'), KA_REDRAW, "Repaint the whole screen", 0},
    {KS_GLOBAL, KM_CTRL('r'), KA_REFRESH,
     "Refresh now: list the objects and read the servers again", 0},

    /* the focused table */
    {KS_TABLE, 'j', KA_DOWN, "Select the next row", 0},
    {KS_TABLE, FN(KEY_DOWN), KA_DOWN, "Select the next row", KEY_ALIAS},
    {KS_TABLE, 'k', KA_UP, "Select the previous row", 0},
    {KS_TABLE, FN(KEY_UP), KA_UP, "Select the previous row", KEY_ALIAS},
    {KS_TABLE, FN(KEY_NPAGE), KA_PAGE_DOWN, "Scroll one page down", 0},
    {KS_TABLE, KM_CTRL('f'), KA_PAGE_DOWN, "Scroll one page down", KEY_ALIAS},
    {KS_TABLE, FN(KEY_PPAGE), KA_PAGE_UP, "Scroll one page up", 0},
    {KS_TABLE, KM_CTRL('b'), KA_PAGE_UP, "Scroll one page up", KEY_ALIAS},
    {KS_TABLE, 'g', KA_TOP, "Select the first row", 0},
    {KS_TABLE, FN(KEY_HOME), KA_TOP, "Select the first row", KEY_ALIAS},
    {KS_TABLE, 'G', KA_BOTTOM, "Select the last row", 0},
    {KS_TABLE, FN(KEY_END), KA_BOTTOM, "Select the last row", KEY_ALIAS},
    {KS_TABLE, '/', KA_FILTER, "Filter the focused table's rows (Esc clears the filter)", KEY_HINT},
    {KS_TABLE, 's', KA_SORT, "Sort by the next column (cycles through the columns)", KEY_HINT},
    {KS_TABLE, 'S', KA_SORT_REVERSE, "Reverse the sort order", 0},
    {KS_TABLE, KM_ENTER, KA_ENTER, "Show the selected row's full text in the status bar", 0},

    /* overview */
    {KS_OVERVIEW, FN(KEY_RIGHT), KA_COL_NEXT,
     "Focus the cluster column to the right (pages at the edge)", 0},
    {KS_OVERVIEW, FN(KEY_LEFT), KA_COL_PREV,
     "Focus the cluster column to the left (pages at the edge)", 0},
    {KS_OVERVIEW, 'u', KA_CHANNEL_START,
     "Start the selected channel (Channels section) with the action user, after confirming "
     "the SQL",
     KEY_DANGEROUS},
    {KS_OVERVIEW, 'x', KA_CHANNEL_STOP,
     "Stop the selected channel (Channels section) with the action user, after confirming "
     "the SQL",
     KEY_DANGEROUS},
    {KS_OVERVIEW, 'd', KA_DESCRIBE,
     "Describe the selected pod, PXC, ServiceEntry or channel: its YAML and its events", 0},
    {KS_OVERVIEW, ']', KA_PAGE_NEXT, "Show the next page of clusters when they do not all fit",
     KEY_HINT},
    {KS_OVERVIEW, '[', KA_PAGE_PREV, "Show the previous page of clusters", 0},

    /* channels view: these write to a MySQL server, so they confirm first */
    {KS_CHANNELS, 'u', KA_CHANNEL_START,
     "Start the selected channel (START REPLICA) with the action user, after confirming the SQL",
     KEY_DANGEROUS | KEY_HINT},
    {KS_CHANNELS, 'x', KA_CHANNEL_STOP,
     "Stop the selected channel (STOP REPLICA) with the action user, after confirming the SQL",
     KEY_DANGEROUS | KEY_HINT},
    {KS_CHANNELS, 'd', KA_DESCRIBE,
     "Describe the selected channel: its status as YAML and its events", 0},

    /* channel detail: entered with Enter on a channel row */
    {KS_CHANNELS, KM_ENTER, KA_ENTER,
     "Open the selected channel's detail: full status, lag graph and its event history", KEY_HINT},
    {KS_OVERVIEW, KM_ENTER, KA_ENTER,
     "Open the selected channel's detail (Channels section); other sections: the row's text", 0},
    {KS_CHDETAIL, KM_ESC, KA_BACK, "Back to the view the detail was opened from", KEY_HINT},
    {KS_CHDETAIL, 'u', KA_CHANNEL_START,
     "Start this channel (START REPLICA) with the action user, after confirming the SQL",
     KEY_DANGEROUS | KEY_HINT},
    {KS_CHDETAIL, 'x', KA_CHANNEL_STOP,
     "Stop this channel (STOP REPLICA) with the action user, after confirming the SQL",
     KEY_DANGEROUS | KEY_HINT},
    {KS_CHDETAIL, 'd', KA_DESCRIBE, "Describe this channel: its status as YAML and its events", 0},
    {KS_CHDETAIL, 'p', KA_PROBE_CHANNEL,
     "Probe every source of this channel (DNS and TCP, from its namespace in the mesh)",
     KEY_DANGEROUS | KEY_HINT},
    {KS_CHDETAIL, 'y', KA_COPY_YAML,
     "Write this channel's status as YAML to a file (asks the path)", KEY_HINT},

    /* describe: d on a row of the Overview, Channels, ServiceEntries, Injection, detail */
    {KS_DESCRIBE, KM_ESC, KA_BACK, "Back to the view the object was described from", KEY_HINT},
    {KS_DESCRIBE, 'j', KA_DOWN, "Scroll down", 0},
    {KS_DESCRIBE, FN(KEY_DOWN), KA_DOWN, "Scroll down", KEY_ALIAS},
    {KS_DESCRIBE, 'k', KA_UP, "Scroll up", 0},
    {KS_DESCRIBE, FN(KEY_UP), KA_UP, "Scroll up", KEY_ALIAS},
    {KS_DESCRIBE, FN(KEY_NPAGE), KA_PAGE_DOWN, "Scroll one page down", 0},
    {KS_DESCRIBE, ' ', KA_PAGE_DOWN, "Scroll one page down", KEY_ALIAS},
    {KS_DESCRIBE, KM_CTRL('f'), KA_PAGE_DOWN, "Scroll one page down", KEY_ALIAS},
    {KS_DESCRIBE, FN(KEY_PPAGE), KA_PAGE_UP, "Scroll one page up", 0},
    {KS_DESCRIBE, KM_CTRL('b'), KA_PAGE_UP, "Scroll one page up", KEY_ALIAS},
    {KS_DESCRIBE, 'g', KA_TOP, "Go to the first line", 0},
    {KS_DESCRIBE, FN(KEY_HOME), KA_TOP, "Go to the first line", KEY_ALIAS},
    {KS_DESCRIBE, 'G', KA_BOTTOM, "Go to the last line (the events)", 0},
    {KS_DESCRIBE, FN(KEY_END), KA_BOTTOM, "Go to the last line (the events)", KEY_ALIAS},

    /* per-channel probes run commands in the channel's pod (exec), or create a probe pod
     * where exec is refused: they confirm */
    {KS_CHANNELS, 'p', KA_PROBE_CHANNEL,
     "Probe every source of the selected channel (DNS and TCP, from its namespace in the mesh)",
     KEY_DANGEROUS | KEY_HINT},
    {KS_OVERVIEW, 'p', KA_PROBE_CHANNEL,
     "Probe every source of the selected channel (else the column's first) from its mesh",
     KEY_DANGEROUS},

    /* ServiceEntries view */
    {KS_SENTRIES, KM_CTRL('d'), KA_DELETE,
     "Delete the selected ServiceEntry from its cluster, after confirming (names the channels "
     "that use its hosts)",
     KEY_DANGEROUS | KEY_HINT},
    {KS_SENTRIES, 'd', KA_DESCRIBE, "Describe the selected ServiceEntry: its YAML and its events",
     0},
    {KS_SENTRIES, 'y', KA_COPY_YAML,
     "Write the selected ServiceEntry as YAML to a file (asks the "
     "path)",
     KEY_HINT},
    {KS_SENTRIES, 'm', KA_MANIFEST,
     "Show the corrected ServiceEntry for the selected host as a diff (m again: the YAML)",
     KEY_HINT},
    {KS_SENTRIES, 'A', KA_APPLY,
     "Apply the corrected ServiceEntry (a missing row: create it from the remote cluster's "
     "nodes): server dry run, diff, then apply after confirming",
     KEY_DANGEROUS | KEY_HINT},
    {KS_SENTRIES, 'p', KA_PROBE_LOCAL,
     "Probe the selected ServiceEntry's hosts from this machine (DNS, TCP)", 0},
    {KS_SENTRIES, 'J', KA_PANE_DOWN, "Scroll the YAML pane down", 0},
    {KS_SENTRIES, 'K', KA_PANE_UP, "Scroll the YAML pane up", 0},
    {KS_SENTRIES, 'P', KA_PROBE_MESH,
     "Probe the selected ServiceEntry's hosts from its namespace in the mesh (DNS, TCP, Envoy)",
     KEY_DANGEROUS},

    /* Injection view */
    {KS_INJECTION, 'L', KA_LABEL_NS,
     "Label the selected namespace istio-injection=enabled, after confirming",
     KEY_DANGEROUS | KEY_HINT},
    {KS_INJECTION, 'R', KA_RESTART_STS,
     "Restart the PXC statefulset of the selected row so its pods get sidecars, after confirming",
     KEY_DANGEROUS | KEY_HINT},
    {KS_INJECTION, 'd', KA_DESCRIBE,
     "Describe the selected namespace or pod: its YAML and its events", 0},

    /* Findings view: the fix runs (it confirms first, naming the change) or is copied */
    {KS_FINDINGS, 'f', KA_FIX,
     "Run the selected finding's fix when pxcmesh can (label, restart, apply the ServiceEntry, "
     "start or repoint the channel, set its password) after confirming the exact change; "
     "else copy its command",
     KEY_HINT},
    {KS_FINDINGS, 'c', KA_COPY_COMMAND,
     "Copy the selected finding's fix command to the clipboard (OSC 52)", KEY_HINT},

    /* Probes view */
    {KS_PROBES, 'r', KA_RERUN, "Run the selected probe again (in-mesh ones confirm)", KEY_HINT},
    {KS_PROBES, 'x', KA_CANCEL, "Cancel the selected probe while it runs", KEY_HINT},
    {KS_PROBES, 'p', KA_PROBE_LOCAL,
     "Probe the selected row's host from this machine (DNS, TCP); no rows: every "
     "ServiceEntry host",
     KEY_HINT},
    {KS_PROBES, 'P', KA_PROBE_MESH,
     "Probe the selected row's host from inside the mesh (DNS, TCP, Envoy), after confirming",
     KEY_DANGEROUS | KEY_HINT},

    /* Guided set-up view */
    {KS_SETUP, KM_ENTER, KA_SETUP_FIX,
     "Preview the selected step's fix, apply it after confirming, then check again",
     KEY_DANGEROUS | KEY_HINT},
    {KS_SETUP, 'o', KA_SETUP_SOURCE,
     "Choose the next cluster as the replication source (meeting the replica: they swap)",
     KEY_HINT},
    {KS_SETUP, 'a', KA_SETUP_REPLICA,
     "Choose the next cluster as the replica (meeting the source: they swap)", KEY_HINT},
    {KS_SETUP, 'n', KA_SETUP_NEXT, "Select the first step that is not done yet", KEY_HINT},
    {KS_SETUP, 'J', KA_PANE_DOWN, "Scroll the step's fix pane down", 0},
    {KS_SETUP, 'K', KA_PANE_UP, "Scroll the step's fix pane up", 0},

    /* logs pane: a pod's container log, followed; l opens it where a row names a pod (the
     * Overview's l moves between columns, so there it is L) */
    {KS_OVERVIEW, 'l', KA_LOGS, "Show the log of the selected pod (Pods section), following it", 0},
    {KS_INJECTION, 'l', KA_LOGS, "Show the log of the selected pod, following it", KEY_HINT},
    {KS_FINDINGS, 'l', KA_LOGS,
     "Show the log of the pod the selected finding names (a channel: the pod that runs it)",
     KEY_HINT},
    {KS_LOGS, KM_ESC, KA_BACK, "Back to the view the log was opened from (the stream stops)",
     KEY_HINT},
    {KS_LOGS, 'f', KA_FOLLOW,
     "Follow new lines on or off (scrolling up pauses it, G or End follows again)", KEY_HINT},
    {KS_LOGS, 'c', KA_CONTAINER,
     "Show the log of the pod's next container (pxc, istio-proxy...; Tab too)", KEY_HINT},
    {KS_LOGS, 'r', KA_RECONNECT,
     "Reconnect after the stream ended or failed, from the time it stopped", KEY_HINT},

    /* help overlay */
    {KS_HELP, KM_ESC, KA_BACK, "Close the help", KEY_HINT},
    {KS_HELP, 'q', KA_BACK, "Close the help", KEY_ALIAS},
    {KS_HELP, '?', KA_BACK, "Close the help", KEY_ALIAS},
    {KS_HELP, 'j', KA_DOWN, "Scroll down", 0},
    {KS_HELP, FN(KEY_DOWN), KA_DOWN, "Scroll down", KEY_ALIAS},
    {KS_HELP, 'k', KA_UP, "Scroll up", 0},
    {KS_HELP, FN(KEY_UP), KA_UP, "Scroll up", KEY_ALIAS},
    {KS_HELP, FN(KEY_NPAGE), KA_PAGE_DOWN, "Scroll one page down", 0},
    {KS_HELP, ' ', KA_PAGE_DOWN, "Scroll one page down", KEY_ALIAS},
    {KS_HELP, FN(KEY_PPAGE), KA_PAGE_UP, "Scroll one page up", 0},
    {KS_HELP, 'g', KA_TOP, "Go to the first line", 0},
    {KS_HELP, FN(KEY_HOME), KA_TOP, "Go to the first line", KEY_ALIAS},
    {KS_HELP, 'G', KA_BOTTOM, "Go to the last line", 0},
    {KS_HELP, FN(KEY_END), KA_BOTTOM, "Go to the last line", KEY_ALIAS},
    {KS_HELP, '/', KA_FILTER, "Search the help (Esc leaves the search)", KEY_HINT},

    /* command line and filter prompt (the line editor's own keys are in its docs) */
    {KS_PROMPT, KM_ENTER, KA_PROMPT_RUN, "Run the command or apply the filter", KEY_HINT},
    {KS_PROMPT, KM_ESC, KA_PROMPT_CANCEL, "Cancel (a filter prompt clears the filter)", KEY_HINT},
    {KS_PROMPT, KM_TAB, KA_PROMPT_COMPLETE, "Complete the command name or argument", KEY_HINT},
    {KS_PROMPT, FN(KEY_UP), KA_PROMPT_HIST_PREV,
     "Recall the previous command, or the previous filter (/ opens empty)", 0},
    {KS_PROMPT, FN(KEY_DOWN), KA_PROMPT_HIST_NEXT, "Recall the next command or filter", 0},
};

static const struct {
    const char *name, *title;
} scope_names[] = {
#define XX(id, name, title) {name, title},
    KEYMAP_SCOPES(XX)
#undef XX
};
_Static_assert(sizeof scope_names / sizeof scope_names[0] == KS__COUNT, "scope names");

static const char *const action_names[] = {
#define XX(id, name) name,
    KEYMAP_ACTIONS(XX)
#undef XX
};
_Static_assert(sizeof action_names / sizeof action_names[0] == KA__COUNT, "action names");

size_t
keymap_count(void)
{
    return sizeof keymap_table / sizeof keymap_table[0];
}

const struct keymap_row *
keymap_at(size_t i)
{
    return i < keymap_count() ? &keymap_table[i] : NULL;
}

bool
keymap_visible(const struct keymap_row *r, bool readonly)
{
    return !(readonly && (r->flags & KEY_DANGEROUS));
}

const struct keymap_row *
keymap_lookup(enum keymap_scope scope, int key, bool readonly)
{
    for (size_t i = 0; i < keymap_count(); i++) {
        const struct keymap_row *r = &keymap_table[i];
        if (r->scope == scope && r->key == key && keymap_visible(r, readonly))
            return r;
    }
    return NULL;
}

const struct keymap_row *
keymap_resolve(const enum keymap_scope *scopes, size_t n, int key, bool readonly)
{
    for (size_t i = 0; i < n; i++) {
        const struct keymap_row *r = keymap_lookup(scopes[i], key, readonly);
        if (r != NULL)
            return r;
    }
    return NULL;
}

const char *
keymap_scope_name(enum keymap_scope s)
{
    return (unsigned)s < KS__COUNT ? scope_names[s].name : "?";
}

const char *
keymap_scope_title(enum keymap_scope s)
{
    return (unsigned)s < KS__COUNT ? scope_names[s].title : "?";
}

const char *
keymap_action_name(enum key_action a)
{
    return (unsigned)a < KA__COUNT ? action_names[a] : "?";
}

void
keymap_key_name(int key, char *buf, size_t n)
{
    static const struct {
        int key;
        const char *name;
    } named[] = {
        {KM_TAB, "Tab"},          {KM_ENTER, "Enter"},
        {KM_ESC, "Esc"},          {' ', "Space"},
        {0x7f, "Backspace"},      {FN(KEY_BTAB), "S-Tab"},
        {FN(KEY_UP), "Up"},       {FN(KEY_DOWN), "Down"},
        {FN(KEY_LEFT), "Left"},   {FN(KEY_RIGHT), "Right"},
        {FN(KEY_NPAGE), "PgDn"},  {FN(KEY_PPAGE), "PgUp"},
        {FN(KEY_HOME), "Home"},   {FN(KEY_END), "End"},
        {FN(KEY_ENTER), "Enter"}, {FN(KEY_BACKSPACE), "Backspace"},
        {FN(KEY_DC), "Delete"},   {FN(KEY_IC), "Insert"},
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) {
            snprintf(buf, n, "%s", named[i].name);
            return;
        }
    if (key & KM_FN_BIT) {
        int k = key & ~KM_FN_BIT;
        if (k >= KEY_F0 && k <= KEY_F(63))
            snprintf(buf, n, "F%d", k - KEY_F0);
        else
            snprintf(buf, n, "key-%#o", (unsigned)k);
        return;
    }
    if (key >= 1 && key <= 26) {
        snprintf(buf, n, "C-%c", 'a' + key - 1);
        return;
    }
    /* A printable code point, as UTF-8. */
    char u[5] = {0};
    unsigned c = (unsigned)key;
    if (c < 0x80) {
        u[0] = (char)c;
    } else if (c < 0x800) {
        u[0] = (char)(0xc0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        u[0] = (char)(0xe0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        u[2] = (char)(0x80 | (c & 0x3f));
    } else {
        u[0] = (char)(0xf0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        u[3] = (char)(0x80 | (c & 0x3f));
    }
    snprintf(buf, n, "%s", u);
}

void
keymap_keys_for(enum keymap_scope scope, enum key_action a, bool readonly, char *buf, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < keymap_count(); i++) {
        const struct keymap_row *r = &keymap_table[i];
        if (r->scope != scope || r->action != a || !keymap_visible(r, readonly))
            continue;
        char k[32];
        keymap_key_name(r->key, k, sizeof k);
        int w = snprintf(buf + len, n - len, "%s%s", len ? "/" : "", k);
        if (w < 0 || (size_t)w >= n - len)
            return; /* truncated: the buffer holds what fits */
        len += (size_t)w;
    }
}

size_t
keymap_hint_rows(const enum keymap_scope *scopes, size_t n, bool readonly,
                 const struct keymap_row **out, size_t max)
{
    bool seen[KA__COUNT] = {false};
    size_t k = 0;
    /* The help key first: the status bar drops hints from the end when narrow, and "?"
     * is the way to every other key. */
    for (size_t s = 0; s < n && k < max; s++) {
        const struct keymap_row *r = keymap_lookup(scopes[s], '?', readonly);
        if (r != NULL && r->action == KA_HELP && (r->flags & KEY_HINT)) {
            seen[KA_HELP] = true;
            out[k++] = r;
            break;
        }
    }
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < keymap_count() && k < max; i++) {
            const struct keymap_row *r = &keymap_table[i];
            if (r->scope != scopes[s] || !(r->flags & KEY_HINT) || !keymap_visible(r, readonly) ||
                seen[r->action])
                continue;
            seen[r->action] = true;
            out[k++] = r;
        }
    return k;
}

void
keymap_hints(const enum keymap_scope *scopes, size_t n, bool readonly, struct strbuf *out)
{
    const struct keymap_row *rows[KA__COUNT];
    size_t k = keymap_hint_rows(scopes, n, readonly, rows, KA__COUNT);
    for (size_t i = 0; i < k; i++) {
        char key[32];
        keymap_key_name(rows[i]->key, key, sizeof key);
        strbuf_appendf(out, "%s%s %s", i ? "  " : "", key, keymap_action_name(rows[i]->action));
    }
}

/* Escape the characters Markdown tables care about. */
static void
md_cell(struct strbuf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '`' || *s == '\\' || *s == '*' || *s == '_' || *s == '[' ||
            *s == ']')
            strbuf_appendc(out, '\\');
        strbuf_appendc(out, *s);
    }
}

void
keymap_markdown(struct strbuf *out)
{
    strbuf_append(out, "# pxcmesh keys\n\n"
                       "Generated from the key table in `tui/keymap.c` by "
                       "`pxcmesh keys --markdown`; do not edit by hand.\n"
                       "Keys marked *writes* change a cluster: they ask for confirmation "
                       "and are hidden in `--readonly` and replay mode.\n");
    for (int s = 0; s < KS__COUNT; s++) {
        bool any = false;
        for (size_t i = 0; i < keymap_count(); i++) {
            const struct keymap_row *r = &keymap_table[i];
            if ((int)r->scope != s || (r->flags & KEY_ALIAS))
                continue;
            if (!any) {
                strbuf_appendf(out,
                               "\n## %s (`%s`)\n\n| Key | Action | What it does |\n"
                               "|---|---|---|\n",
                               scope_names[s].title, scope_names[s].name);
                any = true;
            }
            char keys[128];
            keymap_keys_for(r->scope, r->action, false, keys, sizeof keys);
            strbuf_append(out, "| ");
            md_cell(out, keys);
            strbuf_appendf(out, " | %s | ", keymap_action_name(r->action));
            md_cell(out, r->description);
            strbuf_appendf(out, "%s |\n", (r->flags & KEY_DANGEROUS) ? " (*writes*)" : "");
        }
    }
}
