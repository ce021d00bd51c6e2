import { useEffect, useReducer, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { errorMessage, isApiError, saveBlob } from "../api/client";
import * as ep from "../api/endpoints";
import { useObsStatus } from "../api/hooks";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, ProgressBar, Spinner } from "../ui/bits";
import {
  canGoNext,
  applyRequest,
  initialWizard,
  isPolling,
  reviewProblem,
  STEP_TITLES,
  wizardReducer,
  type ImportCategory,
  type WizardState,
} from "./machine";
import { serverPackageMaxBytes } from "./limits";
import { ApplyProgress, ReportStep } from "./ReportStep";
import { ReviewStep } from "./ReviewStep";
import { SourceStep } from "./SourceStep";

function StepIndicator({ s }: { s: WizardState }) {
  const current = STEP_TITLES.findIndex((t) => t.step.includes(s.step));
  return (
    <ol className="wizard-steps" aria-label="Import steps">
      {STEP_TITLES.map((t, i) => (
        <li key={t.title} className={i === current ? "current" : i < current ? "done" : ""} aria-current={i === current ? "step" : undefined}>
          <span className="step-no">{i + 1}</span> {t.title}
        </li>
      ))}
    </ol>
  );
}

export function ImportWizard({ category, onClose }: { category: ImportCategory; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const queryClient = useQueryClient();
  const [s, dispatch] = useReducer(wizardReducer, category, (c) => initialWizard(c, serverPackageMaxBytes()));
  const [file, setFile] = useState<File | null>(null);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const obs = useObsStatus(ws);
  const touched = useRef(false);

  useEffect(() => {
    if (obs.data) dispatch({ type: "obsStatus", available: obs.data.available, reason: obs.data.reason });
    else if (obs.error) dispatch({ type: "obsStatus", available: false, reason: `Its status could not be read: ${errorMessage(obs.error)}` });
  }, [obs.data, obs.error]);

  const poll = useQuery({
    queryKey: ["ws", ws, "import", s.taskId, s.step],
    queryFn: () => ep.importGet(ws, s.taskId!),
    enabled: isPolling(s),
    refetchInterval: 800,
  });
  useEffect(() => {
    if (poll.data) dispatch({ type: "task", task: poll.data });
  }, [poll.data]);

  const title = category === "job" ? "Import Job" : "Import Script";

  // The two writes as mutations; the wizard's machine holds their busy state and error (it decides the step).
  const startWrite = useMutation({
    mutationFn: (source: ep.ImportSource) => ep.importStart(ws, source, category, s.policy),
    onMutate: () => {
      dispatch({ type: "starting" });
      touched.current = true;
    },
    onSuccess: (task) => dispatch({ type: "started", task }),
    onError: (e) => {
      const msg = isApiError(e) && e.code === "import_running" ? `Another import is running in this workspace. ${e.message}` : e instanceof Error ? e.message : String(e);
      dispatch({ type: "error", message: msg });
    },
  });
  const start = () => startWrite.mutate(s.location === "obs" ? { kind: "obs", obsPath: s.obsPath.trim() } : { kind: "local", file: file! });

  const applyWrite = useMutation({
    mutationFn: () => ep.importApply(ws, s.taskId!, applyRequest(s)),
    onMutate: () => dispatch({ type: "applying" }),
    onSuccess: (task) => dispatch({ type: "applyStarted", task }),
    onError: (e) => dispatch({ type: "error", message: e instanceof Error ? e.message : String(e) }),
  });
  const apply = () => applyWrite.mutate();

  // Closing at step 2 cancels the waiting import (its package is deleted); nobody waits for the answer.
  const cancelWrite = useMutation({ mutationFn: (taskId: string) => ep.importCancel(ws, taskId) });
  const close = () => {
    if (s.step === "review" && s.taskId) cancelWrite.mutate(s.taskId);
    // An import writes jobs, scripts, resources and connections: everything of the workspace refetches.
    if (touched.current) void queryClient.invalidateQueries({ queryKey: ["ws", ws] });
    onClose();
  };

  const downloadReport = async () => {
    setDownloadError(null);
    try {
      const { blob, fileName } = await ep.importReportFile(ws, s.taskId!);
      saveBlob(blob, fileName);
    } catch (e) {
      setDownloadError(e);
    }
  };

  const working = s.step === "inspecting" || s.step === "applying";
  const next = s.step === "source" ? start : s.step === "review" ? apply : undefined;
  const nextHint = s.step === "review" ? reviewProblem(s) : null;

  const footer = (
    <>
      {nextHint && <span className="footer-hint">{nextHint}</span>}
      {(s.step === "source" || s.step === "review") && (
        <>
          <button type="button" onClick={close} disabled={s.busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={next} disabled={!canGoNext(s)}>
            {s.busy ? "Working…" : "Next"}
          </button>
        </>
      )}
      {working && (
        <button type="button" onClick={close}>
          Close
        </button>
      )}
      {s.step === "failed" && (
        <>
          <button type="button" onClick={() => dispatch({ type: "reset" })}>
            Start Over
          </button>
          <button type="button" className="primary" onClick={close}>
            Close
          </button>
        </>
      )}
      {s.step === "report" && (
        <button type="button" className="primary" onClick={close}>
          Close
        </button>
      )}
    </>
  );

  return (
    <Dialog title={title} onClose={close} dismissable={!s.busy} width="min(900px, 94vw)" footer={footer} className="wizard">
      <StepIndicator s={s} />
      {s.error && s.step !== "failed" && <ErrorNotice error={s.error} />}
      {s.step === "source" && (obs.isPending ? <Spinner label="Checking OBS…" /> : <SourceStep s={s} dispatch={dispatch} file={file} setFile={setFile} />)}
      {s.step === "inspecting" && (
        <div className="wizard-progress">
          <p>Checking the package…</p>
          <ProgressBar value={s.progress} label="Checking progress" />
          {s.message && <p className="muted">{s.message}</p>}
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "review" && <ReviewStep s={s} dispatch={dispatch} />}
      {s.step === "applying" && (
        <div className="wizard-progress">
          <p>Importing…</p>
          <ApplyProgress s={s} />
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "report" && <ReportStep s={s} onDownload={downloadReport} downloadError={downloadError} />}
      {s.step === "failed" && <ErrorNotice error={s.error ?? "The import failed."} title="The import failed." />}
    </Dialog>
  );
}
