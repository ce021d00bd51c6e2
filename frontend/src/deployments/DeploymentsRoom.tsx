import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import "../connections/room.css";
import * as ep from "../api/endpoints";
import { useWrite } from "../api/mutations";
import { PROMOTIONS_PAGE, promotionApply, promotionApprove, promotionKeys, promotionReject, promotionsList, type Promotion } from "../api/promotions";
import { shortSha } from "../history/logic";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, formatTime, Spinner } from "../ui/bits";
import { canUndoIn, changesText, countsText, hasReport, isRunning, promotionTarget, stateText } from "./logic";

/** The import a promotion drove, in its target workspace: every object's outcome (the first 500). */
function PromotionReportDialog({ promotion, onClose }: { promotion: Promotion; onClose: () => void }) {
  const target = promotion.targetWorkspaceId;
  const q = useQuery({
    queryKey: ["ws", target, "task", promotion.importTask, "report"],
    queryFn: () => ep.importGet(target!, promotion.importTask!),
    enabled: target !== null && promotion.importTask !== null,
  });
  const rows = q.data?.report?.objects ?? [];
  return (
    <Dialog title={`Report: promotion ${promotion.id} to ${promotion.targetWorkspaceName ?? "?"}`} onClose={onClose} width={820} footer={<button type="button" onClick={onClose}>Close</button>}>
      <p role="status">{promotion.message || countsText(promotion.counts)}</p>
      {q.isPending && <Spinner label="Loading the report…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      {rows.length > 0 && (
        <table className="data-table" aria-label="Report objects">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Name</th>
              <th scope="col">Outcome</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 500).map((r, i) => (
              <tr key={i} className={r.outcome === "failed" ? "failed" : undefined}>
                <td>{r.type.replace(/_/g, " ")}</td>
                <td>{r.newName || r.name}</td>
                <td>{r.outcome}</td>
                <td className="small">{r.message ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}

/** A remote promotion's objects: each one's change against the remote, then the remote import's outcome. */
function RemoteObjectsDialog({ promotion, onClose }: { promotion: Promotion; onClose: () => void }) {
  return (
    <Dialog title={`Objects: promotion ${promotion.id} to ${promotion.targetLabel}`} onClose={onClose} width={820} footer={<button type="button" onClick={onClose}>Close</button>}>
      <p role="status">{promotion.message}</p>
      <p className="muted small">A remote promotion cannot be undone from this console: undo is for targets that are workspaces of this console.</p>
      <table className="data-table" aria-label="Remote objects">
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Name</th>
            <th scope="col">Change</th>
            <th scope="col">What changes</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {promotion.objects.slice(0, 500).map((r, i) => (
            <tr key={i} className={r.status === "FAILED" ? "failed" : undefined}>
              <td>{r.type}</td>
              <td>{r.name}</td>
              <td>{r.change}</td>
              <td className="small">{r.message}</td>
              <td className="small">{r.status ? `${r.status.toLowerCase()}${r.report ? `: ${r.report}` : ""}` : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}

/** The Deployments room: every promotion of the workspace with requester, approver, note, profile, package
 * sha256, counts and state; Approve and Reject for another admin, Apply once it may be applied; the report
 * of the import it drove in the target workspace. */
export function DeploymentsRoom() {
  const { session, workspace, setWorkspace } = useSessionWorkspace();
  const navigate = useNavigate();
  const ws = workspace.id;
  const [offset, setOffset] = useState(0);
  const [report, setReport] = useState<Promotion | null>(null);
  const [objects, setObjects] = useState<Promotion | null>(null);
  const q = useQuery({
    queryKey: promotionKeys.page(ws, offset),
    queryFn: () => promotionsList(ws, offset),
    refetchInterval: (query) => (query.state.data?.results.some(isRunning) ? 2000 : false),
  });
  const invalidates = [promotionKeys.all(ws)];
  const act = useWrite(({ id, action }: { id: number; action: "approve" | "reject" | "apply" }) =>
    action === "approve" ? promotionApprove(ws, id) : action === "reject" ? promotionReject(ws, id) : promotionApply(ws, id), { invalidates });
  const busy = act.isPending ? act.variables?.id : undefined;
  const page = q.data;
  return (
    <section className="page connections-room" aria-labelledby="deployments-title">
      <header className="page-header">
        <h1 id="deployments-title">Deployments</h1>
        <button type="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
          Refresh
        </button>
      </header>
      <p className="muted">Every promotion of this workspace&apos;s jobs to another workspace or a remote console, with its change-set, who asked and who approved. Promote jobs from the directory tree: tick them, then ⋮ → Promote Job.</p>
      {q.isPending && <Spinner label="Loading the deployments…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      <ErrorNotice error={act.error} />
      {page && page.count === 0 && <p className="muted">No promotions yet.</p>}
      {page && page.count > 0 && (
        <table className="data-table" aria-label="Promotions">
          <thead>
            <tr>
              <th scope="col">Promotion</th>
              <th scope="col">Profile</th>
              <th scope="col">Requested By</th>
              <th scope="col">Approved By</th>
              <th scope="col">Note</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Changes</th>
              <th scope="col">Written</th>
              <th scope="col">State</th>
              <th scope="col">Operation</th>
            </tr>
          </thead>
          <tbody>
            {page.results.map((p) => (
              <tr key={p.id} aria-label={`Promotion ${p.id}`}>
                <td>
                  <div>
                    {p.id} → {promotionTarget(p)}
                  </div>
                  <div className="muted small">{formatTime(p.createdAt)}</div>
                </td>
                <td>{p.profileName}</td>
                <td>{p.requestedBy ?? "—"}</td>
                <td>{p.approvedBy ?? "—"}</td>
                <td className="small">{p.note || "—"}</td>
                <td className="small" title={p.packageSha256 || undefined}>
                  {shortSha(p.packageSha256)}
                </td>
                <td>{changesText(p.changes)}</td>
                <td>{countsText(p.counts)}</td>
                <td>
                  <span className={p.state === "failed" ? "error-text" : undefined}>{stateText(p.state)}</span>
                  {p.state === "failed" && p.message && <div className="error-text small">{p.message}</div>}
                  {p.state !== "failed" && p.targetKind === "remote" && p.message && <div className="muted small">{p.message}</div>}
                </td>
                <td>
                  {p.canApprove && (
                    <>
                      <button type="button" className="link-button" disabled={busy === p.id} onClick={() => act.mutate({ id: p.id, action: "approve" })} aria-label={`Approve promotion ${p.id}`}>
                        Approve
                      </button>{" "}
                      <button type="button" className="link-button" disabled={busy === p.id} onClick={() => act.mutate({ id: p.id, action: "reject" })} aria-label={`Reject promotion ${p.id}`}>
                        Reject
                      </button>{" "}
                    </>
                  )}
                  {p.canApply && (
                    <button type="button" className="link-button" disabled={busy === p.id} onClick={() => act.mutate({ id: p.id, action: "apply" })} aria-label={`Apply promotion ${p.id}`}>
                      {busy === p.id ? "Applying…" : "Apply"}
                    </button>
                  )}{" "}
                  {hasReport(p) && (
                    <button type="button" className="link-button" onClick={() => setReport(p)} aria-label={`Report of promotion ${p.id}`}>
                      Report
                    </button>
                  )}{" "}
                  {p.targetKind === "remote" && p.objects.length > 0 && (
                    <button type="button" className="link-button" onClick={() => setObjects(p)} aria-label={`Objects of promotion ${p.id}`}>
                      Objects
                    </button>
                  )}{" "}
                  {p.targetKind === "remote" && p.state === "succeeded" && <span className="muted small">Undo: local targets only</span>}
                  {canUndoIn(p, session.workspaces) && (
                    <button
                      type="button"
                      className="link-button"
                      title={`Undo it from the Import History of ${p.targetWorkspaceName}`}
                      aria-label={`Undo promotion ${p.id}`}
                      onClick={() => {
                        setWorkspace(p.targetWorkspaceId!);
                        navigate("/imports");
                      }}
                    >
                      Undo…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.count > PROMOTIONS_PAGE && (
        <div className="toolbar">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PROMOTIONS_PAGE))}>
            Previous
          </button>
          <span className="muted small">
            {offset + 1}–{Math.min(offset + PROMOTIONS_PAGE, page.count)} of {page.count}
          </span>
          <button type="button" disabled={offset + PROMOTIONS_PAGE >= page.count} onClick={() => setOffset(offset + PROMOTIONS_PAGE)}>
            Next
          </button>
        </div>
      )}
      {report && <PromotionReportDialog promotion={report} onClose={() => setReport(null)} />}
      {objects && <RemoteObjectsDialog promotion={objects} onClose={() => setObjects(null)} />}
    </section>
  );
}
