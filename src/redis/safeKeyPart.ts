// Names from outside (kubeconfig contexts such as arn:aws:eks:..., channel ids, add-on names)
// become parts of Redis keys, BullMQ job ids and backup file names. BullMQ ids must not contain
// ':', and a ':' or '{' in a key part would change the key's shape or its Cluster hash slot, so
// every such part goes through this one function.

/** `s` with every character outside A-Z a-z 0-9 . _ - replaced by '_'. */
export function safeKeyPart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, "_");
}
