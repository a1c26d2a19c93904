/* path: see path.h. */
#include "path.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

char *
path_abs_dir(const char *path)
{
    char *abs;
    if (path[0] == '/') {
        abs = xstrdup(path);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL)
            snprintf(cwd, sizeof cwd, ".");
        abs = xasprintf("%s/%s", cwd, path);
    }
    char *slash = strrchr(abs, '/');
    if (slash == abs)
        slash[1] = '\0';
    else
        *slash = '\0';
    return abs;
}
