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
    };
  };
}
