[
  {
    apiVersion = "networking.istio.io/v1beta1";
    kind = "ServiceEntry";
    metadata = {
      name = "pxc-cluster-cluster-b";
      namespace = "pxc";
      labels = {
        "app.kubernetes.io/managed-by" = "pxcmesh";
        "pxcmesh.dev/remote-cluster" = "cluster-b";
      };
    };
    spec = {
      hosts = [
        "pxc-cluster.cluster-b.global"
      ];
      addresses = [
        "240.240.14.75"
      ];
      ports = [
        {
          number = 3306;
          name = "tcp-mysql";
          protocol = "TCP";
        }
      ];
      location = "MESH_INTERNAL";
      resolution = "STATIC";
      endpoints = [
        {
          address = "172.19.0.2";
        }
        {
          address = "172.19.0.3";
        }
        {
          address = "172.19.0.4";
          ports = {
            tcp-mysql = 33060;
          };
        }
      ];
    };
  }
  {
    apiVersion = "networking.istio.io/v1beta1";
    kind = "DestinationRule";
    metadata = {
      name = "pxc-cluster-cluster-b";
      namespace = "pxc";
    };
    spec = {
      host = "pxc-cluster.cluster-b.global";
      trafficPolicy = {
        tls = {
          mode = "ISTIO_MUTUAL";
        };
      };
    };
  }
  {
    apiVersion = "security.istio.io/v1beta1";
    kind = "PeerAuthentication";
    metadata = {
      name = "default";
      namespace = "pxc";
    };
    spec = {
      mtls = {
        mode = "STRICT";
      };
    };
  }
]
