import { useEffect, useReducer, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { errorMessage, isApiError, saveBlob } from "../api/client";
import * as ep from "../api/endpoints";
import { importProfileChoices } from "../api/profiles";
import { useObsStatus } from "../api/hooks";
import { useWrite } from "../api/mutations";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, ProgressBar, Spinner } from "../ui/bits";
import { importHint, importLabel } from "./changes";
import { ChangesStep } from "./ChangesStep";
import {
  applyBody,
  canGoNext,
  initialWizard,
  isPolling,
  previewIsCurrent,
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
    // Each preview polls afresh: an earlier one's "previewed" answer is not this one's.
    queryKey: ["ws", ws, "import", s.taskId, s.step, s.previews],
    queryFn: () => ep.importGet(ws, s.taskId!),
    enabled: isPolling(s),
    refetchInterval: 800,
  });
  useEffect(() => {
    if (poll.data) dispatch({ type: "task", task: poll.data });
  }, [poll.data]);

  // Once the package is inspected, the profile picked at step 1 fills step 2 with its choices for it.
  const wantsProfile = s.step === "review" && s.profile !== null && !s.profileApplied && s.taskId !== null;
  const profileChoices = useQuery({
    queryKey: ["ws", ws, "import", s.taskId, "profile", s.profile?.id],
    queryFn: () => importProfileChoices(ws, s.taskId!, s.profile!.id),
    enabled: wantsProfile,
    retry: false,
  });
  useEffect(() => {
    if (!wantsProfile) return;
    if (profileChoices.data) dispatch({ type: "profileChoices", choices: profileChoices.data });
    else if (profileChoices.error) dispatch({ type: "profileFailed", message: errorMessage(profileChoices.error) });
  }, [wantsProfile, profileChoices.data, profileChoices.error]);

  const title = category === "job" ? "Import Job" : "Import Script";

  // The writes as mutations; the wizard's machine holds their busy state and error (it decides the step).
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

  const failed = (e: unknown) => dispatch({ type: "error", message: errorMessage(e) });

  // Next at the choices: what the import would change with them, computed by the worker (the task to poll).
  const previewWrite = useWrite(() => ep.importPreview(ws, s.taskId!, applyBody(s)), { onDone: (task) => dispatch({ type: "previewStarted", task }) });
  const preview = () => {
    if (previewIsCurrent(s)) return dispatch({ type: "showChanges" });
    dispatch({ type: "previewing" });
    previewWrite.mutate(undefined, { onError: failed });
  };

  // Import: the choices previewed, and whether to leave the unchanged objects as they are.
  const applyWrite = useWrite(() => ep.importApply(ws, s.taskId!, applyBody(s)), { onDone: (task) => dispatch({ type: "applyStarted", task }) });
  const apply = () => {
    dispatch({ type: "applying" });
    applyWrite.mutate(undefined, { onError: failed });
  };

  // Closing before the import is applied cancels the waiting import (its package is deleted); nobody waits
  // for the answer.
  const cancelWrite = useWrite((taskId: string) => ep.importCancel(ws, taskId));
  const close = () => {
    if ((s.step === "review" || s.step === "previewing" || s.step === "changes") && s.taskId) cancelWrite.mutate(s.taskId);
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

  const working = s.step === "inspecting" || s.step === "previewing" || s.step === "applying";
  const next = s.step === "source" ? start : s.step === "review" ? preview : s.step === "changes" ? apply : undefined;
  const nextHint = s.step === "review" ? reviewProblem(s) : s.step === "changes" && s.changes ? importHint(s.changes, s.skipUnchanged) : null;

  const footer = (
    <>
      {nextHint && <span className="footer-hint">{nextHint}</span>}
      {s.step === "changes" && (
        <button type="button" onClick={() => dispatch({ type: "back" })} disabled={s.busy}>
          Back
        </button>
      )}
      {(s.step === "source" || s.step === "review" || s.step === "changes") && (
        <>
          <button type="button" onClick={close} disabled={s.busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={next} disabled={!canGoNext(s)}>
            {s.busy ? "Working…" : s.step === "changes" && s.changes ? importLabel(s.changes, s.skipUnchanged) : "Next"}
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
    <Dialog title={title} onClose={close} dismissable={!s.busy} width={s.step === "changes" ? "min(1300px, 96vw)" : "min(900px, 94vw)"} footer={footer} className="wizard">
      <StepIndicator s={s} />
      {s.error && s.step !== "failed" && <ErrorNotice error={s.error} />}
      {s.step === "source" && (obs.isPending ? <Spinner label="Checking OBS…" /> : <SourceStep s={s} dispatch={dispatch} file={file} setFile={setFile} ws={ws} />)}
      {s.step === "inspecting" && (
        <div className="wizard-progress">
          <p>Checking the package…</p>
          <ProgressBar value={s.progress} label="Checking progress" />
          {s.message && <p className="muted">{s.message}</p>}
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "review" && <ReviewStep s={s} dispatch={dispatch} />}
      {s.step === "previewing" && (
        <div className="wizard-progress">
          <p>Comparing the package with this workspace…</p>
          <ProgressBar value={s.progress} label="Comparing progress" />
          {s.message && <p className="muted">{s.message}</p>}
          <ErrorNotice error={poll.error} />
        </div>
      )}
      {s.step === "changes" && <ChangesStep s={s} dispatch={dispatch} ws={ws} />}
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
