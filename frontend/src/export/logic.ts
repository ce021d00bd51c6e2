/**
 * What the Export dialog sends: the selection it was opened for plus the user's choices. A selection in
 * the tree travels compactly (ticked directories, the jobs or directories unticked inside them and the
 * jobs ticked elsewhere); "Export Workspace Job" sends the whole workspace, changed since a time.
 */
import type { ExportRequest, ExportScope, ExportStatus, Id, Task } from "../api/types";

/** What is being exported: picked in the tree (directories and single objects) or one open job/script. */
export interface ExportTarget {
  category: "job" | "script";
  all?: boolean;
  directoryIds?: Id[];
  /** Job ids for category job, script ids for category script. */
  ids?: Id[];
  /** Directories unticked inside the ticked ones (or inside `all`). */
  excludeDirectoryIds?: Id[];
  /** Jobs (or scripts) unticked inside the ticked directories (or inside `all`). */
  excludeIds?: Id[];
  /** "Export Workspace Job" / "Export Workspace Script": every job (script) of the workspace, optionally only
   * those changed since a time. */
  workspace?: boolean;
  /** Shown in the dialog ("doc1", "3 jobs and 2 directories"). */
  description: string;
}

export interface ExportChoices {
  scope: ExportScope;
  status: ExportStatus;
  obsPath: string;
  /** "Export Workspace Job/Script" only: a datetime-local value ("2026-03-01T08:30", local time), or "" for all. */
  changedSince: string;
  /** Replace a package of the same name in the OBS folder (the server refuses with 409 otherwise). */
  obsOverwrite?: boolean;
}

export const defaultChoices = (): ExportChoices => ({ scope: "jobs_only", status: "develop", obsPath: "", changedSince: "" });

const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A datetime-local value (the browser's local time, no zone) as the ISO instant the API takes, or null
 * when empty; undefined when it is not a time at all.
 */
export function changedSinceIso(local: string): string | null | undefined {
  const value = local.trim();
  if (!value) return null;
  if (!LOCAL_DATETIME.test(value)) return undefined;
  const date = new Date(value); // no zone: ECMAScript reads a date-time form as local time
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const OBS_PATH = /^obs:\/\/[a-z0-9][a-z0-9.-]{1,62}(\/[^\s]*)?$/i;

/** Why OK cannot be pressed yet, or null. */
export function exportProblem(target: ExportTarget, choices: ExportChoices): string | null {
  if (target.workspace) {
    if (changedSinceIso(choices.changedSince) === undefined) return "Changed since must be a date and time.";
  } else if (!target.all && !(target.ids?.length || target.directoryIds?.length)) {
    return target.category === "job" ? "Select at least one job." : "Select at least one script.";
  }
  const obs = choices.obsPath.trim();
  if (obs && !OBS_PATH.test(obs)) return "The OBS folder must look like obs://bucket/folder/.";
  if (obs && /\.zip$/i.test(obs)) return "Give the OBS folder, not a file: the package is written into it under its DataArts name.";
  return null;
}

const OBJECT_NAME = /^[A-Za-z0-9_\-.\u4e00-\u9fa5]+$/;

/**
 * The package's DataArts file name when it is known before the server selects: DLF_<name>.zip for one
 * job or script, jobs.zip / scripts.zip for several picked one by one. Null when directories or the
 * whole workspace are exported (how many objects they hold decides the name).
 */
export function exportFileName(target: ExportTarget): string | null {
  if (target.all || target.workspace || target.directoryIds?.length) return null;
  const ids = target.ids ?? [];
  if (ids.length === 1) {
    // A single object's description is its name (see describeSelection); "1 job" is not a name.
    const name = target.description.trim();
    return OBJECT_NAME.test(name) ? `DLF_${name}.zip` : null;
  }
  if (ids.length > 1) return target.category === "job" ? "jobs.zip" : "scripts.zip";
  return null;
}

/** Where the package lands in OBS ("obs://bkt/out/DLF_doc1.zip"), or the folder and a note when its name
 * is not known yet; null without a usable folder. */
export function obsTargetHint(target: ExportTarget, obsPath: string): string | null {
  const folder = obsPath.trim();
  if (!folder || !OBS_PATH.test(folder) || /\.zip$/i.test(folder)) return null;
  const base = folder.endsWith("/") ? folder : `${folder}/`;
  const name = exportFileName(target);
  if (name) return `The package will be written to ${base}${name}.`;
  const names = target.category === "job" ? "DLF_<job>.zip for one job, jobs.zip for several" : "DLF_<script>.zip for one script, scripts.zip for several";
  return `The package will be written into ${base} under its DataArts name (${names}).`;
}

export function exportRequestBody(target: ExportTarget, choices: ExportChoices): ExportRequest {
  const body: ExportRequest = {
    category: target.category,
    // Scripts have no dependencies of their own to add.
    scope: target.category === "job" ? choices.scope : "jobs_only",
    status: choices.status,
    all: !!target.all || !!target.workspace,
    obsPath: choices.obsPath.trim(),
  };
  if (body.obsPath && choices.obsOverwrite) body.obsOverwrite = true;
  if (target.workspace) {
    // The whole workspace, changed since a time (DataArts' "Export Workspace Job"): no ids at all.
    const since = changedSinceIso(choices.changedSince);
    if (since) body.changedSince = since;
    return body;
  }
  if (target.directoryIds?.length) body.directoryIds = [...target.directoryIds];
  if (target.ids?.length) {
    if (target.category === "job") body.jobIds = [...target.ids];
    else body.scriptIds = [...target.ids];
  }
  if (target.excludeDirectoryIds?.length) body.excludeDirectoryIds = [...target.excludeDirectoryIds];
  if (target.excludeIds?.length) {
    if (target.category === "job") body.excludeJobIds = [...target.excludeIds];
    else body.excludeScriptIds = [...target.excludeIds];
  }
  return body;
}

/**
 * "doc1", "3 jobs", "2 directories and 1 job", "all jobs", "all jobs except 1 directory and 2 jobs" —
 * for the dialog's header line and the tree's selection bar.
 */
export function describeSelection(
  category: "job" | "script",
  all: boolean,
  directoryCount: number,
  ids: number,
  singleName?: string,
  excluded: { directories: number; ids: number } = { directories: 0, ids: 0 },
): string {
  const noun = category === "job" ? "job" : "script";
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (!all && directoryCount === 0 && ids === 1 && singleName && !excluded.directories && !excluded.ids) return singleName;
  const parts: string[] = [];
  if (directoryCount) parts.push(count(directoryCount, "directory", "directories"));
  if (ids) parts.push(count(ids, noun, `${noun}s`));
  // Under "all", ticked directories and jobs are ones ticked again inside an excluded directory.
  const text = all ? `all ${noun}s` : parts.join(" and ") || `no ${noun}s`;
  const except: string[] = [];
  if (excluded.directories) except.push(count(excluded.directories, "directory", "directories"));
  if (excluded.ids) except.push(count(excluded.ids, noun, `${noun}s`));
  return except.length ? `${text} except ${except.join(" and ")}` : text;
}

export const isTaskDone = (t: Pick<Task, "status">) => t.status === "SUCCESSFUL" || t.status === "FAILED";
