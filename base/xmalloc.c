/* xmalloc: the only allocator the project calls. Out of memory is not an error a
 * console can recover from, so it aborts with a message after restoring the terminal. */
#include "xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *
xmalloc(size_t n)
{
    void *p;
    if (n == 0)
        pxc_fatal("xmalloc: zero size");
    if ((p = malloc(n)) == NULL)
        pxc_fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p;
    if (nmemb == 0 || size == 0)
        pxc_fatal("xcalloc: zero size");
    if ((p = calloc(nmemb, size)) == NULL)
        pxc_fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q;
    if (n == 0)
        pxc_fatal("xrealloc: zero size");
    if ((q = realloc(p, n)) == NULL)
        pxc_fatal("out of memory reallocating %zu bytes", n);
    return q;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        pxc_fatal("xreallocarray: %zu x %zu overflows", nmemb, size);
    return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *
xstrdup_or_null(const char *s)
{
    return s == NULL ? NULL : xstrdup(s);
}

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    int n;
    char *p;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        pxc_fatal("xasprintf: bad format '%s'", fmt);
    p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void
xfree_secret(char *s)
{
    if (s == NULL)
        return;
    explicit_bzero(s, strlen(s));
    free(s);
}
