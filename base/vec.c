/* vec: pointer array with stated ownership. Sorting is stable (merge sort) so that
 * tables keep their order among equal keys across refreshes. */
#include "vec.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
vec_init(struct vec *v, vec_free_fn *free_fn)
{
    v->items = NULL;
    v->n = v->cap = 0;
    v->free_fn = free_fn;
}

void
vec_clear(struct vec *v)
{
    if (v->free_fn != NULL)
        for (size_t i = 0; i < v->n; i++)
            v->free_fn(v->items[i]);
    v->n = 0;
}

void
vec_fini(struct vec *v)
{
    vec_clear(v);
    free(v->items);
    v->items = NULL;
    v->cap = 0;
}

void
vec_push(struct vec *v, void *item)
{
    vec_insert(v, v->n, item);
}

void
vec_insert(struct vec *v, size_t i, void *item)
{
    assert(i <= v->n);
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = xreallocarray(v->items, v->cap, sizeof *v->items);
    }
    memmove(v->items + i + 1, v->items + i, (v->n - i) * sizeof *v->items);
    v->items[i] = item;
    v->n++;
}

void *
vec_take(struct vec *v, size_t i)
{
    assert(i < v->n);
    void *item = v->items[i];
    memmove(v->items + i, v->items + i + 1, (v->n - i - 1) * sizeof *v->items);
    v->n--;
    return item;
}

void
vec_remove(struct vec *v, size_t i)
{
    void *item = vec_take(v, i);
    if (v->free_fn != NULL)
        v->free_fn(item);
}

static void
msort(void **a, void **tmp, size_t n, vec_cmp_fn *cmp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(a, tmp, h, cmp);
    msort(a + h, tmp, n - h, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(a[j], a[i]) < 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

void
vec_sort(struct vec *v, vec_cmp_fn *cmp)
{
    if (v->n < 2)
        return;
    void **tmp = xmalloc(v->n * sizeof *tmp);
    msort(v->items, tmp, v->n, cmp);
    free(tmp);
}
