/* jscan: see jscan.h. The scanners never read s[n] or beyond. */
#include "codec/jscan.h"

#include <string.h>

size_t
jscan_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

size_t
jscan_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

size_t
jscan_value(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    if (s[i] == '"')
        return jscan_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                size_t e = jscan_string(s, i, n);
                if (e == 0)
                    return 0;
                i = e - 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return 0;
    }
    size_t st = i;
    while (i < n && !memchr(",}] \t\r\n", s[i], 7))
        i++;
    return i > st ? i : 0;
}

void
jscan_linecol(const char *s, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (const char *p = s; (p = memchr(p, '\n', off - (size_t)(p - s))) != NULL; p++) {
        l++;
        bol = (size_t)(p - s) + 1;
    }
    *line = l;
    *col = (int)(off - bol) + 1;
}
