/* theme: theme files in, curses attributes out. Three stages, each separately testable:
 * parse (text -> struct theme, strict, transactional: a bad file never changes what is in
 * force, because the caller only swaps on success), resolve (styles -> colours the terminal
 * has, pairs numbered, mono attributes added) and activate (the only init_pair calls in the
 * program). It deliberately has no notion of which theme is current: the app owns that. */
#include "theme.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "strbuf.h"
#include "xmalloc.h"

#define THEME_MAX_PALETTE 64
#define THEME_MAX_FILE (1024 * 1024)
/* COLOR_PAIR() keeps the pair number in 8 bits of an attr_t. */
#define TH_MAX_PAIRS 255

struct theme {
    char name[64];
    struct th_style st[TH__COUNT]; /* as parsed (or fallback) */
    bool set[TH__COUNT];
    bool resolved;
    enum th_mode mode;
    struct th_style res[TH__COUNT]; /* after downgrade */
    short pair[TH__COUNT];
    int n_pairs;                       /* pairs 1..n_pairs used */
    int16_t pair_fg[TH_MAX_PAIRS + 1]; /* index: pair number */
    int16_t pair_bg[TH_MAX_PAIRS + 1];
    attr_t attr[TH__COUNT];
    attr_t on[TH__COUNT][7]; /* theme_attr_on, by index in on_bgs[] */
};

/* Backgrounds that inline elements are drawn on (theme_attr_on). */
static const enum th_elem on_bgs[7] = {
    TH_TABLE_ROW, TH_TABLE_ROW_ALT, TH_TABLE_SELECTED_UNFOCUS, TH_SBAR, TH_HEADER,
    TH_DLG_TEXT,  TH_HELP_DESC,
};

static const struct {
    const char *name;
    struct th_style fallback;
    uint16_t mono;
} elems[TH__COUNT] = {
#define XX(e, n, f, b, a, m) [TH_##e] = {n, {f, b, a}, m},
    THEME_ELEMENTS(XX)
#undef XX
};

static const char *const colour_names[16] = {
    "black",      "red",           "green",       "yellow",      "blue",        "magenta",
    "cyan",       "white",         "brightblack", "brightred",   "brightgreen", "brightyellow",
    "brightblue", "brightmagenta", "brightcyan",  "brightwhite",
};

static const struct {
    const char *name;
    uint16_t bit;
} attr_names[] = {
    {"bold", TH_A_BOLD},
    {"dim", TH_A_DIM},
    {"italic", TH_A_ITALIC},
    {"underline", TH_A_UNDERLINE},
    {"reverse", TH_A_REVERSE},
    {"blink", TH_A_BLINK},
    {"none", 0},
};

/* xterm's RGB for the 16 basic colours, used to downgrade. */
static const unsigned char basic_rgb[16][3] = {
    {0, 0, 0},     {205, 0, 0},     {0, 205, 0},     {205, 205, 0},   {0, 0, 238}, {205, 0, 205},
    {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},     {0, 255, 0}, {255, 255, 0},
    {92, 92, 255}, {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

static void
theme_defaults(struct theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "builtin");
    for (int i = 0; i < TH__COUNT; i++)
        t->st[i] = elems[i].fallback;
}

struct theme *
theme_new_builtin(void)
{
    struct theme *t = xmalloc(sizeof *t);
    theme_defaults(t);
    return t;
}

void
theme_free(struct theme *t)
{
    free(t);
}

const char *
theme_elem_name(enum th_elem e)
{
    return e >= 0 && e < TH__COUNT ? elems[e].name : "?";
}

enum th_elem
theme_elem_lookup(const char *name)
{
    for (int i = 0; i < TH__COUNT; i++)
        if (strcmp(elems[i].name, name) == 0)
            return (enum th_elem)i;
    return TH_NONE;
}

const char *
theme_name(const struct theme *t)
{
    return t->name;
}

struct th_style
theme_style(const struct theme *t, enum th_elem e)
{
    if (e < 0 || e >= TH__COUNT)
        e = TH_TEXT;
    return t->st[e];
}

bool
theme_is_set(const struct theme *t, enum th_elem e)
{
    return e >= 0 && e < TH__COUNT && t->set[e];
}

bool
theme_no_color_env(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

/* ---- colours ---- */

int
theme_rgb_to_256(int r, int g, int b)
{
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    int best = 16;
    long bestd = LONG_MAX;
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++) {
                long d = (long)(r - lv[i]) * (r - lv[i]) + (long)(g - lv[j]) * (g - lv[j]) +
                         (long)(b - lv[k]) * (b - lv[k]);
                if (d < bestd)
                    bestd = d, best = 16 + 36 * i + 6 * j + k;
            }
    for (int i = 0; i < 24; i++) {
        int v = 8 + 10 * i;
        long d = (long)(r - v) * (r - v) + (long)(g - v) * (g - v) + (long)(b - v) * (b - v);
        if (d < bestd)
            bestd = d, best = 232 + i;
    }
    return best;
}

static void
colour_rgb(int c, int rgb[3])
{
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    if (c < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = basic_rgb[c][i];
    } else if (c < 232) {
        c -= 16;
        rgb[0] = lv[c / 36], rgb[1] = lv[(c / 6) % 6], rgb[2] = lv[c % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
theme_colour_parse(const char *s, int *out)
{
    if (strcmp(s, "default") == 0) {
        *out = TH_DEFAULT;
        return 0;
    }
    for (int i = 0; i < 16; i++)
        if (strcmp(s, colour_names[i]) == 0) {
            *out = i;
            return 0;
        }
    const char *num = NULL;
    if (strncmp(s, "colour", 6) == 0)
        num = s + 6;
    else if (strncmp(s, "color", 5) == 0)
        num = s + 5;
    if (num) {
        if (!*num || strlen(num) > 3)
            return -1;
        int v = 0;
        for (const char *p = num; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            v = v * 10 + (*p - '0');
        }
        if (v > 255)
            return -1;
        *out = v;
        return 0;
    }
    if (s[0] == '#' && strlen(s) == 7) {
        int v[6];
        for (int i = 0; i < 6; i++)
            if ((v[i] = hexval((unsigned char)s[i + 1])) < 0)
                return -1;
        *out = theme_rgb_to_256(v[0] * 16 + v[1], v[2] * 16 + v[3], v[4] * 16 + v[5]);
        return 0;
    }
    return -1;
}

/* Nearest colour among the first `n` basic ones (8 or 16). */
static int
nearest_basic(int c, int n)
{
    if (c < 0)
        return c;
    if (c < n)
        return c;
    if (c < 16 && n == 8)
        return c - 8;
    int rgb[3];
    colour_rgb(c, rgb);
    int best = 0;
    long bestd = LONG_MAX;
    for (int i = 0; i < n; i++) {
        long d = 0;
        for (int k = 0; k < 3; k++)
            d += (long)(rgb[k] - basic_rgb[i][k]) * (rgb[k] - basic_rgb[i][k]);
        if (d < bestd)
            bestd = d, best = i;
    }
    return best;
}

static bool
is_dark(int c)
{
    int rgb[3];
    colour_rgb(c, rgb);
    return rgb[0] * 3 + rgb[1] * 6 + rgb[2] < 128 * 10;
}

/* ---- suggestions ---- */

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions), so that
 * "tabel" is one edit from "table". Strings here are short; longer ones are not compared. */
static int
edit_distance(const char *a, const char *b)
{
    enum { MAXL = 48 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAXL || lb >= MAXL)
        return 99;
    int d[MAXL + 1][MAXL + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

struct suggest {
    const char *word;
    const char *best;
    int dist;
};

static void
suggest_try(struct suggest *s, const char *cand)
{
    int d = edit_distance(s->word, cand);
    int limit = strlen(s->word) <= 4 ? 1 : 2;
    if (d <= limit && d < s->dist)
        s->dist = d, s->best = cand;
}

/* ---- parser ---- */

struct palette_entry {
    char name[32];
    int colour;
    int line;
};

struct parser {
    const char *where;
    int line;
    struct theme *t;
    struct palette_entry pal[THEME_MAX_PALETTE];
    int n_pal;
    int elem_line[TH__COUNT];
    int n_good; /* lines read as theme lines so far: until one is, the file may be anything */
    struct pxerr *err;
};

static int PXC_PRINTF(2, 3) perr(struct parser *p, const char *fmt, ...)
{
    char msg[224];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pxerr_set(p->err, PXE_PARSE, "%s:%d: %s", p->where, p->line, msg);
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool
valid_name(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

static int
colour_lookup(struct parser *p, const char *s, int *out)
{
    for (int i = 0; i < p->n_pal; i++)
        if (strcmp(p->pal[i].name, s) == 0) {
            *out = p->pal[i].colour;
            return 0;
        }
    if (theme_colour_parse(s, out) == 0)
        return 0;
    struct suggest sg = {s, NULL, 99};
    suggest_try(&sg, "default");
    for (int i = 0; i < 16; i++)
        suggest_try(&sg, colour_names[i]);
    for (int i = 0; i < p->n_pal; i++)
        suggest_try(&sg, p->pal[i].name);
    if (!strncmp(s, "colo", 4) && isdigit((unsigned char)s[strlen(s) - 1]))
        return perr(p, "colour '%.40s' out of range (colour0 to colour255)", s);
    if (sg.best)
        return perr(p, "unknown colour '%.40s' (did you mean '%s'?)", s, sg.best);
    return perr(p,
                "unknown colour '%.40s' (use default, black..white, brightblack..brightwhite, "
                "colour0-255, #rrggbb or a palette name)",
                s);
}

static int
parse_palette(struct parser *p, char *rest)
{
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return perr(p, "palette entry '%.40s' is not NAME=COLOUR", tok);
        *eq = '\0';
        const char *name = tok, *val = eq + 1;
        int dummy;
        if (!valid_name(name) || strlen(name) >= sizeof p->pal[0].name)
            return perr(p, "bad palette name '%.40s' (letters, digits, '-', '_'; at most 31)",
                        name);
        if (theme_colour_parse(name, &dummy) == 0)
            return perr(p, "palette name '%.40s' is a colour name; choose another", name);
        for (int i = 0; i < p->n_pal; i++)
            if (strcmp(p->pal[i].name, name) == 0)
                return perr(p, "palette name '%.40s' defined twice (first on line %d)", name,
                            p->pal[i].line);
        if (p->n_pal == THEME_MAX_PALETTE)
            return perr(p, "too many palette names (at most %d)", THEME_MAX_PALETTE);
        int c;
        int rc = colour_lookup(p, val, &c);
        if (rc < 0)
            return rc;
        struct palette_entry *pe = &p->pal[p->n_pal++];
        snprintf(pe->name, sizeof pe->name, "%s", name);
        pe->colour = c;
        pe->line = p->line;
        n++;
    }
    if (n == 0)
        return perr(p, "empty palette line (expected 'palette NAME=COLOUR ...')");
    return 0;
}

static int
parse_style(struct parser *p, char *s, struct th_style *out)
{
    struct th_style st = {TH_DEFAULT, TH_DEFAULT, 0};
    bool fg_set = false, bg_set = false;
    /* strtok_r would merge ",," silently; walk by hand to refuse empty items. */
    char *item = s;
    for (;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *tok = trim(item);
        if (!*tok)
            return perr(p, "empty item in style (two commas, or a comma at an end)");
        char *eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            char *key = trim(tok), *val = trim(eq + 1);
            bool is_fg = strcmp(key, "fg") == 0, is_bg = strcmp(key, "bg") == 0;
            if (!is_fg && !is_bg) {
                struct suggest sg = {key, NULL, 99};
                suggest_try(&sg, "fg");
                suggest_try(&sg, "bg");
                if (sg.best)
                    return perr(p, "unknown style key '%.40s' (did you mean '%s'?)", key, sg.best);
                return perr(p, "unknown style key '%.40s' (use fg=COLOUR or bg=COLOUR)", key);
            }
            if ((is_fg && fg_set) || (is_bg && bg_set))
                return perr(p, "'%s' given twice in one style", key);
            if (!*val)
                return perr(p, "'%s=' needs a colour", key);
            int c;
            int rc = colour_lookup(p, val, &c);
            if (rc < 0)
                return rc;
            if (is_fg)
                st.fg = (int16_t)c, fg_set = true;
            else
                st.bg = (int16_t)c, bg_set = true;
        } else {
            size_t i;
            for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
                if (strcmp(tok, attr_names[i].name) == 0)
                    break;
            if (i == sizeof attr_names / sizeof attr_names[0]) {
                struct suggest sg = {tok, NULL, 99};
                for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
                    suggest_try(&sg, attr_names[i].name);
                if (sg.best)
                    return perr(p, "unknown attribute '%.40s' (did you mean '%s'?)", tok, sg.best);
                return perr(p,
                            "unknown attribute '%.40s' (use bold, dim, italic, underline, "
                            "reverse, blink, none, fg=COLOUR, bg=COLOUR)",
                            tok);
            }
            st.attrs |= attr_names[i].bit;
        }
        if (!comma)
            break;
        item = comma + 1;
    }
    *out = st;
    return 0;
}

static int
parse_element(struct parser *p, char *line)
{
    /* The file may not be a theme at all (":theme /etc/shadow"): its text is quoted only
     * where it names a known element, or is a typo of one, or follows good theme lines.
     * Otherwise the error gives the line and the rule, never the line's content. */
    char *eq = strchr(line, '=');
    if (!eq) {
        return perr(p, "not a theme line: expected 'ELEMENT = STYLE' or 'palette NAME=COLOUR "
                       "...'");
    }
    *eq = '\0';
    char *name = trim(line), *style = trim(eq + 1);
    if (!*name)
        return perr(p, "missing element name before '='");
    enum th_elem e = theme_elem_lookup(name);
    if (e == TH_NONE) {
        struct suggest sg = {name, NULL, 99};
        for (int i = 0; i < TH__COUNT; i++)
            suggest_try(&sg, elems[i].name);
        if (sg.best)
            return perr(p, "unknown element '%.48s' (did you mean '%s'?)", name, sg.best);
        if (p->n_good > 0 && valid_name(name))
            return perr(p, "unknown element '%.48s' (docs/themes.md lists the elements)", name);
        return perr(p, "not a theme line: no element of that name before '=' (docs/themes.md "
                       "lists the elements)");
    }
    if (p->t->set[e])
        return perr(p, "element '%s' set twice (first on line %d)", name, p->elem_line[e]);
    if (!*style)
        return perr(p, "element '%s' has an empty style (use 'none' for plain text)", name);
    int rc = parse_style(p, style, &p->t->st[e]);
    if (rc < 0)
        return rc;
    p->t->set[e] = true;
    p->elem_line[e] = p->line;
    return 0;
}

/* Strip a comment: '#' at the start or after a blank. "fg=#ff0000" keeps its colour. */
static void
strip_comment(char *s)
{
    for (char *c = s; *c; c++)
        if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            return;
        }
}

static void
name_from_where(struct theme *t, const char *where)
{
    const char *base = strrchr(where, '/');
    base = base ? base + 1 : where;
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ".theme") == 0)
        n -= 6;
    if (n >= sizeof t->name)
        n = sizeof t->name - 1;
    memcpy(t->name, base, n);
    t->name[n] = '\0';
}

int
theme_parse_buf(const char *where, const char *buf, size_t len, struct theme **out,
                struct pxerr *err)
{
    struct parser p = {.where = where, .err = err};
    struct theme *t = theme_new_builtin();
    p.t = t;
    name_from_where(t, where);
    size_t pos = 0;
    int rc = 0;
    char *line = NULL;
    while (pos < len && rc == 0) {
        p.line++;
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
        if (memchr(buf + pos, '\0', n)) {
            rc = perr(&p, "NUL byte in theme file (is it a text file?)");
            break;
        }
        line = xstrndup(buf + pos, n);
        pos += n + (nl ? 1 : 0);
        strip_comment(line);
        char *s = trim(line);
        if (*s) {
            if (strncmp(s, "palette", 7) == 0 && (s[7] == ' ' || s[7] == '\t'))
                rc = parse_palette(&p, s + 8);
            else if (strcmp(s, "palette") == 0)
                rc = perr(&p, "empty palette line (expected 'palette NAME=COLOUR ...')");
            else
                rc = parse_element(&p, s);
            if (rc == 0)
                p.n_good++;
        }
        free(line);
    }
    if (rc < 0) {
        theme_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int
theme_parse_file(const char *path, struct theme **out, struct pxerr *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = file_read(path, THEME_MAX_FILE, &buf, &len, err);
    if (rc != 0) {
        pxerr_prefix(err, "theme ");
        return rc;
    }
    rc = theme_parse_buf(path, buf, len, out, err);
    free(buf);
    return rc;
}

/* ---- search path ---- */

static bool
is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
push_dir(struct vec *out, char *dir)
{
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->items[i], dir) == 0) {
            free(dir);
            return;
        }
    if (is_dir(dir))
        vec_push(out, dir);
    else
        free(dir);
}

void
theme_dirs(struct vec *out)
{
    const char *env = getenv("PXC_THEMES_DIR");
    if (env && *env)
        push_dir(out, xstrdup(env));
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        push_dir(out, xasprintf("%s/pxcmesh/themes", xdg));
    else if (home && *home)
        push_dir(out, xasprintf("%s/.config/pxcmesh/themes", home));
#ifdef PXC_SOURCE_DIR
    push_dir(out, xstrdup(PXC_SOURCE_DIR "/themes"));
#endif
#ifdef PXC_THEMES_INSTALL_DIR
    push_dir(out, xstrdup(PXC_THEMES_INSTALL_DIR));
#endif
}

static bool
valid_theme_name(const char *s)
{
    if (!*s || *s == '.')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

int
theme_find(const char *name, char *path, size_t n, struct pxerr *err)
{
    size_t nl = strlen(name);
    if (strchr(name, '/') || (nl > 6 && strcmp(name + nl - 6, ".theme") == 0)) {
        if (access(name, R_OK) != 0)
            return pxerr_set(err, PXE_NOTFOUND, "theme file '%s': %s", name, strerror(errno));
        snprintf(path, n, "%s", name);
        return 0;
    }
    if (!valid_theme_name(name))
        return pxerr_set(err, PXE_INVAL,
                         "invalid theme name '%.64s' (letters, digits, '-', '_', '.')", name);
    struct vec dirs;
    vec_init(&dirs, free);
    theme_dirs(&dirs);
    int rc = PXE_NOTFOUND;
    for (size_t i = 0; i < dirs.n; i++) {
        char *cand = xasprintf("%s/%s.theme", (char *)dirs.items[i], name);
        if (access(cand, R_OK) == 0) {
            snprintf(path, n, "%s", cand);
            rc = 0;
        }
        free(cand);
        if (rc == 0)
            break;
    }
    if (rc != 0) {
        struct vec names;
        vec_init(&names, free);
        theme_list(&names);
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; i < names.n; i++)
            strbuf_appendf(&sb, "%s%s", i ? ", " : "", (char *)names.items[i]);
        if (dirs.n == 0)
            pxerr_set(err, PXE_NOTFOUND,
                      "theme '%.64s' not found: no theme directory exists (set PXC_THEMES_DIR)",
                      name);
        else
            pxerr_set(err, PXE_NOTFOUND, "theme '%.64s' not found (available: %s)", name,
                      sb.len ? sb.s : "none");
        strbuf_fini(&sb);
        vec_fini(&names);
    }
    vec_fini(&dirs);
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

void
theme_list(struct vec *out)
{
    struct vec dirs;
    vec_init(&dirs, free);
    theme_dirs(&dirs);
    size_t first = out->n;
    for (size_t i = 0; i < dirs.n; i++) {
        DIR *d = opendir(dirs.items[i]);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t l = strlen(de->d_name);
            if (l <= 6 || strcmp(de->d_name + l - 6, ".theme") != 0 || de->d_name[0] == '.')
                continue;
            char *nm = xstrndup(de->d_name, l - 6);
            bool dup = false;
            for (size_t k = first; k < out->n && !dup; k++)
                dup = strcmp(out->items[k], nm) == 0;
            if (dup)
                free(nm);
            else
                vec_push(out, nm);
        }
        closedir(d);
    }
    vec_fini(&dirs);
    /* Sort only what we appended: the caller's earlier items stay where they were. */
    if (out->n - first > 1) {
        struct vec tail;
        vec_init(&tail, NULL);
        for (size_t k = first; k < out->n; k++)
            vec_push(&tail, out->items[k]);
        vec_sort(&tail, cmp_str);
        for (size_t k = first; k < out->n; k++)
            out->items[k] = tail.items[k - first];
        vec_fini(&tail);
    }
}

/* ---- resolve and activate ---- */

enum th_mode
theme_mode_for(int colours, bool no_color)
{
    if (no_color || colours < 8)
        return TH_MODE_MONO;
    if (colours < 16)
        return TH_MODE_8;
    if (colours < 256)
        return TH_MODE_16;
    return TH_MODE_256;
}

static int
downgrade(int c, enum th_mode mode)
{
    switch (mode) {
    case TH_MODE_256:
        return c;
    case TH_MODE_16:
        return nearest_basic(c, 16);
    case TH_MODE_8:
        return nearest_basic(c, 8);
    case TH_MODE_MONO:
        break;
    }
    return TH_DEFAULT;
}

static attr_t
curses_attrs(uint16_t a)
{
    attr_t r = A_NORMAL;
    if (a & TH_A_BOLD)
        r |= A_BOLD;
    if (a & TH_A_DIM)
        r |= A_DIM;
    if (a & TH_A_ITALIC)
        r |= A_ITALIC;
    if (a & TH_A_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & TH_A_REVERSE)
        r |= A_REVERSE;
    if (a & TH_A_BLINK)
        r |= A_BLINK;
    return r;
}

/* The pair for fg/bg, made when new; 0 when both are default or pairs ran out. */
static short
pair_for(struct theme *t, int fg, int bg)
{
    if (fg == TH_DEFAULT && bg == TH_DEFAULT)
        return 0;
    for (int k = 1; k <= t->n_pairs; k++)
        if (t->pair_fg[k] == fg && t->pair_bg[k] == bg)
            return (short)k;
    if (t->n_pairs == TH_MAX_PAIRS)
        return 0;
    short pair = (short)++t->n_pairs;
    t->pair_fg[pair] = (int16_t)fg;
    t->pair_bg[pair] = (int16_t)bg;
    return pair;
}

void
theme_resolve(struct theme *t, enum th_mode mode)
{
    t->mode = mode;
    t->n_pairs = 0;
    for (int e = 0; e < TH__COUNT; e++) {
        struct th_style s = t->st[e];
        struct th_style r = s;
        if (mode == TH_MODE_MONO) {
            r.fg = r.bg = TH_DEFAULT;
            r.attrs |= elems[e].mono;
        } else {
            r.fg = (int16_t)downgrade(s.fg, mode);
            r.bg = (int16_t)downgrade(s.bg, mode);
            /* Two colours that collapse into one would hide the text: keep it readable. */
            if (r.fg >= 0 && r.fg == r.bg && s.fg != s.bg)
                r.fg = is_dark(r.bg) ? 7 : 0;
        }
        t->res[e] = r;
        short pair = pair_for(t, r.fg, r.bg);
        t->pair[e] = pair;
        t->attr[e] = curses_attrs(r.attrs) | (attr_t)COLOR_PAIR(pair);
    }
    /* Combinations after the elements' own pairs, so that running out of pairs (8-colour
     * terminals have 64) costs combinations first. */
    for (int e = 0; e < TH__COUNT; e++)
        for (int b = 0; b < 7; b++) {
            struct th_style fs = t->res[e], bs = t->res[on_bgs[b]];
            if (mode == TH_MODE_MONO) {
                t->on[e][b] = curses_attrs(fs.attrs | bs.attrs);
            } else if (fs.bg != TH_DEFAULT || bs.bg == TH_DEFAULT) {
                t->on[e][b] = t->attr[e];
            } else {
                int fg = fs.fg == TH_DEFAULT ? bs.fg : fs.fg;
                if (fg == bs.bg)
                    fg = is_dark(bs.bg) ? 7 : 0;
                short pair = pair_for(t, fg, bs.bg);
                t->on[e][b] = pair ? curses_attrs(fs.attrs) | (attr_t)COLOR_PAIR(pair) : t->attr[e];
            }
        }
    t->resolved = true;
}

enum th_mode
theme_activate(struct theme *t, int colours, bool no_color)
{
    enum th_mode mode = theme_mode_for(colours, no_color);
    theme_resolve(t, mode);
    if (mode == TH_MODE_MONO)
        return mode;
    bool have_default = use_default_colors() == OK;
    for (int k = 1; k <= t->n_pairs; k++) {
        short fg = t->pair_fg[k], bg = t->pair_bg[k];
        if (!have_default) {
            if (fg == TH_DEFAULT)
                fg = COLOR_WHITE;
            if (bg == TH_DEFAULT)
                bg = COLOR_BLACK;
        }
        if (k < COLOR_PAIRS)
            init_pair((short)k, fg, bg);
    }
    /* A terminal with fewer pairs than the theme needs: those elements lose their colour
     * and get their mono attributes instead, rather than someone else's colours. */
    for (int e = 0; e < TH__COUNT; e++) {
        if (t->pair[e] >= COLOR_PAIRS) {
            t->pair[e] = 0;
            t->attr[e] = curses_attrs(t->res[e].attrs | elems[e].mono);
        }
        for (int b = 0; b < 7; b++)
            if (PAIR_NUMBER(t->on[e][b]) >= COLOR_PAIRS)
                t->on[e][b] = t->attr[e];
    }
    return mode;
}

short
theme_pair(const struct theme *t, enum th_elem e)
{
    if (!t || !t->resolved || e < 0 || e >= TH__COUNT)
        return 0;
    return t->pair[e];
}

struct th_style
theme_resolved(const struct theme *t, enum th_elem e)
{
    if (e < 0 || e >= TH__COUNT)
        e = TH_TEXT;
    return t->resolved ? t->res[e] : t->st[e];
}

attr_t
theme_attr(const struct theme *t, enum th_elem e)
{
    if (e < 0 || e >= TH__COUNT)
        e = TH_TEXT;
    if (!t)
        return curses_attrs(elems[e].mono);
    if (!t->resolved)
        return curses_attrs(t->st[e].attrs);
    return t->attr[e];
}

attr_t
theme_attr_on(const struct theme *t, enum th_elem fg_elem, enum th_elem bg_elem)
{
    if (fg_elem < 0 || fg_elem >= TH__COUNT)
        fg_elem = TH_TEXT;
    if (!t || !t->resolved)
        return theme_attr(t, fg_elem);
    for (int b = 0; b < 7; b++)
        if (on_bgs[b] == bg_elem)
            return t->on[fg_elem][b];
    return t->attr[fg_elem];
}
