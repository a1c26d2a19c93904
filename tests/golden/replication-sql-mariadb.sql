-- On the source cluster (any node; Galera replicates it):
CREATE USER IF NOT EXISTS 'replication_user'@'%' IDENTIFIED BY '********';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'replication_user'@'%';

-- On the replica (the node that runs the channel):
CHANGE MASTER 'cluster_b_source' TO
  MASTER_HOST='pxc-cluster.cluster-b.global',
  MASTER_PORT=3306,
  MASTER_USER='replication_user',
  MASTER_PASSWORD='********',
  MASTER_USE_GTID=slave_pos;
START SLAVE 'cluster_b_source';
