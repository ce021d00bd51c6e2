/**
 * The Import History room's API calls: every import (and undo) of a workspace, what undoing one would do
 * (the preview) and the undo itself, a task followed through the task routes (`taskGet`).
 */
import { http, ok } from "./client";
import type { components } from "./schema";
import type { Id, Task } from "./types";

type S = components["schemas"];
/** An import or undo of the workspace, with its counts and whether it can be undone (`undoRefusal`). */
export type HistoryEntry = S["ImportHistoryEntry"];
export type HistoryPage = S["PaginatedImportHistoryEntryList"];
/** What undoing a task would do now: `summary` (one line), `counts` per action and type, `objects`. */
export type UndoPreview = S["UndoPreview"];
export type UndoPreviewObject = S["UndoPreviewObject"];

const inTask = (w: Id, taskId: string) => ({ workspace_id: String(w), task_id: taskId });

export const HISTORY_PAGE = 50;

export const historyList = (w: Id, offset = 0) =>
  ok(http.GET("/api/workspaces/{workspace_id}/imports/history/", { params: { path: { workspace_id: String(w) }, query: { limit: HISTORY_PAGE, offset } } }));
export const undoPreview = (w: Id, taskId: string, force: boolean) =>
  ok(http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/undo/", { params: { path: inTask(w, taskId), query: { force } } }));
/** Starts the undo; the answer is its task, to poll with `taskGet`. */
export const undoStart = async (w: Id, taskId: string, force: boolean): Promise<Task> =>
  (await ok(http.POST("/api/workspaces/{workspace_id}/imports/{task_id}/undo/", { params: { path: inTask(w, taskId) }, body: { force } }))).task;

export const historyKeys = {
  /** Every page of the history (an undo changes them all). */
  all: (w: Id) => ["ws", w, "imports-history"] as const,
  page: (w: Id, offset: number) => ["ws", w, "imports-history", offset] as const,
  preview: (w: Id, taskId: string, force: boolean) => ["ws", w, "undo-preview", taskId, force] as const,
  task: (w: Id, taskId: string) => ["ws", w, "task", taskId] as const,
};
