import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import * as ep from "../api/endpoints";
import { historyKeys, undoPreview, undoStart, type HistoryEntry, type UndoPreviewObject } from "../api/history";
import { keys } from "../api/hooks";
import { useWrite } from "../api/mutations";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { WriteDialog } from "../ui/WriteDialog";
import { ErrorNotice, ProgressBar, Spinner } from "../ui/bits";
import { canConfirm, finished, previewGroups, titleOf, undoLabel, undoProgress } from "./logic";

function ObjectList({ label, rows }: { label: string; rows: UndoPreviewObject[] }) {
  if (!rows.length) return null;
  return (
    <section className="wizard-section" aria-label={label}>
      <h3>
        {label} ({rows.length})
      </h3>
      <ul className="report-list">
        {rows.map((o) => (
          <li key={`${o.type}:${o.name}`} className={o.action === "fail" ? "error-text" : undefined}>
            {o.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Undo an import (or redo one, undoing its undo): first what it would do now, then its progress. */
export function UndoDialog({ entry, onClose }: { entry: HistoryEntry; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const [force, setForce] = useState(false);
  const [taskId, setTaskId] = useState<string | null>(null);
  const preview = useQuery({ queryKey: historyKeys.preview(ws, entry.id, force), queryFn: () => undoPreview(ws, entry.id, force), enabled: !taskId });
  const start = useWrite(() => undoStart(ws, entry.id, force), { onDone: (task) => setTaskId(task.id) });
  const task = useQuery({
    queryKey: historyKeys.task(ws, taskId ?? ""),
    queryFn: () => ep.taskGet(ws, taskId!),
    enabled: !!taskId,
    refetchInterval: (query) => (query.state.data && finished(query.state.data.status) ? false : 1000),
  });
  const verb = undoLabel(entry);
  const title = `${verb} ${titleOf(entry)}`;

  if (taskId) {
    const view = task.data ? undoProgress(task.data) : { percent: 0, text: "Starting…", done: false };
    return (
      <UndoProgress
        title={title}
        view={view}
        failed={task.data?.status === "FAILED"}
        error={task.error}
        onClose={onClose}
        workspace={ws}
      />
    );
  }
  const p = preview.data;
  const groups = p ? previewGroups(p) : null;
  return (
    <WriteDialog
      title={title}
      width={720}
      write={start}
      onSubmit={() => start.mutate()}
      onClose={onClose}
      submitLabel={verb === "Redo" ? "Apply the Import Again" : "Undo Import"}
      busyLabel="Starting…"
      danger
      disabled={!canConfirm(p) || preview.isFetching}
    >
      <label>
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Also reverse the objects changed since (force)
      </label>
      {preview.isPending && <Spinner label="Working out what the undo would do…" />}
      <ErrorNotice error={preview.error} onRetry={() => void preview.refetch()} />
      {p && (
        <>
          <p role="status" aria-label="Undo preview" className={p.refusal || groups?.failing.length ? "error-text" : undefined}>
            {p.summary}
          </p>
          {groups && <ObjectList label="Kept" rows={groups.kept} />}
          {groups && <ObjectList label="Cannot be undone" rows={groups.failing} />}
          {p.truncated && <p className="muted small">The preview lists the first {p.objects.length} of {p.total} objects.</p>}
        </>
      )}
    </WriteDialog>
  );
}

function UndoProgress({
  title,
  view,
  failed,
  error,
  onClose,
  workspace,
}: {
  title: string;
  view: { percent: number; text: string; done: boolean };
  failed: boolean;
  error: unknown;
  onClose: () => void;
  workspace: number;
}) {
  // Once the undo is done, what shows the workspace's objects and the history is out of date.
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!view.done) return;
    for (const queryKey of [historyKeys.all(workspace), keys.trees(workspace), keys.objects(workspace, "job"), keys.objects(workspace, "script")]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  }, [view.done, workspace, queryClient]);
  const close = onClose;
  return (
    <Dialog title={title} onClose={close} dismissable={view.done} width={560} footer={<button type="button" onClick={close} disabled={!view.done}>Close</button>}>
      <ProgressBar value={view.percent} label="Undo progress" />
      <p role="status" aria-label="Undo result" className={failed ? "error-text" : view.done ? "success-text" : "muted"}>
        {view.text}
      </p>
      <ErrorNotice error={error} />
    </Dialog>
  );
}
