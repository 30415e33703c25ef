// docs/checks.md is what findings and alerts link to: every check must have its anchor and
// section there, with the severity the code gives it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";

const doc = readFileSync(new URL("../../docs/checks.md", import.meta.url), "utf8");

describe("docs/checks.md", () => {
  it.each(allChecks.map((c) => [c.id, c] as const))(
    "documents %s with an anchor, a section and its severity",
    (id, check) => {
      expect(doc).toContain(`<a id="${id.toLowerCase()}"></a>`);
      expect(doc).toMatch(new RegExp(`^## ${id}: `, "m"));
      expect(doc).toContain(`| [${id}](#${id.toLowerCase()}) | ${check.severity} | ${check.title} |`);
    },
  );

  it("documents no check that does not exist", () => {
    const documented = [...doc.matchAll(/^## ([A-Z]+-\d\d): /gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(allChecks.map((c) => c.id).sort());
  });
});
