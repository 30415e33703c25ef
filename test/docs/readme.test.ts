// What a newcomer reads first must be true: links resolve inside the clone, every sandbox flag
// and slash command form is documented, the licence package.json names ships, the metrics the
// deploy guide lists are the ones the process exports, and the incidents page names real
// scenarios and checks.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CHECK_USAGE } from "../../cli/check.ts";
import { SANDBOX_USAGE } from "../../cli/sandbox.ts";
import { VERIFY_USAGE } from "../../cli/verify.ts";
import { commandSpecs } from "../../commands/index.ts";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { envSchema } from "../../src/config/schema.ts";
import { CheckDeadlineError } from "../../src/errors/checkDeadlineError.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const DOCS = ["README.md", "deploy/README.md", ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith(".md"),
);

/** Anchors a markdown file offers: explicit <a id> and GitHub's heading slugs. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(m[1]);
  for (const m of text.matchAll(/^#+ (.+)$/gm))
    out.add(
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, "")
        .replace(/ /g, "-"),
    );
  return out;
}

describe("documentation links", () => {
  it.each(DOCS)("%s: every relative link resolves inside the repository", (doc) => {
    const text = read(doc);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    if (doc === "README.md") expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      const [path, anchor] = link.split("#");
      const target = path ? resolve(ROOT, dirname(doc), path) : join(ROOT, doc);
      expect(relative(ROOT, target).startsWith(".."), `${doc}: ${link} leaves the repository`).toBe(false);
      expect(existsSync(target), `${doc}: ${link}`).toBe(true);
      if (anchor && target.endsWith(".md"))
        expect(anchors(readFileSync(target, "utf8")), `${doc}: ${link}`).toContain(anchor);
    }
  });
});

describe("README.md", () => {
  const readme = read("README.md");

  it("counts the checks the catalogue has", () => {
    expect(read("README.md")).toContain(`runs ${allChecks.length} preflight checks`);
  });

  it("documents every sandbox flag", () => {
    const flags = [...new Set(SANDBOX_USAGE.match(/--[a-z-]+/g))];
    expect(flags.length).toBeGreaterThan(4);
    for (const flag of flags) expect(readme, flag).toContain(`\`${flag}`);
  });

  it("documents every slash command, /upgrade-watch stop included", () => {
    for (const spec of commandSpecs()) expect(readme, spec.name).toContain(`/${spec.name}`);
    expect(readme).toContain("/upgrade-watch stop");
  });

  it("counts the slash commands in the Architecture's folder list", () => {
    const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    expect(readme).toContain(`handlers of the ${words[commandSpecs().length]} slash commands`);
  });

  it("lists every folder of src/ in the Architecture's folder list", () => {
    const start = readme.indexOf("\nsrc/ ");
    const entry = readme.slice(start, readme.indexOf("\ncli/ ", start));
    const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(folders.length).toBeGreaterThan(10);
    for (const folder of folders) expect(entry, folder.name).toMatch(new RegExp(`(^|\\s)${folder.name}/`));
  });

  it("ships the licence package.json names", () => {
    const pkg = JSON.parse(read("package.json"));
    expect(pkg.license).toBe("Apache-2.0");
    const license = read("LICENSE");
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
  });
});

describe("configuration in README.md and .env.example", () => {
  const variables = Object.keys(envSchema.shape);
  const envExample = read(".env.example");
  /** Variables .env.example assigns, set or commented out: `NAME=` at the start of a line. */
  const assigned = [...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

  it("documents every variable of the schema once in .env.example, and nothing else", () => {
    expect(variables.length).toBeGreaterThan(15);
    expect([...assigned].sort()).toEqual([...variables].sort());
  });

  it("names every variable of the schema in README.md's Configuration", () => {
    const readme = read("README.md");
    const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("`upshift.yaml` holds policy"));
    for (const name of variables) expect(section, name).toContain(`\`${name}\``);
  });

  it("quotes the deadline message the check produces", () => {
    const message = new CheckDeadlineError({
      cluster: "prod",
      deadlineMs: 60_000,
      hung: [{ attempted: "list pods (all namespaces), page 3", waitedMs: 58_000 }],
    }).message.replace(/^cluster prod: /, "");
    expect(read("README.md").replace(/\n/g, " ")).toContain(message);
    expect(envExample.replace(/\n# /g, " ")).toContain(message);
  });
});

describe("README.md: the terminal commands and the dependencies", () => {
  const readme = read("README.md");

  it.each([
    ["upshift check", CHECK_USAGE],
    ["upshift verify", VERIFY_USAGE],
  ])("%s: the synopsis names every flag the usage has", (command, usage) => {
    const start = readme.indexOf(`${command} `, readme.indexOf("```sh", readme.indexOf("## What it does")));
    const synopsis = readme.slice(start, readme.indexOf("# exit 0", start));
    // The usage's synopsis: the lines before the flags are explained one by one.
    const usageSynopsis = usage.slice(0, usage.indexOf("\n  --"));
    const flags = [...new Set(usageSynopsis.match(/--[a-z-]+/g))];
    expect(flags.length).toBeGreaterThan(3);
    for (const flag of flags) expect(synopsis, `${command} ${flag}`).toContain(flag);
  });

  it("says what every dependency and devDependency of package.json is for", () => {
    const pkg = JSON.parse(read("package.json"));
    const table = readme.slice(readme.indexOf("## Dependencies and what each is for"));
    const firstCells = [...table.matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1]).join(" ");
    const listed = new Set([...firstCells.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const names = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];
    for (const name of names) {
      const covered = listed.has(name) || (name.startsWith("@types/") && listed.has("@types/*"));
      expect(covered, `${name} is in README.md's dependencies table`).toBe(true);
    }
    // And nothing listed that package.json does not have (a package still to come is a lie today).
    for (const name of listed) if (name !== "@types/*") expect(names, name).toContain(name);
  });
});

describe("Slack scopes and slash commands in both READMEs", () => {
  const manifest = parseYaml(read("deploy/slack-app-manifest.yaml")) as {
    oauth_config: { scopes: { bot: string[] } };
  };
  const scopes = manifest.oauth_config.scopes.bot;
  const readme = read("README.md").replace(/\n/g, " ");
  const deployReadme = read("deploy/README.md").replace(/\n/g, " ");
  const quoted = (text: string) => new Set([...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]));

  it("README.md names exactly the manifest's bot scopes", () => {
    const sentence = readme.slice(readme.indexOf("Scopes are exactly"), readme.indexOf("events `reaction_added`"));
    expect([...quoted(sentence)].sort()).toEqual([...scopes].sort());
  });

  it("deploy/README.md names exactly the manifest's bot scopes", () => {
    const sentence = deployReadme.slice(deployReadme.indexOf("Bot scopes, each for one thing"));
    const list = sentence.slice(0, sentence.indexOf("Events:"));
    expect([...quoted(list)].filter((q) => scopes.includes(q) || /^[a-z]+:[a-z]+$|^commands$/.test(q)).sort()).toEqual(
      [...scopes].sort(),
    );
  });

  it("deploy/README.md lists every slash command", () => {
    const sentence = deployReadme.slice(deployReadme.indexOf("Slash commands: "));
    const list = sentence.slice(0, sentence.indexOf(". "));
    expect([...quoted(list)]).toEqual(commandSpecs().map((s) => `/${s.name}`));
  });
});

describe("deploy/README.md: what is here", () => {
  it("lists every file at the top of deploy/ and every component and overlay", () => {
    const text = read("deploy/README.md");
    const table = text.slice(text.indexOf("| Path | What it is |"), text.indexOf("Every process serves"));
    const entries = [
      ...readdirSync(join(ROOT, "deploy"), { withFileTypes: true })
        .filter((d) => d.isFile() && d.name !== "README.md")
        .map((d) => d.name),
      ...["components", "overlays"].flatMap((kind) =>
        readdirSync(join(ROOT, "deploy/kubernetes", kind)).map((name) => `kubernetes/${kind}/${name}`),
      ),
      "kubernetes/rbac.ts",
      "helm/values-schema.ts",
    ];
    expect(entries.length).toBeGreaterThan(8);
    for (const entry of entries) expect(table, entry).toMatch(new RegExp(`\`${entry.replace(/\./g, "\\.")}/?\``));
  });
});

describe("deploy/README.md Helm values", () => {
  it("documents every top-level value of the chart in the values table", () => {
    const values = parseYaml(read("deploy/helm/upshift/values.yaml")) as Record<string, unknown>;
    const text = read("deploy/README.md");
    const table = text.slice(text.indexOf("| Values |"), text.indexOf("Object names are"));
    for (const key of Object.keys(values)) expect(table, key).toMatch(new RegExp(`\`${key}(\\.[\\w*]+)*\``));
  });
});

describe("deploy/README.md metrics", () => {
  it("lists exactly the upshift_* series the process exports", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const exported = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const listed = [...new Set(read("deploy/README.md").match(/upshift_[a-z_]+/g))].sort();
    expect(listed).toEqual(exported);
  });
});

describe("docs/incidents.md", () => {
  const text = read("docs/incidents.md");

  it("tells five incidents, each with its scenario file", () => {
    const sections = text.split(/^## /m).slice(1);
    expect(sections).toHaveLength(5);
    for (const [i, section] of sections.entries()) {
      const scenario = /`(incident-\d-[a-z0-9-]+\.yaml)`/.exec(section)?.[1];
      expect(scenario, `incident ${i + 1}`).toMatch(new RegExp(`^incident-${i + 1}-`));
      expect(existsSync(join(ROOT, "src/sandbox/scenarios", scenario!))).toBe(true);
    }
  });

  it("names only checks that exist", () => {
    const ids = new Set(allChecks.map((c) => c.id));
    const named = [...new Set(text.match(/\b[A-Z]{2,4}-\d\d\b/g))];
    expect(named.length).toBeGreaterThan(8);
    for (const id of named) expect(ids, id).toContain(id);
  });
});
