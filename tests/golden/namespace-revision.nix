{
  apiVersion = "v1";
  kind = "Namespace";
  metadata = {
    name = "pxc";
    labels = {
      "istio.io/rev" = "1-20";
    };
  };
}
