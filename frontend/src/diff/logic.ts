/**
 * The structural diff (factory/packages/diff.py) as the views show it: the DAG of both versions in one
 * document for the canvas, the class of each node and edge, the summary line, the change rows, and a
 * unified line diff read into numbered lines. Plain functions, no DOM: Compare Versions and the import
 * wizard's change-set read the same diff objects.
 */
import type { components } from "../api/schema";
import type { JobDocument, JobNodeDoc } from "../api/types";
import { edgeId } from "../canvas/transforms";

type S = components["schemas"];
export type JobDiff = S["JobDiff"];
export type ScriptDiff = S["ScriptDiff"];
export type DiffChange = S["DiffChange"];
export type DiffNode = S["DiffNode"];
export type DiffEdge = S["DiffEdge"];
export type NodeStatus = DiffNode["status"];
export type EdgeStatus = DiffEdge["status"];

function nodesOf(doc: JobDocument | null | undefined): JobNodeDoc[] {
  const nodes = doc && Array.isArray(doc.nodes) ? doc.nodes : [];
  return nodes.filter((n): n is JobNodeDoc => !!n && typeof n === "object" && typeof n.name === "string");
}

/**
 * One document holding every node and edge of either version, for the canvas: the newer version's
 * nodes (where they are now), the removed ones as they were, and the removed edges drawn again so that
 * they can be shown as removed.
 */
export function diffDocument(before: JobDocument | null | undefined, after: JobDocument | null | undefined, diff: JobDiff): JobDocument {
  const removed = new Set(diff.nodes.filter((n) => n.status === "removed").map((n) => n.name));
  const byName = new Map<string, JobNodeDoc>();
  for (const n of [...nodesOf(after), ...nodesOf(before).filter((n) => removed.has(n.name))]) {
    if (!byName.has(n.name)) byName.set(n.name, { ...n, preNodeName: Array.isArray(n.preNodeName) ? [...n.preNodeName] : [] });
  }
  for (const e of diff.edges) {
    if (e.status !== "removed") continue;
    const target = byName.get(e.target);
    if (target && byName.has(e.source) && !target.preNodeName!.includes(e.source)) target.preNodeName!.push(e.source);
  }
  const base = after ?? before ?? ({ name: "", nodes: [] } as JobDocument);
  return { ...base, nodes: [...byName.values()] };
}

export const statusClass = (status: NodeStatus | EdgeStatus): string => `diff-${status}`;

/** The class of every node on the canvas, by name: diff-added, diff-removed, diff-modified, diff-unchanged. */
export function nodeClassNames(diff: JobDiff): Record<string, string> {
  return Object.fromEntries(diff.nodes.map((n) => [n.name, statusClass(n.status)]));
}

/** The class of every edge on the canvas, by the canvas's edge id ("source->target"). */
export function edgeClassNames(diff: JobDiff): Record<string, string> {
  return Object.fromEntries(diff.edges.map((e) => [edgeId(e.source, e.target), statusClass(e.status)]));
}

function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const listed = (items: [number, string][]) =>
  items
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(", ");

/** "nodes: 1 added, 2 modified; edges: 1 removed; 1 schedule change", or "No differences". */
export function jobSummary(diff: JobDiff): string {
  const s = diff.summary;
  const nodes = listed([
    [s.nodesAdded, "added"],
    [s.nodesRemoved, "removed"],
    [s.nodesModified, "modified"],
  ]);
  const edges = listed([
    [s.edgesAdded, "added"],
    [s.edgesRemoved, "removed"],
  ]);
  const parts = [nodes && `nodes: ${nodes}`, edges && `edges: ${edges}`].filter(Boolean) as string[];
  if (s.schedule) parts.push(counted(s.schedule, "schedule change"));
  if (s.params) parts.push(counted(s.params, "parameter change"));
  if (s.properties) parts.push(counted(s.properties, "job property change"));
  return parts.length ? parts.join("; ") : "No differences";
}

export function scriptSummary(diff: ScriptDiff): string {
  const parts: string[] = [];
  if (diff.contentDiff.length) parts.push(`content: +${diff.linesAdded} −${diff.linesRemoved} lines`);
  if (diff.properties.length) parts.push(counted(diff.properties.length, "property change"));
  return parts.length ? parts.join("; ") : "No differences";
}

const MAX_SHOWN = 300;

/** A value of a change as the list shows it: "—" where a side lacks it, a secret only as set or not. */
export function formatValue(change: DiffChange, side: "old" | "new"): string {
  const value = change[side];
  if ((side === "old" && change.kind === "added") || (side === "new" && change.kind === "removed")) return "—";
  if (change.secret) return value ? "set (hidden)" : "not set";
  if (value === null || value === undefined) return "null";
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

export interface ChangeRow {
  /** What the row is about: a node's name, "Schedule", "Parameters", "Job". */
  group: string;
  status: NodeStatus | EdgeStatus | DiffChange["kind"];
  path: string;
  old: string;
  new: string;
  /** The node the row belongs to, for selecting it on the canvas. */
  node?: string;
}

function changeRows(group: string, changes: readonly DiffChange[], node?: string): ChangeRow[] {
  return changes.map((c) => ({ group, status: c.kind, path: c.path, old: formatValue(c, "old"), new: formatValue(c, "new"), node }));
}

/** Every difference as a row: nodes added or removed, each changed node property, edges, then the
 * schedule, the parameters and the job's other properties. Unchanged nodes and edges have no row. */
export function jobRows(diff: JobDiff): ChangeRow[] {
  const rows: ChangeRow[] = [];
  for (const n of diff.nodes) {
    if (n.status === "added" || n.status === "removed") {
      rows.push({ group: n.name, status: n.status, path: `node (${n.type})`, old: n.status === "removed" ? n.type : "—", new: n.status === "added" ? n.type : "—", node: n.name });
    } else if (n.status === "modified") {
      rows.push(...changeRows(n.name, n.changes, n.name));
    }
  }
  for (const e of diff.edges) {
    if (e.status === "unchanged") continue;
    rows.push({ group: "Edges", status: e.status, path: `${e.source} → ${e.target}`, old: e.status === "removed" ? "edge" : "—", new: e.status === "added" ? "edge" : "—" });
  }
  rows.push(...changeRows("Schedule", diff.schedule), ...changeRows("Parameters", diff.params), ...changeRows("Job", diff.properties));
  return rows;
}

export interface DiffLine {
  kind: "meta" | "hunk" | "add" | "del" | "context";
  text: string;
  /** The line's number in the older content (removed and context lines). */
  oldNumber?: number;
  /** The line's number in the newer content (added and context lines). */
  newNumber?: number;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** A unified diff (difflib's, line by line) read into lines with their numbers on each side. */
export function diffLines(unified: readonly string[]): DiffLine[] {
  const out: DiffLine[] = [];
  let oldNo = 0;
  let newNo = 0;
  for (const [index, line] of unified.entries()) {
    if (index < 2 && (line.startsWith("--- ") || line.startsWith("+++ "))) {
      out.push({ kind: "meta", text: line });
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk) {
      oldNo = Number(hunk[1]);
      newNo = Number(hunk[2]);
      out.push({ kind: "hunk", text: line });
    } else if (line.startsWith("+")) {
      out.push({ kind: "add", text: line.slice(1), newNumber: newNo++ });
    } else if (line.startsWith("-")) {
      out.push({ kind: "del", text: line.slice(1), oldNumber: oldNo++ });
    } else if (line.startsWith("\\")) {
      out.push({ kind: "meta", text: line });
    } else {
      out.push({ kind: "context", text: line.slice(1), oldNumber: oldNo++, newNumber: newNo++ });
    }
  }
  return out;
}
