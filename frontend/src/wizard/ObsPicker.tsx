import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import { ErrorNotice, formatBytes, formatTime, Spinner } from "../ui/bits";

/** Splits obs://bucket/a/b/ into clickable crumbs. */
function crumbs(path: string): { label: string; path: string }[] {
  const out = [{ label: "All buckets", path: "" }];
  const m = /^obs:\/\/([^/]+)\/?(.*)$/.exec(path);
  if (!m) return out;
  let acc = `obs://${m[1]}/`;
  out.push({ label: m[1], path: acc });
  for (const part of m[2].split("/").filter(Boolean)) {
    acc += `${part}/`;
    out.push({ label: part, path: acc });
  }
  return out;
}

/** Browses OBS buckets and folders and picks a .zip package. */
export function ObsPicker({ onPick, picked }: { onPick: (path: string) => void; picked: string }) {
  const [path, setPath] = useState(() => {
    const m = /^(obs:\/\/[^/]+\/(?:.*\/)?)[^/]*$/.exec(picked);
    return m ? m[1] : "";
  });
  const q = useQuery({ queryKey: keys.obsBrowse(path), queryFn: () => ep.obsBrowse(path) });
  const up = crumbs(path);
  return (
    <div className="obs-picker">
      <nav className="crumbs" aria-label="OBS location">
        {up.map((c, i) => (
          <span key={c.path}>
            {i > 0 && <span aria-hidden="true"> / </span>}
            <button type="button" className="link-button" onClick={() => setPath(c.path)} aria-current={i === up.length - 1 ? "location" : undefined}>
              {c.label}
            </button>
          </span>
        ))}
      </nav>
      <div className="obs-list" role="listbox" aria-label="OBS files">
        {q.isPending && <Spinner label="Listing…" />}
        <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
        {q.data?.buckets?.map((b) => (
          <div key={b} role="option" aria-selected={false} className="obs-row" tabIndex={0} onClick={() => setPath(`obs://${b}/`)} onKeyDown={(e) => e.key === "Enter" && setPath(`obs://${b}/`)}>
            <span className="tree-icon bucket" aria-hidden="true" />
            {b}
          </div>
        ))}
        {q.data?.prefixes?.map((p) => {
          const full = p.startsWith("obs://") ? p : `${path}${p.replace(/^.*?([^/]+\/)$/, "$1")}`;
          const label = full.replace(/\/$/, "").split("/").pop();
          return (
            <div key={p} role="option" aria-selected={false} className="obs-row" tabIndex={0} onClick={() => setPath(full)} onKeyDown={(e) => e.key === "Enter" && setPath(full)}>
              <span className="tree-icon folder" aria-hidden="true" />
              {label}/
            </div>
          );
        })}
        {q.data?.objects?.map((o) => {
          const isZip = o.key.toLowerCase().endsWith(".zip");
          const name = o.key.split("/").pop();
          const selected = picked === o.path;
          return (
            <div
              key={o.path}
              role="option"
              aria-selected={selected}
              aria-disabled={!isZip || undefined}
              className={`obs-row${selected ? " selected" : ""}${isZip ? "" : " disabled"}`}
              tabIndex={isZip ? 0 : -1}
              onClick={() => isZip && onPick(o.path)}
              onKeyDown={(e) => e.key === "Enter" && isZip && onPick(o.path)}
            >
              <span className="tree-icon file" aria-hidden="true" />
              <span className="obs-name">{name}</span>
              <span className="muted">{formatBytes(o.size)}</span>
              <span className="muted">{formatTime(o.lastModified)}</span>
            </div>
          );
        })}
        {q.data && !q.data.buckets?.length && !q.data.prefixes?.length && !q.data.objects?.length && <p className="muted">Nothing here.</p>}
      </div>
    </div>
  );
}
