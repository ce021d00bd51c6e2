import { useId, useState, type ReactNode } from "react";
import { profileCreate, profileKeys, profileUpdate, type Profile } from "../api/profiles";
import { useWrite } from "../api/mutations";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { WriteDialog } from "../ui/WriteDialog";
import { Field } from "../ui/bits";
import { emptyForm, formFromProfile, formProblems, formToInput, MAPPING_KINDS, SECTIONS, sectionOf, serverProblems, type FormState, type Section, type ValueRow } from "./logic";

const CONNECTION_TYPES = ["DWS", "DLI", "HIVE", "SparkSQL", "RDS", "HOST", "CloudTable", "KAFKA", "PRESTO", "CLICKHOUSE", "DORIS", "REST"];

type Setter = <K extends keyof FormState>(key: K, value: FormState[K]) => void;

function SectionBox({ title, problems, children }: { title: Section; problems: boolean; children: ReactNode }) {
  const id = useId();
  return (
    <section className="profile-section" aria-labelledby={id}>
      <h3 id={id}>
        {title}
        {problems && <span className="tag tag-warning"> (check the fields below)</span>}
      </h3>
      {children}
    </section>
  );
}

function RowError({ text }: { text?: string }) {
  return text ? (
    <div className="field-error" role="alert">
      {text}
    </div>
  ) : null;
}

/** A list of parameter or variable values: name (and job), value, masked. */
function ValueRows({ label, where, perJob, rows, onChange, error, readOnly }: { label: string; where: string; perJob: boolean; rows: ValueRow[]; onChange: (rows: ValueRow[]) => void; error: (key: string) => string | undefined; readOnly: boolean }) {
  const update = (i: number, patch: Partial<ValueRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="profile-rows" aria-label={`${label}s`} role="group">
      {rows.map((r, i) => {
        const n = `${label} ${i + 1}`;
        return (
          <div key={i} className="profile-row">
            {perJob && <input aria-label={`${n} job`} placeholder="Job" value={r.job} disabled={readOnly} onChange={(e) => update(i, { job: e.target.value })} />}
            <input aria-label={`${n} name`} placeholder="Name" value={r.name} disabled={readOnly} onChange={(e) => update(i, { name: e.target.value })} />
            <input
              aria-label={`${n} value`}
              type={r.masked ? "password" : "text"}
              autoComplete="new-password"
              placeholder={r.masked && r.stored ? "Set (leave blank to keep it)" : "Value"}
              value={r.value}
              disabled={readOnly}
              onChange={(e) => update(i, { value: e.target.value })}
            />
            <label className="check-line">
              <input type="checkbox" aria-label={`${n} masked`} checked={r.masked} disabled={readOnly} onChange={(e) => update(i, { masked: e.target.checked })} /> Masked
            </label>
            {!readOnly && (
              <button type="button" className="link-button" aria-label={`Remove ${n.toLowerCase()}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                Remove
              </button>
            )}
            <RowError text={error(`${where}.${i}.job`) ?? error(`${where}.${i}.name`) ?? error(`${where}.${i}.value`)} />
          </div>
        );
      })}
      {!readOnly && (
        <button type="button" onClick={() => onChange([...rows, { job: "", name: "", value: "", masked: false, stored: false }])}>
          Add {label.toLowerCase()}
        </button>
      )}
    </div>
  );
}

function ProfileForm({
  form,
  set,
  error,
  readOnly,
  stored,
  problems,
}: {
  form: FormState;
  set: Setter;
  error: (key: string) => string | undefined;
  readOnly: boolean;
  stored: Profile | null;
  problems: ReadonlySet<Section>;
}) {
  const { session, workspace } = useSessionWorkspace();
  const others = session.workspaces.filter((w) => w.id !== workspace.id);
  const ids = { name: useId(), desc: useId(), ws: useId(), endpoint: useId(), project: useId(), remoteWs: useId(), obs: useId(), ak: useId(), sk: useId(), tz: useId(), dup: useId(), lock: useId(), status: useId(), schedule: useId() };
  const kindName = useId();
  const keysStored = stored?.target.kind === "remote";
  const hasProblem = (section: Section) => problems.has(section);
  return (
    <form className="form profile-form" aria-label="Environment profile" onSubmit={(e) => e.preventDefault()}>
      <SectionBox title="Target" problems={hasProblem("Target")}>
        <Field label="Name" htmlFor={ids.name} error={error("name")}>
          <input id={ids.name} value={form.name} maxLength={64} disabled={readOnly} onChange={(e) => set("name", e.target.value)} data-autofocus />
        </Field>
        <Field label="Description" htmlFor={ids.desc} error={error("description")}>
          <input id={ids.desc} value={form.description} maxLength={255} disabled={readOnly} onChange={(e) => set("description", e.target.value)} />
        </Field>
        <fieldset className="radio-group">
          <legend>Promote to</legend>
          <label>
            <input type="radio" name={kindName} checked={form.kind === "workspace"} disabled={readOnly} onChange={() => set("kind", "workspace")} /> Another workspace of this console
          </label>
          <label>
            <input type="radio" name={kindName} checked={form.kind === "remote"} disabled={readOnly} onChange={() => set("kind", "remote")} /> A remote console or DataArts Studio (v1 API)
          </label>
        </fieldset>
        {form.kind === "workspace" ? (
          <Field label="Target workspace" htmlFor={ids.ws} error={error("target.workspaceId") ?? error("target.workspaceName")}>
            <select id={ids.ws} value={form.workspaceId ?? ""} disabled={readOnly} onChange={(e) => set("workspaceId", e.target.value ? Number(e.target.value) : null)}>
              <option value="">—</option>
              {stored?.target.workspaceId != null && !others.some((w) => w.id === stored.target.workspaceId) && <option value={stored.target.workspaceId}>{stored.target.workspaceName}</option>}
              {others.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </Field>
        ) : (
          <>
            <Field label="Endpoint" htmlFor={ids.endpoint} error={error("target.endpoint")} hint="The remote v1 API, e.g. https://dayu.cn-north-4.myhuaweicloud.com">
              <input id={ids.endpoint} value={form.endpoint} disabled={readOnly} onChange={(e) => set("endpoint", e.target.value)} />
            </Field>
            <Field label="Project ID" htmlFor={ids.project} error={error("target.projectId")}>
              <input id={ids.project} value={form.projectId} disabled={readOnly} onChange={(e) => set("projectId", e.target.value)} />
            </Field>
            <Field label="Remote workspace ID" htmlFor={ids.remoteWs} error={error("target.remoteWorkspaceId")} hint="Empty: the project's default workspace.">
              <input id={ids.remoteWs} value={form.remoteWorkspaceId} disabled={readOnly} onChange={(e) => set("remoteWorkspaceId", e.target.value)} />
            </Field>
            <Field label="OBS staging folder" htmlFor={ids.obs} error={error("target.obsFolder")} hint="obs://bucket/folder/ where packages wait for the remote import.">
              <input id={ids.obs} value={form.obsFolder} disabled={readOnly} onChange={(e) => set("obsFolder", e.target.value)} />
            </Field>
            <Field label="Access key" htmlFor={ids.ak} error={error("target.accessKey")} hint={keysStored ? `Set (${stored?.target.accessKeyHint || "stored"}); leave blank to keep it.` : "Stored encrypted, never shown again."}>
              <input id={ids.ak} autoComplete="off" value={form.accessKey} disabled={readOnly} onChange={(e) => set("accessKey", e.target.value)} />
            </Field>
            <Field label="Secret key" htmlFor={ids.sk} error={error("target.secretKey")} hint={keysStored ? "Set; leave blank to keep it." : "Stored encrypted, never shown again."}>
              <input id={ids.sk} type="password" autoComplete="new-password" value={form.secretKey} disabled={readOnly} onChange={(e) => set("secretKey", e.target.value)} />
            </Field>
          </>
        )}
      </SectionBox>

      <SectionBox title="Mappings" problems={hasProblem("Mappings")}>
        <p className="muted">References replaced in the target: a job that uses the first name gets the second.</p>
        <div className="profile-rows" role="group" aria-label="Mappings">
          {form.mappings.map((m, i) => {
            const n = `Mapping ${i + 1}`;
            const update = (patch: Partial<typeof m>) => set("mappings", form.mappings.map((x, j) => (j === i ? { ...x, ...patch } : x)));
            return (
              <div key={i} className="profile-row">
                <select aria-label={`${n} kind`} value={m.kind} disabled={readOnly} onChange={(e) => update({ kind: e.target.value as typeof m.kind })}>
                  {MAPPING_KINDS.map((k) => (
                    <option key={k.value} value={k.value}>
                      {k.label}
                    </option>
                  ))}
                </select>
                {m.kind === "connection" && (
                  <select aria-label={`${n} connection type`} value={m.connectionType} disabled={readOnly} onChange={(e) => update({ connectionType: e.target.value })}>
                    <option value="">Any type</option>
                    {CONNECTION_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                )}
                <input aria-label={`${n} name`} placeholder="Name here" value={m.name} disabled={readOnly} onChange={(e) => update({ name: e.target.value })} />
                <span aria-hidden="true">→</span>
                <input aria-label={`${n} replacement`} placeholder="Name in the target" value={m.replace} disabled={readOnly} onChange={(e) => update({ replace: e.target.value })} />
                {!readOnly && (
                  <button type="button" className="link-button" aria-label={`Remove mapping ${i + 1}`} onClick={() => set("mappings", form.mappings.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
                <RowError text={error(`mappings.${i}.kind`) ?? error(`mappings.${i}.name`) ?? error(`mappings.${i}.connectionType`) ?? error(`mappings.${i}.replace`)} />
              </div>
            );
          })}
          {!readOnly && (
            <button type="button" onClick={() => set("mappings", [...form.mappings, { kind: "connection", name: "", connectionType: "", replace: "" }])}>
              Add mapping
            </button>
          )}
        </div>
      </SectionBox>

      <SectionBox title="Parameters" problems={hasProblem("Parameters")}>
        <ValueRows label="Public parameter" where="publicParams" perJob={false} rows={form.publicParams} onChange={(rows) => set("publicParams", rows)} error={error} readOnly={readOnly} />
        <ValueRows label="Job parameter" where="jobParams" perJob rows={form.jobParams} onChange={(rows) => set("jobParams", rows)} error={error} readOnly={readOnly} />
      </SectionBox>

      <SectionBox title="Variables" problems={hasProblem("Variables")}>
        <ValueRows label="Variable" where="environmentVariables" perJob={false} rows={form.environmentVariables} onChange={(rows) => set("environmentVariables", rows)} error={error} readOnly={readOnly} />
      </SectionBox>

      <SectionBox title="Rewrite rules" problems={hasProblem("Rewrite rules")}>
        <p className="muted">Applied in order to scripts and to the text properties of nodes, line by line; secrets are never touched. A regular expression is anchored: it starts with ^ or ends with $.</p>
        <div className="profile-rows" role="group" aria-label="Rewrite rules">
          {form.rewriteRules.map((r, i) => {
            const n = `Rule ${i + 1}`;
            const update = (patch: Partial<typeof r>) => set("rewriteRules", form.rewriteRules.map((x, j) => (j === i ? { ...x, ...patch } : x)));
            return (
              <div key={i} className="profile-row">
                <input aria-label={`${n} find`} placeholder="Find" value={r.find} disabled={readOnly} onChange={(e) => update({ find: e.target.value })} />
                <span aria-hidden="true">→</span>
                <input aria-label={`${n} replace`} placeholder="Replace with" value={r.replace} disabled={readOnly} onChange={(e) => update({ replace: e.target.value })} />
                <label className="check-line">
                  <input type="checkbox" aria-label={`${n} regular expression`} checked={r.regex} disabled={readOnly} onChange={(e) => update({ regex: e.target.checked })} /> Regex
                </label>
                {!r.regex && (
                  <label className="check-line">
                    <input type="checkbox" aria-label={`${n} whole words`} checked={r.wholeWord} disabled={readOnly} onChange={(e) => update({ wholeWord: e.target.checked })} /> Whole words
                  </label>
                )}
                {!readOnly && (
                  <button type="button" className="link-button" aria-label={`Remove rule ${i + 1}`} onClick={() => set("rewriteRules", form.rewriteRules.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
                <RowError text={error(`rewriteRules.${i}.find`) ?? error(`rewriteRules.${i}.replace`)} />
              </div>
            );
          })}
          {!readOnly && (
            <button type="button" onClick={() => set("rewriteRules", [...form.rewriteRules, { find: "", replace: "", regex: false, wholeWord: true }])}>
              Add rewrite rule
            </button>
          )}
        </div>
      </SectionBox>

      <SectionBox title="Policies" problems={hasProblem("Policies")}>
        <Field label="Duplicate names" htmlFor={ids.dup} error={error("duplicatePolicy")}>
          <select id={ids.dup} value={form.duplicatePolicy} disabled={readOnly} onChange={(e) => set("duplicatePolicy", e.target.value as FormState["duplicatePolicy"])}>
            <option value="overwrite">Overwrite</option>
            <option value="skip">Skip</option>
          </select>
        </Field>
        <Field label="Locked objects" htmlFor={ids.lock} error={error("lockPolicy")}>
          <select id={ids.lock} value={form.lockPolicy} disabled={readOnly} onChange={(e) => set("lockPolicy", e.target.value as FormState["lockPolicy"])}>
            <option value="take">Take the lock where the target allows it</option>
            <option value="skip_locked">Leave objects locked by others untouched</option>
          </select>
        </Field>
        <label className="check-line">
          <input type="checkbox" checked={form.releaseLocks} disabled={readOnly} onChange={(e) => set("releaseLocks", e.target.checked)} /> Release the locks after promoting
        </label>
        <Field label="Import as" htmlFor={ids.status} error={error("targetStatus")}>
          <select id={ids.status} value={form.targetStatus} disabled={readOnly} onChange={(e) => set("targetStatus", e.target.value as FormState["targetStatus"])}>
            <option value="submitted">Submitted versions</option>
            <option value="saved">Saved (not submitted)</option>
          </select>
        </Field>
        <Field label="Scheduled jobs" htmlFor={ids.schedule} error={error("schedulePolicy")}>
          <select id={ids.schedule} value={form.schedulePolicy} disabled={readOnly} onChange={(e) => set("schedulePolicy", e.target.value as FormState["schedulePolicy"])}>
            <option value="refuse">Refuse to overwrite them (as DataArts)</option>
            <option value="keep_target_schedules">Keep the target's schedules (stop, update, start)</option>
          </select>
        </Field>
        <Field label="Time zone (expressionTimeZone)" htmlFor={ids.tz} error={error("expressionTimeZone")} hint="E.g. GMT+8 or Asia/Shanghai; empty keeps each job's.">
          <input id={ids.tz} value={form.expressionTimeZone} disabled={readOnly} onChange={(e) => set("expressionTimeZone", e.target.value)} />
        </Field>
        <label className="check-line">
          <input type="checkbox" checked={form.requiresApproval} disabled={readOnly} onChange={(e) => set("requiresApproval", e.target.checked)} /> A promotion needs another member's approval
        </label>
      </SectionBox>
    </form>
  );
}

/** Create (profile null) or open a profile: admins edit it, other members read it. */
export function ProfileDialog({ profile, onClose }: { profile: Profile | null; onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  const readOnly = workspace.role !== "admin";
  const [form, setForm] = useState<FormState>(() => (profile ? formFromProfile(profile) : emptyForm()));
  const [touched, setTouched] = useState(false);
  const save = useWrite(() => (profile ? profileUpdate(workspace.id, profile.id, formToInput(form)) : profileCreate(workspace.id, formToInput(form))), {
    invalidates: [profileKeys.list(workspace.id)],
    onDone: onClose,
  });
  const local = formProblems(form, profile);
  const server = serverProblems(save.error);
  const error = (key: string) => (touched ? local[key] : undefined) ?? server[key];
  const set: Setter = (key, value) => setForm((old) => ({ ...old, [key]: value }));
  const title = profile ? `Environment Profile ${profile.name}` : "Create Environment Profile";
  const shownProblems = new Set<Section>([...(touched ? Object.keys(local) : []), ...Object.keys(server)].map(sectionOf));
  const body = (
<ProfileForm form={form} set={set} error={error} readOnly={readOnly} stored={profile} problems={shownProblems} />
  );
  if (readOnly)
    return (
      <Dialog title={title} onClose={onClose} width={820} footer={<button type="button" onClick={onClose}>Close</button>}>
        {body}
      </Dialog>
    );
  const submit = () => {
    setTouched(true);
    if (!Object.keys(local).length && !save.isPending) save.mutate();
  };
  return (
    <WriteDialog title={title} width={820} write={save} onSubmit={submit} onClose={onClose} submitLabel="Save" busyLabel="Saving…">
      {body}
      {SECTIONS.filter((s) => shownProblems.has(s)).length > 0 && <p className="field-error">Check: {SECTIONS.filter((s) => shownProblems.has(s)).join(", ")}.</p>}
    </WriteDialog>
  );
}
