/**
 * The Workspaces room's plain logic: roles as people read them, what the add-member form needs, and the
 * server's refusals in the room's own words (the last admin cannot be demoted or removed).
 */
import { errorMessage, isApiError } from "../api/client";
import type { LockPolicy, Role } from "../api/types";

export const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: "admin", label: "Admin", hint: "Manages members and the workspace's settings; not held back by hard locks." },
  { value: "developer", label: "Developer", hint: "Develops, exports and imports jobs and scripts." },
  { value: "deployer", label: "Deployer", hint: "A developer who also approves others' promotions (Deployments)." },
  { value: "viewer", label: "Viewer", hint: "Reads jobs and scripts." },
];

export const roleLabel = (role: string) => ROLES.find((r) => r.value === role)?.label ?? role;

export const WORKSPACE_NAME_MAX = 64;
const USERNAME_MAX = 150;

/** Why Add cannot be pressed yet, or null. */
export function memberProblem(username: string, members: { username: string }[]): string | null {
  const name = username.trim();
  if (!name) return "Enter the user's username.";
  if (name.length > USERNAME_MAX) return `A username has at most ${USERNAME_MAX} characters.`;
  if (members.some((m) => m.username === name)) return `${name} is already a member; change the role in the list.`;
  return null;
}

/** Why Create cannot be pressed yet, or null. */
export function workspaceNameProblem(name: string, existing: string[]): string | null {
  const value = name.trim();
  if (!value) return "Enter the workspace's name.";
  if (value.length > WORKSPACE_NAME_MAX) return `A workspace name has at most ${WORKSPACE_NAME_MAX} characters.`;
  if (existing.includes(value)) return `You already have a workspace named ${value}.`;
  return null;
}

/** A refused member change, saying who and what to do instead when the last admin was concerned. */
export function memberErrorText(error: unknown, username: string, action: "demote" | "remove"): string {
  if (isApiError(error) && error.code === "last_admin") {
    return `${username} is the last admin of this workspace and cannot be ${action === "remove" ? "removed" : "given another role"}: a workspace needs at least one admin. Make another member admin first.`;
  }
  return errorMessage(error);
}

export const lockPolicyLabel = (policy: LockPolicy) => (policy === "hard" ? "Hard lock" : "Soft lock");
