/* path: file-name helpers shared by the loaders that resolve paths relative to the file
 * that names them (kubeconfig, config). Any thread. */
#ifndef PXC_BASE_PATH_H
#define PXC_BASE_PATH_H

/* The absolute directory of path (relative paths against the current directory), owned.
 * "/a/b" -> "/a", "/b" -> "/", "x" -> "$PWD". */
char *path_abs_dir(const char *path);

/* The user's home directory: $HOME when set and not empty, else the password database's;
 * NULL when neither knows. Borrowed (the environment's or getpwuid's storage). */
const char *path_home(void);

#endif
