import { useQuery } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { historyKeys, type HistoryEntry } from "../api/history";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, Spinner } from "../ui/bits";
import { countsText, titleOf } from "./logic";

const SHOWN = 500;

interface Row {
  key: string;
  type: string;
  name: string;
  outcome: string;
  message: string;
}

/** An import's or an undo's report: its counts and every object's outcome (the first 500). */
export function ReportDialog({ entry, onClose }: { entry: HistoryEntry; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const q = useQuery({
    queryKey: [...historyKeys.task(workspace.id, entry.id), "report"],
    queryFn: async (): Promise<Row[]> => {
      if (entry.kind === "import") {
        const task = await ep.importGet(workspace.id, entry.id);
        return (task.report?.objects ?? []).map((r, i) => ({ key: String(i), type: r.type, name: r.newName || r.name, outcome: r.outcome, message: r.message ?? "" }));
      }
      const task = await ep.taskGet(workspace.id, entry.id);
      return task.subtasks.map((s) => ({ key: String(s.order), type: s.objectType, name: s.objectName, outcome: s.outcome, message: s.message }));
    },
  });
  const rows = q.data ?? [];
  return (
    <Dialog title={`Report: ${titleOf(entry)}`} onClose={onClose} width={820} footer={<button type="button" onClick={onClose}>Close</button>}>
      <p role="status">
        {entry.message || countsText(entry)}
      </p>
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
            {rows.slice(0, SHOWN).map((r) => (
              <tr key={r.key} className={r.outcome === "failed" ? "failed" : undefined}>
                <td>{r.type.replace(/_/g, " ")}</td>
                <td>{r.name}</td>
                <td>{r.outcome}</td>
                <td className="small">{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > SHOWN && <p className="muted small">… and {rows.length - SHOWN} more objects.</p>}
    </Dialog>
  );
}
