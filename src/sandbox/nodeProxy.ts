// The node proxy subresource, /api/v1/nodes/NAME/proxy/PATH, as far as Upshift reads it: the API
// server forwards the request to that node's kubelet. Authorization is the `nodes/proxy`
// subresource, which Upshift's default role does not grant, so the sandbox refuses it by default
// with the same 403 Status a real server sends; fixtures (or tests) allow it and give each
// kubelet's /metrics text. A node without configured metrics answers as a kubelet that cannot be
// reached does: 503 "error trying to reach service".
import type { KubeObject } from "../kube/resources.ts";
import { notFound, StatusError, statusError } from "./status.ts";

export interface NodeProxyConfig {
  /** Whether the caller may `get nodes/proxy` (default false, like Upshift's default ClusterRole). */
  allowed: boolean;
  /** Kubelet /metrics text (Prometheus exposition) by node name. */
  kubeletMetrics: Record<string, string>;
}

/** The user the sandbox names in authorization errors (it authenticates every token as this one). */
export const SANDBOX_USER = "sandbox";

export type NodeProxyAnswer = { code: number; body: string; contentType: string };

/** What the API server answers for GET /api/v1/nodes/{name}/proxy/{rest}. */
export function nodeProxyAnswer(
  config: NodeProxyConfig,
  node: KubeObject | undefined,
  name: string,
  rest: string,
): NodeProxyAnswer {
  if (!config.allowed) {
    // Authorization happens before the node is looked up: a missing node is also 403.
    throw new StatusError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `nodes "${name}" is forbidden: User "${SANDBOX_USER}" cannot get resource "nodes/proxy" in API group "" at the cluster scope`,
      reason: "Forbidden",
      details: { name, kind: "nodes" },
      code: 403,
    });
  }
  if (!node) throw notFound({ group: "", plural: "nodes" }, name);
  const path = rest.replace(/^\/+/, "");
  if (path === "healthz") return { code: 200, body: "ok", contentType: "text/plain; charset=utf-8" };
  if (path === "metrics") {
    const text = config.kubeletMetrics[name];
    if (text !== undefined) return { code: 200, body: text, contentType: "text/plain; version=0.0.4; charset=utf-8" };
    const addresses: Array<{ type?: string; address?: string }> = Array.isArray(node.status?.addresses)
      ? node.status.addresses
      : [];
    const ip = addresses.find((a) => a?.type === "InternalIP")?.address ?? name;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
    throw statusError(
      503,
      `error trying to reach service: dial tcp ${ip}:${port}: connect: connection refused`,
      "ServiceUnavailable",
    );
  }
  // The kubelet's own mux answers unknown paths with Go's plain-text 404.
  return { code: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8" };
}
