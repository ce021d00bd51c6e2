import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useProfiles } from "../api/profiles";
import { promotionApply, promotionGet, promotionKeys, promotionStart, type Promotion } from "../api/promotions";
import { useWrite } from "../api/mutations";
import type { Id } from "../api/types";
import type { CompactSelection } from "../tree/selection";
import { Spinner } from "../ui/bits";
import { WriteDialog } from "../ui/WriteDialog";
import { applyLabel, changesText, countsText, isRunning, profileTarget, promotableProfiles, promoteBody, promotionTarget, startLabel } from "./logic";

/**
 * Promote the ticked jobs (with what they depend on) to the target of an environment profile: pick the
 * profile and write a note; the change-set against the target is shown; then Promote applies it (skipping
 * what is unchanged), or the promotion waits for another admin's approval in the Deployments room.
 */
export function PromoteDialog({ ws, selection, description, onClose }: { ws: Id; selection: CompactSelection; description: string; onClose: () => void }) {
  const profiles = useProfiles(ws);
  const choices = promotableProfiles(profiles.data ?? []);
  const [profileId, setProfileId] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const [sinceLast, setSinceLast] = useState(false);
  const [promotion, setPromotion] = useState<Promotion | null>(null);
  const chosen = choices.find((p) => p.id === (profileId ?? choices[0]?.id));
  const invalidates = [promotionKeys.all(ws)];
  const start = useWrite((body: ReturnType<typeof promoteBody>) => promotionStart(ws, body), { invalidates, onDone: setPromotion });
  const apply = useWrite((id: number) => promotionApply(ws, id), { invalidates, onDone: setPromotion });
  // The change-set and the import run in the background (any target): the promotion is polled meanwhile.
  const live = useQuery({
    queryKey: [...promotionKeys.all(ws), "one", promotion?.id, promotion?.state],
    queryFn: () => promotionGet(ws, promotion!.id),
    enabled: promotion !== null && isRunning(promotion),
    refetchInterval: (q) => (q.state.data && !isRunning(q.state.data) ? false : 1500),
  });

  if (promotion === null) {
    return (
      <WriteDialog
        title="Promote"
        width={560}
        write={start}
        busyLabel="Comparing with the target…"
        submitLabel={startLabel(chosen)}
        disabled={!chosen}
        onClose={onClose}
        onSubmit={() => chosen && start.mutate(promoteBody(chosen.id, note, selection, sinceLast))}
      >
        <fieldset className="radio-group">
          <legend>Promote</legend>
          <label>
            <input type="radio" name="promote-what" checked={!sinceLast} onChange={() => setSinceLast(false)} />
            <strong>{description}</strong>
          </label>
          <label>
            <input type="radio" name="promote-what" checked={sinceLast} onChange={() => setSinceLast(true)} />
            Everything changed since the last promotion to {chosen ? profileTarget(chosen) : "the target"}
          </label>
        </fieldset>
        <p className="muted small">
          With the scripts, resources and jobs they use. &ldquo;Everything changed&rdquo; counts from the last successful promotion with the chosen profile; the first one takes every
          job.
        </p>
        {profiles.isPending && <Spinner label="Loading the environment profiles…" />}
        {profiles.data && choices.length === 0 && <p className="muted">No environment profile promotes from this workspace. An admin adds one in Environments.</p>}
        {choices.length > 0 && (
          <label className="field">
            <span>Profile</span>
            <select aria-label="Profile" value={chosen?.id ?? ""} onChange={(e) => setProfileId(Number(e.target.value))}>
              {choices.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} → {profileTarget(p)}
                </option>
              ))}
            </select>
          </label>
        )}
        {chosen?.requiresApproval && <p className="muted small">This profile needs another admin&apos;s approval before anything is written.</p>}
        <label className="field">
          <span>Note</span>
          <textarea aria-label="Note" value={note} maxLength={1024} rows={3} onChange={(e) => setNote(e.target.value)} />
        </label>
      </WriteDialog>
    );
  }
  const shown = live.data && live.data.id === promotion.id ? live.data : promotion;
  const ready = shown.canApply && (shown.state === "previewing" || shown.state === "approved");
  const target = promotionTarget(shown);
  return (
    <WriteDialog
      title={`Promote to ${target}`}
      width={560}
      write={apply}
      busyLabel="Promoting…"
      submitLabel={ready ? applyLabel(shown) : "Close"}
      onClose={onClose}
      onSubmit={() => (ready ? apply.mutate(shown.id) : onClose())}
    >
      {shown.state === "preparing" ? (
        <Spinner label={`Reading the change-set on ${target}…`} />
      ) : (
        <p role="status" aria-label="Change-set">
          Changes in {target}: {changesText(shown.changes)}
        </p>
      )}
      {shown.state === "applying" && <Spinner label={`Applying on ${target}…`} />}
      {shown.targetKind === "remote" && shown.state !== "failed" && shown.state !== "preparing" && <p className="muted small">{shown.message}</p>}
      {shown.state === "waiting_approval" && <p>Sent for approval: another admin approves it in Deployments, then it can be applied.</p>}
      {shown.state === "succeeded" && <p role="status">Promoted: {countsText(shown.counts)}.</p>}
      {shown.state === "failed" && <p className="error-text">{shown.message}</p>}
      <p className="muted small">Package SHA-256 {shown.packageSha256 || "—"}</p>
    </WriteDialog>
  );
}
