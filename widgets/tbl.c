/* tbl: the generic table. It stores a refresh's cells in two flat arrays and one text
 * buffer, so setting 10,000 rows allocates nothing once the buffers have grown; sorting and
 * filtering build an index (view) over the rows rather than moving them. The selection is
 * remembered by row id, which is what lets a view rebuild every row on each model change
 * without the cursor jumping. It deliberately knows nothing of what a row is. */
#include "tbl.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "wkey.h"
#include "wtext.h"

struct tcell {
    uint32_t off; /* into t->text, NUL-terminated */
    uint16_t w;   /* display columns (UTF-8 mode) */
    int16_t elem; /* TH_NONE: the row's */
    bool has_key;
    double key;
};

struct trow {
    uint32_t id_off;
    uint32_t cell0; /* first of n_cols cells */
    int16_t elem;
};

struct tbl {
    struct tbl_col cols[TBL_MAX_COLS];
    size_t n_cols;
    char *empty_text;

    struct strbuf text;
    struct trow *rows;
    size_t n_rows, cap_rows;
    struct tcell *cells;
    size_t n_cells, cap_cells;
    size_t cur_cells; /* cells given for the current row */

    uint32_t *view; /* row indices shown, in order */
    size_t n_view, cap_view;

    int sort_col;
    bool sort_desc;
    char *filter;
    bool filter_neg;
    const char *needle; /* into filter, after the '!' */

    int sel; /* index in view, -1 when empty */
    int top;
    int height;     /* body rows on screen */
    char *saved_id; /* selection across rows_begin..rows_end */
    int saved_sel;

    int natural[TBL_MAX_COLS];
    int lay_x[TBL_MAX_COLS], lay_w[TBL_MAX_COLS]; /* last layout, for tbl_col_at */
    int lay_body_h;
};

struct tbl *
tbl_new(const struct tbl_col *cols, size_t n_cols)
{
    if (n_cols > TBL_MAX_COLS)
        pxc_fatal("tbl_new: %zu columns, at most %d", n_cols, TBL_MAX_COLS);
    struct tbl *t = xcalloc(1, sizeof *t);
    t->n_cols = n_cols;
    for (size_t i = 0; i < n_cols; i++) {
        t->cols[i] = cols[i];
        t->cols[i].title = xstrdup(cols[i].title ? cols[i].title : "");
    }
    t->empty_text = xstrdup("no rows");
    strbuf_init(&t->text);
    t->sort_col = -1;
    t->filter = xstrdup("");
    t->needle = t->filter;
    t->sel = -1;
    t->height = 10;
    return t;
}

void
tbl_free(struct tbl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_cols; i++)
        free((char *)t->cols[i].title);
    free(t->empty_text);
    strbuf_fini(&t->text);
    free(t->rows);
    free(t->cells);
    free(t->view);
    free(t->filter);
    free(t->saved_id);
    free(t);
}

size_t
tbl_n_cols(const struct tbl *t)
{
    return t->n_cols;
}

void
tbl_set_empty_text(struct tbl *t, const char *text)
{
    free(t->empty_text);
    t->empty_text = xstrdup(text ? text : "");
}

static const char *
txt(const struct tbl *t, uint32_t off)
{
    return t->text.s + off;
}

static uint32_t
store(struct tbl *t, const char *s)
{
    if (t->text.len > UINT32_MAX - 65536)
        pxc_fatal("tbl: more than 4 GiB of cell text");
    uint32_t off = (uint32_t)t->text.len;
    strbuf_appendn(&t->text, s, strlen(s) + 1);
    return off;
}

/* ---- selection bookkeeping ---- */

static void
clamp_top(struct tbl *t)
{
    int h = t->height > 0 ? t->height : 1;
    if (t->sel >= 0) {
        if (t->sel < t->top)
            t->top = t->sel;
        if (t->sel >= t->top + h)
            t->top = t->sel - h + 1;
    }
    int max_top = (int)t->n_view - h;
    if (max_top < 0)
        max_top = 0;
    if (t->top > max_top)
        t->top = max_top;
    if (t->top < 0)
        t->top = 0;
}

static int
find_row_in_view(const struct tbl *t, uint32_t row)
{
    for (size_t i = 0; i < t->n_view; i++)
        if (t->view[i] == row)
            return (int)i;
    return -1;
}

static int
find_id_in_view(const struct tbl *t, const char *id)
{
    for (size_t i = 0; i < t->n_view; i++)
        if (strcmp(txt(t, t->rows[t->view[i]].id_off), id) == 0)
            return (int)i;
    return -1;
}

/* Selection after the view changed: the same row if still shown, else the same index. */
static void
reselect(struct tbl *t, int found, int old_index)
{
    if (t->n_view == 0)
        t->sel = -1;
    else if (found >= 0)
        t->sel = found;
    else if (old_index < 0)
        t->sel = 0;
    else
        t->sel = old_index < (int)t->n_view ? old_index : (int)t->n_view - 1;
    clamp_top(t);
}

/* ---- sorting and filtering ---- */

/* Natural, case-insensitive order: digit runs compare as numbers ("pod-2" < "pod-10"). */
static int
natcmp(const char *a, const char *b)
{
    while (*a && *b) {
        unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= '0' && ca <= '9' && cb >= '0' && cb <= '9') {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (a[la] >= '0' && a[la] <= '9')
                la++;
            while (b[lb] >= '0' && b[lb] <= '9')
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(a, b, la);
            if (c)
                return c;
            a += la, b += lb;
            continue;
        }
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca + 32);
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb + 32);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a++, b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int
cmp_rows(const void *pa, const void *pb, void *arg)
{
    const struct tbl *t = arg;
    uint32_t ra = *(const uint32_t *)pa, rb = *(const uint32_t *)pb;
    int c = 0;
    if (t->sort_col >= 0) {
        const struct tcell *a = &t->cells[t->rows[ra].cell0 + (size_t)t->sort_col];
        const struct tcell *b = &t->cells[t->rows[rb].cell0 + (size_t)t->sort_col];
        if (a->has_key && b->has_key)
            c = a->key < b->key ? -1 : a->key > b->key ? 1 : 0;
        else if (a->has_key != b->has_key)
            c = a->has_key ? -1 : 1;
        else
            c = natcmp(txt(t, a->off), txt(t, b->off));
        if (t->sort_desc)
            c = -c;
    }
    /* Ties keep insertion order: a total order, so qsort is stable in effect. */
    if (c == 0)
        c = ra < rb ? -1 : ra > rb ? 1 : 0;
    return c;
}

static bool
row_matches(const struct tbl *t, const struct trow *r)
{
    if (!*t->needle)
        return true;
    bool hit = false;
    for (size_t c = 0; c < t->n_cols && !hit; c++)
        hit = wtext_casestr(txt(t, t->cells[r->cell0 + c].off), t->needle) != NULL;
    return hit != t->filter_neg;
}

static void
rebuild_view(struct tbl *t)
{
    if (t->cap_view < t->n_rows) {
        t->cap_view = t->n_rows;
        t->view = xreallocarray(t->view, t->cap_view, sizeof *t->view);
    }
    t->n_view = 0;
    for (size_t i = 0; i < t->n_rows; i++)
        if (row_matches(t, &t->rows[i]))
            t->view[t->n_view++] = (uint32_t)i;
    if (t->sort_col >= 0 && t->n_view > 1)
        qsort_r(t->view, t->n_view, sizeof *t->view, cmp_rows, t);
}

/* Rebuild the view keeping the selected row (same rows, new order or filter). */
static void
refresh_view(struct tbl *t)
{
    int old = t->sel;
    int64_t row = old >= 0 ? (int64_t)t->view[old] : -1;
    rebuild_view(t);
    reselect(t, row >= 0 ? find_row_in_view(t, (uint32_t)row) : -1, old);
}

void
tbl_sort(struct tbl *t, int col, bool desc)
{
    if (col >= (int)t->n_cols)
        return;
    t->sort_col = col < 0 ? -1 : col;
    t->sort_desc = col >= 0 && desc;
    refresh_view(t);
}

void
tbl_sort_toggle(struct tbl *t, int col)
{
    if (col == t->sort_col)
        tbl_sort(t, col, !t->sort_desc);
    else
        tbl_sort(t, col, false);
}

int
tbl_sort_col(const struct tbl *t)
{
    return t->sort_col;
}

bool
tbl_sort_desc(const struct tbl *t)
{
    return t->sort_desc;
}

void
tbl_set_filter(struct tbl *t, const char *filter)
{
    free(t->filter);
    t->filter = xstrdup(filter ? filter : "");
    t->filter_neg = t->filter[0] == '!';
    t->needle = t->filter + (t->filter_neg ? 1 : 0);
    refresh_view(t);
}

const char *
tbl_filter(const struct tbl *t)
{
    return t->filter;
}

/* ---- rows ---- */

void
tbl_rows_begin(struct tbl *t)
{
    free(t->saved_id);
    t->saved_id = t->sel >= 0 ? xstrdup(txt(t, t->rows[t->view[t->sel]].id_off)) : NULL;
    t->saved_sel = t->sel;
    strbuf_reset(&t->text);
    t->n_rows = t->n_cells = t->n_view = 0;
    t->cur_cells = 0;
    t->sel = -1;
}

static void
finish_row(struct tbl *t)
{
    while (t->n_rows > 0 && t->cur_cells < t->n_cols)
        tbl_cell(t, "", TH_NONE);
}

void
tbl_row(struct tbl *t, const char *id, enum th_elem elem)
{
    finish_row(t);
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 64;
        t->rows = xreallocarray(t->rows, t->cap_rows, sizeof *t->rows);
    }
    if (t->n_cells + t->n_cols > t->cap_cells) {
        while (t->n_cells + t->n_cols > t->cap_cells)
            t->cap_cells = t->cap_cells ? t->cap_cells * 2 : 256;
        t->cells = xreallocarray(t->cells, t->cap_cells, sizeof *t->cells);
    }
    struct trow *r = &t->rows[t->n_rows++];
    r->id_off = store(t, id ? id : "");
    r->cell0 = (uint32_t)t->n_cells;
    r->elem = (int16_t)elem;
    t->cur_cells = 0;
}

static void
add_cell(struct tbl *t, const char *text, bool has_key, double key, enum th_elem elem)
{
    if (t->n_rows == 0 || t->cur_cells >= t->n_cols)
        return;
    struct tcell *c = &t->cells[t->n_cells++];
    c->off = store(t, text ? text : "");
    int w = wtext_width(text, false);
    c->w = (uint16_t)(w > 65535 ? 65535 : w);
    c->elem = (int16_t)elem;
    c->has_key = has_key;
    c->key = key;
    t->cur_cells++;
}

void
tbl_cell(struct tbl *t, const char *text, enum th_elem elem)
{
    add_cell(t, text, false, 0, elem);
}

void
tbl_cell_num(struct tbl *t, const char *text, double key, enum th_elem elem)
{
    add_cell(t, text, true, key, elem);
}

void
tbl_cellf(struct tbl *t, enum th_elem elem, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_cell(t, buf, false, 0, elem);
}

void
tbl_rows_end(struct tbl *t)
{
    finish_row(t);
    for (size_t c = 0; c < t->n_cols; c++)
        t->natural[c] = wtext_width(t->cols[c].title, false);
    for (size_t r = 0; r < t->n_rows; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            int w = t->cells[t->rows[r].cell0 + c].w;
            if (w > t->natural[c])
                t->natural[c] = w;
        }
    rebuild_view(t);
    int found = t->saved_id ? find_id_in_view(t, t->saved_id) : -1;
    reselect(t, found, t->saved_id ? t->saved_sel : -1);
    free(t->saved_id);
    t->saved_id = NULL;
}

size_t
tbl_count(const struct tbl *t)
{
    return t->n_view;
}

size_t
tbl_total(const struct tbl *t)
{
    return t->n_rows;
}

const char *
tbl_row_id(const struct tbl *t, size_t i)
{
    return i < t->n_view ? txt(t, t->rows[t->view[i]].id_off) : NULL;
}

const char *
tbl_cell_text(const struct tbl *t, size_t i, size_t col)
{
    if (i >= t->n_view || col >= t->n_cols)
        return NULL;
    return txt(t, t->cells[t->rows[t->view[i]].cell0 + col].off);
}

/* ---- selection and scrolling ---- */

int
tbl_selected(const struct tbl *t)
{
    return t->sel;
}

const char *
tbl_selected_id(const struct tbl *t)
{
    return t->sel >= 0 ? tbl_row_id(t, (size_t)t->sel) : NULL;
}

bool
tbl_select_id(struct tbl *t, const char *id)
{
    int i = id ? find_id_in_view(t, id) : -1;
    if (i < 0)
        return false;
    t->sel = i;
    clamp_top(t);
    return true;
}

void
tbl_select(struct tbl *t, int i)
{
    if (t->n_view == 0) {
        t->sel = -1;
        return;
    }
    if (i < 0)
        i = 0;
    if (i >= (int)t->n_view)
        i = (int)t->n_view - 1;
    t->sel = i;
    clamp_top(t);
}

bool
tbl_move(struct tbl *t, int delta)
{
    int old = t->sel;
    if (t->n_view == 0)
        return false;
    long target = (long)t->sel + delta;
    tbl_select(t, target < 0 ? 0 : target > INT32_MAX ? INT32_MAX : (int)target);
    return t->sel != old;
}

void
tbl_set_height(struct tbl *t, int body_rows)
{
    t->height = body_rows > 0 ? body_rows : 1;
    t->lay_body_h = t->height;
    clamp_top(t);
}

int
tbl_top(const struct tbl *t)
{
    return t->top;
}

int
tbl_height(const struct tbl *t)
{
    return t->height;
}

bool
tbl_key(struct tbl *t, int key)
{
    int page = t->height > 1 ? t->height - 1 : 1;
    switch (key) {
    case WKEY(KEY_UP):
        tbl_move(t, -1);
        return true;
    case WKEY(KEY_DOWN):
        tbl_move(t, 1);
        return true;
    case WKEY(KEY_PPAGE):
        tbl_move(t, -page);
        return true;
    case WKEY(KEY_NPAGE):
        tbl_move(t, page);
        return true;
    case WKEY(KEY_HOME):
        tbl_select(t, 0);
        return true;
    case WKEY(KEY_END):
        tbl_select(t, (int)t->n_view - 1);
        return true;
    default:
        return false;
    }
}

int
tbl_row_at(const struct tbl *t, int dy)
{
    if (dy < 1 || dy > t->lay_body_h)
        return -1;
    int i = t->top + dy - 1;
    return i < (int)t->n_view ? i : -1;
}

int
tbl_col_at(const struct tbl *t, int dx)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (t->lay_w[c] > 0 && dx >= t->lay_x[c] && dx < t->lay_x[c] + t->lay_w[c])
            return (int)c;
    return -1;
}

void
tbl_pos_text(const struct tbl *t, char *buf, size_t n)
{
    int sel = t->sel >= 0 ? t->sel + 1 : 0;
    if (*t->needle)
        snprintf(buf, n, "%d/%zu of %zu", sel, t->n_view, t->n_rows);
    else
        snprintf(buf, n, "%d/%zu", sel, t->n_view);
}

/* ---- layout ---- */

size_t
tbl_layout(const struct tbl_col *cols, size_t n, const int *natural, int width, int *out_w)
{
    int nat[TBL_MAX_COLS], mn[TBL_MAX_COLS];
    bool vis[TBL_MAX_COLS];
    if (n > TBL_MAX_COLS)
        n = TBL_MAX_COLS;
    for (size_t i = 0; i < n; i++) {
        int tw = wtext_width(cols[i].title, false);
        nat[i] = natural[i] > tw ? natural[i] : tw;
        if (cols[i].max_w > 0 && nat[i] > cols[i].max_w)
            nat[i] = cols[i].max_w;
        mn[i] = cols[i].min_w > 0 ? cols[i].min_w : tw;
        if (mn[i] > nat[i])
            mn[i] = nat[i];
        if (mn[i] < 1)
            mn[i] = 1;
        vis[i] = true;
        out_w[i] = 0;
    }
    if (width <= 0 || n == 0)
        return 0;
    /* 1. Hide the highest-priority-number columns until the minimums fit. */
    for (;;) {
        int need = 0, nv = 0;
        for (size_t i = 0; i < n; i++)
            if (vis[i])
                need += mn[i], nv++;
        need += nv > 1 ? (nv - 1) * TBL_GAP : 0;
        if (need <= width)
            break;
        int victim = -1;
        for (size_t i = 0; i < n; i++)
            if (vis[i] && cols[i].prio > 0 && (victim < 0 || cols[i].prio >= cols[victim].prio))
                victim = (int)i;
        if (victim < 0)
            break;
        vis[victim] = false;
    }
    /* 1b. Extra columns only where the others are whole. */
    for (;;) {
        int need = 0, nv = 0;
        for (size_t i = 0; i < n; i++)
            if (vis[i])
                need += cols[i].prio >= TBL_EXTRA ? mn[i] : nat[i], nv++;
        need += nv > 1 ? (nv - 1) * TBL_GAP : 0;
        if (need <= width)
            break;
        int victim = -1;
        for (size_t i = 0; i < n; i++)
            if (vis[i] && cols[i].prio >= TBL_EXTRA &&
                (victim < 0 || cols[i].prio >= cols[victim].prio))
                victim = (int)i;
        if (victim < 0)
            break;
        vis[victim] = false;
    }
    /* 2. Minimums left to right; what does not fit is clipped, then hidden. */
    int x = 0;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (!vis[i])
            continue;
        int start = shown ? x + TBL_GAP : x;
        if (start >= width) {
            vis[i] = false;
            continue;
        }
        int w = mn[i];
        if (start + w > width)
            w = width - start;
        out_w[i] = w;
        x = start + w;
        shown++;
    }
    int rem = width - x;
    /* 3. Grow toward the natural width, lowest prio number first, left to right. */
    for (int pass_prio = 0; rem > 0; pass_prio++) {
        bool any = false;
        for (size_t i = 0; i < n && rem > 0; i++) {
            if (!vis[i] || cols[i].prio < pass_prio)
                continue;
            any = true;
            if (cols[i].prio != pass_prio)
                continue;
            int add = nat[i] - out_w[i];
            if (add > rem)
                add = rem;
            if (add > 0)
                out_w[i] += add, rem -= add;
        }
        if (!any)
            break;
    }
    /* 4. A column cut at its maximum grows on to its whole content while width is left:
     * max_w keeps a long column from starving the others when space is short, never
     * from being read whole when there is room (no column is cut while another gets
     * spare width from flex). Same order as 3. */
    for (int pass_prio = 0; rem > 0; pass_prio++) {
        bool any = false;
        for (size_t i = 0; i < n && rem > 0; i++) {
            if (!vis[i] || cols[i].prio < pass_prio)
                continue;
            any = true;
            int whole = natural[i] > nat[i] ? natural[i] : nat[i];
            if (cols[i].prio != pass_prio || out_w[i] < nat[i] || whole <= out_w[i])
                continue;
            int add = whole - out_w[i];
            if (add > rem)
                add = rem;
            out_w[i] += add, rem -= add;
        }
        if (!any)
            break;
    }
    /* 5. Flex columns share what is left, by weight, up to their maximum. */
    int total_flex = 0;
    for (size_t i = 0; i < n; i++)
        if (vis[i] && out_w[i] > 0 && cols[i].flex > 0)
            total_flex += cols[i].flex;
    if (rem > 0 && total_flex > 0) {
        int pool = rem;
        for (size_t i = 0; i < n; i++) {
            if (!vis[i] || out_w[i] == 0 || cols[i].flex <= 0)
                continue;
            int add = pool * cols[i].flex / total_flex;
            if (cols[i].max_w > 0 && out_w[i] + add > cols[i].max_w)
                add = cols[i].max_w - out_w[i] > 0 ? cols[i].max_w - out_w[i] : 0;
            out_w[i] += add, rem -= add;
        }
        /* Rounding leftovers go to the last flex column with room. */
        for (size_t k = n; k-- > 0 && rem > 0;) {
            if (!vis[k] || out_w[k] == 0 || cols[k].flex <= 0)
                continue;
            int add = rem;
            if (cols[k].max_w > 0 && out_w[k] + add > cols[k].max_w)
                add = cols[k].max_w - out_w[k] > 0 ? cols[k].max_w - out_w[k] : 0;
            out_w[k] += add, rem -= add;
        }
    }
    return shown;
}

size_t
tbl_compute_layout(struct tbl *t, int width, int *out_w)
{
    int w[TBL_MAX_COLS];
    size_t shown = tbl_layout(t->cols, t->n_cols, t->natural, width, w);
    int x = 0;
    bool first = true;
    for (size_t c = 0; c < t->n_cols; c++) {
        t->lay_w[c] = w[c];
        if (w[c] > 0) {
            if (!first)
                x += TBL_GAP;
            t->lay_x[c] = x;
            x += w[c];
            first = false;
        }
        if (out_w)
            out_w[c] = w[c];
    }
    return shown;
}

/* ---- drawing ---- */

static void
draw_header(struct tbl *t, WINDOW *win, int y, int x, int w, const struct theme *th,
            const struct glyphs *g)
{
    attr_t a = theme_attr(th, TH_TABLE_HEADER);
    wtext_fill(win, y, x, w, a);
    for (size_t c = 0; c < t->n_cols; c++) {
        if (t->lay_w[c] <= 0)
            continue;
        int cx = x + t->lay_x[c], cw = t->lay_w[c];
        enum wtext_align al = t->cols[c].align == TBL_RIGHT ? WTEXT_RIGHT : WTEXT_LEFT;
        bool sorted = (int)c == t->sort_col;
        const char *arrow = glyph(g, t->sort_desc ? G_SORT_DESC : G_SORT_ASC);
        int tw = wtext_width(t->cols[c].title, g->ascii);
        if (sorted && tw + 1 <= cw) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s%s", t->cols[c].title, arrow);
            wtext_draw(win, y, cx, cw, buf, a, al, g->ascii);
        } else {
            wtext_draw(win, y, cx, cw, t->cols[c].title, a, al, g->ascii);
            /* No room inside: the arrow sits in the gap after the column. */
            if (sorted && cx + cw < x + w)
                wtext_print(win, y, cx + cw, 1, arrow, a, g->ascii);
        }
    }
}

void
tbl_draw(struct tbl *t, WINDOW *win, int y, int x, int h, int w, const struct theme *th,
         const struct glyphs *g, bool focused)
{
    if (h <= 0 || w <= 0)
        return;
    tbl_compute_layout(t, w, NULL);
    draw_header(t, win, y, x, w, th, g);
    bool filt = *t->filter != '\0';
    int body = h - 1 - (filt && h > 2 ? 1 : 0);
    if (body < 0)
        body = 0;
    t->lay_body_h = body;
    if (body > 0)
        tbl_set_height(t, body);
    for (int i = 0; i < body; i++) {
        int vi = t->top + i, ly = y + 1 + i;
        if (vi >= (int)t->n_view) {
            wtext_fill(win, ly, x, w, theme_attr(th, TH_TABLE_ROW));
            continue;
        }
        const struct trow *r = &t->rows[t->view[vi]];
        bool sel = vi == t->sel;
        enum th_elem bg = sel ? (focused ? TH_TABLE_SELECTED : TH_TABLE_SELECTED_UNFOCUS)
                              : (vi % 2 ? TH_TABLE_ROW_ALT : TH_TABLE_ROW);
        enum th_elem row_fg = r->elem != TH_NONE && !(sel && focused) ? r->elem : bg;
        attr_t base = row_fg == bg ? theme_attr(th, bg) : theme_attr_on(th, row_fg, bg);
        wtext_fill(win, ly, x, w, theme_attr(th, bg));
        int last_end = 0;
        for (size_t c = 0; c < t->n_cols; c++) {
            if (t->lay_w[c] <= 0)
                continue;
            const struct tcell *cell = &t->cells[r->cell0 + c];
            attr_t a = base;
            /* A focused selection is one solid bar; elsewhere cells keep their colours. */
            if (cell->elem != TH_NONE && !(sel && focused))
                a = theme_attr_on(th, cell->elem, bg);
            if (last_end > 0)
                wtext_fill(win, ly, x + last_end, t->lay_x[c] - last_end, base);
            wtext_draw(win, ly, x + t->lay_x[c], t->lay_w[c], txt(t, cell->off), a,
                       t->cols[c].align == TBL_RIGHT ? WTEXT_RIGHT : WTEXT_LEFT, g->ascii);
            last_end = t->lay_x[c] + t->lay_w[c];
        }
        if (last_end < w)
            wtext_fill(win, ly, x + last_end, w - last_end, base);
    }
    if (t->n_view == 0 && body > 0)
        wtext_draw(win, y + 1, x + 1, w - 1,
                   *t->needle ? "no rows match the filter" : t->empty_text,
                   theme_attr(th, TH_TABLE_EMPTY), WTEXT_LEFT, g->ascii);
    if (filt && h > 2) {
        char buf[320];
        snprintf(buf, sizeof buf, "/%s  (%zu of %zu)", t->filter, t->n_view, t->n_rows);
        wtext_draw(win, y + h - 1, x, w, buf, theme_attr(th, TH_TABLE_FILTER), WTEXT_LEFT,
                   g->ascii);
    }
}
