{
  apiVersion = "v1";
  kind = "Namespace";
  metadata = {
    name = "pxc";
    labels = {
      istio-injection = "enabled";
    };
  };
}
