{
  apiVersion = "v1";
  kind = "Secret";
  metadata = {
    name = "istio-remote-secret-cluster-b";
    namespace = "istio-system";
    annotations = {
      "networking.istio.io/cluster" = "cluster-b";
    };
    labels = {
      "istio/multiCluster" = "true";
    };
  };
  type = "Opaque";
  stringData = {
    cluster-b = "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTi0tLS0tCg==\n    server: https://127.0.20.100:6443\n  name: cluster-b\ncontexts:\n- context:\n    cluster: cluster-b\n    user: cluster-b\n  name: cluster-b\ncurrent-context: cluster-b\nusers:\n- name: cluster-b\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.test\n";
  };
}
