import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import "../connections/room.css";
import { HISTORY_PAGE, historyKeys, historyList, type HistoryEntry } from "../api/history";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { ErrorNotice, formatTime, Spinner } from "../ui/bits";
import { countsText, finished, shortSha, sourceText, stateText, titleOf, undoLabel } from "./logic";
import { ReportDialog } from "./ReportDialog";
import { UndoDialog } from "./UndoDialog";

/** The Import History room: every import and undo of the workspace (yours; an admin sees everyone's), its
 * report, and Undo (a preview, then a task) for what can be undone. */
export function ImportHistory() {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const [offset, setOffset] = useState(0);
  const [report, setReport] = useState<HistoryEntry | null>(null);
  const [undoing, setUndoing] = useState<HistoryEntry | null>(null);
  const q = useQuery({
    queryKey: historyKeys.page(ws, offset),
    queryFn: () => historyList(ws, offset),
    refetchInterval: (query) => (query.state.data?.results.some((e) => !finished(e.status) && e.status !== "WAITING") ? 2000 : false),
  });
  const page = q.data;
  return (
    <section className="page connections-room" aria-labelledby="history-title">
      <header className="page-header">
        <h1 id="history-title">Import History</h1>
        <button type="button" onClick={() => void q.refetch()} disabled={q.isFetching}>
          Refresh
        </button>
      </header>
      <p className="muted">Every import of this workspace, and its undo. Undo puts back what an import overwrote and deletes what it created; objects edited since are kept unless you force them.</p>
      {q.isPending && <Spinner label="Loading the import history…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      {page && page.count === 0 && <p className="muted">No imports yet.</p>}
      {page && page.count > 0 && (
        <table className="data-table" aria-label="Imports">
          <thead>
            <tr>
              <th scope="col">Import</th>
              <th scope="col">Started By</th>
              <th scope="col">Started</th>
              <th scope="col">Source</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Objects</th>
              <th scope="col">State</th>
              <th scope="col">Operation</th>
            </tr>
          </thead>
          <tbody>
            {page.results.map((e) => (
              <tr key={e.id} aria-label={`${e.kind === "undo" ? "Undo" : "Import"} ${e.id}`}>
                <td>
                  <div>{titleOf(e)}</div>
                  <div className="muted small">{e.id}</div>
                </td>
                <td>{e.createdBy ?? "—"}</td>
                <td>{formatTime(e.createdAt)}</td>
                <td className="small">{sourceText(e)}</td>
                <td className="small" title={e.sha256 ?? undefined}>
                  {shortSha(e.sha256)}
                </td>
                <td>{countsText(e)}</td>
                <td>
                  <span className={e.status === "FAILED" ? "error-text" : undefined}>{stateText(e)}</span>
                  {e.status === "FAILED" && e.message && <div className="error-text small">{e.message}</div>}
                </td>
                <td>
                  {finished(e.status) && (
                    <button type="button" className="link-button" onClick={() => setReport(e)} aria-label={`Report of ${e.id}`}>
                      Report
                    </button>
                  )}{" "}
                  {e.canUndo && (
                    <button type="button" className="link-button" onClick={() => setUndoing(e)} aria-label={`${undoLabel(e)} ${e.id}`}>
                      {undoLabel(e)}
                    </button>
                  )}
                  {!e.canUndo && e.undoneBy && <span className="muted small">Undone by {e.undoneBy.slice(0, 8)}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.count > HISTORY_PAGE && (
        <div className="toolbar">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - HISTORY_PAGE))}>
            Previous
          </button>
          <span className="muted small">
            {offset + 1}–{Math.min(offset + HISTORY_PAGE, page.count)} of {page.count}
          </span>
          <button type="button" disabled={offset + HISTORY_PAGE >= page.count} onClick={() => setOffset(offset + HISTORY_PAGE)}>
            Next
          </button>
        </div>
      )}
      {report && <ReportDialog entry={report} onClose={() => setReport(null)} />}
      {undoing && <UndoDialog entry={undoing} onClose={() => setUndoing(null)} />}
    </section>
  );
}
