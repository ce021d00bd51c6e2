/**
 * One function per console API operation, over the typed client in client.ts: the URL, parameters, body
 * and answer of each call come from the generated `paths`, so nothing here names a response type by hand.
 * Components use these through TanStack Query hooks (feature folders' hooks.ts); nothing here keeps state.
 */
import { asFile, fileOrJson, http, ok } from "./client";
import type { operations } from "./schema";
import type { ExternalObjectKind } from "./connections";
import type {
  ApplyRequest,
  BatchSelection,
  Category,
  ExportRequest,
  Id,
  ImportTask,
  Job,
  JobDocument,
  MemberSet,
  OwnerSet,
  Script,
  ScriptDocument,
  Task,
  WorkspaceCreate,
  WorkspaceUpdate,
} from "./types";

export type ObjectKind = "jobs" | "scripts";

/** The path parameter every workspace operation takes. */
const inWs = (workspace: Id) => ({ workspace_id: String(workspace) });
/** The same operation under jobs/ or scripts/ (the two are typed separately in the schema). */
const byKind = <J, S>(kind: ObjectKind, job: () => J, script: () => S): J | S => (kind === "jobs" ? job() : script());

export const sessionGet = () => ok(http.GET("/api/session/"));
export const sessionLogout = () => ok(http.POST("/api/session/logout/"));
export const nodeTypesList = () => ok(http.GET("/api/node-types/"));

/** The workspace with the caller's role; its lock policy and OBS allow-list are changed by its admins. */
export const workspaceGet = (workspace: Id) => ok(http.GET("/api/workspaces/{workspace_id}/", { params: { path: inWs(workspace) } }));
export const workspaceUpdate = (workspace: Id, body: WorkspaceUpdate) =>
  ok(http.PATCH("/api/workspaces/{workspace_id}/", { params: { path: inWs(workspace) }, body }));
/** Staff only: the new workspace, with the creator as its admin. */
export const workspaceCreate = (body: WorkspaceCreate) => ok(http.POST("/api/workspaces/", { body }));
/** The workspace's members and roles (its admins only). */
export const membersList = async (workspace: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/members/", { params: { path: inWs(workspace), query: { limit: 1000 } } }))).results;
/** Adds `username` with `role`, or changes their role (its admins only; the last admin stays admin). */
export const memberSet = (workspace: Id, body: MemberSet) =>
  ok(http.POST("/api/workspaces/{workspace_id}/members/", { params: { path: inWs(workspace) }, body }));
export const memberRemove = (workspace: Id, username: string) =>
  ok(http.DELETE("/api/workspaces/{workspace_id}/members/{username}/", { params: { path: { ...inWs(workspace), username } } }));

export interface TreeQuery {
  category: Category;
  parent: Id | null;
  search?: string;
  offset?: number;
  limit?: number;
}

export const treeGet = (workspace: Id, q: TreeQuery, signal?: AbortSignal) =>
  ok(
    http.GET("/api/workspaces/{workspace_id}/tree/", {
      params: {
        path: inWs(workspace),
        // No parent is the root.
        query: { category: q.category, parent: q.parent ?? undefined, search: q.search || undefined, offset: q.offset, limit: q.limit },
      },
      signal,
    }),
  );

/** Creates the directory at `path` (e.g. /a/b; the parent /a must exist). */
export const directoryCreate = (workspace: Id, body: { category: Category; path: string }) =>
  ok(http.POST("/api/workspaces/{workspace_id}/directories/", { params: { path: inWs(workspace) }, body }));
/** Renames a directory, or moves it under `parentPath` ("/" is the root). */
export const directoryUpdate = (workspace: Id, id: Id, body: { name?: string; parentPath?: string }) =>
  ok(http.PATCH("/api/workspaces/{workspace_id}/directories/{directory_id}/", { params: { path: { ...inWs(workspace), directory_id: id } }, body }));
export const directoryDelete = (workspace: Id, id: Id) =>
  ok(http.DELETE("/api/workspaces/{workspace_id}/directories/{directory_id}/", { params: { path: { ...inWs(workspace), directory_id: id } } }));

// ---- jobs and scripts (the same operations under jobs/ and scripts/)

const jobPath = (workspace: Id, id: Id) => ({ path: { ...inWs(workspace), job_id: id } });
const scriptPath = (workspace: Id, id: Id) => ({ path: { ...inWs(workspace), script_id: id } });

// The document is DataArts' own definition, free-form JSON in the schema: the editor reads it as JobDocument or
// ScriptDocument (types.ts), which is what Job and Script say of it.
export const jobGet = (workspace: Id, id: Id): Promise<Job> =>
  ok(http.GET("/api/workspaces/{workspace_id}/jobs/{job_id}/", { params: jobPath(workspace, id) })).then(withJobDocument);
export const scriptGet = (workspace: Id, id: Id): Promise<Script> =>
  ok(http.GET("/api/workspaces/{workspace_id}/scripts/{script_id}/", { params: scriptPath(workspace, id) })).then(withScriptDocument);
/** What the editor opens, by its kind: the object and its document. */
export type Editable = { job: { obj: Job; doc: JobDocument }; script: { obj: Script; doc: ScriptDocument } };
export function objectGet<K extends keyof Editable>(workspace: Id, kind: K, id: Id): Promise<Editable[K]["obj"]> {
  // K is "job" or "script", and each branch answers that kind's object (TypeScript does not narrow K itself).
  return (kind === "job" ? jobGet(workspace, id) : scriptGet(workspace, id)) as Promise<Editable[K]["obj"]>;
}
function withJobDocument(job: Omit<Job, "document"> & { document: Record<string, unknown> }): Job {
  return { ...job, document: job.document as JobDocument };
}
function withScriptDocument(script: Omit<Script, "document"> & { document: Record<string, unknown> }): Script {
  return { ...script, document: script.document as ScriptDocument };
}

/** The workspace's first 1000 scripts with their types (the import wizard filters replacements by type). */
export const scriptSummariesList = async (workspace: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/scripts/", { params: { path: inWs(workspace), query: { limit: 1000 } } }))).results;

/** Saves the development state; `revision` is the one this edit started from (412 when stale). */
export function objectSave(workspace: Id, kind: ObjectKind, id: Id, document: JobDocument | ScriptDocument, revision: number): Promise<Job | Script> {
  const header = { "If-Match": `"${revision}"` };
  return byKind(
    kind,
    () => ok(http.PUT("/api/workspaces/{workspace_id}/jobs/{job_id}/", { params: { ...jobPath(workspace, id), header }, body: { document, newVersion: false } })).then(withJobDocument),
    () =>
      ok(http.PUT("/api/workspaces/{workspace_id}/scripts/{script_id}/", { params: { ...scriptPath(workspace, id), header }, body: { document, newVersion: false } })).then(
        withScriptDocument,
      ),
  );
}
export const objectSubmit = (workspace: Id, kind: ObjectKind, id: Id, description: string) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/submit/", { params: jobPath(workspace, id), body: { description } })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/submit/", { params: scriptPath(workspace, id), body: { description } })),
  );
export const objectRename = (workspace: Id, kind: ObjectKind, id: Id, name: string) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/rename/", { params: jobPath(workspace, id), body: { name } })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/rename/", { params: scriptPath(workspace, id), body: { name } })),
  );
/** Moves to the directory at `directory` (a path; "/" is the root). */
export const objectMove = (workspace: Id, kind: ObjectKind, id: Id, directory: string) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/move/", { params: jobPath(workspace, id), body: { directory } })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/move/", { params: scriptPath(workspace, id), body: { directory } })),
  );
export const objectCopy = (workspace: Id, kind: ObjectKind, id: Id, name: string, directory: string) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/copy/", { params: jobPath(workspace, id), body: { name, directory } })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/copy/", { params: scriptPath(workspace, id), body: { name, directory } })),
  );
export const objectDelete = (workspace: Id, kind: ObjectKind, id: Id) =>
  byKind(
    kind,
    () => ok(http.DELETE("/api/workspaces/{workspace_id}/jobs/{job_id}/", { params: jobPath(workspace, id) })),
    () => ok(http.DELETE("/api/workspaces/{workspace_id}/scripts/{script_id}/", { params: scriptPath(workspace, id) })),
  );
export const objectLock = (workspace: Id, kind: ObjectKind, id: Id) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/lock/", { params: jobPath(workspace, id) })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/lock/", { params: scriptPath(workspace, id) })),
  );
export const objectUnlock = (workspace: Id, kind: ObjectKind, id: Id) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/unlock/", { params: jobPath(workspace, id) })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/unlock/", { params: scriptPath(workspace, id) })),
  );
/** How many objects a ticked selection holds: what a batch's confirmation names. */
export const objectsSelectedCount = (workspace: Id, kind: ObjectKind, selection: BatchSelection) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/selection/count/", { params: { path: inWs(workspace) }, body: selection })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/selection/count/", { params: { path: inWs(workspace) }, body: selection })),
  );
export const objectsUnlock = (workspace: Id, kind: ObjectKind, selection: BatchSelection) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/unlock/", { params: { path: inWs(workspace) }, body: selection })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/unlock/", { params: { path: inWs(workspace) }, body: selection })),
  );
export const objectsDelete = (workspace: Id, kind: ObjectKind, selection: BatchSelection) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/delete/", { params: { path: inWs(workspace) }, body: selection })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/delete/", { params: { path: inWs(workspace) }, body: selection })),
  );
export const objectsMove = (workspace: Id, kind: ObjectKind, selection: BatchSelection, directory: string) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/move/", { params: { path: inWs(workspace) }, body: { ...selection, directory } })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/move/", { params: { path: inWs(workspace) }, body: { ...selection, directory } })),
  );
/** Configure Owner: the ticked objects (`ids`) and/or every one of `currentOwner` get `owner`. */
export const objectsOwnerSet = (workspace: Id, kind: ObjectKind, body: OwnerSet) =>
  byKind(
    kind,
    () => ok(http.POST("/api/workspaces/{workspace_id}/jobs/owner/", { params: { path: inWs(workspace) }, body })),
    () => ok(http.POST("/api/workspaces/{workspace_id}/scripts/owner/", { params: { path: inWs(workspace) }, body })),
  );
export const jobSchedule = (workspace: Id, id: Id, action: "start" | "stop") =>
  action === "start"
    ? ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/schedule/start/", { params: jobPath(workspace, id) }))
    : ok(http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/schedule/stop/", { params: jobPath(workspace, id) }));

export const versionsList = async (workspace: Id, kind: ObjectKind, id: Id, versionKind: "saved" | "submitted") => {
  const query = { kind: versionKind, limit: 100 };
  const page = await byKind(
    kind,
    () => ok(http.GET("/api/workspaces/{workspace_id}/jobs/{job_id}/versions/", { params: { ...jobPath(workspace, id), query } })),
    () => ok(http.GET("/api/workspaces/{workspace_id}/scripts/{script_id}/versions/", { params: { ...scriptPath(workspace, id), query } })),
  );
  return page.results;
};
export const versionGet = (workspace: Id, kind: ObjectKind, id: Id, versionId: Id) =>
  byKind(
    kind,
    () => ok(http.GET("/api/workspaces/{workspace_id}/jobs/{job_id}/versions/{version_id}/", { params: { path: { ...inWs(workspace), job_id: id, version_id: versionId } } })),
    () =>
      ok(
        http.GET("/api/workspaces/{workspace_id}/scripts/{script_id}/versions/{version_id}/", {
          params: { path: { ...inWs(workspace), script_id: id, version_id: versionId } },
        }),
      ),
  );
export const versionRollback = (workspace: Id, kind: ObjectKind, id: Id, versionId: Id) =>
  byKind(
    kind,
    () =>
      ok(
        http.POST("/api/workspaces/{workspace_id}/jobs/{job_id}/versions/{version_id}/rollback/", {
          params: { path: { ...inWs(workspace), job_id: id, version_id: versionId } },
        }),
      ),
    () =>
      ok(
        http.POST("/api/workspaces/{workspace_id}/scripts/{script_id}/versions/{version_id}/rollback/", {
          params: { path: { ...inWs(workspace), script_id: id, version_id: versionId } },
        }),
      ),
  );

/** Compare Versions: a version's id, or "development" for the development state as saved. */
export type VersionRef = Id | "development";
const diffQuery = (from: VersionRef, to: VersionRef) => ({ query: { from: String(from), to: String(to) } });
/** The structural diff between two versions of a job (both documents, every node and edge with its status). */
export const jobVersionsDiff = (workspace: Id, id: Id, from: VersionRef, to: VersionRef) =>
  ok(http.GET("/api/workspaces/{workspace_id}/jobs/{job_id}/versions/diff/", { params: { ...jobPath(workspace, id), ...diffQuery(from, to) } }));
/** The line diff of a script's content and its changed properties between two versions. */
export const scriptVersionsDiff = (workspace: Id, id: Id, from: VersionRef, to: VersionRef) =>
  ok(http.GET("/api/workspaces/{workspace_id}/scripts/{script_id}/versions/diff/", { params: { ...scriptPath(workspace, id), ...diffQuery(from, to) } }));

// ---- referable objects

export const connectionsList = async (workspace: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/connections/", { params: { path: inWs(workspace), query: { limit: 1000 } } }))).results;
export const externalObjectsList = async (workspace: Id, kind: ExternalObjectKind) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/external-objects/", { params: { path: inWs(workspace), query: { kind, limit: 1000 } } }))).results;
export const resourcesList = async (workspace: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/resources/", { params: { path: inWs(workspace), query: { limit: 1000 } } }))).results;
export const environmentVariablesList = async (workspace: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/environment-variables/", { params: { path: inWs(workspace), query: { limit: 1000 } } }))).results;

// ---- export, tasks, downloads

type ExportStarted = operations["exports_create"]["responses"][202]["content"]["application/json"];
export type ExportAnswer = { kind: "file"; blob: Blob; fileName: string } | { kind: "task"; task: Task };

/** A small selection answers with the zip itself; a large one (or one to OBS) with the task writing it. */
export async function exportStart(workspace: Id, body: ExportRequest): Promise<ExportAnswer> {
  const answer = await fileOrJson<ExportStarted>(
    http.POST("/api/workspaces/{workspace_id}/exports/", {
      params: { path: inWs(workspace) },
      // Replacing a package in OBS is only ever asked for; the server's default is not to.
      body: { ...body, obsOverwrite: body.obsOverwrite ?? false },
      headers: { Accept: "application/zip, application/json" },
      parseAs: "stream",
    }),
    "jobs.zip",
  );
  if (answer.kind === "file") return answer;
  return { kind: "task", task: answer.data.task };
}

export const taskGet = (workspace: Id, taskId: string) =>
  ok(http.GET("/api/workspaces/{workspace_id}/tasks/{task_id}/", { params: { path: { ...inWs(workspace), task_id: taskId } } }));
/** A ready package of the Download Center (its `downloadUrl` is set). */
export const downloadFile = (workspace: Id, artifactId: Id, fallbackName: string) =>
  asFile(
    http.GET("/api/workspaces/{workspace_id}/downloads/{artifact_id}/file/", {
      params: { path: { ...inWs(workspace), artifact_id: artifactId } },
      headers: { Accept: "*/*" },
      parseAs: "blob",
    }),
    fallbackName,
  );
export const downloadsList = (workspace: Id) => ok(http.GET("/api/workspaces/{workspace_id}/downloads/", { params: { path: inWs(workspace) } }));

// ---- OBS and import

// OBS is reached with the server's credentials, so what a workspace may see is its allow-list's business:
// status and browsing live under the workspace (developers and admins; a path outside the list is 403).
export const obsStatus = (workspace: Id) => ok(http.GET("/api/workspaces/{workspace_id}/obs/status/", { params: { path: inWs(workspace) } }));
/** No path: the allowed buckets and folders; a folder: what is directly under it. */
export const obsBrowse = (workspace: Id, path: string, signal?: AbortSignal) =>
  ok(http.GET("/api/workspaces/{workspace_id}/obs/browse/", { params: { path: inWs(workspace), query: { path: path || undefined } }, signal }));

export type ImportSource = { kind: "obs"; obsPath: string } | { kind: "local"; file: File };
type ImportInput = NonNullable<operations["imports_create"]["requestBody"]>["content"]["application/json"];

export async function importStart(workspace: Id, source: ImportSource, category: ImportInput["category"], policy: ImportInput["policy"]): Promise<ImportTask> {
  const params = { path: inWs(workspace) };
  if (source.kind === "local") {
    // The package goes up as multipart; the schema's `file` is the form field, sent as the File itself.
    const form = new FormData();
    form.set("file", source.file);
    form.set("category", category);
    form.set("policy", policy);
    const started = await ok(http.POST("/api/workspaces/{workspace_id}/imports/", { params, body: { category, policy }, bodySerializer: () => form }));
    return started.task;
  }
  const started = await ok(http.POST("/api/workspaces/{workspace_id}/imports/", { params, body: { obsPath: source.obsPath, category, policy } }));
  return started.task;
}

export const importGet = (workspace: Id, taskId: string) =>
  ok(http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/", { params: { path: { ...inWs(workspace), task_id: taskId } } }));
/** Starts applying the user's choices; the answer is the task to poll. */
export const importApply = async (workspace: Id, taskId: string, body: ApplyRequest): Promise<ImportTask> =>
  (await ok(http.POST("/api/workspaces/{workspace_id}/imports/{task_id}/apply/", { params: { path: { ...inWs(workspace), task_id: taskId } }, body }))).task;
export const importCancel = (workspace: Id, taskId: string) =>
  ok(http.POST("/api/workspaces/{workspace_id}/imports/{task_id}/cancel/", { params: { path: { ...inWs(workspace), task_id: taskId } } }));
export const importReportFile = (workspace: Id, taskId: string) =>
  asFile(
    http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/report.json", {
      params: { path: { ...inWs(workspace), task_id: taskId } },
      headers: { Accept: "*/*" },
      parseAs: "blob",
    }),
    "import-report.json",
  );

// ---- the import's change-set: what importing with the choices would write, before it is written

type ChangesQuery = NonNullable<operations["imports_changes_list"]["parameters"]["query"]>;
const taskPath = (workspace: Id, taskId: string) => ({ ...inWs(workspace), task_id: taskId });

/** Classifies every object against the workspace with these choices (the apply's body); the answer is the task to poll. */
export const importPreview = async (workspace: Id, taskId: string, body: ApplyRequest): Promise<ImportTask> =>
  (await ok(http.POST("/api/workspaces/{workspace_id}/imports/{task_id}/preview/", { params: { path: taskPath(workspace, taskId) }, body }))).task;
/** One page of the previewed objects, in the order the import would write them, filtered by change, type and name. */
export const importChanges = (workspace: Id, taskId: string, query: ChangesQuery, signal?: AbortSignal) =>
  ok(http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/changes/", { params: { path: taskPath(workspace, taskId), query }, signal }));
/** One previewed object with its diff (and a job's documents before and after, secrets emptied). */
export const importChange = (workspace: Id, taskId: string, changeId: number) =>
  ok(http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/changes/{change_id}/", { params: { path: { ...taskPath(workspace, taskId), change_id: changeId } } }));
