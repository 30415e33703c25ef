// safeKeyPart: the one way an outside name becomes part of a Redis key, job id or file name.
import { globSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkJobId, verifyJobId } from "../../src/queue/jobs.ts";
import { safeKeyPart } from "../../src/redis/safeKeyPart.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

describe("safeKeyPart", () => {
  it("keeps letters, digits, '.', '_' and '-', and replaces everything else", () => {
    expect(safeKeyPart("prod-eu_1.k8s")).toBe("prod-eu_1.k8s");
    expect(safeKeyPart("arn:aws:eks:eu-west-1:123:cluster/prod")).toBe("arn_aws_eks_eu-west-1_123_cluster_prod");
    expect(safeKeyPart("{tag} a*b")).toBe("_tag__a_b");
    expect(checkJobId("arn:aws:eks:x", undefined)).toBe("check.arn_aws_eks_x.next");
    expect(verifyJobId("a:b", "C1/t")).toBe("verify.a_b.C1_t");
  });

  it("is the only copy of its pattern in the code", () => {
    const copies = globSync(["src/**/*.ts", "cli/**/*.ts", "commands/**/*.ts", "adapters/**/*.ts", "worker/**/*.ts"], {
      cwd: ROOT,
    }).filter((f) => readFileSync(`${ROOT}${f}`, "utf8").includes("[^A-Za-z0-9._-]"));
    expect(copies).toEqual(["src/redis/safeKeyPart.ts"]);
  });
});
