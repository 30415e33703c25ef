// No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked as files:
// parsed, and held to what the Kubernetes manifests promise (non-root, read-only, no secrets).
// Where a Compose CLI is installed (v1 `docker-compose`, v2 `docker compose`), it parses the file too.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "../../src/config/schema.ts";
import { REPO_ROOT } from "./render.ts";

const ENV_NAMES = new Set(Object.keys(envSchema.shape));

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  env_file?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  depends_on?: Record<string, { condition: string }>;
  cap_drop?: string[];
}

describe("docker-compose.yml", () => {
  const compose = parse(readFileSync(`${REPO_ROOT}docker-compose.yml`, "utf8")) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };

  it("runs redis, bot and worker", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "redis", "worker"]);
  });

  it("runs Redis 7 with an append-only file on a volume and noeviction", () => {
    const redis = compose.services.redis;
    expect(redis.image).toBe("redis:7");
    const cmd = (redis.command ?? []).join(" ");
    expect(cmd).toContain("--appendonly yes");
    expect(cmd).toContain("--maxmemory-policy noeviction");
    expect(redis.volumes).toEqual(["redis-data:/data"]);
    expect(compose.volumes).toHaveProperty("redis-data");
  });

  it.each(["bot", "worker"])("builds %s from the one Dockerfile and runs it locked down", (name) => {
    const s = compose.services[name];
    expect(s.build).toBe(".");
    expect(s.image).toBe("upshift:0.1.0");
    expect(s.command).toEqual([name]);
    expect(s.env_file).toBe(".env");
    expect(s.user).toBe("10001:10001");
    expect(s.read_only).toBe(true);
    expect(s.tmpfs).toContain("/tmp");
    expect(s.cap_drop).toEqual(["ALL"]);
    expect(s.depends_on?.redis?.condition).toBe("service_healthy");
    expect(s.environment?.REDIS_URL).toBe("redis://redis:6379");
    for (const key of Object.keys(s.environment ?? {}))
      expect(ENV_NAMES, `${name}: ${key} is read by src/config/schema.ts`).toContain(key);
    // The config file is mounted read-only where UPSHIFT_CONFIG points.
    expect(s.volumes?.some((v) => v.endsWith(`:${s.environment?.UPSHIFT_CONFIG}:ro`))).toBe(true);
    // Secrets only through .env, never inline.
    for (const key of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN", "ADMIN_TOKEN"]) {
      expect(s.environment ?? {}).not.toHaveProperty(key);
    }
  });
});

/** `config -q` of the compose file in a scratch directory holding an empty .env, as README says to create. */
function composeConfig(cmd: string[]): { ran: boolean; status: number | null; output: string } {
  const probe = spawnSync(cmd[0], [...cmd.slice(1), "version"], { encoding: "utf8", timeout: 20_000 });
  if (probe.error || probe.status !== 0) return { ran: false, status: null, output: "" };
  const dir = mkdtempSync(join(tmpdir(), "upshift-compose-"));
  try {
    copyFileSync(`${REPO_ROOT}docker-compose.yml`, join(dir, "docker-compose.yml"));
    writeFileSync(join(dir, ".env"), "");
    const r = spawnSync(cmd[0], [...cmd.slice(1), "-f", join(dir, "docker-compose.yml"), "config", "-q"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 30_000,
    });
    return { ran: true, status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("docker-compose.yml parses with Compose v1 and v2", () => {
  const text = readFileSync(`${REPO_ROOT}docker-compose.yml`, "utf8");
  const top = Object.keys(parse(text) as object);

  it("uses only top-level keys both accept (v1 rejects name:)", () => {
    expect(top.filter((k) => !k.startsWith("x-")).sort()).toEqual(["services", "volumes"]);
  });

  it("needs a .env: the file's own header and deploy/README.md say to create it first", () => {
    const deployReadme = readFileSync(`${REPO_ROOT}deploy/README.md`, "utf8");
    const section = deployReadme.slice(deployReadme.indexOf("## Docker Compose"));
    const create = section.indexOf("cp deploy/kubernetes/base/secret.example.env .env");
    expect(create).toBeGreaterThan(0);
    expect(create).toBeLessThan(section.indexOf("docker compose up"));
    expect(text.indexOf("secret.example.env .env")).toBeLessThan(text.indexOf("docker compose up"));
  });

  const v1 = composeConfig(["docker-compose"]);
  it.skipIf(!v1.ran)("docker-compose (v1) config accepts it", () => {
    expect(v1.output).toBe("");
    expect(v1.status).toBe(0);
  });
  const v2 = composeConfig(["docker", "compose"]);
  it.skipIf(!v2.ran)("docker compose (v2) config accepts it", () => {
    expect(v2.output).toBe("");
    expect(v2.status).toBe(0);
  });
});

describe("Dockerfile", () => {
  const text = readFileSync(`${REPO_ROOT}Dockerfile`, "utf8");
  const instructions = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() && !l.trim().startsWith("#"));
  const stages = instructions.filter((l) => l.startsWith("FROM "));
  const runtime = instructions.slice(instructions.indexOf(stages.at(-1)!));

  it("builds in node:24-bookworm-slim and ships a separate runtime stage", () => {
    expect(stages).toEqual(["FROM node:24-bookworm-slim AS build", "FROM node:24-bookworm-slim AS runtime"]);
    const build = instructions.slice(0, instructions.indexOf(stages[1])).join("\n");
    expect(build).toContain("npm ci");
    expect(build).toContain("npm run build");
    expect(build).toContain("npm prune --omit=dev");
  });

  it("runs the CLI as user 10001 with no download at start", () => {
    expect(runtime).toContain("USER 10001:10001");
    expect(runtime).toContain('ENTRYPOINT ["node", "bin/upshift.js"]');
    expect(runtime).toContain('CMD ["all"]');
    for (const what of ["dist", "bin", "node_modules", "package.json"]) {
      expect(
        runtime.some((l) => l.startsWith("COPY --from=build") && l.includes(`/app/${what}`)),
        what,
      ).toBe(true);
    }
    // Nothing fetched in the runtime stage: no package manager, no curl.
    expect(runtime.filter((l) => /^RUN /.test(l))).toEqual([]);
  });

  it("keeps secrets and kubeconfigs out of the build context", () => {
    const ignore = readFileSync(`${REPO_ROOT}.dockerignore`, "utf8").split("\n");
    for (const entry of [".env", "node_modules", ".git", "kubeconfig"]) expect(ignore, entry).toContain(entry);
  });
});
