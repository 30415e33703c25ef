// Plain JavaScript on purpose: it runs on any Node to say which Node is needed, before anything
// that needs Node >= 22.19 (type stripping, undici 8 in the dependencies) fails with something
// unreadable: vitest on Node 20 fails every suite with ERR_UNKNOWN_FILE_EXTENSION, then crashes.
export const REQUIRED = [22, 19];

/** The message for an older Node, or undefined when this Node will do. */
export function nodeVersionProblem(versions = process.versions, version = process.version) {
  const [major, minor] = versions.node.split(".").map(Number);
  if (major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])) return undefined;
  // Never `npm install -g` over a Node that the OS package manager owns (apt, dnf, brew):
  // nvm, or npm with a prefix in the user's home, leave the system's Node alone.
  return (
    `upshift needs Node.js >= ${REQUIRED.join(".")} (Node 24 LTS recommended); this is ${version}.\n` +
    "Install it beside the system's Node: nvm install 24 && nvm use (reads .nvmrc),\n" +
    "or in your home: npm install --prefix ~/.local -g node@24 and put ~/.local/bin first on PATH.\n"
  );
}

/** Exits 1 with the message on an older Node. */
export function requireNode() {
  const problem = nodeVersionProblem();
  if (problem) {
    process.stderr.write(problem);
    process.exit(1);
  }
}
