/**
 * Promotions as plain data: what a row of the Deployments room says (state, change-set, counts), which
 * profiles can promote here, the Promote dialog's request from the tree's ticks and its buttons. No DOM:
 * Vitest tests these.
 */
import type { Profile } from "../api/profiles";
import type { Promotion, PromotionStart, PromotionState } from "../api/promotions";
import type { CompactSelection } from "../tree/selection";

const CHANGES = ["new", "changed", "unchanged", "skipped", "failed"];
const OUTCOMES = ["created", "overwritten", "unchanged", "renamed", "skipped", "failed"];

function listed(values: Record<string, number> | undefined, order: string[]): string {
  const v = values ?? {};
  const known = order.filter((k) => v[k]).map((k) => `${v[k]} ${k}`);
  const others = Object.keys(v)
    .filter((k) => !order.includes(k) && v[k])
    .map((k) => `${v[k]} ${k}`);
  return [...known, ...others].join(", ");
}

/** The change-set's summary line: "1 new, 2 changed, 5 unchanged" ("nothing" when empty). */
export const changesText = (changes: Record<string, number> | undefined) => listed(changes, CHANGES) || "nothing";
/** The report's counts once applied: "1 created, 5 unchanged" ("—" before). */
export const countsText = (counts: Record<string, number> | undefined) => listed(counts, OUTCOMES) || "—";
/** What applying writes: the new and changed objects (unchanged ones are skipped). */
export const writesCount = (changes: Record<string, number> | undefined) => (changes?.new ?? 0) + (changes?.changed ?? 0);

const STATES: Record<PromotionState, string> = {
  preparing: "Reading the target…",
  previewing: "Ready to apply",
  waiting_approval: "Waiting for approval",
  approved: "Approved",
  applying: "Applying",
  succeeded: "Succeeded",
  failed: "Failed",
  rejected: "Rejected",
};
export const stateText = (state: PromotionState) => STATES[state] ?? state;

/** The profiles that can promote: to another workspace of this console (not a deleted one), or to a remote
 * console or DataArts Studio. */
export const promotableProfiles = (profiles: Profile[]) =>
  profiles.filter((p) => (p.target.kind === "workspace" ? p.target.workspaceId !== null : !!p.target.endpoint));

/** A profile's target as the Promote dialog names it: the workspace, or the remote endpoint. */
export const profileTarget = (p: Profile) => (p.target.kind === "workspace" ? (p.target.workspaceName ?? "?") : p.target.endpoint);

/** A promotion's target: the workspace, or the remote endpoint with its project and workspace. */
export const promotionTarget = (p: Pick<Promotion, "targetWorkspaceName" | "targetLabel">) => p.targetWorkspaceName ?? (p.targetLabel || "the target");

/** Whether a background step runs (the change-set being made, or the import, for any target): poll it. */
export const isRunning = (p: Pick<Promotion, "state">) => p.state === "preparing" || p.state === "applying";

/** The start request for the tree's ticks (the whole tree is the root directory "/"), or, with
 * `sinceLast`, for everything changed since the last successful promotion with the profile (everything
 * the first time): the ticks are then left out. */
export function promoteBody(profileId: number, note: string, sel: CompactSelection, sinceLast = false): PromotionStart {
  if (sinceLast) {
    return { profileId, note: note.trim(), jobIds: [], directoryIds: [], directoryPaths: [], excludeJobIds: [], excludeDirectoryIds: [], sinceLast: true };
  }
  return {
    profileId,
    note: note.trim(),
    jobIds: sel.elementIds,
    directoryIds: sel.directoryIds,
    directoryPaths: sel.all ? ["/"] : [],
    excludeJobIds: sel.excludeElementIds,
    excludeDirectoryIds: sel.excludeDirectoryIds,
    sinceLast: false,
  };
}

/** The Promote dialog's first button: a profile needing approval sends the promotion for approval. */
export const startLabel = (profile: Profile | undefined) => (profile?.requiresApproval ? "Request approval" : "Show changes");

/** The Promote dialog's second button, once the change-set is shown: "Promote 2 objects". */
export function applyLabel(promotion: Pick<Promotion, "changes">): string {
  const n = writesCount(promotion.changes);
  return n === 0 ? "Promote (nothing to write)" : `Promote ${n} object${n === 1 ? "" : "s"}`;
}

/** Whether the row's import report can be shown: once the promotion was applied. */
export const hasReport = (p: Pick<Promotion, "state" | "importTask" | "appliedAt">) => !!p.importTask && !!p.appliedAt;

/** Whether the promotion can be undone from the target's Import History: applied, into a workspace the
 * reader belongs to (its import's own undo restores what it overwrote and deletes what it created). */
export const canUndoIn = (p: Pick<Promotion, "state" | "targetWorkspaceId" | "appliedAt">, workspaces: { id: number }[]) =>
  p.state === "succeeded" && p.targetWorkspaceId !== null && workspaces.some((w) => w.id === p.targetWorkspaceId);

/** What a job's canvas promotes: that job alone. */
export const jobSelection = (jobId: number): CompactSelection => ({ all: false, directoryIds: [], elementIds: [jobId], excludeDirectoryIds: [], excludeElementIds: [] });
