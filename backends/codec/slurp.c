/* slurp: stat the name first, so that a device is refused without being opened (opening
 * one can have effects, and reading /dev/zero never ends), then fstat what was opened,
 * so that a name swapped in between is refused the same way. Reads stop one byte past the
 * cap: a file of exactly max bytes is accepted, a longer one is refused, not truncated. */
#include "codec/slurp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
kind_name(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

static int
check_kind(const char *name, mode_t m, unsigned flags, struct pxerr *err)
{
    if (S_ISREG(m))
        return 0;
    if ((flags & SLURP_STREAMS) && (S_ISFIFO(m) || S_ISSOCK(m)))
        return 0;
    if (S_ISDIR(m))
        return pxerr_set(err, PXE_INVAL, "%s: is a directory; give a file", name);
    return pxerr_set(err, PXE_INVAL, "%s: is %s, not a file; give a file%s", name, kind_name(m),
                     (flags & SLURP_STREAMS) ? " or a pipe" : "");
}

static void
mib(size_t max, char *buf, size_t n)
{
    if (max >= (1u << 20) && max % (1u << 20) == 0)
        snprintf(buf, n, "%zu MiB", max >> 20);
    else
        snprintf(buf, n, "%zu bytes", max);
}

static int
read_all(int fd, const char *name, size_t max, struct strbuf *out, struct pxerr *err)
{
    size_t got = 0;
    char buf[65536];
    for (;;) {
        size_t want = sizeof buf;
        if (want > max - got + 1)
            want = max - got + 1; /* one byte past the cap tells "longer" from "exactly" */
        ssize_t n = read(fd, buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pxerr_set(err, PXE_IO, "%s: %s", name, strerror(errno));
        if (n == 0)
            return 0;
        if (got + (size_t)n > max) {
            char lim[32];
            mib(max, lim, sizeof lim);
            return pxerr_set(err, PXE_INVAL, "%s: is larger than %s; is it the right file?",
                             name, lim);
        }
        strbuf_appendn(out, buf, (size_t)n);
        got += (size_t)n;
    }
}

int
slurp_path(const char *path, size_t max, unsigned flags, struct strbuf *out, struct pxerr *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return pxerr_set(err, errno == ENOENT ? PXE_NOTFOUND : PXE_IO, "%s: %s", path,
                         strerror(errno));
    int rc = check_kind(path, st.st_mode, flags, err);
    if (rc != 0)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return pxerr_set(err, errno == ENOENT ? PXE_NOTFOUND : PXE_IO, "%s: %s", path,
                         strerror(errno));
    if (fstat(fd, &st) != 0)
        rc = pxerr_set(err, PXE_IO, "%s: %s", path, strerror(errno));
    else
        rc = check_kind(path, st.st_mode, flags, err);
    if (rc == 0)
        rc = read_all(fd, path, max, out, err);
    close(fd);
    return rc;
}

int
slurp_fd(int fd, const char *name, size_t max, struct strbuf *out, struct pxerr *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return pxerr_set(err, PXE_IO, "%s: %s", name, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return pxerr_set(err, PXE_INVAL, "%s: is a directory; give a file", name);
    return read_all(fd, name, max, out, err);
}
