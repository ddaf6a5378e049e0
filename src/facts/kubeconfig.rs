//! Kubeconfig loading and merging, shared by the kubectl and helm enrichers.
//! (Interface placeholder.)
