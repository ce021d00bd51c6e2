import { useEffect, useId, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { saveBlob } from "../api/client";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import type { Task } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { useWrite } from "../api/mutations";
import { Dialog } from "../ui/Dialog";
import { WriteDialog } from "../ui/WriteDialog";
import { ErrorNotice, Notice, ProgressBar, useToast } from "../ui/bits";
import { isObsExistsError, isObsPathError, ObsFolderField } from "./ObsFolderField";
import { defaultChoices, exportProblem, exportRequestBody, isTaskDone, type ExportChoices, type ExportTarget } from "./logic";

/**
 * "Export Job" / "Export Script": Export Scope, Job Status, optional OBS folder (the package is written
 * into it under its DataArts name, replacing a package of that name only when asked). OK downloads the
 * package at once, or, for large selections and OBS targets, follows the server's task and points to the
 * Download Center. "Export Workspace Job" / "Export Workspace Script" (a target with `workspace`) is the
 * same dialog for every job (script) of the workspace, with "Changed since" to export only those changed
 * after a time (at most 10,000).
 */
export function ExportDialog({ target, onClose }: { target: ExportTarget; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const toast = useToast();
  const queryClient = useQueryClient();
  const [choices, setChoices] = useState<ExportChoices>(defaultChoices);
  const [task, setTask] = useState<Task | null>(null);
  const scopeName = useId();
  const statusName = useId();
  const sinceId = useId();
  const isJob = target.category === "job";
  const problem = exportProblem(target, choices);
  /** A change of the folder or of the overwrite box answers the server's refusal of the last one. */
  const editObs = (update: (c: ExportChoices) => ExportChoices) => {
    setChoices(update);
    if (isObsPathError(write.error) || isObsExistsError(write.error)) write.reset();
  };

  const poll = useQuery({
    queryKey: ["ws", ws, "task", task?.id],
    queryFn: () => ep.taskGet(ws, task!.id),
    enabled: !!task && !isTaskDone(task),
    refetchInterval: (q) => (q.state.data && isTaskDone(q.state.data) ? false : 1000),
  });
  const live = poll.data ?? task;
  useEffect(() => {
    if (live && isTaskDone(live)) void queryClient.invalidateQueries({ queryKey: keys.downloads(ws) });
  }, [live, queryClient, ws]);

  const write = useWrite(() => ep.exportStart(ws, exportRequestBody(target, choices)), {
    // A package downloaded at once is in the Download Center's history already; a task gets there when done.
    invalidates: (_, answer) => (answer.kind === "file" ? [keys.downloads(ws)] : []),
    onDone: (answer) => {
      if (answer.kind === "task") return setTask(answer.task);
      saveBlob(answer.blob, answer.fileName);
      toast(`Exported ${answer.fileName}.`);
      onClose();
    },
  });
  const error = write.error;

  const title = target.workspace ? (isJob ? "Export Workspace Job" : "Export Workspace Script") : isJob ? "Export Job" : "Export Script";
  const plural = isJob ? "jobs" : "scripts";

  if (live) {
    const done = isTaskDone(live);
    return (
      <Dialog title={title} onClose={onClose} width={520} footer={<button type="button" className={done ? "primary" : ""} onClick={onClose}>{done ? "Close" : "Run in Background"}</button>}>
        <p>
          Exporting <strong>{target.description}</strong>
        </p>
        {live.status === "FAILED" ? (
          <ErrorNotice error={live.message || "The export failed."} title="The export failed." />
        ) : (
          <ProgressBar value={done ? 100 : live.progress} label="Export progress" />
        )}
        {!done && <p className="muted">{live.message || "Preparing the package…"}</p>}
        {poll.error && <ErrorNotice error={poll.error} />}
        {live.status === "SUCCESSFUL" && <Notice kind="success">The package is ready.</Notice>}
        <p>
          You can view the result in the{" "}
          <Link to="/downloads" onClick={onClose}>
            Download Center
          </Link>
          .
        </p>
      </Dialog>
    );
  }

  return (
    <WriteDialog
      title={title}
      width={560} write={write} onSubmit={() => write.mutate()} onClose={onClose} busyLabel="Exporting…" disabled={!!problem}
      // The OBS folder's refusals are shown at the field.
      shownError={isObsPathError(error) || isObsExistsError(error) ? null : error}
    >
      {target.workspace ? (
        <p className="export-what">
          Exports the {plural} of this workspace that changed since the time below (every {isJob ? "job" : "script"} when it is empty), at most 10,000.
        </p>
      ) : (
        <p className="export-what">
          {isJob ? "Jobs" : "Scripts"}: <strong>{target.description}</strong>
        </p>
      )}
      {isJob && (
        <fieldset className="radio-group">
          <legend>Export Scope</legend>
          <label>
            <input type="radio" name={scopeName} checked={choices.scope === "jobs_only"} onChange={() => setChoices((c) => ({ ...c, scope: "jobs_only" }))} />
            Export jobs only
          </label>
          <label>
            <input type="radio" name={scopeName} checked={choices.scope === "with_dependencies"} onChange={() => setChoices((c) => ({ ...c, scope: "with_dependencies" }))} />
            Export jobs and their dependency scripts and resource definitions
          </label>
        </fieldset>
      )}
      <fieldset className="radio-group inline">
        <legend>{isJob ? "Job Status" : "Export Status"}</legend>
        <label>
          <input type="radio" name={statusName} checked={choices.status === "develop"} onChange={() => setChoices((c) => ({ ...c, status: "develop" }))} />
          Developed
        </label>
        <label>
          <input type="radio" name={statusName} checked={choices.status === "submit"} onChange={() => setChoices((c) => ({ ...c, status: "submit" }))} />
          Submitted
        </label>
      </fieldset>
      {target.workspace && (
        <div className="field">
          <label htmlFor={sinceId}>Changed since (optional)</label>
          <div className="field-control">
            <input
              id={sinceId}
              type="datetime-local"
              step={60}
              value={choices.changedSince}
              onChange={(e) => setChoices((c) => ({ ...c, changedSince: e.target.value }))}
            />
            <div className="field-hint">
              Only {plural} changed after this time (your local time) are exported. Leave empty to export every {isJob ? "job" : "script"}.
            </div>
          </div>
        </div>
      )}
      <ObsFolderField target={target} choices={choices} setChoices={editObs} error={error} />
      <p className="muted small">Passwords and other sensitive values are never exported.</p>
      {problem && (choices.obsPath || choices.changedSince) && <div className="field-error">{problem}</div>}
      {/* OBS refusals are shown beside the folder or the overwrite box instead. */}
    </WriteDialog>
  );
}
