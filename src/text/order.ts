// One order for the strings Upshift sorts (findings, releases, namespaces, components): UTF-16
// code units, which for Kubernetes names (ASCII) is byte order, the order the API server lists
// objects in (etcd keys). Not localeCompare: its first call builds ICU's collator (~5 ms of every
// `upshift check`), each comparison is about twice as slow, and a report's order should not
// depend on the locale of the machine that made it.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
