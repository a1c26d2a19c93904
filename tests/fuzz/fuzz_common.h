/* fuzz_common: helpers for the fuzz targets. Targets that parse files (kubeconfig, config)
 * get the input through a memfd, so the loader under test reads it as a real file. */
#ifndef PXC_TESTS_FUZZ_COMMON_H
#define PXC_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to an anonymous file; path gets "/proc/self/fd/N". Returns the fd or -1. */
static inline int
fuzz_memfile(const uint8_t *data, size_t size, char *path, size_t n)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, n, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
