/**
 * Missing references beyond replace-or-create: which existing scripts fit a node's script type, and which
 * nodes of the imported jobs were left unresolved (the report lists them, the canvas flags them).
 */
import type { ImportReport, ReportUnresolved } from "../api/types";
import type { MissingItem } from "./machine";

const kindWords: Record<string, string> = {
  connection: "connection",
  dli_queue: "DLI queue",
  ges_graph: "GES graph",
  dis_stream: "DIS stream",
  cdm_cluster: "CDM cluster",
  mrs_cluster: "MRS cluster",
  resource: "resource",
  script: "script",
  job: "job",
};
export const referenceKindWord = (kind: string) => kindWords[kind] ?? kind.replace(/_/g, " ");

/** Can a node that runs `allowed` script types (empty: any) run a script of `type`? As the server
 * compares: without case or spaces (DataArts writes both PYTHON and Python, SparkPython and Spark Python). */
export function scriptTypeFits(type: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed?.length) return true;
  const key = (s: string) => s.replace(/ /g, "").toLowerCase();
  return allowed.some((a) => key(a) === key(type));
}

/**
 * The existing objects offered to replace one missing reference: for a script, only those of a type its
 * nodes run (`scriptTypes`: script name → type, as far as the page knows them; a script whose type it does
 * not know stays offered, the server checks it).
 */
export function replacementCandidates(item: MissingItem, scriptTypes?: ReadonlyMap<string, string>): string[] {
  const allowed = item.ref.scriptTypes;
  if (item.group.kind !== "script" || !allowed?.length || !scriptTypes) return item.group.candidates;
  return item.group.candidates.filter((name) => {
    const type = scriptTypes.get(name);
    return type === undefined || scriptTypeFits(type, allowed);
  });
}

/** Does the review need the workspace's script types (some missing script is run by typed nodes)? */
export const needsScriptTypes = (items: MissingItem[]) => items.some((i) => i.group.kind === "script" && (i.ref.scriptTypes?.length ?? 0) > 0);

/** "node load: script load_x does not exist in this workspace" (node null: the job's schedule). */
export function unresolvedText(u: Pick<ReportUnresolved, "node" | "kind" | "name">): string {
  return `${u.node ? `node ${u.node}` : "schedule"}: ${referenceKindWord(u.kind)} ${u.name} does not exist in this workspace`;
}

/** The report's unresolved nodes per imported job, jobs and nodes in name order. */
export function unresolvedByJob(report: ImportReport | null): { job: string; items: ReportUnresolved[] }[] {
  const byJob = new Map<string, ReportUnresolved[]>();
  for (const u of report?.unresolved ?? []) byJob.set(u.job, [...(byJob.get(u.job) ?? []), u]);
  return [...byJob.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([job, items]) => ({ job, items: [...items].sort((a, b) => (a.node ?? "").localeCompare(b.node ?? "") || a.name.localeCompare(b.name)) }));
}
