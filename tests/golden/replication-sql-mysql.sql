-- On the source cluster (any node; Galera replicates it):
CREATE USER IF NOT EXISTS 'replication_user'@'%' IDENTIFIED BY '********';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'replication_user'@'%';

-- On the replica (the node that runs the channel):
CHANGE REPLICATION SOURCE TO
  SOURCE_HOST='pxc-cluster.cluster-b.global',
  SOURCE_PORT=3306,
  SOURCE_USER='replication_user',
  SOURCE_PASSWORD='********',
  SOURCE_AUTO_POSITION=1,
  SOURCE_CONNECTION_AUTO_FAILOVER=1
  FOR CHANNEL 'cluster_b_source';
SELECT asynchronous_connection_failover_add_source('cluster_b_source', 'pxc-cluster.cluster-b.global', 3306, '', 100);
START REPLICA FOR CHANNEL 'cluster_b_source';
