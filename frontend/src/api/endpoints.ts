/**
 * One function per console API operation, built on the client in client.ts. Components use these
 * through TanStack Query hooks (feature folders' hooks.ts); nothing here keeps state.
 */
import { api, getFile, postForFileOrJson, queryString, request } from "./client";
import type {
  ApplyRequest,
  Category,
  BatchUnlockResult,
  Connection,
  Directory,
  DownloadRecord,
  EnvironmentVariable,
  ExportRequest,
  ExternalObject,
  Id,
  ImportTask,
  Job,
  JobDocument,
  Member,
  MemberSet,
  NodeType,
  ObsListing,
  ObsStatus,
  OwnerSet,
  OwnerSetResult,
  Resource,
  Script,
  ScriptDocument,
  ScriptSummary,
  Session,
  Task,
  TreePage,
  VersionDetail,
  VersionSummary,
  Workspace,
  WorkspaceCreate,
  WorkspaceUpdate,
} from "./types";

export type ObjectKind = "jobs" | "scripts";

const ws = (workspace: Id) => `/api/workspaces/${workspace}`;

/** Lists may come bare or paginated ({results}); both read as a list. */
function asList<T>(data: T[] | { results: T[] }): T[] {
  return Array.isArray(data) ? data : (data?.results ?? []);
}

export const sessionGet = () => api.get<Session>("/api/session/");
export const sessionLogout = () => api.post<null>("/api/session/logout/");
export const nodeTypesList = () => api.get<NodeType[]>("/api/node-types/");

/** The workspace with the caller's role; its lock policy and OBS allow-list are changed by its admins. */
export const workspaceGet = (workspace: Id) => api.get<Workspace>(`${ws(workspace)}/`);
export const workspaceUpdate = (workspace: Id, body: WorkspaceUpdate) => api.patch<Workspace>(`${ws(workspace)}/`, body);
/** Staff only: the new workspace, with the creator as its admin. */
export const workspaceCreate = (body: WorkspaceCreate) => api.post<Workspace>("/api/workspaces/", body);
/** The workspace's members and roles (its admins only). */
export const membersList = async (workspace: Id) => asList(await api.get<Member[] | { results: Member[] }>(`${ws(workspace)}/members/?limit=1000`));
/** Adds `username` with `role`, or changes their role (its admins only; the last admin stays admin). */
export const memberSet = (workspace: Id, body: MemberSet) => api.post<Member>(`${ws(workspace)}/members/`, body);
export const memberRemove = (workspace: Id, username: string) =>
  api.delete<null>(`${ws(workspace)}/members/${encodeURIComponent(username)}/`);

export interface TreeQuery {
  category: Category;
  parent: Id | null;
  search?: string;
  offset?: number;
  limit?: number;
}

export const treeGet = (workspace: Id, q: TreeQuery, signal?: AbortSignal) =>
  api.get<TreePage>(
    `${ws(workspace)}/tree/${queryString({
      category: q.category,
      parent: q.parent ?? "",
      search: q.search || undefined,
      offset: q.offset,
      limit: q.limit,
    })}`,
    signal,
  );

/** Creates the directory at `path` (e.g. /a/b; the parent /a must exist). */
export const directoryCreate = (workspace: Id, body: { category: Category; path: string }) =>
  api.post<Directory>(`${ws(workspace)}/directories/`, body);
/** Renames a directory, or moves it under `parentPath` ("/" is the root). */
export const directoryUpdate = (workspace: Id, id: Id, body: { name?: string; parentPath?: string }) =>
  api.patch<Directory>(`${ws(workspace)}/directories/${id}/`, body);
export const directoryDelete = (workspace: Id, id: Id) => api.delete<null>(`${ws(workspace)}/directories/${id}/`);

// ---- jobs and scripts (the same operations under jobs/ and scripts/)

export async function objectGet<T extends Job | Script>(workspace: Id, kind: ObjectKind, id: Id): Promise<T> {
  const { data, headers } = await request<T>("GET", `${ws(workspace)}/${kind}/${id}/`);
  const etag = headers.get("ETag");
  const revision = etag ? Number(etag.replace(/^W\//, "").replace(/"/g, "")) : NaN;
  return Number.isFinite(revision) && !data.revision ? { ...data, revision } : data;
}
export const jobGet = (workspace: Id, id: Id) => objectGet<Job>(workspace, "jobs", id);
export const scriptGet = (workspace: Id, id: Id) => objectGet<Script>(workspace, "scripts", id);
/** The workspace's first 1000 scripts with their types (the import wizard filters replacements by type). */
export const scriptSummariesList = async (workspace: Id) =>
  asList(await api.get<ScriptSummary[] | { results: ScriptSummary[] }>(`${ws(workspace)}/scripts/?limit=1000`));

/** Saves the development state; `revision` is the one this edit started from (412 when stale). */
export const objectSave = <T>(workspace: Id, kind: ObjectKind, id: Id, document: JobDocument | ScriptDocument, revision: number) =>
  api.put<T>(`${ws(workspace)}/${kind}/${id}/`, { document }, { "If-Match": `"${revision}"` });
export const objectCreate = <T>(workspace: Id, kind: ObjectKind, document: JobDocument | ScriptDocument) =>
  api.post<T>(`${ws(workspace)}/${kind}/`, { document });
export const objectSubmit = (workspace: Id, kind: ObjectKind, id: Id, description: string) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/${id}/submit/`, { description });
export const objectRename = (workspace: Id, kind: ObjectKind, id: Id, name: string) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/${id}/rename/`, { name });
/** Moves to the directory at `directory` (a path; "/" is the root). */
export const objectMove = (workspace: Id, kind: ObjectKind, id: Id, directory: string) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/${id}/move/`, { directory });
export const objectCopy = (workspace: Id, kind: ObjectKind, id: Id, name: string, directory: string) =>
  api.post<{ id: Id }>(`${ws(workspace)}/${kind}/${id}/copy/`, { name, directory });
export const objectDelete = (workspace: Id, kind: ObjectKind, id: Id) => api.delete<null>(`${ws(workspace)}/${kind}/${id}/`);
export const objectLock = (workspace: Id, kind: ObjectKind, id: Id) => api.post<unknown>(`${ws(workspace)}/${kind}/${id}/lock/`);
export const objectUnlock = (workspace: Id, kind: ObjectKind, id: Id) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/${id}/unlock/`);
export const objectsUnlock = (workspace: Id, kind: ObjectKind, ids: Id[]) =>
  api.post<BatchUnlockResult>(`${ws(workspace)}/${kind}/unlock/`, { ids });
export const objectsDelete = (workspace: Id, kind: ObjectKind, ids: Id[]) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/delete/`, { ids });
export const objectsMove = (workspace: Id, kind: ObjectKind, ids: Id[], directory: string) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/move/`, { ids, directory });
/** Configure Owner: the ticked objects (`ids`) and/or every one of `currentOwner` get `owner`. */
export const objectsOwnerSet = (workspace: Id, kind: ObjectKind, body: OwnerSet) =>
  api.post<OwnerSetResult>(`${ws(workspace)}/${kind}/owner/`, body);
export const jobSchedule = (workspace: Id, id: Id, action: "start" | "stop") =>
  api.post<unknown>(`${ws(workspace)}/jobs/${id}/schedule/${action}/`);

export const versionsList = async (workspace: Id, kind: ObjectKind, id: Id, versionKind: "saved" | "submitted") =>
  asList(await api.get<VersionSummary[] | { results: VersionSummary[] }>(`${ws(workspace)}/${kind}/${id}/versions/?kind=${versionKind}&limit=100`));
export const versionGet = (workspace: Id, kind: ObjectKind, id: Id, versionId: Id) =>
  api.get<VersionDetail>(`${ws(workspace)}/${kind}/${id}/versions/${versionId}/`);
export const versionRollback = (workspace: Id, kind: ObjectKind, id: Id, versionId: Id) =>
  api.post<unknown>(`${ws(workspace)}/${kind}/${id}/versions/${versionId}/rollback/`);

// ---- referable objects

export const connectionsList = async (workspace: Id) =>
  asList(await api.get<Connection[] | { results: Connection[] }>(`${ws(workspace)}/connections/?limit=1000`));
export const externalObjectsList = async (workspace: Id, kind: string) =>
  asList(await api.get<ExternalObject[] | { results: ExternalObject[] }>(`${ws(workspace)}/external-objects/?kind=${encodeURIComponent(kind)}&limit=1000`));
export const resourcesList = async (workspace: Id) =>
  asList(await api.get<Resource[] | { results: Resource[] }>(`${ws(workspace)}/resources/?limit=1000`));
export const environmentVariablesList = async (workspace: Id) =>
  asList(await api.get<EnvironmentVariable[] | { results: EnvironmentVariable[] }>(`${ws(workspace)}/environment-variables/?limit=1000`));

// ---- export, tasks, downloads

export type ExportAnswer = { kind: "file"; blob: Blob; fileName: string } | { kind: "task"; task: Task };

export async function exportStart(workspace: Id, body: ExportRequest): Promise<ExportAnswer> {
  const answer = await postForFileOrJson<{ task: Task }>(`${ws(workspace)}/exports/`, body, "jobs.zip");
  if (answer.kind === "file") return answer;
  return { kind: "task", task: answer.data.task };
}

export const taskGet = (workspace: Id, taskId: string) => api.get<Task>(`${ws(workspace)}/tasks/${taskId}/`);
export const downloadsList = async (workspace: Id) =>
  asList(await api.get<DownloadRecord[] | { results: DownloadRecord[] }>(`${ws(workspace)}/downloads/`));

// ---- OBS and import

// OBS is reached with the server's credentials, so what a workspace may see is its allow-list's business:
// status and browsing live under the workspace (developers and admins; a path outside the list is 403).
export const obsStatus = (workspace: Id) => api.get<ObsStatus>(`${ws(workspace)}/obs/status/`);
/** No path: the allowed buckets and folders; a folder: what is directly under it. */
export const obsBrowse = (workspace: Id, path: string, signal?: AbortSignal) =>
  api.get<ObsListing>(`${ws(workspace)}/obs/browse/${queryString({ path: path || undefined })}`, signal);

export type ImportSource = { kind: "obs"; obsPath: string } | { kind: "local"; file: File };

export async function importStart(
  workspace: Id,
  source: ImportSource,
  category: "job" | "script",
  policy: string,
): Promise<ImportTask> {
  const path = `${ws(workspace)}/imports/`;
  let data: { task: ImportTask };
  if (source.kind === "local") {
    const form = new FormData();
    form.set("file", source.file);
    form.set("category", category);
    form.set("policy", policy);
    data = await api.upload<{ task: ImportTask }>(path, form);
  } else {
    data = await api.post<{ task: ImportTask }>(path, { obsPath: source.obsPath, category, policy });
  }
  return data.task;
}

export const importGet = (workspace: Id, taskId: string) => api.get<ImportTask>(`${ws(workspace)}/imports/${taskId}/`);
export const importApply = async (workspace: Id, taskId: string, body: ApplyRequest) =>
  (await api.post<{ task?: ImportTask } | ImportTask>(`${ws(workspace)}/imports/${taskId}/apply/`, body)) ?? null;
export const importCancel = (workspace: Id, taskId: string) => api.post<ImportTask>(`${ws(workspace)}/imports/${taskId}/cancel/`);
export const importReportFile = (workspace: Id, taskId: string) =>
  getFile(`${ws(workspace)}/imports/${taskId}/report.json`, "import-report.json");
