// The four PATCH flavours kube-apiserver accepts. Strategic merge is JSON merge patch plus the
// merge keys of the lists that matter in pod templates (containers by name, ports, mounts...),
// which is what kubectl and Helm rely on.

export class PatchError extends Error {}

// biome-ignore lint/suspicious/noExplicitAny: JSON values of any shape
type Json = any;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Lists whose items merge by a key instead of being replaced (from the Kubernetes API's patchMergeKey tags). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  volumes: "name",
  env: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  conditions: "type",
  ownerReferences: "uid",
  tolerations: "key",
  topologySpreadConstraints: "topologyKey",
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === "ports") {
    if (items.every((i) => isObject(i) && "containerPort" in i)) return "containerPort";
    if (items.every((i) => isObject(i) && "port" in i)) return "port";
    return undefined;
  }
  const key = MERGE_KEYS[field];
  return key && items.every((i) => isObject(i) && key in i) ? key : undefined;
}

/** Strategic merge patch: merge patch, but known keyed lists merge item by item; `$patch: delete` removes an item. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const current = out[k];
    if (Array.isArray(v) && Array.isArray(current)) {
      const key = mergeKeyFor(k, [...v.filter((i) => !(isObject(i) && i.$patch === "delete")), ...current]);
      if (key) {
        out[k] = mergeList(current, v, key);
        continue;
      }
    }
    out[k] = isObject(v) ? strategicMergePatch(current, v) : structuredClone(v);
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string): Json[] {
  const result = current.map((i) => structuredClone(i));
  for (const item of patch) {
    const idx = result.findIndex((c) => c[key] === item[key]);
    if (item.$patch === "delete") {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = strategicMergePatch(result[idx], item);
    else result.push(strategicMergePatch({}, item));
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`json patch: path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, parts: string[], pointer: string): { parent: Json; last: string } {
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (cur === undefined) throw new PatchError(`json patch: path "${pointer}" does not exist`);
  }
  return { parent: cur, last: parts[parts.length - 1] };
}

function getAt(doc: Json, pointer: string): Json {
  let cur = doc;
  for (const p of decodePointer(pointer)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (cur === undefined) throw new PatchError(`json patch: path "${pointer}" does not exist`);
  }
  return cur;
}

function removeAt(doc: Json, pointer: string): Json {
  const parts = decodePointer(pointer);
  const { parent, last } = parentOf(doc, parts, pointer);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length)
      throw new PatchError(`json patch: index "${pointer}" out of range`);
    return parent.splice(i, 1)[0];
  }
  if (!isObject(parent) || !(last in parent)) throw new PatchError(`json patch: path "${pointer}" does not exist`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const parts = decodePointer(pointer);
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts, pointer);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length || (replace && i >= parent.length)) {
      throw new PatchError(`json patch: index "${pointer}" out of range`);
    }
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) throw new PatchError(`json patch: path "${pointer}" does not exist`);
    parent[last] = value;
  } else throw new PatchError(`json patch: path "${pointer}" has no parent object`);
  return doc;
}

/** RFC 6902. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError("json patch: body must be an array of operations");
  let doc = structuredClone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== "string" || typeof op.path !== "string") {
      throw new PatchError("json patch: each operation needs string fields op and path");
    }
    switch (op.op) {
      case "add":
        doc = addAt(doc, op.path, structuredClone(op.value), false);
        break;
      case "replace":
        doc = addAt(doc, op.path, structuredClone(op.value), true);
        break;
      case "remove":
        removeAt(doc, op.path);
        break;
      case "move": {
        const v = removeAt(doc, op.from);
        doc = addAt(doc, op.path, v, false);
        break;
      }
      case "copy":
        doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from)), false);
        break;
      case "test":
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) {
          throw new PatchError(`json patch: test failed at "${op.path}"`);
        }
        break;
      default:
        throw new PatchError(`json patch: unknown op "${op.op}"`);
    }
  }
  return doc;
}
