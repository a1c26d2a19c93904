/* model_source: which server a replication channel reads from now. A replica's status
 * names the source host it was given, which behind a mesh is a name (NAME.X.global) that
 * resolves to every node of the source cluster; which of them the IO thread reached is
 * known only from the source side. So it is judged from what the pollers read on every
 * server: a server whose newest read was good, that has a binlog dump thread (a replica
 * reading from it), and whose @@server_id is the channel's Master_Server_Id. Where MySQL 8
 * asynchronous connection failover marks the source in use, that decides.
 *
 * Loop thread (it reads and writes the model). */
#ifndef PXC_BACKENDS_MODEL_MODEL_SOURCE_H
#define PXC_BACKENDS_MODEL_MODEL_SOURCE_H

#include <stdbool.h>

#include "model/model.h"

/* Judge the source in use of every channel of m again (ch->src_*), after a server read.
 * A channel whose IO thread does not run, or whose source no server or more than one
 * server matches, has none (""). A new source that differs from the last one known is an
 * event ("reads from cluster-b/pxc-cluster-pxc-1 (127.0.20.2:3306), was ...") and
 * DIRTY_CHANNELS. Returns true when any channel's source changed. */
bool model_source_update(struct model *m);

/* The source in use as one line, "cluster-b/pxc-cluster-pxc-1 (127.0.20.2:3306)", or ""
 * (n bytes into buf, which is returned). */
const char *model_source_describe(const struct m_channel *ch, char *buf, size_t n);

#endif
