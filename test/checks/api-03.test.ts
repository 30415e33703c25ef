import { describe, expect, it } from "vitest";
import {
  api03DeprecatedApiRequests,
  parseDeprecatedApiMetric,
} from "../../src/checks/catalog/api-03-deprecated-api-requests.ts";
import { contextFromObjects } from "../../src/checks/context.ts";

const metrics = `# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="prioritylevelconfigurations",subresource="status",version="v1beta3"} 1
apiserver_requested_deprecated_apis{group="resource.k8s.io",removed_release="1.36",resource="resourceclaims",subresource="",version="v1beta1"} 1
apiserver_requested_deprecated_apis{group="",removed_release="",resource="endpoints",subresource="",version="v1"} 1
apiserver_request_total{code="200",group="",resource="pods",verb="LIST",version="v1"} 42
`;

describe("API-03 deprecated API requests", () => {
  it("parses the metric", () => {
    expect(parseDeprecatedApiMetric(metrics)).toHaveLength(4);
    expect(parseDeprecatedApiMetric(metrics)[1]).toEqual({
      group: "flowcontrol.apiserver.k8s.io",
      version: "v1beta3",
      resource: "prioritylevelconfigurations",
      subresource: "status",
      removedRelease: "1.32",
    });
  });

  it("flags calls to APIs removed at or before the target only", async () => {
    const ctx = contextFromObjects([], { serverVersion: "v1.31.2", target: "1.32", apiServerMetrics: metrics });
    const findings = await api03DeprecatedApiRequests.evaluate(ctx);
    expect(findings.map((f) => [f.object.apiVersion, f.object.name])).toEqual([
      ["flowcontrol.apiserver.k8s.io/v1beta3", "flowschemas"],
      ["flowcontrol.apiserver.k8s.io/v1beta3", "prioritylevelconfigurations/status"],
    ]);
    expect(findings[0].evidence).toBe(
      'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",version="v1beta3",resource="flowschemas",removed_release="1.32"} 1',
    );
    expect(api03DeprecatedApiRequests.readsMetrics).toBe(true);
  });

  it("is quiet without metrics or below the removal release", async () => {
    expect(
      await api03DeprecatedApiRequests.evaluate(contextFromObjects([], { serverVersion: "v1.31.2", target: "1.32" })),
    ).toEqual([]);
    expect(
      await api03DeprecatedApiRequests.evaluate(
        contextFromObjects([], { serverVersion: "v1.30.2", target: "1.31", apiServerMetrics: metrics }),
      ),
    ).toEqual([]);
    expect(
      await api03DeprecatedApiRequests.evaluate(
        contextFromObjects([], { serverVersion: "v1.30.2", target: "1.31", apiServerMetrics: "garbage{" }),
      ),
    ).toEqual([]);
  });
});
