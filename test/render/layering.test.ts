// Where chat text sits: src/render turns the results of the domains (checks, cycles, status,
// verify, watch) into words, so it stands above them and below what posts (worker/, the approval
// engine, commands/, adapters/). The domains hand their words in (AlertTexts for the watch's
// alert sink) instead of importing src/render, and src/render reaches no further up than src/.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => join(dir, f));
}

/** The repository paths a file imports (relative imports only: packages are not layers). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^"]*?from\s+"(\.[^"]+)"/gm)].map((m) =>
    relative(ROOT, resolve(ROOT, dirname(file), m[1])),
  );
}

/** The layer of a path: "src/cycles", "worker", "src/log.ts". */
const layerOf = (path: string) =>
  path.startsWith("src/") ? path.split("/").slice(0, 2).join("/") : path.split("/")[0];

/** Under src/, the one layer that posts and so may use src/render (besides src/render itself). */
const RENDER_USERS = new Set(["src/render", "src/approvals"]);

describe("chat text layering", () => {
  it("src/render imports nothing above src/ and not the approval engine", () => {
    const upward = sourceFiles("src/render").flatMap((f) =>
      importsOf(f)
        .filter((p) => !p.startsWith("src/") || layerOf(p) === "src/approvals")
        .map((p) => `${f} → ${p}`),
    );
    expect(upward).toEqual([]);
    // The walk saw the files it judges.
    expect(sourceFiles("src/render")).toContain(join("src/render", "cycles.ts"));
  });

  it("no domain under src/ imports src/render", () => {
    const files = sourceFiles("src").filter((f) => !RENDER_USERS.has(layerOf(f)));
    const downward = files.flatMap((f) =>
      importsOf(f)
        .filter((p) => layerOf(p) === "src/render")
        .map((p) => `${f} → ${p}`),
    );
    expect(downward).toEqual([]);
    expect(files).toContain(join("src/cycles", "plan.ts"));
  });
});
