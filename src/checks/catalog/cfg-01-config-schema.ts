// CFG-01: configuration that parses but misses a field the component needs crashes it after the
// upgrade (INCIDENTS case 2: Botkube's Kubernetes plugin panicked because the global
// config.event.types was missing). Operators attach a JSON schema to the workload or ConfigMap
// with annotations; we validate the ConfigMap data against it before the upgrade rolls pods.
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../kube/resources.ts";
import { describeRef, type Loose, podContainers } from "../ownership.ts";
import type { Check, CheckContext, FindingInput, ObjectRef } from "../types.ts";

export const SCHEMA_ANNOTATION = "upshift.dev/config-schema";
export const CONFIGMAP_ANNOTATION = "upshift.dev/config-configmap";
export const KEY_ANNOTATION = "upshift.dev/config-key";

const MAX_ERRORS_SHOWN = 3;

// strict: false because operators' schemas carry keywords ajv does not know (x-kubernetes-*,
// descriptions in odd places); allErrors so one run shows every missing field.
// Loaded at the first schema to compile (ajv is CommonJS, so synchronously): most clusters carry
// no schema annotation, and `upshift check` need not load ajv's 86 modules for them.
let validators: { draft07: Ajv; draft2020: Ajv2020 } | undefined;
function ajvs(): { draft07: Ajv; draft2020: Ajv2020 } {
  if (!validators) {
    const require = createRequire(import.meta.url);
    const { Ajv: Draft07 } = require("ajv") as typeof import("ajv");
    const { Ajv2020: Draft2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    validators = {
      draft07: new Draft07({ allErrors: true, strict: false }),
      draft2020: new Draft2020({ allErrors: true, strict: false }),
    };
  }
  return validators;
}
const compiled = new Map<string, ValidateFunction | Error>();

function compile(schemaText: string, schema: unknown): ValidateFunction | Error {
  const cached = compiled.get(schemaText);
  if (cached) return cached;
  let result: ValidateFunction | Error;
  try {
    const s = schema as { $schema?: unknown };
    const { draft07, draft2020 } = ajvs();
    const ajv = typeof s.$schema === "string" && /2020-12|2019-09/.test(s.$schema) ? draft2020 : draft07;
    result = ajv.compile(schema as object);
  } catch (err) {
    result = err instanceof Error ? err : new Error(String(err));
  }
  compiled.set(schemaText, result);
  return result;
}

/** "/config" + missing "event" → "config.event"; array indices stay as [0]. */
export function errorPath(e: ErrorObject): string {
  const segments = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (e.keyword === "required" && typeof e.params?.missingProperty === "string") {
    segments.push(e.params.missingProperty);
  }
  let out = "";
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : out === "" ? s : `.${s}`;
  return out === "" ? "(root)" : out;
}

/** "config.event is missing" rather than ajv's "config.event must have required property 'event'". */
export function describeError(e: ErrorObject): string {
  if (e.keyword === "required") return `${errorPath(e)} is missing`;
  return `${errorPath(e)} ${e.message ?? "is invalid"}`;
}

const WORKLOAD_KINDS = ["deployments", "statefulsets", "daemonsets"] as const;

/** Whether a pod template reads ConfigMap `name` (volume, projected volume, envFrom, env). */
function readsConfigMap(spec: Loose | undefined, name: string): boolean {
  if (!spec || typeof spec !== "object") return false;
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (v?.configMap?.name === name) return true;
    for (const src of Array.isArray(v?.projected?.sources) ? v.projected.sources : [])
      if (src?.configMap?.name === name) return true;
  }
  for (const { c } of podContainers(spec)) {
    for (const e of Array.isArray(c.envFrom) ? c.envFrom : []) if (e?.configMapRef?.name === name) return true;
    for (const e of Array.isArray(c.env) ? c.env : []) if (e?.valueFrom?.configMapKeyRef?.name === name) return true;
  }
  return false;
}

/**
 * The workloads to restart after fixing the ConfigMap: pods read a ConfigMap when they start
 * (env) or load a mounted file at start, so changing it restarts nothing. The annotated
 * workload itself, or every workload in the namespace whose template reads the ConfigMap.
 */
function readersOf(
  ctx: CheckContext,
  annotated: KubeObject,
  namespace: string | undefined,
  cmName: string,
): ObjectRef[] {
  if (annotated.kind !== "ConfigMap") return [refOf(annotated)];
  const out: ObjectRef[] = [];
  for (const key of WORKLOAD_KINDS)
    for (const w of ctx.objects(key))
      if (w?.metadata?.namespace === namespace && readsConfigMap(w.spec?.template?.spec, cmName)) out.push(refOf(w));
  return out;
}

function restartHint(readers: readonly ObjectRef[]): string {
  if (readers.length === 0) return "then restart the workload that reads it (changing a ConfigMap restarts no pod)";
  const cmds = readers.map(
    (r) => `\`kubectl rollout restart -n ${r.namespace ?? "default"} ${r.kind.toLowerCase()}/${r.name}\``,
  );
  return `then restart ${readers.length === 1 ? "the workload that reads it" : "the workloads that read it"}: ${cmds.join(", ")}`;
}

function findConfigMap(ctx: CheckContext, namespace: string | undefined, name: string): KubeObject | undefined {
  return ctx.objects("configmaps").find((cm) => cm?.metadata?.name === name && cm.metadata?.namespace === namespace);
}

type SchemaSource = { ok: true; text: string; schema: unknown; where: string } | { ok: false; problem: string };

function loadSchema(ctx: CheckContext, o: KubeObject, raw: string): SchemaSource {
  const ns = o.metadata?.namespace;
  const trimmed = raw.trim();
  if (trimmed.startsWith("configmap:")) {
    const m = /^configmap:([^/\s]+)\/(.+)$/.exec(trimmed);
    if (!m) return { ok: false, problem: `${SCHEMA_ANNOTATION}=${trimmed} is not configmap:<name>/<key>` };
    const cm = findConfigMap(ctx, ns, m[1]);
    const text = cm?.data?.[m[2]];
    if (typeof text !== "string") {
      return { ok: false, problem: `schema ConfigMap ${ns ?? "default"}/${m[1]} key ${m[2]} not found` };
    }
    try {
      return { ok: true, text, schema: parseYaml(text), where: `ConfigMap ${m[1]} key ${m[2]}` };
    } catch (err) {
      return {
        ok: false,
        problem: `schema in ConfigMap ${m[1]} key ${m[2]} does not parse: ${(err as Error).message}`,
      };
    }
  }
  try {
    return { ok: true, text: trimmed, schema: JSON.parse(trimmed), where: `annotation ${SCHEMA_ANNOTATION}` };
  } catch (err) {
    return { ok: false, problem: `${SCHEMA_ANNOTATION} is not JSON: ${(err as Error).message}` };
  }
}

function refOf(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion ?? "v1",
    kind: o.kind ?? "Unknown",
    namespace: o.metadata?.namespace,
    name: o.metadata?.name ?? "(unnamed)",
  };
}

function evaluateObject(ctx: CheckContext, o: KubeObject): FindingInput[] {
  const ann = o.metadata?.annotations ?? {};
  const raw = ann[SCHEMA_ANNOTATION];
  if (typeof raw !== "string") return [];
  const object = refOf(o);
  const ns = o.metadata?.namespace;
  const label = `${object.kind} ${ns ? `${ns}/` : ""}${object.name}`;
  const couldNot = (problem: string): FindingInput => ({
    object,
    severity: "info",
    message: `Could not evaluate the configuration schema of ${label}: ${problem}.`,
    evidence: problem,
    remediation: `Fix the ${SCHEMA_ANNOTATION} / ${CONFIGMAP_ANNOTATION} annotations of ${label}.`,
  });
  const loaded = loadSchema(ctx, o, raw);
  if (!loaded.ok) return [couldNot(loaded.problem)];
  if (!loaded.schema || typeof loaded.schema !== "object") return [couldNot("the schema is not a JSON object")];
  const validate = compile(loaded.text, loaded.schema);
  if (validate instanceof Error) return [couldNot(`the schema does not compile: ${validate.message}`)];

  const cmName = ann[CONFIGMAP_ANNOTATION] ?? (o.kind === "ConfigMap" ? o.metadata?.name : undefined);
  if (!cmName) return [couldNot(`no ${CONFIGMAP_ANNOTATION} annotation names the ConfigMap to validate`)];
  const cm = o.kind === "ConfigMap" && cmName === o.metadata?.name ? o : findConfigMap(ctx, ns, cmName);
  if (!cm) return [couldNot(`ConfigMap ${ns ?? "default"}/${cmName} not found`)];
  const data: Record<string, unknown> = cm.data && typeof cm.data === "object" ? cm.data : {};
  const keyAnn = ann[KEY_ANNOTATION];
  const keys =
    typeof keyAnn === "string" && keyAnn.trim() !== ""
      ? keyAnn
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean)
      : Object.keys(data);
  const cmLabel = `ConfigMap ${ns ?? "default"}/${cmName}`;
  const out: FindingInput[] = [];
  for (const key of keys) {
    const text = data[key];
    if (typeof text !== "string") {
      out.push({
        object,
        message: `${cmLabel} has no key ${key}, which the configuration schema of ${label} validates.`,
        evidence: `${KEY_ANNOTATION}=${keyAnn}; ${cmLabel} data keys: ${Object.keys(data).join(", ") || "(none)"}`,
        remediation: `Restore key ${key} in ${cmLabel} before upgrading.`,
      });
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      out.push({
        object,
        message: `${cmLabel} key ${key} is not valid YAML/JSON, so ${label} will fail to load it.`,
        evidence: `${key}: ${(err as Error).message.split("\n")[0]}`,
        remediation: `Fix the syntax of key ${key} in ${cmLabel}.`,
      });
      continue;
    }
    if (validate(parsed)) continue;
    const errors = validate.errors ?? [];
    const shown = errors.slice(0, MAX_ERRORS_SHOWN).map((e) => `${describeError(e)} (schema ${e.schemaPath})`);
    const more = errors.length > MAX_ERRORS_SHOWN ? `; and ${errors.length - MAX_ERRORS_SHOWN} more` : "";
    const first = errors[0];
    out.push({
      object,
      message: `${cmLabel} key ${key} fails the configuration schema of ${label}: ${first ? describeError(first) : "invalid"}; the component may crash on it after the upgrade.`,
      evidence: `${key} ${shown.join("; ")}${more} (schema from ${loaded.where})`,
      remediation: `Fix ${shown.length > 1 ? "these fields" : `${first ? errorPath(first) : "the configuration"}`} in ${cmLabel} key ${key} (e.g. helm upgrade with the missing values), ${restartHint(readersOf(ctx, o, ns, cmName))}.`,
    });
  }
  return out;
}

export const cfg01ConfigSchema: Check = {
  id: "CFG-01",
  severity: "high",
  title: "Configuration fails its declared schema",
  remediation:
    "Fix the configuration so it satisfies the schema named by the upshift.dev/config-schema annotation before upgrading; a component that gets an incomplete configuration may crash-loop.",
  reads: ["deployments", "statefulsets", "daemonsets", "configmaps"],
  evaluate(ctx: CheckContext): FindingInput[] {
    const out: FindingInput[] = [];
    for (const key of ["deployments", "statefulsets", "daemonsets", "configmaps"] as const) {
      for (const o of ctx.objects(key)) {
        if (!o || typeof o !== "object") continue;
        try {
          out.push(...evaluateObject(ctx, o));
        } catch (err) {
          // ajv and yaml are third-party code on user input: one odd object must not stop the run.
          out.push({
            object: refOf(o),
            severity: "info",
            message: `Could not evaluate the configuration schema of ${describeRef(refOf(o))}: ${(err as Error).message}.`,
            evidence: `${SCHEMA_ANNOTATION} present`,
          });
        }
      }
    }
    return out;
  },
};
