// What a watch keeps open. Events and Helm release Secrets are where incidents show first; the
// workloads are read for context (which controller goes with a CRD) and their own rules.
import { RESOURCES, type ResourceDef } from "../kube/resources.ts";
import type { WatchedKey } from "./types.ts";

export const WATCHED_RESOURCES: Record<WatchedKey, ResourceDef> = {
  pods: RESOURCES.pods,
  nodes: RESOURCES.nodes,
  deployments: RESOURCES.deployments,
  daemonsets: RESOURCES.daemonsets,
  statefulsets: RESOURCES.statefulsets,
  events: RESOURCES.events,
  helmReleases: RESOURCES.helmReleases,
  crds: RESOURCES.crds,
};

export const ALL_WATCHED = Object.keys(WATCHED_RESOURCES) as WatchedKey[];
