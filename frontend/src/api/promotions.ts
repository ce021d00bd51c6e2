/**
 * The Deployments room's and the Promote dialog's API calls: a workspace's promotions to the target of an
 * environment profile (another workspace of this console, or a remote console or DataArts Studio), with
 * their change-set, approval and apply.
 */
import { http, ok } from "./client";
import type { components } from "./schema";
import type { Id } from "./types";

type S = components["schemas"];
/** A promotion: requester, approver, note, profile, package sha256, change-set and report counts, state. */
export type Promotion = S["Promotion"];
export type PromotionState = S["PromotionStateEnum"];
export type PromotionStart = S["PromotionStartInputRequest"];

const inWs = (w: Id) => ({ workspace_id: String(w) });
const one = (w: Id, id: Id) => ({ path: { ...inWs(w), promotion_id: Number(id) } });

export const PROMOTIONS_PAGE = 50;

export const promotionsList = (w: Id, offset = 0) =>
  ok(http.GET("/api/workspaces/{workspace_id}/promotions/", { params: { path: inWs(w), query: { limit: PROMOTIONS_PAGE, offset } } }));
/** Builds the package, imports it into the target and previews it: the answer carries the change-set's summary. */
export const promotionStart = (w: Id, body: PromotionStart) => ok(http.POST("/api/workspaces/{workspace_id}/promotions/", { params: { path: inWs(w) }, body }));
/** One promotion: polled while a remote target's change-set is read or its import runs. */
export const promotionGet = (w: Id, id: Id) => ok(http.GET("/api/workspaces/{workspace_id}/promotions/{promotion_id}/", { params: one(w, id) }));
export const promotionApprove = (w: Id, id: Id) => ok(http.POST("/api/workspaces/{workspace_id}/promotions/{promotion_id}/approve/", { params: one(w, id) }));
export const promotionReject = (w: Id, id: Id) => ok(http.POST("/api/workspaces/{workspace_id}/promotions/{promotion_id}/reject/", { params: one(w, id) }));
export const promotionApply = (w: Id, id: Id) => ok(http.POST("/api/workspaces/{workspace_id}/promotions/{promotion_id}/apply/", { params: one(w, id) }));

export const promotionKeys = {
  /** Every page of the Deployments room (any write changes them). */
  all: (w: Id) => ["ws", w, "promotions"] as const,
  page: (w: Id, offset: number) => ["ws", w, "promotions", offset] as const,
};
