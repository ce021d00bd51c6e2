/**
 * The import wizard's Changes step as plain functions: the change-set's summary line, what the Import
 * button will write, the filter chips and the query they make, the loaded pages read as rows of a virtual
 * list, and which view an object's diff opens in. No DOM: Vitest checks it (changes.test.ts).
 *
 * The change-set's shapes come from the generated schema (ImportChange, ImportChangesSummary, ...); a
 * diff is free-form JSON there, read here as factory/packages/diff.py writes it.
 */
import type { components, operations } from "../api/schema";
import type { Inspection, JobDocument } from "../api/types";
import type { DiffChange, JobDiff, ScriptDiff } from "../diff/logic";

type S = components["schemas"];

export type ChangeKind = S["ChangeEnum"];
export type ChangeType = NonNullable<NonNullable<operations["imports_changes_list"]["parameters"]["query"]>["type"]>;
export type ChangeSummary = S["ImportChangesSummary"];
/** The task's `changes`: the last preview's counts and choices, or why it could not be made. */
export type TaskChanges = S["ImportChanges"];
export type ChangeCounts = S["ImportChangeCounts"];
/** One object of the package against the workspace, as the import would write it. */
export type ObjectChange = S["ImportChange"];
export type ChangesPage = S["PaginatedImportChangeList"];
/** One object's change with its diff; a job's also with both documents (before null when new). */
export type ObjectChangeDetail = S["ImportChangeDetail"];

/** A resource's or connection's diff (PropertiesDiff.to_dict()). */
export interface PropertiesDiff {
  changed: boolean;
  properties: DiffChange[];
}

// ---- the summary and the Import button

const number = (n: number) => n.toLocaleString("en-US");

export const CHANGE_KINDS: readonly ChangeKind[] = ["new", "changed", "unchanged", "skipped", "failed"];

export const emptySummary = (): ChangeSummary => ({ new: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0 });

/** The summary as the server sent it, every count present. */
export function summaryOf(raw: Partial<Record<string, number>> | null | undefined): ChangeSummary {
  const out = emptySummary();
  for (const kind of CHANGE_KINDS) out[kind] = Number(raw?.[kind] ?? 0) || 0;
  return out;
}

/** "34 new, 112 changed, 9,850 unchanged", then skipped and failed when there are any. */
export function summaryLine(s: ChangeSummary): string {
  const parts = [`${number(s.new)} new`, `${number(s.changed)} changed`, `${number(s.unchanged)} unchanged`];
  if (s.skipped) parts.push(`${number(s.skipped)} skipped`);
  if (s.failed) parts.push(`${number(s.failed)} failed`);
  return parts.join(", ");
}

/** How many objects the import will write: the new and the changed, and the unchanged unless skipped. */
export function objectsToWrite(s: ChangeSummary, skipUnchanged: boolean): number {
  return s.new + s.changed + (skipUnchanged ? 0 : s.unchanged);
}

/** The Import button's words: "Import 146 objects". */
export function importLabel(s: ChangeSummary, skipUnchanged: boolean): string {
  const n = objectsToWrite(s, skipUnchanged);
  return `Import ${number(n)} ${n === 1 ? "object" : "objects"}`;
}

/** A word under the button when it says less than the whole story, or null. */
export function importHint(s: ChangeSummary, skipUnchanged: boolean): string | null {
  if (skipUnchanged && s.unchanged && !s.new && !s.changed) return "Every object is unchanged: nothing will be written, each is reported as unchanged.";
  if (s.failed) return `${number(s.failed)} ${s.failed === 1 ? "object" : "objects"} will fail.`;
  return null;
}

// ---- the filter chips and the query they make

export interface ChangeFilter {
  change: ChangeKind | null;
  type: ChangeType | null;
  search: string;
}

export const emptyFilter = (): ChangeFilter => ({ change: null, type: null, search: "" });

export const CHANGE_LABELS: Record<ChangeKind, string> = { new: "New", changed: "Changed", unchanged: "Unchanged", skipped: "Skipped", failed: "Failed" };
export const TYPE_LABELS: Record<ChangeType, string> = {
  job: "Jobs",
  script: "Scripts",
  resource: "Resources",
  connection: "Connections",
  environment_variable: "Environment variables",
};

export interface Chip<K> {
  value: K;
  label: string;
  count?: number;
  pressed: boolean;
}

/** A chip per change kind that the change-set holds (new, changed and unchanged always). */
export function changeChips(s: ChangeSummary, filter: ChangeFilter): Chip<ChangeKind>[] {
  return CHANGE_KINDS.filter((k) => k === "new" || k === "changed" || k === "unchanged" || s[k] > 0).map((k) => ({
    value: k,
    label: CHANGE_LABELS[k],
    count: s[k],
    pressed: filter.change === k,
  }));
}

/** A chip per type of object the package holds (connections and variables only when it defines some). */
export function typeChips(inspection: Inspection | null, filter: ChangeFilter): Chip<ChangeType>[] {
  const present: [ChangeType, number][] = [
    ["job", inspection?.jobs?.length ?? 0],
    ["script", inspection?.scripts?.length ?? 0],
    ["resource", inspection?.resources?.length ?? 0],
    ["connection", inspection?.connections?.length ?? 0],
    ["environment_variable", inspection?.environment?.length ?? 0],
  ];
  const shown = present.filter(([, n]) => n > 0);
  // One type alone filters nothing.
  if (shown.length < 2 && !filter.type) return [];
  return shown.map(([value]) => ({ value, label: TYPE_LABELS[value], pressed: filter.type === value }));
}

/** Pressing a chip filters by it; pressing it again shows everything again. */
export function toggleChange(f: ChangeFilter, kind: ChangeKind): ChangeFilter {
  return { ...f, change: f.change === kind ? null : kind };
}
export function toggleType(f: ChangeFilter, type: ChangeType): ChangeFilter {
  return { ...f, type: f.type === type ? null : type };
}

/** The query of `GET changes/` for one page. */
export function changesQuery(f: ChangeFilter, offset: number, limit: number) {
  const search = f.search.trim();
  return { change: f.change ?? undefined, type: f.type ?? undefined, search: search || undefined, offset, limit };
}

/** What the list says when the filter finds nothing. */
export function emptyText(f: ChangeFilter): string {
  const what = [f.change && CHANGE_LABELS[f.change].toLowerCase(), f.type ? TYPE_LABELS[f.type].toLowerCase() : "objects"].filter(Boolean).join(" ");
  return f.search.trim() ? `No ${what} match “${f.search.trim()}”.` : `No ${what}.`;
}

// ---- the loaded pages as the rows of a virtual list

export const PAGE_SIZE = 200;

/** A page of `GET changes/` with the offset it was asked from. */
export type LoadedPage = ChangesPage & { offset: number };

/** The next page's offset, or undefined when every row is loaded. */
export function nextOffset(last: LoadedPage): number | undefined {
  const end = last.offset + last.results.length;
  return last.results.length === 0 || end >= last.count ? undefined : end;
}

/** The rows loaded so far, in order, and how many rows the list has (loaded or not). */
export function listRows(pages: readonly LoadedPage[] | undefined): { rows: ObjectChange[]; total: number } {
  if (!pages?.length) return { rows: [], total: 0 };
  const rows = pages.flatMap((p) => p.results);
  // The latest page knows the count best (rows may come and go while it pages).
  return { rows, total: Math.max(pages[pages.length - 1].count, rows.length) };
}

/** Whether the rows in view reach past what is loaded (or close to it): time for the next page. */
export function wantsMore(lastVisible: number, loaded: number, total: number, ahead = 50): boolean {
  return loaded < total && lastVisible >= loaded - ahead;
}

// ---- one row

/** "job load_sales → load_sales_1" when renamed. */
export function changeName(c: Pick<ObjectChange, "name" | "newName">): string {
  return c.newName && c.newName !== c.name ? `${c.name} → ${c.newName}` : c.name;
}

const plural = (n: number, one: string, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`;

/** What changed in one object in a few words: "nodes +1 −1 ~2; edges +1; 3 properties", "+4 −2 lines". */
export function countsText(c: ObjectChange): string {
  const n = c.counts ?? {};
  const parts: string[] = [];
  const signed = (items: [number | undefined, string][]) =>
    items
      .filter(([v]) => v)
      .map(([v, sign]) => `${sign}${number(v!)}`)
      .join(" ");
  const nodes = signed([
    [n.nodesAdded, "+"],
    [n.nodesRemoved, "−"],
    [n.nodesModified, "~"],
  ]);
  if (nodes) parts.push(`nodes ${nodes}`);
  const edges = signed([
    [n.edgesAdded, "+"],
    [n.edgesRemoved, "−"],
  ]);
  if (edges) parts.push(`edges ${edges}`);
  const lines = signed([
    [n.linesAdded, "+"],
    [n.linesRemoved, "−"],
  ]);
  if (lines) parts.push(`lines ${lines}`);
  if (n.properties) parts.push(plural(n.properties, "property", "properties"));
  return parts.join("; ");
}

/** What a row says beside its name: its counts when changed, its reason when skipped or failed. */
export function rowDetail(c: ObjectChange): string {
  // An environment variable set by the choices: its message says to what (a masked value as such).
  if (c.type === "environment_variable" && c.message) return c.message;
  if (c.change === "changed") return countsText(c);
  if (c.change === "skipped" || c.change === "failed") return c.message;
  return "";
}

/** A row's name for a screen reader (and a test): "Changed job doc1: nodes ~1". */
export function rowLabel(c: ObjectChange, typeLabel: (type: string) => string = (t) => t.replace(/_/g, " ")): string {
  const detail = rowDetail(c);
  return `${CHANGE_LABELS[c.change]} ${typeLabel(c.type)} ${changeName(c)}${detail ? `: ${detail}` : ""}`;
}

// ---- one object's diff

export type DiffView =
  | { kind: "job"; diff: JobDiff; before: JobDocument | null; after: JobDocument | null }
  | { kind: "script"; diff: ScriptDiff }
  | { kind: "properties"; diff: PropertiesDiff }
  | { kind: "none"; text: string };

const isJobDoc = (d: unknown): d is JobDocument => !!d && typeof d === "object" && Array.isArray((d as JobDocument).nodes);
const isObject = (d: unknown): d is Record<string, unknown> => !!d && typeof d === "object" && !Array.isArray(d);
// The diff is free-form JSON in the schema: each kind is told by the keys diff.py writes.
const isJobDiff = (d: unknown): d is JobDiff => isObject(d) && Array.isArray(d.nodes) && Array.isArray(d.edges);
const isScriptDiff = (d: unknown): d is ScriptDiff => isObject(d) && Array.isArray(d.contentDiff);
const isPropertiesDiff = (d: unknown): d is PropertiesDiff => isObject(d) && Array.isArray(d.properties);

/** A new job's diff: every node and edge of what would be written, added. */
export function newJobDiff(after: JobDocument): JobDiff {
  const nodes = after.nodes.filter((n) => n && typeof n.name === "string");
  const names = new Set(nodes.map((n) => n.name));
  const edges = nodes.flatMap((n) =>
    (Array.isArray(n.preNodeName) ? n.preNodeName : []).filter((pre) => names.has(pre)).map((pre) => ({ source: pre, target: n.name, status: "added" as const })),
  );
  return {
    changed: true,
    summary: { nodesAdded: nodes.length, nodesRemoved: 0, nodesModified: 0, edgesAdded: edges.length, edgesRemoved: 0, schedule: 0, params: 0, properties: 0 },
    nodes: nodes.map((n) => ({ name: n.name, type: String(n.type ?? ""), status: "added" as const, changes: [] })),
    edges,
    schedule: [],
    params: [],
    properties: [],
  };
}

/**
 * Which view an opened object's diff shows in: a job's DAG (a new job's with every node added), a script's
 * line diff, a property list; else a sentence (the server sends no diff when nothing changes).
 */
export function diffView(d: ObjectChangeDetail): DiffView {
  const diff: unknown = d.diff;
  const before = isJobDoc(d.before) ? d.before : null;
  const after = isJobDoc(d.after) ? d.after : null;
  if (d.type === "job") {
    if (isJobDiff(diff)) return { kind: "job", diff, before, after };
    if (d.change === "new" && after) return { kind: "job", diff: newJobDiff(after), before: null, after };
  }
  if (isScriptDiff(diff)) return { kind: "script", diff };
  if (isPropertiesDiff(diff) && !isJobDiff(diff)) return { kind: "properties", diff };
  if (d.type === "environment_variable" && d.message) return { kind: "none", text: d.message };
  if (d.change === "new") return { kind: "none", text: `A new ${d.type}: it is created as the package defines it.` };
  if (d.change === "skipped") return { kind: "none", text: d.message || "Skipped: it is left as it is." };
  if (d.change === "failed") return { kind: "none", text: d.message || "It would fail." };
  return { kind: "none", text: "No differences." };
}
