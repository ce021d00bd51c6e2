/**
 * The Connections room's API calls and TanStack Query hooks: data connections (with their per-type form,
 * Test and usages), the other referable objects (DLI queues, GES graphs, DIS streams, CDM/MRS clusters)
 * and environment variables. Secrets go in only: no response carries one.
 */
import { useQuery } from "@tanstack/react-query";
import { http, ok } from "./client";
import { keys } from "./hooks";
import { useWrite } from "./mutations";
import type { components } from "./schema";
import type { Id } from "./types";

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

const inWs = (w: Id) => ({ workspace_id: String(w) });
const connection = (w: Id, id: Id) => ({ path: { ...inWs(w), connection_id: id } });
const external = (w: Id, id: Id) => ({ path: { ...inWs(w), object_id: id } });
const variable = (w: Id, id: Id) => ({ path: { ...inWs(w), variable_id: id } });

export const connectionTypesList = () => ok(http.GET("/api/connection-types/"));
export const connectionCreate = (w: Id, body: ConnectionInput) =>
  ok(http.POST("/api/workspaces/{workspace_id}/connections/", { params: { path: inWs(w) }, body }));
export const connectionUpdate = (w: Id, id: Id, body: Partial<ConnectionInput>) =>
  ok(http.PATCH("/api/workspaces/{workspace_id}/connections/{connection_id}/", { params: connection(w, id), body }));
export const connectionDelete = (w: Id, id: Id) => ok(http.DELETE("/api/workspaces/{workspace_id}/connections/{connection_id}/", { params: connection(w, id) }));
export const connectionUsages = (w: Id, id: Id) => ok(http.GET("/api/workspaces/{workspace_id}/connections/{connection_id}/usages/", { params: connection(w, id) }));
/** Tests form values; `connectionId` lets a blank secret stand for the stored one. */
export const connectionTest = (w: Id, body: ConnectionTestInput) =>
  ok(http.POST("/api/workspaces/{workspace_id}/connections/test/", { params: { path: inWs(w) }, body }));

export const externalObjectsAll = async (w: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/external-objects/", { params: { path: inWs(w), query: { limit: 1000 } } }))).results;
export const externalObjectCreate = (w: Id, body: ExternalObjectInput) =>
  ok(http.POST("/api/workspaces/{workspace_id}/external-objects/", { params: { path: inWs(w) }, body }));
export const externalObjectUpdate = (w: Id, id: Id, body: Partial<ExternalObjectInput>) =>
  ok(http.PATCH("/api/workspaces/{workspace_id}/external-objects/{object_id}/", { params: external(w, id), body }));
export const externalObjectDelete = (w: Id, id: Id) => ok(http.DELETE("/api/workspaces/{workspace_id}/external-objects/{object_id}/", { params: external(w, id) }));
export const externalObjectUsages = (w: Id, id: Id) =>
  ok(http.GET("/api/workspaces/{workspace_id}/external-objects/{object_id}/usages/", { params: external(w, id) }));

export const envVarsList = async (w: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/environment-variables/", { params: { path: inWs(w), query: { limit: 1000 } } }))).results;
export const envVarCreate = (w: Id, body: EnvironmentVariableInput) =>
  ok(http.POST("/api/workspaces/{workspace_id}/environment-variables/", { params: { path: inWs(w) }, body }));
export const envVarUpdate = (w: Id, id: Id, body: Partial<EnvironmentVariableInput>) =>
  ok(http.PATCH("/api/workspaces/{workspace_id}/environment-variables/{variable_id}/", { params: variable(w, id), body }));
export const envVarDelete = (w: Id, id: Id) =>
  ok(http.DELETE("/api/workspaces/{workspace_id}/environment-variables/{variable_id}/", { params: variable(w, id) }));

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
/** The room's writes: useWrite, pending until the lists they changed have refetched. */
export function useRoomMutation<A, R>(fn: (args: A) => Promise<R>, invalidate: readonly (readonly unknown[])[]) {
  return useWrite(fn, { invalidates: invalidate, untilRefetched: true });
}

/** The lists that change when connections or external objects change. */
export const connectionKeys = (w: Id) => [keys.connections(w)] as const;
export const externalKeys = (w: Id) => [["ws", w, "external"]] as const;
export const envVarKeys = (w: Id) => [keys.envVars(w)] as const;
