/**
 * The Connections room's API calls and TanStack Query hooks: data connections (with their per-type form,
 * Test and usages), the other referable objects (DLI queues, GES graphs, DIS streams, CDM/MRS clusters)
 * and environment variables. Secrets go in only: no response carries one.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { keys } from "./hooks";
import type { components } from "./schema";
import type { Connection, EnvironmentVariable, ExternalObject, Id } from "./types";

type S = components["schemas"];
export type ConnectionTypeSpec = S["ConnectionTypeSpec"];
export type ConnectionTypeField = S["ConnectionTypeField"];
export type ConnectionTestResult = S["ConnectionTestResult"];
export type Usages = S["Usages"];
export type ConnectionInput = S["ConnectionCreateInputRequest"];
export type ConnectionTestInput = S["ConnectionTestInputRequest"];
export type ExternalObjectKind = S["ExternalObjectKindEnum"];
export type ExternalObjectInput = S["ExternalObjectCreateInputRequest"];
export type EnvironmentVariableInput = S["EnvironmentVariableCreateInputRequest"];

const ws = (workspace: Id) => `/api/workspaces/${workspace}`;
const list = async <T>(path: string) => {
  const data = await api.get<T[] | { results: T[] }>(path);
  return Array.isArray(data) ? data : (data?.results ?? []);
};

export const connectionTypesList = () => api.get<ConnectionTypeSpec[]>("/api/connection-types/");
export const connectionCreate = (w: Id, body: ConnectionInput) => api.post<Connection>(`${ws(w)}/connections/`, body);
export const connectionUpdate = (w: Id, id: Id, body: Partial<ConnectionInput>) => api.patch<Connection>(`${ws(w)}/connections/${id}/`, body);
export const connectionDelete = (w: Id, id: Id) => api.delete<null>(`${ws(w)}/connections/${id}/`);
export const connectionUsages = (w: Id, id: Id) => api.get<Usages>(`${ws(w)}/connections/${id}/usages/`);
/** Tests form values; `connectionId` lets a blank secret stand for the stored one. */
export const connectionTest = (w: Id, body: ConnectionTestInput) => api.post<ConnectionTestResult>(`${ws(w)}/connections/test/`, body);

export const externalObjectsAll = (w: Id) => list<ExternalObject>(`${ws(w)}/external-objects/?limit=1000`);
export const externalObjectCreate = (w: Id, body: ExternalObjectInput) => api.post<ExternalObject>(`${ws(w)}/external-objects/`, body);
export const externalObjectUpdate = (w: Id, id: Id, body: Partial<ExternalObjectInput>) =>
  api.patch<ExternalObject>(`${ws(w)}/external-objects/${id}/`, body);
export const externalObjectDelete = (w: Id, id: Id) => api.delete<null>(`${ws(w)}/external-objects/${id}/`);
export const externalObjectUsages = (w: Id, id: Id) => api.get<Usages>(`${ws(w)}/external-objects/${id}/usages/`);

export const envVarsList = (w: Id) => list<EnvironmentVariable>(`${ws(w)}/environment-variables/?limit=1000`);
export const envVarCreate = (w: Id, body: EnvironmentVariableInput) => api.post<EnvironmentVariable>(`${ws(w)}/environment-variables/`, body);
export const envVarUpdate = (w: Id, id: Id, body: Partial<EnvironmentVariableInput>) =>
  api.patch<EnvironmentVariable>(`${ws(w)}/environment-variables/${id}/`, body);
export const envVarDelete = (w: Id, id: Id) => api.delete<null>(`${ws(w)}/environment-variables/${id}/`);

export const roomKeys = {
  types: ["connection-types"] as const,
  externalAll: (w: Id) => ["ws", w, "external", "*"] as const,
  usages: (w: Id, what: "connection" | "external", id: Id) => ["ws", w, "usages", what, id] as const,
};

export const useConnectionTypes = () => useQuery({ queryKey: roomKeys.types, queryFn: connectionTypesList, staleTime: Infinity });
export const useAllExternalObjects = (w: Id) => useQuery({ queryKey: roomKeys.externalAll(w), queryFn: () => externalObjectsAll(w), staleTime: 30_000 });
export const useEnvVars = (w: Id) => useQuery({ queryKey: keys.envVars(w), queryFn: () => envVarsList(w), staleTime: 30_000 });
export const useUsages = (w: Id, what: "connection" | "external", id: Id) =>
  useQuery({
    queryKey: roomKeys.usages(w, what, id),
    queryFn: () => (what === "connection" ? connectionUsages(w, id) : externalObjectUsages(w, id)),
    staleTime: 0,
  });

/** A write whose success refreshes the given lists (the canvas's pickers read the same keys). */
export function useRoomMutation<A, R>(fn: (args: A) => Promise<R>, invalidate: readonly (readonly unknown[])[]) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => qc.invalidateQueries({ queryKey })));
    },
  });
}

/** The lists that change when connections or external objects change. */
export const connectionKeys = (w: Id) => [keys.connections(w)] as const;
export const externalKeys = (w: Id) => [["ws", w, "external"]] as const;
export const envVarKeys = (w: Id) => [keys.envVars(w)] as const;
