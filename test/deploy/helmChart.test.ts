// Upshift's Helm chart (deploy/helm/upshift) with the real Helm 3.17: it lints, renders with the
// defaults and with every option into objects that pass the Kubernetes schemas, grants exactly
// the rules the kustomize overlays grant (the read-only ones generated from the same table), runs
// the same pods as the overlays, and its values.schema.json refuses bad values naming the field.
// Installing it into the sandbox is in helmChartInstall.test.ts.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SECRET_ENV_NAMES, VALUES_SCHEMA_FILE, valuesSchema } from "../../deploy/helm/values-schema.ts";
import { HELM_RULES_FILE, readRules, renderHelmReadRules } from "../../deploy/kubernetes/rbac.ts";
import { envSchema, fileConfigSchema } from "../../src/config/schema.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { CHART_DIR, HelmHome } from "./helmRun.ts";
import { unknownPodFields, validateObject } from "./kubeSchema.ts";
import { find, type PolicyRuleLike, REPO_ROOT, renderKustomization, renderOverlay, rulesOf } from "./render.ts";

const helm = new HelmHome();
afterAll(() => helm.remove());

const ENV_NAMES = new Set(Object.keys(envSchema.shape));
/**
 * The chart's hook for the narrower Secrets mode (rbac.helmReleaseNamespaces): the namespace list
 * reaches the pods as this variable. Not (yet) read by src/config/schema.ts on this branch.
 */
const HELM_NAMESPACES_ENV = "UPSHIFT_HELM_NAMESPACES";
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate", "*"];

/** Every option of values.yaml, one at a time, then all together. */
const OPTIONS: Record<string, object> = {
  defaults: {},
  "redis.enabled": { redis: { enabled: true } },
  "rbac.addonCycles": { rbac: { addonCycles: true } },
  "rbac.nodeMetrics": { rbac: { nodeMetrics: true } },
  "rbac.helmReleaseNamespaces": { rbac: { helmReleaseNamespaces: ["apps", "web"] } },
  "rbac.create=false": { rbac: { create: false } },
  "secrets.existingSecret": { secrets: { existingSecret: "my-upshift-tokens" } },
  "secrets.env": { secrets: { env: { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" } } },
  "secrets.env=null": { secrets: { env: null } },
  serviceMonitor: { serviceMonitor: { enabled: true, labels: { release: "prom" } } },
  kubeconfigSecret: { kubeconfigSecret: "clusters" },
  "podDisruptionBudget.enabled=false": { podDisruptionBudget: { enabled: false } },
  "serviceAccount.create=false": { serviceAccount: { create: false, name: "existing-sa" } },
  everything: {
    image: { repository: "registry.example.com/upshift", tag: "0.1.0-rc.1", pullPolicy: "Always" },
    imagePullSecrets: [{ name: "regcred" }],
    logLevel: "debug",
    bot: {
      replicas: 3,
      env: { UPSHIFT_DOCS_URL: "https://docs.example.com/checks.md" },
      nodeSelector: { pool: "ops" },
      tolerations: [{ key: "ops", operator: "Exists", effect: "NoSchedule" }],
    },
    worker: { replicas: 4, concurrency: 8, resources: { requests: { cpu: "200m", memory: "512Mi" } } },
    redis: { enabled: true, storage: { size: "5Gi", storageClassName: "fast" } },
    rbac: { addonCycles: true, nodeMetrics: true, helmReleaseNamespaces: ["apps"] },
    secrets: { existingSecret: "tokens" },
    serviceMonitor: { enabled: true },
    kubeconfigSecret: "clusters",
    podDisruptionBudget: { maxUnavailable: "50%" },
  },
};

interface Probe {
  httpGet?: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ secretRef?: { name: string } }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  [field: string]: unknown;
}

interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

const containerOf = (objects: KubeObject[], kind: string, name: string) =>
  find(objects, kind, name).spec.template.spec.containers[0] as Container;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const isRole = (o: KubeObject) => o.kind === "ClusterRole" || o.kind === "Role";
const SECRETS_RULE = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] };
/** Rules with "secrets" taken out (and a rule left empty by that dropped). */
const withoutSecrets = (rules: PolicyRuleLike[]): PolicyRuleLike[] =>
  rules
    .map((r) => (r.resources ? { ...r, resources: r.resources.filter((x) => x !== "secrets") } : r))
    .filter((r) => !r.resources || r.resources.length > 0);
/** Each rule as "verb group/resource" or "verb nonResource URL", to compare grants across roles. */
const grantsOf = (rules: PolicyRuleLike[]): string[] =>
  rules.flatMap((r) =>
    r.nonResourceURLs
      ? r.nonResourceURLs.flatMap((u) => r.verbs.map((v) => `${v} nonResource ${u}`))
      : (r.apiGroups ?? []).flatMap((g) =>
          (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)),
        ),
  );

describe("Chart.yaml and helm lint", () => {
  it("is chart upshift, apiVersion v2, at package.json's version", () => {
    const chart = parse(readFileSync(`${CHART_DIR}/Chart.yaml`, "utf8"));
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8"));
    expect(chart).toMatchObject({ apiVersion: "v2", name: "upshift", type: "application" });
    expect(chart.version).toBe(pkg.version);
    expect(chart.appVersion).toBe(pkg.version);
  });

  it("passes helm lint --strict with the defaults and with every option", () => {
    for (const [option, values] of Object.entries(OPTIONS)) {
      const r = helm.run(["lint", "--strict", CHART_DIR, "-f", helm.valuesFile(values)]);
      expect(r.status, `${option}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout, option).toContain("1 chart(s) linted, 0 chart(s) failed");
    }
  });
});

describe.each(Object.keys(OPTIONS))("helm template with %s", (option) => {
  const objects = helm.template(OPTIONS[option]);

  it("renders objects that all pass the Kubernetes schema, with real field names", async () => {
    expect(objects.length).toBeGreaterThanOrEqual(7);
    for (const o of objects.filter((x) => x.kind !== "ServiceMonitor")) {
      await expect(validateObject(o), `${o.kind}/${o.metadata?.name}`).resolves.toBeUndefined();
    }
    expect(unknownPodFields(objects)).toEqual([]);
  });

  it("puts namespaced objects in the release namespace (per-namespace Secret roles in theirs)", () => {
    const clusterScoped = new Set(["ClusterRole", "ClusterRoleBinding"]);
    for (const o of objects.filter((x) => !clusterScoped.has(x.kind!))) {
      const name = `${o.kind}/${o.metadata?.name}`;
      if (o.kind === "RoleBinding" && o.metadata?.name === "upshift-read-secrets")
        expect(["apps", "web"], name).toContain(o.metadata.namespace);
      else expect(o.metadata?.namespace, name).toBe("upshift");
    }
    expect(
      objects.some((o) => o.kind === "Namespace"),
      "helm install --create-namespace makes it",
    ).toBe(false);
  });

  it("uses no wildcard in any RBAC rule, and binds every role to the ServiceAccount", () => {
    const sa = OPTIONS[option] === OPTIONS["serviceAccount.create=false"] ? "existing-sa" : "upshift";
    for (const role of objects.filter(isRole)) {
      for (const r of rulesOf(role)) {
        for (const v of [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs])
          expect(v, role.metadata?.name).not.toBe("*");
      }
    }
    for (const b of objects.filter((o) => o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding")) {
      expect(b.subjects, b.metadata?.name).toEqual([{ kind: "ServiceAccount", name: sa, namespace: "upshift" }]);
      const ref = b.roleRef as RoleRef;
      const role = objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name);
      expect(role, `${b.metadata?.name} binds a rendered role`).toBeDefined();
    }
  });

  it("runs bot and worker with the startup probe gating liveness, /readyz readiness, non-root and read-only", () => {
    for (const role of ["bot", "worker"]) {
      const d = find(objects, "Deployment", `upshift-${role}`);
      const spec = d.spec.template.spec;
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      const c = spec.containers[0] as Container;
      expect(c.startupProbe?.httpGet?.path).toBe("/healthz");
      expect((c.startupProbe?.periodSeconds ?? 10) * (c.startupProbe?.failureThreshold ?? 3)).toBeGreaterThanOrEqual(
        60,
      );
      expect(c.livenessProbe?.httpGet).toEqual(c.startupProbe?.httpGet);
      expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
      for (const e of c.env ?? []) {
        if (e.name !== HELM_NAMESPACES_ENV)
          expect(ENV_NAMES, `env ${e.name} is read by src/config/schema.ts`).toContain(e.name);
      }
      // The ConfigMap and Secret the pods name are rendered, or are the existing Secret asked for.
      const configMap = spec.volumes.find((v: { name: string }) => v.name === "config").configMap.name;
      expect(find(objects, "ConfigMap", configMap)).toBeDefined();
      const secretName = c.envFrom?.[0]?.secretRef?.name;
      const existing = (OPTIONS[option] as { secrets?: { existingSecret?: string } }).secrets?.existingSecret;
      if (existing) expect(secretName).toBe(existing);
      else expect(find(objects, "Secret", secretName!)).toBeDefined();
    }
  });

  it("mounts an upshift.yaml that passes Upshift's own config schema", () => {
    const cm = find(objects, "ConfigMap", "upshift-config");
    const parsed = fileConfigSchema.safeParse(parse(cm.data["upshift.yaml"]));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe("the chart against the kustomize overlays", () => {
  const chart = helm.template();

  it("grants the read-only rules generated from src/kube/resources.ts, identical to kustomize's read roles", () => {
    expect(readFileSync(HELM_RULES_FILE, "utf8"), "run node deploy/kubernetes/rbac.ts").toBe(renderHelmReadRules());
    const kustomize = renderOverlay("read-only");
    // Secrets have a role of their own in the chart; kustomize's upshift-read may still hold them.
    expect(rulesOf(find(chart, "ClusterRole", "upshift-read"))).toEqual(
      withoutSecrets(rulesOf(find(kustomize, "ClusterRole", "upshift-read"))),
    );
    expect(rulesOf(find(chart, "ClusterRole", "upshift-read"))).toEqual(withoutSecrets(readRules()));
    expect(rulesOf(find(chart, "ClusterRole", "upshift-read-secrets"))).toEqual([SECRETS_RULE]);
    const kustomizeSecrets = kustomize.find(
      (o) => o.kind === "ClusterRole" && o.metadata?.name === "upshift-read-secrets",
    );
    if (kustomizeSecrets) expect(rulesOf(kustomizeSecrets)).toEqual([SECRETS_RULE]);
    // Together: the same grants, to the same ServiceAccount, cluster-wide.
    const grants = (objects: KubeObject[]) => {
      const bound = objects
        .filter((o) => o.kind === "ClusterRoleBinding")
        .map((b) => (b.roleRef as RoleRef).name)
        .filter((n) => n.startsWith("upshift-read"));
      return [...new Set(bound.flatMap((n) => grantsOf(rulesOf(find(objects, "ClusterRole", n)))))].sort();
    };
    expect(grants(chart)).toEqual(grants(kustomize));
    expect(grants(chart)).toContain("get /secrets");
    expect(grants(chart)).toContain("get nonResource /metrics");
  });

  it("by default grants read-only only, like overlays/read-only, Secrets bound cluster-wide", () => {
    const roles = chart.filter(isRole);
    expect(roles.map((r) => r.metadata?.name)).toEqual(["upshift-read", "upshift-read-secrets"]);
    for (const role of roles)
      for (const r of rulesOf(role)) for (const v of r.verbs) expect(WRITE_VERBS).not.toContain(v);
    expect((find(chart, "ClusterRoleBinding", "upshift-read-secrets").roleRef as RoleRef).name).toBe(
      "upshift-read-secrets",
    );
    expect(chart.filter((o) => o.kind === "RoleBinding" || o.kind === "Role")).toEqual([]);
  });

  it("rbac.addonCycles grants exactly components/addon-cycles' rules", () => {
    const objects = helm.template({ rbac: { addonCycles: true } });
    expect(rulesOf(find(objects, "ClusterRole", "upshift-addon-cycles"))).toEqual(
      rulesOf(find(renderOverlay("addon-cycles"), "ClusterRole", "upshift-addon-cycles")),
    );
    expect((find(objects, "ClusterRoleBinding", "upshift-addon-cycles").roleRef as RoleRef).name).toBe(
      "upshift-addon-cycles",
    );
  });

  it("rbac.nodeMetrics grants exactly components/node-metrics' get nodes/proxy", () => {
    const objects = helm.template({ rbac: { nodeMetrics: true } });
    const kustomize = find(renderKustomization("components/node-metrics"), "ClusterRole", "upshift-node-metrics");
    expect(rulesOf(find(objects, "ClusterRole", "upshift-node-metrics"))).toEqual(rulesOf(kustomize));
    expect(chart.some((o) => o.metadata?.name === "upshift-node-metrics")).toBe(false);
  });

  it("runs the same bot and worker containers as overlays/read-only: probes, security, env, resources, mounts", () => {
    const kustomize = renderOverlay("read-only");
    for (const role of ["bot", "worker"]) {
      const h = find(chart, "Deployment", `upshift-${role}`);
      const k = find(kustomize, "Deployment", `upshift-${role}`);
      const hc = h.spec.template.spec.containers[0] as Container;
      const kc = k.spec.template.spec.containers[0] as Container;
      // The whole container, field by field: nothing is missing or added.
      expect(hc).toEqual(kc);
      expect(h.spec.replicas).toBe(k.spec.replicas);
      expect(h.spec.strategy).toEqual(k.spec.strategy);
      expect(h.spec.revisionHistoryLimit).toBe(k.spec.revisionHistoryLimit);
      const { volumes: hv, topologySpreadConstraints: ht, ...hPod } = h.spec.template.spec;
      const { volumes: kv, topologySpreadConstraints: kt, ...kPod } = k.spec.template.spec;
      expect(hPod).toEqual(kPod);
      // Volumes: the same, apart from kustomize's content-hash suffix on the ConfigMap's name.
      const unhash = (vs: Array<{ configMap?: { name: string } }>) =>
        vs.map((v) => (v.configMap ? { ...v, configMap: { name: "upshift-config" } } : v));
      expect(unhash(hv)).toEqual(unhash(kv));
      // Spread: the same, selecting the component's pods (the chart adds the release to selectors).
      const withoutSelector = (ts: Array<{ labelSelector: unknown }>) => ts.map(({ labelSelector, ...t }) => t);
      expect(withoutSelector(ht)).toEqual(withoutSelector(kt));
      expect(ht[0].labelSelector.matchLabels).toMatchObject(kt[0].labelSelector.matchLabels);
      // The pods carry kustomize's labels and annotations (the chart adds its own).
      expect(h.spec.template.metadata.labels).toMatchObject(k.spec.template.metadata.labels);
      expect(h.spec.template.metadata.annotations).toMatchObject(k.spec.template.metadata.annotations);
    }
  });

  it("redis.enabled runs overlays/with-redis' Redis and points both Deployments at it", () => {
    const objects = helm.template({ redis: { enabled: true } });
    const kustomize = renderOverlay("with-redis");
    const h = find(objects, "StatefulSet", "upshift-redis");
    const k = find(kustomize, "StatefulSet", "upshift-redis");
    expect(h.spec.template.spec.containers).toEqual(k.spec.template.spec.containers);
    expect(h.spec.template.spec.securityContext).toEqual(k.spec.template.spec.securityContext);
    expect(h.spec.template.spec.volumes).toEqual(k.spec.template.spec.volumes);
    expect(h.spec.volumeClaimTemplates).toEqual(k.spec.volumeClaimTemplates);
    expect(h.spec.serviceName).toBe("upshift-redis");
    expect(find(objects, "Service", "upshift-redis").spec.ports).toEqual(
      find(kustomize, "Service", "upshift-redis").spec.ports,
    );
    for (const role of ["bot", "worker"]) {
      expect(containerOf(objects, "Deployment", `upshift-${role}`)).toEqual(
        containerOf(kustomize, "Deployment", `upshift-${role}`),
      );
    }
    expect(chart.some((o) => o.kind === "StatefulSet")).toBe(false);
  });

  it("exposes the bot as overlays/read-only does, and has its PodDisruptionBudgets", () => {
    const kustomize = renderOverlay("read-only");
    const svc = find(chart, "Service", "upshift-bot");
    expect(svc.spec.ports).toEqual(find(kustomize, "Service", "upshift-bot").spec.ports);
    const botLabels = find(chart, "Deployment", "upshift-bot").spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>)) expect(botLabels[k]).toBe(v);
    expect(svc.spec.selector["app.kubernetes.io/component"]).toBe("bot");
    for (const role of ["bot", "worker"]) {
      const h = find(chart, "PodDisruptionBudget", `upshift-${role}`);
      expect(h.spec.maxUnavailable).toBe(find(kustomize, "PodDisruptionBudget", `upshift-${role}`).spec.maxUnavailable);
      const labels = find(chart, "Deployment", `upshift-${role}`).spec.template.metadata.labels;
      for (const [k, v] of Object.entries(h.spec.selector.matchLabels as Record<string, string>))
        expect(labels[k]).toBe(v);
    }
    expect(
      helm.template({ podDisruptionBudget: { enabled: false } }).some((o) => o.kind === "PodDisruptionBudget"),
    ).toBe(false);
  });

  it("renders kustomize's upshift.yaml by default, and rolls the pods when config changes", () => {
    const kustomizeFile = parse(readFileSync(`${REPO_ROOT}deploy/kubernetes/base/upshift.yaml`, "utf8"));
    expect(parse(find(chart, "ConfigMap", "upshift-config").data["upshift.yaml"])).toEqual(kustomizeFile);
    const changed = helm.template({ config: { ...kustomizeFile, ignore: [{ check: "HELM-04" }] } });
    expect(parse(find(changed, "ConfigMap", "upshift-config").data["upshift.yaml"]).ignore).toEqual([
      { check: "HELM-04" },
    ]);
    const checksum = (objects: KubeObject[], role: string) =>
      find(objects, "Deployment", `upshift-${role}`).spec.template.metadata.annotations["checksum/config"];
    for (const role of ["bot", "worker"]) {
      expect(checksum(chart, role)).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum(changed, role)).not.toBe(checksum(chart, role));
    }
  });

  it("two releases in one namespace never select each other's pods", () => {
    const other = helm.template({}, "staging");
    const a = find(chart, "Deployment", "upshift-bot").spec.selector.matchLabels;
    const b = find(other, "Deployment", "staging-upshift-bot").spec.selector.matchLabels;
    expect(a["app.kubernetes.io/instance"]).toBe("upshift");
    expect(b["app.kubernetes.io/instance"]).toBe("staging");
    expect(find(other, "ClusterRole", "staging-upshift-read")).toBeDefined();
  });
});

describe("secrets", () => {
  it("from an existing Secret: the pods name it and the chart renders no Secret", () => {
    const objects = helm.template({ secrets: { existingSecret: "upshift-tokens" } });
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    for (const role of ["bot", "worker"])
      expect(containerOf(objects, "Deployment", `upshift-${role}`).envFrom).toEqual([
        { secretRef: { name: "upshift-tokens" } },
      ]);
  });

  it("from values: the chart renders upshift-secrets with them, as strings", () => {
    const objects = helm.template({
      secrets: {
        env: { SLACK_BOT_TOKEN: "xoxb-1", ADMIN_TOKEN: "0123456789abcdef", DISCORD_APPLICATION_ID: "123456" },
      },
    });
    const secret = find(objects, "Secret", "upshift-secrets");
    expect(secret.stringData).toEqual({
      SLACK_BOT_TOKEN: "xoxb-1",
      ADMIN_TOKEN: "0123456789abcdef",
      DISCORD_APPLICATION_ID: "123456",
    });
    expect(containerOf(objects, "Deployment", "upshift-bot").envFrom).toEqual([
      { secretRef: { name: "upshift-secrets" } },
    ]);
  });

  it("values.schema.json accepts every variable of secret.example.env, and only variables Upshift reads", () => {
    const allowed = Object.keys(
      JSON.parse(readFileSync(VALUES_SCHEMA_FILE, "utf8")).properties.secrets.properties.env.properties,
    );
    expect(allowed).toEqual([...SECRET_ENV_NAMES]);
    for (const name of allowed) expect(ENV_NAMES, name).toContain(name);
    const example = readFileSync(`${REPO_ROOT}deploy/kubernetes/base/secret.example.env`, "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.split("=", 1)[0]);
    expect(example.length).toBeGreaterThan(3);
    for (const name of [...example, "SLACK_APP_TOKEN"]) expect(allowed, name).toContain(name);
  });
});

describe("rbac.helmReleaseNamespaces (Secrets in named namespaces only)", () => {
  const objects = helm.template({ rbac: { helmReleaseNamespaces: ["apps", "web"] } });

  it("binds no Secrets cluster-wide, and keeps every other generated rule", () => {
    const rules = rulesOf(find(objects, "ClusterRole", "upshift-read"));
    expect(rules.some((r) => r.resources?.includes("secrets"))).toBe(false);
    expect(rules).toEqual(withoutSecrets(readRules()));
    expect(objects.filter((o) => o.kind === "ClusterRoleBinding").map((b) => b.metadata?.name)).toEqual([
      "upshift-read",
    ]);
  });

  it("grants get/list/watch on Secrets through a RoleBinding of upshift-read-secrets in each namespace", () => {
    expect(rulesOf(find(objects, "ClusterRole", "upshift-read-secrets"))).toEqual([SECRETS_RULE]);
    const bindings = objects.filter((o) => o.kind === "RoleBinding");
    expect(bindings.map((b) => b.metadata?.namespace)).toEqual(["apps", "web"]);
    for (const binding of bindings) {
      expect(binding.metadata?.name).toBe("upshift-read-secrets");
      expect(binding.roleRef).toEqual({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "upshift-read-secrets",
      });
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "upshift", namespace: "upshift" }]);
    }
    expect(objects.some((o) => o.kind === "Role")).toBe(false);
  });

  it(`tells the pods which namespaces through ${HELM_NAMESPACES_ENV}, and only in this mode`, () => {
    for (const role of ["bot", "worker"]) {
      expect(envOf(containerOf(objects, "Deployment", `upshift-${role}`))[HELM_NAMESPACES_ENV]).toBe("apps,web");
      expect(envOf(containerOf(helm.template(), "Deployment", `upshift-${role}`))).not.toHaveProperty(
        HELM_NAMESPACES_ENV,
      );
    }
  });
});

// The kustomize twin of rbac.helmReleaseNamespaces (overlays/helm-namespaces): the chart with the
// same namespaces must grant the same and run the same containers.
describe("rbac.helmReleaseNamespaces against overlays/helm-namespaces", () => {
  it("binds Secrets in the same namespaces, grants the same and sets the same environment", () => {
    const kustomize = renderKustomization("overlays/helm-namespaces");
    const bindings = (objects: KubeObject[]) =>
      objects
        .filter((o) => o.kind === "RoleBinding")
        .map((b) => ({ namespace: b.metadata?.namespace, roleRef: b.roleRef, subjects: b.subjects }))
        .sort((a, b) => String(a.namespace).localeCompare(String(b.namespace)));
    // In the order the overlay lists them: that is the order of the variable's value.
    const listed = envOf(containerOf(kustomize, "Deployment", "upshift-bot"))[HELM_NAMESPACES_ENV];
    const namespaces = (listed ?? "").split(",");
    expect(namespaces.length).toBeGreaterThan(0);
    expect([...namespaces].sort()).toEqual(bindings(kustomize).map((b) => b.namespace));
    const chart = helm.template({ rbac: { helmReleaseNamespaces: namespaces } });
    expect(bindings(chart)).toEqual(bindings(kustomize));
    const clusterWide = (objects: KubeObject[]) =>
      objects
        .filter((o) => o.kind === "ClusterRoleBinding")
        .map((b) => b.metadata?.name)
        .sort();
    expect(clusterWide(chart)).toEqual(clusterWide(kustomize));
    for (const name of ["upshift-read", "upshift-read-secrets"])
      expect(rulesOf(find(chart, "ClusterRole", name))).toEqual(rulesOf(find(kustomize, "ClusterRole", name)));
    const byName = (c: Container) => ({ ...c, env: [...(c.env ?? [])].sort((a, b) => a.name.localeCompare(b.name)) });
    for (const role of ["bot", "worker"])
      expect(byName(containerOf(chart, "Deployment", `upshift-${role}`))).toEqual(
        byName(containerOf(kustomize, "Deployment", `upshift-${role}`)),
      );
  });
});

describe("options without a kustomize twin", () => {
  it("serviceMonitor scrapes /metrics on port http of the bot Service and a headless worker Service", async () => {
    const objects = helm.template({ serviceMonitor: { enabled: true, labels: { release: "prom" } } });
    const sm = find(objects, "ServiceMonitor", "upshift");
    expect(sm.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(sm.metadata?.labels?.release).toBe("prom");
    expect(sm.spec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
    // Field names of monitoring.coreos.com/v1 ServiceMonitor (spec.selector is a LabelSelector,
    // spec.endpoints[] names a Service port): https://docs.okd.io/4.17/rest_api/monitoring_apis/servicemonitor-monitoring-coreos-com-v1.html
    expect(Object.keys(sm.spec).sort()).toEqual(["endpoints", "selector"]);
    const { LabelSelector } = await import("@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector");
    expect(() => new LabelSelector(sm.spec.selector).validate()).not.toThrow();
    const worker = find(objects, "Service", "upshift-worker");
    expect(worker.spec.clusterIP).toBe("None");
    const workerPods = find(objects, "Deployment", "upshift-worker").spec.template.metadata.labels;
    for (const [k, v] of Object.entries(worker.spec.selector as Record<string, string>)) expect(workerPods[k]).toBe(v);
    // The ServiceMonitor selects both Services, each with a port named http, and not Redis's.
    const selects = (svc: KubeObject) =>
      Object.entries(sm.spec.selector.matchLabels as Record<string, string>).every(
        ([k, v]) => svc.metadata?.labels?.[k] === v,
      ) && sm.spec.selector.matchExpressions[0].values.includes(svc.metadata?.labels?.["app.kubernetes.io/component"]);
    for (const name of ["upshift-bot", "upshift-worker"]) {
      const svc = find(objects, "Service", name);
      expect(selects(svc), name).toBe(true);
      expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain("http");
    }
    expect(selects(find(helm.template({ redis: { enabled: true } }), "Service", "upshift-redis"))).toBe(false);
    expect(
      helm
        .template()
        .some((o) => o.kind === "ServiceMonitor" || (o.kind === "Service" && o.metadata?.name === "upshift-worker")),
    ).toBe(false);
  });

  it("kubeconfigSecret mounts the kubeconfig and names it in KUBECONFIG", () => {
    const objects = helm.template({ kubeconfigSecret: "clusters" });
    for (const role of ["bot", "worker"]) {
      const d = find(objects, "Deployment", `upshift-${role}`);
      const c = d.spec.template.spec.containers[0] as Container;
      const mount = c.volumeMounts?.find((m) => m.name === "kubeconfig");
      expect(envOf(c).KUBECONFIG).toBe(`${mount!.mountPath}/config`);
      expect(d.spec.template.spec.volumes.find((v: { name: string }) => v.name === "kubeconfig").secret).toEqual({
        secretName: "clusters",
      });
    }
  });

  it("image, replicas, concurrency and extra env come from values", () => {
    const objects = helm.template(OPTIONS.everything);
    const bot = find(objects, "Deployment", "upshift-bot");
    const worker = find(objects, "Deployment", "upshift-worker");
    expect(bot.spec.replicas).toBe(3);
    expect(worker.spec.replicas).toBe(4);
    const bc = bot.spec.template.spec.containers[0] as Container;
    const wc = worker.spec.template.spec.containers[0] as Container;
    expect(bc.image).toBe("registry.example.com/upshift:0.1.0-rc.1");
    expect(bc.imagePullPolicy).toBe("Always");
    expect(envOf(bc)).toMatchObject({ LOG_LEVEL: "debug", UPSHIFT_DOCS_URL: "https://docs.example.com/checks.md" });
    expect(envOf(wc).WORKER_CONCURRENCY).toBe("8");
    expect(envOf(wc).REDIS_URL).toBe("redis://upshift-redis:6379");
    expect(bot.spec.template.spec.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(bot.spec.template.spec.nodeSelector).toEqual({ pool: "ops" });
    expect(worker.spec.template.spec.nodeSelector).toBeUndefined();
    expect(find(objects, "StatefulSet", "upshift-redis").spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: "fast",
      resources: { requests: { storage: "5Gi" } },
    });
  });
});

describe("values.schema.json refuses bad values, naming the field", () => {
  it("is the committed file, generated by deploy/helm/values-schema.ts (run it after changing values or src/config/schema.ts)", () => {
    expect(JSON.parse(readFileSync(VALUES_SCHEMA_FILE, "utf8"))).toEqual(valuesSchema());
  });

  const BAD: Array<[string, object, string]> = [
    ["a string for a number", { bot: { replicas: "two" } }, "bot.replicas: Invalid type. Expected: integer"],
    ["an unknown key", { worker: { replica: 2 } }, "worker: Additional property replica is not allowed"],
    ["an unknown top-level key", { replicas: 2 }, "Additional property replicas is not allowed"],
    ["a log level", { logLevel: "loud" }, "logLevel: logLevel must be one of the following"],
    [
      "a variable the chart sets itself",
      { bot: { env: { LOG_LEVEL: "debug" } } },
      'bot.env: Property name of "LOG_LEVEL"',
    ],
    // A number in a values file reaches templates as a float64: an 18-digit Discord id would be
    // rendered as 1.2345678901234568e+17. So strings only.
    [
      "an unquoted number in the Secret",
      { secrets: { env: { DISCORD_APPLICATION_ID: 123456 } } },
      "secrets.env.DISCORD_APPLICATION_ID: Invalid type. Expected: string, given: integer",
    ],
    [
      "a Prometheus duration",
      { serviceMonitor: { interval: "30 seconds" } },
      "serviceMonitor.interval: Does not match pattern",
    ],
    [
      "a misspelt variable",
      { secrets: { env: { SLACK_BOT_TOKN: "x" } } },
      "secrets.env: Additional property SLACK_BOT_TOKN",
    ],
    [
      "both an existing Secret and values",
      { secrets: { existingSecret: "mine", env: { ADMIN_TOKEN: "0123456789abcdef" } } },
      "secrets.env: Must have at most 0 properties",
    ],
    [
      "a namespace that is no DNS label",
      { rbac: { helmReleaseNamespaces: ["apps", "Web_1"] } },
      "rbac.helmReleaseNamespaces.1: Does not match pattern",
    ],
    ["a boolean as a string", { rbac: { addonCycles: "yes" } }, "rbac.addonCycles: Invalid type. Expected: boolean"],
    [
      "a worker concurrency out of range",
      { worker: { concurrency: 100 } },
      "worker.concurrency: Must be less than or equal to 64",
    ],
    [
      "a quantity",
      { bot: { resources: { limits: { memory: "lots" } } } },
      "bot.resources.limits.memory: Does not match pattern",
    ],
    [
      "a pull policy",
      { redis: { image: { pullPolicy: "Sometimes" } } },
      "redis.image.pullPolicy: redis.image.pullPolicy must be one of",
    ],
    ["a required object removed with null", { redis: { enabled: true, storage: null } }, "redis: storage is required"],
    ["upshift.yaml removed with null", { config: null }, "(root): config is required"],
    [
      "a misspelt upshift.yaml key",
      { config: { approval: { required: 2 } } },
      "config: Additional property approval is not allowed",
    ],
    [
      "an upshift.yaml value",
      { config: { approvals: { required: 0 } } },
      "config.approvals.required: Must be greater than or equal to 1",
    ],
  ];

  it.each(BAD)("%s", (_what, values, message) => {
    const file = helm.valuesFile(values);
    const template = helm.run(["template", "upshift", CHART_DIR, "-f", file]);
    expect(template.status).not.toBe(0);
    expect(template.stderr).toContain("values don't meet the specifications of the schema");
    expect(template.stderr).toContain(message);
    const lint = helm.run(["lint", CHART_DIR, "-f", file]);
    expect(lint.status).not.toBe(0);
    expect(lint.stdout + lint.stderr).toContain(message);
  });
});

describe("values.schema.json and Upshift agree on upshift.yaml", () => {
  // The chart's config schema is converted from Upshift's own (zod). Whatever Upshift accepts,
  // helm must accept, or a valid config could never be installed; what the JSON Schema can
  // express (keys, types, patterns, ranges, enums) it refuses as Upshift does.
  const CONFIGS: Array<[string, object]> = [
    ["kustomize's upshift.yaml", parse(readFileSync(`${REPO_ROOT}deploy/kubernetes/base/upshift.yaml`, "utf8"))],
    ["nothing set", {}],
    [
      "every field",
      {
        approvals: {
          required: 2,
          allowSelfApproval: true,
          expiresAfter: "2h",
          approvers: {
            slackUsers: ["U012AB3CD"],
            slackGroups: ["S0614TZR7"],
            discordUsers: ["123456789012345678"],
            discordRoles: ["223456789012345678"],
            consoleUsers: ["alice"],
          },
        },
        clusters: {
          prod: {
            approvals: { required: 3, expiresAfter: "90s" },
            ignore: [{ check: "HELM-04", namespace: "legacy", name: "old", reason: "retired in Q3" }],
            alertChannel: "C0123",
          },
        },
        ignore: [{ check: "API-03" }],
        addons: [
          { name: "ingress", driver: "microk8s", category: "ingress", stepTimeout: "5m" },
          {
            name: "coredns",
            driver: "manifests",
            namespace: "kube-system",
            manifests: "/etc/addons/coredns",
            dataKinds: ["ConfigMap"],
          },
        ],
        cycleOrder: ["dns", "cni"],
      },
    ],
    ["an unknown key", { approval: {} }],
    ["required 0", { approvals: { required: 0 } }],
    ["a duration without unit", { approvals: { expiresAfter: "30" } }],
    ["a lower-case check id", { ignore: [{ check: "helm-04" }] }],
    ["an unknown driver", { addons: [{ name: "x", driver: "helm" }] }],
    ["a cluster setting typo", { clusters: { prod: { alertchannel: "C1" } } }],
    ["a Discord id with letters", { approvals: { approvers: { discordUsers: ["abc"] } } }],
    ["an unknown cycle category", { cycleOrder: ["network"] }],
  ];

  it.each(CONFIGS)("%s", (_what, config) => {
    const upshift = fileConfigSchema.safeParse(config).success;
    // Helm merges values with values.yaml's defaults; null removes a default key, so the config
    // Helm validates is exactly this one.
    const defaults = parse(readFileSync(`${CHART_DIR}/values.yaml`, "utf8")).config as Record<string, unknown>;
    const nulls = Object.fromEntries(
      Object.keys(defaults)
        .filter((k) => !(k in config))
        .map((k) => [k, null]),
    );
    const r = helm.run(["template", "upshift", CHART_DIR, "-f", helm.valuesFile({ config: { ...nulls, ...config } })]);
    expect(r.status === 0, `helm: ${r.stderr}`).toBe(upshift);
    if (!upshift) expect(r.stderr).toMatch(/- config[.:]/);
  });
});
