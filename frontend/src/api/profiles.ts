/**
 * The Environments room's API calls and TanStack Query hooks: a workspace's environment profiles (where its
 * jobs are promoted to). Secrets (the remote keys, masked values) go in only: no answer carries one.
 */
import { useQuery } from "@tanstack/react-query";
import { asFile, http, ok } from "./client";
import type { components } from "./schema";
import type { Id } from "./types";

type S = components["schemas"];
export type Profile = S["Profile"];
export type ProfileInput = S["ProfileInputRequest"];
export type ProfileTargetInput = S["ProfileTargetInputRequest"];
export type ProfileMapping = S["ProfileMappingRequest"];
export type ProfileOverrideInput = S["ProfileOverrideInputRequest"];
export type ProfileJobOverrideInput = S["ProfileJobOverrideInputRequest"];
export type ProfileRule = S["ProfileRuleRequest"];
export type ProfileImportResult = S["ProfileImportResult"];
export type MappingKind = S["ProfileMappingKindEnum"];

const inWs = (w: Id) => ({ workspace_id: String(w) });
const one = (w: Id, id: Id) => ({ path: { ...inWs(w), profile_id: id } });

export const profilesList = async (w: Id) =>
  (await ok(http.GET("/api/workspaces/{workspace_id}/profiles/", { params: { path: inWs(w), query: { limit: 1000 } } }))).results;
export const profileCreate = (w: Id, body: ProfileInput) => ok(http.POST("/api/workspaces/{workspace_id}/profiles/", { params: { path: inWs(w) }, body }));
export const profileUpdate = (w: Id, id: Id, body: ProfileInput) =>
  ok(http.PUT("/api/workspaces/{workspace_id}/profiles/{profile_id}/", { params: one(w, id), body }));
export const profileDelete = (w: Id, id: Id) => ok(http.DELETE("/api/workspaces/{workspace_id}/profiles/{profile_id}/", { params: one(w, id) }));
/** The profile as a JSON file (without its secrets), for the browser to save. */
export const profileExport = (w: Id, id: Id, fallbackName: string) =>
  asFile(http.GET("/api/workspaces/{workspace_id}/profiles/{profile_id}/export/", { params: one(w, id), parseAs: "blob" }), fallbackName);
export const profileImport = (w: Id, body: S["ProfileImportInputRequest"]) =>
  ok(http.POST("/api/workspaces/{workspace_id}/profiles/import/", { params: { path: inWs(w) }, body }));

export const profileKeys = {
  list: (w: Id) => ["ws", w, "profiles"] as const,
};

export const useProfiles = (w: Id) => useQuery({ queryKey: profileKeys.list(w), queryFn: () => profilesList(w), staleTime: 30_000 });

// ---- a profile in the import wizard of its target workspace

export type ImportProfile = S["ImportProfile"];
export type ImportProfileChoices = S["ImportProfileChoices"];
export type ImportProfileMasked = S["ImportProfileMasked"];

/** The profiles that promote to workspace `w`, of the workspaces the user is a member of. */
export const importProfilesList = (w: Id) => ok(http.GET("/api/workspaces/{workspace_id}/import-profiles/", { params: { path: inWs(w) } }));
/** A profile's choices for an inspected import (masked values left out, named in `masked`). */
export const importProfileChoices = (w: Id, taskId: string, profileId: number) =>
  ok(
    http.GET("/api/workspaces/{workspace_id}/imports/{task_id}/profiles/{profile_id}/choices/", {
      params: { path: { ...inWs(w), task_id: taskId, profile_id: profileId } },
    }),
  );
export const useImportProfiles = (w: Id) => useQuery({ queryKey: ["ws", w, "import-profiles"], queryFn: () => importProfilesList(w), staleTime: 30_000 });
