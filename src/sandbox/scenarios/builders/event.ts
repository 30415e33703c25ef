// Events as the kubelet records them, repeated over the last 25 minutes.
import type { KubeObject } from "../../../kube/resources.ts";
import { at, hashOf } from "./snapshot.ts";

export function event(
  namespace: string,
  involved: { kind: string; name: string; apiVersion?: string },
  reason: string,
  message: string,
  count: number,
  type = "Warning",
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${involved.name}.${hashOf(`${involved.name}${reason}`, 16)}`, namespace },
    involvedObject: { apiVersion: involved.apiVersion ?? "v1", kind: involved.kind, name: involved.name, namespace },
    reason,
    message,
    type,
    count,
    firstTimestamp: at(-1500),
    lastTimestamp: at(-60),
    source: { component: "kubelet" },
  };
}
