/**
 * The Import History as plain data: what a row says of an import or an undo (its state, its counts, its
 * source), what the undo's preview lists, and how far a running undo is. No DOM: Vitest tests these.
 */
import type { HistoryEntry, UndoPreview, UndoPreviewObject } from "../api/history";
import type { Task } from "../api/types";

const IMPORT_OUTCOMES = ["created", "overwritten", "unchanged", "renamed", "skipped", "failed"];
const UNDO_OUTCOMES = ["reversed", "kept", "failed"];

export const finished = (status: string) => status === "SUCCESSFUL" || status === "FAILED";

/** "2 created, 1 overwritten": the report's counts that are not zero, in the report's order. */
export function countsText(entry: Pick<HistoryEntry, "kind" | "summary">): string {
  const summary = entry.summary ?? {};
  const order = entry.kind === "undo" ? UNDO_OUTCOMES : IMPORT_OUTCOMES;
  const known = order.filter((o) => summary[o]).map((o) => `${summary[o]} ${o}`);
  const others = Object.keys(summary)
    .filter((o) => !order.includes(o) && summary[o])
    .map((o) => `${summary[o]} ${o}`);
  return [...known, ...others].join(", ") || "—";
}

const STATUS: Record<string, string> = {
  PENDING: "Waiting for a worker",
  RUNNING: "Running",
  WAITING: "Waiting for the choices",
  SUCCESSFUL: "Succeeded",
  FAILED: "Failed",
};

/** The row's state in words: its status, and for a finished import whether it was undone. */
export function stateText(entry: Pick<HistoryEntry, "kind" | "status" | "undoneBy" | "undoes">): string {
  const status = STATUS[entry.status] ?? entry.status;
  if (entry.undoneBy) return `${status}; undone`;
  return status;
}

/** What the row is: the import's package, or which task an undo undid. */
export function titleOf(entry: Pick<HistoryEntry, "kind" | "name" | "source" | "undoes">): string {
  if (entry.kind === "undo") return `Undo of ${entry.undoes ?? "a task"}`;
  return entry.source?.fileName || entry.name;
}

export const sourceText = (entry: Pick<HistoryEntry, "source">) => entry.source?.label || "—";
export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : "—");

/** The Undo button's label: undoing an undo applies the import again. */
export const undoLabel = (entry: Pick<HistoryEntry, "kind">) => (entry.kind === "undo" ? "Redo" : "Undo");

/** The preview's objects worth reading before confirming: those kept (changed since, still used) and those
 * that cannot be undone, each group in the server's order. */
export function previewGroups(preview: UndoPreview): { kept: UndoPreviewObject[]; failing: UndoPreviewObject[]; others: number } {
  const kept = preview.objects.filter((o) => o.action === "keep");
  const failing = preview.objects.filter((o) => o.action === "fail");
  return { kept, failing, others: preview.total - kept.length - failing.length };
}

/** Whether the undo may be confirmed: nothing refused, something to do, and no object failing. */
export function canConfirm(preview: UndoPreview | undefined): boolean {
  if (!preview || preview.refusal) return false;
  const count = (action: string) => Object.values(preview.counts[action] ?? {}).reduce((a, b) => a + b, 0);
  return count("fail") === 0 && ["restore", "recreate", "delete"].some((a) => count(a) > 0);
}

/** A running or finished undo: how far it is and what it says (the worker's live counts while it runs). */
export function undoProgress(task: Pick<Task, "status" | "progress" | "message" | "live">): { percent: number; text: string; done: boolean } {
  const done = finished(task.status);
  if (done) return { percent: 100, text: task.message, done };
  const live = task.live;
  if (live && live.total > 0) return { percent: task.progress, text: `${live.done} of ${live.total} objects…`, done };
  return { percent: task.progress, text: task.message || "Waiting for a worker…", done };
}
