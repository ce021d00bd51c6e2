import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import * as ep from "../api/endpoints";
import type { ReferenceUse } from "../api/types";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { CREATE_FROM_PACKAGE, LEAVE_UNRESOLVED, missingItems, secretFieldsOf, wizardReducer, type MissingItem, type WizardState } from "./machine";
import { needsScriptTypes, referenceKindWord, replacementCandidates } from "./references";

type Dispatch = React.Dispatch<Parameters<typeof wizardReducer>[1]>;

function useText(u: ReferenceUse): string {
  return `${u.type} ${u.name}${u.node ? ` (node ${u.node})` : ""}`;
}

/** The workspace's script types by name, read only when some missing script is run by typed nodes. */
function useScriptTypes(items: MissingItem[]): ReadonlyMap<string, string> | undefined {
  const { workspace } = useSessionWorkspace();
  const scripts = useQuery({
    queryKey: ["ws", workspace.id, "script-summaries"],
    queryFn: () => ep.scriptSummariesList(workspace.id),
    enabled: needsScriptTypes(items),
    staleTime: 30_000,
  });
  return useMemo(() => (scripts.data ? new Map(scripts.data.map((x) => [x.name, x.type])) : undefined), [scripts.data]);
}

function MissingRow({ s, dispatch, item, scriptTypes }: { s: WizardState; dispatch: Dispatch; item: MissingItem; scriptTypes?: ReadonlyMap<string, string> }) {
  const { group, ref, key } = item;
  const value = s.mapping[key] ?? "";
  const left = value === LEAVE_UNRESOLVED;
  const label = `${referenceKindWord(group.kind)} ${ref.name}`;
  const candidates = replacementCandidates(item, scriptTypes);
  return (
    <tr className={value || !group.required ? "" : "unresolved"}>
      <td>
        {group.label}
        {!group.required && <div className="muted small">optional</div>}
      </td>
      <td>{ref.name}</td>
      <td className="small">
        {ref.usedBy.map(useText).join(", ") || "—"}
        {(ref.usedByCount ?? 0) > ref.usedBy.length && ` and ${(ref.usedByCount ?? 0) - ref.usedBy.length} more`}
      </td>
      <td>
        <select aria-label={`Replacement for ${label}`} value={left ? "" : value} disabled={left} onChange={(e) => dispatch({ type: "setMapping", key, value: e.target.value })}>
          <option value="">{group.required ? "-- Select --" : "-- Keep as it is --"}</option>
          {candidates.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
          {ref.canCreate && <option value={CREATE_FROM_PACKAGE}>Create {ref.name} from the package</option>}
        </select>
        {group.canLeaveUnresolved && (
          <label className="check-line small">
            <input type="checkbox" aria-label={`Leave ${label} unresolved`} checked={left} onChange={(e) => dispatch({ type: "setMapping", key, value: e.target.checked ? LEAVE_UNRESOLVED : "" })} />
            Leave unresolved
          </label>
        )}
        {left && <div className="warning-text small">The job is imported and fails when scheduled until {label} exists.</div>}
        {ref.scriptTypes?.length ? <div className="muted small">Scripts of type {ref.scriptTypes.join(" or ")}.</div> : null}
        {group.candidatesTruncated && <div className="muted small">Only the first candidates are listed.</div>}
        {candidates.length === 0 && !ref.canCreate && group.required && !left && (
          <div className="error-text small">
            No {group.label.toLowerCase()} {ref.scriptTypes?.length ? "of that type " : ""}exists in this workspace.{" "}
            {group.canLeaveUnresolved ? "Create one first, or leave it unresolved." : "Create one first."}
          </div>
        )}
        {ref.note && <div className="muted small">{ref.note}</div>}
        {value === CREATE_FROM_PACKAGE &&
          secretFieldsOf(item).map((field) => (
            <input
              key={field}
              type="password"
              className="inline-password"
              aria-label={`${field === "password" ? "Password" : field} for connection ${ref.name}`}
              placeholder={field === "password" ? "Password" : field}
              autoComplete="new-password"
              value={s.passwords[ref.name]?.[field] ?? ""}
              onChange={(e) => dispatch({ type: "setSecret", connection: ref.name, field, value: e.target.value })}
            />
          ))}
      </td>
    </tr>
  );
}

/** Step 2's missing references: a replacement for each, or "create from the package", or "leave unresolved". */
export function MissingReferences({ s, dispatch }: { s: WizardState; dispatch: Dispatch }) {
  const insp = s.inspection!;
  const items = missingItems(insp);
  const scriptTypes = useScriptTypes(items);
  return (
    <section className="wizard-section">
      <h3>Missing References ({items.length})</h3>
      {items.length === 0 ? (
        <p className="muted">Every data connection, queue, cluster and other object the package refers to exists in this workspace.</p>
      ) : (
        <>
          <p className="muted small">
            These objects do not exist in this workspace. Select one to use instead. A missing script or cloud object may be left unresolved: the job is imported
            and fails when it is scheduled, until the object exists.
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Name in the package</th>
                <th scope="col">Used by</th>
                <th scope="col">Replace with</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <MissingRow key={item.key} s={s} dispatch={dispatch} item={item} scriptTypes={scriptTypes} />
              ))}
            </tbody>
          </table>
        </>
      )}
      {insp.connections.length > 0 && (
        <p className="muted small">
          Connection definitions in the package: {insp.connections.map((c) => `${c.name} (${c.type}${c.exists ? ", exists" : ""})`).join(", ")}. Passwords are never
          exported; type one in to create a connection.
        </p>
      )}
      {(insp.notes ?? []).length > 0 && (
        <ul className="muted small">
          {insp.notes!.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
