/**
 * TanStack Query hooks for data more than one feature reads (session, node types, referable objects).
 * Feature-specific hooks live beside their feature (tree/hooks.ts, canvas/hooks.ts, ...).
 */
import { useQuery } from "@tanstack/react-query";
import type { Category, Id } from "./types";
import type { ExternalObjectKind } from "./connections";
import * as ep from "./endpoints";

export const keys = {
  session: ["session"] as const,
  nodeTypes: ["node-types"] as const,
  connections: (ws: Id) => ["ws", ws, "connections"] as const,
  external: (ws: Id, kind: string) => ["ws", ws, "external", kind] as const,
  resources: (ws: Id) => ["ws", ws, "resources"] as const,
  envVars: (ws: Id) => ["ws", ws, "env-vars"] as const,
  /** Everything read from a category's directory tree (its pages, the directory pickers, the search):
   * a write that changes the tree invalidates this one key. */
  tree: (ws: Id, category: Category) => ["ws", ws, "tree", category] as const,
  /** Every category's tree (an import writes jobs, scripts and resources). */
  trees: (ws: Id) => ["ws", ws, "tree"] as const,
  /** The pages of one directory's children, an infinite query. */
  treeDir: (ws: Id, category: Category, dir: Id | null) => ["ws", ws, "tree", category, "dir", dir ?? "root"] as const,
  treePicker: (ws: Id, category: Category, parent: Id | null) => ["ws", ws, "tree", category, "picker", parent ?? "root"] as const,
  search: (ws: Id, category: Category, term: string) => ["ws", ws, "tree", category, "search", term] as const,
  /** Every loaded job (or script) document of the workspace (after a batch write). */
  objects: (ws: Id, kind: "job" | "script") => ["ws", ws, kind] as const,
  job: (ws: Id, id: Id) => ["ws", ws, "job", id] as const,
  script: (ws: Id, id: Id) => ["ws", ws, "script", id] as const,
  versions: (ws: Id, kind: ep.ObjectKind, id: Id, versionKind: string) => ["ws", ws, kind, id, "versions", versionKind] as const,
  version: (ws: Id, kind: ep.ObjectKind, id: Id, versionId: Id) => ["ws", ws, kind, id, "version", versionId] as const,
  versionsDiff: (ws: Id, kind: ep.ObjectKind, id: Id, from: ep.VersionRef, to: ep.VersionRef) => ["ws", ws, kind, id, "versions-diff", from, to] as const,
  downloads: (ws: Id) => ["ws", ws, "downloads"] as const,
  /** Under ["ws", ws] so that a change of the workspace (its allow-list) invalidates them with it. */
  workspace: (ws: Id) => ["ws", ws, "workspace"] as const,
  members: (ws: Id) => ["ws", ws, "members"] as const,
  obsStatus: (ws: Id) => ["ws", ws, "obs-status"] as const,
  obsBrowse: (ws: Id, path: string) => ["ws", ws, "obs-browse", path] as const,
};

export const useSession = () => useQuery({ queryKey: keys.session, queryFn: ep.sessionGet, retry: false, staleTime: Infinity });

export const useNodeTypes = () => useQuery({ queryKey: keys.nodeTypes, queryFn: ep.nodeTypesList, staleTime: Infinity });

export const useConnections = (ws: Id) => useQuery({ queryKey: keys.connections(ws), queryFn: () => ep.connectionsList(ws), staleTime: 30_000 });

const EXTERNAL_KINDS: readonly string[] = ["dli_queue", "ges_graph", "dis_stream", "cdm_cluster", "mrs_cluster"] satisfies ExternalObjectKind[];
const isExternalKind = (kind: string): kind is ExternalObjectKind => EXTERNAL_KINDS.includes(kind);

/** The existing objects of a cloud kind; any other kind (a node field's `refersTo`) lists nothing. */
export const useExternalObjects = (ws: Id, kind: string, enabled = true) =>
  useQuery({
    queryKey: keys.external(ws, kind),
    queryFn: () => (isExternalKind(kind) ? ep.externalObjectsList(ws, kind) : Promise.resolve([])),
    staleTime: 30_000,
    enabled: enabled && isExternalKind(kind),
  });

export const useResources = (ws: Id, enabled = true) =>
  useQuery({ queryKey: keys.resources(ws), queryFn: () => ep.resourcesList(ws), staleTime: 30_000, enabled });

/** Jobs or scripts whose name (or owner) contains `term`, anywhere in the tree. */
export const useElementSearch = (ws: Id, category: Category, term: string, enabled = true) =>
  useQuery({
    queryKey: keys.search(ws, category, term),
    queryFn: ({ signal }) => ep.treeGet(ws, { category, parent: null, search: term, limit: 50 }, signal),
    enabled: enabled && term.trim().length > 0,
    staleTime: 10_000,
  });

/** The workspace's members; only its admins may read them, so others pass enabled=false. */
export const useMembers = (ws: Id, enabled = true) =>
  useQuery({ queryKey: keys.members(ws), queryFn: () => ep.membersList(ws), staleTime: 10_000, enabled });

export const useWorkspace = (ws: Id) => useQuery({ queryKey: keys.workspace(ws), queryFn: () => ep.workspaceGet(ws), staleTime: 30_000 });

/** The workspace's OBS status and allow-list; viewers are refused (403), so callers may pass enabled=false. */
export const useObsStatus = (ws: Id, enabled = true) =>
  useQuery({ queryKey: keys.obsStatus(ws), queryFn: () => ep.obsStatus(ws), staleTime: 60_000, enabled });
