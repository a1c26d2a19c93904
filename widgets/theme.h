/* theme: colours as data. Drawing code names an element (TH_TABLE_HEADER), never a
 * colour; a theme file maps elements to styles (STYLE.md §8, docs/themes.md). This module
 * parses theme files strictly and transactionally, finds them on the search path, and is
 * the only place that calls init_pair or names COLOR_*. Loop thread only for
 * theme_activate(); parsing and lookups are pure. */
#ifndef PXC_WIDGETS_THEME_H
#define PXC_WIDGETS_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "pxerr.h"
#include "vec.h"

/* Style attribute bits (kept independent of curses' A_* so the parser is pure). */
#define TH_A_BOLD 0x01u
#define TH_A_DIM 0x02u
#define TH_A_ITALIC 0x04u
#define TH_A_UNDERLINE 0x08u
#define TH_A_REVERSE 0x10u
#define TH_A_BLINK 0x20u

#define TH_DEFAULT (-1) /* colour: the terminal's default fg/bg */

/* XX(ENUM, "file.name", fg, bg, attrs, mono)
 * fg/bg/attrs: the built-in fallback (a dark theme) used when a file leaves the element out
 * and when no theme file is found. Colours are 0..255 or TH_DEFAULT.
 * mono: attributes OR-ed in when colour is off (NO_COLOR, --no-color, < 8 colours), so that
 * elements told apart only by colour stay visible (a selection becomes reverse). */
#define THEME_ELEMENTS(XX)                                                                         \
    XX(APP, "app", TH_DEFAULT, TH_DEFAULT, 0, 0)                                                   \
    XX(TEXT, "text", TH_DEFAULT, TH_DEFAULT, 0, 0)                                                 \
    XX(TEXT_MATCH, "text.match", 16, 220, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)                     \
    XX(HEADER, "header", 252, 236, TH_A_BOLD, TH_A_REVERSE)                                        \
    XX(HEADER_WARN, "header.warn", 16, 214, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)                   \
    XX(HEADER_REPLAY, "header.replay", 16, 141, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)               \
    XX(TITLE, "title", 39, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                                       \
    XX(TAB, "tab", 250, 236, 0, TH_A_REVERSE)                                                      \
    XX(TAB_ACTIVE, "tab.active", 231, 25, TH_A_BOLD, TH_A_BOLD | TH_A_UNDERLINE)                   \
    XX(FRAME_BORDER, "frame.border", 240, TH_DEFAULT, 0, TH_A_DIM)                                 \
    XX(FRAME_BORDER_FOCUS, "frame.border.focus", 39, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)             \
    XX(FRAME_TITLE, "frame.title", 250, TH_DEFAULT, TH_A_BOLD, 0)                                  \
    XX(FRAME_TITLE_FOCUS, "frame.title.focus", 231, 25, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)       \
    XX(FRAME_INFO, "frame.info", 244, TH_DEFAULT, 0, TH_A_DIM)                                     \
    XX(TABLE_HEADER, "table.header", 250, 237, TH_A_BOLD, TH_A_BOLD | TH_A_UNDERLINE)              \
    XX(TABLE_ROW, "table.row", TH_DEFAULT, TH_DEFAULT, 0, 0)                                       \
    XX(TABLE_ROW_ALT, "table.row.alt", TH_DEFAULT, 234, 0, 0)                                      \
    XX(TABLE_SELECTED, "table.selected", 231, 25, TH_A_BOLD, TH_A_REVERSE)                         \
    XX(TABLE_SELECTED_UNFOCUS, "table.selected.unfocus", 252, 238, 0, TH_A_UNDERLINE)              \
    XX(TABLE_FILTER, "table.filter", 220, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                        \
    XX(TABLE_EMPTY, "table.empty", 244, TH_DEFAULT, TH_A_ITALIC, TH_A_DIM)                         \
    XX(STATE_OK, "state.ok", 77, TH_DEFAULT, 0, 0)                                                 \
    XX(STATE_WARN, "state.warn", 214, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                            \
    XX(STATE_BAD, "state.bad", 196, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD | TH_A_UNDERLINE)             \
    XX(STATE_UNKNOWN, "state.unknown", 244, TH_DEFAULT, 0, TH_A_DIM)                               \
    XX(STATE_MUTED, "state.muted", 242, TH_DEFAULT, 0, TH_A_DIM)                                   \
    XX(SBAR, "sbar", 250, 235, 0, TH_A_REVERSE)                                                    \
    XX(SBAR_KEY, "sbar.key", 39, 235, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)                         \
    XX(SBAR_HINT, "sbar.hint", 245, 235, 0, TH_A_REVERSE)                                          \
    XX(SBAR_INFO, "sbar.info", 252, 235, 0, TH_A_REVERSE)                                          \
    XX(SBAR_WARN, "sbar.warn", 16, 214, TH_A_BOLD, TH_A_BOLD)                                      \
    XX(SBAR_ERROR, "sbar.error", 231, 160, TH_A_BOLD, TH_A_BOLD | TH_A_UNDERLINE)                  \
    XX(CLOCK, "clock", 250, 235, 0, TH_A_REVERSE)                                                  \
    XX(HELP_TITLE, "help.title", 39, 236, TH_A_BOLD, TH_A_BOLD)                                    \
    XX(HELP_BORDER, "help.border", 39, 236, 0, 0)                                                  \
    XX(HELP_SECTION, "help.section", 214, 236, TH_A_BOLD, TH_A_UNDERLINE)                          \
    XX(HELP_KEY, "help.key", 81, 236, TH_A_BOLD, TH_A_BOLD)                                        \
    XX(HELP_DESC, "help.desc", 252, 236, 0, 0)                                                     \
    XX(DLG_BORDER, "dlg.border", 39, 236, 0, 0)                                                    \
    XX(DLG_TITLE, "dlg.title", 231, 236, TH_A_BOLD, TH_A_BOLD)                                     \
    XX(DLG_TEXT, "dlg.text", 252, 236, 0, 0)                                                       \
    XX(DLG_WARN, "dlg.warn", 214, 236, TH_A_BOLD, TH_A_BOLD)                                       \
    XX(DLG_BUTTON, "dlg.button", 250, 238, 0, 0)                                                   \
    XX(DLG_BUTTON_FOCUS, "dlg.button.focus", 231, 25, TH_A_BOLD, TH_A_REVERSE | TH_A_BOLD)         \
    XX(INPUT, "input", 252, 238, 0, TH_A_UNDERLINE)                                                \
    XX(INPUT_CURSOR, "input.cursor", 16, 252, 0, TH_A_REVERSE)                                     \
    XX(SPARK, "spark", 39, TH_DEFAULT, 0, 0)                                                       \
    XX(SPARK_WARN, "spark.warn", 214, TH_DEFAULT, 0, TH_A_BOLD)                                    \
    XX(SPARK_BAD, "spark.bad", 196, TH_DEFAULT, 0, TH_A_BOLD | TH_A_UNDERLINE)                     \
    XX(SPARK_AXIS, "spark.axis", 244, TH_DEFAULT, 0, TH_A_DIM)                                     \
    XX(TOPO_NODE, "topo.node", 252, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                              \
    XX(TOPO_OK, "topo.ok", 77, TH_DEFAULT, 0, 0)                                                   \
    XX(TOPO_WARN, "topo.warn", 214, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                              \
    XX(TOPO_BAD, "topo.bad", 196, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD | TH_A_UNDERLINE)               \
    XX(YAML_KEY, "yaml.key", 81, TH_DEFAULT, 0, TH_A_BOLD)                                         \
    XX(YAML_STRING, "yaml.string", 186, TH_DEFAULT, 0, 0)                                          \
    XX(YAML_NUMBER, "yaml.number", 141, TH_DEFAULT, 0, 0)                                          \
    XX(YAML_BOOL, "yaml.bool", 208, TH_DEFAULT, 0, 0)                                              \
    XX(YAML_COMMENT, "yaml.comment", 244, TH_DEFAULT, TH_A_ITALIC, TH_A_DIM)                       \
    XX(YAML_PUNCT, "yaml.punct", 245, TH_DEFAULT, 0, 0)                                            \
    XX(CMDLINE, "cmdline", 252, TH_DEFAULT, 0, 0)                                                  \
    XX(CMDLINE_PROMPT, "cmdline.prompt", 39, TH_DEFAULT, TH_A_BOLD, TH_A_BOLD)                     \
    XX(CMDLINE_COMPLETION, "cmdline.completion", 16, 250, 0, TH_A_REVERSE)                         \
    XX(SCROLLBAR, "scrollbar", 240, TH_DEFAULT, 0, TH_A_DIM)

enum th_elem {
    TH_NONE = -1, /* "inherit": the widget's own default element (e.g. a table cell) */
#define XX(e, name, fg, bg, attrs, mono) TH_##e,
    THEME_ELEMENTS(XX)
#undef XX
        TH__COUNT
};

struct th_style {
    int16_t fg, bg; /* 0..255 or TH_DEFAULT */
    uint16_t attrs; /* TH_A_* */
};

struct theme; /* opaque */

/* A theme holding the built-in fallback styles. Owned (theme_free). Never fails. */
struct theme *theme_new_builtin(void);
void theme_free(struct theme *t); /* NULL does nothing */

/* Parse buf[0..len) as a theme file; `where` names it in messages ("themes/x.theme").
 * On success *out is a new theme owned by the caller, named from `where`'s basename without
 * ".theme". On failure *out is untouched and err holds "WHERE:LINE: reason", e.g.
 * "x.theme:12: unknown element 'tabel.header' (did you mean 'table.header'?)".
 * Elements the file leaves out keep the built-in fallback. Pure; any thread. */
int theme_parse_buf(const char *where, const char *buf, size_t len, struct theme **out,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Read path and parse it as above (errors name path). Small synchronous read: call it at
 * start-up or on an explicit :theme command only. */
int theme_parse_file(const char *path, struct theme **out, struct pxerr *err) PXC_MUST_CHECK;

/* The theme directories searched, in order: $PXC_THEMES_DIR, ~/.config/pxcmesh/themes
 * ($XDG_CONFIG_HOME honoured), PXC_SOURCE_DIR/themes, PXC_THEMES_INSTALL_DIR. Appends owned
 * strings to out (vec_init(out, free)); directories that do not exist are left out. */
void theme_dirs(struct vec *out);
/* Resolve a theme name ("light") or a path (contains '/' or ends in ".theme") to the file
 * to load: writes it to path (size n). Errors: PXE_NOTFOUND naming the themes that are
 * available ("theme 'x' not found (available: default, light, ...)"), PXE_INVAL for a name
 * with characters other than letters, digits, '-', '_', '.'. */
int theme_find(const char *name, char *path, size_t n, struct pxerr *err) PXC_MUST_CHECK;
/* Names of every theme found on the search path, sorted, without duplicates: appends owned
 * strings to out (vec_init(out, free)). For :theme completion and --help. */
void theme_list(struct vec *out);

/* Name given at parse time ("default"), or "builtin". Borrowed: lives as long as t. */
const char *theme_name(const struct theme *t);
/* The style as parsed (before any colour downgrade). */
struct th_style theme_style(const struct theme *t, enum th_elem e);
/* True when the file set e explicitly (the shipped themes set every element). */
bool theme_is_set(const struct theme *t, enum th_elem e);

/* Element table lookups. name: borrowed static; lookup returns TH_NONE when unknown. */
const char *theme_elem_name(enum th_elem e);
enum th_elem theme_elem_lookup(const char *name);

/* NO_COLOR in the environment, present and not empty (no-color.org). */
bool theme_no_color_env(void);

/* Colour capacity after downgrade. */
enum th_mode { TH_MODE_MONO, TH_MODE_8, TH_MODE_16, TH_MODE_256 };
/* Which mode a terminal with `colours` colours (COLORS; 0 when !has_colors()) gets. */
enum th_mode theme_mode_for(int colours, bool no_color);

/* Compute t's attributes for the mode without touching curses: colours downgraded
 * (256 -> 16 -> 8 nearest, mono: none plus each element's mono attributes), one colour
 * pair per distinct fg/bg, numbered from 1. Pure; for tests and for theme_activate. */
void theme_resolve(struct theme *t, enum th_mode mode);
/* theme_resolve(theme_mode_for(colours, no_color)) and then init_pair for every pair
 * (use_default_colors() for TH_DEFAULT when available). Call after start_color(); the
 * caller then redraws everything. Loop thread. Returns the mode used. */
enum th_mode theme_activate(struct theme *t, int colours, bool no_color);
/* The pair a resolved element uses (0: none) and its colours after downgrade. */
short theme_pair(const struct theme *t, enum th_elem e);
struct th_style theme_resolved(const struct theme *t, enum th_elem e);

/* The curses attributes for e, COLOR_PAIR included: what widgets pass to wattrset.
 * TH_NONE gives TH_TEXT. Before resolve/activate: the attributes only. */
attr_t theme_attr(const struct theme *t, enum th_elem e);

/* An inline element drawn on a background element: a state colour in a table cell on an
 * alternate row, or in the status bar. fg and attributes come from fg_elem, the background
 * from bg_elem when fg_elem has none of its own (pairs for these combinations are made by
 * theme_resolve for the backgrounds TABLE_ROW, TABLE_ROW_ALT, TABLE_SELECTED_UNFOCUS, SBAR,
 * HEADER, DLG_TEXT, HELP_DESC; any other bg_elem gives theme_attr(fg_elem)). In mono both
 * elements' attributes are combined. */
attr_t theme_attr_on(const struct theme *t, enum th_elem fg_elem, enum th_elem bg_elem);

/* Colour name parsing, exposed for tests: "red", "brightred", "colour42", "color42", "#ff8000",
 * "default". 0 and *out (0..255 or TH_DEFAULT) on success, -1 when unknown. */
int theme_colour_parse(const char *s, int *out);
/* Nearest xterm-256 index to an RGB colour (the 6x6x6 cube and the grey ramp). */
int theme_rgb_to_256(int r, int g, int b);

#endif
