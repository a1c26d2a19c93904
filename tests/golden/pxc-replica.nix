{
  apiVersion = "pxc.percona.com/v1";
  kind = "PerconaXtraDBCluster";
  metadata = {
    name = "pxc-cluster";
    namespace = "pxc";
  };
  spec = {
    crVersion = "1.13.0";
    secretsName = "pxc-cluster-secrets";
    pxc = {
      size = 3;
      image = "percona/percona-xtradb-cluster:8.0.32-24.2";
      resources = {
        requests = {
          memory = "1G";
          cpu = "600m";
        };
      };
      affinity = {
        antiAffinityTopologyKey = "kubernetes.io/hostname";
      };
      replicationChannels = [
        {
          name = "cluster_b_source";
          isSource = false;
          sourcesList = [
            {
              host = "pxc-cluster.cluster-b.global";
              port = 3306;
              weight = 100;
            }
            {
              host = "10.0.1.10";
              port = 3307;
              weight = 50;
            }
          ];
        }
      ];
    };
    haproxy = {
      enabled = true;
      size = 3;
      image = "percona/percona-xtradb-cluster-operator:1.13.0-haproxy";
    };
  };
}
