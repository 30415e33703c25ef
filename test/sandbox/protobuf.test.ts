// Protobuf request bodies: byte fixtures made by a tiny encoder written here from the protobuf wire
// format (independent of the decoder's tables), decoded by the sandbox, compared with what the JSON
// path stores for the same object. Real Helm's round trips are in test/helm/realHelm.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { decodeProtobufBody, MESSAGES, PROTOBUF_MAGIC, TOP_LEVEL_TYPES } from "../../src/sandbox/protobuf.ts";

// ---- the encoder: field = tag varint (number << 3 | wire type), then the value ----
function varint(v: bigint | number): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) byte |= 0x80;
    out.push(byte);
  } while (n !== 0n);
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const num = (field: number, v: bigint | number) => [...tag(field, 0), ...varint(v)];
const bytes = (field: number, b: Uint8Array | number[]) => [...tag(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, "utf8")]);
const sub = (field: number, ...parts: number[][]) => bytes(field, parts.flat());
const entry = (field: number, k: string, v: string | number[]) =>
  sub(field, str(1, k), typeof v === "string" ? str(2, v) : bytes(2, v));
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function envelope(apiVersion: string, kind: string, raw: number[], extra: number[][] = []): Buffer {
  return Buffer.from([
    ...PROTOBUF_MAGIC,
    ...sub(1, str(1, apiVersion), str(2, kind)),
    ...bytes(2, raw),
    ...extra.flat(),
  ]);
}

const objectMeta = (name: string) =>
  sub(
    1,
    str(1, name),
    str(2, ""), // generateName "" on the wire: Go's omitempty drops it from JSON
    str(3, "default"),
    num(7, 0),
    sub(8), // zero creationTimestamp: an empty message, JSON null
    num(10, -1), // deletionGracePeriodSeconds is a *int64: kept, and negative (10-byte varint)
    entry(11, "owner", "helm"),
    entry(11, "status", "deployed"),
    entry(12, "note", "ünïcode ✓"),
    sub(13, str(1, "ConfigMap"), str(3, "parent"), str(4, "uid-1"), str(5, "v1"), num(6, 1), num(7, 0)),
    str(14, "example.com/finalizer"),
    sub(
      17,
      str(1, "helm"),
      str(2, "Update"),
      str(3, "v1"),
      sub(4, num(1, seconds("2026-11-30T10:20:30Z"))),
      str(6, "FieldsV1"),
      sub(7, str(1, '{"f:data":{".":{}}}')),
    ),
    num(99, 7), // an unknown field number is skipped, as a newer client may send one
  );

const secretBytes = (name: string) =>
  envelope("v1", "Secret", [
    ...objectMeta(name),
    ...entry(2, "release", [0, 1, 2, 250, 255]),
    ...str(3, "helm.sh/release.v1"),
    ...num(5, 0), // immutable: false is a *bool, kept
  ]);

const expectedSecret = (name: string): Record<string, unknown> => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name,
    namespace: "default",
    deletionGracePeriodSeconds: -1,
    labels: { owner: "helm", status: "deployed" },
    annotations: { note: "ünïcode ✓" },
    ownerReferences: [
      {
        kind: "ConfigMap",
        name: "parent",
        uid: "uid-1",
        apiVersion: "v1",
        controller: true,
        blockOwnerDeletion: false,
      },
    ],
    finalizers: ["example.com/finalizer"],
    managedFields: [
      {
        manager: "helm",
        operation: "Update",
        apiVersion: "v1",
        time: "2026-11-30T10:20:30Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {} } },
      },
    ],
  },
  data: { release: Buffer.from([0, 1, 2, 250, 255]).toString("base64") },
  type: "helm.sh/release.v1",
  immutable: false,
});

describe("decodeProtobufBody", () => {
  it("decodes a Secret with the ObjectMeta, OwnerReference, ManagedFieldsEntry and Time inside", () => {
    const decoded = decodeProtobufBody(secretBytes("s1"));
    expect(decoded.kind).toBe("Secret");
    expect(decoded.object).toEqual(expectedSecret("s1"));
  });

  it("decodes a ConfigMap with data and binaryData", () => {
    const raw = [...sub(1, str(1, "cm")), ...entry(2, "a", "1"), ...entry(3, "bin", [0xde, 0xad]), ...num(4, 1)];
    expect(decodeProtobufBody(envelope("v1", "ConfigMap", raw)).object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm" },
      data: { a: "1" },
      binaryData: { bin: Buffer.from([0xde, 0xad]).toString("base64") },
      immutable: true,
    });
  });

  it("decodes a Lease with MicroTime (6 fractional digits) and pointer fields", () => {
    const micro = sub(3, num(1, seconds("2026-12-01T08:00:00Z")), num(2, 123_456_789));
    const raw = [...sub(1, str(1, "leader")), ...sub(2, str(1, "pod-a"), num(2, 15), micro, num(5, 0))];
    expect(decodeProtobufBody(envelope("coordination.k8s.io/v1", "Lease", raw)).object).toEqual({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "leader" },
      spec: {
        holderIdentity: "pod-a",
        leaseDurationSeconds: 15,
        acquireTime: "2026-12-01T08:00:00.123456Z",
        leaseTransitions: 0,
      },
    });
  });

  it("decodes core/v1 and events.k8s.io/v1 Events", () => {
    const core = [
      ...sub(1, str(1, "ev1"), str(3, "default")),
      ...sub(2, str(1, "Pod"), str(2, "default"), str(3, "web-0")),
      ...str(3, "Unhealthy"),
      ...str(4, "Liveness probe failed"),
      ...sub(5, str(1, "kubelet")),
      ...sub(6, num(1, seconds("2026-12-01T09:00:00Z"))),
      ...num(8, 3),
      ...str(9, "Warning"),
      ...str(14, ""),
    ];
    expect(decodeProtobufBody(envelope("v1", "Event", core)).object).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "ev1", namespace: "default" },
      involvedObject: { kind: "Pod", namespace: "default", name: "web-0" },
      reason: "Unhealthy",
      message: "Liveness probe failed",
      source: { component: "kubelet" },
      firstTimestamp: "2026-12-01T09:00:00Z",
      count: 3,
      type: "Warning",
      reportingComponent: "",
    });
    const ev = [
      ...sub(1, str(1, "ev2")),
      ...sub(2, num(1, seconds("2026-12-01T09:00:00Z")), num(2, 5000)),
      ...str(4, "kubelet"),
      ...str(7, "Started"),
      ...sub(8, str(1, "Pod"), str(3, "web-0")),
      ...str(10, "Started container"),
      ...str(11, "Normal"),
    ];
    expect(decodeProtobufBody(envelope("events.k8s.io/v1", "Event", ev)).object).toEqual({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "ev2" },
      eventTime: "2026-12-01T09:00:00.000005Z",
      reportingController: "kubelet",
      reason: "Started",
      regarding: { kind: "Pod", name: "web-0" },
      note: "Started container",
      type: "Normal",
    });
  });

  it("refuses a type without a table with 415 naming it, and bad bytes with 400", () => {
    expect(() => decodeProtobufBody(envelope("apps/v1", "Deployment", []))).toThrow(
      expect.objectContaining({
        status: expect.objectContaining({ code: 415, message: expect.stringContaining("Deployment (apps/v1)") }),
      }),
    );
    expect(() => decodeProtobufBody(Buffer.from('{"kind":"Secret"}'))).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 400 }) }),
    );
    const truncated = secretBytes("s").subarray(0, 40);
    expect(() => decodeProtobufBody(truncated)).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 400 }) }),
    );
    const gzipped = envelope("v1", "Secret", [], [str(3, "gzip")]);
    expect(() => decodeProtobufBody(gzipped)).toThrow(
      expect.objectContaining({ status: expect.objectContaining({ code: 415 }) }),
    );
  });

  it("keeps one table per message, field numbers unique, every nested type present", () => {
    for (const [type, schema] of Object.entries(MESSAGES)) {
      const names = Object.values(schema).map((f) => f.name);
      expect(new Set(names).size, type).toBe(names.length);
      for (const f of Object.values(schema))
        if (f.kind === "message") expect(MESSAGES[f.type as string], `${type}.${f.name}`).toBeDefined();
    }
    for (const t of Object.values(TOP_LEVEL_TYPES)) expect(MESSAGES[t]).toBeDefined();
  });
});

describe("protobuf bodies over HTTP", () => {
  let sandbox: SandboxServer;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const pb = "application/vnd.kubernetes.protobuf";
  const post = (path: string, body: Buffer | string, contentType: string, accept = `${pb}, application/json`) =>
    fetch(`${sandbox.url}${path}`, {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { "Content-Type": contentType, Accept: accept },
    });
  const strip = (o: KubeObject) => {
    const { uid: _u, resourceVersion: _r, creationTimestamp: _c, name: _n, ...meta } = o.metadata ?? {};
    return { ...o, metadata: meta };
  };

  it("stores a protobuf Secret exactly as the same Secret sent as JSON, and answers in JSON", async () => {
    const res = await post("/api/v1/namespaces/default/secrets", secretBytes("from-pb"), pb);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    const viaPb = (await res.json()) as KubeObject;
    const json = await post(
      "/api/v1/namespaces/default/secrets",
      JSON.stringify(expectedSecret("from-json")),
      "application/json",
    );
    expect(json.status).toBe(201);
    const viaJson = (await json.json()) as KubeObject;
    expect(strip(viaPb)).toEqual(strip(viaJson));
    expect(viaPb.metadata?.name).toBe("from-pb");
  });

  it("refuses an undecoded type with 415, and a client that accepts only protobuf with 406", async () => {
    const res = await post("/apis/apps/v1/namespaces/default/deployments", envelope("apps/v1", "Deployment", []), pb);
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain("Deployment");
    const only = await post("/api/v1/namespaces/default/secrets", secretBytes("pb-only"), pb, pb);
    expect(only.status).toBe(406);
    expect(sandbox.store.get("v1", "Secret", "default", "pb-only")).toBeUndefined();
  });

  it("says 406 to a protobuf-only request for /openapi/v2 and answers JSON clients", async () => {
    const pbOnly = await fetch(`${sandbox.url}/openapi/v2`, {
      headers: { Accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" },
    });
    expect(pbOnly.status).toBe(406);
    expect(((await pbOnly.json()) as { message: string }).message).toContain("/openapi/v3");
    const json = await fetch(`${sandbox.url}/openapi/v2`, { headers: { Accept: "application/json" } });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { swagger: string }).swagger).toBe("2.0");
  });

  it("honours protobuf DeleteOptions preconditions on DELETE", async () => {
    await post("/api/v1/namespaces/default/secrets", secretBytes("to-delete"), pb);
    const uid = sandbox.store.get("v1", "Secret", "default", "to-delete")?.metadata?.uid as string;
    const del = (preUid: string) =>
      fetch(`${sandbox.url}/api/v1/namespaces/default/secrets/to-delete`, {
        method: "DELETE",
        headers: { "Content-Type": pb, Accept: "application/json" },
        body: new Uint8Array(
          envelope("meta.k8s.io/v1", "DeleteOptions", [
            ...num(1, 0),
            ...sub(2, str(1, preUid)),
            ...str(4, "Background"),
          ]),
        ),
      });
    const wrong = await del("not-the-uid");
    expect(wrong.status).toBe(409);
    expect(sandbox.store.get("v1", "Secret", "default", "to-delete")).toBeDefined();
    const right = await del(uid);
    expect(right.status).toBe(200);
    expect(sandbox.store.get("v1", "Secret", "default", "to-delete")).toBeUndefined();
  });
});
