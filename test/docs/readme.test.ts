// What a newcomer reads first must be true: links resolve inside the clone, every sandbox flag
// and slash command form is documented, the licence package.json names ships, the metrics the
// deploy guide lists are the ones the process exports, and the incidents page names real
// scenarios and checks.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { commandSpecs } from "../../commands/index.ts";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { createMetrics } from "../../src/metrics/metrics.ts";
import { SANDBOX_USAGE } from "../../src/sandbox/cli.ts";

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

  it("ships the licence package.json names", () => {
    const pkg = JSON.parse(read("package.json"));
    expect(pkg.license).toBe("Apache-2.0");
    const license = read("LICENSE");
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain("END OF TERMS AND CONDITIONS");
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
