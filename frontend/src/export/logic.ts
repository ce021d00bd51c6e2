/**
 * What the Export dialog sends: the selection it was opened for plus the user's choices.
 */
import type { ExportRequest, ExportScope, ExportStatus, Id, Task } from "../api/types";

/** What is being exported: picked in the tree (directories and single objects) or one open job/script. */
export interface ExportTarget {
  category: "job" | "script";
  all?: boolean;
  directoryIds?: Id[];
  /** Job ids for category job, script ids for category script. */
  ids?: Id[];
  /** Shown in the dialog ("doc1", "3 jobs and 2 directories"). */
  description: string;
}

export interface ExportChoices {
  scope: ExportScope;
  status: ExportStatus;
  obsPath: string;
}

export const defaultChoices = (): ExportChoices => ({ scope: "jobs_only", status: "develop", obsPath: "" });

const OBS_PATH = /^obs:\/\/[a-z0-9][a-z0-9.-]{1,62}(\/[^\s]*)?$/i;

/** Why OK cannot be pressed yet, or null. */
export function exportProblem(target: ExportTarget, choices: ExportChoices): string | null {
  if (!target.all && !(target.ids?.length || target.directoryIds?.length)) {
    return target.category === "job" ? "Select at least one job." : "Select at least one script.";
  }
  const obs = choices.obsPath.trim();
  if (obs && !OBS_PATH.test(obs)) return "The OBS path must look like obs://bucket/folder/.";
  return null;
}

export function exportRequestBody(target: ExportTarget, choices: ExportChoices): ExportRequest {
  const body: ExportRequest = {
    category: target.category,
    // Scripts have no dependencies of their own to add.
    scope: target.category === "job" ? choices.scope : "jobs_only",
    status: choices.status,
    all: !!target.all,
    obsPath: choices.obsPath.trim(),
  };
  if (target.directoryIds?.length) body.directoryIds = [...target.directoryIds];
  if (target.ids?.length) {
    if (target.category === "job") body.jobIds = [...target.ids];
    else body.scriptIds = [...target.ids];
  }
  return body;
}

/** "doc1", "3 jobs", "2 directories and 1 job", "all jobs" — for the dialog's header line. */
export function describeSelection(category: "job" | "script", all: boolean, directoryCount: number, ids: number, singleName?: string): string {
  const noun = category === "job" ? "job" : "script";
  if (all) return `all ${noun}s`;
  if (directoryCount === 0 && ids === 1 && singleName) return singleName;
  const parts: string[] = [];
  if (directoryCount) parts.push(`${directoryCount} ${directoryCount === 1 ? "directory" : "directories"}`);
  if (ids) parts.push(`${ids} ${ids === 1 ? noun : `${noun}s`}`);
  return parts.join(" and ") || `no ${noun}s`;
}

export const isTaskDone = (t: Pick<Task, "status">) => t.status === "SUCCESSFUL" || t.status === "FAILED";
