[
  {
    apiVersion = "install.istio.io/v1alpha1";
    kind = "IstioOperator";
    metadata = {
      name = "pxcmesh-multicluster";
      namespace = "istio-system";
    };
    spec = {
      values = {
        global = {
          meshID = "mesh1";
          multiCluster = {
            clusterName = "cluster-a";
          };
          network = "network1";
        };
      };
      components = {
        ingressGateways = [
          {
            name = "istio-eastwestgateway";
            namespace = "istio-system";
            enabled = true;
            label = {
              istio = "eastwestgateway";
              app = "istio-eastwestgateway";
              "topology.istio.io/network" = "network1";
            };
            k8s = {
              env = [
                {
                  name = "ISTIO_META_REQUESTED_NETWORK_VIEW";
                  value = "network1";
                }
              ];
              service = {
                ports = [
                  {
                    name = "status-port";
                    port = 15021;
                    targetPort = 15021;
                  }
                  {
                    name = "tls";
                    port = 15443;
                    targetPort = 15443;
                  }
                  {
                    name = "tls-istiod";
                    port = 15012;
                    targetPort = 15012;
                  }
                  {
                    name = "tls-webhook";
                    port = 15017;
                    targetPort = 15017;
                  }
                ];
              };
            };
          }
        ];
      };
    };
  }
  {
    apiVersion = "networking.istio.io/v1beta1";
    kind = "Gateway";
    metadata = {
      name = "cross-network-gateway";
      namespace = "istio-system";
    };
    spec = {
      selector = {
        istio = "eastwestgateway";
      };
      servers = [
        {
          port = {
            number = 15443;
            name = "tls";
            protocol = "TLS";
          };
          tls = {
            mode = "AUTO_PASSTHROUGH";
          };
          hosts = [
            "*.local"
          ];
        }
      ];
    };
  }
]
