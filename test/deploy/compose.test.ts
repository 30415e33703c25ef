// No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked as files:
// parsed, and held to what the Kubernetes manifests promise (non-root, read-only, no secrets).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
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
