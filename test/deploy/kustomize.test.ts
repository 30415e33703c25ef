import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema, fileConfigSchema } from "../../src/config/schema.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { unknownPodFields, validateObject } from "./kubeSchema.ts";
import { find, OVERLAYS, REPO_ROOT, renderKustomization, renderOverlay, rulesOf } from "./render.ts";

const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate", "*"];
const ENV_NAMES = new Set(Object.keys(envSchema.shape));

interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
  initialDelaySeconds?: number;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

function podSpecs(objects: KubeObject[]) {
  return objects
    .filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind!))
    .map((o) => ({ owner: `${o.kind}/${o.metadata!.name}`, spec: o.spec.template.spec, obj: o }));
}

const window = (p: Probe) => (p.initialDelaySeconds ?? 0) + (p.failureThreshold ?? 3) * (p.periodSeconds ?? 10);

describe.each(OVERLAYS)("overlay %s", (overlay) => {
  const objects = renderOverlay(overlay);

  it("renders objects that all pass the Kubernetes schema", async () => {
    expect(objects.length).toBeGreaterThanOrEqual(10);
    for (const o of objects) {
      await expect(validateObject(o), `${o.kind}/${o.metadata?.name}`).resolves.toBeUndefined();
    }
  });

  it("uses only real field names in pod specs, containers, probes and security contexts", () => {
    expect(unknownPodFields(objects)).toEqual([]);
  });

  it("puts every namespaced object in the upshift namespace", () => {
    const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding"]);
    // The one exception: helm-namespaces' RoleBindings live in the namespaces they grant.
    const grants = (o: KubeObject) => o.kind === "RoleBinding" && o.metadata?.name === "upshift-read-secrets";
    for (const o of objects.filter((x) => !clusterScoped.has(x.kind!) && !grants(x))) {
      expect(o.metadata?.namespace, `${o.kind}/${o.metadata?.name}`).toBe("upshift");
    }
  });

  it("renders no Secret: tokens come from a Secret created by hand", () => {
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("gates liveness behind a generous startup probe on every container", () => {
    for (const { owner, spec } of podSpecs(objects)) {
      for (const c of spec.containers as Container[]) {
        const where = `${owner} ${c.name}`;
        expect(c.startupProbe, `${where} startupProbe`).toBeDefined();
        expect(c.livenessProbe, `${where} livenessProbe`).toBeDefined();
        expect(c.readinessProbe, `${where} readinessProbe`).toBeDefined();
        // The kubelet runs liveness only once the startup probe has succeeded; the window a slow
        // start gets is the startup probe's, and it must be long (INCIDENTS case 1).
        expect(window(c.startupProbe!), `${where} startup window`).toBeGreaterThanOrEqual(60);
        expect(c.livenessProbe!.initialDelaySeconds ?? 0, `${where}: no reliance on initialDelaySeconds`).toBe(0);
        // Liveness checks what startup checked: once started, liveness cannot fail for a new reason.
        expect(c.livenessProbe!.httpGet ?? c.livenessProbe!.exec).toEqual(
          c.startupProbe!.httpGet ?? c.startupProbe!.exec,
        );
        expect(window(c.livenessProbe!), `${where} liveness window`).toBeGreaterThanOrEqual(30);
      }
    }
  });

  it("runs every container non-root, read-only, without privileges, with resource bounds", () => {
    for (const { owner, spec } of podSpecs(objects)) {
      expect(spec.securityContext?.runAsNonRoot, owner).toBe(true);
      expect(spec.securityContext?.seccompProfile?.type, owner).toBe("RuntimeDefault");
      for (const c of spec.containers as Container[]) {
        const where = `${owner} ${c.name}`;
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot, where).toBe(true);
        expect(sc.runAsUser, where).toBeGreaterThan(0);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.capabilities?.drop, where).toEqual(["ALL"]);
        expect((sc.seccompProfile as { type?: string })?.type, where).toBe("RuntimeDefault");
        // A read-only root needs a writable /tmp (Node and libraries write temp files there).
        const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
        expect(tmp, `${where} /tmp mount`).toBeDefined();
        expect(
          spec.volumes.find((v: { name: string }) => v.name === tmp!.name)?.emptyDir,
          `${where} /tmp emptyDir`,
        ).toBeDefined();
        expect(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${where} requests`).toBeTruthy();
        expect(c.resources?.limits?.memory, `${where} memory limit`).toBeTruthy();
      }
    }
  });

  it("runs bot and worker from upshift:0.1.0, two replicas each, user 10001, probes on /healthz and /readyz", () => {
    for (const role of ["bot", "worker"]) {
      const d = find(objects, "Deployment", `upshift-${role}`);
      expect(d.spec.replicas).toBe(2);
      const spec = d.spec.template.spec;
      expect(spec.serviceAccountName).toBe("upshift");
      const [c] = spec.containers as Container[];
      expect(c.image).toBe("upshift:0.1.0");
      expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(["node", "bin/upshift.js", role]);
      expect(c.securityContext?.runAsUser).toBe(10001);
      expect(c.startupProbe?.httpGet?.path).toBe("/healthz");
      expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
      // Readiness may depend on Redis; liveness must not, or a Redis blip restarts every pod.
      expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(c.envFrom).toEqual([{ secretRef: { name: "upshift-secrets" } }]);
      for (const e of c.env ?? []) expect(ENV_NAMES, `env ${e.name} is read by src/config/schema.ts`).toContain(e.name);
      expect(c.env?.find((e) => e.name === "UPSHIFT_CONFIG")?.value).toBe("/etc/upshift/upshift.yaml");
      expect(c.volumeMounts?.find((m) => m.mountPath === "/etc/upshift")).toBeDefined();
    }
  });

  it("mounts an upshift.yaml that passes Upshift's own config schema", () => {
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name?.startsWith("upshift-config-"));
    expect(cm, "generated ConfigMap with a content hash").toBeDefined();
    const bot = find(objects, "Deployment", "upshift-bot");
    const configVolume = bot.spec.template.spec.volumes.find((v: { configMap?: { name: string } }) => v.configMap);
    expect(configVolume.configMap.name).toBe(cm!.metadata!.name);
    const parsed = fileConfigSchema.safeParse(parse(cm!.data["upshift.yaml"]));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("exposes the bot on port 3000 through a Service selecting only bot pods", () => {
    const svc = find(objects, "Service", "upshift-bot");
    expect(svc.spec.ports).toEqual([{ name: "http", port: 3000, targetPort: "http" }]);
    const labels = find(objects, "Deployment", "upshift-bot").spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>)) expect(labels[k]).toBe(v);
    expect(svc.spec.selector["app.kubernetes.io/component"]).toBe("bot");
  });

  it("uses no wildcard in any RBAC rule", () => {
    for (const role of objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")) {
      for (const r of rulesOf(role)) {
        for (const v of [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs])
          expect(v, role.metadata?.name).not.toBe("*");
      }
    }
  });
});

describe("overlay differences", () => {
  it("read-only grants no write verb at all", () => {
    const roles = renderOverlay("read-only").filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
    expect(roles.map((r) => r.metadata?.name).sort()).toEqual(["upshift-read", "upshift-read-secrets"]);
    for (const role of roles)
      for (const r of rulesOf(role)) for (const v of r.verbs) expect(WRITE_VERBS).not.toContain(v);
    // Secrets only in their own role, bound cluster-wide in this (the default) mode.
    expect(
      rulesOf(find(renderOverlay("read-only"), "ClusterRole", "upshift-read")).some((r) =>
        r.resources?.includes("secrets"),
      ),
    ).toBe(false);
    expect(find(renderOverlay("read-only"), "ClusterRoleBinding", "upshift-read-secrets").roleRef).toMatchObject({
      kind: "ClusterRole",
      name: "upshift-read-secrets",
    });
  });

  it("helm-namespaces binds Secrets in the listed namespaces only, and tells the pods the same list", () => {
    const objects = renderOverlay("helm-namespaces");
    expect(objects.filter((o) => o.kind === "ClusterRoleBinding").map((o) => o.metadata?.name)).toEqual([
      "upshift-read",
    ]);
    const bindings = objects.filter((o) => o.kind === "RoleBinding");
    expect(bindings.length).toBeGreaterThan(0);
    for (const b of bindings) {
      expect(b.metadata?.name).toBe("upshift-read-secrets");
      expect(b.roleRef).toEqual({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "upshift-read-secrets",
      });
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "upshift", namespace: "upshift" }]);
    }
    const listed = bindings.map((b) => b.metadata!.namespace!).sort();
    const deployments = objects.filter((o) => o.kind === "Deployment");
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual(["upshift-bot", "upshift-worker"]);
    for (const d of deployments) {
      const env = (d.spec.template.spec.containers[0] as Container).env ?? [];
      const value = env.find((e) => e.name === "UPSHIFT_HELM_NAMESPACES")?.value;
      // The value the worker parses is the list the RoleBindings grant, and it passes the schema.
      const parsed = envSchema.shape.UPSHIFT_HELM_NAMESPACES.parse(value);
      expect([...(parsed ?? [])].sort(), d.metadata?.name).toEqual(listed);
    }
  });

  it("addon-cycles adds upshift-addon-cycles, bound to the upshift ServiceAccount, with no write on data kinds", () => {
    const objects = renderOverlay("addon-cycles");
    const role = find(objects, "ClusterRole", "upshift-addon-cycles");
    const binding = find(objects, "ClusterRoleBinding", "upshift-addon-cycles");
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "upshift-addon-cycles",
    });
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "upshift", namespace: "upshift" }]);
    const writable = (resource: string) =>
      rulesOf(role).some((r) => r.resources?.includes(resource) && r.verbs.some((v) => WRITE_VERBS.includes(v)));
    for (const kind of [
      "deployments",
      "daemonsets",
      "statefulsets",
      "services",
      "configmaps",
      "serviceaccounts",
      "clusterroles",
    ]) {
      expect(writable(kind), kind).toBe(true);
    }
    // Add-on data survives a cycle: Upshift cannot write it at all.
    for (const kind of ["secrets", "persistentvolumeclaims", "persistentvolumes", "pods", "nodes"])
      expect(writable(kind), kind).toBe(false);
    const canDelete = (resource: string) =>
      rulesOf(role).some((r) => r.resources?.includes(resource) && r.verbs.includes("delete"));
    expect(canDelete("namespaces")).toBe(false);
    expect(canDelete("customresourcedefinitions")).toBe(false);
  });

  it("with-redis runs redis:7 with an append-only file, noeviction and a PVC, and points both Deployments at it", () => {
    const objects = renderOverlay("with-redis");
    const sts = find(objects, "StatefulSet", "upshift-redis");
    const [c] = sts.spec.template.spec.containers as Container[];
    expect(c.image).toBe("redis:7");
    const args = (c.args ?? []).join(" ");
    expect(args).toContain("--appendonly yes");
    expect(args).toContain("--maxmemory-policy noeviction");
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
    expect(c.volumeMounts?.find((m) => m.mountPath === "/data")?.name).toBe("data");
    expect(find(objects, "Service", "upshift-redis").spec.ports[0].port).toBe(6379);
    for (const role of ["bot", "worker"]) {
      const [dc] = find(objects, "Deployment", `upshift-${role}`).spec.template.spec.containers as Container[];
      expect(dc.env?.find((e) => e.name === "REDIS_URL")?.value).toBe("redis://upshift-redis:6379");
    }
    expect(renderOverlay("read-only").some((o) => o.kind === "StatefulSet")).toBe(false);
  });

  it("the base alone renders the same objects as the read-only overlay", () => {
    expect(renderKustomization("base")).toEqual(renderOverlay("read-only"));
  });
});

describe("secret.example.env", () => {
  it("names only variables Upshift reads, with placeholder values", () => {
    const text = readFileSync(`${REPO_ROOT}deploy/kubernetes/base/secret.example.env`, "utf8");
    const entries = text
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.split("=", 2));
    expect(entries.length).toBeGreaterThan(3);
    for (const [name, value] of entries) {
      expect(ENV_NAMES, name).toContain(name);
      if (name !== "REDIS_URL") expect(value, name).toMatch(/\.\.\.$/);
    }
  });
});
