/* ydiff: LCS over lines (O(n*m) memory as one byte matrix of directions, fine for
 * manifests of a few hundred lines; inputs past 4000 lines fall back to "changed whole"). */
#include "manifest/ydiff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"
#include "xmalloc.h"

static void
split_lines(const char *s, struct vec *out)
{
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        vec_push(out, xstrndup(p, n));
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

enum { OP_SAME, OP_DEL, OP_ADD };

int
ydiff_lines(const char *a, const char *b, int context, struct strbuf *out)
{
    struct vec la, lb;
    vec_init(&la, free);
    vec_init(&lb, free);
    split_lines(a ? a : "", &la);
    split_lines(b ? b : "", &lb);
    size_t n = la.n, m = lb.n;
    int changes = 0;
    /* ops in order: op and line index */
    size_t cap = n + m + 1, nops = 0;
    unsigned char *op = xmalloc(cap);
    size_t *idx = xmalloc(cap * sizeof *idx);
    if (n > 4000 || m > 4000) {
        for (size_t i = 0; i < n; i++)
            op[nops] = OP_DEL, idx[nops++] = i;
        for (size_t j = 0; j < m; j++)
            op[nops] = OP_ADD, idx[nops++] = j;
    } else {
        /* L[i][j] = LCS length of a[i..], b[j..] */
        uint16_t *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define AT(i, j) L[(i) * (m + 1) + (j)]
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                AT(i, j) = strcmp(la.items[i], lb.items[j]) == 0
                               ? (uint16_t)(AT(i + 1, j + 1) + 1)
                               : (AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1));
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && strcmp(la.items[i], lb.items[j]) == 0) {
                op[nops] = OP_SAME, idx[nops++] = i;
                i++, j++;
            } else if (j < m && (i == n || AT(i, j + 1) >= AT(i + 1, j))) {
                op[nops] = OP_ADD, idx[nops++] = j++;
            } else {
                op[nops] = OP_DEL, idx[nops++] = i++;
            }
        }
#undef AT
        free(L);
    }
    /* Print changes with context. */
    size_t last_printed = SIZE_MAX;
    for (size_t k = 0; k < nops; k++) {
        if (op[k] == OP_SAME)
            continue;
        changes++;
    }
    for (size_t k = 0; k < nops; k++) {
        bool show = op[k] != OP_SAME;
        if (!show) {
            for (size_t d = 1; d <= (size_t)context && !show; d++) {
                if (k >= d && op[k - d] != OP_SAME)
                    show = true;
                if (k + d < nops && op[k + d] != OP_SAME)
                    show = true;
            }
        }
        if (!show)
            continue;
        if (last_printed != SIZE_MAX && k > last_printed + 1)
            strbuf_append(out, "@@\n");
        last_printed = k;
        const char *line = op[k] == OP_ADD ? lb.items[idx[k]] : la.items[idx[k]];
        strbuf_append(out, op[k] == OP_SAME ? "  " : op[k] == OP_DEL ? "- " : "+ ");
        strbuf_append(out, line);
        strbuf_appendc(out, '\n');
    }
    free(op);
    free(idx);
    vec_fini(&la);
    vec_fini(&lb);
    return changes;
}

json_t *
ydiff_project(const json_t *live, const json_t *intended)
{
    if (live == NULL)
        return NULL;
    if (!json_is_object(live) || !json_is_object(intended))
        return json_deep_copy(live);
    json_t *o = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)intended, k, v) {
        json_t *lv = json_object_get(live, k);
        if (lv == NULL)
            continue;
        json_object_set_new(o, k, json_is_object(v) ? ydiff_project(lv, v) : json_deep_copy(lv));
    }
    return o;
}
