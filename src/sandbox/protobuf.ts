// Protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), as recent client-go
// programs send built-in types (Helm's release storage among them; kubernetes/kubernetes#125314):
// the 4-byte magic "k8s\0", then a runtime.Unknown envelope {typeMeta{apiVersion, kind}, raw,
// contentEncoding, contentType} whose `raw` is the typed message. Both are decoded here into the same
// JSON object the JSON path would produce (Go's encoding/json with the types' `omitempty` tags), so the
// rest of the server never knows which encoding came in. A type without a schema is refused (415).
//
// SOURCES (field numbers are wire-format facts, one table per message below):
//   apimachinery pkg/runtime/serializer/protobuf/protobuf.go (protoEncodingPrefix 0x6b 0x38 0x73 0x00)
//   apimachinery pkg/runtime/generated.proto (Unknown, TypeMeta)
//   apimachinery pkg/apis/meta/v1/generated.proto (ObjectMeta, OwnerReference, ManagedFieldsEntry, Time,
//     MicroTime, FieldsV1, DeleteOptions, Preconditions)
//   apimachinery pkg/apis/meta/v1/time_proto.go (a zero Time is an empty message; JSON then says null)
//   apimachinery pkg/apis/meta/v1/micro_time.go (MicroTime's JSON is RFC 3339 with 6 fractional digits)
//   kubernetes/api core/v1, events/v1, coordination/v1 generated.proto (Secret, ConfigMap, Event, Lease...)
//   protobuf encoding spec (protobuf.dev/programming-guides/encoding): varints, wire types 0/1/2/5.
import { statusError } from "./status.ts";

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Scalar = "string" | "bool" | "int32" | "int64" | "bytes";
/**
 * time: meta/v1 Time (RFC 3339, seconds); microtime: MicroTime; rawJson: FieldsV1 (its Raw is JSON);
 * opaque: bytes kept as bytes, not base64 (runtime.Unknown's raw, decoded next by its own type).
 */
type Special = "time" | "microtime" | "rawJson" | "opaque";

export interface FieldSpec {
  name: string;
  kind: Scalar | Special | "message" | "map";
  /** The message type for kind "message"; for kind "map", the value type ("string" or "bytes"). */
  type?: string;
  repeated?: true;
  /**
   * The Go field is a pointer (or has no omitempty), so a zero value sent on the wire is kept;
   * otherwise "", 0, false and empty collections are dropped as encoding/json's omitempty drops them.
   */
  keep?: true;
}

export type MessageSchema = Readonly<Record<number, FieldSpec>>;

const s = (name: string, keep?: true): FieldSpec => ({ name, kind: "string", ...(keep ? { keep } : {}) });
const b = (name: string, keep?: true): FieldSpec => ({ name, kind: "bool", ...(keep ? { keep } : {}) });
const i32 = (name: string, keep?: true): FieldSpec => ({ name, kind: "int32", ...(keep ? { keep } : {}) });
const i64 = (name: string, keep?: true): FieldSpec => ({ name, kind: "int64", ...(keep ? { keep } : {}) });
const msg = (name: string, type: string, keep?: true): FieldSpec => ({
  name,
  kind: "message",
  type,
  ...(keep ? { keep } : {}),
});
const list = (f: FieldSpec): FieldSpec => ({ ...f, repeated: true });
const map = (name: string, value: "string" | "bytes"): FieldSpec => ({ name, kind: "map", type: value });
const time = (name: string): FieldSpec => ({ name, kind: "time" });
const microtime = (name: string): FieldSpec => ({ name, kind: "microtime" });

/** Every message the sandbox decodes, by its protobuf package-qualified name. */
export const MESSAGES: Readonly<Record<string, MessageSchema>> = {
  // apimachinery pkg/runtime/generated.proto
  "runtime.Unknown": {
    1: msg("typeMeta", "runtime.TypeMeta"),
    2: { name: "raw", kind: "opaque" },
    3: s("contentEncoding"),
    4: s("contentType"),
  },
  "runtime.TypeMeta": { 1: s("apiVersion"), 2: s("kind") },

  // apimachinery pkg/apis/meta/v1/generated.proto
  "meta.v1.ObjectMeta": {
    1: s("name"),
    2: s("generateName"),
    3: s("namespace"),
    4: s("selfLink"),
    5: s("uid"),
    6: s("resourceVersion"),
    7: i64("generation"),
    8: time("creationTimestamp"),
    9: time("deletionTimestamp"),
    10: i64("deletionGracePeriodSeconds", true),
    11: map("labels", "string"),
    12: map("annotations", "string"),
    13: list(msg("ownerReferences", "meta.v1.OwnerReference")),
    14: list(s("finalizers")),
    17: list(msg("managedFields", "meta.v1.ManagedFieldsEntry")),
  },
  "meta.v1.OwnerReference": {
    5: s("apiVersion", true),
    1: s("kind", true),
    3: s("name", true),
    4: s("uid", true),
    6: b("controller", true),
    7: b("blockOwnerDeletion", true),
  },
  "meta.v1.ManagedFieldsEntry": {
    1: s("manager"),
    2: s("operation"),
    3: s("apiVersion"),
    4: time("time"),
    6: s("fieldsType"),
    7: { name: "fieldsV1", kind: "rawJson" },
    8: s("subresource"),
  },
  "meta.v1.DeleteOptions": {
    1: i64("gracePeriodSeconds", true),
    2: msg("preconditions", "meta.v1.Preconditions", true),
    3: b("orphanDependents", true),
    4: s("propagationPolicy", true),
    5: list(s("dryRun")),
    6: b("ignoreStoreReadErrorWithClusterBreakingPotential", true),
  },
  "meta.v1.Preconditions": { 1: s("uid", true), 2: s("resourceVersion", true) },

  // kubernetes/api core/v1/generated.proto
  "core.v1.Secret": {
    1: msg("metadata", "meta.v1.ObjectMeta", true),
    5: b("immutable", true),
    2: map("data", "bytes"),
    4: map("stringData", "string"),
    3: s("type"),
  },
  "core.v1.ConfigMap": {
    1: msg("metadata", "meta.v1.ObjectMeta", true),
    4: b("immutable", true),
    2: map("data", "string"),
    3: map("binaryData", "bytes"),
  },
  "core.v1.Event": {
    1: msg("metadata", "meta.v1.ObjectMeta", true),
    2: msg("involvedObject", "core.v1.ObjectReference", true),
    3: s("reason"),
    4: s("message"),
    5: msg("source", "core.v1.EventSource"),
    6: time("firstTimestamp"),
    7: time("lastTimestamp"),
    8: i32("count"),
    9: s("type"),
    10: microtime("eventTime"),
    11: msg("series", "core.v1.EventSeries", true),
    12: s("action"),
    13: msg("related", "core.v1.ObjectReference", true),
    14: s("reportingComponent", true),
    15: s("reportingInstance", true),
  },
  "core.v1.EventSource": { 1: s("component"), 2: s("host") },
  "core.v1.EventSeries": { 1: i32("count"), 2: microtime("lastObservedTime") },
  "core.v1.ObjectReference": {
    1: s("kind"),
    2: s("namespace"),
    3: s("name"),
    4: s("uid"),
    5: s("apiVersion"),
    6: s("resourceVersion"),
    7: s("fieldPath"),
  },

  // kubernetes/api events/v1/generated.proto
  "events.v1.Event": {
    1: msg("metadata", "meta.v1.ObjectMeta", true),
    2: microtime("eventTime"),
    3: msg("series", "events.v1.EventSeries", true),
    4: s("reportingController"),
    5: s("reportingInstance"),
    6: s("action"),
    7: s("reason"),
    8: msg("regarding", "core.v1.ObjectReference", true),
    9: msg("related", "core.v1.ObjectReference", true),
    10: s("note"),
    11: s("type"),
    12: msg("deprecatedSource", "core.v1.EventSource"),
    13: time("deprecatedFirstTimestamp"),
    14: time("deprecatedLastTimestamp"),
    15: i32("deprecatedCount"),
  },
  "events.v1.EventSeries": { 1: i32("count", true), 2: microtime("lastObservedTime") },

  // kubernetes/api coordination/v1/generated.proto
  "coordination.v1.Lease": {
    1: msg("metadata", "meta.v1.ObjectMeta", true),
    2: msg("spec", "coordination.v1.LeaseSpec", true),
  },
  "coordination.v1.LeaseSpec": {
    1: s("holderIdentity", true),
    2: i32("leaseDurationSeconds", true),
    3: microtime("acquireTime"),
    4: microtime("renewTime"),
    5: i32("leaseTransitions", true),
    6: s("strategy", true),
    7: s("preferredHolder", true),
  },
};

/** apiVersion/kind on the envelope → the message inside `raw`. */
export const TOP_LEVEL_TYPES: Readonly<Record<string, string>> = {
  "v1/Secret": "core.v1.Secret",
  "v1/ConfigMap": "core.v1.ConfigMap",
  "v1/Event": "core.v1.Event",
  "events.k8s.io/v1/Event": "events.v1.Event",
  "coordination.k8s.io/v1/Lease": "coordination.v1.Lease",
  // DeleteOptions is sent as meta.k8s.io/v1 by current clients and as v1 by older ones.
  "meta.k8s.io/v1/DeleteOptions": "meta.v1.DeleteOptions",
  "v1/DeleteOptions": "meta.v1.DeleteOptions",
};

export class ProtobufError extends Error {}

/** A tiny reader over the protobuf wire format: varints, and length-delimited slices. */
class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufError("truncated varint");
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError("varint longer than 10 bytes");
  }

  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new ProtobufError("length-delimited field runs past the end");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.advance(4);
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtobufError("fixed-width field runs past the end");
    this.pos += n;
  }
}

const WIRE_TYPE: Record<FieldSpec["kind"], number> = {
  string: 2,
  bytes: 2,
  message: 2,
  map: 2,
  time: 2,
  microtime: 2,
  rawJson: 2,
  opaque: 2,
  bool: 0,
  int32: 0,
  int64: 0,
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtobufError("a string field is not valid UTF-8");
  }
}

/** Decodes one message by its schema into a JSON-ready object. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  const schema = MESSAGES[type];
  if (!schema) throw new ProtobufError(`no schema for message ${type}`);
  const out: Record<string, unknown> = {};
  const r = new Reader(bytes);
  while (!r.done) {
    const tag = Number(r.varint());
    const field = schema[tag >>> 3];
    const wireType = tag & 7;
    if (!field) {
      r.skip(wireType); // a field newer than our table: ignored, as the real server drops unknown fields
      continue;
    }
    // Packed repeated scalars (wire type 2 for a varint kind) never occur in these messages.
    if (wireType !== WIRE_TYPE[field.kind]) {
      throw new ProtobufError(`${type}.${field.name}: wire type ${wireType}, expected ${WIRE_TYPE[field.kind]}`);
    }
    if (field.kind === "map") {
      const entry = decodeMapEntry(r.bytes(), field.type === "bytes");
      out[field.name] ??= {};
      const m = out[field.name] as Record<string, string>;
      m[entry.key] = entry.value;
      continue;
    }
    const value = decodeValue(field, r, type);
    if (field.repeated) {
      out[field.name] ??= [];
      (out[field.name] as unknown[]).push(value);
    } else out[field.name] = value; // last one wins, as protobuf says
  }
  return omitEmpty(schema, out);
}

function decodeValue(field: FieldSpec, r: Reader, type: string): unknown {
  switch (field.kind) {
    case "string":
      return text(r.bytes());
    case "bytes":
      return Buffer.from(r.bytes()).toString("base64");
    case "opaque":
      return r.bytes();
    case "bool":
      return r.varint() !== 0n;
    case "int32":
      return Number(BigInt.asIntN(32, r.varint()));
    case "int64":
      return Number(BigInt.asIntN(64, r.varint()));
    case "message":
      return decodeMessage(field.type as string, r.bytes());
    case "time":
    case "microtime":
      return timestamp(r.bytes(), field.kind === "microtime");
    case "rawJson": {
      const raw = new Reader(r.bytes());
      let json: unknown = {};
      while (!raw.done) {
        const tag = Number(raw.varint());
        if (tag === ((1 << 3) | 2)) json = JSON.parse(text(raw.bytes()) || "{}");
        else raw.skip(tag & 7);
      }
      return json;
    }
    default:
      throw new ProtobufError(`${type}.${field.name}: unknown kind`);
  }
}

function decodeMapEntry(bytes: Uint8Array, bytesValue: boolean): { key: string; value: string } {
  const r = new Reader(bytes);
  let key = "";
  let value = "";
  while (!r.done) {
    const tag = Number(r.varint());
    if (tag === ((1 << 3) | 2)) key = text(r.bytes());
    else if (tag === ((2 << 3) | 2)) {
      const v = r.bytes();
      value = bytesValue ? Buffer.from(v).toString("base64") : text(v);
    } else r.skip(tag & 7);
  }
  return { key, value };
}

/** meta/v1 Time or MicroTime {seconds, nanos}; an empty message is the zero time (JSON null, omitted here). */
function timestamp(bytes: Uint8Array, micro: boolean): string | null {
  if (bytes.length === 0) return null;
  const r = new Reader(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const tag = Number(r.varint());
    if (tag === ((1 << 3) | 0)) seconds = BigInt.asIntN(64, r.varint());
    else if (tag === ((2 << 3) | 0)) nanos = Number(BigInt.asIntN(32, r.varint()));
    else r.skip(tag & 7);
  }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new ProtobufError("a timestamp is out of range");
  const base = date.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

/** Go's encoding/json with `omitempty`: zero values vanish unless the field is a pointer (`keep`). */
function omitEmpty(schema: MessageSchema, out: Record<string, unknown>): Record<string, unknown> {
  for (const field of Object.values(schema)) {
    if (!(field.name in out)) continue;
    const v = out[field.name];
    if (v === null) delete out[field.name];
    else if (field.keep) continue;
    else if (
      v === "" ||
      v === 0 ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (field.kind === "message" && typeof v === "object" && Object.keys(v as object).length === 0)
    )
      delete out[field.name];
  }
  return out;
}

export interface DecodedBody {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/**
 * Decodes a whole request body: magic, envelope, typed message. Bad bytes are 400; a type the
 * sandbox has no table for is 415 naming it, so the client knows to send JSON.
 */
export function decodeProtobufBody(body: Uint8Array): DecodedBody {
  if (body.length < 4 || !PROTOBUF_MAGIC.equals(body.subarray(0, 4))) {
    throw statusError(400, 'the protobuf body does not start with the Kubernetes magic "k8s\\0"', "BadRequest");
  }
  let envelope: Record<string, unknown>;
  try {
    envelope = decodeMessage("runtime.Unknown", body.subarray(4));
  } catch (err) {
    throw statusError(400, `the protobuf envelope could not be decoded: ${(err as Error).message}`, "BadRequest");
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? "";
  const kind = typeMeta.kind ?? "";
  if (envelope.contentEncoding) {
    throw statusError(
      415,
      `the sandbox cannot decode protobuf bodies with contentEncoding "${envelope.contentEncoding}"`,
      "UnsupportedMediaType",
    );
  }
  const type = TOP_LEVEL_TYPES[`${apiVersion}/${kind}`];
  if (!type) {
    throw statusError(
      415,
      `the sandbox cannot decode protobuf bodies of ${kind || "(no kind)"} (${apiVersion || "no apiVersion"}); send it as application/json`,
      "UnsupportedMediaType",
    );
  }
  const raw = (envelope.raw as Uint8Array | undefined) ?? new Uint8Array(0);
  try {
    return { apiVersion, kind, object: { apiVersion, kind, ...decodeMessage(type, raw) } };
  } catch (err) {
    if (!(err instanceof ProtobufError) && !(err instanceof SyntaxError)) throw err;
    throw statusError(400, `the protobuf ${kind} could not be decoded: ${err.message}`, "BadRequest");
  }
}
