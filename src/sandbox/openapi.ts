// Minimal OpenAPI documents. kubectl 1.32 reads /openapi/v3 to learn whether the server validates
// fields itself (the `fieldValidation` query parameter on PATCH/PUT/POST of each kind); saying yes
// means kubectl skips client-side schema validation, so apply/create work without --validate=false.
import { groupVersionOf, type ResourceInfo } from "./builtinResources.ts";
import type { ResourceRegistry } from "./registry.ts";

function v3Path(gv: string): string {
  return gv.includes("/") ? `apis/${gv}` : `api/${gv}`;
}

export function openApiV3Root(registry: ResourceRegistry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of registry.groupVersions().keys()) {
    paths[v3Path(gv)] = { serverRelativeURL: `/openapi/v3/${v3Path(gv)}?hash=sandbox` };
  }
  return { paths };
}

const FIELD_VALIDATION_PARAM = {
  name: "fieldValidation",
  in: "query",
  description:
    "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.",
  schema: { type: "string", uniqueItems: true },
};

function gvk(info: ResourceInfo) {
  return { group: info.group, version: info.version, kind: info.kind };
}

function schemaName(info: ResourceInfo): string {
  return `${info.group || "core"}.${info.version}.${info.kind}`;
}

/** One group/version: each resource's paths with the operations kubectl looks at, and open schemas. */
export function openApiV3Doc(registry: ResourceRegistry, rest: string) {
  const gv = rest.startsWith("apis/") ? rest.slice(5) : rest.startsWith("api/") ? rest.slice(4) : undefined;
  const infos = gv === undefined ? undefined : registry.groupVersions().get(gv);
  if (!infos) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const info of infos) {
    const base = `/${v3Path(groupVersionOf(info))}${info.namespaced ? "/namespaces/{namespace}" : ""}/${info.plural}`;
    const op = (action: string) => ({
      operationId: `${action}${info.kind}`,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk(info),
      parameters: [FIELD_VALIDATION_PARAM],
      responses: { "200": { description: "OK" } },
    });
    paths[base] = { post: op("post"), get: op("list") };
    paths[`${base}/{name}`] = { get: op("get"), put: op("put"), patch: op("patch"), delete: op("delete") };
    schemas[schemaName(info)] = {
      type: "object",
      "x-kubernetes-group-version-kind": [gvk(info)],
      "x-kubernetes-preserve-unknown-fields": true,
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths,
    components: { schemas },
  };
}

/** Swagger 2.0 with the same facts, for older clients. */
export function openApiV2(registry: ResourceRegistry, serverVersion: string) {
  const paths: Record<string, unknown> = {};
  const definitions: Record<string, unknown> = {};
  for (const info of registry.all()) {
    const base = `/${v3Path(groupVersionOf(info))}${info.namespaced ? "/namespaces/{namespace}" : ""}/${info.plural}`;
    const op = (action: string) => ({
      operationId: `${action}${info.kind}`,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk(info),
      parameters: [{ name: "fieldValidation", in: "query", type: "string", uniqueItems: true }],
      responses: { "200": { description: "OK" } },
    });
    paths[base] = { post: op("post"), get: op("list") };
    paths[`${base}/{name}`] = { get: op("get"), put: op("put"), patch: op("patch"), delete: op("delete") };
    definitions[schemaName(info)] = { type: "object", "x-kubernetes-group-version-kind": [gvk(info)] };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: serverVersion }, paths, definitions };
}
