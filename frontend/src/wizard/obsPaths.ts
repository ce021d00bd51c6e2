/**
 * The OBS picker's view of paths under a workspace's allow-list: which crumbs of a path can be browsed
 * and how the root's allowed folders are named. The server decides (a path outside the list is 403);
 * this only keeps the picker from offering clicks that would be refused.
 */

const OBS = /^obs:\/\/([^/]+)\/?(.*)$/;

/** Does one allow-list entry ("*", "bucket", "bucket/folder/") reach obs://bucket/key? */
function entryAllows(entry: string, bucket: string, key: string): boolean {
  const text = entry.trim().replace(/^obs:\/\//, "");
  if (text === "*") return true; // any bucket but the console's storage, which the server keeps out
  const slash = text.indexOf("/");
  const entryBucket = slash < 0 ? text : text.slice(0, slash);
  if (entryBucket !== bucket) return false;
  const folder = slash < 0 ? "" : text.slice(slash + 1).replace(/^\/+|\/+$/g, "");
  return !folder || key.startsWith(`${folder}/`);
}

/** Whether the allow-list reaches a folder (obs://bucket/a/b/) or an object. */
export function obsAllows(allowList: readonly string[], path: string): boolean {
  const m = OBS.exec(path);
  if (!m) return false;
  return allowList.some((entry) => entryAllows(entry, m[1], m[2]));
}

export interface Crumb {
  label: string;
  /** "" is the root: the allowed buckets and folders. */
  path: string;
  /** False for the folders above an allowed folder (the server would refuse to list them). */
  browsable: boolean;
}

/** obs://bucket/a/b/ as crumbs: the root, the bucket, each folder. */
export function obsCrumbs(path: string, allowList: readonly string[] | null): Crumb[] {
  const out: Crumb[] = [{ label: "Allowed locations", path: "", browsable: true }];
  const m = OBS.exec(path);
  if (!m) return out;
  let acc = `obs://${m[1]}/`;
  // Without the list (not loaded yet) every crumb is offered; the server still answers for it.
  const can = (p: string) => allowList === null || obsAllows(allowList, p);
  out.push({ label: m[1], path: acc, browsable: can(acc) });
  for (const part of m[2].split("/").filter(Boolean)) {
    acc += `${part}/`;
    out.push({ label: part, path: acc, browsable: can(acc) });
  }
  return out;
}

/** A folder's name in a listing: "bucket/team/" at the root (where folders of several buckets meet),
 * "team/" inside its parent. */
export function obsFolderLabel(prefix: string, atRoot: boolean): string {
  if (atRoot) return prefix.replace(/^obs:\/\//, "");
  const parts = prefix.replace(/\/$/, "").split("/");
  return `${parts[parts.length - 1]}/`;
}

/** The folder that holds a picked object (obs://b/x/DLF_a.zip → obs://b/x/), or "" (the root). */
export function obsParentFolder(picked: string): string {
  const m = /^(obs:\/\/[^/]+\/(?:.*\/)?)[^/]*$/.exec(picked.trim());
  return m ? m[1] : "";
}
