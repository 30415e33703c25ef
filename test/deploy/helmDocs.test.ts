// The Helm install as README.md and deploy/README.md describe it: first, with a values example
// the chart accepts, naming only values that exist.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART_DIR, HelmHome } from "./helmRun.ts";
import { REPO_ROOT } from "./render.ts";

const readme = readFileSync(`${REPO_ROOT}deploy/README.md`, "utf8");

describe("the Helm install in README.md and deploy/README.md", () => {
  const mainReadme = readFileSync(`${REPO_ROOT}README.md`, "utf8");
  const command = "helm install upshift deploy/helm/upshift -n upshift --create-namespace -f my-values.yaml";
  const helm = new HelmHome();
  afterAll(() => helm.remove());

  it("comes first in both, with kustomize after it", () => {
    for (const [name, text] of [
      ["README.md", mainReadme],
      ["deploy/README.md", readme],
    ]) {
      expect(text, name).toContain(command);
      expect(text.indexOf(command), name).toBeLessThan(text.indexOf("kubectl apply -k deploy/kubernetes/overlays/"));
    }
  });

  it("shows a my-values.yaml that the chart accepts", () => {
    const section = readme.slice(readme.indexOf("### With Helm"), readme.indexOf("### With kustomize"));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain("secrets:");
    const values = parse(example!);
    const r = helm.run(["template", "upshift", CHART_DIR, "-f", helm.valuesFile(values)]);
    expect(r.status, r.stderr).toBe(0);
  });

  it("names only values that exist in values.yaml", () => {
    const values = parse(readFileSync(`${CHART_DIR}/values.yaml`, "utf8"));
    const named = [
      ...`${readme}\n${mainReadme}`.matchAll(
        /`((?:bot|worker|config|secrets|redis|rbac|podDisruptionBudget|serviceMonitor|kubeconfigSecret|image|service|serviceAccount)(?:\.[A-Za-z]+)*)(?:\.\*)?`/g,
      ),
    ].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    for (const path of new Set(named)) {
      const value = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], values);
      expect(value, path).not.toBeUndefined();
    }
  });
});
