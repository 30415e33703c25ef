// The sandbox at 150,000 objects (issue 14): `upshift sandbox` loads a JSON fixture of that size,
// serves every object through paginated lists, and a bad fixture of that size exits 2 naming the
// document, never 0 and never a stack overflow. Speed is measured in bench/, not here.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeObject } from "../../src/kube/resources.ts";
import { parseFixture, SANDBOX_TOKEN } from "../../src/sandbox/index.ts";

const BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;
const OBJECTS = 150_000;
const CRDS = 1_000;

/** CRDs first in the file or not, each with one custom resource; Pods and ConfigMaps for the rest. */
function bigCluster(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let c = 0; c < CRDS; c++) {
    objects.push({
      apiVersion: "example.com/v1",
      kind: `Gadget${c}`,
      metadata: { name: `gadget-${c}`, namespace: "team-0" },
      spec: { size: c },
    });
    objects.push({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `gadgets${c}.example.com` },
      spec: {
        group: "example.com",
        names: { plural: `gadgets${c}`, kind: `Gadget${c}`, singular: `gadget${c}` },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
      },
    });
  }
  for (let i = objects.length; i < OBJECTS; i++) {
    const namespace = `team-${i % 40}`;
    objects.push(
      i % 2
        ? {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `pod-${i}`, namespace, labels: { app: `app-${i % 100}` } },
            spec: { containers: [{ name: "app", image: `registry.example.com/app:${i % 7}` }] },
            status: { phase: "Running" },
          }
        : { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `cm-${i}`, namespace }, data: { k: String(i) } },
    );
  }
  return objects;
}

function startCli(fixture: string): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  // Plain HTTP: the test reads with bare fetch (HTTPS and its authentication are tested in tlsPaths.test.ts).
  const child = spawn(process.execPath, [BIN, "sandbox", "--fixture", fixture, "--plain-http"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

async function listCount(url: string, path: string): Promise<number> {
  let total = 0;
  let token = "";
  do {
    const res = await fetch(`${url}${path}?limit=5000${token ? `&continue=${encodeURIComponent(token)}` : ""}`, {
      headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` },
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).toBe(200);
    const list = (await res.json()) as { items: unknown[]; metadata: { continue?: string } };
    total += list.items.length;
    token = list.metadata.continue ?? "";
  } while (token);
  return total;
}

let dir: string;
let objects: KubeObject[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-scale-"));
  objects = bigCluster();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("upshift sandbox at 150,000 objects", () => {
  it("loads a JSON List fixture and serves every object", { timeout: 180_000 }, async () => {
    const fixture = join(dir, "big.json");
    writeFileSync(fixture, JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    const { child, done } = startCli(fixture);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout?.on("data", (d) => {
          out += d;
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        done.then(({ code, stderr }) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
      });
      const pods = objects.filter((o) => o.kind === "Pod").length;
      expect(await listCount(url, "/api/v1/pods")).toBe(pods);
      expect(await listCount(url, "/api/v1/configmaps")).toBe(OBJECTS - 2 * CRDS - pods);
      expect(await listCount(url, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")).toBe(CRDS);
      // A custom resource listed before its CRD in the file still resolves to that CRD's plural.
      expect(await listCount(url, `/apis/example.com/v1/gadgets${CRDS - 1}`)).toBe(1);
    } finally {
      child.kill("SIGTERM");
    }
    expect((await done).code).toBe(0);
  });

  it("exits 2 naming the document when an object of a 150,000-object fixture is bad", {
    timeout: 120_000,
  }, async () => {
    const bad = objects.map((o, i) => (i === OBJECTS - 1 ? { ...o, metadata: { namespace: "x" } } : o));
    const json = join(dir, "bad.json");
    writeFileSync(json, JSON.stringify({ apiVersion: "v1", kind: "List", items: bad }));
    const r = await startCli(json).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`upshift sandbox: ${json} document 1: Pod needs metadata.name`);
    expect(r.stderr).not.toMatch(/call stack/);
  });
});

describe("fixture formats", () => {
  it("a JSON document and the same objects in YAML load alike", () => {
    const sample = objects.slice(0, 300);
    const fromJson = parseFixture(JSON.stringify({ apiVersion: "v1", kind: "List", items: sample }));
    const fromYaml = parseFixture(sample.map((o) => stringify(o)).join("---\n"));
    expect(fromJson.objects).toHaveLength(300);
    expect(fromJson).toEqual(fromYaml);
  });

  it("broken YAML still says where, and flow-style YAML that is not JSON is still YAML", () => {
    expect(() => parseFixture("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "f.yaml")).toThrow(
      /f\.yaml document 1: invalid YAML: .*line \d+, column \d+/s,
    );
    expect(parseFixture("{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}").objects).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
    ]);
    expect(() => parseFixture('{"apiVersion": "v1", "kind": "Pod"', "g.json")).toThrow(
      /g\.json document 1: invalid YAML/,
    );
  });
});
