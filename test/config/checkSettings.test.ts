import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_ENV_KEYS, loadCheckSettings } from "../../src/config/checkSettings.ts";
import { ignoreRulesFor, loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors/configError.ts";

const ROOT = new URL("../../", import.meta.url);

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "upshift-check-settings-")), "upshift.yaml");
  writeFileSync(file, text);
  return file;
}

describe("what upshift check and verify read of the configuration", () => {
  it("with nothing set, equals the config schema's own defaults", async () => {
    const fast = await loadCheckSettings({});
    const full = loadConfig({});
    expect(fast.kubeconfig).toBe(full.env.KUBECONFIG);
    expect(fast.helmNamespaces).toEqual(full.env.UPSHIFT_HELM_NAMESPACES);
    expect(fast.docsUrl).toBe(full.env.UPSHIFT_DOCS_URL);
    expect(fast.ignoreRulesFor("demo")).toEqual(ignoreRulesFor(full.file, "demo"));
    // "" counts as unset, as in the schema.
    expect(await loadCheckSettings({ KUBECONFIG: "", UPSHIFT_CONFIG: "" })).toMatchObject({ kubeconfig: undefined });
  });

  it("passes KUBECONFIG through for the kubeconfig reader to open and report on", async () => {
    expect((await loadCheckSettings({ KUBECONFIG: "/etc/kube/prod.yaml" })).kubeconfig).toBe("/etc/kube/prod.yaml");
  });

  it("validates the variables it reads with the schema's messages", async () => {
    const err = await loadCheckSettings({ UPSHIFT_HELM_NAMESPACES: "apps,Not_A_Namespace" }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join("\n")).toMatch(/^UPSHIFT_HELM_NAMESPACES/);
    const docs = await loadCheckSettings({ UPSHIFT_DOCS_URL: "docs/checks.md" }).catch((e) => e);
    expect((docs as ConfigError).problems.join("\n")).toContain("UPSHIFT_DOCS_URL: expected an absolute URL");
  });

  it("reads upshift.yaml's ignore rules for the context, global ones first", async () => {
    const file = configFile(
      [
        "ignore:",
        "  - check: WL-01",
        "clusters:",
        "  prod:",
        "    ignore:",
        "      - check: POD-01",
        "        namespace: batch",
      ].join("\n"),
    );
    const settings = await loadCheckSettings({ UPSHIFT_CONFIG: file, UPSHIFT_HELM_NAMESPACES: "apps, helm" });
    expect(settings.helmNamespaces).toEqual(["apps", "helm"]);
    expect(settings.ignoreRulesFor("prod").map((r) => r.check)).toEqual(["WL-01", "POD-01"]);
    expect(settings.ignoreRulesFor("staging").map((r) => r.check)).toEqual(["WL-01"]);
    const bad = await loadCheckSettings({ UPSHIFT_CONFIG: configFile("ignore: [{ chek: WL-01 }]") }).catch((e) => e);
    expect(bad).toBeInstanceOf(ConfigError);
  });

  it("is not refused for the bot's variables: a half-configured Slack is not a CI gate's problem", async () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-1", REDIS_URL: "localhost", PORT: "eighty" };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    await expect(loadCheckSettings(env)).resolves.toBeDefined();
    await expect(loadCheckSettings({ ...env, UPSHIFT_HELM_NAMESPACES: "apps" })).resolves.toBeDefined();
    expect(CHECK_ENV_KEYS).not.toContain("REDIS_URL");
  });

  it("does not load zod when nothing needs validating, and does when something does", () => {
    // A fresh Node that records every module it loads: the point of the fast path is its start.
    const script = `
      import module from "node:module";
      const loaded = [];
      module.registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { loadCheckSettings } = await import("./src/config/checkSettings.ts");
      await loadCheckSettings(JSON.parse(process.argv[1]));
      console.log(loaded.some((u) => u.includes("/node_modules/zod/")));`;
    const zodLoaded = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(env)], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      }).stdout.trim();
    expect(zodLoaded({ KUBECONFIG: "/tmp/kubeconfig" })).toBe("false");
    expect(zodLoaded({ UPSHIFT_HELM_NAMESPACES: "apps" })).toBe("true");
  });
});
