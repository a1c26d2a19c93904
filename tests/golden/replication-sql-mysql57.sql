-- On the source cluster (any node; Galera replicates it):
CREATE USER IF NOT EXISTS 'replication_user'@'%' IDENTIFIED BY '********';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'replication_user'@'%';

-- On the replica (the node that runs the channel):
CHANGE MASTER TO
  MASTER_HOST='pxc-cluster.cluster-b.global',
  MASTER_PORT=3306,
  MASTER_USER='replication_user',
  MASTER_PASSWORD='********',
  MASTER_AUTO_POSITION=1
  FOR CHANNEL 'cluster_b_source';
START SLAVE FOR CHANNEL 'cluster_b_source';
